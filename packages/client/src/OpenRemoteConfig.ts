/**
 * Where the OpenRemote manager and its Keycloak are, and who the client signs in as, mirroring the seed's
 * `OpenRemoteApiClient(base_url, keycloak_url, realm, client_id, client_secret)` (plus a username and
 * password for people, and a per-attempt timeout).
 *
 * {@link config} reads it from Effect's `ConfigProvider` (environment variables by default):
 *
 * | variable | field | |
 * |---|---|---|
 * | `OPENREMOTE_URL` | `baseUrl` | required, e.g. `http://localhost:8080/api/master` |
 * | `OPENREMOTE_KEYCLOAK_URL` | `keycloakUrl` | default `{origin of OPENREMOTE_URL}/auth` |
 * | `OPENREMOTE_REALM` | `realm` | default `master` |
 * | `OPENREMOTE_CLIENT_ID` | `clientId` | optional |
 * | `OPENREMOTE_CLIENT_SECRET` | `clientSecret` | optional, `Config.redacted` |
 * | `OPENREMOTE_USERNAME` | `username` | optional |
 * | `OPENREMOTE_PASSWORD` | `password` | optional, `Config.redacted` |
 * | `OPENREMOTE_TIMEOUT` | `timeout` | optional, e.g. `10 seconds` |
 *
 * {@link credentials} picks how to obtain tokens: a service user's client credentials when a client secret
 * is set, else a person's password grant when a username and password are set, else a `ConfigError`.
 *
 * @example
 * ```ts
 * import { OpenRemoteConfig } from "@openremote-effect/client"
 * import { ConfigProvider, Effect } from "effect"
 *
 * const program = Effect.withConfigProvider(
 *   OpenRemoteConfig.config,
 *   ConfigProvider.fromMap(new Map([
 *     ["OPENREMOTE_URL", "http://localhost:8080/api/master"],
 *     ["OPENREMOTE_KEYCLOAK_URL", "http://localhost:8081/auth"],
 *     ["OPENREMOTE_CLIENT_ID", "serviceuser"],
 *     ["OPENREMOTE_CLIENT_SECRET", "your_secret"]
 *   ]))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import { isHttpUrl, trimTrailingSlashes } from "./internal/url.js"

/**
 * The client's configuration.
 *
 * @since 0.1.0
 * @category models
 */
export interface OpenRemoteConfig {
  /** The API base URL including the request realm, e.g. `http://localhost:8080/api/master`. */
  readonly baseUrl: string
  /** Keycloak's base URL, e.g. `http://localhost:8081/auth`. */
  readonly keycloakUrl: string
  /** The Keycloak realm tokens are requested from (the request realm of `baseUrl`, normally). */
  readonly realm: string
  /** The client id: a service user's name for client credentials; `openremote` by default for passwords. */
  readonly clientId?: string | undefined
  /** A service user's secret. */
  readonly clientSecret?: Redacted.Redacted | undefined
  /** A person's username. */
  readonly username?: string | undefined
  /** A person's password. */
  readonly password?: Redacted.Redacted | undefined
  /** The per-attempt timeout of each request (default 10 s). */
  readonly timeout?: Duration.Duration | undefined
}

/**
 * The client id of OpenRemote's public client, used for the password grant when no client id is set.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPasswordClientId = "openremote"

const url = (name: string) =>
  Config.string(name).pipe(
    Config.validate({ message: "Expected an absolute http(s) URL", validation: isHttpUrl }),
    Config.map(trimTrailingSlashes)
  )

const optionalConfig = <A>(config: Config.Config<A>): Config.Config<A | undefined> =>
  Config.map(Config.option(config), Option.getOrUndefined)

/**
 * Reads an {@link OpenRemoteConfig} from the `OPENREMOTE_*` variables (see the module description).
 * Secrets are read with `Config.redacted`; trailing slashes of the URLs are dropped.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<OpenRemoteConfig> = Config.all({
  baseUrl: url("OPENREMOTE_URL"),
  keycloakUrl: optionalConfig(url("OPENREMOTE_KEYCLOAK_URL")),
  realm: Config.withDefault(Config.nonEmptyString("OPENREMOTE_REALM"), "master"),
  clientId: optionalConfig(Config.nonEmptyString("OPENREMOTE_CLIENT_ID")),
  clientSecret: optionalConfig(Config.redacted("OPENREMOTE_CLIENT_SECRET")),
  username: optionalConfig(Config.nonEmptyString("OPENREMOTE_USERNAME")),
  password: optionalConfig(Config.redacted("OPENREMOTE_PASSWORD")),
  timeout: optionalConfig(Config.duration("OPENREMOTE_TIMEOUT"))
}).pipe(
  Config.map(({ keycloakUrl, ...rest }) => ({
    ...rest,
    keycloakUrl: keycloakUrl ?? `${new URL(rest.baseUrl).origin}/auth`
  }))
)

/**
 * How the client obtains its tokens.
 *
 * @since 0.1.0
 * @category models
 */
export type Credentials =
  | {
    readonly _tag: "ClientCredentials"
    readonly clientId: string
    readonly clientSecret: Redacted.Redacted
  }
  | {
    readonly _tag: "Password"
    readonly clientId: string
    readonly username: string
    readonly password: Redacted.Redacted
  }

/**
 * Picks the credentials of a configuration: client credentials when `clientSecret` is set (then
 * `clientId` is required), else the password grant when `username` and `password` are set (`clientId`
 * defaulting to `openremote`), else a `ConfigError` that says what to set.
 *
 * @since 0.1.0
 * @category config
 */
export const credentials = (config: OpenRemoteConfig): Either.Either<Credentials, ConfigError.ConfigError> => {
  if (config.clientSecret !== undefined) {
    return config.clientId === undefined
      ? Either.left(
        ConfigError.MissingData(
          ["OPENREMOTE_CLIENT_ID"],
          "OPENREMOTE_CLIENT_ID must name the service user when OPENREMOTE_CLIENT_SECRET is set"
        )
      )
      : Either.right({ _tag: "ClientCredentials", clientId: config.clientId, clientSecret: config.clientSecret })
  }
  if (config.username !== undefined && config.password !== undefined) {
    return Either.right({
      _tag: "Password",
      clientId: config.clientId ?? defaultPasswordClientId,
      username: config.username,
      password: config.password
    })
  }
  if (config.username !== undefined) {
    return Either.left(
      ConfigError.MissingData(["OPENREMOTE_PASSWORD"], "OPENREMOTE_PASSWORD must be set with OPENREMOTE_USERNAME")
    )
  }
  if (config.password !== undefined) {
    return Either.left(
      ConfigError.MissingData(["OPENREMOTE_USERNAME"], "OPENREMOTE_USERNAME must be set with OPENREMOTE_PASSWORD")
    )
  }
  return Either.left(
    ConfigError.MissingData(
      ["OPENREMOTE_CLIENT_SECRET"],
      "no credentials: set OPENREMOTE_CLIENT_ID and OPENREMOTE_CLIENT_SECRET (a service user), " +
        "or OPENREMOTE_USERNAME and OPENREMOTE_PASSWORD (a person)"
    )
  )
}
