/**
 * Latency statistics and ratios: nearest-rank percentiles over every sample (no histogram buckets), and
 * the rounding the reports use.
 *
 * @since 0.1.0
 */

/**
 * A summary of latency samples, in milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface Summary {
  readonly count: number
  readonly mean: number
  readonly min: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
}

/**
 * The nearest-rank `q`-quantile (0 < q ≤ 1) of ascending `sorted` samples; `NaN` when there are none.
 *
 * @since 0.1.0
 * @category statistics
 */
export const quantile = (sorted: ArrayLike<number>, q: number): number => {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil(q * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

/**
 * The summary of `samples` (any order).
 *
 * @since 0.1.0
 * @category statistics
 */
export const summarize = (samples: ArrayLike<number>): Summary => {
  const sorted = Float64Array.from(samples).sort()
  let sum = 0
  for (const sample of sorted) sum += sample
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    min: sorted.length === 0 ? Number.NaN : sorted[0]!,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!
  }
}

/**
 * The median of `values`.
 *
 * @since 0.1.0
 * @category statistics
 */
export const median = (values: ArrayLike<number>): number => quantile(Float64Array.from(values).sort(), 0.5)

/**
 * `numerator / denominator`, `NaN` when the denominator is 0.
 *
 * @since 0.1.0
 * @category statistics
 */
export const ratio = (numerator: number, denominator: number): number =>
  denominator === 0 ? Number.NaN : numerator / denominator

/**
 * A number rounded to `digits` significant digits (integers of more digits keep theirs), for reports.
 *
 * @since 0.1.0
 * @category formatting
 */
export const round = (value: number, digits = 3): number => {
  if (!Number.isFinite(value) || value === 0) return value
  const magnitude = Math.floor(Math.log10(Math.abs(value))) + 1
  const decimals = Math.max(0, digits - magnitude)
  return Number(value.toFixed(decimals))
}

/**
 * A figure as text: rounded to 3 significant digits, with thousands separators; `n/a` when not finite.
 *
 * @since 0.1.0
 * @category formatting
 */
export const format = (value: number, digits = 3): string =>
  Number.isFinite(value) ? round(value, digits).toLocaleString("en-US", { maximumFractionDigits: 6 }) : "n/a"

/**
 * Bytes as MiB text, one decimal.
 *
 * @since 0.1.0
 * @category formatting
 */
export const mebibytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`
