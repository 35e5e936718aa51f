/**
 * The quick start's user-management flow, step by step, through `@openremote-effect/client`: a service
 * user's token, create a user, set their password, assign roles, query, log in as them, reset a service
 * user's secret, a device connecting over MQTT as that service user (its session listed and ended), delete. Each step prints one line as it completes. Every user the flow creates is deleted
 * again, also when a step fails, so it can run against a real OpenRemote without leaving anything behind.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { OpenRemoteError, TokenProvider, UserApi } from "@openremote-effect/client"
import { Catalogue } from "@openremote-effect/model"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { connectDevice } from "./Device.js"

/**
 * Where the flow runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface Target {
  /** What to call the target in the output. */
  readonly description: string
  /** The origin of the API, e.g. `http://127.0.0.1:8080`. */
  readonly origin: string
  /** The public Keycloak URL, e.g. `http://127.0.0.1:8081/auth`. */
  readonly keycloakUrl: string
  /** The realm the demo users are created in. */
  readonly realm: string
  /** The MQTT broker, e.g. `mqtt://127.0.0.1:1883`; without one the device step is skipped. */
  readonly mqttUrl?: string | undefined
}

/**
 * What the flow found out, for a caller (or a test) to check.
 *
 * @since 0.1.0
 * @category models
 */
export interface Outcome {
  readonly admin: string
  readonly username: string
  readonly clientRoles: ReadonlyArray<string>
  readonly queried: number
  readonly loggedInAs: string
  readonly oldSecretRefused: string
  readonly newSecretWorks: boolean
  /** The device step: the sessions listed while it was connected, and whether ending it closed it; undefined when skipped. */
  readonly device: { readonly sessions: number; readonly closed: boolean } | undefined
  readonly goneAfterDelete: string
}

/**
 * A step did not turn out as OpenRemote makes it turn out.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnexpectedOutcome extends Schema.TaggedError<UnexpectedOutcome>()("UnexpectedOutcome", {
  step: Schema.String,
  what: Schema.String
}) {
  override get message(): string {
    return `${this.step}: ${this.what}`
  }
}

const step = (index: number, title: string, detail: string) =>
  Console.log(`${String(index).padStart(2)}. ${title.padEnd(30)}${detail}`)

/** A password the realm's default policy accepts, from Effect's `Random`. */
const newPassword = Effect.map(
  Effect.all(Array.from({ length: 16 }, () => Random.nextIntBetween(0, 62))),
  (indexes) => "Pw1-" + indexes.map((i) => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[i]).join("")
)

/** The `UserApi` of `realm` signed in with `tokens`, for `use`. */
const signedIn = <A, E>(
  target: Target,
  tokens: Layer.Layer<TokenProvider.TokenProvider, never, HttpClient.HttpClient>,
  use: (api: UserApi.Service) => Effect.Effect<A, E>
) =>
  Effect.flatMap(UserApi.UserApi, use).pipe(
    Effect.provide(
      UserApi.layer({ baseUrl: Catalogue.apiBaseUrl(target.origin, target.realm) }).pipe(Layer.provide(tokens))
    )
  )

/**
 * The flow. It needs the `UserApi` of a caller allowed to manage users in the target realm (a service user
 * of it, or a super user of `master`) and an `HttpClient`; every user it creates is deleted again when it
 * ends.
 *
 * @since 0.1.0
 * @category programs
 */
export const run = Effect.fn("Demo.run")(function*(target: Target) {
  const { keycloakUrl, realm } = target
  const suffix = (yield* Random.nextIntBetween(0, 36 ** 6)).toString(36).padStart(6, "0")
  const username = `demo-${suffix}`
  const serviceName = `demo-service-${suffix}`

  yield* Console.log(`OpenRemote user management with @openremote-effect/client`)
  yield* Console.log(`Target: ${target.description}\n`)

  const api = yield* UserApi.UserApi

  // 1. A service user's token: the admin layer signs in with the client-credentials grant.
  const me = yield* api.getCurrentUser()
  const admin = me.username ?? "?"
  yield* step(1, "Service-user token", `signed in as ${admin} (realm ${me.realm ?? "?"})`)

  // 2. Create a user; it is deleted again when the scope closes, whatever happens.
  const created = yield* Effect.acquireRelease(
    api.createUser({ realm, user: { username, firstName: "Demo", lastName: "User", enabled: true } }),
    (user) => Effect.ignore(api.deleteUser({ realm, userId: user.id! }))
  )
  const userId = created.id!
  yield* step(2, "Create a user", `${created.username} in realm ${realm} (id ${userId})`)

  // 3. Set their password.
  const password = Redacted.make(yield* newPassword)
  yield* api.updatePassword({ realm, userId, credential: { type: "password", value: password, temporary: false } })
  yield* step(3, "Set their password", "a 20-character password, not temporary")

  // 4. Assign roles of the `openremote` client (replace-all), and read back the effective ones.
  yield* api.updateUserClientRoles({ realm, userId, clientId: "openremote", roles: ["read", "write:user"] })
  const clientRoles = yield* api.getUserClientRoles({ realm, userId, clientId: "openremote" })
  yield* step(4, "Assign roles", `read + write:user → ${clientRoles.length} effective roles`)

  // 5. Query: the exact username, then every demo user page by page.
  const found = yield* api.queryUsers({ query: { realmPredicate: { name: realm }, usernames: [{ value: username }] } })
  const demoUsers = yield* Stream.runCount(
    api.streamUsers({ realmPredicate: { name: realm }, usernames: [{ value: "demo-", match: "BEGIN" }] }, {
      pageSize: 25
    })
  )
  yield* step(5, "Query", `${found.length} user named ${username}; ${demoUsers} demo user(s) in ${realm}`)

  // 6. Log in as them: the password grant on client `openremote`, against their realm's API.
  const [self, ownRoles] = yield* signedIn(
    target,
    TokenProvider.password({ keycloakUrl, realm, username, password }),
    (theirApi) => Effect.zip(theirApi.getCurrentUser(), theirApi.getCurrentUserClientRoles({ clientId: "openremote" }))
  )
  yield* step(6, "Log in as them", `${self.username}, who holds ${ownRoles.length} roles of openremote`)

  // 7. A service user's secret: sign in with it, reset it, and see the old one refused.
  const service = yield* Effect.acquireRelease(
    api.createUser({ realm, user: { username: serviceName, serviceAccount: true, enabled: true } }),
    (user) => Effect.ignore(api.deleteUser({ realm, userId: user.id! }))
  )
  const oldSecret = yield* Effect.flatMap(
    api.getUser({ realm, userId: service.id! }),
    (user) =>
      user.secret === undefined
        ? new UnexpectedOutcome({ step: "Reset a service user secret", what: "the service user has no secret" })
        : Effect.succeed(user.secret)
  )
  const signInAs = (secret: Redacted.Redacted<string>) =>
    signedIn(
      target,
      TokenProvider.clientCredentials({ keycloakUrl, realm, clientId: serviceName, clientSecret: secret }),
      (serviceApi) => serviceApi.getCurrentUser()
    )
  yield* signInAs(oldSecret)
  const newSecret = yield* api.resetSecret({ realm, userId: service.id! })
  const refused = yield* signInAs(oldSecret).pipe(
    Effect.matchEffect({
      onFailure: (error) =>
        Effect.succeed(error._tag === "AuthenticationError" ? error.error ?? error.reason : error._tag),
      onSuccess: () =>
        new UnexpectedOutcome({ step: "Reset a service user secret", what: "the old secret still works" })
    })
  )
  const works = yield* signInAs(newSecret).pipe(Effect.as(true))
  yield* step(7, "Reset a service user secret", `old secret → ${refused}; new secret → signed in`)

  // 8. A device connects over MQTT as the service user (new secret); its session is listed, then ended.
  const device = target.mqttUrl === undefined ? undefined : yield* Effect.gen(function*() {
    const connected = yield* connectDevice({
      url: target.mqttUrl!,
      realm,
      clientId: serviceName,
      secret: newSecret,
      deviceId: `${serviceName}-device`
    })
    const sessions = yield* api.getUserSessions({ realm, userId: service.id! })
    const session = sessions.find((listed) => listed.remoteAddress === connected.address)
    if (session === undefined) {
      return yield* new UnexpectedOutcome({ step: "A device over MQTT", what: "its session is not listed" })
    }
    yield* api.disconnectUserSession({ realm, sessionID: session.id })
    yield* connected.closed
    yield* step(8, "A device over MQTT", `session from ${connected.address} listed, then ended: the device is closed`)
    return { sessions: sessions.length, closed: true }
  }).pipe(Effect.scoped)
  if (device === undefined) yield* step(8, "A device over MQTT", "skipped: no MQTT broker (OPENREMOTE_MQTT_URL)")

  // 9. Delete both users; reading one afterwards is refused, as OpenRemote answers it (405).
  yield* api.deleteUser({ realm, userId: service.id! })
  yield* api.deleteUser({ realm, userId })
  const gone = yield* api.getUser({ realm, userId }).pipe(
    Effect.matchEffect({
      onFailure: (error) => {
        const status = OpenRemoteError.status(error)
        return Effect.succeed(`${error._tag}${status === undefined ? "" : ` (${status})`}`)
      },
      onSuccess: () => new UnexpectedOutcome({ step: "Delete", what: `${username} can still be read` })
    })
  )
  yield* step(9, "Delete", `both users deleted; reading ${username} now → ${gone}`)

  return {
    admin,
    username,
    clientRoles,
    queried: found.length,
    loggedInAs: self.username ?? "",
    oldSecretRefused: refused,
    newSecretWorks: works,
    device,
    goneAfterDelete: gone
  } satisfies Outcome
}, Effect.scoped)
