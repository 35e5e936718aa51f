/**
 * The device flow IoT teams build, end to end: a service user is created through `UserApi`, a device
 * connects to the broker over MQTT (mqtt.js, MQTT 3.1.1) with `{realm}:{clientId}` and the secret, its
 * session is listed and ended through `UserApi`, and disabling or deleting the user drops the device while a
 * secret reset does not (USER-API.md §4 *Sessions*).
 *
 * On the simulator the broker is its own (`mqttUrl`); on a live OpenRemote, `OPENREMOTE_MQTT_URL` (e.g.
 * `mqtt://openremote.example:1883`) names the Manager's broker, and without it these tests are skipped.
 */
import { describe, expect, it, vi } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { MqttClient } from "mqtt"
import { connect } from "mqtt"
import type * as net from "node:net"
import * as Callers from "../src/Callers.js"
import { Target } from "../src/Target.js"
import { useTarget } from "./utils/harness.js"
import { expectFailure, make as makeKit } from "./utils/kit.js"

// Every wait is for an event (CONNACK, a close); the timeout only matters on a loaded machine's bad day.
vi.setConfig({ testTimeout: 20_000 })

const h = useTarget()

const liveBroker = process.env.OPENREMOTE_MQTT_URL
const test = h.live && liveBroker === undefined
  ? ((name: string, self: () => Effect.Effect<unknown, unknown>) =>
    it.live.skip(`${name} [skipped on a live OpenRemote without OPENREMOTE_MQTT_URL]`, self)) as typeof it.live
  : it.live

const brokerUrl = Effect.flatMap(Target, (target) => {
  const url = target.simulator?.mqttUrl ?? liveBroker
  return url === undefined ? Effect.dieMessage(`${target.description} has no MQTT broker`) : Effect.succeed(url)
})

/** The CONNACK refusal (or transport failure) of a CONNECT. */
class ConnectRefused {
  readonly _tag = "ConnectRefused"
  constructor(readonly code: number | undefined) {}
}

/** A device connected over MQTT 3.1.1 in the current scope (ended when it closes). */
const device = (url: string, username: string, secret: Redacted.Redacted<string>, clientId: string) =>
  Effect.acquireRelease(
    Effect.async<MqttClient, ConnectRefused>((resume) => {
      const client = connect(url, {
        username,
        password: Redacted.value(secret),
        clientId,
        protocolVersion: 4,
        reconnectPeriod: 0
      })
      client.once("connect", () => {
        client.removeAllListeners("error")
        client.on("error", () => {})
        resume(Effect.succeed(client))
      })
      client.once("error", (error) => {
        client.end(true)
        resume(Effect.fail(new ConnectRefused((error as { readonly code?: number }).code)))
      })
    }),
    (client) => Effect.async<void>((resume) => void client.end(true, {}, () => resume(Effect.void)))
  )

/** Resolves when the device's connection closes; call it before what closes it. */
const closeOf = (client: MqttClient): Promise<void> =>
  new Promise((resolve) => {
    if (client.stream.destroyed) return resolve()
    client.stream.once("close", () => resolve())
  })

const addressOf = (client: MqttClient) => {
  const socket = client.stream as net.Socket
  return `/${socket.localAddress}:${socket.localPort}`
}

/** Publishes on the device's own topic and resolves with the message it receives back: it is connected. */
const echo = (client: MqttClient, topic: string) =>
  Effect.promise(async () => {
    await client.subscribeAsync(topic)
    const received = new Promise<string>((resolve) =>
      client.once("message", (_topic, payload) => resolve(`${payload}`))
    )
    await client.publishAsync(topic, "ping", { qos: 1 })
    return received
  })

describe("a device over MQTT", () => {
  test("connects with its service user's credentials; its session is listed and ended through UserApi", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const url = yield* brokerUrl
      const service = yield* kit.serviceUser()
      const client = yield* device(url, `${kit.R}:${service.clientId}`, service.secret, `${service.clientId}-1`)

      const sessions = yield* kit.admin.getUserSessions({ realm: kit.R, userId: service.id })
      expect(sessions).toEqual([{
        id: expect.any(String),
        username: `service-account-${service.clientId}`,
        startTimeMillis: expect.any(Number),
        remoteAddress: addressOf(client)
      }])
      // The device's own service user sees its own sessions.
      const own = yield* Callers.make({
        realm: kit.R,
        tokens: Callers.clientCredentialsTokens(kit.target, kit.R, service.clientId, service.secret)
      })
      expect((yield* own.getUserSessions({ realm: kit.R, userId: service.id })).map((session) => session.id))
        .toEqual([sessions[0]!.id])

      const closing = closeOf(client)
      yield* kit.admin.disconnectUserSession({ realm: kit.R, sessionID: sessions[0]!.id })
      yield* Effect.promise(() => closing)
      expect(yield* kit.admin.getUserSessions({ realm: kit.R, userId: service.id })).toEqual([])
      yield* expectFailure(kit.admin.disconnectUserSession({ realm: kit.R, sessionID: sessions[0]!.id }), {
        _tag: "NotFound",
        status: 404
      })
    })))

  test("a wrong secret is refused; after resetSecret the live device stays and only the new secret connects", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const url = yield* brokerUrl
      const service = yield* kit.serviceUser()
      const username = `${kit.R}:${service.clientId}`
      const wrong = yield* Effect.flip(device(url, username, Redacted.make("not-the-secret"), `${service.clientId}-x`))
      expect(wrong.code).toBe(5)

      const client = yield* device(url, username, service.secret, `${service.clientId}-1`)
      const secret = yield* kit.admin.resetSecret({ realm: kit.R, userId: service.id })
      expect(yield* echo(client, `${kit.R}/${service.clientId}-1/ping`)).toBe("ping")
      expect(yield* kit.admin.getUserSessions({ realm: kit.R, userId: service.id })).toHaveLength(1)

      const old = yield* Effect.flip(device(url, username, service.secret, `${service.clientId}-2`))
      expect(old.code).toBe(5)
      yield* device(url, username, secret, `${service.clientId}-3`)
      expect(yield* kit.admin.getUserSessions({ realm: kit.R, userId: service.id })).toHaveLength(2)
    })))

  test("disabling the service user drops its device; deleting it drops the next one", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const url = yield* brokerUrl
      const service = yield* kit.serviceUser()
      const username = `${kit.R}:${service.clientId}`
      const first = yield* device(url, username, service.secret, `${service.clientId}-1`)
      const user = { id: service.id, username: service.username, serviceAccount: true }

      const disabled = closeOf(first)
      yield* kit.admin.updateUser({ realm: kit.R, user: { ...user, enabled: false } })
      yield* Effect.promise(() => disabled)
      const refused = yield* Effect.flip(device(url, username, service.secret, `${service.clientId}-2`))
      expect(refused.code).toBe(5)

      yield* kit.admin.updateUser({ realm: kit.R, user: { ...user, enabled: true } })
      const second = yield* device(url, username, service.secret, `${service.clientId}-3`)
      const deleted = closeOf(second)
      yield* kit.admin.deleteUser({ realm: kit.R, userId: service.id })
      yield* Effect.promise(() => deleted)
    })))
})
