#!/usr/bin/env node
/**
 * The child process of {@link ServerProcess.fork}: starts the server its first argument (a JSON
 * `ServerConfig`) describes on 127.0.0.1, then reports over IPC. The simulator's modules are loaded only
 * when the simulator is asked for, so the hello-world baseline starts as a bare fastify app would. Run without an IPC channel (e.g. with
 * `child_process.spawn`) it just serves.
 *
 * @since 0.1.0
 */
import Fastify from "fastify"
import type { AddressInfo } from "node:net"
import type { ChildMessage, ParentMessage, ServerConfig, Usage } from "./ServerProcess.js"

const send = (message: ChildMessage) => {
  process.send?.(message)
}

const host = "127.0.0.1"

const usage = (): Usage => {
  const memory = process.memoryUsage()
  const cpu = process.cpuUsage()
  return {
    rss: memory.rss,
    heapTotal: memory.heapTotal,
    heapUsed: memory.heapUsed,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    cpuUserMicros: cpu.user,
    cpuSystemMicros: cpu.system
  }
}

/** Two full collections, a macrotask apart, so that objects freed by finalizers are collected too. */
const collect = async () => {
  const gc = (globalThis as { readonly gc?: () => void }).gc
  if (gc === undefined) return
  gc()
  await new Promise((resolve) => setImmediate(resolve))
  gc()
}

const start = async (
  config: ServerConfig
): Promise<{
  readonly url: string
  readonly keycloakUrl: string | null
  readonly mqttUrl: string | null
  readonly close: () => Promise<void>
}> => {
  if (config.kind === "hello") {
    const app = Fastify({ logger: false, forceCloseConnections: true })
    app.get("/hello", async () => ({ hello: "world" }))
    const address = await app.listen({ port: config.port ?? 0, host })
    return { url: address, keycloakUrl: null, mqttUrl: null, close: () => app.close() }
  }
  if (config.kind === "aedes") {
    const { Aedes } = await import("aedes")
    const net = await import("node:net")
    const broker = await Aedes.createBroker()
    const server = net.createServer(broker.handle)
    await new Promise<void>((resolve) => server.listen(0, host, resolve))
    const url = `mqtt://${host}:${(server.address() as AddressInfo).port}`
    return {
      url,
      keycloakUrl: null,
      mqttUrl: url,
      close: async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        await new Promise<void>((resolve) => broker.close(() => resolve()))
        await closed
      }
    }
  }
  // Loaded only here, so that the baseline's start-up does not include loading the simulator.
  const { startSimulator } = await import("@openremote-effect/simulator")
  const Seeds = await import("./Seeds.js")
  const simulator = await startSimulator({
    port: config.port ?? 0,
    host,
    seed: Seeds.world(config.realms ?? []),
    tokenLifespan: config.tokenLifespan
  })
  return {
    url: simulator.url,
    keycloakUrl: simulator.keycloakUrl,
    mqttUrl: simulator.mqttUrl ?? null,
    close: simulator.close
  }
}

const main = async () => {
  const config = JSON.parse(process.argv[2] ?? "{\"kind\":\"hello\"}") as ServerConfig
  let server: Awaited<ReturnType<typeof start>>
  try {
    server = await start(config)
  } catch (error) {
    send({ type: "failed", reason: error instanceof Error ? error.message : String(error) })
    process.exitCode = 1
    process.disconnect?.()
    return
  }
  let closing = false
  const close = async () => {
    if (closing) return
    closing = true
    await server.close()
    process.disconnect?.()
    process.exit(0)
  }
  process.on("message", (message: ParentMessage) => {
    if (message.type === "close") {
      void close()
    } else if (message.type === "usage") {
      const id = message.id
      void (message.gc ? collect() : Promise.resolve()).then(() => send({ type: "usage", id, usage: usage() }))
    }
  })
  // The parent is gone: nobody will ask this server to close.
  process.on("disconnect", () => void close())
  process.on("SIGTERM", () => void close())
  send({
    type: "ready",
    url: server.url,
    keycloakUrl: server.keycloakUrl,
    mqttUrl: server.mqttUrl,
    listeningAfterMs: performance.now()
  })
}

void main()
