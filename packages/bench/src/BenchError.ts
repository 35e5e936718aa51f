/**
 * The errors of the benchmarks and of the load runs: a child server that would not start or answer, a
 * response other than the one expected, and a benchmark that could not produce its figures. None of them
 * ever holds a token, a password or a client secret.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A child server process failed: it did not start, did not answer over IPC in time, or exited.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerProcessError extends Schema.TaggedError<ServerProcessError>(
  "@openremote-effect/bench/ServerProcessError"
)("ServerProcessError", {
  /** What the child was: `simulator`, `hello` or `cli`. */
  server: Schema.String,
  reason: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.server} server process: ${this.reason}`
  }
}

/**
 * A request did not get the response a benchmark or a load run relies on (a wrong status, or no response).
 *
 * @since 0.1.0
 * @category errors
 */
export class UnexpectedResponse extends Schema.TaggedError<UnexpectedResponse>(
  "@openremote-effect/bench/UnexpectedResponse"
)("UnexpectedResponse", {
  /** The catalogue operation, `token`, or a control-plane function. */
  operation: Schema.String,
  method: Schema.String,
  url: Schema.String,
  /** The status answered; 0 when there was no response. */
  status: Schema.Number,
  /** At most 300 characters of the body, or the transport failure. */
  detail: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.operation}: ${this.method} ${this.url} answered ${this.status}${
      this.detail === "" ? "" : `: ${this.detail}`
    }`
  }
}

/**
 * A benchmark could not produce its figures (a call failed, a count did not add up, or it ran out of time).
 *
 * @since 0.1.0
 * @category errors
 */
export class BenchmarkError extends Schema.TaggedError<BenchmarkError>("@openremote-effect/bench/BenchmarkError")(
  "BenchmarkError",
  {
    benchmark: Schema.String,
    reason: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.benchmark}: ${this.reason}`
  }
}
