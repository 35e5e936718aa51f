/**
 * The target the contract tests run against: the simulator, started in-process on a real port (the
 * default), or a live OpenRemote named by the `OPENREMOTE_*` variables.
 *
 * | variable | |
 * |---|---|
 * | `OPENREMOTE_URL` | the API base URL of the super user's realm, e.g. `https://demo.example/api/master`; setting it selects the live target |
 * | `OPENREMOTE_KEYCLOAK_URL` | required with `OPENREMOTE_URL`, e.g. `https://demo.example/auth` |
 * | `OPENREMOTE_CLIENT_ID` + `OPENREMOTE_CLIENT_SECRET` | a super-user service user (client credentials) |
 * | `OPENREMOTE_USERNAME` + `OPENREMOTE_PASSWORD` | or a super user's password grant |
 * | `OPENREMOTE_REALM` | the realm the super user's tokens come from (default `master`) |
 * | `CONTRACT_REALM` | the second realm the suite works in (default `smartcity`) |
 *
 * On the simulator the super user is the seed's service user `serviceuser` / `your_secret` (realm `master`),
 * and the control plane (faults, clock, journal, sessions, mail, reset) is available; on a live target it is
 * not, and the tests that need it are skipped.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { OpenRemoteConfig, TokenProvider } from "@openremote-effect/client"
import { Catalogue, StandardRoles } from "@openremote-effect/model"
import type { Control } from "@openremote-effect/simulator"
import { type RunningSimulator, type SimulatorOptions, startSimulator } from "@openremote-effect/simulator"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/**
 * A target.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly mode: "simulator" | "live"
  /** What to call the target in messages. */
  readonly description: string
  /** Everything before `/api/{realm}` in an API URL, e.g. `http://127.0.0.1:8080`. */
  readonly apiRoot: string
  /** The public Keycloak URL, e.g. `http://127.0.0.1:8080/auth`. */
  readonly keycloakUrl: string
  /** The realm of the super user (`master`). */
  readonly superUserRealm: string
  /** A second realm, with no special rights: the realm of the suite's "realm users" (`smartcity`). */
  readonly otherRealm: string
  /** Tokens of a super user of `superUserRealm`. */
  readonly superUser: Layer.Layer<TokenProvider.TokenProvider, never, HttpClient.HttpClient>
  /** The running simulator, with its control plane; `undefined` on a live target. */
  readonly simulator: RunningSimulator | undefined
}

/**
 * The target of the current test file.
 *
 * @since 0.1.0
 * @category context
 */
export class Target extends Context.Tag("@openremote-effect/contract-tests/Target")<Target, Service>() {}

/**
 * The API base URL of `realm` on `target`: `{apiRoot}/api/{realm}`.
 *
 * @since 0.1.0
 * @category utils
 */
export const apiUrl = (target: Service, realm: string): string => Catalogue.apiBaseUrl(target.apiRoot, realm)

/**
 * The simulator's control plane. Dies with a message saying so on a live target: a test that needs it must
 * be skipped there.
 *
 * @since 0.1.0
 * @category accessors
 */
export const control: Effect.Effect<Control.Control, never, Target> = Effect.flatMap(
  Target,
  (target) =>
    target.simulator === undefined
      ? Effect.dieMessage(`${target.description} has no control plane: this test needs the simulator`)
      : Effect.succeed(target.simulator.control)
)

/**
 * The seed's super user: the service user `serviceuser` with secret `your_secret` in realm `master`.
 *
 * @since 0.1.0
 * @category constants
 */
export const simulatorSuperUser = { clientId: "serviceuser", clientSecret: "your_secret" } as const

/**
 * The realm the suite's realm users live in unless `CONTRACT_REALM` says otherwise.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultOtherRealm = "smartcity"

/**
 * A simulator started with `startSimulator({ port: 0, ...options })` on a free port (closed when the layer's
 * scope closes), with the seed's super user.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSimulator = (options: SimulatorOptions = {}): Layer.Layer<Target> =>
  Layer.scoped(
    Target,
    Effect.map(
      Effect.acquireRelease(
        Effect.promise(() => startSimulator({ port: 0, ...options })),
        (simulator) => Effect.promise(() => simulator.close())
      ),
      (simulator) =>
        Target.of({
          mode: "simulator",
          description: `the simulator at ${simulator.url}`,
          apiRoot: simulator.url,
          keycloakUrl: simulator.keycloakUrl,
          superUserRealm: StandardRoles.masterRealm,
          otherRealm: defaultOtherRealm,
          superUser: TokenProvider.clientCredentials({
            keycloakUrl: simulator.keycloakUrl,
            realm: StandardRoles.masterRealm,
            clientId: simulatorSuperUser.clientId,
            clientSecret: Redacted.make(simulatorSuperUser.clientSecret)
          }),
          simulator
        })
    )
  )

/**
 * What a live target is described by.
 *
 * @since 0.1.0
 * @category models
 */
export interface LiveOptions {
  /** The super user's configuration (`OPENREMOTE_URL` must end with `/api/{realm}`). */
  readonly config: OpenRemoteConfig.OpenRemoteConfig
  /** The super user's credentials. */
  readonly credentials: OpenRemoteConfig.Credentials
  /** The second realm. */
  readonly otherRealm: string
}

/**
 * The part of an API base URL before `/api/{realm}`, and that realm.
 *
 * @since 0.1.0
 * @category utils
 */
export const splitBaseUrl = (
  baseUrl: string
): Option.Option<{ readonly apiRoot: string; readonly realm: string }> => {
  const found = /^(.*)\/api\/([^/]+)\/?$/.exec(baseUrl)
  if (found === null) return Option.none()
  try {
    return Option.some({ apiRoot: found[1]!, realm: decodeURIComponent(found[2]!) })
  } catch {
    return Option.none()
  }
}

/**
 * A live OpenRemote.
 *
 * @since 0.1.0
 * @category constructors
 */
export const live: (options: LiveOptions) => Effect.Effect<Service, ConfigError.ConfigError> = Effect.fn(
  "Target.live"
)(function*(options: LiveOptions) {
  const split = splitBaseUrl(options.config.baseUrl)
  if (Option.isNone(split)) {
    return yield* Effect.fail(
      ConfigError.InvalidData(["OPENREMOTE_URL"], "must be an API base URL ending with /api/{realm}")
    )
  }
  const { config, credentials } = options
  const endpoint = { keycloakUrl: config.keycloakUrl, realm: config.realm, timeout: config.timeout }
  return Target.of({
    mode: "live",
    description: `the OpenRemote at ${split.value.apiRoot}`,
    apiRoot: split.value.apiRoot,
    keycloakUrl: config.keycloakUrl,
    superUserRealm: split.value.realm,
    otherRealm: options.otherRealm,
    superUser: credentials._tag === "ClientCredentials"
      ? TokenProvider.clientCredentials({
        ...endpoint,
        clientId: credentials.clientId,
        clientSecret: credentials.clientSecret
      })
      : TokenProvider.password({
        ...endpoint,
        clientId: credentials.clientId,
        username: credentials.username,
        password: credentials.password
      }),
    simulator: undefined
  })
})

/**
 * The target the environment names: a live OpenRemote when `OPENREMOTE_URL` is set (then
 * `OPENREMOTE_KEYCLOAK_URL` and credentials are required too: a `ConfigError` says what is missing), else
 * the simulator.
 *
 * @since 0.1.0
 * @category config
 */
export const fromConfig: Effect.Effect<Option.Option<LiveOptions>, ConfigError.ConfigError> = Effect.gen(
  function*() {
    const url = yield* Config.option(Config.string("OPENREMOTE_URL"))
    if (Option.isNone(url) || url.value === "") return Option.none()
    yield* Config.nonEmptyString("OPENREMOTE_KEYCLOAK_URL").pipe(
      Effect.mapError(() =>
        ConfigError.MissingData(
          ["OPENREMOTE_KEYCLOAK_URL"],
          "OPENREMOTE_KEYCLOAK_URL must be set with OPENREMOTE_URL (the contract tests run against a live OpenRemote)"
        )
      )
    )
    const config = yield* OpenRemoteConfig.config
    const credentials = yield* OpenRemoteConfig.credentials(config)
    const otherRealm = yield* Config.withDefault(Config.nonEmptyString("CONTRACT_REALM"), defaultOtherRealm)
    return Option.some({ config, credentials, otherRealm })
  }
)

/**
 * The target of the environment (see {@link fromConfig}): a live OpenRemote, or a simulator on a free port.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (simulatorOptions: SimulatorOptions = {}): Layer.Layer<Target, ConfigError.ConfigError> =>
  Layer.unwrapEffect(
    Effect.map(fromConfig, (liveOptions) =>
      Option.match(liveOptions, {
        onNone: () => layerSimulator(simulatorOptions),
        onSome: (options) => Layer.effect(Target, live(options))
      }))
  )

/**
 * Whether the environment selects a live target (`OPENREMOTE_URL` is set). Read synchronously, so that a
 * test file can decide which tests to skip when it is collected.
 *
 * @since 0.1.0
 * @category config
 */
export const isLiveEnvironment = (env: Readonly<Record<string, string | undefined>> = process.env): boolean =>
  env.OPENREMOTE_URL !== undefined && env.OPENREMOTE_URL !== ""
