/**
 * Benchmark 5, start-up: the time from spawning the simulator's CLI (`node
 * apps/simulator/bin/openremote-simulator.js --port P --auth-port off --mqtt-port 0`, otherwise its defaults) to its first
 * successful request. The parent polls from the moment of the spawn (every 2 ms) until the token endpoint
 * answers a client-credentials grant, then calls `getCurrentUser` with that token; both times are
 * reported. The baseline is `dist/server.js` serving the hello-world fastify app, spawned the same way and
 * polled the same way until `GET /hello` answers.
 *
 * @since 0.1.0
 */
import { Catalogue } from "@openremote-effect/model"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as childProcess from "node:child_process"
import * as net from "node:net"
import { BenchmarkError, ServerProcessError } from "./BenchError.js"
import * as Benchmark from "./Benchmark.js"
import { distFile, simulatorCli } from "./internal/paths.js"
import * as Requests from "./Requests.js"
import * as Seeds from "./Seeds.js"
import * as Stats from "./Stats.js"

const name = "startup"

/** The target of issue 12: the CLI's first successful request within twice the bare fastify app's. */
const maxRatio = 2

/**
 * One start.
 *
 * @since 0.1.0
 * @category models
 */
export interface Start {
  readonly variant: "cli" | "baseline"
  /** Spawn to the first successful response (the CLI: a token). */
  readonly firstResponseMs: number
  /** The CLI: spawn to the first successful API call (token, then `getCurrentUser`). */
  readonly firstApiCallMs: number | undefined
  /** The CLI: spawn to its banner on stdout. */
  readonly bannerMs: number | undefined
  /** Requests refused (nothing listening yet) before the first success. */
  readonly refusedPolls: number
}

const freePort = Effect.async<number, BenchmarkError>((resume) => {
  const server = net.createServer()
  server.once("error", (error) => resume(Effect.fail(new BenchmarkError({ benchmark: name, reason: String(error) }))))
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** A spawned process, stopped (SIGTERM, then SIGKILL after 5 s) when the scope closes. */
const spawn = (server: string, args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.sync(() =>
      childProcess.spawn(process.execPath, [...args], { stdio: ["ignore", "pipe", "pipe"], env: process.env })
    ),
    (child) =>
      Effect.async<void>((resume) => {
        if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000)
        child.once("exit", () => {
          clearTimeout(timer)
          resume(Effect.void)
        })
        child.kill("SIGTERM")
      })
  ).pipe(
    Effect.tap((child) =>
      Effect.sync(() => {
        child.stdout?.resume()
        child.stderr?.resume()
      })
    ),
    Effect.mapError(() => new ServerProcessError({ server, reason: "cannot spawn" }))
  )

/** Polls `attempt` every 2 ms until it succeeds (at most 30 s); the number of failed attempts. */
const poll = <A>(attempt: () => Promise<A>) =>
  Effect.tryPromise({
    try: async () => {
      const deadline = performance.now() + 30_000
      let refused = 0
      for (;;) {
        try {
          return { value: await attempt(), refused }
        } catch (error) {
          refused += 1
          if (performance.now() > deadline) throw error
          await new Promise((resolve) => setTimeout(resolve, 2))
        }
      }
    },
    catch: (error) => new BenchmarkError({ benchmark: name, reason: `no successful request within 30 s: ${error}` })
  })

const startCli = Effect.gen(function*() {
  const port = yield* freePort
  const origin = `http://127.0.0.1:${port}`
  const started = performance.now()
  const child = yield* spawn("cli", [simulatorCli(), "--port", String(port), "--auth-port", "off", "--mqtt-port", "0"])
  let bannerMs: number | undefined
  let stdout = ""
  child.stdout.setEncoding("utf8")
  child.stdout.on("data", (chunk: string) => {
    if (bannerMs !== undefined) return
    stdout += chunk
    if (/OpenRemote simulator \S+ started/.test(stdout)) bannerMs = performance.now() - started
  })
  const tokenUrl = `${origin}/auth`
  const first = yield* poll(() => Effect.runPromise(Requests.token(tokenUrl, Seeds.serviceUser)))
  const firstResponseMs = performance.now() - started
  yield* Requests.call(origin, first.value.accessToken, Catalogue.getCurrentUser, {})
  const firstApiCallMs = performance.now() - started
  return { variant: "cli", firstResponseMs, firstApiCallMs, bannerMs, refusedPolls: first.refused } satisfies Start
}).pipe(Effect.scoped)

const startBaseline = Effect.gen(function*() {
  const port = yield* freePort
  const started = performance.now()
  yield* spawn("hello", [distFile("server.js"), JSON.stringify({ kind: "hello", port })])
  const first = yield* poll(async () => {
    const response = await fetch(`http://127.0.0.1:${port}/hello`)
    await response.text()
    if (response.status !== 200) throw new Error(`answered ${response.status}`)
  })
  const firstResponseMs = performance.now() - started
  return {
    variant: "baseline",
    firstResponseMs,
    firstApiCallMs: undefined,
    bannerMs: undefined,
    refusedPolls: first.refused
  } satisfies Start
}).pipe(Effect.scoped)

/**
 * The benchmark.
 *
 * @since 0.1.0
 * @category benchmarks
 */
export const benchmark: Benchmark.Benchmark = Benchmark.make({
  name,
  title: "Start-up",
  measures: "time from spawning the simulator's CLI (`node apps/simulator/bin/openremote-simulator.js --port P " +
    "--auth-port off --mqtt-port 0`, default world, log level info) to its first successful request: a client-credentials token, " +
    "then `getCurrentUser` with it (the headline figure); also the time to its banner on stdout. Polled every 2 ms " +
    "from the spawn; 5 starts, median.",
  baseline: "`node packages/bench/dist/server.js` serving a hello-world fastify app, spawned and polled the same way " +
    "(`GET /hello`), alternating with the CLI in the same run.",
  run: Effect.fn("Startup.run")(function*(options: Benchmark.Options) {
    const runs = options.quick ? 2 : 5
    const starts: Array<Start> = []
    for (let i = 1; i <= runs; i++) {
      yield* Effect.log(`${name}: start ${i} of ${runs}`)
      starts.push(yield* startBaseline, yield* startCli)
    }
    const cli = starts.filter((s) => s.variant === "cli")
    const baseline = starts.filter((s) => s.variant === "baseline")
    const summary = (values: ReadonlyArray<number>) => ({
      median: Stats.median(values),
      min: Math.min(...values),
      max: Math.max(...values)
    })
    const apiCall = summary(cli.map((s) => s.firstApiCallMs!))
    const token = summary(cli.map((s) => s.firstResponseMs))
    const banner = summary(cli.flatMap((s) => (s.bannerMs === undefined ? [] : [s.bannerMs])))
    const hello = summary(baseline.map((s) => s.firstResponseMs))
    const row = (label: string, s: ReturnType<typeof summary>) => [
      label,
      Stats.format(s.median),
      Stats.format(s.min),
      Stats.format(s.max),
      Stats.format(Stats.ratio(s.median, hello.median))
    ]
    return {
      parameters: { starts: runs, pollIntervalMs: 2, cli: "--port <free port> --auth-port off --mqtt-port 0" },
      figures: { starts, cli: { firstApiCall: apiCall, firstToken: token, banner }, baseline: hello },
      tables: [{
        title: "Spawn to … (ms)",
        columns: ["", "median", "min", "max", "ratio to baseline (median)"],
        rows: [
          row("CLI: first successful API call (token + getCurrentUser)", apiCall),
          row("CLI: first token", token),
          row("CLI: banner printed", banner),
          row("baseline: hello-world fastify, first GET /hello", hello)
        ]
      }],
      targets: [
        Benchmark.target(
          `CLI start to first successful request ≤ ${maxRatio}× the baseline's (issue 12)`,
          `${Stats.format(apiCall.median)} ms median (${
            Stats.format(Stats.ratio(apiCall.median, hello.median))
          }× the baseline)`,
          Stats.ratio(apiCall.median, hello.median) <= maxRatio
        )
      ],
      notes: [
        "The CLI's start includes loading the simulator's modules (the bin runs the esbuild bundle, " +
        "apps/simulator/dist/bin.bundle.js, built by `npm run build`), validating the default seed and generating its " +
        "RS256 key pair (in the thread pool, while the modules load; with the bundle, the first token often waits " +
        "for it); the first token request signs a JWT.",
        `Every start is bounded: no successful request within ${
          Duration.format(Duration.seconds(30))
        } fails the benchmark.`
      ]
    }
  })
})
