#!/usr/bin/env node
/**
 * `pnpm bench` / `npm run bench`: runs the benchmarks (all, or those named with `--only`), writes
 * `packages/bench/results/<name>.json` for each and regenerates `BENCHMARKS.md` at the repository root from
 * every results file. `--quick` runs smaller counts and shorter durations, for trying it out.
 *
 * Exit codes: 0 when every selected benchmark produced its figures (whether or not a target was met), 1
 * when one failed, 2 for a bad argument.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as os from "node:os"
import { parseArgs } from "node:util"
import { BenchmarkError } from "./BenchError.js"
import type * as Benchmark from "./Benchmark.js"
import * as ClientOverhead from "./ClientOverhead.js"
import * as Load from "./Load.js"
import * as MqttSessions from "./MqttSessions.js"
import * as QueryScaling from "./QueryScaling.js"
import * as Report from "./Report.js"
import * as Startup from "./Startup.js"
import * as Throughput from "./Throughput.js"
import * as TokenSingleFlight from "./TokenSingleFlight.js"

/**
 * Every benchmark, in the issue's order (the `load` run of the robustness section last).
 *
 * @since 0.1.0
 * @category benchmarks
 */
export const benchmarks: ReadonlyArray<Benchmark.Benchmark> = [
  ClientOverhead.benchmark,
  Throughput.benchmark,
  QueryScaling.benchmark,
  TokenSingleFlight.benchmark,
  Startup.benchmark,
  Load.benchmark,
  MqttSessions.benchmark
]

/**
 * How long one benchmark may run before it is stopped and counted as failed.
 *
 * @since 0.1.0
 * @category constants
 */
export const benchmarkTimeout: Duration.Duration = Duration.minutes(3)

const usage = `Usage: node packages/bench/dist/run.js [--only NAME[,NAME...]] [--quick]

Benchmarks: ${benchmarks.map((b) => b.name).join(", ")}
  --only NAME   run only these benchmarks (repeatable, or comma-separated)
  --quick       smaller counts and shorter durations, to try it out (figures not comparable)
  -h, --help    show this help
`

const main = Effect.gen(function*() {
  let values: { readonly only?: Array<string>; readonly quick?: boolean; readonly help?: boolean }
  try {
    values = parseArgs({
      args: process.argv.slice(2).filter((arg) => arg !== "--"),
      options: {
        only: { type: "string", multiple: true },
        quick: { type: "boolean" },
        help: { type: "boolean", short: "h" }
      },
      strict: true,
      allowPositionals: false
    }).values
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`)
    return 2
  }
  if (values.help === true) {
    process.stdout.write(usage)
    return 0
  }
  const only = (values.only ?? []).flatMap((names) => names.split(",")).map((n) => n.trim()).filter((n) => n !== "")
  const unknown = only.filter((n) => !benchmarks.some((b) => b.name === n))
  if (unknown.length > 0) {
    process.stderr.write(`Unknown benchmark: ${unknown.join(", ")}\n\n${usage}`)
    return 2
  }
  const selected = only.length === 0 ? benchmarks : benchmarks.filter((b) => only.includes(b.name))
  const quick = values.quick === true
  const runStarted = performance.now()
  let failures = 0
  for (const benchmark of selected) {
    yield* Effect.log(`${benchmark.name}: ${benchmark.title}${quick ? " (quick)" : ""}`)
    const started = performance.now()
    const loadBefore = os.loadavg()[0]!
    const outcome = yield* benchmark.run({ quick }).pipe(
      Effect.scoped,
      Effect.timeoutFail({
        duration: benchmarkTimeout,
        onTimeout: () =>
          new BenchmarkError({
            benchmark: benchmark.name,
            reason: `did not finish in ${Duration.format(benchmarkTimeout)}`
          })
      }),
      Effect.either
    )
    if (outcome._tag === "Left") {
      failures += 1
      yield* Effect.logError(`${benchmark.name} failed: ${outcome.left.message}`)
      continue
    }
    const report = Report.make(benchmark, outcome.right, {
      quick,
      durationMs: performance.now() - started,
      date: new Date(),
      loadAverage: { before: loadBefore, after: os.loadavg()[0]! }
    })
    yield* Report.write(report)
    for (const target of report.targets) {
      const verdict = target.met === undefined ? "info  " : target.met ? "MET   " : "MISSED"
      yield* Effect.log(`${benchmark.name}: ${verdict} ${target.target}: ${target.measured}`)
    }
  }
  const reports = yield* Report.readAll(benchmarks.map((b) => b.name))
  yield* Report.writeMarkdown(reports)
  yield* Effect.log(
    `wrote ${Report.markdownFile} (${reports.length} results) in ${
      ((performance.now() - runStarted) / 1000).toFixed(1)
    } s`
  )
  return failures === 0 ? 0 : 1
})

const logger = Logger.make(({ date, logLevel, message }) => {
  const text = Array.isArray(message) ? message.join(" ") : String(message)
  const line = `${date.toISOString().slice(11, 19)} ${logLevel.label === "INFO" ? "" : `${logLevel.label} `}${text}\n`
  ;(logLevel.label === "ERROR" ? process.stderr : process.stdout).write(line)
})

main.pipe(
  Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
  Effect.runPromiseExit
).then((exit) => {
  if (exit._tag === "Success") {
    process.exitCode = exit.value
  } else {
    process.stderr.write(`${Cause.pretty(exit.cause)}\n`)
    process.exitCode = 1
  }
})
