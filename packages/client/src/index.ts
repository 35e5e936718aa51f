/**
 * `@openremote-effect/client`: a typed Effect client for OpenRemote's user REST API. The 24 operations of
 * the `@openremote-effect/model` catalogue as the `UserApi` service, with typed errors, retries, per-attempt
 * timeouts, tracing spans and token handling. `HttpClient` stays a requirement: provide
 * `FetchHttpClient.layer` from `@effect/platform`.
 *
 * @since 0.1.0
 */

/**
 * Where the manager and Keycloak are, and the credentials, read from `OPENREMOTE_*` variables.
 *
 * @since 0.1.0
 */
export * as OpenRemoteConfig from "./OpenRemoteConfig.js"

/**
 * The closed set of errors of the client.
 *
 * @since 0.1.0
 */
export * as OpenRemoteError from "./OpenRemoteError.js"

/**
 * When and how long failed attempts are retried.
 *
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.js"

/**
 * Access tokens: static, client credentials, password (with refresh) or custom; cached and single-flight.
 *
 * @since 0.1.0
 */
export * as TokenProvider from "./TokenProvider.js"

/**
 * The `UserApi` service: the 24 user operations and `streamUsers`.
 *
 * @since 0.1.0
 */
export * as UserApi from "./UserApi.js"
