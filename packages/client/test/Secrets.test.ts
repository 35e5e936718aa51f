/**
 * Secrets: every kind of error is formatted every way (String, message, JSON, Cause.pretty, inspect) and
 * the logs and spans of failing runs are captured; none may contain the access token, a password, a client
 * secret, a refresh token or a service user's secret, even when the server echoes them back.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { inspect } from "node:util"
import * as OpenRemoteError from "../src/OpenRemoteError.js"
import * as TokenProvider from "../src/TokenProvider.js"
import type * as UserApi from "../src/UserApi.js"
import {
  always,
  clientCredentialsTokens,
  empty,
  json,
  keycloakUrl,
  makeCapturingLogger,
  makeMock,
  makeRecordingTracer,
  type Reply,
  secrets,
  sequence,
  text,
  tokenResponse,
  withApi
} from "./utils/mock.js"
import { call } from "./utils/samples.js"

const secretValues = Object.values(secrets)

const formats = (error: OpenRemoteError.OpenRemoteError): ReadonlyArray<string> => [
  String(error),
  error.message,
  error.toString(),
  JSON.stringify(error),
  Cause.pretty(Cause.fail(error)),
  Cause.pretty(Cause.fail(error), { renderErrorCause: true }),
  inspect(error, { depth: 20 }),
  Inspectable.format(error),
  Inspectable.toStringUnknown(error)
]

const expectNoSecret = (texts: ReadonlyArray<string>) => {
  for (const text of texts) {
    for (const secret of secretValues) {
      expect(text).not.toContain(secret)
    }
  }
}

const passwordTokens = TokenProvider.password({
  keycloakUrl,
  realm: "master",
  username: "admin",
  password: Redacted.make(secrets.password)
})

const credential = { type: "password", value: Redacted.make(secrets.password), temporary: false } as const

/** The error `effect` fails with (a success is a defect). */
const failure = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<E> =>
  Effect.flatMap(
    Effect.either(effect),
    (result) => result._tag === "Left" ? Effect.succeed(result.left) : Effect.dieMessage("the call succeeded")
  )

/** Runs a call that fails while the TestClock moves on; returns its error. */
const failing = <A>(
  replies: { readonly api?: (() => Reply) | "hang"; readonly token?: () => Reply },
  f: (api: UserApi.Service) => Effect.Effect<A, OpenRemoteError.OpenRemoteError>,
  tokens?: NonNullable<Parameters<typeof withApi>[2]>["tokens"]
) =>
  Effect.gen(function*() {
    const mock = makeMock({
      api: replies.api === "hang" ? () => Effect.never : always(replies.api ?? (() => json({}))),
      token: always(replies.token ?? (() => tokenResponse({ accessToken: secrets.token })))
    })
    const fiber = yield* Effect.fork(failure(withApi(mock, f, tokens === undefined ? {} : { tokens })))
    yield* TestClock.adjust("10 minutes")
    return yield* Fiber.join(fiber)
  })

/** One failing run per kind of error, each with the server echoing secrets where it can. */
const scenarios: ReadonlyArray<readonly [string, Effect.Effect<OpenRemoteError.OpenRemoteError>, RegExp]> = [
  [
    "ServerError echoing the token and the new password",
    failing(
      { api: () => text(`boom: Authorization: Bearer ${secrets.token}, value=${secrets.password}`, 500) },
      (api) => api.updatePassword({ realm: "master", userId: "u1", credential })
    ),
    /boom: Authorization: Bearer <redacted>, value=<redacted>/
  ],
  [
    "Unauthorized echoing the token",
    failing({ api: () => text(`token ${secrets.token} expired`, 401) }, (api) => api.getCurrentUser()),
    /token <redacted> expired/
  ],
  [
    "BadRequest echoing the password",
    failing(
      { api: () => text(`password ${secrets.password} is too weak`, 400) },
      (api) => api.updateOwnPassword({ credential })
    ),
    /password <redacted> is too weak/
  ],
  [
    "UnexpectedStatus with a Retry-After",
    failing({ api: () => text(secrets.token, 429, { "Retry-After": "1" }) }, (api) => api.getCurrentUser()),
    /answered 429/
  ],
  [
    "NotFound of resetSecret",
    failing({ api: () => empty(204) }, (api) => api.resetSecret({ realm: "master", userId: "u1" })),
    /204/
  ],
  [
    "DecodeError of a body holding a service user's secret",
    failing(
      { api: () => json({ id: "u1", secret: secrets.userSecret, access_token: secrets.token2 }) },
      (api) => api.getUserRealmRoles({ realm: "master", userId: "u1" })
    ),
    /<redacted>/
  ],
  [
    "DecodeError of a user with a secret",
    failing(
      { api: () => json({ id: 1, username: "svc", secret: secrets.userSecret }) },
      (api) => api.getUser({ realm: "master", userId: "u1" })
    ),
    /id: Expected string, actual 1/
  ],
  [
    "TransportError whose cause names the token",
    failing(
      { api: () => ({ transportFailure: `proxy refused Bearer ${secrets.token}` }) },
      (api) => api.getCurrentUser()
    ),
    /proxy refused Bearer <redacted>/
  ],
  [
    "Timeout",
    failing({ api: "hang" }, (api) => api.getUser({ realm: "master", userId: secrets.token.slice(0, 4) })),
    /did not answer within 10s/
  ],
  [
    "Forbidden echoing the token",
    failing({ api: () => text(`${secrets.token} lacks write:admin`, 403) }, (api) => api.getCurrentUser()),
    /<redacted> lacks write:admin/
  ],
  [
    "NotAllowed echoing the token",
    failing({ api: () => text(`not in realm for ${secrets.token}`, 405) }, (api) => api.getCurrentUser()),
    /not in realm for <redacted>/
  ],
  [
    "Conflict echoing the token",
    failing({ api: () => text(`conflict ${secrets.token}`, 409) }, (api) => api.getCurrentUser()),
    /conflict <redacted>/
  ],
  [
    "InvalidRequest for a password given without Redacted",
    failing({}, (api) =>
      call(api, "updatePassword", {
        realm: "master",
        userId: "u1",
        credential: { type: "password", value: secrets.password }
      })),
    /the credential body does not encode: value: Expected/
  ],
  [
    "AuthenticationError of client credentials echoing the secret",
    failing(
      {
        token: () =>
          json({ error: "invalid_client", error_description: `secret ${secrets.clientSecret} is wrong` }, 401)
      },
      (api) => api.getCurrentUser(),
      clientCredentialsTokens
    ),
    /invalid_client \(secret <redacted> is wrong\)/
  ],
  [
    "AuthenticationError of the password grant echoing the password",
    failing(
      { token: () => text(`bad password ${secrets.password}`, 401) },
      (api) => api.getCurrentUser(),
      passwordTokens
    ),
    /status 401/
  ],
  [
    "AuthenticationError of a malformed token response",
    failing(
      { token: () => json({ access_token: [secrets.token], refresh_token: 5 }) },
      (api) => api.getCurrentUser(),
      passwordTokens
    ),
    /the token response is malformed: access_token: Expected string, actual \["<redacted>"\]/
  ],
  [
    "AuthenticationError of an unreachable token endpoint",
    failing(
      { token: () => ({ transportFailure: `tls alert for client_secret=${secrets.clientSecret}` }) },
      (api) => api.getCurrentUser(),
      clientCredentialsTokens
    ),
    /client_secret=<redacted>/
  ]
]

describe("Secrets never appear in errors", () => {
  it.effect.each(scenarios)("%s", ([, run, expected]) =>
    Effect.gen(function*() {
      const error = yield* run
      expect(OpenRemoteError.isOpenRemoteError(error)).toBe(true)
      // The error says what happened (the scrubbed text is still there)...
      expect(error.message).toMatch(expected)
      // ...and no format of it holds a secret.
      expectNoSecret(formats(error))
    }))

  it.effect("the scenarios cover every kind of error", () =>
    Effect.gen(function*() {
      const tags = yield* Effect.forEach(scenarios, ([, run]) => Effect.map(run, (error) => error._tag))
      expect(new Set(tags)).toEqual(new Set(OpenRemoteError.OpenRemoteError.members.map((member) => member._tag)))
    }))
})

describe("Secrets never appear in logs or spans", () => {
  it.effect("a failing run, logged at every level, with retries, refresh fallbacks and a logged cause", () =>
    Effect.gen(function*() {
      const { lines, logger } = makeCapturingLogger()
      const { spans, tracer } = makeRecordingTracer()
      const mock = makeMock({
        api: sequence(
          () => text(`refused ${secrets.token}`, 401),
          () => text(`echo ${secrets.token}`, 503),
          () => json({ id: "u1", secret: secrets.userSecret, enabled: "x" }),
          () => text(`cannot set ${secrets.password}`, 500)
        ),
        token: (request) =>
          Effect.succeed(
            new URLSearchParams(request.body).get("grant_type") === "refresh_token"
              ? json({ error: "invalid_grant", error_description: `refresh ${secrets.refreshToken} expired` }, 400)
              : tokenResponse({
                accessToken: secrets.token,
                expiresIn: 60,
                refreshToken: secrets.refreshToken,
                refreshExpiresIn: 1800
              })
          )
      })
      const program = withApi(mock, (api) =>
        Effect.gen(function*() {
          const decodeError = yield* failure(api.getCurrentUser())
          expect(decodeError._tag).toBe("DecodeError")
          yield* Effect.logError(decodeError)
          yield* TestClock.adjust("2 minutes")
          return yield* api.updatePassword({ realm: "master", userId: "u1", credential })
        }), { tokens: passwordTokens, httpClientSpans: true })
      const fiber = yield* Effect.fork(
        program.pipe(
          Effect.tapErrorCause((cause) => Effect.logError("the run failed", cause)),
          Effect.tapError((error) => Effect.logWarning(error)),
          Effect.annotateLogs("credential", credential),
          Effect.withTracer(tracer),
          Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
          Logger.withMinimumLogLevel(LogLevel.All),
          failure
        )
      )
      yield* TestClock.adjust("10 minutes")
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("ServerError")

      // The run did log: the 401 refresh, the refused refresh token, the retry, the failure.
      const all = lines.join("\n")
      expect(all).toContain("the token was refused, retrying with a fresh one")
      expect(all).toContain("the refresh token was refused")
      expect(all).toContain("retry 1 of 3")
      expect(all).toContain("the run failed")
      expectNoSecret(lines)

      // Spans: the HTTP client's span attributes include the (redacted) Authorization header.
      const attributes = spans.flatMap((span) =>
        [...span.attributes.entries()].map(([key, value]) => `${key}=${String(value)}`)
      )
      expect(attributes.some((attribute) => attribute.startsWith("http.request.header.authorization"))).toBe(true)
      expectNoSecret(attributes)
    }))

  it.effect("printing or logging a token provider's token shows <redacted>", () =>
    Effect.gen(function*() {
      const token = yield* Effect.flatMap(TokenProvider.TokenProvider, (tokens) => tokens.get).pipe(
        Effect.provide(Layer.provide(
          clientCredentialsTokens,
          makeMock({ token: always(() => tokenResponse({ accessToken: secrets.token })) }).layer
        ))
      )
      expectNoSecret([String(token), JSON.stringify({ token }), inspect(token), Inspectable.format(token)])
      expect(Redacted.value(token)).toBe(secrets.token)
    }))
})
