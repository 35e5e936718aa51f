/**
 * Benchmark 1, client overhead: `getUser` through the client (`UserApi` over `FetchHttpClient`, a static
 * token) against the same calls with raw `fetch` and the same token, against one simulator in a child
 * process, at concurrency 1 and 32. Each series is run in two halves in the order raw, client, client,
 * raw, so that drift over the run (JIT, garbage, the simulator's journal filling up) falls on both alike.
 *
 * @since 0.1.0
 */
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { TokenProvider, UserApi } from "@openremote-effect/client"
import { Catalogue } from "@openremote-effect/model"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { BenchmarkError } from "./BenchError.js"
import * as Benchmark from "./Benchmark.js"
import * as Requests from "./Requests.js"
import * as Seeds from "./Seeds.js"
import * as ServerProcess from "./ServerProcess.js"
import * as Stats from "./Stats.js"

/**
 * The figures of one series.
 *
 * @since 0.1.0
 * @category models
 */
export interface Series {
  /** `platform`: `@effect/platform`'s `HttpClient` over `FetchHttpClient` alone, without the `UserApi`. */
  readonly variant: "client" | "platform" | "raw"
  readonly concurrency: number
  readonly calls: number
  readonly wallMs: number
  readonly callsPerSecond: number
  /** CPU time of this (the calling) process per call, in microseconds. */
  readonly cpuMicrosPerCall: number
  readonly latencyMs: Stats.Summary
}

interface Run {
  readonly wallMs: number
  readonly cpuMicros: number
  readonly latencies: Float64Array
}

const name = "client-overhead"

const failed = (reason: string) => new BenchmarkError({ benchmark: name, reason })

/** `count` calls of `call` by `concurrency` workers (async functions). */
const runPromises = (
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
    catch: (error) => failed(`a raw fetch call failed: ${error instanceof Error ? error.message : String(error)}`)
  })

/** `count` calls of `call` by `concurrency` worker fibers. */
const runEffects = <E extends { readonly message: string }>(
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
  }).pipe(Effect.mapError((error) => failed(`a client call failed: ${error.message}`)))

const series = (variant: Series["variant"], concurrency: number, runs: ReadonlyArray<Run>): Series => {
  const calls = runs.reduce((sum, run) => sum + run.latencies.length, 0)
  const wallMs = runs.reduce((sum, run) => sum + run.wallMs, 0)
  const cpuMicros = runs.reduce((sum, run) => sum + run.cpuMicros, 0)
  const latencies = new Float64Array(calls)
  let offset = 0
  for (const run of runs) {
    latencies.set(run.latencies, offset)
    offset += run.latencies.length
  }
  return {
    variant,
    concurrency,
    calls,
    wallMs,
    callsPerSecond: calls / (wallMs / 1000),
    cpuMicrosPerCall: cpuMicros / calls,
    latencyMs: Stats.summarize(latencies)
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
  measures: "`getUser` calls through the client (`UserApi` + `TokenProvider.static` + `FetchHttpClient.layer`, " +
    "default retry policy) at concurrency 1 and 32, each call decoded to a `User`; wall time, calls/s, " +
    "p50/p99 latency and the calling process's CPU time per call.",
  baseline: "the same calls with raw `fetch` (the same undici) and the same token, reading and `JSON.parse`-ing " +
    "each body, against the same simulator, in the same run.",
  run: Effect.fn("ClientOverhead.run")(function*(options: Benchmark.Options) {
    const calls = options.quick ? 2_000 : 20_000
    const warmup = options.quick ? 500 : 2_000
    const concurrencies = [1, 32] as const
    const server = yield* ServerProcess.fork({ kind: "simulator", tokenLifespan: 3_600, realms: [Seeds.benchRealm] })
    const { accessToken } = yield* Requests.token(server.keycloakUrl, Seeds.serviceUser)
    const target = { realm: Seeds.benchRealm.name, userId: Seeds.userId(Seeds.benchRealm.name, 0) }

    const rawUrl = Requests.url(server.url, Catalogue.getUser, target)
    const rawHeaders = { authorization: `Bearer ${Redacted.value(accessToken)}`, accept: "application/json" }
    const raw = async () => {
      const response = await fetch(rawUrl, { headers: rawHeaders })
      const text = await response.text()
      if (response.status !== Catalogue.getUser.success) {
        throw new Error(`getUser answered ${response.status}: ${text.slice(0, 200)}`)
      }
      JSON.parse(text)
    }

    const api = yield* UserApi.make({ baseUrl: Requests.baseUrl(server.url) }).pipe(
      Effect.provide(TokenProvider.static(accessToken)),
      Effect.provide(FetchHttpClient.layer)
    )
    const client = api.getUser(target)

    // A diagnostic, not a baseline of the issue: the same request through @effect/platform's HttpClient alone.
    const http = yield* HttpClient.HttpClient.pipe(Effect.provide(FetchHttpClient.layer))
    const platform = http.execute(HttpClientRequest.get(rawUrl).pipe(HttpClientRequest.setHeaders(rawHeaders))).pipe(
      Effect.flatMap((response) =>
        Effect.flatMap(response.text, (text) =>
          response.status === Catalogue.getUser.success
            ? Effect.sync(() => JSON.parse(text) as unknown)
            : Effect.fail(new Error(`getUser answered ${response.status}: ${text.slice(0, 200)}`)))
      )
    )

    yield* Effect.log(`${name}: warming up (${warmup} calls of each)`)
    yield* runPromises(raw, warmup, 32)
    yield* runEffects(platform, warmup, 32)
    yield* runEffects(client, warmup, 32)

    const results: Array<Series> = []
    for (const concurrency of concurrencies) {
      yield* Effect.log(`${name}: ${calls} calls of each at concurrency ${concurrency}`)
      const half = calls / 2
      const withPlatform = concurrency === 32
      const raw1 = yield* runPromises(raw, half, concurrency)
      const platform1 = withPlatform ? yield* runEffects(platform, half, concurrency) : undefined
      const client1 = yield* runEffects(client, half, concurrency)
      const client2 = yield* runEffects(client, half, concurrency)
      const platform2 = withPlatform ? yield* runEffects(platform, half, concurrency) : undefined
      const raw2 = yield* runPromises(raw, half, concurrency)
      results.push(series("raw", concurrency, [raw1, raw2]), series("client", concurrency, [client1, client2]))
      if (platform1 !== undefined && platform2 !== undefined) {
        results.push(series("platform", concurrency, [platform1, platform2]))
      }
    }

    const pair = (concurrency: number) => {
      const raw = results.find((s) => s.variant === "raw" && s.concurrency === concurrency)!
      const client = results.find((s) => s.variant === "client" && s.concurrency === concurrency)!
      return {
        concurrency,
        raw,
        client,
        wallTimeRatio: Stats.ratio(client.wallMs, raw.wallMs),
        p50Ratio: Stats.ratio(client.latencyMs.p50, raw.latencyMs.p50),
        p99Ratio: Stats.ratio(client.latencyMs.p99, raw.latencyMs.p99),
        cpuPerCallRatio: Stats.ratio(client.cpuMicrosPerCall, raw.cpuMicrosPerCall)
      }
    }
    const pairs = concurrencies.map(pair)
    const at32 = pairs.find((p) => p.concurrency === 32)!
    const platform32 = results.find((s) => s.variant === "platform")!
    const serverUsage = yield* server.usage()

    return {
      parameters: {
        callsPerSeries: calls,
        warmupCallsEach: warmup,
        concurrencies,
        target: "getUser of a user of a 1,000-user realm, by the default world's service user",
        order: "raw, client, client, raw (halves of each series); at concurrency 32 raw, platform, client, client, " +
          "platform, raw"
      },
      figures: {
        series: results,
        ratios: pairs.map(({ client: _c, raw: _r, ...ratios }) => ratios),
        platformToRawAt32: {
          wallTime: Stats.ratio(platform32.wallMs, at32.raw.wallMs),
          cpuPerCall: Stats.ratio(platform32.cpuMicrosPerCall, at32.raw.cpuMicrosPerCall)
        },
        serverUsage
      },
      tables: [
        {
          title: "Calls",
          columns: [
            "concurrency",
            "variant",
            "calls",
            "wall time (s)",
            "calls/s",
            "p50 (ms)",
            "p99 (ms)",
            "CPU/call (µs)"
          ],
          rows: results.map((s) => [
            String(s.concurrency),
            s.variant,
            s.calls.toLocaleString("en-US"),
            Stats.format(s.wallMs / 1000),
            Stats.format(s.callsPerSecond),
            Stats.format(s.latencyMs.p50),
            Stats.format(s.latencyMs.p99),
            Stats.format(s.cpuMicrosPerCall)
          ])
        },
        {
          title: "Client / raw",
          columns: ["concurrency", "wall time", "p50", "p99", "CPU per call"],
          rows: pairs.map((p) => [
            String(p.concurrency),
            Stats.format(p.wallTimeRatio),
            Stats.format(p.p50Ratio),
            Stats.format(p.p99Ratio),
            Stats.format(p.cpuPerCallRatio)
          ])
        },
        {
          title: "Diagnostic at concurrency 32: @effect/platform HttpClient (FetchHttpClient) alone / raw",
          columns: ["wall time", "p50", "p99", "CPU per call"],
          rows: [[
            Stats.format(Stats.ratio(platform32.wallMs, at32.raw.wallMs)),
            Stats.format(Stats.ratio(platform32.latencyMs.p50, at32.raw.latencyMs.p50)),
            Stats.format(Stats.ratio(platform32.latencyMs.p99, at32.raw.latencyMs.p99)),
            Stats.format(Stats.ratio(platform32.cpuMicrosPerCall, at32.raw.cpuMicrosPerCall))
          ]]
        }
      ],
      targets: [
        Benchmark.target(
          "client/raw wall time at concurrency 32 ≤ 1.2",
          Stats.format(at32.wallTimeRatio),
          at32.wallTimeRatio <= 1.2
        ),
        Benchmark.informational(
          "client/raw wall time at concurrency 1",
          Stats.format(pairs.find((p) => p.concurrency === 1)!.wallTimeRatio)
        )
      ],
      notes: [
        "The client runs its calls as fibers (Effect.all of worker fibers); raw fetch as async functions. Both use " +
        "Node's global fetch (undici) with keep-alive connections.",
        "CPU per call is the calling process's user+system CPU time divided by the calls: the client's own cost " +
        "(request building, spans, retry schedule, schema decoding) shows here even when the simulator is the " +
        "bottleneck of the wall time.",
        "The `platform` series (concurrency 32 only) sends the same request through @effect/platform's HttpClient " +
        "with FetchHttpClient and no UserApi: it separates the transport's cost from the client's own."
      ]
    }
  })
})
