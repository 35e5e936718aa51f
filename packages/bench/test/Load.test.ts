/**
 * Load: 100 connections of mixed reads and writes for 5 s against a simulator in a child process (the
 * `load` benchmark runs the same for 20 s). No connection errors, no timeouts, every response the
 * operation's catalogue success status, and the simulator's heap, read after a forced GC in its own
 * process, back within 10% of its start after the run. Throughput is reported, never asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Catalogue } from "@openremote-effect/model"
import * as Effect from "effect/Effect"
import * as MixedLoad from "../src/MixedLoad.js"
import * as Seeds from "../src/Seeds.js"
import type * as ServerProcess from "../src/ServerProcess.js"
import { startServer } from "./support.js"

let server: ServerProcess.ServerProcess
let close: () => Promise<void>

beforeAll(async () => {
  ;({ close, server } = await startServer({ kind: "simulator", tokenLifespan: 3_600, realms: [Seeds.benchRealm] }))
}, 60_000)

afterAll(() => close())

describe("100 connections of mixed reads and writes for 5 s", () => {
  it("no errors, no unexpected status, the heap back within 10% of its start", async () => {
    const result = await Effect.runPromise(MixedLoad.run(server, { duration: 5 }))
    const { heap, load } = result
    const report = JSON.stringify({ requests: load.requests, statuses: load.statuses, heap }, null, 1)
    expect(load.connections).toBe(100)
    expect(load.errors, report).toBe(0)
    expect(load.timeouts, report).toBe(0)
    expect(load.unexpected, report).toEqual({})
    // Every step of the sequence was answered, reads and writes alike, with its success status only.
    for (
      const operation of [
        Catalogue.getUser,
        Catalogue.queryUsers,
        Catalogue.createUser,
        Catalogue.updateUser,
        Catalogue.deleteUser,
        Catalogue.getCurrentUser
      ]
    ) {
      expect(Object.keys(load.statuses[operation.name] ?? {}), operation.name).toEqual([String(operation.success)])
    }
    expect(result.heapWithinTenPercent, `heap after / before: ${result.heapRatio} (${report})`).toBe(true)
    expect(await Effect.runPromise(server.alive)).toBe(true)
  }, 60_000)
})
