/**
 * Testing code that uses the `UserApi`: a mock `HttpClient` and a static token, no network.
 */
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { TokenProvider, UserApi } from "@openremote-effect/client"
import { Effect, Layer, Redacted } from "effect"

const MockHttp = Layer.succeed(
  HttpClient.HttpClient,
  HttpClient.make((request) =>
    Effect.succeed(HttpClientResponse.fromWeb(request, Response.json({ id: "u1", username: "bob" })))
  )
)

export const TestApi = UserApi.layer({ baseUrl: "http://localhost:8080/api/master" }).pipe(
  Layer.provide(TokenProvider.static(Redacted.make("test-token"))),
  Layer.provide(MockHttp)
)

export const bob = Effect.flatMap(UserApi.UserApi, (api) => api.getUser({ realm: "master", userId: "u1" })).pipe(
  Effect.provide(TestApi)
)
