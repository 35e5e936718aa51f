/**
 * Benchmark 4, token single flight: 1,000 concurrent `getUser` calls through a client whose token cache is
 * cold (`TokenProvider.clientCredentials`, a fresh layer per trial); the simulator's journal must show
 * exactly one token request. The baseline is the naive way: the same 1,000 calls with raw `fetch`, each
 * first requesting its own token.
 *
 * @since 0.1.0
 */
import { FetchHttpClient } from "@effect/platform"
import { TokenProvider, UserApi } from "@openremote-effect/client"
import { Catalogue } from "@openremote-effect/model"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { BenchmarkError } from "./BenchError.js"
import * as Benchmark from "./Benchmark.js"
import * as ControlPlane from "./ControlPlane.js"
import * as Requests from "./Requests.js"
import * as Seeds from "./Seeds.js"
import * as ServerProcess from "./ServerProcess.js"
import * as Stats from "./Stats.js"

const name = "token-single-flight"

const failed = (reason: string) => new BenchmarkError({ benchmark: name, reason })

/**
 * One trial: the calls, the wall time, and what the journal shows.
 *
 * @since 0.1.0
 * @category models
 */
export interface Trial {
  readonly variant: "client" | "naive"
  readonly calls: number
  readonly wallMs: number
  readonly tokenRequests: number
  /** `getUser` requests the journal shows, and how many of them succeeded. */
  readonly apiRequests: number
  readonly apiSuccesses: number
}

const journalCounts = (server: ServerProcess.ServerProcess) =>
  Effect.map(ControlPlane.journal(server.url), (entries) => ({
    tokenRequests: entries.filter((entry) => entry.operation === "token").length,
    apiRequests: entries.filter((entry) => entry.operation === Catalogue.getUser.name).length,
    apiSuccesses: entries.filter((entry) =>
      entry.operation === Catalogue.getUser.name && entry.status === Catalogue.getUser.success
    ).length
  }))

/**
 * The benchmark.
 *
 * @since 0.1.0
 * @category benchmarks
 */
export const benchmark: Benchmark.Benchmark = Benchmark.make({
  name,
  title: "Token single flight",
  measures: "1,000 concurrent `getUser` calls through the client on a cold token cache " +
    "(`TokenProvider.clientCredentials`, a fresh layer per trial, 3 trials); the token requests the simulator's " +
    "journal shows, and the wall time.",
  baseline: "the naive way, in the same run: the same 1,000 calls with raw `fetch`, each first requesting its own " +
    "token (client credentials).",
  run: Effect.fn("TokenSingleFlight.run")(function*(options: Benchmark.Options) {
    const calls = options.quick ? 200 : 1_000
    const trials = 3
    const server = yield* ServerProcess.fork({ kind: "simulator", realms: [Seeds.benchRealm] })
    const target = { realm: Seeds.benchRealm.name, userId: Seeds.userId(Seeds.benchRealm.name, 0) }
    // Warms up both processes (JIT, the key pair, connections) before the first trial.
    const warm = yield* Requests.token(server.keycloakUrl, Seeds.serviceUser)
    yield* Requests.call(server.url, warm.accessToken, Catalogue.getUser, target)

    const layer = UserApi.layer({ baseUrl: Requests.baseUrl(server.url) }).pipe(
      Layer.provide(TokenProvider.clientCredentials({
        keycloakUrl: server.keycloakUrl,
        realm: "master",
        clientId: Seeds.serviceUser.clientId,
        clientSecret: Redacted.make(Seeds.serviceUser.clientSecret)
      })),
      Layer.provide(FetchHttpClient.layer)
    )
    const clientTrial = Effect.gen(function*() {
      yield* ControlPlane.clearJournal(server.url)
      const started = performance.now()
      yield* Effect.flatMap(
        UserApi.UserApi,
        (api) =>
          Effect.all(Array.from({ length: calls }, () => api.getUser(target)), {
            concurrency: "unbounded",
            discard: true
          })
      ).pipe(
        Effect.provide(layer),
        Effect.mapError((error) => failed(`a client call failed: ${error.message}`))
      )
      const wallMs = performance.now() - started
      return { variant: "client", calls, wallMs, ...(yield* journalCounts(server)) } satisfies Trial
    })
    const naiveTrial = Effect.gen(function*() {
      yield* ControlPlane.clearJournal(server.url)
      const started = performance.now()
      yield* Effect.all(
        Array.from({ length: calls }, () =>
          Effect.flatMap(
            Requests.token(server.keycloakUrl, Seeds.serviceUser),
            ({ accessToken }) => Requests.call(server.url, accessToken, Catalogue.getUser, target)
          )),
        { concurrency: "unbounded", discard: true }
      )
      const wallMs = performance.now() - started
      return { variant: "naive", calls, wallMs, ...(yield* journalCounts(server)) } satisfies Trial
    })

    const results: Array<Trial> = []
    for (let trial = 1; trial <= trials; trial++) {
      yield* Effect.log(`${name}: trial ${trial} of ${trials}, ${calls} concurrent calls`)
      results.push(yield* clientTrial, yield* naiveTrial)
    }
    const client = results.filter((t) => t.variant === "client")
    const naive = results.filter((t) => t.variant === "naive")
    const incomplete = results.filter((t) => t.apiSuccesses !== calls)
    if (incomplete.length > 0) {
      return yield* failed(
        `the journal shows ${incomplete[0]!.apiSuccesses} successful getUser calls, expected ${calls}`
      )
    }
    const medianClient = Stats.median(client.map((t) => t.wallMs))
    const medianNaive = Stats.median(naive.map((t) => t.wallMs))
    const tokenCounts = client.map((t) => t.tokenRequests)
    return {
      parameters: { concurrentCalls: calls, trials, grant: "client_credentials (the default world's service user)" },
      figures: { trials: results, medianWallMs: { client: medianClient, naive: medianNaive } },
      tables: [
        {
          title: "Trials",
          columns: [
            "trial",
            "variant",
            "calls",
            "token requests (journal)",
            "getUser 200s (journal)",
            "wall time (ms)"
          ],
          rows: results.map((t, i) => [
            String(Math.floor(i / 2) + 1),
            t.variant,
            t.calls.toLocaleString("en-US"),
            String(t.tokenRequests),
            String(t.apiSuccesses),
            Stats.format(t.wallMs)
          ])
        },
        {
          title: "Client / naive",
          columns: ["token requests", "median wall time"],
          rows: [[
            `${tokenCounts.join(", ")} / ${naive.map((t) => t.tokenRequests).join(", ")}`,
            Stats.format(Stats.ratio(medianClient, medianNaive))
          ]]
        }
      ],
      targets: [
        Benchmark.target(
          `${calls.toLocaleString("en-US")} concurrent calls on a cold cache: exactly one token request (every trial)`,
          tokenCounts.join(", "),
          tokenCounts.every((count) => count === 1)
        )
      ],
      notes: [
        "Both variants open up to one connection per concurrent call (undici's default pool has no limit)."
      ]
    }
  })
})
