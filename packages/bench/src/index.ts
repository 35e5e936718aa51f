/**
 * `@openremote-effect/bench` (private): benchmarks of the client and the simulator, each against a baseline
 * in the same run (`pnpm bench` runs `dist/run.js`), and the pieces the robustness tests share with them:
 * servers under test in child processes, raw requests built from the catalogue, the simulator's control
 * plane, `autocannon` runs, the mixed load, statistics and the reports.
 *
 * @since 0.1.0
 */

/**
 * `autocannon` as an Effect, every status checked.
 *
 * @since 0.1.0
 */
export * as Autocannon from "./Autocannon.js"

/**
 * What a benchmark is and produces.
 *
 * @since 0.1.0
 */
export * as Benchmark from "./Benchmark.js"

/**
 * The errors of the benchmarks and load runs.
 *
 * @since 0.1.0
 */
export * as BenchError from "./BenchError.js"

/**
 * Benchmark 1: the client against raw `fetch`.
 *
 * @since 0.1.0
 */
export * as ClientOverhead from "./ClientOverhead.js"

/**
 * The simulator's HTTP control plane.
 *
 * @since 0.1.0
 */
export * as ControlPlane from "./ControlPlane.js"

/**
 * The 20 s mixed-load run of the robustness section.
 *
 * @since 0.1.0
 */
export * as Load from "./Load.js"

/**
 * The machine a benchmark ran on.
 *
 * @since 0.1.0
 */
export * as Machine from "./Machine.js"

/**
 * Mixed reads and writes under load, and the simulator's memory before and after.
 *
 * @since 0.1.0
 */
export * as MixedLoad from "./MixedLoad.js"

/**
 * Benchmark 3: query latency at 1k, 10k and 100k users.
 *
 * @since 0.1.0
 */
export * as QueryScaling from "./QueryScaling.js"

/**
 * Results files and the generated `BENCHMARKS.md`.
 *
 * @since 0.1.0
 */
export * as Report from "./Report.js"

/**
 * Raw requests built from the catalogue, and tokens.
 *
 * @since 0.1.0
 */
export * as Requests from "./Requests.js"

/**
 * The worlds the benchmarks run against.
 *
 * @since 0.1.0
 */
export * as Seeds from "./Seeds.js"

/**
 * Servers under test in child processes.
 *
 * @since 0.1.0
 */
export * as ServerProcess from "./ServerProcess.js"

/**
 * Benchmark 5: the CLI's start-up.
 *
 * @since 0.1.0
 */
export * as Startup from "./Startup.js"

/**
 * Percentiles, ratios and formatting.
 *
 * @since 0.1.0
 */
export * as Stats from "./Stats.js"

/**
 * Benchmark 2: simulator throughput against a hello-world fastify.
 *
 * @since 0.1.0
 */
export * as Throughput from "./Throughput.js"

/**
 * Benchmark 4: one token request for 1,000 concurrent calls.
 *
 * @since 0.1.0
 */
export * as TokenSingleFlight from "./TokenSingleFlight.js"
