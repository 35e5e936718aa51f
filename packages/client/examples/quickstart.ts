/**
 * Quickstart: sign in, create a user (or find it when it exists), give it a realm role, and list the
 * sensors page by page, handling the client's typed errors with `Effect.catchTags`. A failure is explained,
 * then `NodeRuntime.runMain` prints the typed error and exits with 1.
 *
 * Run it against a running OpenRemote (after `pnpm build`):
 *
 *   OPENREMOTE_URL=http://localhost:8080/api/master \
 *   OPENREMOTE_KEYCLOAK_URL=http://localhost:8081/auth \
 *   OPENREMOTE_CLIENT_ID=serviceuser OPENREMOTE_CLIENT_SECRET=your_secret \
 *   npx -y tsx packages/client/examples/quickstart.ts
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeRuntime } from "@effect/platform-node"
import { RetryPolicy, TokenProvider, UserApi } from "@openremote-effect/client"
import { Effect, Layer, Redacted, Stream } from "effect"
import { pathToFileURL } from "node:url"

export const program = Effect.gen(function*() {
  const api = yield* UserApi.UserApi

  const me = yield* api.getCurrentUser()
  yield* Effect.log(`Signed in as ${me.username}`)

  const sensor = yield* api.createUser({ realm: "master", user: { username: "sensor-01", enabled: true } }).pipe(
    // OpenRemote answers 403 (not 409) when the username is taken: look the user up instead.
    Effect.catchTag(
      "Forbidden",
      () =>
        api.queryUsers({ query: { realmPredicate: { name: "master" }, usernames: [{ value: "sensor-01" }] } }).pipe(
          Effect.flatMap((users) => Effect.fromNullable(users[0])),
          Effect.orElse(() => Effect.dieMessage("sensor-01 exists but cannot be read"))
        )
    )
  )
  yield* api.updateUserRealmRoles({ realm: "master", userId: sensor.id ?? "", roles: ["restricted_user"] })

  const sensors = yield* api.streamUsers({ usernames: [{ value: "sensor-", match: "BEGIN" }] }, { pageSize: 50 }).pipe(
    Stream.map((user) => user.username ?? "?"),
    Stream.runCollect
  )
  yield* Effect.log(`Sensors: ${[...sensors].join(", ")}`)
}).pipe(
  Effect.catchTags({
    AuthenticationError: (error) =>
      explain(error, `Could not sign in: ${error.error ?? error.reason} ${error.errorDescription ?? ""}`),
    Unauthorized: (error) => explain(error, `The token was refused: ${error.message}`),
    Forbidden: (error) => explain(error, `Missing a role: ${error.message}`),
    NotAllowed: (error) => explain(error, `Not in this realm: ${error.message}`),
    Timeout: (error) => explain(error, `OpenRemote is slow: ${error.message}`),
    TransportError: (error) => explain(error, `OpenRemote is unreachable: ${error.message}`)
  })
)

/** Logs what went wrong in the reader's words, then fails with the same typed error. */
function explain<E>(error: E, message: string): Effect.Effect<never, E> {
  return Effect.zipRight(Effect.logError(message), Effect.fail(error))
}

/** Everything from the OPENREMOTE_* variables; the token provider is picked from them. */
export const MainLive = UserApi.layerConfig().pipe(
  Layer.provide(RetryPolicy.layer({ maxRetries: 5 })),
  Layer.provide(FetchHttpClient.layer)
)

/** The same without environment variables: the layers spelled out. */
export const ExplicitLive = UserApi.layer({ baseUrl: "http://localhost:8080/api/master", timeout: "15 seconds" }).pipe(
  Layer.provide(TokenProvider.clientCredentials({
    keycloakUrl: "http://localhost:8081/auth",
    realm: "master",
    clientId: "serviceuser",
    clientSecret: Redacted.make("your_secret")
  })),
  Layer.provide(FetchHttpClient.layer)
)

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  program.pipe(Effect.provide(MainLive), NodeRuntime.runMain)
}
