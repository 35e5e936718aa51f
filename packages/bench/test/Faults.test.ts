/**
 * The client under a random fault schedule from the simulator's control plane: fast-check generates lists
 * of faults (error statuses with and without `Retry-After`, latency beyond the timeout, reset connections,
 * malformed bodies; on the API operations and on the token endpoint), the simulator (a child process) is
 * given them over its HTTP control plane, and a fresh client (cold token cache) makes a mix of calls.
 *
 * Every call must end in success or in one of the client's typed errors, within the time bound computed
 * from the retry policy and timeouts configured here; no promise rejection may go unhandled; and no fiber
 * the calls started may be left running.
 */
import { FetchHttpClient } from "@effect/platform"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { OpenRemoteError, RetryPolicy, TokenProvider, UserApi } from "@openremote-effect/client"
import type { Faults } from "@openremote-effect/simulator"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as fc from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Supervisor from "effect/Supervisor"
import * as ControlPlane from "../src/ControlPlane.js"
import * as Requests from "../src/Requests.js"
import * as Seeds from "../src/Seeds.js"
import type * as ServerProcess from "../src/ServerProcess.js"
import { startServer } from "./support.js"

/** The per-attempt timeout of the API calls, and of the token requests. */
const timeout = Duration.millis(250)
const tokenTimeout = Duration.millis(250)
const policy = RetryPolicy.make({
  maxRetries: 2,
  baseDelay: "10 millis",
  maxDelay: "40 millis",
  maxRetryAfter: "100 millis"
})

/**
 * The longest a call can take: every attempt gets a token (a token request, or the wait for one already
 * under way: at most `tokenTimeout`) and makes one exchange (at most `timeout`); a 401 costs one more token
 * and exchange in the same attempt. There are at most `maxRetries + 1` attempts, and before each retry a
 * wait of at most the larger of `maxDelay` and `maxRetryAfter`.
 */
const computedBound = Duration.sum(
  Duration.times(Duration.times(Duration.sum(timeout, tokenTimeout), 2), policy.maxRetries + 1),
  Duration.times(Duration.max(policy.maxDelay, policy.maxRetryAfter), policy.maxRetries)
)
/** Room for the event loops of both processes on a busy 2-core machine (other test files run meanwhile). */
const schedulingAllowance = Duration.seconds(2)
const bound = Duration.sum(computedBound, schedulingAllowance)

let server: ServerProcess.ServerProcess
let close: () => Promise<void>
const unhandled: Array<unknown> = []
const onUnhandled = (reason: unknown) => {
  unhandled.push(reason)
}

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled)
  ;({ close, server } = await startServer({ kind: "simulator", realms: [{ name: "bench", users: 50 }] }))
}, 60_000)

afterAll(async () => {
  process.off("unhandledRejection", onUnhandled)
  await close()
})

// -------------------------------------------------------------------------------------------------------------
// the schedule

const apiOperations = ["getUser", "getCurrentUser", "queryUsers", "createUser", "deleteUser", "updateUser"] as const

/**
 * Which requests a fault applies to: one API operation, or every API request (`/api/*`), or the token
 * endpoint. A failed token request fails every call waiting for it, so it is the rarer target.
 */
const target: fc.Arbitrary<Pick<Faults.FaultInput, "operation" | "path">> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...apiOperations).map((operation) => ({ operation })) },
  { weight: 1, arbitrary: fc.constant({ path: "/api/*" }) },
  { weight: 1, arbitrary: fc.constant({ operation: "token" }) }
)

const faultEffect: fc.Arbitrary<Omit<Faults.FaultInput, "operation" | "times">> = fc.oneof(
  fc.record({
    status: fc.constantFrom(400, 401, 403, 404, 405, 408, 409, 418, 429, 500, 502, 503, 504),
    retryAfter: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined })
  }).map(({ retryAfter, status }) => (retryAfter === undefined ? { status } : { status, retryAfter })),
  fc.integer({ min: 0, max: 600 }).map((latencyMs) => ({ latencyMs })),
  fc.record({ latencyMs: fc.integer({ min: 0, max: 400 }), status: fc.constantFrom(429, 503) }),
  fc.constant({ reset: true as const }),
  fc.option(fc.constantFrom(200, 201, 503), { nil: undefined }).map((status) =>
    status === undefined ? { malformed: true as const } : { malformed: true as const, status }
  )
)

const fault: fc.Arbitrary<Faults.FaultInput> = fc.record({
  target,
  effect: faultEffect,
  times: fc.integer({ min: 1, max: 3 })
}).map(({ effect, target, times }) => ({ ...target, ...effect, times }))

const schedule = fc.array(fault, { minLength: 1, maxLength: 6 })

// -------------------------------------------------------------------------------------------------------------
// the calls

interface Outcome {
  readonly call: string
  readonly elapsed: Duration.Duration
  readonly exit: Exit.Exit<unknown, unknown>
}

let created = 0

const calls = Effect.gen(function*() {
  const api = yield* UserApi.UserApi
  const realm = "bench"
  const user = (i: number) => ({ realm, userId: Seeds.userId(realm, i) })
  created += 1
  const username = `fault-${created}`
  return [
    ["getUser 0", api.getUser(user(0))],
    ["getUser 1", api.getUser(user(1))],
    ["getUser 2", api.getUser(user(2))],
    ["getCurrentUser", api.getCurrentUser()],
    ["queryUsers", api.queryUsers({ query: { realmPredicate: { name: realm }, limit: 5 } })],
    [
      "updateUser",
      api.updateUser({ realm, user: { id: Seeds.userId(realm, 3), username: Seeds.username(3), firstName: "Faulty" } })
    ],
    [
      "createUser, then deleteUser",
      Effect.flatMap(
        api.createUser({ realm, user: { username, enabled: true } }),
        (created) => api.deleteUser({ realm, userId: created.id ?? "missing" })
      )
    ]
  ] as const
})

const measure = (name: string, call: Effect.Effect<unknown, OpenRemoteError.OpenRemoteError>) =>
  Effect.map(Effect.timed(Effect.exit(call)), ([elapsed, exit]): Outcome => ({ call: name, elapsed, exit }))

const clientLayer = () =>
  UserApi.layer({ baseUrl: Requests.baseUrl(server.url), timeout }).pipe(
    Layer.provide(TokenProvider.clientCredentials({
      keycloakUrl: server.keycloakUrl,
      realm: "master",
      clientId: Seeds.serviceUser.clientId,
      clientSecret: Redacted.make(Seeds.serviceUser.clientSecret),
      timeout: tokenTimeout
    })),
    Layer.provide(Layer.succeed(RetryPolicy.RetryPolicy, policy)),
    Layer.provide(FetchHttpClient.layer)
  )

/** Runs the calls under `faults` with a fresh client; the outcomes and the fibers still running after them. */
const runSchedule = (faults: ReadonlyArray<Faults.FaultInput>) =>
  Effect.gen(function*() {
    yield* ControlPlane.reset(server.url)
    for (const f of faults) yield* ControlPlane.addFault(server.url, f)
    const supervisor = yield* Supervisor.track
    const { leftRunning, outcomes } = yield* Effect.gen(function*() {
      const outcomes = yield* Effect.flatMap(calls, (list) =>
        Effect.all(list.map(([name, call]) => measure(name, call)), { concurrency: 4 }))
      // Every fiber the calls started ends (given a moment to finish its last step), before the layer's
      // scope would interrupt it.
      const started = yield* supervisor.value
      const leftRunning = yield* Effect.filter(started, (fiber) =>
        Fiber.await(fiber).pipe(Effect.timeout("1 second"), Effect.isFailure))
      return { outcomes, leftRunning }
    }).pipe(Effect.provide(clientLayer()), Effect.supervised(supervisor))
    const aliveAfterScope = yield* supervisor.value
    const journal = yield* ControlPlane.journal(server.url)
    return {
      outcomes,
      leftRunning,
      aliveAfterScope,
      faulted: journal.filter((entry) =>
        entry.fault !== undefined
      ).length
    }
  })

const describeOutcome = (outcome: Outcome) =>
  `${outcome.call} after ${Duration.format(outcome.elapsed)}: ${
    Exit.isSuccess(outcome.exit) ? "success" : Cause.pretty(outcome.exit.cause).split("\n")[0]
  }`

describe("the client under a random fault schedule", () => {
  it(
    "every call ends in success or a typed error within the bound; no unhandled rejection; no fiber left",
    async () => {
      const tags = new Map<string, number>()
      let faulted = 0
      await fc.assert(
        fc.asyncProperty(schedule, async (faults) => {
          const result = await Effect.runPromise(runSchedule(faults))
          faulted += result.faulted
          const context = JSON.stringify(faults)
          for (const outcome of result.outcomes) {
            const what = `${describeOutcome(outcome)} under ${context}`
            if (Exit.isFailure(outcome.exit)) {
              const cause = outcome.exit.cause
              expect(Cause.isInterrupted(cause), what).toBe(false)
              expect(Cause.isDie(cause), what).toBe(false)
              const failures = [...Cause.failures(cause)]
              expect(failures, what).toHaveLength(1)
              expect(OpenRemoteError.isOpenRemoteError(failures[0]), what).toBe(true)
              const tag = (failures[0] as OpenRemoteError.OpenRemoteError)._tag
              tags.set(tag, (tags.get(tag) ?? 0) + 1)
            } else {
              tags.set("success", (tags.get("success") ?? 0) + 1)
            }
            const budget = outcome.call.includes(", then ") ? Duration.times(bound, 2) : bound
            expect(Duration.lessThanOrEqualTo(outcome.elapsed, budget), `${what}: over ${Duration.format(budget)}`)
              .toBe(true)
          }
          expect(result.leftRunning.map((fiber) => fiber.id()), context).toEqual([])
          expect(result.aliveAfterScope.length, context).toBe(0)
          expect(unhandled, context).toEqual([])
        }),
        { numRuns: 15, endOnFailure: true }
      )
      // The schedules did hit the calls: faults were applied, and both successes and typed errors occurred.
      expect(faulted).toBeGreaterThan(0)
      expect(tags.get("success") ?? 0).toBeGreaterThan(0)
      expect([...tags.keys()].filter((tag) => tag !== "success").length).toBeGreaterThan(0)
      expect(await Effect.runPromise(server.alive)).toBe(true)
    },
    120_000
  )
})
