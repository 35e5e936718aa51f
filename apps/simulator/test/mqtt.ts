/**
 * A real MQTT client (mqtt.js) for the broker tests: connects and resolves on CONNACK, or rejects with the
 * refusal; waits for events (the close, a message), never for a fixed time.
 */
import type { IClientOptions, MqttClient } from "mqtt"
import { connect } from "mqtt"
import type * as net from "node:net"

/** Connects and resolves once the CONNACK accepted the connection; rejects with the client's error otherwise. */
export const mqttConnect = (url: string, options: IClientOptions = {}): Promise<MqttClient> =>
  new Promise((resolve, reject) => {
    const client = connect(url, { reconnectPeriod: 0, connectTimeout: 30_000, protocolVersion: 4, ...options })
    client.once("connect", () => {
      client.removeAllListeners("error")
      client.on("error", () => {})
      resolve(client)
    })
    client.once("error", (error) => {
      client.end(true)
      reject(error)
    })
  })

/** The CONNACK return code of a refused CONNECT (fails the test if the CONNECT was accepted). */
export const refusalCode = async (url: string, options: IClientOptions): Promise<number | undefined> => {
  try {
    const client = await mqttConnect(url, options)
    await end(client)
  } catch (error) {
    return (error as { readonly code?: number }).code
  }
  throw new Error("the CONNECT was accepted")
}

/** Resolves when the connection closes (at once if it is closed already). */
export const closed = (client: MqttClient): Promise<void> =>
  new Promise((resolve) => {
    if (client.stream?.destroyed === true || client.disconnected) return resolve()
    client.stream.once("close", () => resolve())
  })

/** Ends the client and waits until its socket is closed. */
export const end = (client: MqttClient): Promise<void> =>
  new Promise((resolve) => client.end(true, {}, () => resolve()))

/** The `/127.0.0.1:port` the broker sees for this client. */
export const localAddress = (client: MqttClient): string => {
  const socket = client.stream as net.Socket
  return `/${socket.localAddress}:${socket.localPort}`
}

/** Subscribes; the granted QoS of each filter (128 = refused). */
export const subscribe = (client: MqttClient, topic: string): Promise<number> =>
  new Promise((resolve, reject) =>
    client.subscribe(topic, { qos: 0 }, (error, granted) => {
      // mqtt.js reports a refused filter as an error carrying the SUBACK packet.
      const code = (error as { readonly packet?: { readonly granted?: ReadonlyArray<unknown> } } | null | undefined)
        ?.packet?.granted?.[0]
      if (error !== null && error !== undefined) return typeof code === "number" ? resolve(code) : reject(error)
      resolve(granted?.[0]?.qos ?? -1)
    })
  )

/** Publishes on `topic` and resolves with the first message `client` receives on it. */
export const roundTrip = async (client: MqttClient, topic: string, payload: string): Promise<string> => {
  const received = new Promise<string>((resolve) => {
    const onMessage = (on: string, message: Buffer) => {
      if (on !== topic) return
      client.off("message", onMessage)
      resolve(message.toString("utf8"))
    }
    client.on("message", onMessage)
  })
  await client.publishAsync(topic, payload, { qos: 1 })
  return received
}
