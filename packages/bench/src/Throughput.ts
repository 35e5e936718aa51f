/**
 * Benchmark 2, simulator throughput with `autocannon` (100 connections, 10 s each, after a 2 s warm-up):
 * authenticated `getUser`; `queryUsers` on a realm of 1,000 users with `limit` 50; `createUser` +
 * `deleteUser` pairs; and, as the baseline, a hello-world fastify route started the same way (a child
 * process of `dist/server.js`) in the same run.
 *
 * @since 0.1.0
 */
import { Catalogue, UserQuery } from "@openremote-effect/model"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Autocannon from "./Autocannon.js"
import * as Benchmark from "./Benchmark.js"
import * as Requests from "./Requests.js"
import * as Seeds from "./Seeds.js"
import * as ServerProcess from "./ServerProcess.js"
import * as Stats from "./Stats.js"

const name = "throughput"

/**
 * The figures of one scenario.
 *
 * @since 0.1.0
 * @category models
 */
export interface Scenario {
  readonly name: string
  readonly summary: Autocannon.Summary
  /** The server's CPU time over the run, as a share of one core (1 = one core busy all the time). */
  readonly serverCpuCores: number
  /** The server's CPU time per request, in microseconds: its cost, whatever the load generator manages. */
  readonly serverCpuMicrosPerRequest: number
  readonly serverRssBytes: number
  /** Requests per second divided by the baseline's. */
  readonly ratioToBaseline: number
  /** The baseline's server CPU time per request divided by this scenario's: the share of the baseline's rate the server could serve with the same CPU. */
  readonly cpuRatioToBaseline: number
}

const measure = (
  server: ServerProcess.ServerProcess,
  scenario: string,
  options: Omit<Autocannon.Options, "connections" | "duration" | "url">,
  timing: { readonly connections: number; readonly warmup: number; readonly duration: number }
) =>
  Effect.gen(function*() {
    yield* Effect.log(`${name}: ${scenario} (warm-up ${timing.warmup} s, then ${timing.duration} s)`)
    yield* Autocannon.run({ ...options, url: server.url, connections: timing.connections, duration: timing.warmup })
    const before = yield* server.usage()
    const started = performance.now()
    const summary = yield* Autocannon.run({
      ...options,
      url: server.url,
      connections: timing.connections,
      duration: timing.duration
    })
    const elapsedMicros = (performance.now() - started) * 1000
    const after = yield* server.usage()
    const cpu = after.cpuUserMicros + after.cpuSystemMicros - before.cpuUserMicros - before.cpuSystemMicros
    return {
      name: scenario,
      summary,
      serverCpuCores: cpu / elapsedMicros,
      serverCpuMicrosPerRequest: cpu / summary.requests,
      serverRssBytes: after.rss
    }
  })

/**
 * The benchmark.
 *
 * @since 0.1.0
 * @category benchmarks
 */
export const benchmark: Benchmark.Benchmark = Benchmark.make({
  name,
  title: "Simulator throughput",
  measures: "requests/s and p50/p99 latency of the simulator under `autocannon` (100 connections, 10 s after a " +
    "2 s warm-up, from the parent process): authenticated `getUser`; `queryUsers` on a realm of 1,000 users with " +
    "`limit` 50; `createUser` + `deleteUser` pairs. Every response's status is checked against the operation's " +
    "catalogue success status.",
  baseline: "a hello-world fastify route (`GET /hello` → `{\"hello\":\"world\"}`, logger off) in a child process " +
    "started the same way, measured the same way in the same run.",
  run: Effect.fn("Throughput.run")(function*(options: Benchmark.Options) {
    const timing = { connections: 100, warmup: options.quick ? 1 : 2, duration: options.quick ? 3 : 10 }
    const realm = Seeds.benchRealm.name
    // The baseline's process is stopped before the simulator's starts.
    const baseline = yield* Effect.scoped(
      Effect.flatMap(ServerProcess.fork({ kind: "hello" }), (hello) =>
        measure(hello, "baseline: hello-world fastify", {
          steps: [{ name: "hello", method: "GET", path: "/hello", expect: 200 }]
        }, timing))
    )

    const simulator = yield* ServerProcess.fork({
      kind: "simulator",
      tokenLifespan: 3_600,
      realms: [Seeds.benchRealm]
    })
    const { accessToken } = yield* Requests.token(simulator.keycloakUrl, Seeds.serviceUser)
    const headers = { authorization: `Bearer ${Redacted.value(accessToken)}`, accept: "application/json" }
    const json = { ...headers, "content-type": "application/json" }

    const getUser = yield* measure(simulator, "getUser", {
      headers,
      steps: [{
        name: Catalogue.getUser.name,
        method: Catalogue.getUser.method,
        path: Requests.path(Catalogue.getUser, { realm, userId: Seeds.userId(realm, 0) }),
        expect: Catalogue.getUser.success
      }]
    }, timing)

    const query: UserQuery.UserQuery = { realmPredicate: { name: realm }, limit: 50 }
    const queryUsers = yield* measure(simulator, "queryUsers, 1,000-user realm, limit 50", {
      headers: json,
      steps: [{
        name: Catalogue.queryUsers.name,
        method: Catalogue.queryUsers.method,
        path: Requests.path(Catalogue.queryUsers, {}),
        body: JSON.stringify(Schema.encodeSync(UserQuery.UserQuery)(query)),
        expect: Catalogue.queryUsers.success
      }]
    }, timing)

    let created = 0
    const pairs = yield* measure(simulator, "createUser + deleteUser pairs", {
      headers: json,
      steps: [
        {
          name: Catalogue.createUser.name,
          method: Catalogue.createUser.method,
          path: Requests.path(Catalogue.createUser, { realm }),
          expect: Catalogue.createUser.success,
          setupRequest: (request) => {
            created += 1
            return { ...request, body: JSON.stringify({ username: `pair-${created}`, enabled: true }) }
          },
          onResponse: (status, body, context) => {
            const id = status === Catalogue.createUser.success ? (JSON.parse(body) as { id?: unknown }).id : undefined
            ;(context as { id?: unknown }).id = id
          }
        },
        {
          name: Catalogue.deleteUser.name,
          method: Catalogue.deleteUser.method,
          expect: Catalogue.deleteUser.success,
          setupRequest: (request, context) => {
            const id = (context as { id?: unknown }).id
            return {
              ...request,
              path: Requests.path(Catalogue.deleteUser, { realm, userId: typeof id === "string" ? id : "missing" })
            }
          }
        }
      ]
    }, timing)

    const ratio = (scenario: Omit<Scenario, "ratioToBaseline" | "cpuRatioToBaseline">): Scenario => ({
      ...scenario,
      ratioToBaseline: Stats.ratio(scenario.summary.requestsPerSecond, baseline.summary.requestsPerSecond),
      cpuRatioToBaseline: Stats.ratio(baseline.serverCpuMicrosPerRequest, scenario.serverCpuMicrosPerRequest)
    })
    const scenarios = [ratio(baseline), ratio(getUser), ratio(queryUsers), ratio(pairs)]
    const getUserRatio = scenarios[1]!.ratioToBaseline
    const failures = scenarios.filter((s) => s.summary.errors > 0 || s.summary.unexpectedCount > 0)

    return {
      parameters: { ...timing, query, realmUsers: Seeds.benchRealm.users },
      figures: { scenarios },
      tables: [{
        title: "Requests",
        columns: [
          "scenario",
          "req/s",
          "ratio to baseline",
          "p50 (ms)",
          "p99 (ms)",
          "requests",
          "errors",
          "unexpected statuses",
          "server CPU (cores)",
          "server CPU/request (µs)",
          "baseline CPU/request ÷ this"
        ],
        rows: scenarios.map((s) => [
          s.name,
          Stats.format(s.summary.requestsPerSecond),
          Stats.format(s.ratioToBaseline),
          Stats.format(s.summary.latency.p50),
          Stats.format(s.summary.latency.p99),
          s.summary.requests.toLocaleString("en-US"),
          String(s.summary.errors),
          String(s.summary.unexpectedCount),
          Stats.format(s.serverCpuCores, 2),
          Stats.format(s.serverCpuMicrosPerRequest),
          Stats.format(s.cpuRatioToBaseline)
        ])
      }],
      targets: [
        Benchmark.target(
          "authenticated getUser ≥ 50% of the baseline's req/s",
          `${Stats.format(getUserRatio * 100)}%`,
          getUserRatio >= 0.5
        ),
        Benchmark.informational(
          "authenticated getUser: server CPU per request relative to the baseline's (baseline ÷ getUser)",
          `${Stats.format(scenarios[1]!.cpuRatioToBaseline * 100)}% (${
            Stats.format(scenarios[1]!.serverCpuMicrosPerRequest)
          } µs vs ${Stats.format(baseline.serverCpuMicrosPerRequest)} µs)`
        ),
        Benchmark.target(
          "no errors and no unexpected statuses in any scenario",
          failures.length === 0
            ? "none"
            : failures.map((s) => `${s.name}: ${s.summary.errors} errors, ${s.summary.unexpectedCount} unexpected`)
              .join("; "),
          failures.length === 0
        )
      ],
      notes: [
        "A createUser + deleteUser pair is two requests: pairs/s is half the req/s shown.",
        "autocannon and the server each get one of the machine's cores at best; server CPU shows how busy the " +
        "server process was (1.00 = one core all the time). Below 1.00 the load generator, not the server, limited " +
        "the rate; the server's CPU time per request does not depend on it, and its ratio to the baseline's is the " +
        "rate the server could reach relative to the baseline with the same CPU.",
        "The token is the default world's service user's (a super user), verified by the simulator on every " +
        "request (verified tokens are cached)."
      ]
    }
  })
})
