/**
 * What a benchmark is and what it produces: its figures (as JSON and as tables), the targets of the issue
 * with whether each was met, and notes. Every benchmark runs its baseline in the same run and reports
 * ratios to it.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { BenchmarkError, ServerProcessError, UnexpectedResponse } from "./BenchError.js"

/**
 * A target and whether the run met it; `met` is `undefined` for a figure the issue sets no target for.
 *
 * @since 0.1.0
 * @category models
 */
export interface Target {
  /** The target as the issue states it, e.g. `client/raw wall time at concurrency 32 ≤ 1.2`. */
  readonly target: string
  /** What was measured, e.g. `1.07`. */
  readonly measured: string
  readonly met: boolean | undefined
}

/**
 * A table of figures, as text cells.
 *
 * @since 0.1.0
 * @category models
 */
export interface Table {
  readonly title: string
  readonly columns: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
}

/**
 * What a benchmark run produces.
 *
 * @since 0.1.0
 * @category models
 */
export interface Result {
  /** The counts, durations and sizes used (JSON). */
  readonly parameters: Readonly<Record<string, unknown>>
  /** Every figure measured (JSON). */
  readonly figures: unknown
  readonly tables: ReadonlyArray<Table>
  readonly targets: ReadonlyArray<Target>
  readonly notes: ReadonlyArray<string>
}

/**
 * How a benchmark is run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Smaller counts and shorter durations, for trying the benchmarks out (the figures are not comparable). */
  readonly quick: boolean
}

/**
 * Everything a benchmark may fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type Failure = BenchmarkError | ServerProcessError | UnexpectedResponse

/**
 * A benchmark.
 *
 * @since 0.1.0
 * @category models
 */
export interface Benchmark {
  /** The name of `--only` and of `results/<name>.json`, e.g. `client-overhead`. */
  readonly name: string
  readonly title: string
  /** What is measured. */
  readonly measures: string
  /** Against what, in the same run. */
  readonly baseline: string
  /** Runs it; child processes it starts are stopped when the scope closes. */
  readonly run: (options: Options) => Effect.Effect<Result, Failure, Scope.Scope>
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (benchmark: Benchmark): Benchmark => benchmark

/**
 * A target that is met when `ok`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const target = (target: string, measured: string, ok: boolean): Target => ({ target, measured, met: ok })

/**
 * A figure the issue sets no target for.
 *
 * @since 0.1.0
 * @category constructors
 */
export const informational = (target: string, measured: string): Target => ({ target, measured, met: undefined })
