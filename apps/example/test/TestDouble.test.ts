import { FetchHttpClient } from "@effect/platform"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { TokenProvider, UserApi } from "@openremote-effect/client"
import { Catalogue } from "@openremote-effect/model"
import { type RunningSimulator, startSimulator } from "@openremote-effect/simulator"
import { Effect, Layer, Redacted } from "effect"

let simulator: RunningSimulator

beforeAll(async () => {
  simulator = await startSimulator({ port: 0 }) // a free port on 127.0.0.1; Keycloak under `${url}/auth`
})
afterAll(() => simulator.close())
beforeEach(() => simulator.control.reset()) // back to the seed: no faults, an empty journal

/** The client under test, pointed at the simulator and signed in as its service user. */
const Api = Layer.unwrapEffect(
  Effect.sync(() =>
    UserApi.layer({ baseUrl: Catalogue.apiBaseUrl(simulator.url, "master") }).pipe(
      Layer.provide(TokenProvider.clientCredentials({
        keycloakUrl: simulator.keycloakUrl,
        realm: "master",
        clientId: "serviceuser",
        clientSecret: Redacted.make("your_secret")
      }))
    )
  )
).pipe(Layer.provide(FetchHttpClient.layer))

describe("with the simulator as a test double", () => {
  // `it.live`: the client's retries and timeouts run on the real clock, as the simulator does.
  it.live("creates a user, and the next test starts without it", () =>
    Effect.gen(function*() {
      const api = yield* UserApi.UserApi
      const user = yield* api.createUser({ realm: "smartcity", user: { username: "alice", enabled: true } })
      expect(user.username).toBe("alice")
      const again = yield* Effect.flip(api.createUser({ realm: "smartcity", user: { username: "alice" } }))
      expect(again._tag).toBe("Forbidden") // OpenRemote answers 403, not 409, for a taken username
    }).pipe(Effect.provide(Api)))

  it.live("retries through two injected 503s", () =>
    Effect.gen(function*() {
      simulator.control.faults.add({ operation: "getCurrentUser", status: 503, times: 2 })
      const api = yield* UserApi.UserApi
      const me = yield* api.getCurrentUser()
      expect(me.username).toBe("serviceuser")
      const calls = simulator.control.journal.entries().filter((entry) => entry.operation === "getCurrentUser")
      expect(calls.map((entry) => entry.status)).toEqual([503, 503, 200])
    }).pipe(Effect.provide(Api)))

  it.live("gets a new token once the old one has expired", () =>
    Effect.gen(function*() {
      const api = yield* UserApi.UserApi
      yield* api.getCurrentUser()
      simulator.control.clock.advance(61_000) // past the 60 s token lifespan, without waiting
      yield* api.getCurrentUser()
      const tokens = simulator.control.journal.entries().filter((entry) => entry.operation === "token")
      expect(tokens).toHaveLength(2)
    }).pipe(Effect.provide(Api)))
})
