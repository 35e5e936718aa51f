/**
 * The `load` benchmark: the robustness test's mixed read/write load ({@link MixedLoad}) for 20 s instead of
 * 5 s, with its figures reported: no errors, no unexpected status, and the simulator's heap back within 10%
 * of its start after the run.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Benchmark from "./Benchmark.js"
import * as MixedLoad from "./MixedLoad.js"
import * as Seeds from "./Seeds.js"
import * as ServerProcess from "./ServerProcess.js"
import * as Stats from "./Stats.js"

const name = "load"

/**
 * The benchmark.
 *
 * @since 0.1.0
 * @category benchmarks
 */
export const benchmark: Benchmark.Benchmark = Benchmark.make({
  name,
  title: "Mixed load (robustness, 20 s variant)",
  measures: "100 connections of mixed reads and writes for 20 s (each repeats getUser, a prefix queryUsers, " +
    "createUser, getUser of the new user, updateUser, deleteUser, getCurrentUser), after a warm-up of 12,000 " +
    "requests: errors, statuses other than the operation's success status, requests/s, latency, and the " +
    "simulator's heap after a forced GC before and after the run.",
  baseline: "the simulator's own heap after the warm-up (forced GC, measured in its process over IPC): the heap " +
    "after the run must be within 10% of it.",
  run: Effect.fn("Load.run")(function*(options: Benchmark.Options) {
    const duration = options.quick ? 5 : 20
    const server = yield* ServerProcess.fork({ kind: "simulator", tokenLifespan: 3_600, realms: [Seeds.benchRealm] })
    yield* Effect.log(`${name}: warm-up, then 100 connections for ${duration} s`)
    const result = yield* MixedLoad.run(server, { duration })
    const alive = yield* server.alive
    const { heap, load } = result
    return {
      parameters: { connections: load.connections, durationSeconds: duration, warmupRequests: result.warmup.requests },
      figures: result,
      tables: [
        {
          title: "Load",
          columns: ["requests", "req/s", "p50 (ms)", "p99 (ms)", "errors", "timeouts", "unexpected statuses"],
          rows: [[
            load.requests.toLocaleString("en-US"),
            Stats.format(load.requestsPerSecond),
            Stats.format(load.latency.p50),
            Stats.format(load.latency.p99),
            String(load.errors),
            String(load.timeouts),
            String(load.unexpectedCount)
          ]]
        },
        {
          title: "Responses by request",
          columns: ["request", "statuses"],
          rows: Object.entries(load.statuses).map(([request, statuses]) => [
            request,
            Object.entries(statuses).map(([status, count]) => `${status}: ${count.toLocaleString("en-US")}`).join(", ")
          ])
        },
        {
          title: "Simulator memory (forced GC)",
          columns: ["", "heap used", "resident"],
          rows: [
            ["before the warm-up", Stats.mebibytes(heap.cold), Stats.mebibytes(result.rss.cold)],
            ["after the warm-up (start)", Stats.mebibytes(heap.start), Stats.mebibytes(result.rss.start)],
            ["after the run (end)", Stats.mebibytes(heap.end), Stats.mebibytes(result.rss.end)],
            ["end / start", Stats.format(result.heapRatio), Stats.format(result.rss.end / result.rss.start)]
          ]
        }
      ],
      targets: [
        Benchmark.target(
          "no errors, no unexpected status",
          `${load.errors} errors, ${load.timeouts} timeouts, ${load.unexpectedCount} unexpected`,
          load.errors === 0 && load.unexpectedCount === 0
        ),
        Benchmark.target(
          "heap after the run within 10% of its start",
          `${Stats.format(result.heapRatio)} (${Stats.mebibytes(heap.start)} → ${Stats.mebibytes(heap.end)})`,
          result.heapWithinTenPercent
        ),
        Benchmark.target("the simulator process is still up", alive ? "up" : "exited", alive)
      ],
      notes: [
        "The start is the heap after the warm-up, when the journal holds its 10,000 newest entries (its capacity); " +
        "the heap before the warm-up is shown for comparison.",
        "Every created user is deleted in the same sequence, so the number of users does not grow."
      ]
    }
  })
})
