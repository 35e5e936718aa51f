/**
 * The quick start's main job (`npm start` runs it through `main.ts`). Runs the user-management flow of `Demo.ts` through
 * `@openremote-effect/client`:
 *
 * - by default against an OpenRemote simulator started in this process (`@openremote-effect/simulator`,
 *   on a free port of 127.0.0.1), signed in as its service user `serviceuser` / `your_secret`, creating the
 *   demo users in realm `smartcity`;
 * - with `OPENREMOTE_URL` set, against that OpenRemote instead, configured by the `OPENREMOTE_*` variables
 *   (see the client's README), creating the demo users in `OPENREMOTE_DEMO_REALM` (default: the token realm,
 *   `OPENREMOTE_REALM`); the device step connects to `OPENREMOTE_MQTT_URL` (e.g. `mqtt://host:1883`) and is
 *   skipped without it.
 *
 * Exits with 1 when a step fails, after deleting what it created.
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { OpenRemoteConfig, TokenProvider, UserApi } from "@openremote-effect/client"
import { Catalogue } from "@openremote-effect/model"
import { startSimulator } from "@openremote-effect/simulator"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Demo from "./Demo.js"

/** A real OpenRemote, when `OPENREMOTE_URL` is set. */
const liveTarget = Effect.gen(function*() {
  const config = yield* OpenRemoteConfig.config
  const realm = yield* Config.withDefault(Config.string("OPENREMOTE_DEMO_REALM"), config.realm)
  const target: Demo.Target = {
    description: `OpenRemote at ${config.baseUrl} (Keycloak ${config.keycloakUrl})`,
    origin: new URL(config.baseUrl).origin,
    keycloakUrl: config.keycloakUrl,
    realm,
    mqttUrl: Option.getOrUndefined(yield* Config.option(Config.nonEmptyString("OPENREMOTE_MQTT_URL")))
  }
  return { target, admin: UserApi.layerConfig() }
})

/** A simulator in this process, closed when the program ends. */
const simulatorTarget = Effect.gen(function*() {
  const simulator = yield* Effect.acquireRelease(
    Effect.promise(() => startSimulator({ port: 0 })),
    (running) => Effect.promise(() => running.close())
  )
  const target: Demo.Target = {
    description:
      `an OpenRemote simulator in this process at ${simulator.url} (Keycloak ${simulator.keycloakUrl}, MQTT ${simulator.mqttUrl})`,
    origin: simulator.url,
    keycloakUrl: simulator.keycloakUrl,
    realm: "smartcity",
    mqttUrl: simulator.mqttUrl
  }
  const admin = UserApi.layer({ baseUrl: Catalogue.apiBaseUrl(simulator.url, "master") }).pipe(
    Layer.provide(TokenProvider.clientCredentials({
      keycloakUrl: simulator.keycloakUrl,
      realm: "master",
      clientId: "serviceuser",
      clientSecret: Redacted.make("your_secret")
    }))
  )
  return { target, admin }
})

/**
 * The program: pick the target, run the flow, report.
 *
 * @since 0.1.0
 * @category programs
 */
export const program = Effect.gen(function*() {
  const live = Option.isSome(yield* Config.option(Config.nonEmptyString("OPENREMOTE_URL")))
  const { admin, target } = yield* (live ? liveTarget : simulatorTarget)
  const started = Date.now()
  const outcome = yield* Demo.run(target).pipe(Effect.provide(admin))
  yield* Console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
  return outcome
}).pipe(
  Effect.scoped,
  // undici directly: on Node the fastest transport of the client (see "Choosing a transport" in the README).
  Effect.provide(NodeHttpClient.layerUndici)
)
