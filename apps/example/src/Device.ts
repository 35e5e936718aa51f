/**
 * A device: an MQTT connection (mqtt.js, MQTT 3.1.1) to OpenRemote's broker with a service user's
 * credentials (username `{realm}:{clientId}`, the client's secret as password), as an Effect resource.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { connect } from "mqtt"
import type * as net from "node:net"

/**
 * The broker refused the CONNECT (`code` is the CONNACK return code) or could not be reached.
 *
 * @since 0.1.0
 * @category errors
 */
export class DeviceError extends Schema.TaggedError<DeviceError>()("DeviceError", {
  code: Schema.optional(Schema.Number),
  reason: Schema.String
}) {}

/**
 * A connected device.
 *
 * @since 0.1.0
 * @category models
 */
export interface Device {
  /** The device's end of the connection as the broker shows it, `/127.0.0.1:51234`. */
  readonly address: string
  /** Completes when the connection closes (e.g. when the server ends the session). */
  readonly closed: Effect.Effect<void>
}

/**
 * Connects a device; the connection is ended when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const connectDevice = (options: {
  readonly url: string
  readonly realm: string
  readonly clientId: string
  readonly secret: Redacted.Redacted<string>
  /** The MQTT client id (the device's name). */
  readonly deviceId: string
}): Effect.Effect<Device, DeviceError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<ReturnType<typeof connect>, DeviceError>((resume) => {
      const client = connect(options.url, {
        username: `${options.realm}:${options.clientId}`,
        password: Redacted.value(options.secret),
        clientId: options.deviceId,
        protocolVersion: 4,
        reconnectPeriod: 0
      })
      client.once("connect", () => resume(Effect.succeed(client)))
      client.once("error", (error) => {
        client.end(true)
        const code = (error as { readonly code?: unknown }).code
        resume(Effect.fail(new DeviceError({ ...(typeof code === "number" ? { code } : {}), reason: error.message })))
      })
    }),
    (client) => Effect.async<void>((resume) => void client.end(true, {}, () => resume(Effect.void)))
  ).pipe(Effect.map((client) => {
    client.on("error", () => {})
    const socket = client.stream as net.Socket
    // Listened for now, so that a close that comes before anyone waits is not missed.
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()))
    return { address: `/${socket.localAddress}:${socket.localPort}`, closed: Effect.promise(() => closed) }
  }))
