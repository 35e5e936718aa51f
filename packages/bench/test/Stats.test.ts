import { describe, expect, it } from "@effect/vitest"
import * as Stats from "../src/Stats.js"

describe("Stats", () => {
  it("quantile is the nearest rank of the sorted samples", () => {
    const sorted = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(Stats.quantile(sorted, 0.5)).toBe(5)
    expect(Stats.quantile(sorted, 0.9)).toBe(9)
    expect(Stats.quantile(sorted, 0.99)).toBe(10)
    expect(Stats.quantile(sorted, 0.01)).toBe(1)
    expect(Stats.quantile([], 0.5)).toBeNaN()
  })

  it("summarize sorts, and reports count, mean, min, percentiles and max", () => {
    const summary = Stats.summarize([9, 1, 5, 3, 7, 2, 8, 4, 6, 10])
    expect(summary).toEqual({ count: 10, mean: 5.5, min: 1, p50: 5, p90: 9, p99: 10, max: 10 })
    expect(Stats.summarize([]).count).toBe(0)
    expect(Stats.summarize([]).mean).toBeNaN()
  })

  it("median and ratio", () => {
    expect(Stats.median([3, 1, 2])).toBe(2)
    expect(Stats.ratio(3, 2)).toBe(1.5)
    expect(Stats.ratio(1, 0)).toBeNaN()
  })

  it("round keeps 3 significant digits, and whole numbers whole", () => {
    expect(Stats.round(1.23456)).toBe(1.23)
    expect(Stats.round(0.0012345)).toBe(0.00123)
    expect(Stats.round(12345.6)).toBe(12346)
    expect(Stats.round(0)).toBe(0)
    expect(Stats.format(12345.6)).toBe("12,346")
    expect(Stats.format(Number.NaN)).toBe("n/a")
    expect(Stats.mebibytes(3 * 1024 * 1024)).toBe("3.0 MiB")
  })
})
