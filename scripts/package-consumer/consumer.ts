// A user's program, type-checked and run by scripts/check-packages.mjs in a fresh project where the packed
// tarballs were installed with npm: the client against the simulator, started in-process, or through its
// CLI when OPENREMOTE_URL is set (the simulator README's with-simulator.sh recipe).
import { FetchHttpClient } from "@effect/platform"
import { TokenProvider, UserApi } from "@openremote-effect/client"
import { Catalogue } from "@openremote-effect/model"
import { startSimulator } from "@openremote-effect/simulator"
import { Effect, Layer, Redacted } from "effect"

const external = process.env["OPENREMOTE_URL"]
const simulator = external === undefined ? await startSimulator({ port: 0 }) : undefined
const baseUrl = external ?? `${simulator?.url}/api/master`
const keycloakUrl = process.env["OPENREMOTE_KEYCLOAK_URL"] ?? simulator?.keycloakUrl ?? ""

const Api = UserApi.layer({ baseUrl }).pipe(
  Layer.provide(TokenProvider.clientCredentials({
    keycloakUrl,
    realm: "master",
    clientId: "serviceuser",
    clientSecret: Redacted.make("your_secret")
  })),
  Layer.provide(FetchHttpClient.layer)
)

const me = await Effect.runPromise(
  Effect.flatMap(UserApi.UserApi, (api) => api.getCurrentUser()).pipe(Effect.provide(Api))
)
await simulator?.close()
if (me.username !== "serviceuser") throw new Error(`signed in as ${me.username}, expected serviceuser`)
const { method, path } = Catalogue.getCurrentUser
console.log(
  `consumer OK: ${method} ${path} as ${me.username}, simulator ${external === undefined ? "in-process" : "CLI"}`
)
