#!/usr/bin/env node
/**
 * `node packages/bench/dist/client-profile.js`: the `UserApi`'s own CPU per `getUser`, isolated from any
 * transport. Every variant runs against the same in-memory `HttpClient` (`HttpClient.make` answering a canned
 * user after one event-loop hop, as a socket would, with no socket and no body stream), in one process and
 * one run, so that what the client adds over the bare `HttpClient` call is all that differs:
 *
 * - `bare-untraced`: `execute` + `text` + `JSON.parse`, with the platform's `http.client` span disabled (as
 *   the `UserApi` disables it by default); the reference of the ratios;
 * - `bare`: the same with the platform's span (the `client-overhead` benchmark's CPU-per-call baseline);
 * - `bare+decode`: `bare-untraced` + decoding the model's `User` (as the `UserApi` does);
 * - `bare+decode+span`: the same in a span with the `UserApi`'s attributes;
 * - `client`: `UserApi.getUser` with its defaults and `TokenProvider.static`;
 * - `client-cached-token`: the same with a cached `TokenProvider.fromEffect` (warm);
 * - `client-httpClientSpans`: the same as `client` with the platform's span kept.
 *
 * CPU time (`process.cpuUsage`, user + system) per call, median of the repetitions, whose variant order
 * rotates; at concurrency 1 and 32 (worker fibers, as in `client-overhead`). Writes the figures and the
 * ratios to `packages/bench/profiles/client-profile.json` (or `--out`). Run it under `node --cpu-prof` (with
 * `--only`) to see where a variant's time goes. It measures the client, not a target: the verdicts are the
 * `client-overhead` benchmark's, over real transports.
 *
 * @since 0.1.0
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import { TokenProvider, UserApi } from "@openremote-effect/client"
import { Catalogue, User } from "@openremote-effect/model"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { packageDir } from "./internal/paths.js"
import * as Stats from "./Stats.js"

const baseUrl = "http://127.0.0.1:8080/api/master"
const target = { realm: "bench", userId: "bench-bench-0" }
const url = `${baseUrl}/user/${target.realm}/${target.userId}`
/** A token of a real token's size (the simulator's are about 800 characters). */
const token = Redacted.make("t".repeat(800))

/** The canned answer: a user as the simulator sends it. */
const body = JSON.stringify({
  realm: "bench",
  realmId: "bench",
  id: target.userId,
  username: "user-000000",
  firstName: "First",
  lastName: "Last",
  email: "user-000000@example.com",
  enabled: true,
  createdOn: 1_764_547_200_000,
  attributes: { department: ["department-03"] },
  serviceAccount: false
})

const unused = Effect.dieMessage("not read by the profile")

/** A response whose body is the canned text: no stream, no parsing beyond what the caller does. */
class CannedResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly status = 200
  readonly headers = Headers.fromInput({ "content-type": "application/json" })
  readonly cookies = Cookies.empty
  readonly remoteAddress = Option.none()
  readonly text = Effect.succeed(body)
  readonly json = Effect.sync(() => JSON.parse(body) as unknown)
  readonly formData = unused
  readonly urlParamsBody = unused
  readonly arrayBuffer = unused
  readonly stream = Stream.die("not read by the profile")
  constructor(readonly request: HttpClientRequest.HttpClientRequest) {
    super()
  }
  toJSON() {
    return { _id: "CannedResponse", status: this.status }
  }
}

/** The in-memory transport: the canned response after one event-loop hop. */
const canned = HttpClient.make((request) =>
  Effect.async<HttpClientResponse.HttpClientResponse>((resume) => {
    const immediate = setImmediate(() => resume(Effect.succeed(new CannedResponse(request))))
    return Effect.sync(() => clearImmediate(immediate))
  })
)
const untraced = HttpClient.withTracerDisabledWhen(canned, () => true)

const check = (user: { readonly id?: string | undefined }) =>
  user.id === target.userId ? Effect.void : Effect.dieMessage("getUser answered another user")

const decodeUser = ParseResult.decodeUnknownEither(User.User)

const bare = (http: HttpClient.HttpClient) =>
  Effect.flatMap(
    http.get(url, { headers: { accept: "application/json" } }),
    (response) => Effect.flatMap(response.text, (text) => check(JSON.parse(text) as User.User))
  )

const bareDecoded = Effect.flatMap(
  untraced.get(url, { headers: { accept: "application/json" } }),
  (response) =>
    Effect.flatMap(response.text, (text) => {
      const user = decodeUser(JSON.parse(text), { errors: "all" })
      return Either.isRight(user) ? check(user.right) : Effect.dieMessage("the user does not decode")
    })
)

const variantNames = [
  "bare-untraced",
  "bare",
  "bare+decode",
  "bare+decode+span",
  "client",
  "client-cached-token",
  "client-httpClientSpans"
] as const
type VariantName = typeof variantNames[number]

/** A `getUser` call of a `UserApi` over the in-memory transport; its token layer lives in the caller's scope. */
const api = (
  options: Partial<UserApi.Options>,
  tokens: Layer.Layer<TokenProvider.TokenProvider> = TokenProvider.static(token)
) =>
  Effect.flatMap(Layer.build(tokens), (context) =>
    UserApi.make({ baseUrl, ...options }).pipe(
      Effect.provide(context),
      Effect.provideService(HttpClient.HttpClient, canned),
      Effect.map((api) => Effect.flatMap(api.getUser(target), check))
    ))

/** `count` calls by `concurrency` worker fibers: CPU microseconds per call. */
const cpuPerCall = (call: Effect.Effect<void, unknown>, count: number, concurrency: number) =>
  Effect.gen(function*() {
    let next = 0
    const worker = Effect.whileLoop({ while: () => next++ < count, body: () => call, step: () => {} })
    const cpu = process.cpuUsage()
    yield* Effect.all(Array.from({ length: concurrency }, () => worker), { concurrency: "unbounded", discard: true })
    const used = process.cpuUsage(cpu)
    return (used.user + used.system) / count
  })

const usage =
  `Usage: node packages/bench/dist/client-profile.js [--calls N] [--repetitions N] [--only NAME,...] [--out FILE]
  --calls N        calls per variant, concurrency and repetition (default 20000)
  --repetitions N  repetitions, in rotating variant order (default 5)
  --only NAMES     only these variants (comma-separated; bare-untraced always runs): ${variantNames.join(", ")}
  --out FILE       the results file (default packages/bench/profiles/client-profile.json)`

const main = Effect.gen(function*() {
  const { values } = parseArgs({
    options: {
      calls: { type: "string" },
      repetitions: { type: "string" },
      only: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean" }
    }
  })
  if (values.help === true) {
    console.log(usage)
    return
  }
  const calls = Number(values.calls ?? 20_000)
  const repetitions = Number(values.repetitions ?? 5)
  const only = values.only?.split(",").map((name) => name.trim())
  const unknown = only?.filter((name) => !(variantNames as ReadonlyArray<string>).includes(name)) ?? []
  if (!Number.isSafeInteger(calls) || calls < 1 || !Number.isSafeInteger(repetitions) || repetitions < 1) {
    return yield* Effect.fail(`--calls and --repetitions must be positive integers\n${usage}`)
  }
  if (unknown.length > 0) return yield* Effect.fail(`unknown variant ${unknown.join(", ")}\n${usage}`)
  const selected = variantNames.filter((name) => name === "bare-untraced" || only === undefined || only.includes(name))

  const variants: Record<VariantName, Effect.Effect<void, unknown>> = {
    "bare-untraced": bare(untraced),
    "bare": bare(canned),
    "bare+decode": bareDecoded,
    "bare+decode+span": Effect.suspend(() =>
      Effect.withSpan(bareDecoded, "UserApi.getUser", {
        attributes: {
          "openremote.operation": Catalogue.getUser.name,
          "openremote.realm": target.realm,
          "http.request.method": Catalogue.getUser.method
        },
        captureStackTrace: false
      })
    ),
    "client": yield* api({}),
    "client-cached-token": yield* api(
      {},
      TokenProvider.fromEffect(Effect.succeed({ accessToken: token, expiresIn: "1 hour" }))
    ),
    "client-httpClientSpans": yield* api({ httpClientSpans: true })
  }

  // Warm-up: every variant, so that the JIT has compiled every path before the measured rounds.
  for (const name of selected) yield* cpuPerCall(variants[name], Math.min(calls, 3_000), 32)

  const figures: Array<{ concurrency: number; variant: VariantName; cpuMicrosPerCall: number; ratio: number }> = []
  for (const concurrency of [1, 32]) {
    const runs = new Map<VariantName, Array<number>>(selected.map((name) => [name, []]))
    for (let repetition = 0; repetition < repetitions; repetition++) {
      for (let i = 0; i < selected.length; i++) {
        const name = selected[(i + repetition) % selected.length]!
        runs.get(name)!.push(yield* cpuPerCall(variants[name], calls, concurrency))
      }
    }
    const reference = Stats.median(runs.get("bare-untraced")!)
    console.log(`concurrency ${concurrency}: CPU per call (median of ${repetitions}), ratio to bare-untraced`)
    for (const name of selected) {
      const cpuMicrosPerCall = Stats.median(runs.get(name)!)
      figures.push({ concurrency, variant: name, cpuMicrosPerCall, ratio: cpuMicrosPerCall / reference })
      console.log(
        `  ${name.padEnd(24)} ${cpuMicrosPerCall.toFixed(1).padStart(7)} µs  ×${
          (cpuMicrosPerCall / reference).toFixed(2)
        }`
      )
    }
  }

  const out = values.out ?? path.join(packageDir, "profiles", "client-profile.json")
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(
    out,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpu: os.cpus()[0]?.model,
        cores: os.cpus().length,
        loadAverage: os.loadavg(),
        calls,
        repetitions,
        figures
      },
      null,
      2
    ) + "\n"
  )
  console.log(`wrote ${out}`)
})

Effect.runPromise(Effect.scoped(main)).catch((error: unknown) => {
  console.error(String(error))
  process.exitCode = 1
})
