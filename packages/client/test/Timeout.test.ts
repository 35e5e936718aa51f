/**
 * The per-attempt timeout over the live clock (a `setTimeout` racing one forked attempt; with any other
 * clock it is `Effect.timeoutFail`, whose exactness under `TestClock` `RetryPolicy.test.ts` checks): it fires
 * at the configured time with the same typed `Timeout` as under `TestClock`, the attempt is interrupted
 * before the error is returned, interrupting the caller interrupts the attempt, and no timer outlives a call.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as TestClock from "effect/TestClock"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { timeoutFail } from "../src/internal/timeout.js"
import * as OpenRemoteError from "../src/OpenRemoteError.js"
import { always, json, makeMock, makeRecordingTracer, type Mock, sequence, withApi } from "./utils/mock.js"

/** A mock whose API requests never answer; `interrupted()` counts the requests that were interrupted. */
const hanging = () => {
  let interrupted = 0
  const mock = makeMock({ api: () => Effect.onInterrupt(Effect.never, () => Effect.sync(() => interrupted++)) })
  return { mock, interrupted: () => interrupted }
}

const getUser = (mock: Mock, timeout: Duration.DurationInput, maxRetries = 0) =>
  withApi(mock, (api) => api.getUser({ realm: "master", userId: "u1" }), { timeout, retry: { maxRetries } })

describe("UserApi: the per-attempt timeout over the live clock", () => {
  /** The error of a `getUser` of `u1` that ran out of its 200 ms, whichever the clock. */
  const expected = new OpenRemoteError.Timeout({
    operation: "getUser",
    method: "GET",
    url: "http://localhost:8080/api/master/user/master/u1",
    timeout: Duration.millis(200)
  })

  it.live("fires at the configured time, after the attempt was interrupted, with the typed Timeout", () =>
    Effect.gen(function*() {
      const { interrupted, mock } = hanging()
      const started = Date.now()
      const error = yield* Effect.flip(getUser(mock, "200 millis"))
      const elapsed = Date.now() - started
      expect(error).toBeInstanceOf(OpenRemoteError.Timeout)
      expect(error).toEqual(expected)
      expect(error.message).toBe(expected.message)
      expect(elapsed).toBeGreaterThanOrEqual(199)
      expect(elapsed).toBeLessThan(2_200)
      expect(interrupted()).toBe(1)
    }))

  it.effect("under the TestClock the same call fails with the same error, exactly at 200 ms", () =>
    Effect.gen(function*() {
      const { interrupted, mock } = hanging()
      const fiber = yield* Effect.fork(Effect.flip(getUser(mock, "200 millis")))
      yield* TestClock.adjust("199 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const error = yield* Fiber.join(fiber)
      expect(error).toEqual(expected)
      expect(interrupted()).toBe(1)
    }))

  it.live("a timed-out attempt is retried, and the retry's answer is the call's result", () =>
    Effect.gen(function*() {
      const mock = makeMock({
        api: (request, index) => index === 0 ? Effect.never : sequence(() => json({ id: "u1" }))(request, 0)
      })
      const user = yield* getUser(mock, "50 millis", 1)
      expect(user.id).toBe("u1")
      expect(mock.api()).toHaveLength(2)
    }))

  it.live("an answer before the time passes is the result, however long the timeout", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: sequence(() => json({ id: "u1", username: "bob" })) })
      const user = yield* getUser(mock, "1 hour")
      expect(user.username).toBe("bob")
    }))

  it.live("interrupting the caller interrupts the attempt, and the timeout never fires", () =>
    Effect.gen(function*() {
      const { interrupted, mock } = hanging()
      const fiber = yield* Effect.fork(getUser(mock, "100 millis"))
      yield* Effect.sleep("20 millis")
      yield* Fiber.interrupt(fiber)
      expect(interrupted()).toBe(1)
      expect(Exit.isInterrupted(yield* Fiber.await(fiber))).toBe(true)
      yield* Effect.sleep("150 millis")
      expect(mock.api()).toHaveLength(1)
    }))
})

describe("timeoutFail: the fiber reference an attempt runs with", () => {
  /** A fiber reference of the test's own, so that nothing else reads or sets it. */
  const ref = FiberRef.unsafeMake("caller")
  const local = { fiberRef: ref, value: "attempt" }
  const seen = (then: Effect.Effect<void>) => Effect.zipLeft(FiberRef.get(ref), then)

  // Under the live clock the value is set in the attempt's own fiber; under the TestClock it is
  // `Effect.locally` around `Effect.timeoutFail`. Either way the attempt sees it and the caller does not.
  for (const [clock, test] of [["the live clock", it.live], ["the TestClock", it.effect]] as const) {
    test(`under ${clock}, the attempt sees the value and the caller keeps its own, after a success`, () =>
      Effect.gen(function*() {
        const inside = yield* timeoutFail(seen(Effect.void), Duration.seconds(10), () => "timeout", local)
        expect(inside).toBe("attempt")
        expect(yield* FiberRef.get(ref)).toBe("caller")
      }))

    test(`under ${clock}, the caller keeps its own value after a failure`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          timeoutFail(Effect.zipRight(FiberRef.get(ref), Effect.fail("failed")), Duration.seconds(10), () =>
            "timeout", local)
        )
        expect(error).toBe("failed")
        expect(yield* FiberRef.get(ref)).toBe("caller")
      }))
  }

  it.live("under the live clock, the caller keeps its own value after a timeout", () =>
    Effect.gen(function*() {
      let inside: string | undefined
      const error = yield* Effect.flip(timeoutFail(
        Effect.zipRight(Effect.tap(FiberRef.get(ref), (value) => (inside = value)), Effect.never),
        Duration.millis(20),
        () => "timeout",
        local
      ))
      expect(error).toBe("timeout")
      expect(inside).toBe("attempt")
      expect(yield* FiberRef.get(ref)).toBe("caller")
    }))
})

describe("UserApi: the platform's http.client span under the live clock", () => {
  const reply = always(() => json({ id: "u1" }))

  it.live("is left out by default (no trace headers sent), for the attempt only", () =>
    Effect.gen(function*() {
      const { spans, tracer } = makeRecordingTracer()
      const mock = makeMock({ api: reply })
      const before = yield* FiberRef.get(HttpClient.currentTracerDisabledWhen)
      yield* getUser(mock, "10 seconds").pipe(Effect.withTracer(tracer))
      expect(spans.map((span) => span.name)).toEqual(["UserApi.getUser"])
      expect(mock.requests[0]!.headers["traceparent"]).toBeUndefined()
      expect(yield* FiberRef.get(HttpClient.currentTracerDisabledWhen)).toBe(before)
    }))

  it.live("is nested in the operation's span with httpClientSpans", () =>
    Effect.gen(function*() {
      const { spans, tracer } = makeRecordingTracer()
      const mock = makeMock({ api: reply })
      yield* withApi(mock, (api) => api.getUser({ realm: "master", userId: "u1" }), { httpClientSpans: true }).pipe(
        Effect.withTracer(tracer)
      )
      const operation = spans.find((span) => span.name === "UserApi.getUser")
      const http = spans.find((span) => span.name.startsWith("http.client"))
      expect(http?.parent._tag === "Some" && http.parent.value.spanId).toBe(operation!.spanId)
      expect(mock.requests[0]!.headers["traceparent"]).toContain(http!.spanId)
    }))
})

const fixture = fileURLToPath(new URL("../build/test/test/fixtures/timer-exit.js", import.meta.url))

/** Runs the fixture; it is killed after 10 s if it has not exited by then. */
const runFixture = (scenario: "answered" | "interrupted") =>
  new Promise<{ readonly code: number | null; readonly output: string }>((resolve) => {
    const child = spawn(process.execPath, [fixture, scenario], { stdio: ["ignore", "pipe", "pipe"] })
    const killer = setTimeout(() => child.kill(), 10_000)
    let output = ""
    child.stdout.on("data", (chunk) => (output += chunk))
    child.stderr.on("data", (chunk) => (output += chunk))
    child.on("exit", (code) => {
      clearTimeout(killer)
      resolve({ code, output })
    })
  })

describe("UserApi: no timer outlives a call (a process with a one-hour timeout exits by itself)", () => {
  it.each(["answered", "interrupted"] as const)("after a call that was %s", async (scenario) => {
    const { code, output } = await runFixture(scenario)
    expect(output.trim()).toBe("done")
    expect(code).toBe(0)
  }, 20_000)
})
