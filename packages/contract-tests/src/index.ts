/**
 * `@openremote-effect/contract-tests` (private): the harness of the contract tests, which hold
 * `@openremote-effect/client` and `@openremote-effect/simulator` (or a live OpenRemote) to each other and
 * to the OpenAPI document, over real HTTP.
 *
 * @since 0.1.0
 */

/**
 * The `UserApi` as a given caller of the target, recorded.
 *
 * @since 0.1.0
 */
export * as Callers from "./Callers.js"

/**
 * Responses judged against the OpenAPI document with the model's `SpecDifferences` applied.
 *
 * @since 0.1.0
 */
export * as Conformance from "./Conformance.js"

/**
 * Uniquely named users, people and service users, deleted again.
 *
 * @since 0.1.0
 */
export * as Fixtures from "./Fixtures.js"

/**
 * Every API exchange of the client, recorded and judged as it arrives.
 *
 * @since 0.1.0
 */
export * as Recorder from "./Recorder.js"

/**
 * Which catalogue operation a request is.
 *
 * @since 0.1.0
 */
export * as Routes from "./Routes.js"

/**
 * The simulator on a free port, or a live OpenRemote.
 *
 * @since 0.1.0
 */
export * as Target from "./Target.js"
