/**
 * The `UserApi` service: OpenRemote's 24 user operations as typed Effect functions, built from the
 * `@openremote-effect/model` catalogue so that a method, path, body or result can never drift from it.
 *
 * Each method takes the operation's path parameters (named as in the path: `realm`, `userId`,
 * `clientId`, `sessionID`), its body under the catalogue's body name (`user`, `roles`, `locale`,
 * `credential`, `query`), and the optional `xForwardedProto` / `xForwardedHost` (sent as
 * `X-Forwarded-Proto` / `X-Forwarded-Host` only when given). It succeeds with the decoded result (nothing
 * for operations without one, on 200 or 204; a `Redacted` secret for `resetSecret`) or fails with exactly
 * one `OpenRemoteError`.
 *
 * One call: the request is built from the catalogue entry (path parameters percent-encoded; a bad one is an
 * `InvalidRequest` and nothing is sent) → a bearer token from the `TokenProvider` → the attempt, bounded by
 * the per-attempt timeout (default 10 s) → the response matched by status and decoded. A 401 invalidates
 * the token and repeats the call once with a fresh one, never more. Failed attempts are retried as the
 * `RetryPolicy` says (operations the catalogue marks unsafe, i.e. `createUser`, never are). Every call runs in
 * a span `UserApi.<operation>` with the attributes `openremote.operation`, `openremote.realm` (the target
 * realm, or the request realm of the base URL for operations without one) and `http.request.method`; the
 * platform's own `http.client` span is left out unless `httpClientSpans` is set.
 *
 * `HttpClient` stays a requirement: provide `NodeHttpClient.layerUndici` from `@effect/platform-node` on Node
 * (the fastest), `FetchHttpClient.layer` from `@effect/platform` elsewhere, or a mock.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { TokenProvider, UserApi } from "@openremote-effect/client"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const api = yield* UserApi.UserApi
 *   const user = yield* api.createUser({ realm: "smartcity", user: { username: "sensor-01", enabled: true } })
 *   yield* api.updateUserRealmRoles({ realm: "smartcity", userId: user.id!, roles: ["restricted_user"] })
 *   return yield* api.getUser({ realm: "smartcity", userId: user.id! })
 * })
 *
 * const Api = UserApi.layer({ baseUrl: "http://localhost:8080/api/master" }).pipe(
 *   Layer.provide(TokenProvider.clientCredentials({
 *     keycloakUrl: "http://localhost:8081/auth",
 *     realm: "master",
 *     clientId: "serviceuser",
 *     clientSecret: Redacted.make("your_secret")
 *   })),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 *
 * program.pipe(Effect.provide(Api), Effect.runPromise)
 * ```
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { isHttpClientError } from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type { User, UserQuery } from "@openremote-effect/model"
import { Catalogue, type Operation } from "@openremote-effect/model"
import * as Chunk from "effect/Chunk"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Predicate from "effect/Predicate"
import type * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Http from "./internal/http.js"
import { type Local, timeoutFail } from "./internal/timeout.js"
import { requestRealmOf, trimTrailingSlashes, withoutUserInfo } from "./internal/url.js"
import * as OpenRemoteConfig from "./OpenRemoteConfig.js"
import { InvalidRequest, type OpenRemoteError, Timeout } from "./OpenRemoteError.js"
import * as RetryPolicy from "./RetryPolicy.js"
import * as TokenProvider from "./TokenProvider.js"

/**
 * The optional headers every operation accepts (the seed's `x_forwarded_proto` / `x_forwarded_host`);
 * each is sent only when given.
 *
 * @since 0.1.0
 * @category models
 */
export interface ForwardedHeaders {
  /** Sent as `X-Forwarded-Proto`. */
  readonly xForwardedProto?: string | undefined
  /** Sent as `X-Forwarded-Host`. */
  readonly xForwardedHost?: string | undefined
}

/**
 * The argument of an operation's method: the catalogue's `Operation.Input` (path parameters and body)
 * plus the forwarded headers.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Arguments<Op extends Operation.Any> = Operation.Input<Op> & ForwardedHeaders

/**
 * The method of an operation, derived from its catalogue entry: the argument is optional when the
 * operation has no path parameter and no required body.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Method<Op extends Operation.Any> = {} extends Operation.Input<Op>
  ? (options?: Arguments<Op>) => Effect.Effect<Operation.Success<Op>, OpenRemoteError>
  : (options: Arguments<Op>) => Effect.Effect<Operation.Success<Op>, OpenRemoteError>

/**
 * One method per catalogue operation, named as the catalogue names it.
 *
 * @since 0.1.0
 * @category models
 */
export type Operations = { readonly [K in Catalogue.OperationName]: Method<Catalogue.Operations[K]> }

/**
 * The options of {@link Service.streamUsers}.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamUsersOptions extends ForwardedHeaders {
  /** How many users to ask for per page: a positive integer (default {@link defaultPageSize}). */
  readonly pageSize?: number | undefined
}

/**
 * The default page size of {@link Service.streamUsers}: 100.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPageSize = 100

/**
 * The `UserApi` service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service extends Operations {
  /**
   * Creates a user in `realm` and returns it (with `realm` set; username and email lowercased). A service
   * user (`serviceAccount: true`) gets its own client and secret, which the response does not carry, and is
   * enabled unless `enabled: false` is sent (a regular user left without `enabled` is disabled). An existing
   * username, or the id of an existing user whatever the username, is `Forbidden` (the server does not
   * answer `Conflict`); a service user named like a client that is not a service user's (e.g. `admin-cli`)
   * is `BadRequest`. Never retried: a repeated create could make a second user.
   */
  readonly createUser: Method<typeof Catalogue.createUser>
  /**
   * Deletes a user from `realm`; succeeds also for an id that does not exist. The id of a user of another
   * realm is a `ServerError` (500, not retried by the default policy), and that user survives.
   */
  readonly deleteUser: Method<typeof Catalogue.deleteUser>
  /** Disconnects a live (MQTT) session by its `sessionID`; `NotFound` for an unknown session. */
  readonly disconnectUserSession: Method<typeof Catalogue.disconnectUserSession>
  /** The role definitions of client `clientId` in `realm` (an unknown client is a `ServerError`). */
  readonly getClientRoles: Method<typeof Catalogue.getClientRoles>
  /** The user the token belongs to. */
  readonly getCurrentUser: Method<typeof Catalogue.getCurrentUser>
  /** The caller's effective role names of client `clientId` (`[]` for an unknown client). */
  readonly getCurrentUserClientRoles: Method<typeof Catalogue.getCurrentUserClientRoles>
  /** The caller's effective realm role names (built-in roles left out). */
  readonly getCurrentUserRealmRoles: Method<typeof Catalogue.getCurrentUserRealmRoles>
  /**
   * A user of `realm` with every field. A user that is not in the realm (or does not exist at all) is
   * `NotAllowed`, as the server answers it.
   */
  readonly getUser: Method<typeof Catalogue.getUser>
  /** A user's effective role names of client `clientId` (`[]` for an unknown client). */
  readonly getUserClientRoles: Method<typeof Catalogue.getUserClientRoles>
  /** A user's effective realm role names (built-in roles left out). */
  readonly getUserRealmRoles: Method<typeof Catalogue.getUserRealmRoles>
  /** A user's live sessions (`[]` if none). */
  readonly getUserSessions: Method<typeof Catalogue.getUserSessions>
  /**
   * The users matching `query` (all users when left out). String predicates are sent with
   * `predicateType: "string"`, which the server requires. See also {@link Service.streamUsers}.
   */
  readonly queryUsers: Method<typeof Catalogue.queryUsers>
  /** Sends the caller a password-reset mail (a realm without a mail server is a `ServerError`). */
  readonly requestPasswordReset: Method<typeof Catalogue.requestPasswordReset>
  /** Sends a user of `realm` a password-reset mail. */
  readonly requestUserPasswordReset: Method<typeof Catalogue.requestUserPasswordReset>
  /**
   * Generates a new secret for service user `userId` and returns it, `Redacted`, whether the server sends
   * it as raw text or as a JSON string. The server's "204 No Content" for a user that is not found, or a
   * regular user of 16 or more characters (the server looks up the client named by the username after its
   * first 16 characters), is `NotFound` (with `status` 204); a regular user with a shorter username is a
   * `ServerError` (500, not retried by the default policy).
   */
  readonly resetSecret: Method<typeof Catalogue.resetSecret>
  /**
   * Replaces the role definitions of client `clientId` in `realm` (replace-all). A new role (no `id`) whose
   * name a role already has is `Conflict` (409); an unknown client or role id, a bad composite id, or an
   * existing composite role sent without its `compositeRoleIds` is `NotFound` (404).
   */
  readonly updateClientRoles: Method<typeof Catalogue.updateClientRoles>
  /** Sets the caller's locale (sent as a JSON string). */
  readonly updateCurrentUserLocale: Method<typeof Catalogue.updateCurrentUserLocale>
  /** Replaces the caller's password. */
  readonly updateOwnPassword: Method<typeof Catalogue.updateOwnPassword>
  /** Replaces the password of a user of `realm`. */
  readonly updatePassword: Method<typeof Catalogue.updatePassword>
  /** Replaces the role definitions of the `openremote` client in `realm` (replace-all; as `updateClientRoles`). */
  readonly updateRoles: Method<typeof Catalogue.updateRoles>
  /**
   * Updates the caller (first and last name, email, enabled, attributes) and returns it. `enabled` and
   * `attributes` left out keep their values; sent `attributes` replace the map. A body without `username`
   * is a `ServerError` (500, not retried by the default policy).
   */
  readonly updateSelf: Method<typeof Catalogue.updateSelf>
  /**
   * Updates a user of `realm` (creating it when not found) and returns it. As `updateSelf`: `enabled` and
   * `attributes` left out keep their values, and a body without `username` is a `ServerError`.
   */
  readonly updateUser: Method<typeof Catalogue.updateUser>
  /** Replaces a user's roles of client `clientId` (replace-all; unknown names ignored). */
  readonly updateUserClientRoles: Method<typeof Catalogue.updateUserClientRoles>
  /** Replaces a user's realm roles (replace-all; unknown names ignored, built-in roles kept). */
  readonly updateUserRealmRoles: Method<typeof Catalogue.updateUserRealmRoles>
  /**
   * Every user matching `query`, page by page over `queryUsers` (`limit` = `pageSize`, `offset` growing
   * from the query's `offset`, or 0), ordered by username unless the query has an `orderBy`, ending on the
   * first page shorter than `pageSize` (also an empty first page). A query `limit` greater than 0 caps the
   * total. A `pageSize` that is not a positive integer is an `InvalidRequest` (nothing is sent).
   */
  readonly streamUsers: (
    query?: UserQuery.UserQuery,
    options?: StreamUsersOptions
  ) => Stream.Stream<User.User, OpenRemoteError>
}

/**
 * The `UserApi` service tag.
 *
 * @since 0.1.0
 * @category context
 */
export class UserApi extends Context.Tag("@openremote-effect/client/UserApi")<UserApi, Service>() {}

/**
 * The options of {@link make} and {@link layer}. An `OpenRemoteConfig` can be passed as is.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The API base URL including the request realm, e.g. `http://localhost:8080/api/master`. */
  readonly baseUrl: string
  /** How long one attempt may take, body included (default 10 s). */
  readonly timeout?: Duration.DurationInput | undefined
  /** Transforms the `HttpClient` the API calls go through (not the token requests). */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
  /**
   * Whether `@effect/platform`'s own `http.client` span (with the request and response headers as
   * attributes, and the trace propagation headers `traceparent` / `b3` sent to the server) is kept, nested in
   * the operation's span (default `false`: the operation's span alone, which carries the operation, the
   * realm and the method, and records a failure with the typed error; see the client README's *Tracing*
   * section for what each costs).
   */
  readonly httpClientSpans?: boolean | undefined
}

/**
 * What each attempt runs with unless `httpClientSpans` is set: the platform's `http.client` span left out
 * (and so the trace propagation headers), as `HttpClient.withTracerDisabledWhen(() => true)` would, but set
 * in the attempt's own fiber rather than with an `Effect.locally` around every request (see
 * `internal/timeout.ts`).
 */
const untraced: Local<Predicate.Predicate<HttpClientRequest.HttpClientRequest>> = {
  fiberRef: HttpClient.currentTracerDisabledWhen,
  value: () => true
}

/**
 * The default per-attempt timeout: 10 seconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultTimeout: Duration.Duration = Duration.seconds(10)

/**
 * Builds the service. It needs an `HttpClient` and a `TokenProvider`; the `RetryPolicy` in context is used
 * (the default policy when none is provided).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<Service, never, HttpClient.HttpClient | TokenProvider.TokenProvider> =>
  Effect.gen(function*() {
    const given = yield* HttpClient.HttpClient
    const client = options.transformClient === undefined ? given : options.transformClient(given)
    const tokens = yield* TokenProvider.TokenProvider
    const policy = yield* RetryPolicy.RetryPolicy
    const baseUrl = trimTrailingSlashes(options.baseUrl)
    const base = Http.base(baseUrl)
    const requestRealm = requestRealmOf(baseUrl)
    const timeout = Duration.decode(options.timeout ?? defaultTimeout)
    const local = options.httpClientSpans === true ? undefined : untraced

    const method = (operation: Operation.Any) => {
      const spanName = `UserApi.${operation.name}`
      const read = Http.reader(operation)
      const schedule = operation.retrySafe && policy.maxRetries > 0
        ? RetryPolicy.schedule(policy, operation)
        : undefined
      const timedOut = (prepared: Http.Prepared) => () =>
        new Timeout({ operation: operation.name, method: operation.method, url: prepared.url, timeout })

      /** One exchange with one token: send, read the response, all within the per-attempt timeout. */
      const exchange = (prepared: Http.Prepared, token: Redacted.Redacted<string>) =>
        timeoutFail(
          client.execute(HttpClientRequest.bearerToken(prepared.request, token)).pipe(
            Effect.flatMap((response) => read(prepared, response, token)),
            Effect.catchIf(isHttpClientError, (error) => Effect.fail(Http.fromHttpClientError(prepared, error, token)))
          ),
          timeout,
          timedOut(prepared),
          local
        )

      /** An attempt: a token, the exchange; on a 401 (once per call) the token is invalidated and the exchange repeated. */
      const attempt = (prepared: Http.Prepared, refresh: { refreshed: boolean }) =>
        Effect.flatMap(tokens.get, (token) =>
          Effect.catchTag(exchange(prepared, token), "Unauthorized", (error) => {
            if (refresh.refreshed) return Effect.fail(error)
            refresh.refreshed = true
            return tokens.invalidate(token).pipe(
              Effect.zipRight(
                Effect.logDebug(`${operation.name}: the token was refused, retrying with a fresh one`)
              ),
              Effect.zipRight(tokens.get),
              Effect.flatMap((fresh) => exchange(prepared, fresh))
            )
          }))

      /** The call: the first attempt, and only when it fails the retry policy's schedule. */
      const send = (prepared: Http.Prepared): Effect.Effect<unknown, OpenRemoteError> => {
        // One per call: the 401 refresh happens once per call, whatever the retries.
        const refresh = { refreshed: false }
        const first = attempt(prepared, refresh)
        return schedule === undefined ? first : Effect.catchAll(first, (error) => {
          // The schedule sees the first attempt's error, then runs the further attempts.
          let replayed = false
          return Effect.retry(
            Effect.suspend(() => {
              if (replayed) return attempt(prepared, refresh)
              replayed = true
              return Effect.fail(error)
            }),
            schedule
          )
        })
      }

      // Not `Effect.fn`: it captures a stack trace per call (`new Error()` at the call site and for the span),
      // which costs more than the rest of the call path. The span is opened with `captureStackTrace: false`;
      // `prepare` runs inside `suspend`, so an effect returned by a method can be run many times.
      return (input?: Readonly<Record<string, unknown>>): Effect.Effect<unknown, OpenRemoteError> =>
        Effect.suspend(() => {
          const args = input ?? {}
          const realm = typeof args.realm === "string" ? args.realm : requestRealm
          const prepared = Http.prepare(base, operation, args)
          return Effect.withSpan(
            Either.isLeft(prepared) ? Effect.fail(prepared.left) : send(prepared.right),
            spanName,
            {
              attributes: realm === undefined
                ? { "openremote.operation": operation.name, "http.request.method": operation.method }
                : {
                  "openremote.operation": operation.name,
                  "openremote.realm": realm,
                  "http.request.method": operation.method
                },
              captureStackTrace: false
            }
          )
        })
    }

    const operations = Object.fromEntries(
      Catalogue.all.map((operation) => [operation.name, method(operation)])
    ) as unknown as Operations

    const streamUsers = (query: UserQuery.UserQuery = {}, streamOptions: StreamUsersOptions = {}) => {
      const { pageSize = defaultPageSize, ...headers } = streamOptions
      if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
        return Stream.fail(
          new InvalidRequest({
            operation: "streamUsers",
            method: Catalogue.queryUsers.method,
            url: withoutUserInfo(baseUrl + Catalogue.queryUsers.path),
            reason: `pageSize must be a positive integer, got ${pageSize}`
          })
        )
      }
      const orderBy = query.orderBy ?? { property: "USERNAME" as const }
      const pages = Stream.paginateChunkEffect(
        query.offset !== undefined && query.offset > 0 ? query.offset : 0,
        (offset) =>
          Effect.map(
            operations.queryUsers({ ...headers, query: { ...query, orderBy, limit: pageSize, offset } }),
            (users) =>
              [
                Chunk.fromIterable(users),
                users.length < pageSize ? Option.none<number>() : Option.some(offset + pageSize)
              ] as const
          )
      )
      const limited = query.limit !== undefined && query.limit > 0 ? Stream.take(pages, query.limit) : pages
      return limited.pipe(
        Stream.withSpan("UserApi.streamUsers", { attributes: { "openremote.operation": "streamUsers" } })
      )
    }

    return UserApi.of({ ...operations, streamUsers })
  })

/**
 * The service as a layer; it needs an `HttpClient` and a `TokenProvider` (and uses the `RetryPolicy` in
 * context, else the default).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<UserApi, never, HttpClient.HttpClient | TokenProvider.TokenProvider> =>
  Layer.effect(UserApi, make(options))

/**
 * The service configured from an `OpenRemoteConfig` (the `OPENREMOTE_*` variables unless another `Config`
 * is given), with its `TokenProvider` picked from the same configuration: the client-credentials grant when
 * a client secret is set, else the password grant when a username and password are set, else a
 * `ConfigError`. It needs only an `HttpClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<OpenRemoteConfig.OpenRemoteConfig> = OpenRemoteConfig.config
): Layer.Layer<UserApi, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(
    Effect.map(config, (resolved) => layer({ baseUrl: resolved.baseUrl, timeout: resolved.timeout }))
  ).pipe(Layer.provide(TokenProvider.layerConfig(config)))
