/**
 * `autocannon` as an Effect: a load run that is stopped when interrupted, with every response's status
 * checked against what the request expects (a request's catalogue success status), and its result reduced
 * to the figures the reports show.
 *
 * @since 0.1.0
 */
import autocannon from "autocannon"
import * as Effect from "effect/Effect"
import { BenchmarkError } from "./BenchError.js"

/**
 * One request of a sequence: `autocannon`'s request, plus the status it must get and a name for the counts.
 *
 * @since 0.1.0
 * @category models
 */
export interface Step extends autocannon.Request {
  /** The operation, e.g. `getUser`; statuses are counted per name. */
  readonly name: string
  readonly expect: number
}

/**
 * A load run's figures. Latencies are in milliseconds, as `autocannon` measures them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Summary {
  readonly connections: number
  readonly durationSeconds: number
  readonly requests: number
  /** Requests per second (the mean of `autocannon`'s per-second samples). */
  readonly requestsPerSecond: number
  readonly latency: {
    readonly mean: number
    readonly p50: number
    readonly p90: number
    readonly p99: number
    readonly max: number
  }
  /** Connection errors, timeouts included. */
  readonly errors: number
  readonly timeouts: number
  readonly non2xx: number
  /** Responses by request name and status. */
  readonly statuses: Readonly<Record<string, Readonly<Record<string, number>>>>
  /** Responses whose status was not the one their request expects, by request name and status. */
  readonly unexpected: Readonly<Record<string, Readonly<Record<string, number>>>>
  readonly unexpectedCount: number
}

/**
 * How to run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The origin, e.g. `http://127.0.0.1:43210`. */
  readonly url: string
  readonly connections: number
  /** Seconds; ignored when `amount` is given. */
  readonly duration?: number | undefined
  /** Stop after this many requests instead of after `duration`. */
  readonly amount?: number | undefined
  /** The sequence each connection repeats. */
  readonly steps: ReadonlyArray<Step>
  /** Headers of every request (a step's own headers replace them). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Seconds a response may take before it counts as a timeout (default 10). */
  readonly timeout?: number | undefined
}

const count = (table: Record<string, Record<string, number>>, name: string, status: number) => {
  const row = (table[name] ??= {})
  row[String(status)] = (row[String(status)] ?? 0) + 1
}

/**
 * Runs `autocannon` (see {@link Options}); interrupting the effect stops it.
 *
 * @since 0.1.0
 * @category running
 */
export const run: (options: Options) => Effect.Effect<Summary, BenchmarkError> = Effect.fn("Autocannon.run")(
  function*(options: Options) {
    const statuses: Record<string, Record<string, number>> = {}
    const unexpected: Record<string, Record<string, number>> = {}
    let unexpectedCount = 0
    // One step: its statuses are autocannon's own counts, and no response callback adds to the load
    // generator's work. Several steps: a callback counts each step's statuses.
    const single = options.steps.length === 1 && options.steps[0]!.onResponse === undefined
    const requests = options.steps.map(({ expect, name, onResponse, ...request }): autocannon.Request =>
      single ? request : {
        ...request,
        onResponse: (status, body, context, headers) => {
          count(statuses, name, status)
          if (status !== expect) {
            unexpectedCount += 1
            count(unexpected, name, status)
          }
          if (typeof onResponse === "function") onResponse(status, body, context, headers)
        }
      }
    )
    const result = yield* Effect.async<autocannon.Result, BenchmarkError>((resume) => {
      const instance = autocannon(
        {
          url: options.url,
          connections: options.connections,
          ...(options.amount === undefined ? { duration: options.duration ?? 10 } : { amount: options.amount }),
          timeout: options.timeout ?? 10,
          headers: { ...options.headers },
          requests
        },
        (error, result) => {
          if (error !== null && error !== undefined) {
            resume(Effect.fail(new BenchmarkError({ benchmark: "autocannon", reason: String(error) })))
          } else {
            resume(Effect.succeed(result))
          }
        }
      )
      return Effect.sync(() => instance.stop())
    })
    if (single) {
      const { expect, name } = options.steps[0]!
      for (const [status, { count: n = 0 }] of Object.entries(result.statusCodeStats ?? {})) {
        ;(statuses[name] ??= {})[status] = n
        if (Number(status) !== expect) {
          unexpectedCount += n
          ;(unexpected[name] ??= {})[status] = n
        }
      }
    }
    return {
      connections: options.connections,
      durationSeconds: result.duration,
      requests: result.requests.total,
      requestsPerSecond: result.requests.average,
      latency: {
        mean: result.latency.mean,
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max
      },
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      statuses,
      unexpected,
      unexpectedCount
    }
  }
)
