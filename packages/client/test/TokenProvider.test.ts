/**
 * Tokens: the grants' requests, caching until `expires_in` minus the margin, lazy refresh after expiry
 * (TestClock), single flight for concurrent callers, failures not cached, one refresh and one retry on a
 * 401, Keycloak's errors as `AuthenticationError`, and the password grant's refresh token.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as OpenRemoteError from "../src/OpenRemoteError.js"
import * as TokenProvider from "../src/TokenProvider.js"
import {
  always,
  clientCredentialsTokens,
  empty,
  type Handler,
  json,
  keycloakUrl,
  makeMock,
  type Mock,
  secrets,
  sequence,
  staticTokens,
  text,
  tokenResponse,
  tokenUrl,
  withApi
} from "./utils/mock.js"

const form = (body: string | undefined) => Object.fromEntries(new URLSearchParams(body ?? ""))
const bearer = (mock: Mock) => mock.api().map((request) => request.headers["authorization"])

/** A token endpoint that answers token-1, token-2, … (lifetime `expiresIn` seconds). */
const numberedTokens = (expiresIn = 60): Handler => (_, index) =>
  Effect.succeed(tokenResponse({ accessToken: `token-${index + 1}`, expiresIn }))

const ok = () => json({ id: "u1" })

/** Runs `f` with the token service of `layer` over `mock`. */
const withTokens = <A, E>(
  mock: Mock,
  layer: Layer.Layer<TokenProvider.TokenProvider, never, HttpClient.HttpClient>,
  f: (tokens: TokenProvider.Service) => Effect.Effect<A, E>
) => Effect.flatMap(TokenProvider.TokenProvider, f).pipe(Effect.provide(Layer.provide(layer, mock.layer)))

/** Waits (yielding) until `condition` holds, at most 1000 yields. */
const eventually = (condition: () => boolean) =>
  Effect.gen(function*() {
    for (let i = 0; i < 1000 && !condition(); i++) yield* Effect.yieldNow()
    expect(condition()).toBe(true)
  })

describe("TokenProvider.static", () => {
  it.effect("sends the given token", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(ok) })
      yield* withApi(mock, (api) => api.getCurrentUser(), { tokens: staticTokens })
      expect(bearer(mock)).toEqual([`Bearer ${secrets.token}`])
      expect(mock.token()).toHaveLength(0)
    }))
})

describe("TokenProvider.clientCredentials", () => {
  it.effect("posts grant_type, client_id and client_secret as a form to the realm's token endpoint", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(ok), token: numberedTokens() })
      yield* withApi(mock, (api) => api.getCurrentUser(), { tokens: clientCredentialsTokens })
      expect(mock.token()).toHaveLength(1)
      const request = mock.token()[0]!
      expect(request.method).toBe("POST")
      expect(request.url.href).toBe(tokenUrl)
      expect(request.url.search).toBe("")
      expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      expect(request.headers["accept"]).toBe("application/json")
      expect(form(request.body)).toEqual({
        grant_type: "client_credentials",
        client_id: "serviceuser",
        client_secret: secrets.clientSecret
      })
      expect(bearer(mock)).toEqual(["Bearer token-1"])
    }))

  it("builds the token URL from the Keycloak URL and realm, tolerating a trailing slash", () => {
    expect(TokenProvider.tokenUrl("http://localhost:8081/auth/", "smart city")).toBe(
      "http://localhost:8081/auth/realms/smart%20city/protocol/openid-connect/token"
    )
  })

  it.effect("caches the token across calls", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(ok), token: numberedTokens() })
      yield* withApi(mock, (api) =>
        Effect.all([api.getCurrentUser(), api.getUser({ realm: "master", userId: "u1" }), api.getCurrentUser()]), {
        tokens: clientCredentialsTokens
      })
      expect(mock.token()).toHaveLength(1)
      expect(bearer(mock)).toEqual(["Bearer token-1", "Bearer token-1", "Bearer token-1"])
    }))

  it.effect("refreshes the token lazily once expires_in minus the 10 s margin has passed", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(ok), token: numberedTokens(60) })
      yield* withApi(mock, (api) =>
        Effect.gen(function*() {
          yield* api.getCurrentUser()
          yield* TestClock.adjust("49999 millis")
          yield* api.getCurrentUser()
          expect(mock.token()).toHaveLength(1)
          yield* TestClock.adjust("1 millis")
          // Lazily: nothing happens until the next call.
          expect(mock.token()).toHaveLength(1)
          yield* api.getCurrentUser()
          yield* api.getCurrentUser()
        }), { tokens: clientCredentialsTokens })
      expect(mock.token().map((request) => request.at)).toEqual([0, 50_000])
      expect(bearer(mock)).toEqual(["Bearer token-1", "Bearer token-1", "Bearer token-2", "Bearer token-2"])
    }))

  it.effect("keeps at least half of a short token's lifetime", () =>
    Effect.gen(function*() {
      const mock = makeMock({ token: numberedTokens(10) })
      const tokens = yield* withTokens(mock, clientCredentialsTokens, (tokens) =>
        Effect.gen(function*() {
          const first = yield* tokens.get
          yield* TestClock.adjust("4999 millis")
          const cached = yield* tokens.get
          yield* TestClock.adjust("1 millis")
          const fresh = yield* tokens.get
          return [first, cached, fresh].map(Redacted.value)
        }))
      expect(tokens).toEqual(["token-1", "token-1", "token-2"])
    }))

  it.effect("the safety margin is configurable", () =>
    Effect.gen(function*() {
      const mock = makeMock({ token: numberedTokens(60) })
      const layer = TokenProvider.clientCredentials({
        keycloakUrl,
        realm: "master",
        clientId: "serviceuser",
        clientSecret: Redacted.make(secrets.clientSecret),
        safetyMargin: "25 seconds"
      })
      yield* withTokens(mock, layer, (tokens) =>
        Effect.gen(function*() {
          yield* tokens.get
          yield* TestClock.adjust("34 seconds")
          yield* tokens.get
          yield* TestClock.adjust("1 seconds")
          yield* tokens.get
        }))
      expect(mock.token().map((request) => request.at)).toEqual([0, 35_000])
    }))

  it("computes the cache lifetime as documented", () => {
    const seconds = (expiresIn: number, margin: number) =>
      TokenProvider.cacheLifetime(`${expiresIn} seconds`, `${margin} seconds`).pipe((d) => d.value)
    expect(TokenProvider.cacheLifetime("60 seconds", "10 seconds")).toEqual(
      TokenProvider.cacheLifetime("50 seconds", "0 seconds")
    )
    expect(seconds(60, 10)).toEqual({ _tag: "Millis", millis: 50_000 })
    expect(seconds(10, 10)).toEqual({ _tag: "Millis", millis: 5_000 })
    expect(seconds(0, 10)).toEqual({ _tag: "Millis", millis: 0 })
  })

  it.effect("100 concurrent calls on a cold cache make exactly one token request", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const mock = makeMock({
        api: always(ok),
        token: (_, index) => Effect.as(Deferred.await(gate), tokenResponse({ accessToken: `token-${index + 1}` }))
      })
      const fiber = yield* Effect.fork(withApi(mock, (api) =>
        Effect.forEach(Array.from({ length: 100 }), () =>
          api.getCurrentUser(), { concurrency: "unbounded" }), {
        tokens: clientCredentialsTokens
      }))
      // Every caller is now waiting for the one token request in flight.
      yield* eventually(() =>
        mock.token().length === 1
      )
      for (let i = 0; i < 50; i++) yield* Effect.yieldNow()
      expect(mock.token()).toHaveLength(1)
      expect(mock.api()).toHaveLength(0)
      yield* Deferred.succeed(gate, undefined)
      const users = yield* Fiber.join(fiber)
      expect(users).toHaveLength(100)
      expect(mock.token()).toHaveLength(1)
      expect(mock.api()).toHaveLength(100)
      expect(new Set(bearer(mock))).toEqual(new Set(["Bearer token-1"]))
    }))

  it.effect("a caller interrupted while the token is fetched does not cancel it for the others", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const mock = makeMock({
        token: (_, index) => Effect.as(Deferred.await(gate), tokenResponse({ accessToken: `token-${index + 1}` }))
      })
      const tokens = yield* withTokens(mock, clientCredentialsTokens, (tokens) =>
        Effect.gen(function*() {
          const first = yield* Effect.fork(tokens.get)
          const second = yield* Effect.fork(tokens.get)
          yield* eventually(() => mock.token().length === 1)
          yield* Fiber.interrupt(first)
          yield* Deferred.succeed(gate, undefined)
          return Redacted.value(yield* Fiber.join(second))
        }))
      expect(tokens).toBe("token-1")
      expect(mock.token()).toHaveLength(1)
    }))

  it.effect("a failed token request is not cached: the next call tries again", () =>
    Effect.gen(function*() {
      const mock = makeMock({
        api: always(ok),
        token: sequence(
          () =>
            json({ error: "invalid_client", error_description: "Invalid client or Invalid client credentials" }, 401),
          () => tokenResponse({ accessToken: "token-2" })
        )
      })
      const [first, second] = yield* withApi(
        mock,
        (api) => Effect.all([Effect.either(api.getCurrentUser()), Effect.either(api.getCurrentUser())]),
        {
          tokens: clientCredentialsTokens
        }
      )
      expect(first._tag).toBe("Left")
      expect(second._tag).toBe("Right")
      expect(mock.token()).toHaveLength(2)
      // The failed call never reached the API.
      expect(bearer(mock)).toEqual(["Bearer token-2"])
    }))

  it.effect("a 401 makes exactly one refresh and one retry", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: sequence(() => text("expired", 401), ok), token: numberedTokens() })
      const user = yield* withApi(mock, (api) => api.getCurrentUser(), { tokens: clientCredentialsTokens })
      expect(user.id).toBe("u1")
      expect(mock.token()).toHaveLength(2)
      expect(bearer(mock)).toEqual(["Bearer token-1", "Bearer token-2"])
    }))

  it.effect("a second 401 is Unauthorized: never more than one refresh per call", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(() => text("nope", 401)), token: numberedTokens() })
      const error = yield* Effect.flip(
        withApi(mock, (api) => api.getCurrentUser(), { tokens: clientCredentialsTokens })
      )
      expect(error).toBeInstanceOf(OpenRemoteError.Unauthorized)
      expect(mock.token()).toHaveLength(2)
      expect(bearer(mock)).toEqual(["Bearer token-1", "Bearer token-2"])
    }))

  it.effect("one refresh per call even when a retried attempt meets a 401 again", () =>
    Effect.gen(function*() {
      const mock = makeMock({
        api: sequence(() => text("", 401), () => empty(503), () => text("", 401), ok),
        token: numberedTokens()
      })
      const error = yield* Effect.flip(
        withApi(mock, (api) => api.getCurrentUser(), { tokens: clientCredentialsTokens })
      )
      expect(error._tag).toBe("Unauthorized")
      expect(mock.token()).toHaveLength(2)
      expect(mock.api()).toHaveLength(3)
    })
      .pipe(Effect.fork, Effect.tap(() => TestClock.adjust("1 minute")), Effect.flatMap(Fiber.join)))

  it.effect("many calls refused with the same token cause one refresh", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const mock = makeMock({
        // token-1 is refused, each refusal arriving 10 ms after the one before: most arrive after token-2
        // is cached, and must not drop it.
        api: (request, index) =>
          request.headers["authorization"] === "Bearer token-1"
            ? Effect.as(Effect.sleep(`${index * 10} millis`), text("", 401))
            : Effect.succeed(ok()),
        token: (_, index) =>
          index === 0
            ? Effect.as(Deferred.await(gate), tokenResponse({ accessToken: "token-1" }))
            : Effect.succeed(tokenResponse({ accessToken: `token-${index + 1}` }))
      })
      const fiber = yield* Effect.fork(withApi(mock, (api) =>
        Effect.forEach(Array.from({ length: 20 }), () =>
          api.getCurrentUser(), { concurrency: "unbounded" }), {
        tokens: clientCredentialsTokens
      }))
      yield* eventually(() =>
        mock.token().length === 1
      )
      yield* Deferred.succeed(gate, undefined)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(mock.token()).toHaveLength(2)
      expect(mock.api()).toHaveLength(40)
      expect(bearer(mock).filter((header) => header === "Bearer token-2")).toHaveLength(20)
    }))
})

describe("TokenProvider: token endpoint failures are AuthenticationErrors", () => {
  const failure = (reply: Handler, layer = clientCredentialsTokens) =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(ok), token: reply })
      const fiber = yield* Effect.fork(Effect.flip(withApi(mock, (api) => api.getCurrentUser(), { tokens: layer })))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)
      expect(error).toBeInstanceOf(OpenRemoteError.AuthenticationError)
      // Not retried, and nothing reached the API.
      expect(mock.token()).toHaveLength(1)
      expect(mock.api()).toHaveLength(0)
      return error as OpenRemoteError.AuthenticationError
    })

  it.effect("Keycloak's error and error_description, with the status and the token URL", () =>
    Effect.gen(function*() {
      const error = yield* failure(always(() =>
        json({ error: "invalid_client", error_description: "Invalid client or Invalid client credentials" }, 401)
      ))
      expect(error).toMatchObject({
        operation: "client_credentials",
        method: "POST",
        url: tokenUrl,
        status: 401,
        error: "invalid_client",
        errorDescription: "Invalid client or Invalid client credentials",
        reason: "the token endpoint refused the request"
      })
      expect(error.message).toBe(
        `client_credentials: the token endpoint refused the request (POST ${tokenUrl}), status 401: invalid_client (Invalid client or Invalid client credentials)`
      )
    }))

  it.effect("a body that is not JSON still gives a clear error", () =>
    Effect.gen(function*() {
      const error = yield* failure(always(() => text("<html>Bad Gateway</html>", 502)))
      expect(error).toMatchObject({
        status: 502,
        body: "<html>Bad Gateway</html>",
        reason: "the token endpoint refused the request"
      })
      expect(error.error).toBeUndefined()
      expect(error.message).toContain("status 502")
    }))

  it.effect("a transport failure", () =>
    Effect.gen(function*() {
      const error = yield* failure(always(() => "transport-failure"))
      expect(error.reason).toBe(
        "the token endpoint could not be reached: fetch failed: connect ECONNREFUSED 127.0.0.1:8080"
      )
      expect(error.status).toBeUndefined()
    }))

  it.effect("no answer within the timeout", () =>
    Effect.gen(function*() {
      const error = yield* failure(() => Effect.never)
      expect(error.reason).toBe("the token endpoint did not answer within 10s")
    }))

  it.effect("a response that is not a token", () =>
    Effect.gen(function*() {
      const missing = yield* failure(always(() => json({ token_type: "Bearer" })))
      expect(missing.reason).toBe("the token response is malformed: access_token: is missing")
      const notJson = yield* failure(always(() => text("hello", 200)))
      expect(notJson.reason).toBe("the token response is not JSON")
      expect(notJson.body).toBeUndefined()
    }))
})

describe("TokenProvider.password", () => {
  const passwordTokens = (clientId?: string) =>
    TokenProvider.password({
      keycloakUrl,
      realm: "master",
      username: "admin",
      password: Redacted.make(secrets.password),
      ...(clientId === undefined ? {} : { clientId })
    })

  /** Tokens live 60 s, refresh tokens 1800 s; every grant answers the next numbered pair. */
  const grants: Handler = (_, index) =>
    Effect.succeed(tokenResponse({
      accessToken: `token-${index + 1}`,
      expiresIn: 60,
      refreshToken: `refresh-${index + 1}`,
      refreshExpiresIn: 1800
    }))

  it.effect("signs in with the password grant on client openremote", () =>
    Effect.gen(function*() {
      const mock = makeMock({ token: grants })
      const token = yield* withTokens(mock, passwordTokens(), (tokens) => tokens.get)
      expect(Redacted.value(token)).toBe("token-1")
      expect(mock.token()[0]!.url.href).toBe(tokenUrl)
      expect(form(mock.token()[0]!.body)).toEqual({
        grant_type: "password",
        client_id: "openremote",
        username: "admin",
        password: secrets.password
      })
    }))

  it.effect("uses the refresh token while it is valid, then falls back to the password once it expired", () =>
    Effect.gen(function*() {
      const mock = makeMock({ token: grants })
      const tokens = yield* withTokens(mock, passwordTokens("my-client"), (tokens) =>
        Effect.gen(function*() {
          const result = [yield* tokens.get]
          yield* TestClock.adjust("50 seconds") // the access token expired (60 s - 10 s)
          result.push(yield* tokens.get)
          yield* TestClock.adjust("1790 seconds") // refresh-2 (from 50 s) is usable until 50 + 1790 s
          result.push(yield* tokens.get) // 1840 s: refresh-2 expired → password
          return result.map(Redacted.value)
        }))
      expect(tokens).toEqual(["token-1", "token-2", "token-3"])
      expect(mock.token().map((request) => form(request.body))).toEqual([
        { grant_type: "password", client_id: "my-client", username: "admin", password: secrets.password },
        { grant_type: "refresh_token", client_id: "my-client", refresh_token: "refresh-1" },
        { grant_type: "password", client_id: "my-client", username: "admin", password: secrets.password }
      ])
    }))

  it.effect("falls back to the password when the refresh is refused", () =>
    Effect.gen(function*() {
      const mock = makeMock({
        token: (request, index) =>
          form(request.body).grant_type === "refresh_token"
            ? Effect.succeed(json({ error: "invalid_grant", error_description: "Session not active" }, 400))
            : grants(request, index)
      })
      const tokens = yield* withTokens(mock, passwordTokens(), (tokens) =>
        Effect.gen(function*() {
          const first = yield* tokens.get
          yield* TestClock.adjust("50 seconds")
          const second = yield* tokens.get
          yield* TestClock.adjust("50 seconds")
          const third = yield* tokens.get
          return [first, second, third].map(Redacted.value)
        }))
      expect(tokens).toEqual(["token-1", "token-3", "token-5"])
      expect(mock.token().map((request) => form(request.body).grant_type)).toEqual([
        "password",
        "refresh_token",
        "password",
        "refresh_token",
        "password"
      ])
      expect(form(mock.token()[3]!.body).refresh_token).toBe("refresh-3")
    }))

  it.effect("a refused password is an AuthenticationError with Keycloak's invalid_grant", () =>
    Effect.gen(function*() {
      const mock = makeMock({
        token: always(() => json({ error: "invalid_grant", error_description: "Invalid user credentials" }, 401))
      })
      const error = yield* Effect.flip(withTokens(mock, passwordTokens(), (tokens) => tokens.get))
      expect(error).toMatchObject({
        _tag: "AuthenticationError",
        operation: "password",
        status: 401,
        error: "invalid_grant",
        errorDescription: "Invalid user credentials"
      })
    }))
})

describe("TokenProvider.fromEffect", () => {
  it.effect("caches a custom token for its lifetime and does not cache failures", () =>
    Effect.gen(function*() {
      const calls = yield* Ref.make(0)
      const source = Effect.flatMap(Ref.updateAndGet(calls, (n) => n + 1), (n) =>
        n === 1
          ? Effect.fail(new OpenRemoteError.AuthenticationError({ operation: "vault", reason: "sealed" }))
          : Effect.succeed<TokenProvider.AccessToken>({
            accessToken: Redacted.make(`vault-${n}`),
            expiresIn: "5 minutes"
          }))
      const results = yield* Effect.flatMap(TokenProvider.TokenProvider, (tokens) =>
        Effect.gen(function*() {
          const failed = yield* Effect.exit(tokens.get)
          const a = yield* tokens.get
          yield* TestClock.adjust("4 minutes")
          const b = yield* tokens.get
          yield* TestClock.adjust("1 minute")
          const c = yield* tokens.get
          return { failed, tokens: [a, b, c].map(Redacted.value) }
        })).pipe(Effect.provide(TokenProvider.fromEffect(source)))
      expect(Exit.isFailure(results.failed)).toBe(true)
      expect(results.tokens).toEqual(["vault-2", "vault-2", "vault-3"])
      expect(yield* Ref.get(calls)).toBe(3)
    }))

  it.effect("a bare Redacted token is kept until invalidated", () =>
    Effect.gen(function*() {
      const calls = yield* Ref.make(0)
      const source = Effect.map(Ref.updateAndGet(calls, (n) => n + 1), (n) => Redacted.make(`custom-${n}`))
      const tokens = yield* Effect.flatMap(TokenProvider.TokenProvider, (tokens) =>
        Effect.gen(function*() {
          const a = yield* tokens.get
          yield* TestClock.adjust("365 days")
          const b = yield* tokens.get
          yield* tokens.invalidate(Redacted.make("some-other-token")) // not the cached one: kept
          const c = yield* tokens.get
          yield* tokens.invalidate(c) // the cached one: dropped
          const d = yield* tokens.get
          yield* tokens.invalidate()
          const e = yield* tokens.get
          return [a, b, c, d, e].map(Redacted.value)
        })).pipe(Effect.provide(TokenProvider.fromEffect(source)))
      expect(tokens).toEqual(["custom-1", "custom-1", "custom-1", "custom-2", "custom-3"])
    }))
})
