/**
 * The per-attempt timeout: `Effect.timeoutFail`'s behaviour at a lower cost when the clock is the live one.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"

/** The default `Clock` instance, whose `sleep` is a `setTimeout`. */
const liveClock = Context.get(DefaultServices.liveServices, Clock.Clock)

/** The longest delay `setTimeout` honours (the live clock never wakes from a longer sleep). */
const maxTimerMillis = 2 ** 31 - 1

/**
 * `self` bounded by `duration`, failing with `onTimeout()` when it runs out, as `Effect.timeoutFail` does:
 * when the time runs out, `self` is interrupted and its interruption awaited before the failure; when the
 * caller is interrupted, so is `self` (and awaited); whichever ends first, `self` or the time, decides.
 *
 * `Effect.timeoutFail` races two forked fibers, `self` and a sleep, then interrupts and awaits the loser:
 * two fibers and several scheduler round trips per call, the largest part of the client's CPU per call over
 * the bare `HttpClient`. With the live clock (the default `Clock` service instance, whose sleep is a
 * `setTimeout`) the same is done with one fiber: `self` is forked, and the caller waits for it in
 * `Effect.async` alongside a `setTimeout` that interrupts it when the time runs out; the timer is cleared as
 * soon as `self` ends, so none outlives the call. With any other clock (a `TestClock`, say) it is
 * `Effect.timeoutFail` itself, so that the time is exactly that clock's time; so it is for a duration longer
 * than a timer can hold. Unlike `Effect.timeoutFail`, a success does not pass the fiber references `self`
 * set back to the caller (merging them back would cost a fifth of what this saves).
 *
 * `local`, when given, is a fiber reference `self` runs with, and only `self` (the caller keeps its value):
 * under the live clock it is set in the attempt's own fiber, which ends with the attempt and passes nothing
 * back, so nothing has to be restored; under any other clock it is `Effect.locally`. The `UserApi` leaves
 * the platform's `http.client` span out this way rather than with `HttpClient.withTracerDisabledWhen`, whose
 * `Effect.locally` around every request (a fiber-ref change and its restoration in an acquire/release) cost
 * 5 to 7 µs of the 75 µs of a `getUser` against an in-memory transport (`packages/bench`'s
 * `client-profile`), 15 to 25 µs of CPU per call over undici.
 *
 * The fork itself stays: it is what lets the time run out on any `HttpClient` (a transport that ignores the
 * request's `AbortSignal`, a mock, a `transformClient` that waits), and with its two scheduler hops it is
 * the largest part of what the client costs over the bare `HttpClient` (about 25 µs of those 75 µs).
 *
 * @internal
 */
export const timeoutFail = <A, E, R, E1, X>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.Duration,
  onTimeout: () => E1,
  local?: Local<X>
): Effect.Effect<A, E | E1, R> => {
  const millis = Duration.toMillis(duration)
  return Effect.clockWith((clock) =>
    clock === liveClock && millis <= maxTimerMillis
      ? withTimer(
        local === undefined ? self : Effect.zipRight(FiberRef.set(local.fiberRef, local.value), self),
        millis,
        onTimeout
      )
      : Effect.timeoutFail(local === undefined ? self : Effect.locally(self, local.fiberRef, local.value), {
        duration,
        onTimeout
      })
  )
}

/**
 * A fiber reference and the value an attempt runs with (see {@link timeoutFail}).
 *
 * @internal
 */
export interface Local<X> {
  readonly fiberRef: FiberRef.FiberRef<X>
  readonly value: X
}

/** `self` in a fiber of its own, awaited alongside a `setTimeout` that interrupts it when the time runs out. */
const withTimer = <A, E, R, E1>(
  self: Effect.Effect<A, E, R>,
  millis: number,
  onTimeout: () => E1
): Effect.Effect<A, E | E1, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(
      Effect.fork(restore(self)),
      (fiber) =>
        restore(Effect.withFiberRuntime<A, E | E1>((parent) =>
          Effect.async<A, E | E1>((resume) => {
            let timedOut = false
            const timer = setTimeout(() => {
              timedOut = true
              fiber.unsafeInterruptAsFork(parent.id())
            }, millis)
            fiber.addObserver((exit) => {
              clearTimeout(timer)
              resume(timedOut ? Effect.fail(onTimeout()) : exit)
            })
            // The caller was interrupted: no timer left behind, and `self` interrupted and awaited.
            return Effect.suspend(() => {
              clearTimeout(timer)
              return Fiber.interrupt(fiber)
            })
          })
        ))
    )
  )
