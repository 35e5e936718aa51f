import { describe, expect, it } from "vitest"
import * as Journal from "../src/Journal.js"

const entry = (i: number) => ({
  time: 1_000 + i,
  method: "GET",
  path: `/api/master/user/master/u${i}`,
  operation: "getUser",
  caller: { realm: "master", id: "u0", username: "admin" },
  status: 200,
  durationMs: i / 10
})

describe("Journal", () => {
  it("keeps the newest entries up to its capacity, oldest first, ids increasing from 1", () => {
    const journal = Journal.make()
    for (let i = 1; i <= Journal.capacity + 5; i++) journal.record(entry(i))
    const entries = journal.entries()
    expect(entries).toHaveLength(Journal.capacity)
    expect(entries[0]).toEqual({ id: 6, ...entry(6) })
    expect(entries.at(-1)).toEqual({ id: Journal.capacity + 5, ...entry(Journal.capacity + 5) })
    expect(entries.every((e, i) => i === 0 || e.id === entries[i - 1]!.id + 1)).toBe(true)
  })

  it("gives back what was recorded, the optional fields only when given, in the same order of fields", () => {
    const journal = Journal.make()
    const plain = journal.record(entry(1))
    const token = journal.record({ ...entry(2), operation: "token", grantType: "password", status: 401 })
    const faulted = journal.record({ ...entry(3), status: 0, fault: ["latency", "reset"] })
    expect(JSON.stringify(journal.entries())).toBe(JSON.stringify([
      { id: 1, ...entry(1) },
      {
        id: 2,
        time: 1_002,
        method: "GET",
        path: "/api/master/user/master/u2",
        operation: "token",
        grantType: "password",
        caller: entry(2).caller,
        status: 401,
        durationMs: 0.2
      },
      { id: 3, ...{ ...entry(3), status: 0, fault: ["latency", "reset"] } }
    ]))
    expect([plain, token, faulted]).toEqual(journal.entries())
    expect("grantType" in plain || "fault" in plain).toBe(false)
  })

  it("gives back the MQTT details of a connect or disconnect, and no mqtt field on requests", () => {
    const journal = Journal.make()
    const mqtt = { clientId: "device-1", username: "master:svc", remoteAddress: "127.0.0.1", sessionId: "s1" }
    const connect = {
      time: 2_000,
      method: "CONNECT",
      path: "/mqtt",
      operation: "mqtt",
      caller: null,
      status: 0,
      durationMs: 0,
      mqtt
    }
    journal.record(connect)
    journal.record(entry(2))
    const disconnect = { ...connect, method: "DISCONNECT", durationMs: 5, mqtt: { ...mqtt, reason: "closed" } }
    journal.record(disconnect)
    const entries = journal.entries()
    expect(entries).toEqual([{ id: 1, ...connect }, { id: 2, ...entry(2) }, { id: 3, ...disconnect }])
    expect("mqtt" in entries[1]!).toBe(false)
    // Overwriting a slot forgets its MQTT details.
    for (let i = 0; i < Journal.capacity; i++) journal.record(entry(i))
    expect(journal.entries().some((e) => "mqtt" in e)).toBe(false)
  })

  it("is emptied by clear, and ids go on increasing", () => {
    const journal = Journal.make()
    journal.record(entry(1))
    journal.record(entry(2))
    journal.clear()
    expect(journal.entries()).toEqual([])
    expect(journal.record(entry(3)).id).toBe(3)
    expect(journal.entries().map((e) => e.id)).toEqual([3])
  })
})
