/**
 * Callers: the `UserApi` of `@openremote-effect/client` as a given caller of the target, over real HTTP
 * (`FetchHttpClient`), with every API exchange going through the {@link Recorder}.
 *
 * Each caller is a `UserApi.Service` value built in the current scope, so that one test can hold several
 * (a super user, a realm user, an anonymous caller) at once.
 *
 * Anonymous callers: the client always sends the token its `TokenProvider` gives, and a provider that yields
 * an empty token sends `Authorization: Bearer `, which the server refuses as an invalid token (401), so it is
 * not anonymous. {@link anonymous} therefore drops the `Authorization` header in the client's
 * `transformClient`, after the client added it: the request goes through the client's whole pipeline
 * (request building, retries, response reading, typed errors) and reaches the server without credentials.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { RetryPolicy, TokenProvider, UserApi } from "@openremote-effect/client"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { Recorder } from "./Recorder.js"
import { apiUrl, type Service as TargetService, Target } from "./Target.js"

/**
 * How a caller obtains its tokens.
 *
 * @since 0.1.0
 * @category models
 */
export type Tokens = Layer.Layer<TokenProvider.TokenProvider, never, HttpClient.HttpClient>

/**
 * A caller.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The request realm: the realm of the caller's tokens (`/api/{realm}`). */
  readonly realm: string
  readonly tokens: Tokens
  /** Drop the `Authorization` header the client adds (see the module description). */
  readonly anonymous?: boolean | undefined
  /** A retry policy other than the client's default. */
  readonly retryPolicy?: RetryPolicy.Options | undefined
  /** A per-attempt timeout other than the client's default (10 s). */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * An `HttpClient` that sends its requests without an `Authorization` header.
 *
 * @since 0.1.0
 * @category transformations
 */
export const withoutAuthorization = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.mapRequest(
    client,
    (request) =>
      HttpClientRequest.modify(HttpClientRequest.make(request.method)(request.url), {
        headers: Headers.remove(request.headers, "authorization"),
        urlParams: request.urlParams,
        body: request.body,
        hash: Option.getOrUndefined(request.hash)
      })
  )

/**
 * The `UserApi` of a caller, built in the current scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fn("Callers.make")(
  function*(options: Options): Effect.fn.Return<UserApi.Service, never, Target | Recorder | Scope.Scope> {
    const target = yield* Target
    const recorder = yield* Recorder
    const http = FetchHttpClient.layer
    const api = UserApi.layer({
      baseUrl: apiUrl(target, options.realm),
      timeout: options.timeout,
      transformClient: (client) =>
        recorder.transformClient(options.anonymous === true ? withoutAuthorization(client) : client)
    }).pipe(
      Layer.provide(Layer.merge(Layer.provide(options.tokens, http), http)),
      Layer.provide(
        options.retryPolicy === undefined ? Layer.empty : RetryPolicy.layer(options.retryPolicy)
      )
    )
    const context = yield* Layer.build(api)
    return Context.get(context, UserApi.UserApi)
  }
)

/**
 * The target's super user (`serviceuser` on the simulator), calling through `/api/{superUserRealm}`.
 *
 * @since 0.1.0
 * @category callers
 */
export const superUser: Effect.Effect<UserApi.Service, never, Target | Recorder | Scope.Scope> = Effect.flatMap(
  Target,
  (target) => make({ realm: target.superUserRealm, tokens: target.superUser })
)

/**
 * Password-grant tokens of a person of `realm` (client `openremote`).
 *
 * @since 0.1.0
 * @category tokens
 */
export const passwordTokens = (
  target: TargetService,
  realm: string,
  username: string,
  password: Redacted.Redacted<string>
): Tokens => TokenProvider.password({ keycloakUrl: target.keycloakUrl, realm, username, password })

/**
 * Client-credentials tokens of a service user of `realm`.
 *
 * @since 0.1.0
 * @category tokens
 */
export const clientCredentialsTokens = (
  target: TargetService,
  realm: string,
  clientId: string,
  clientSecret: Redacted.Redacted<string>
): Tokens => TokenProvider.clientCredentials({ keycloakUrl: target.keycloakUrl, realm, clientId, clientSecret })

/**
 * A caller whose token is always `token` (never refreshed): e.g. garbage, to see it refused.
 *
 * @since 0.1.0
 * @category callers
 */
export const withStaticToken = (
  realm: string,
  token: string
): Effect.Effect<UserApi.Service, never, Target | Recorder | Scope.Scope> =>
  make({ realm, tokens: TokenProvider.static(Redacted.make(token)) })

/**
 * An anonymous caller of `/api/{realm}`: requests without an `Authorization` header (see the module
 * description).
 *
 * @since 0.1.0
 * @category callers
 */
export const anonymous = (realm: string): Effect.Effect<UserApi.Service, never, Target | Recorder | Scope.Scope> =>
  make({ realm, tokens: TokenProvider.static(Redacted.make("dropped-before-sending")), anonymous: true })
