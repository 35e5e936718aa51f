/**
 * Benchmark 1, client overhead, side by side: the same `getUser` call of one user, against one simulator in
 * a child process, made by
 *
 * - `undici`: raw `undici.request` (the fastest Node transport, no client at all),
 * - `fetch`: raw global `fetch`,
 * - `official`: OpenRemote's own client, `@openremote/rest` (axios), `AxiosUserResourceClient.get(realm, id)`,
 * - `platform-fetch` / `platform-undici`: `@effect/platform`'s `HttpClient` alone over `FetchHttpClient` /
 *   `NodeHttpClient.layerUndici` (reading the body, checking the status, `JSON.parse`),
 * - `platform-undici-untraced`: the same with the platform's `http.client` span disabled (a diagnostic),
 * - `client-fetch` / `client-undici`: the `UserApi` (`TokenProvider.static`, default retry policy, the
 *   response decoded to a `User`) over those two transports,
 *
 * at concurrency 1 and 32. Every response is checked (status 200 and the user's id). Each series is run in
 * three repetitions and the variants are interleaved (the order rotates from one repetition to the next), so
 * that drift over the run (JIT, garbage, other processes on the machine) falls on all of them alike; calls/s
 * and CPU per call are the medians of the three repetitions, the latencies are pooled.
 *
 * @since 0.1.0
 */
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { TokenProvider, UserApi } from "@openremote-effect/client"
import { Catalogue } from "@openremote-effect/model"
import { AxiosUserResourceClient } from "@openremote/rest/restclient"
import axios from "axios"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as undici from "undici"
import { BenchmarkError } from "./BenchError.js"
import * as Benchmark from "./Benchmark.js"
import * as Requests from "./Requests.js"
import * as Seeds from "./Seeds.js"
import * as ServerProcess from "./ServerProcess.js"
import * as Stats from "./Stats.js"

/**
 * The variants, in the order of the tables.
 *
 * @since 0.1.0
 * @category constants
 */
export const variants = [
  "undici",
  "fetch",
  "official",
  "platform-fetch",
  "platform-undici",
  "platform-undici-untraced",
  "client-fetch",
  "client-undici"
] as const

/**
 * A variant.
 *
 * @since 0.1.0
 * @category models
 */
export type Variant = typeof variants[number]

/**
 * The figures of one series (one variant at one concurrency).
 *
 * @since 0.1.0
 * @category models
 */
export interface Series {
  readonly variant: Variant
  readonly concurrency: number
  readonly calls: number
  readonly wallMs: number
  /** The median of the repetitions' calls/s. */
  readonly callsPerSecond: number
  /** CPU time of this (the calling) process per call, in microseconds: the median of the repetitions'. */
  readonly cpuMicrosPerCall: number
  readonly repetitions: ReadonlyArray<{ readonly callsPerSecond: number; readonly cpuMicrosPerCall: number }>
  readonly latencyMs: Stats.Summary
}

interface Run {
  readonly wallMs: number
  readonly cpuMicros: number
  readonly latencies: Float64Array
}

const name = "client-overhead"

const failed = (reason: string) => new BenchmarkError({ benchmark: name, reason })

const messageOf = (error: unknown) => error instanceof Error ? error.message : String(error)

/** `count` calls of `call` by `concurrency` workers (async functions). */
const runPromises = (
  variant: Variant,
  call: () => Promise<void>,
  count: number,
  concurrency: number
): Effect.Effect<Run, BenchmarkError> =>
  Effect.tryPromise({
    try: async () => {
      const latencies = new Float64Array(count)
      let next = 0
      const worker = async () => {
        for (let i = next++; i < count; i = next++) {
          const started = performance.now()
          await call()
          latencies[i] = performance.now() - started
        }
      }
      const cpu = process.cpuUsage()
      const started = performance.now()
      await Promise.all(Array.from({ length: concurrency }, worker))
      const wallMs = performance.now() - started
      const used = process.cpuUsage(cpu)
      return { wallMs, cpuMicros: used.user + used.system, latencies }
    },
    catch: (error) => failed(`a ${variant} call failed: ${messageOf(error)}`)
  })

/** `count` calls of `call` by `concurrency` worker fibers. */
const runEffects = <E>(
  variant: Variant,
  call: Effect.Effect<unknown, E>,
  count: number,
  concurrency: number
): Effect.Effect<Run, BenchmarkError> =>
  Effect.gen(function*() {
    const latencies = new Float64Array(count)
    let next = 0
    const worker = Effect.gen(function*() {
      for (let i = next++; i < count; i = next++) {
        const started = performance.now()
        yield* call
        latencies[i] = performance.now() - started
      }
    })
    const cpu = process.cpuUsage()
    const started = performance.now()
    yield* Effect.all(Array.from({ length: concurrency }, () => worker), { concurrency: "unbounded", discard: true })
    const wallMs = performance.now() - started
    const used = process.cpuUsage(cpu)
    return { wallMs, cpuMicros: used.user + used.system, latencies }
  }).pipe(Effect.mapError((error) => failed(`a ${variant} call failed: ${messageOf(error)}`)))

/** The target on the client's CPU per call over the bare `HttpClient` on the same transport. */
const cpuTarget = (transport: "fetch" | "undici", concurrency: number, ratio: number) =>
  Benchmark.target(
    `client-${transport} / platform-${transport} CPU per call at concurrency ${concurrency} ≤ 1.25`,
    Stats.format(ratio),
    ratio <= 1.25
  )

/** A variant made of an effect: its runs. */
const effects = <E>(variant: Variant, call: Effect.Effect<unknown, E>) => (count: number, concurrency: number) =>
  runEffects(variant, call, count, concurrency)

const series = (variant: Variant, concurrency: number, runs: ReadonlyArray<Run>): Series => {
  const calls = runs.reduce((sum, run) => sum + run.latencies.length, 0)
  const wallMs = runs.reduce((sum, run) => sum + run.wallMs, 0)
  const latencies = new Float64Array(calls)
  let offset = 0
  for (const run of runs) {
    latencies.set(run.latencies, offset)
    offset += run.latencies.length
  }
  const repetitions = runs.map((run) => ({
    callsPerSecond: run.latencies.length / (run.wallMs / 1000),
    cpuMicrosPerCall: run.cpuMicros / run.latencies.length
  }))
  return {
    variant,
    concurrency,
    calls,
    wallMs,
    callsPerSecond: Stats.median(repetitions.map((r) => r.callsPerSecond)),
    cpuMicrosPerCall: Stats.median(repetitions.map((r) => r.cpuMicrosPerCall)),
    repetitions,
    latencyMs: Stats.summarize(latencies)
  }
}

/** The checks every variant makes of its response. */
const check = (status: number, body: unknown, userId: string) => {
  if (status !== Catalogue.getUser.success) {
    throw new Error(`getUser answered ${status}`)
  }
  if (typeof body !== "object" || body === null || (body as { readonly id?: unknown }).id !== userId) {
    throw new Error("getUser answered another user")
  }
}

/**
 * The benchmark.
 *
 * @since 0.1.0
 * @category benchmarks
 */
export const benchmark: Benchmark.Benchmark = Benchmark.make({
  name,
  title: "Client overhead",
  measures: "the same `getUser` call side by side: raw `undici.request`, raw `fetch`, OpenRemote's official " +
    "`@openremote/rest` 1.30.0 client (axios), `@effect/platform`'s `HttpClient` alone over `FetchHttpClient` and " +
    "over `NodeHttpClient.layerUndici` (and the latter without its `http.client` span), and the `UserApi` " +
    "(`TokenProvider.static`, default retry policy, decoded to a `User`) over both transports; at concurrency 1 " +
    "and 32; calls/s, p50/p99 latency and the calling process's CPU time per call; every response checked.",
  baseline: "OpenRemote's official client for the calls/s target, and the bare `@effect/platform` `HttpClient` " +
    "on the same transport for the CPU-per-call target, in the same run against the same simulator.",
  run: Effect.fn("ClientOverhead.run")(function*(options: Benchmark.Options) {
    const callsAt = { 1: options.quick ? 600 : 4_500, 32: options.quick ? 1_500 : 10_500 } as const
    const repetitions = 3
    const warmup = options.quick ? 300 : 1_500
    const concurrencies = [1, 32] as const
    const server = yield* ServerProcess.fork({ kind: "simulator", tokenLifespan: 3_600, realms: [Seeds.benchRealm] })
    const { accessToken } = yield* Requests.token(server.keycloakUrl, Seeds.serviceUser)
    const target = { realm: Seeds.benchRealm.name, userId: Seeds.userId(Seeds.benchRealm.name, 0) }
    const baseUrl = Requests.baseUrl(server.url)
    const url = Requests.url(server.url, Catalogue.getUser, target)
    const headers = { authorization: `Bearer ${Redacted.value(accessToken)}`, accept: "application/json" }

    const rawUndici = async () => {
      const response = await undici.request(url, { headers })
      const text = await response.body.text()
      check(response.statusCode, JSON.parse(text), target.userId)
    }
    const rawFetch = async () => {
      const response = await fetch(url, { headers })
      const text = await response.text()
      check(response.status, JSON.parse(text), target.userId)
    }
    const official = new AxiosUserResourceClient(baseUrl, axios.create({ headers }))
    const officialCall = async () => {
      const response = await official.get(target.realm, target.userId)
      check(response.status, response.data, target.userId)
    }

    const bare = (http: HttpClient.HttpClient) =>
      http.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.setHeaders(headers))).pipe(
        Effect.flatMap((response) =>
          Effect.flatMap(response.text, (text) =>
            Effect.try({
              try: () => check(response.status, JSON.parse(text), target.userId),
              catch: (error) => failed(messageOf(error))
            }))
        )
      )
    const client = (http: HttpClient.HttpClient) =>
      Effect.map(
        UserApi.make({ baseUrl }).pipe(
          Effect.provide(TokenProvider.static(accessToken)),
          Effect.provideService(HttpClient.HttpClient, http)
        ),
        (api) =>
          Effect.flatMap(api.getUser(target), (user) =>
            Effect.try({
              try: () => check(Catalogue.getUser.success, user, target.userId),
              catch: (error) => failed(messageOf(error))
            }))
      )
    // Each transport is built once: its client (and undici's connection pool) lives for the whole benchmark.
    // (built in the benchmark's scope: `layerUndici`'s dispatcher is closed with the scope of its layer).
    const overUndici = Context.get(yield* Layer.build(NodeHttpClient.layerUndici), HttpClient.HttpClient)
    const overFetch = Context.get(yield* Layer.build(FetchHttpClient.layer), HttpClient.HttpClient)
    const calls: Record<Variant, (count: number, concurrency: number) => Effect.Effect<Run, BenchmarkError>> = {
      "undici": (count, concurrency) => runPromises("undici", rawUndici, count, concurrency),
      "fetch": (count, concurrency) => runPromises("fetch", rawFetch, count, concurrency),
      "official": (count, concurrency) => runPromises("official", officialCall, count, concurrency),
      "platform-fetch": effects("platform-fetch", bare(overFetch)),
      "platform-undici": effects("platform-undici", bare(overUndici)),
      "platform-undici-untraced": effects(
        "platform-undici-untraced",
        bare(HttpClient.withTracerDisabledWhen(overUndici, () => true))
      ),
      "client-fetch": effects("client-fetch", yield* client(overFetch)),
      "client-undici": effects("client-undici", yield* client(overUndici))
    }

    yield* Effect.log(`${name}: warming up (${warmup} calls of each at concurrency 32)`)
    for (const variant of variants) {
      yield* calls[variant](warmup, 32)
    }

    const results: Array<Series> = []
    for (const concurrency of concurrencies) {
      const count = callsAt[concurrency]
      yield* Effect.log(`${name}: ${count} calls of each at concurrency ${concurrency}, in ${repetitions} repetitions`)
      const runs = new Map<Variant, Array<Run>>(variants.map((variant) => [variant, []]))
      for (let repetition = 0; repetition < repetitions; repetition++) {
        // The order rotates, so that no variant always runs first or right after another.
        const order = variants.map((_, i) => variants[(i + repetition * 3) % variants.length]!)
        for (const variant of order) {
          runs.get(variant)!.push(yield* calls[variant](count / repetitions, concurrency))
        }
      }
      for (const variant of variants) {
        results.push(series(variant, concurrency, runs.get(variant)!))
      }
    }

    const find = (variant: Variant, concurrency: number) =>
      results.find((s) => s.variant === variant && s.concurrency === concurrency)!
    /** One figure of two variants at one concurrency, as a ratio. */
    const ratio = (
      figure: "callsPerSecond" | "cpuMicrosPerCall",
      variant: Variant,
      baseline: Variant,
      concurrency: number
    ) => Stats.ratio(find(variant, concurrency)[figure], find(baseline, concurrency)[figure])
    const ratios = concurrencies.map((concurrency) => ({
      concurrency,
      clientUndiciToOfficialCallsPerSecond: ratio("callsPerSecond", "client-undici", "official", concurrency),
      clientFetchToOfficialCallsPerSecond: ratio("callsPerSecond", "client-fetch", "official", concurrency),
      clientToPlatformCpuPerCallUndici: ratio("cpuMicrosPerCall", "client-undici", "platform-undici", concurrency),
      clientToPlatformCpuPerCallFetch: ratio("cpuMicrosPerCall", "client-fetch", "platform-fetch", concurrency)
    }))
    const serverUsage = yield* server.usage()

    return {
      parameters: {
        callsPerSeries: callsAt,
        repetitions,
        warmupCallsEach: warmup,
        concurrencies,
        target: "getUser of a user of a 1,000-user realm, by the default world's service user",
        order: "three repetitions per concurrency; in each, every variant once, the order rotated by three " +
          "variants from one repetition to the next"
      },
      figures: { series: results, ratios, serverUsage },
      tables: [
        {
          title: "Calls (calls/s and CPU per call: medians of the three repetitions)",
          columns: ["concurrency", "variant", "calls", "calls/s", "p50 (ms)", "p99 (ms)", "CPU/call (µs)"],
          rows: results.map((s) => [
            String(s.concurrency),
            s.variant,
            s.calls.toLocaleString("en-US"),
            Stats.format(s.callsPerSecond),
            Stats.format(s.latencyMs.p50),
            Stats.format(s.latencyMs.p99),
            Stats.format(s.cpuMicrosPerCall)
          ])
        },
        {
          title: "Ratios",
          columns: [
            "concurrency",
            "client-undici / official calls/s",
            "client-fetch / official calls/s",
            "client-undici / platform-undici CPU per call",
            "client-fetch / platform-fetch CPU per call"
          ],
          rows: ratios.map((r) => [
            String(r.concurrency),
            Stats.format(r.clientUndiciToOfficialCallsPerSecond),
            Stats.format(r.clientFetchToOfficialCallsPerSecond),
            Stats.format(r.clientToPlatformCpuPerCallUndici),
            Stats.format(r.clientToPlatformCpuPerCallFetch)
          ])
        }
      ],
      targets: ratios.flatMap((r) => [
        Benchmark.target(
          `client-undici / official calls/s at concurrency ${r.concurrency} ≥ 1.0`,
          Stats.format(r.clientUndiciToOfficialCallsPerSecond),
          r.clientUndiciToOfficialCallsPerSecond >= 1
        ),
        cpuTarget("undici", r.concurrency, r.clientToPlatformCpuPerCallUndici),
        cpuTarget("fetch", r.concurrency, r.clientToPlatformCpuPerCallFetch)
      ]),
      notes: [
        "The Effect variants run their calls as fibers (Effect.all of worker fibers); the raw and official ones as " +
        "async functions. `fetch` and `FetchHttpClient` use Node's bundled undici through the WHATWG fetch layer; " +
        "`undici` and `NodeHttpClient.layerUndici` use the `undici` package directly; the official client uses " +
        "axios over `node:http` with the default (keep-alive) agent.",
        "CPU per call is the calling process's user+system CPU time divided by the calls: the client's own cost " +
        "(request building, spans, timeout, retry schedule, schema decoding) shows there even when the simulator " +
        "is the bottleneck of the wall time.",
        "`platform-*` send the same request through @effect/platform's HttpClient with its default `http.client` " +
        "span (`platform-undici-untraced`: with that span disabled); `client-*` are the `UserApi` as a user gets " +
        "it from `UserApi.make`, with its defaults."
      ]
    }
  })
})
