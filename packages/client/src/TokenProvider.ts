/**
 * Access tokens for the `UserApi`: a service that hands out a bearer token and can be told that the token
 * was refused.
 *
 * Layers:
 * - {@link static}: a fixed token;
 * - {@link clientCredentials}: a service user's client-credentials grant (`client_id` = the service user's
 *   name, `client_secret`);
 * - {@link password}: a person's password grant (on the public client `openremote` by default), using the
 *   refresh token while it is valid (`refresh_expires_in`) and falling back to the password when the
 *   refresh fails or has expired;
 * - {@link fromEffect}: any effect that produces a token;
 * - {@link layerConfig}: one of the two grants, picked from an `OpenRemoteConfig`.
 *
 * Shared behaviour (see {@link make}): a token is cached until `expires_in` minus a safety margin (default
 * 10 s, but never more than half the token's lifetime, so a short-lived token is still reused); it is
 * fetched lazily, on the first `get` after it expired; any number of concurrent callers on an empty or
 * expired cache share ONE token request (single flight), which is not cancelled when one of them is
 * interrupted; a failure is not cached, so the next `get` tries again; `invalidate` drops the cached token.
 * Time is read from Effect's `Clock`, so `TestClock` drives expiry in tests.
 *
 * Token requests are form-encoded POSTs to `{keycloakUrl}/realms/{realm}/protocol/openid-connect/token`;
 * credentials go in the form body, never in the URL. A refusal is an `AuthenticationError` with
 * Keycloak's `error` and `error_description`; so is a transport failure, a timeout (default 10 s) and a
 * response that is not a token.
 *
 * @example
 * ```ts
 * import { TokenProvider } from "@openremote-effect/client"
 * import { Redacted } from "effect"
 *
 * const ServiceUser = TokenProvider.clientCredentials({
 *   keycloakUrl: "http://localhost:8081/auth",
 *   realm: "master",
 *   clientId: "serviceuser",
 *   clientSecret: Redacted.make("your_secret")
 * })
 *
 * const Person = TokenProvider.password({
 *   keycloakUrl: "http://localhost:8081/auth",
 *   realm: "master",
 *   username: "admin",
 *   password: Redacted.make("secret")
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Keycloak from "./internal/keycloak.js"
import { tokenUrl as makeTokenUrl } from "./internal/url.js"
import * as OpenRemoteConfig from "./OpenRemoteConfig.js"
import type { AuthenticationError } from "./OpenRemoteError.js"

/**
 * The token service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** A bearer token: the cached one while it is valid, else a fresh one. */
  readonly get: Effect.Effect<Redacted.Redacted<string>, AuthenticationError>
  /**
   * Drops the cached token, so that the next `get` fetches a fresh one. Given the token the server refused,
   * drops it only if it is still the cached one (so many callers refused at once cause one refresh).
   */
  readonly invalidate: (rejected?: Redacted.Redacted<string>) => Effect.Effect<void>
}

/**
 * Provides access tokens to the `UserApi`.
 *
 * @since 0.1.0
 * @category context
 */
export class TokenProvider extends Context.Tag("@openremote-effect/client/TokenProvider")<TokenProvider, Service>() {}

/**
 * A token as a token source produces it.
 *
 * @since 0.1.0
 * @category models
 */
export interface AccessToken {
  readonly accessToken: Redacted.Redacted<string>
  /** How long the token is valid from the moment it was requested; `undefined` means until invalidated. */
  readonly expiresIn?: Duration.DurationInput | undefined
}

/**
 * How tokens are cached.
 *
 * @since 0.1.0
 * @category models
 */
export interface CacheOptions {
  /**
   * How long before `expires_in` a token is dropped (default 10 s). It is never more than half the
   * token's lifetime: a 60 s token is reused for 50 s, a 10 s token for 5 s.
   */
  readonly safetyMargin?: Duration.DurationInput | undefined
}

/**
 * The default safety margin: 10 seconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultSafetyMargin: Duration.Duration = Duration.seconds(10)

/**
 * How long a token with lifetime `expiresIn` is cached: `expiresIn` minus the margin, the margin being at
 * most half of `expiresIn`.
 *
 * @since 0.1.0
 * @category utils
 */
export const cacheLifetime = (
  expiresIn: Duration.DurationInput,
  safetyMargin: Duration.DurationInput
): Duration.Duration => {
  const lifetime = Duration.decode(expiresIn)
  return Duration.subtract(lifetime, Duration.min(Duration.decode(safetyMargin), Duration.times(lifetime, 0.5)))
}

type State =
  | { readonly _tag: "Empty" }
  | { readonly _tag: "Fetching"; readonly deferred: Deferred.Deferred<Redacted.Redacted<string>, AuthenticationError> }
  | { readonly _tag: "Ready"; readonly token: Redacted.Redacted<string>; readonly expiresAt: number }

const empty: State = { _tag: "Empty" }

/**
 * A caching, single-flight token service over `fetch`, the effect that requests one token.
 *
 * - `get` returns the cached token while the `Clock` is before its expiry (`expiresIn` minus the safety
 *   margin, counted from the moment the request started); otherwise it starts `fetch`, and every caller that
 *   arrives while it runs waits for that one request.
 * - `fetch` runs in a fiber of the layer's scope: a caller that is interrupted stops waiting, but the others
 *   still get the token. A failure is handed to the callers that waited for it and not cached.
 * - `invalidate` drops the cached token (only if it is still `rejected`, when given).
 *
 * This is hand-written rather than an `effect/Cache` because `Cache` keeps a failure whose time to live is
 * zero until the clock moves on (`Cache` expires an entry when `now > expiry`), and interrupts every
 * waiter when the caller running the lookup is interrupted.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <R>(
  fetch: Effect.Effect<AccessToken, AuthenticationError, R>,
  options: CacheOptions = {}
): Effect.Effect<Service, never, R | Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* Effect.context<R>()
    const scope = yield* Effect.scope
    const margin = options.safetyMargin ?? defaultSafetyMargin
    const state = yield* Ref.make<State>(empty)

    const run = (deferred: Deferred.Deferred<Redacted.Redacted<string>, AuthenticationError>) =>
      Effect.gen(function*() {
        const startedAt = yield* Clock.currentTimeMillis
        const exit = yield* Effect.exit(Effect.provide(fetch, context))
        if (Exit.isSuccess(exit)) {
          const { accessToken, expiresIn } = exit.value
          const expiresAt = expiresIn === undefined
            ? Number.POSITIVE_INFINITY
            : startedAt + Duration.toMillis(cacheLifetime(expiresIn, margin))
          yield* Ref.set(state, { _tag: "Ready", token: accessToken, expiresAt })
        } else {
          yield* Ref.set(state, empty)
        }
        yield* Deferred.done(deferred, Exit.map(exit, (token) => token.accessToken))
      }).pipe(
        Effect.onInterrupt(() => Effect.zipRight(Ref.set(state, empty), Deferred.interrupt(deferred))),
        Effect.interruptible,
        Effect.forkIn(scope)
      )

    const get = Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatten(
          Ref.modify(state, (current): [Effect.Effect<Redacted.Redacted<string>, AuthenticationError>, State] => {
            if (current._tag === "Ready" && now < current.expiresAt) {
              return [Effect.succeed(current.token), current]
            }
            if (current._tag === "Fetching") {
              return [restore(Deferred.await(current.deferred)), current]
            }
            const deferred = Deferred.unsafeMake<Redacted.Redacted<string>, AuthenticationError>(FiberId.none)
            return [Effect.zipRight(run(deferred), restore(Deferred.await(deferred))), { _tag: "Fetching", deferred }]
          })
        ))
    )

    const invalidate = (rejected?: Redacted.Redacted<string>) =>
      Ref.update(state, (current) =>
        current._tag === "Ready" &&
          (rejected === undefined || Redacted.value(current.token) === Redacted.value(rejected))
          ? empty
          : current)

    return TokenProvider.of({ get, invalidate })
  })

/**
 * A fixed token, never refreshed: `invalidate` does nothing, so the `UserApi`'s one retry after a 401 sends
 * the same token again. Exported as `static` (a reserved word, so it cannot be the name of a declaration).
 *
 * @example
 * ```ts
 * import { TokenProvider } from "@openremote-effect/client"
 * import { Redacted } from "effect"
 *
 * const Fixed = TokenProvider.static(Redacted.make("a-token"))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
const static_ = (token: Redacted.Redacted<string>): Layer.Layer<TokenProvider> =>
  Layer.succeed(TokenProvider, TokenProvider.of({ get: Effect.succeed(token), invalidate: () => Effect.void }))

export {
  /**
   * @since 0.1.0
   * @category layers
   */
  static_ as static
}

/**
 * Tokens from any effect (a custom source), cached and shared as described in {@link make}. An effect that
 * yields a bare `Redacted` token is cached until invalidated.
 *
 * @example
 * ```ts
 * import { TokenProvider } from "@openremote-effect/client"
 * import { Effect, Redacted } from "effect"
 *
 * const FromVault = TokenProvider.fromEffect(
 *   Effect.succeed({ accessToken: Redacted.make("token-from-vault"), expiresIn: "5 minutes" })
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const fromEffect = <R>(
  effect: Effect.Effect<AccessToken | Redacted.Redacted<string>, AuthenticationError, R>,
  options?: CacheOptions
): Layer.Layer<TokenProvider, never, Exclude<R, Scope.Scope>> =>
  Layer.scoped(
    TokenProvider,
    make(
      Effect.map(effect, (token): AccessToken => Redacted.isRedacted(token) ? { accessToken: token } : token),
      options
    )
  )

/**
 * Where the token endpoint is and how long to wait for it.
 *
 * @since 0.1.0
 * @category models
 */
export interface EndpointOptions extends CacheOptions {
  /** Keycloak's base URL, e.g. `http://localhost:8081/auth`. */
  readonly keycloakUrl: string
  /** The Keycloak realm, e.g. `master`. */
  readonly realm: string
  /** How long to wait for the token endpoint (default 10 s). */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * The token endpoint of a Keycloak realm: `{keycloakUrl}/realms/{realm}/protocol/openid-connect/token`.
 *
 * @since 0.1.0
 * @category utils
 */
export const tokenUrl = (keycloakUrl: string, realm: string): string => makeTokenUrl(keycloakUrl, realm)

/**
 * A service user's credentials.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientCredentialsOptions extends EndpointOptions {
  /** The service user's name (without the `service-account-` prefix). */
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted
}

/**
 * Tokens of a service user: the client-credentials grant with form fields `grant_type=client_credentials`,
 * `client_id` and `client_secret`.
 *
 * @since 0.1.0
 * @category layers
 */
export const clientCredentials = (
  options: ClientCredentialsOptions
): Layer.Layer<TokenProvider, never, HttpClient.HttpClient> =>
  Layer.scoped(TokenProvider, Effect.flatMap(Keycloak.clientCredentialsGrant(options), (fetch) => make(fetch, options)))

/**
 * A person's credentials.
 *
 * @since 0.1.0
 * @category models
 */
export interface PasswordOptions extends EndpointOptions {
  readonly username: string
  readonly password: Redacted.Redacted
  /** The client to sign in with (default `openremote`, OpenRemote's public client). */
  readonly clientId?: string | undefined
  /** The client's secret, for a confidential client. */
  readonly clientSecret?: Redacted.Redacted | undefined
}

/**
 * Tokens of a person: the password grant (form fields `grant_type=password`, `client_id` (default
 * `openremote`), `username`, `password`), then the `refresh_token` grant while the refresh token is valid
 * (`refresh_expires_in` minus the safety margin; `0` or absent means until refused), falling back to the
 * password grant when the refresh is refused or has expired.
 *
 * @since 0.1.0
 * @category layers
 */
export const password = (options: PasswordOptions): Layer.Layer<TokenProvider, never, HttpClient.HttpClient> =>
  Layer.scoped(
    TokenProvider,
    Effect.flatMap(
      Keycloak.passwordGrant(
        options,
        (refreshExpiresIn) => cacheLifetime(refreshExpiresIn, options.safetyMargin ?? defaultSafetyMargin)
      ),
      (fetch) => make(fetch, options)
    )
  )

/**
 * Tokens as an `OpenRemoteConfig` describes them (see `OpenRemoteConfig.credentials`): the
 * client-credentials grant when a client secret is set, else the password grant when a username and
 * password are set, else a `ConfigError`. Reads `OPENREMOTE_*` variables unless given another `Config`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<OpenRemoteConfig.OpenRemoteConfig> = OpenRemoteConfig.config
): Layer.Layer<TokenProvider, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      const resolved = yield* config
      const credentials = yield* OpenRemoteConfig.credentials(resolved)
      const endpoint: EndpointOptions = {
        keycloakUrl: resolved.keycloakUrl,
        realm: resolved.realm,
        timeout: resolved.timeout
      }
      return credentials._tag === "ClientCredentials"
        ? clientCredentials({ ...endpoint, clientId: credentials.clientId, clientSecret: credentials.clientSecret })
        : password({
          ...endpoint,
          clientId: credentials.clientId,
          username: credentials.username,
          password: credentials.password
        })
    })
  )
