import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "@effect/vitest"
import type { MqttClient } from "mqtt"
import * as Clock from "../src/Clock.js"
import * as Seed from "../src/Seed.js"
import type { RunningSimulator } from "../src/Simulator.js"
import { startSimulator } from "../src/Simulator.js"
import {
  adminToken,
  call,
  Catalogue,
  expectStatus,
  expectUnchanged,
  keyPair,
  passwordToken,
  T0,
  userId
} from "./helpers.js"
import { closed, end, localAddress, mqttConnect, refusalCode, roundTrip, subscribe } from "./mqtt.js"

// Every wait is for an event (CONNACK, a close); the timeout only matters on a loaded machine's bad day.
vi.setConfig({ testTimeout: 20_000 })

/**
 * The default world's master realm plus realm `plant`: service users `sensor` and `gateway` (no roles), the disabled service
 * user `retired`, the regular user `operator` and `plantadmin` (`openremote` read:admin).
 */
const seed = {
  realms: [
    Seed.defaultSeed.realms[0]!,
    {
      name: "plant",
      users: [
        { username: "sensor", serviceAccount: true, secret: "sensor-secret-1" },
        { username: "gateway", serviceAccount: true, secret: "gateway-secret-1" },
        { username: "retired", serviceAccount: true, secret: "retired-secret-1", enabled: false },
        { username: "operator", password: "operator" },
        { username: "plantadmin", password: "plantadmin", clientRoles: { openremote: ["read:admin", "write:admin"] } }
      ]
    }
  ]
}

let simulator: RunningSimulator
let url: string
const open: Array<MqttClient> = []

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, keyPair, clock: Clock.fixed(T0), seed })
  url = simulator.mqttUrl!
})
afterEach(async () => {
  await Promise.all(open.splice(0).map(end))
  simulator.control.reset()
})
afterAll(() => simulator.close())

const device = async (username: string, secret: string, clientId = `${username.replace(/.*:/, "")}-device`) => {
  const client = await mqttConnect(url, { username, password: secret, clientId })
  open.push(client)
  return client
}
const sensor = (clientId?: string) => device("plant:sensor", "sensor-secret-1", clientId)
const sensorId = () => userId(simulator.app, "plant", "service-account-sensor")
const plantadminToken = () =>
  passwordToken(simulator.app, { realm: "plant", username: "plantadmin", password: "plantadmin" })
const sensorToken = async () => {
  const response = await fetch(`${simulator.keycloakUrl}/realms/plant/protocol/openid-connect/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: "sensor",
      client_secret: "sensor-secret-1"
    })
  })
  return ((await response.json()) as { readonly access_token: string }).access_token
}
const sessionsOf = async (id: string, token: string, realm = "plant") => {
  const response = await call(simulator.app, Catalogue.getUserSessions, {
    token,
    requestRealm: realm,
    params: { realm, userId: id }
  })
  return expectStatus(response, Catalogue.getUserSessions, 200).json() as ReadonlyArray<Record<string, unknown>>
}

describe("CONNECT", () => {
  it("is accepted with {realm}:{clientId} and the client's secret, and the connection is a session of its user", async () => {
    const client = await sensor()
    const sessions = await sessionsOf(sensorId(), await plantadminToken())
    expect(sessions).toEqual([{
      ID: expect.stringMatching(/^[0-9a-f]{16}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{16}-[0-9a-f]{8}$/),
      username: "service-account-sensor",
      startTimeMillis: T0,
      remoteAddress: localAddress(client)
    }])
    expect(simulator.control.sessions.list()).toEqual([{
      id: sessions[0]!.ID,
      realm: "plant",
      userId: sensorId(),
      username: "service-account-sensor",
      startTimeMillis: T0,
      remoteAddress: localAddress(client)
    }])
  })

  it("each connection is its own session; closing it ends the session", async () => {
    const first = await sensor("sensor-a")
    await sensor("sensor-b")
    expect(simulator.control.sessions.list({ userId: sensorId() })).toHaveLength(2)
    await end(first)
    open.splice(open.indexOf(first), 1)
    // The broker sees the close after the client: wait for the session to go, event by event.
    while (simulator.control.sessions.list().length > 1) await new Promise((resolve) => setImmediate(resolve))
    expect(simulator.control.sessions.list()).toHaveLength(1)
  })

  it("is refused (CONNACK 5) for every rule of the real broker, with no session and no state change", async () => {
    const refused = [
      { username: "sensor", password: "sensor-secret-1" },
      { username: ":sensor", password: "sensor-secret-1" },
      { username: "plant:sensor", password: "wrong-secret" },
      { username: "plant:sensor", password: "" },
      { username: "atlantis:sensor", password: "sensor-secret-1" },
      { username: "plant:ghost", password: "sensor-secret-1" },
      { username: "plant:openremote", password: "anything" },
      { username: "plant:retired", password: "retired-secret-1" },
      { username: "master:sensor", password: "sensor-secret-1" }
    ]
    for (const options of refused) {
      await expectUnchanged(simulator.app, async () => {
        expect(await refusalCode(url, options), JSON.stringify(options)).toBe(5)
      })
    }
    expect(simulator.control.sessions.list()).toEqual([])
  })

  it("without a password is an anonymous guest connection: no session, no topic at all", async () => {
    const guest = await mqttConnect(url, { clientId: "guest-1" })
    open.push(guest)
    const withUsername = await mqttConnect(url, { clientId: "guest-2", username: "plant:sensor" })
    open.push(withUsername)
    expect(simulator.control.sessions.list()).toEqual([])
    expect(await subscribe(guest, "plant/guest-1/#")).toBe(128)
  })

  it("MQTT 5 is refused (aedes speaks MQTT 3.1 and 3.1.1 only)", async () => {
    await expect(mqttConnect(url, {
      username: "plant:sensor",
      password: "sensor-secret-1",
      protocolVersion: 5
    })).rejects.toBeDefined()
    expect(simulator.control.sessions.list()).toEqual([])
  })
})

describe("topics", () => {
  it("publish and subscribe work in {realm}/{MQTT client id}/# and are refused elsewhere", async () => {
    const client = await sensor("sensor-7")
    expect(await subscribe(client, "plant/sensor-7/#")).toBe(0)
    expect(await roundTrip(client, "plant/sensor-7/temperature", "21.5")).toBe("21.5")
    for (const topic of ["plant/other/#", "plant/+/x", "#", "master/sensor-7/#", "$share/g/plant/sensor-7/x"]) {
      expect(await subscribe(client, topic), topic).toBe(128)
    }
    const closing = closed(client)
    client.publish("plant/gateway-device/x", "intrusion")
    await closing
    expect(simulator.control.sessions.list()).toEqual([])
  })
})

describe("getUserSessions", () => {
  it("lists only the caller's own sessions unless it holds openremote read:admin (else 403)", async () => {
    await sensor()
    await device("plant:gateway", "gateway-secret-1")
    const own = await sessionsOf(sensorId(), await sensorToken())
    expect(own.map((session) => session.username)).toEqual(["service-account-sensor"])
    const gateway = userId(simulator.app, "plant", "service-account-gateway")
    await expectUnchanged(simulator.app, async () =>
      expectStatus(
        await call(simulator.app, Catalogue.getUserSessions, {
          token: await sensorToken(),
          requestRealm: "plant",
          params: { realm: "plant", userId: gateway }
        }),
        Catalogue.getUserSessions,
        403
      ))
    expect(await sessionsOf(gateway, await plantadminToken())).toHaveLength(1)
    expect(await sessionsOf(userId(simulator.app, "plant", "operator"), await plantadminToken())).toEqual([])
  })
})

describe("disconnectUserSession", () => {
  it("force-closes the connection with that id, without authentication; 404 afterwards", async () => {
    const client = await sensor()
    const [session] = simulator.control.sessions.list()
    const closing = closed(client)
    const response = await call(simulator.app, Catalogue.disconnectUserSession, {
      params: { realm: "anything", sessionID: session!.id }
    })
    expectStatus(response, Catalogue.disconnectUserSession, 204)
    await closing
    expect(simulator.control.sessions.list()).toEqual([])
    expectStatus(
      await call(simulator.app, Catalogue.disconnectUserSession, {
        params: { realm: "plant", sessionID: session!.id }
      }),
      Catalogue.disconnectUserSession,
      404
    )
  })

  it("the control plane ends the same sessions (and reset ends them all)", async () => {
    const clients = [await sensor("one"), await sensor("two")]
    const clientOf = (remoteAddress: string) => clients.find((client) => localAddress(client) === remoteAddress)!
    const [session] = simulator.control.sessions.list({ userId: sensorId() })
    const closing = closed(clientOf(session!.remoteAddress))
    expect(simulator.control.sessions.close(session!.id)).toBe(true)
    await closing
    const rest = simulator.control.sessions.list()
    expect(rest).toHaveLength(1)
    const resetting = closed(clientOf(rest[0]!.remoteAddress))
    simulator.control.reset()
    await resetting
    expect(simulator.control.sessions.list()).toEqual([])
  })
})

describe("forced disconnects", () => {
  const update = async (body: Record<string, unknown>) =>
    expectStatus(
      await call(simulator.app, Catalogue.updateUser, {
        token: await plantadminToken(),
        requestRealm: "plant",
        params: { realm: "plant" },
        body: { id: sensorId(), username: "sensor", serviceAccount: true, ...body }
      }),
      Catalogue.updateUser,
      200
    )

  it("disabling the service user closes its connections, and its next CONNECT is refused", async () => {
    const client = await sensor()
    const other = await device("plant:gateway", "gateway-secret-1")
    const closing = closed(client)
    await update({ enabled: false })
    await closing
    expect(simulator.control.sessions.list().map((session) => session.username)).toEqual(["service-account-gateway"])
    expect(other.connected).toBe(true)
    expect(await refusalCode(url, { username: "plant:sensor", password: "sensor-secret-1" })).toBe(5)
  })

  it("an update that changes neither enabled nor the username keeps the connection", async () => {
    const client = await sensor("steady")
    await subscribe(client, "plant/steady/#")
    await update({ enabled: true, firstName: "Renamed" })
    expect(await roundTrip(client, "plant/steady/still", "here")).toBe("here")
    expect(simulator.control.sessions.list()).toHaveLength(1)
  })

  it("deleting the service user closes its connections", async () => {
    const client = await sensor()
    const closing = closed(client)
    expectStatus(
      await call(simulator.app, Catalogue.deleteUser, {
        token: await plantadminToken(),
        requestRealm: "plant",
        params: { realm: "plant", userId: sensorId() }
      }),
      Catalogue.deleteUser,
      204
    )
    await closing
    expect(simulator.control.sessions.list()).toEqual([])
  })

  it("reset_secret does not: the live connection stays, only new CONNECTs need the new secret", async () => {
    const client = await sensor("survivor")
    await subscribe(client, "plant/survivor/#")
    const response = await call(simulator.app, Catalogue.resetSecret, {
      token: await plantadminToken(),
      requestRealm: "plant",
      params: { realm: "plant", userId: sensorId() }
    })
    const secret = expectStatus(response, Catalogue.resetSecret, 200).body
    expect(await roundTrip(client, "plant/survivor/alive", "yes")).toBe("yes")
    expect(simulator.control.sessions.list()).toHaveLength(1)
    expect(await refusalCode(url, { username: "plant:sensor", password: "sensor-secret-1" })).toBe(5)
    await device("plant:sensor", secret, "renewed")
    expect(simulator.control.sessions.list()).toHaveLength(2)
  })
})

describe("journal", () => {
  it("records connects, refusals and disconnects, never the secret", async () => {
    simulator.control.journal.clear()
    const client = await sensor("journaled")
    const address = localAddress(client)
    await refusalCode(url, { username: "plant:sensor", password: "not-the-secret", clientId: "intruder" })
    const [session] = simulator.control.sessions.list()
    const closing = closed(client)
    simulator.control.sessions.close(session!.id)
    await closing
    const entries = simulator.control.journal.entries().filter((entry) => entry.operation === "mqtt")
    expect(entries).toEqual([
      expect.objectContaining({
        method: "CONNECT",
        path: "/mqtt",
        status: 0,
        caller: { realm: "plant", id: sensorId(), username: "service-account-sensor" },
        mqtt: {
          clientId: "journaled",
          username: "plant:sensor",
          remoteAddress: address,
          sessionId: session!.id
        }
      }),
      expect.objectContaining({
        method: "CONNECT",
        status: 5,
        caller: null,
        mqtt: expect.objectContaining({ clientId: "intruder", reason: expect.stringContaining("invalid_client") })
      }),
      expect.objectContaining({
        method: "DISCONNECT",
        mqtt: expect.objectContaining({ sessionId: session!.id, reason: "forced" })
      })
    ])
    const text = JSON.stringify(simulator.control.journal.entries())
    expect(text).not.toContain("sensor-secret-1")
    expect(text).not.toContain("not-the-secret")
  })
})

describe("startSimulator", () => {
  it("picks a free MQTT port by default, starts none with mqttPort: false, and close() closes the connections", async () => {
    const other = await startSimulator({ port: 0, keyPair, seed })
    const off = await startSimulator({ port: 0, keyPair, mqttPort: false })
    try {
      expect(other.mqttUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/)
      expect(other.mqttUrl).not.toBe(url)
      expect(off.mqttUrl).toBeUndefined()
      const client = await mqttConnect(other.mqttUrl!, { username: "plant:sensor", password: "sensor-secret-1" })
      const closing = closed(client)
      await other.close()
      await closing
    } finally {
      await off.close()
    }
  })

  it("refuses a bad MQTT port", async () => {
    await expect(startSimulator({ port: 0, keyPair, mqttPort: 70_000 })).rejects.toThrow(/mqttPort/)
  })
})

describe("admin", () => {
  it("a super user of master lists another realm's sessions through /api/master", async () => {
    await sensor()
    const sessions = await call(simulator.app, Catalogue.getUserSessions, {
      token: await adminToken(simulator.app),
      params: { realm: "plant", userId: sensorId() }
    })
    expect(expectStatus(sessions, Catalogue.getUserSessions, 200).json()).toHaveLength(1)
  })
})
