/**
 * `@openremote-effect/simulator`: an offline, stateful simulator of OpenRemote's user API and of the Keycloak
 * token endpoints it relies on, on fastify. Start it in-process (`Simulator.startSimulator`), build it for
 * `inject()` tests (`Simulator.buildSimulator`), or run the CLI (`openremote-simulator`).
 *
 * @since 0.1.0
 */

/**
 * `main(argv, io)` of the command line.
 *
 * @since 0.1.0
 */
export * as Cli from "./cli.js"

/**
 * The simulator's clock.
 *
 * @since 0.1.0
 */
export * as Clock from "./Clock.js"

/**
 * The control plane: reset, load, snapshot, faults, clock, journal, sessions, mail.
 *
 * @since 0.1.0
 */
export * as Control from "./Control.js"

/**
 * Injected faults.
 *
 * @since 0.1.0
 */
export * as Faults from "./Faults.js"

/**
 * The request journal.
 *
 * @since 0.1.0
 */
export * as Journal from "./Journal.js"

/**
 * The seed: the world the simulator starts from.
 *
 * @since 0.1.0
 */
export * as Seed from "./Seed.js"

/**
 * `buildSimulator` and `startSimulator`.
 *
 * @since 0.1.0
 */
export * as Simulator from "./Simulator.js"

/**
 * The errors of the programmatic API.
 *
 * @since 0.1.0
 */
export * as SimulatorError from "./SimulatorError.js"

/**
 * The in-memory state.
 *
 * @since 0.1.0
 */
export * as Store from "./Store.js"

/**
 * Keys and tokens.
 *
 * @since 0.1.0
 */
export * as Tokens from "./Tokens.js"

/**
 * The app factory and the starter, also at the top level: `import { startSimulator } from
 * "@openremote-effect/simulator"`.
 *
 * @since 0.1.0
 */
export { buildSimulator, startSimulator } from "./Simulator.js"

/**
 * @since 0.1.0
 */
export type { RunningSimulator, SimulatorOptions } from "./Simulator.js"
