/**
 * When and how long the client waits before repeating a failed attempt.
 *
 * The default policy retries transport failures, timeouts, and the statuses 408, 429, 502, 503 and 504
 * (not 500: OpenRemote uses it for permanent failures such as a missing mail server); at most 3 retries;
 * waits grow exponentially from 100 ms (factor 2), each multiplied by a random jitter factor in
 * [0.8, 1.2) and capped at 5 s; a `Retry-After` header (delta-seconds or an HTTP date, read against
 * Effect's `Clock`) makes the wait at least that long, up to 30 s. Operations the catalogue marks unsafe
 * to repeat (`createUser`) are never retried, whatever the policy.
 *
 * `RetryPolicy` is a `Context.Reference`: the default applies when no policy is provided. Provide another
 * with {@link layer} (or {@link layerNone}) to the `UserApi` layer.
 *
 * @example
 * ```ts
 * import { RetryPolicy, TokenProvider, UserApi } from "@openremote-effect/client"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer, Redacted } from "effect"
 *
 * const Api = UserApi.layer({ baseUrl: "http://localhost:8080/api/master" }).pipe(
 *   Layer.provide(RetryPolicy.layer({ maxRetries: 5, maxDelay: "10 seconds" })),
 *   Layer.provide(TokenProvider.static(Redacted.make("a-token"))),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import type { Operation } from "@openremote-effect/model"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as OpenRemoteError from "./OpenRemoteError.js"

/**
 * A resolved retry policy.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The most retries after the first attempt. */
  readonly maxRetries: number
  /** The wait before the first retry, before jitter. */
  readonly baseDelay: Duration.Duration
  /** How much each wait grows over the one before. */
  readonly factor: number
  /** The longest wait from the backoff (after jitter). */
  readonly maxDelay: Duration.Duration
  /** The longest wait a `Retry-After` header can ask for. */
  readonly maxRetryAfter: Duration.Duration
  /** Turns a backoff wait into the jittered wait. */
  readonly jitter: (delay: Duration.Duration) => Effect.Effect<Duration.Duration>
  /** The HTTP statuses that are retried. */
  readonly retryableStatuses: ReadonlyArray<number>
  /** Whether a `TransportError` is retried. */
  readonly retryTransportErrors: boolean
  /** Whether a `Timeout` is retried. */
  readonly retryTimeouts: boolean
}

/**
 * How to build a policy; every field has the default's value when left out.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The most retries after the first attempt (default 3). */
  readonly maxRetries?: number | undefined
  /** The wait before the first retry, before jitter (default 100 ms). */
  readonly baseDelay?: Duration.DurationInput | undefined
  /** How much each wait grows over the one before (default 2). */
  readonly factor?: number | undefined
  /** The longest backoff wait, applied after jitter (default 5 s). */
  readonly maxDelay?: Duration.DurationInput | undefined
  /** The longest wait a `Retry-After` header can ask for (default 30 s). */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  /**
   * `true` (default): each wait multiplied by a random factor in [0.8, 1.2), from Effect's `Random`;
   * `false`: no jitter; or a function from the backoff wait to the wait.
   */
  readonly jitter?: boolean | ((delay: Duration.Duration) => Effect.Effect<Duration.Duration>) | undefined
  /** The HTTP statuses that are retried (default 408, 429, 502, 503, 504). */
  readonly retryableStatuses?: ReadonlyArray<number> | undefined
  /** Whether a `TransportError` is retried (default `true`). */
  readonly retryTransportErrors?: boolean | undefined
  /** Whether a `Timeout` is retried (default `true`). */
  readonly retryTimeouts?: boolean | undefined
}

/**
 * The default jitter: the wait multiplied by a factor drawn from Effect's `Random` in [0.8, 1.2) (as
 * `Schedule.jittered` does), rounded to whole milliseconds.
 *
 * @since 0.1.0
 * @category jitter
 */
export const randomJitter = (delay: Duration.Duration): Effect.Effect<Duration.Duration> =>
  Effect.map(Random.nextRange(0.8, 1.2), (factor) => Duration.millis(Math.round(Duration.toMillis(delay) * factor)))

/**
 * No jitter.
 *
 * @since 0.1.0
 * @category jitter
 */
export const noJitter = (delay: Duration.Duration): Effect.Effect<Duration.Duration> => Effect.succeed(delay)

/**
 * The statuses the default policy retries: 408, 429, 502, 503 and 504.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRetryableStatuses: ReadonlyArray<number> = [408, 429, 502, 503, 504]

const nonNegativeInteger = (name: string, value: number): number => {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`RetryPolicy: ${name} must be a non-negative integer, got ${value}`)
  }
  return value
}

/**
 * A policy from options; what is left out takes the default's value. A `maxRetries` that is not a
 * non-negative integer, or a `factor` below 1, is a programming error and throws a `RangeError`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Service => {
  const factor = options.factor ?? 2
  if (!(factor >= 1)) {
    throw new RangeError(`RetryPolicy: factor must be at least 1, got ${factor}`)
  }
  return {
    maxRetries: nonNegativeInteger("maxRetries", options.maxRetries ?? 3),
    baseDelay: Duration.decode(options.baseDelay ?? "100 millis"),
    factor,
    maxDelay: Duration.decode(options.maxDelay ?? "5 seconds"),
    maxRetryAfter: Duration.decode(options.maxRetryAfter ?? "30 seconds"),
    jitter: options.jitter === undefined || options.jitter === true
      ? randomJitter
      : options.jitter === false
      ? noJitter
      : options.jitter,
    retryableStatuses: options.retryableStatuses ?? defaultRetryableStatuses,
    retryTransportErrors: options.retryTransportErrors ?? true,
    retryTimeouts: options.retryTimeouts ?? true
  }
}

/**
 * The default policy (see the module description).
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultPolicy: Service = make()

/**
 * A policy that never retries.
 *
 * @since 0.1.0
 * @category constructors
 */
export const none: Service = make({ maxRetries: 0 })

/**
 * The retry policy of the `UserApi`. When none is provided, {@link defaultPolicy} applies.
 *
 * @since 0.1.0
 * @category context
 */
export class RetryPolicy extends Context.Reference<RetryPolicy>()("@openremote-effect/client/RetryPolicy", {
  defaultValue: (): Service => defaultPolicy
}) {}

/**
 * Provides a policy built from `options`. The policy is built when the layer is, so invalid options (see
 * {@link make}) never throw where the layer is defined: building the layer dies with the `RangeError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<RetryPolicy> => Layer.sync(RetryPolicy, () => make(options))

/**
 * Provides {@link none}: no call is ever retried.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerNone: Layer.Layer<RetryPolicy> = Layer.succeed(RetryPolicy, none)

/**
 * Whether the policy retries `error` (whatever the operation).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRetryable = (policy: Service, error: OpenRemoteError.OpenRemoteError): boolean => {
  switch (error._tag) {
    case "TransportError":
      return policy.retryTransportErrors
    case "Timeout":
      return policy.retryTimeouts
    case "AuthenticationError":
    case "DecodeError":
    case "InvalidRequest":
      return false
    default:
      return policy.retryableStatuses.includes(error.status)
  }
}

/**
 * The wait before retry number `retry + 1` (0-based `retry`) after `error`: the exponential backoff
 * `baseDelay * factor^retry`, jittered, capped at `maxDelay`; at least the error's `Retry-After` (capped at
 * `maxRetryAfter`) when it has one.
 *
 * @since 0.1.0
 * @category schedules
 */
export const delay = (
  policy: Service,
  retry: number,
  error: OpenRemoteError.OpenRemoteError
): Effect.Effect<Duration.Duration> =>
  Effect.map(
    policy.jitter(Duration.millis(Duration.toMillis(policy.baseDelay) * Math.pow(policy.factor, retry))),
    (jittered) => {
      const backoff = Duration.min(jittered, policy.maxDelay)
      const asked = OpenRemoteError.retryAfter(error)
      return asked === undefined ? backoff : Duration.max(backoff, Duration.min(asked, policy.maxRetryAfter))
    }
  )

/**
 * The policy as a `Schedule` over the errors of an operation: it continues while the error is retryable
 * and fewer than `maxRetries` retries were made, waiting {@link delay} each time, and logs each retry at
 * debug level. An operation the catalogue marks unsafe to repeat (`retrySafe: false`) gets a schedule that
 * never continues.
 *
 * @since 0.1.0
 * @category schedules
 */
export const schedule = (
  policy: Service,
  operation: Pick<Operation.Any, "name" | "retrySafe">
): Schedule.Schedule<unknown, OpenRemoteError.OpenRemoteError> =>
  Schedule.identity<OpenRemoteError.OpenRemoteError>().pipe(
    Schedule.whileInput((error) => operation.retrySafe && isRetryable(policy, error)),
    Schedule.intersect(Schedule.recurs(policy.maxRetries)),
    Schedule.modifyDelayEffect(([error, retry]) =>
      Effect.tap(
        delay(policy, retry, error),
        (wait) =>
          Effect.logDebug(`${operation.name}: retry ${retry + 1} of ${policy.maxRetries} in ${Duration.format(wait)}`)
            .pipe(Effect.annotateLogs({ "openremote.operation": operation.name, "openremote.error": error.message }))
      )
    )
  )
