/**
 * Configuration: the `OPENREMOTE_*` variables (via `ConfigProvider.fromMap`), secrets as `Redacted`, the
 * choice of token provider, and `UserApi.layerConfig` end to end over a mock `HttpClient`.
 */
import { describe, expect, it } from "@effect/vitest"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as OpenRemoteConfig from "../src/OpenRemoteConfig.js"
import * as OpenRemoteError from "../src/OpenRemoteError.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import * as UserApi from "../src/UserApi.js"
import { always, json, makeMock, type Mock, secrets, tokenResponse } from "./utils/mock.js"

const provider = (variables: Record<string, string>) => ConfigProvider.fromMap(new Map(Object.entries(variables)))

const read = (variables: Record<string, string>) =>
  Effect.withConfigProvider(OpenRemoteConfig.config, provider(variables))

const serviceUser = {
  OPENREMOTE_URL: "http://localhost:8080/api/master",
  OPENREMOTE_KEYCLOAK_URL: "http://localhost:8081/auth",
  OPENREMOTE_CLIENT_ID: "serviceuser",
  OPENREMOTE_CLIENT_SECRET: secrets.clientSecret
}

const person = {
  OPENREMOTE_URL: "https://iot.example.com/api/smartcity/",
  OPENREMOTE_REALM: "smartcity",
  OPENREMOTE_USERNAME: "alice",
  OPENREMOTE_PASSWORD: secrets.password
}

describe("OpenRemoteConfig.config", () => {
  it.effect("reads every variable, secrets as Redacted", () =>
    Effect.gen(function*() {
      const config = yield* read({ ...serviceUser, OPENREMOTE_REALM: "smartcity", OPENREMOTE_TIMEOUT: "5 seconds" })
      expect(config).toMatchObject({
        baseUrl: "http://localhost:8080/api/master",
        keycloakUrl: "http://localhost:8081/auth",
        realm: "smartcity",
        clientId: "serviceuser"
      })
      expect(Redacted.isRedacted(config.clientSecret)).toBe(true)
      expect(Redacted.value(config.clientSecret!)).toBe(secrets.clientSecret)
      expect(String(config.clientSecret)).toBe("<redacted>")
      expect(Duration.toMillis(config.timeout!)).toBe(5_000)
      expect(config.username).toBeUndefined()
      expect(config.password).toBeUndefined()
    }))

  it.effect("defaults: realm master, Keycloak at {origin}/auth, no timeout; trailing slashes dropped", () =>
    Effect.gen(function*() {
      const config = yield* read(person)
      expect(config).toMatchObject({
        baseUrl: "https://iot.example.com/api/smartcity",
        keycloakUrl: "https://iot.example.com/auth",
        realm: "smartcity",
        username: "alice"
      })
      expect(Redacted.value(config.password!)).toBe(secrets.password)
      expect(config.timeout).toBeUndefined()
      expect((yield* read({ OPENREMOTE_URL: "http://localhost:8080/api/master" })).realm).toBe("master")
    }))

  it.effect("OPENREMOTE_URL is required and must be an http(s) URL", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip(read({}))
      expect(ConfigError.isConfigError(missing)).toBe(true)
      expect(String(missing)).toContain("OPENREMOTE_URL")
      const invalid = yield* Effect.flip(read({ OPENREMOTE_URL: "ftp://example.com" }))
      expect(String(invalid)).toContain("Expected an absolute http(s) URL")
    }))
})

describe("OpenRemoteConfig.credentials", () => {
  const base = {
    baseUrl: "http://localhost:8080/api/master",
    keycloakUrl: "http://localhost:8081/auth",
    realm: "master"
  }

  it("picks client credentials when a client secret is set, even with a username and password", () => {
    const credentials = OpenRemoteConfig.credentials({
      ...base,
      clientId: "serviceuser",
      clientSecret: Redacted.make(secrets.clientSecret),
      username: "alice",
      password: Redacted.make(secrets.password)
    })
    expect(Either.getOrThrow(credentials)).toMatchObject({ _tag: "ClientCredentials", clientId: "serviceuser" })
  })

  it("picks the password grant on client openremote for a username and password", () => {
    const credentials = OpenRemoteConfig.credentials({
      ...base,
      username: "alice",
      password: Redacted.make(secrets.password)
    })
    expect(Either.getOrThrow(credentials)).toMatchObject({
      _tag: "Password",
      clientId: "openremote",
      username: "alice"
    })
  })

  it.each([
    [{ clientSecret: Redacted.make(secrets.clientSecret) }, "OPENREMOTE_CLIENT_ID must name the service user"],
    [{ username: "alice" }, "OPENREMOTE_PASSWORD must be set with OPENREMOTE_USERNAME"],
    [{ password: Redacted.make(secrets.password) }, "OPENREMOTE_USERNAME must be set with OPENREMOTE_PASSWORD"],
    [{}, "no credentials: set OPENREMOTE_CLIENT_ID and OPENREMOTE_CLIENT_SECRET"]
  ])("refuses %o with a clear ConfigError", (partial, message) => {
    const credentials = OpenRemoteConfig.credentials({ ...base, ...partial })
    expect(Either.isLeft(credentials)).toBe(true)
    const error = Either.getLeft(credentials).pipe((option) => option._tag === "Some" ? option.value : undefined)
    expect(ConfigError.isConfigError(error)).toBe(true)
    expect(String(error)).toContain(message)
    expect(String(error)).not.toContain(secrets.clientSecret)
    expect(String(error)).not.toContain(secrets.password)
  })
})

describe("UserApi.layerConfig", () => {
  const run = <A, E>(
    mock: Mock,
    variables: Record<string, string>,
    f: (api: UserApi.Service) => Effect.Effect<A, E>
  ) =>
    Effect.flatMap(UserApi.UserApi, f).pipe(
      Effect.provide(UserApi.layerConfig().pipe(Layer.provide(RetryPolicy.layerNone), Layer.provide(mock.layer))),
      Effect.withConfigProvider(provider(variables))
    )

  it.effect("a service user: client credentials against the configured Keycloak, calls to the configured URL", () =>
    Effect.gen(function*() {
      const mock = makeMock({
        api: always(() => json({ id: "u1" })),
        token: always(() => tokenResponse({ accessToken: "cc-token" }))
      })
      const user = yield* run(mock, serviceUser, (api) => api.getCurrentUser())
      expect(user.id).toBe("u1")
      const token = mock.token()[0]!
      expect(token.url.href).toBe("http://localhost:8081/auth/realms/master/protocol/openid-connect/token")
      expect(Object.fromEntries(new URLSearchParams(token.body))).toEqual({
        grant_type: "client_credentials",
        client_id: "serviceuser",
        client_secret: secrets.clientSecret
      })
      expect(mock.api()[0]!.url.href).toBe("http://localhost:8080/api/master/user/user")
      expect(mock.api()[0]!.headers["authorization"]).toBe("Bearer cc-token")
    }))

  it.effect("a person: the password grant on client openremote of the configured realm", () =>
    Effect.gen(function*() {
      const mock = makeMock({
        api: always(() => json([])),
        token: always(() => tokenResponse({ accessToken: "pw-token" }))
      })
      yield* run(mock, person, (api) => api.getCurrentUserRealmRoles())
      const token = mock.token()[0]!
      expect(token.url.href).toBe("https://iot.example.com/auth/realms/smartcity/protocol/openid-connect/token")
      expect(Object.fromEntries(new URLSearchParams(token.body))).toEqual({
        grant_type: "password",
        client_id: "openremote",
        username: "alice",
        password: secrets.password
      })
      expect(mock.api()[0]!.url.href).toBe("https://iot.example.com/api/smartcity/user/userRealmRoles")
    }))

  it.effect("OPENREMOTE_TIMEOUT bounds each attempt", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: () => Effect.never, token: always(() => tokenResponse({ accessToken: "t" })) })
      const fiber = yield* Effect.fork(
        Effect.flip(run(mock, { ...serviceUser, OPENREMOTE_TIMEOUT: "2 seconds" }, (api) => api.getCurrentUser()))
      )
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)
      expect(error).toBeInstanceOf(OpenRemoteError.Timeout)
      expect(Duration.toMillis((error as OpenRemoteError.Timeout).timeout)).toBe(2_000)
    }))

  it.effect("without credentials the layer fails with a clear ConfigError and sends nothing", () =>
    Effect.gen(function*() {
      const mock = makeMock({})
      const error = yield* Effect.flip(
        run(mock, { OPENREMOTE_URL: "http://localhost:8080/api/master" }, (api) => api.getCurrentUser())
      )
      expect(ConfigError.isConfigError(error)).toBe(true)
      expect(String(error)).toContain("no credentials")
      expect(mock.requests).toHaveLength(0)
    }))
})
