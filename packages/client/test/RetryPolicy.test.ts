/**
 * Retries and timeouts: the exact number of attempts and the exact waits (TestClock; jitter made
 * deterministic with a jitter option or a fixed `Random`), `Retry-After` in seconds and as an HTTP date,
 * `createUser` never retried, non-retryable statuses failing at once.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Random from "effect/Random"
import * as TestClock from "effect/TestClock"
import * as OpenRemoteError from "../src/OpenRemoteError.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import * as UserApi from "../src/UserApi.js"
import {
  always,
  type Handler,
  json,
  makeCapturingLogger,
  makeMock,
  type Mock,
  type Reply,
  sequence,
  staticTokens,
  text,
  withApi
} from "./utils/mock.js"

/** Runs `effect` while the TestClock moves 10 minutes ahead. */
const timed = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust("10 minutes")
    return yield* Fiber.join(fiber)
  })

/** The waits between consecutive attempts. */
const waits = (mock: Mock) => {
  const at = mock.api().map((request) => request.at)
  return at.slice(1).map((time, i) => time - at[i]!)
}

const getUser = (mock: Mock, options: Parameters<typeof withApi>[2] = {}) =>
  timed(withApi(mock, (api) => api.getUser({ realm: "master", userId: "u1" }), options))

const user = () => json({ id: "u1", username: "bob" })

const statusReply = (code: number, headers: Record<string, string> = {}): () => Reply => () => text("", code, headers)

describe("RetryPolicy: the default policy", () => {
  const retryable: ReadonlyArray<readonly [string, () => Reply, OpenRemoteError.OpenRemoteError["_tag"]]> = [
    ["a transport failure", () => "transport-failure", "TransportError"],
    ["408", statusReply(408), "UnexpectedStatus"],
    ["429", statusReply(429), "UnexpectedStatus"],
    ["502", statusReply(502), "ServerError"],
    ["503", statusReply(503), "ServerError"],
    ["504", statusReply(504), "ServerError"]
  ]

  it.effect.each(retryable)(
    "retries %s 3 times, waiting 100, 200 and 400 ms",
    ([, reply, tag]) =>
      Effect.gen(function*() {
        const mock = makeMock({ api: always(reply) })
        const error = yield* Effect.flip(getUser(mock))
        expect(error._tag).toBe(tag)
        expect(mock.api()).toHaveLength(4)
        expect(waits(mock)).toEqual([100, 200, 400])
      })
  )

  it.effect.each(retryable)(
    "succeeds when %s clears up, after exactly the failed attempts",
    ([, reply]) =>
      Effect.gen(function*() {
        const mock = makeMock({ api: sequence(reply, reply, user) })
        const result = yield* getUser(mock)
        expect(result.id).toBe("u1")
        expect(mock.api()).toHaveLength(3)
        expect(waits(mock)).toEqual([100, 200])
      })
  )

  it.effect("times an attempt out after 10 s and retries it: attempts at 0, 10.1, 20.3 and 30.7 s", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: () => Effect.never })
      const error = yield* Effect.flip(getUser(mock))
      expect(error).toBeInstanceOf(OpenRemoteError.Timeout)
      expect(Duration.toMillis((error as OpenRemoteError.Timeout).timeout)).toBe(10_000)
      expect(mock.api().map((request) => request.at)).toEqual([0, 10_100, 20_300, 30_700])
    }))

  it.effect("the per-attempt timeout is configurable", () =>
    Effect.gen(function*() {
      const slow: Handler = (_, index) => index === 0 ? Effect.never : Effect.succeed(user())
      const mock = makeMock({ api: slow })
      const result = yield* getUser(mock, { timeout: "2 seconds" })
      expect(result.id).toBe("u1")
      expect(mock.api().map((request) => request.at)).toEqual([0, 2_100])
    }))

  it.effect("a slow body counts against the attempt's timeout", () =>
    Effect.gen(function*() {
      const stalled = () =>
        new Response(new ReadableStream({ start: () => {} }), {
          status: 200,
          headers: { "content-type": "application/json" }
        })
      const mock = makeMock({ api: sequence(stalled, user) })
      const result = yield* getUser(mock)
      expect(result.id).toBe("u1")
      expect(mock.api().map((request) => request.at)).toEqual([0, 10_100])
    }))

  it.effect.each([400, 403, 404, 405, 409, 500])("does not retry %s: one attempt", (code) =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(statusReply(code)) })
      const error = yield* Effect.flip(getUser(mock))
      expect(OpenRemoteError.status(error)).toBe(code)
      expect(mock.api()).toHaveLength(1)
    }))

  it.effect("does not retry 401 beyond its one token retry: two attempts, no wait", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(statusReply(401)) })
      const error = yield* Effect.flip(getUser(mock))
      expect(error._tag).toBe("Unauthorized")
      expect(mock.api().map((request) => request.at)).toEqual([0, 0])
    }))

  const unsafeCases: ReadonlyArray<readonly [string, () => Reply, string]> = [
    ["503", statusReply(503), "ServerError"],
    ["a transport failure", () => "transport-failure", "TransportError"]
  ]
  it.effect.each(unsafeCases)("never retries createUser, not even on %s", ([, reply, tag]) =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(reply) })
      const error = yield* Effect.flip(
        timed(withApi(mock, (api) => api.createUser({ realm: "master", user: { username: "bob" } })))
      )
      expect(error._tag).toBe(tag)
      expect(mock.api()).toHaveLength(1)
    }))

  it.effect("never retries createUser after a timeout", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: () => Effect.never })
      const error = yield* Effect.flip(
        timed(withApi(mock, (api) => api.createUser({ realm: "master", user: { username: "bob" } })))
      )
      expect(error._tag).toBe("Timeout")
      expect(mock.api()).toHaveLength(1)
    }))

  it.effect("logs each retry at debug level", () =>
    Effect.gen(function*() {
      const { lines, logger } = makeCapturingLogger()
      const mock = makeMock({ api: always(statusReply(503)) })
      yield* Effect.flip(getUser(mock)).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      const retries = lines.filter((line) => line.startsWith("timestamp") && line.includes("retry"))
      expect(retries).toHaveLength(3)
      expect(retries[0]).toContain("getUser: retry 1 of 3 in 100ms")
      expect(retries[2]).toContain("getUser: retry 3 of 3 in 400ms")
    }))
})

describe("RetryPolicy: Retry-After", () => {
  it.effect("delta-seconds make the wait at least that long", () =>
    Effect.gen(function*() {
      const mock = makeMock({
        api: sequence(statusReply(503, { "Retry-After": "2" }), statusReply(429, { "Retry-After": "1" }), user)
      })
      yield* getUser(mock)
      expect(waits(mock)).toEqual([2_000, 1_000])
    }))

  it.effect("a Retry-After shorter than the backoff does not shorten it", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: sequence(statusReply(503, { "Retry-After": "0" }), user) })
      yield* getUser(mock)
      expect(waits(mock)).toEqual([100])
    }))

  it.effect("an HTTP date is read against Effect's Clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 10, 29, 12, 0, 0))
      const mock = makeMock({
        api: sequence(
          statusReply(503, { "Retry-After": "Sun, 29 Nov 2026 12:00:03 GMT" }),
          statusReply(503, { "Retry-After": "Sun, 29 Nov 2026 11:00:00 GMT" }), // in the past: the backoff applies
          user
        )
      })
      yield* getUser(mock)
      expect(waits(mock)).toEqual([3_000, 200])
    }))

  it.effect("a Retry-After above 30 s is capped at 30 s", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: sequence(statusReply(503, { "Retry-After": "120" }), user) })
      yield* getUser(mock)
      expect(waits(mock)).toEqual([30_000])
    }))

  it.effect("an unreadable Retry-After is ignored", () =>
    Effect.gen(function*() {
      const mock = makeMock({
        api: sequence(statusReply(503, { "Retry-After": "soon" }), statusReply(503, { "Retry-After": "1.5" }), user)
      })
      yield* getUser(mock)
      expect(waits(mock)).toEqual([100, 200])
    }))

  it.effect("Retry-After does not make a non-retryable status retryable", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(statusReply(500, { "Retry-After": "1" })) })
      yield* Effect.flip(getUser(mock))
      expect(mock.api()).toHaveLength(1)
    }))
})

describe("RetryPolicy: configuration", () => {
  it.effect("default jitter multiplies each wait by a factor in [0.8, 1.2) from Effect's Random", () =>
    Effect.gen(function*() {
      const low = makeMock({ api: always(statusReply(503)) })
      yield* Effect.flip(getUser(low, { retry: {} })).pipe(Effect.withRandom(Random.fixed([0])))
      expect(waits(low)).toEqual([80, 160, 320])
      const high = makeMock({ api: always(statusReply(503)) })
      yield* Effect.flip(getUser(high, { retry: {} })).pipe(Effect.withRandom(Random.fixed([0.99])))
      expect(waits(high)).toEqual([120, 239, 478])
    }))

  it.effect("each backoff wait is capped at 5 s", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(statusReply(503)) })
      yield* Effect.flip(getUser(mock, { retry: { jitter: false, maxRetries: 6, baseDelay: "1 second" } }))
      expect(waits(mock)).toEqual([1_000, 2_000, 4_000, 5_000, 5_000, 5_000])
    }))

  it.effect("the cap applies after a custom jitter", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(statusReply(503)) })
      yield* Effect.flip(getUser(mock, {
        retry: { maxRetries: 3, baseDelay: "1 second", jitter: (delay) => Effect.succeed(Duration.times(delay, 3)) }
      }))
      expect(waits(mock)).toEqual([3_000, 5_000, 5_000])
    }))

  it.effect("max retries, base, factor, cap and statuses are configurable", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(statusReply(500)) })
      yield* Effect.flip(getUser(mock, {
        retry: {
          jitter: false,
          maxRetries: 2,
          baseDelay: "50 millis",
          factor: 3,
          maxDelay: "100 millis",
          retryableStatuses: [500]
        }
      }))
      expect(waits(mock)).toEqual([50, 100])
      const notRetried = makeMock({ api: always(statusReply(503)) })
      yield* Effect.flip(getUser(notRetried, { retry: { retryableStatuses: [500] } }))
      expect(notRetried.api()).toHaveLength(1)
    }))

  it.effect("transport failures and timeouts can be left alone", () =>
    Effect.gen(function*() {
      const transport = makeMock({ api: always(() => "transport-failure") })
      yield* Effect.flip(getUser(transport, { retry: { retryTransportErrors: false } }))
      expect(transport.api()).toHaveLength(1)
      const timeout = makeMock({ api: () => Effect.never })
      yield* Effect.flip(getUser(timeout, { retry: { retryTimeouts: false } }))
      expect(timeout.api()).toHaveLength(1)
    }))

  it.effect("RetryPolicy.layerNone never retries", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(statusReply(503)) })
      const layer = UserApi.layer({ baseUrl: "http://localhost:8080/api/master" }).pipe(
        Layer.provide(staticTokens),
        Layer.provide(RetryPolicy.layerNone),
        Layer.provide(mock.layer)
      )
      yield* Effect.flip(
        timed(Effect.flatMap(UserApi.UserApi, (api) => api.getCurrentUser()).pipe(Effect.provide(layer)))
      )
      expect(mock.api()).toHaveLength(1)
    }))

  it.effect("without a RetryPolicy layer the default policy applies", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(statusReply(503)) })
      const layer = UserApi.layer({ baseUrl: "http://localhost:8080/api/master" }).pipe(
        Layer.provide(staticTokens),
        Layer.provide(mock.layer)
      )
      yield* Effect.flip(
        timed(Effect.flatMap(UserApi.UserApi, (api) => api.getCurrentUser()).pipe(Effect.provide(layer)))
      )
        .pipe(Effect.withRandom(Random.fixed([0.5])))
      expect(waits(mock)).toEqual([100, 200, 400])
    }))

  it("refuses a policy that makes no sense", () => {
    expect(() => RetryPolicy.make({ maxRetries: -1 })).toThrow(RangeError)
    expect(() => RetryPolicy.make({ maxRetries: 1.5 })).toThrow("maxRetries must be a non-negative integer")
    expect(() => RetryPolicy.make({ factor: 0.5 })).toThrow("factor must be at least 1")
    // The layer does not throw where it is defined; building it dies with the RangeError.
    const layer = RetryPolicy.layer({ maxRetries: -1 })
    const exit = Effect.runSyncExit(Effect.provide(RetryPolicy.RetryPolicy, layer))
    expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
  })

  it("the default policy is the documented one", () => {
    const policy = RetryPolicy.defaultPolicy
    expect(policy.maxRetries).toBe(3)
    expect(Duration.toMillis(policy.baseDelay)).toBe(100)
    expect(policy.factor).toBe(2)
    expect(Duration.toMillis(policy.maxDelay)).toBe(5_000)
    expect(Duration.toMillis(policy.maxRetryAfter)).toBe(30_000)
    expect(policy.retryableStatuses).toEqual([408, 429, 502, 503, 504])
    expect(policy.jitter).toBe(RetryPolicy.randomJitter)
    expect(RetryPolicy.none.maxRetries).toBe(0)
  })
})
