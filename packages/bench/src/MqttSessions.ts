/**
 * Benchmark 7, MQTT sessions: the simulator's broker (a child process) against a bare aedes broker that
 * accepts every CONNECT (another child process), in the same run.
 *
 * - Connections per second: CONNECT → CONNACK → close, 20 at a time, with mqtt.js over TCP (3 trials per
 *   broker, alternating). The simulator's broker runs the client-credentials grant and verifies the token
 *   (RS256 sign + verify) for each, and opens and ends a session; the baseline does nothing of that.
 * - Disconnect latency: from sending `disconnect_user_session` (HTTP GET) for a connected device's session to
 *   the device seeing its connection close, one device at a time. The baseline is the same request for an
 *   unknown session id (404): the HTTP round trip of the same route, without a connection to close.
 *
 * @since 0.1.0
 */
import { Catalogue } from "@openremote-effect/model"
import * as Effect from "effect/Effect"
import type { MqttClient } from "mqtt"
import { connect } from "mqtt"
import type * as net from "node:net"
import { BenchmarkError } from "./BenchError.js"
import * as Benchmark from "./Benchmark.js"
import * as ControlPlane from "./ControlPlane.js"
import * as Requests from "./Requests.js"
import * as Seeds from "./Seeds.js"
import * as ServerProcess from "./ServerProcess.js"
import * as Stats from "./Stats.js"

const name = "mqtt-sessions"

const failed = (reason: string) => new BenchmarkError({ benchmark: name, reason })

const credentials = { username: `master:${Seeds.serviceUser.clientId}`, password: Seeds.serviceUser.clientSecret }

/** Connects (MQTT 3.1.1); the client once the CONNACK accepted it. */
const device = (url: string, clientId: string) =>
  Effect.async<MqttClient, BenchmarkError>((resume) => {
    const client = connect(url, { ...credentials, clientId, protocolVersion: 4, reconnectPeriod: 0 })
    client.once("connect", () => {
      client.on("error", () => {})
      resume(Effect.succeed(client))
    })
    client.once("error", (error) => {
      client.end(true)
      resume(Effect.fail(failed(`CONNECT to ${url} failed: ${error.message}`)))
    })
  })

const end = (client: MqttClient) => Effect.async<void>((resume) => void client.end(true, {}, () => resume(Effect.void)))

/** `count` connect-and-close cycles, `concurrency` at a time; the wall time in ms. */
const connectCycles = (url: string, count: number, concurrency: number) =>
  Effect.gen(function*() {
    const started = performance.now()
    yield* Effect.forEach(
      Array.from({ length: count }, (_, index) => index),
      (index) => Effect.flatMap(device(url, `bench-${index}`), end),
      { concurrency, discard: true }
    )
    return performance.now() - started
  })

const get = (target: string, expected: number) =>
  Effect.tryPromise({
    try: async () => {
      const response = await fetch(target)
      await response.arrayBuffer()
      return response.status
    },
    catch: (error) => failed(`GET ${target}: ${String(error)}`)
  }).pipe(Effect.filterOrFail((status) => status === expected, (status) => failed(`GET ${target}: ${status}`)))

/** Connects a device, ends its session over HTTP, and measures until the device sees the close (ms). */
const disconnectLatency = (server: ServerProcess.ServerProcess, index: number) =>
  Effect.gen(function*() {
    const client = yield* device(server.mqttUrl!, `latency-${index}`)
    const socket = client.stream as net.Socket
    const address = `/${socket.localAddress}:${socket.localPort}`
    const session = (yield* ControlPlane.sessions(server.url)).find((listed) => listed.remoteAddress === address)
    if (session === undefined) return yield* failed(`no session for the device at ${address}`)
    const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(performance.now())))
    const started = performance.now()
    yield* get(
      Requests.url(server.url, Catalogue.disconnectUserSession, { realm: "master", sessionID: session.id }),
      204
    )
    const elapsed = (yield* Effect.promise(() => closed)) - started
    yield* end(client)
    return elapsed
  })

/** The same route for an unknown session: the HTTP round trip alone (ms). */
const notFoundLatency = (server: ServerProcess.ServerProcess, index: number) =>
  Effect.gen(function*() {
    const started = performance.now()
    yield* get(
      Requests.url(server.url, Catalogue.disconnectUserSession, { realm: "master", sessionID: `no-such-${index}` }),
      404
    )
    return performance.now() - started
  })

/**
 * The benchmark.
 *
 * @since 0.1.0
 * @category benchmarks
 */
export const benchmark: Benchmark.Benchmark = Benchmark.make({
  name,
  title: "MQTT sessions",
  measures: "connections per second to the simulator's broker (CONNECT → CONNACK → close, 20 at a time, " +
    "mqtt.js over TCP, 3 trials), and the time from `disconnect_user_session` to the device seeing its " +
    "connection close (one device at a time).",
  baseline: "in the same run: a bare aedes broker accepting every CONNECT (no grant, no token, no session) " +
    "for the connection rate; the same `disconnect_user_session` request for an unknown id (404, the HTTP round " +
    "trip alone) for the disconnect latency.",
  run: Effect.fn("MqttSessions.run")(function*(options: Benchmark.Options) {
    const connects = options.quick ? 200 : 2_000
    const concurrency = 20
    const trials = 3
    const samples = options.quick ? 30 : 300
    const simulator = yield* ServerProcess.fork({ kind: "simulator" })
    const bare = yield* ServerProcess.fork({ kind: "aedes" })
    // Warms up both brokers and this process (JIT, the key pair, the HTTP connection pool).
    yield* connectCycles(simulator.mqttUrl!, 200, concurrency)
    yield* connectCycles(bare.mqttUrl!, 200, concurrency)
    yield* Effect.forEach([0, 1, 2, 3, 4], (index) => notFoundLatency(simulator, -index - 1), { discard: true })

    const rates: Array<
      { readonly broker: "simulator" | "aedes"; readonly wallMs: number; readonly perSecond: number }
    > = []
    for (let trial = 1; trial <= trials; trial++) {
      yield* Effect.log(`${name}: trial ${trial} of ${trials}, ${connects} connections per broker`)
      for (const [broker, server] of [["simulator", simulator], ["aedes", bare]] as const) {
        const wallMs = yield* connectCycles(server.mqttUrl!, connects, concurrency)
        rates.push({ broker, wallMs, perSecond: connects / (wallMs / 1000) })
      }
    }
    const left = yield* ControlPlane.sessions(simulator.url)
    if (left.length > 0) return yield* failed(`${left.length} sessions left after the connection trials`)

    yield* Effect.log(`${name}: ${samples} disconnects`)
    const disconnects: Array<number> = []
    const roundTrips: Array<number> = []
    for (let index = 0; index < samples; index++) {
      disconnects.push(yield* disconnectLatency(simulator, index))
      roundTrips.push(yield* notFoundLatency(simulator, index))
    }
    const simulatorRate = Stats.median(rates.filter((r) => r.broker === "simulator").map((r) => r.perSecond))
    const bareRate = Stats.median(rates.filter((r) => r.broker === "aedes").map((r) => r.perSecond))
    const disconnect = Stats.summarize(disconnects)
    const roundTrip = Stats.summarize(roundTrips)
    return {
      parameters: { connectionsPerTrial: connects, concurrency, trials, disconnectSamples: samples },
      figures: {
        connections: { trials: rates, medianPerSecond: { simulator: simulatorRate, aedes: bareRate } },
        disconnectToCloseMs: disconnect,
        notFoundRoundTripMs: roundTrip
      },
      tables: [
        {
          title: "Connections per second (median of 3 trials)",
          columns: ["simulator", "bare aedes", "simulator / aedes"],
          rows: [[
            Stats.format(simulatorRate),
            Stats.format(bareRate),
            Stats.format(Stats.ratio(simulatorRate, bareRate))
          ]]
        },
        {
          title: "disconnect_user_session → the device sees the close (ms)",
          columns: ["", "p50", "p90", "p99", "max"],
          rows: [
            [
              "disconnect → close",
              ...[disconnect.p50, disconnect.p90, disconnect.p99, disconnect.max].map((v) => Stats.format(v))
            ],
            [
              "404 round trip (baseline)",
              ...[roundTrip.p50, roundTrip.p90, roundTrip.p99, roundTrip.max].map((v) => Stats.format(v))
            ],
            [
              "ratio",
              ...[
                Stats.ratio(disconnect.p50, roundTrip.p50),
                Stats.ratio(disconnect.p90, roundTrip.p90),
                Stats.ratio(disconnect.p99, roundTrip.p99),
                Stats.ratio(disconnect.max, roundTrip.max)
              ].map((v) => Stats.format(v))
            ]
          ]
        }
      ],
      targets: [
        {
          target: "connections per second (the issue sets no target)",
          measured: Stats.format(simulatorRate),
          met: undefined
        },
        {
          target: "disconnect_user_session → close, p50 in ms (the issue sets no target)",
          measured: Stats.format(disconnect.p50),
          met: undefined
        }
      ],
      notes: [
        "Both brokers and the load generator share the machine; mqtt.js's own cost per connection is in both rates.",
        "The simulator's rate includes a client-credentials grant (RS256 signature) and a token verification per CONNECT."
      ]
    }
  })
})
