/**
 * Responses and request building: every status maps to its error, void operations accept 200 and 204,
 * secrets come as raw text or JSON strings, error bodies are kept as text (never parsed, at most 1 KiB),
 * and a request that cannot be built is never sent.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { Catalogue } from "@openremote-effect/model"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as OpenRemoteError from "../src/OpenRemoteError.js"
import * as UserApi from "../src/UserApi.js"
import {
  always,
  clientCredentialsTokens,
  empty,
  json,
  makeMock,
  secrets,
  sequence,
  text,
  tokenResponse,
  withApi
} from "./utils/mock.js"
import { call, samples } from "./utils/samples.js"

const noRetry = { retry: { maxRetries: 0 } } as const

const getUser = (
  mock: ReturnType<typeof makeMock>,
  args: { realm: string; userId: string } = { realm: "master", userId: "u1" }
) => withApi(mock, (api) => api.getUser(args), noRetry)

const statusCases: ReadonlyArray<readonly [status: number, tag: OpenRemoteError.OpenRemoteError["_tag"]]> = [
  [400, "BadRequest"],
  [403, "Forbidden"],
  [404, "NotFound"],
  [405, "NotAllowed"],
  [409, "Conflict"],
  [500, "ServerError"],
  [501, "ServerError"],
  [502, "ServerError"],
  [503, "ServerError"],
  [504, "ServerError"],
  [599, "ServerError"],
  [201, "UnexpectedStatus"],
  [202, "UnexpectedStatus"],
  [204, "UnexpectedStatus"],
  [302, "UnexpectedStatus"],
  [408, "UnexpectedStatus"],
  [418, "UnexpectedStatus"],
  [429, "UnexpectedStatus"]
]

describe("UserApi: responses", () => {
  describe("every status maps to its error", () => {
    it.effect.each(statusCases)("%s", ([status, tag]) =>
      Effect.gen(function*() {
        const body = status === 204 ? null : `Request failed with HTTP error status: ${status}`
        const mock = makeMock({ api: always(() => new Response(body, { status })) })
        const error = yield* Effect.flip(getUser(mock))
        expect(error._tag).toBe(tag)
        expect(OpenRemoteError.isStatusError(error)).toBe(true)
        expect(error).toMatchObject({
          operation: "getUser",
          method: "GET",
          url: "http://localhost:8080/api/master/user/master/u1",
          status,
          body: body ?? ""
        })
        expect(mock.api()).toHaveLength(1)
      }))

    it.effect("401 (after its one token retry) is Unauthorized", () =>
      Effect.gen(function*() {
        const mock = makeMock({ api: always(() => text("invalid token", 401)) })
        const error = yield* Effect.flip(getUser(mock))
        expect(error).toBeInstanceOf(OpenRemoteError.Unauthorized)
        expect(error).toMatchObject({ status: 401, body: "invalid token", meaning: Catalogue.getUser.responses[401] })
        expect(mock.api()).toHaveLength(2)
      }))

    // Every error status the catalogue lists for every operation (the server's real statuses, USER-API.md §3).
    const catalogued = Catalogue.all.flatMap((operation) =>
      Object.keys(operation.responses).map(Number).filter((status) => status !== operation.success).map((status) =>
        [operation.name, status] as const
      )
    )
    it.effect.each(catalogued)("%s answering %s", ([name, status]) =>
      Effect.gen(function*() {
        const operation = Catalogue.operations[name]
        const mock = makeMock({ api: always(() => new Response(status === 204 ? null : "", { status })) })
        const error = yield* Effect.flip(withApi(mock, (api) => call(api, name, samples[name].args), noRetry))
        const expected = status === 204 ? "NotFound" : OpenRemoteError.fromStatus({
          operation: name,
          method: operation.method,
          url: "",
          status,
          body: ""
        })._tag
        expect(error._tag).toBe(expected)
        expect(error).toMatchObject({ operation: name, method: operation.method, status })
        expect((error as OpenRemoteError.StatusError).meaning).toBe(operation.responses[status])
      }))
  })

  it.effect("void operations succeed on 200 and on 204", () =>
    Effect.gen(function*() {
      const voids = Catalogue.all.filter((operation) => operation.result._tag === "Void")
      expect(voids.length).toBeGreaterThan(10)
      for (const operation of voids) {
        for (const reply of [() => empty(200), () => text("ignored", 200), () => empty(204)]) {
          const mock = makeMock({ api: always(reply) })
          const result = yield* withApi(mock, (api) => call(api, operation.name, samples[operation.name].args))
          expect(result).toBeUndefined()
        }
        // Any other success status is not theirs.
        const mock = makeMock({ api: always(() => empty(201)) })
        const error = yield* Effect.flip(
          withApi(mock, (api) => call(api, operation.name, samples[operation.name].args), noRetry)
        )
        expect(error._tag).toBe("UnexpectedStatus")
      }
    }))

  it.effect("an operation with a result does not accept 204 unless the catalogue lists it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(getUser(makeMock({ api: always(() => empty(204)) })))
      expect(error).toMatchObject({ _tag: "UnexpectedStatus", status: 204 })
    }))

  describe("resetSecret", () => {
    const resetSecret = (reply: () => Response) =>
      withApi(makeMock({ api: always(reply) }), (api) => api.resetSecret({ realm: "master", userId: "u1" }), noRetry)

    it.effect("returns a raw-text secret, Redacted", () =>
      Effect.gen(function*() {
        const secret = yield* resetSecret(() => text("Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", 200))
        expect(Redacted.value(secret)).toBe("Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z")
        expect(String(secret)).toBe("<redacted>")
      }))

    it.effect("returns a JSON-string secret without its quotes", () =>
      Effect.gen(function*() {
        expect(Redacted.value(yield* resetSecret(() => json("Ab3dEf6h")))).toBe("Ab3dEf6h")
        expect(Redacted.value(yield* resetSecret(() => json("with \"quote\" and \\")))).toBe("with \"quote\" and \\")
      }))

    it.effect("keeps raw text that only looks like the start of a JSON string", () =>
      Effect.gen(function*() {
        expect(Redacted.value(yield* resetSecret(() => text("\"unterminated", 200)))).toBe("\"unterminated")
        expect(Redacted.value(yield* resetSecret(() => text("in\"side", 200)))).toBe("in\"side")
      }))

    it.effect("204 (user or client not found) is NotFound with status 204 and a message saying so", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(resetSecret(() => empty(204)))
        expect(error).toBeInstanceOf(OpenRemoteError.NotFound)
        expect(error).toMatchObject({ status: 204, body: "", meaning: Catalogue.resetSecret.responses[204] })
        expect(error.message).toContain("answered 204 No Content, so nothing was found")
        expect(error.message).toContain("does not exist")
      }))
  })

  describe("error bodies", () => {
    it.effect("are kept as text and never parsed as JSON", () =>
      Effect.gen(function*() {
        const body = "{\"error\":\"not_found\",\"message\":\"x\"}"
        const error = yield* Effect.flip(getUser(makeMock({ api: always(() => json(JSON.parse(body), 404)) })))
        expect(error).toMatchObject({ _tag: "NotFound", body })
        expect(typeof (error as OpenRemoteError.NotFound).body).toBe("string")
      }))

    it.effect("keep at most 1 KiB, never splitting a character", () =>
      Effect.gen(function*() {
        const ascii = yield* Effect.flip(getUser(makeMock({ api: always(() => text("x".repeat(5000), 500)) })))
        expect((ascii as OpenRemoteError.ServerError).body).toBe("x".repeat(1024))
        // "é" is 2 bytes in UTF-8: after one "a", only 511 of them fit in 1024 bytes.
        const multi = yield* Effect.flip(getUser(makeMock({ api: always(() => text("a" + "é".repeat(600), 500)) })))
        const kept = (multi as OpenRemoteError.ServerError).body
        expect(kept).toBe("a" + "é".repeat(511))
        expect(new TextEncoder().encode(kept).length).toBe(1023)
      }))

    it.effect("carry the Retry-After wait", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(getUser(makeMock({ api: always(() => empty(503, { "Retry-After": "7" })) })))
        expect(Duration.toMillis(OpenRemoteError.retryAfter(error)!)).toBe(7000)
        expect(error.message).toContain("retry after 7s")
      }))
  })

  describe("success bodies that do not match their schema", () => {
    it.effect("a field of the wrong type is a DecodeError naming the field", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(getUser(makeMock({ api: always(() => json({ id: "u1", enabled: "yes" })) })))
        expect(error).toBeInstanceOf(OpenRemoteError.DecodeError)
        expect(error).toMatchObject({ operation: "getUser", status: 200 })
        expect((error as OpenRemoteError.DecodeError).issues).toContain("enabled: Expected boolean, actual \"yes\"")
      }))

    it.effect("a body that is not JSON, or empty, is a DecodeError", () =>
      Effect.gen(function*() {
        const html = yield* Effect.flip(getUser(makeMock({ api: always(() => text("<html>oops</html>", 200)) })))
        expect(html).toMatchObject({ _tag: "DecodeError", issues: "the body is not JSON" })
        const none = yield* Effect.flip(getUser(makeMock({ api: always(() => empty(200)) })))
        expect(none).toMatchObject({ _tag: "DecodeError", issues: "the body is empty, expected JSON" })
      }))

    it.effect("a DecodeError is not retried", () =>
      Effect.gen(function*() {
        const mock = makeMock({ api: always(() => json({ enabled: "yes" })) })
        yield* Effect.flip(withApi(mock, (api) => api.getUser({ realm: "master", userId: "u1" })))
        expect(mock.api()).toHaveLength(1)
      }))
  })

  it.effect("a transport failure is a TransportError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(getUser(makeMock({ api: always(() => "transport-failure") })))
      expect(error).toBeInstanceOf(OpenRemoteError.TransportError)
      expect(error).toMatchObject({
        operation: "getUser",
        method: "GET",
        url: "http://localhost:8080/api/master/user/master/u1"
      })
      expect((error as OpenRemoteError.TransportError).description).toBe(
        "the request failed: fetch failed: connect ECONNREFUSED 127.0.0.1:8080"
      )
    }))

  it.effect("transformClient applies to the API calls, not to the token requests", () =>
    Effect.gen(function*() {
      const mock = makeMock({
        api: always(() => json({ id: "u1" })),
        token: always(() => tokenResponse({ accessToken: "t" }))
      })
      const layer = UserApi.layer({
        baseUrl: "http://localhost:8080/api/master",
        transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader("X-Trace-Me", "yes"))
      }).pipe(Layer.provide(clientCredentialsTokens), Layer.provide(mock.layer))
      yield* Effect.flatMap(UserApi.UserApi, (api) => api.getCurrentUser()).pipe(Effect.provide(layer))
      expect(mock.api()[0]!.headers["x-trace-me"]).toBe("yes")
      expect(mock.token()[0]!.headers).not.toHaveProperty("x-trace-me")
    }))

  it.effect("tolerates a trailing slash on the base URL", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(() => json({ id: "u1" })) })
      yield* withApi(mock, (api) => api.getCurrentUser(), { baseUrl: "http://localhost:8080/api/master//" })
      expect(mock.requests[0]!.url.pathname).toBe("/api/master/user/user")
    }))

  it.effect("an invalid base URL is an InvalidRequest", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(() => json({})) })
      const error = yield* Effect.flip(withApi(mock, (api) => api.getCurrentUser(), { baseUrl: "not a url" }))
      expect(error).toMatchObject({ _tag: "InvalidRequest", reason: "the URL is not valid" })
      expect(mock.requests).toHaveLength(0)
    }))

  it.effect("errors never show a user name or password of the base URL", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(() => empty(403)) })
      const error = yield* Effect.flip(
        withApi(mock, (api) => api.getCurrentUser(), {
          baseUrl: `http://admin:${secrets.password}@localhost:8080/api/master`
        })
      )
      expect(error).toMatchObject({ _tag: "Forbidden", url: "http://localhost:8080/api/master/user/user" })
    }))
})

describe("UserApi: requests that cannot be built are never sent", () => {
  const sendsNothing = <A>(
    run: (mock: ReturnType<typeof makeMock>) => Effect.Effect<A, OpenRemoteError.OpenRemoteError>
  ) =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(() => json({})) })
      const error = yield* Effect.flip(run(mock))
      expect(mock.requests).toHaveLength(0)
      expect(error).toBeInstanceOf(OpenRemoteError.InvalidRequest)
      return error as OpenRemoteError.InvalidRequest
    })

  it.effect.each(["", ".", ".."])("a path parameter %j", (userId) =>
    Effect.gen(function*() {
      const error = yield* sendsNothing((mock) => getUser(mock, { realm: "master", userId }))
      expect(error).toMatchObject({ operation: "getUser", method: "GET" })
      expect(error.reason).toBe(`the path parameter userId may not be ${JSON.stringify(userId)}`)
      const realm = yield* sendsNothing((mock) => getUser(mock, { realm: userId, userId: "u1" }))
      expect(realm.reason).toContain("the path parameter realm may not be")
    }))

  it.effect("a missing path parameter (from untyped callers)", () =>
    Effect.gen(function*() {
      const error = yield* sendsNothing((mock) => withApi(mock, (api) => call(api, "getUser", { realm: "master" })))
      expect(error.reason).toBe("the path parameter userId is missing")
    }))

  it.effect("a path parameter that is not well-formed Unicode", () =>
    Effect.gen(function*() {
      const error = yield* sendsNothing((mock) => getUser(mock, { realm: "master", userId: "a\uD800b" }))
      expect(error.reason).toBe("the path parameter userId is not well-formed Unicode (it holds a lone surrogate)")
    }))

  it.effect("a forwarded header that would inject another header", () =>
    Effect.gen(function*() {
      const error = yield* sendsNothing((mock) =>
        withApi(mock, (api) => api.getCurrentUser({ xForwardedHost: "evil\r\nAuthorization: Bearer x" }))
      )
      expect(error.reason).toBe("xForwardedHost must be a string of printable ASCII characters")
    }))

  it.effect("a body that does not encode with its schema", () =>
    Effect.gen(function*() {
      const roles = yield* sendsNothing((mock) =>
        withApi(mock, (api) => call(api, "updateUserRealmRoles", { realm: "master", userId: "u1", roles: [1] }))
      )
      expect(roles.reason).toContain("the roles body does not encode")
      expect(roles.reason).toBe("the roles body does not encode: [0]: Expected string")
      const query = yield* sendsNothing((mock) => withApi(mock, (api) => api.queryUsers({ query: { limit: 1.5 } })))
      expect(query.reason).toBe("the query body does not encode: limit: Expected an integer")
      const missing = yield* sendsNothing((mock) => withApi(mock, (api) => call(api, "updateSelf", {})))
      expect(missing.reason).toContain("the user body does not encode")
    }))

  it.effect("queryUsers without a query sends no body", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: sequence(() => json([])) })
      yield* withApi(mock, (api) => api.queryUsers())
      expect(mock.requests[0]!.body).toBeUndefined()
      expect(mock.requests[0]!.headers).not.toHaveProperty("content-type")
    }))
})

describe("UserApi: path injection", () => {
  const pathOf = (userId: string) =>
    Effect.gen(function*() {
      const mock = makeMock({ api: always(() => json({ id: "u1" })) })
      yield* getUser(mock, { realm: "master", userId })
      expect(mock.requests).toHaveLength(1)
      return mock.requests[0]!.url
    })

  it.effect("a `/` stays inside its segment", () =>
    Effect.gen(function*() {
      const url = yield* pathOf("a/b")
      expect(url.pathname).toBe("/api/master/user/master/a%2Fb")
    }))

  it.effect("a `?` or `#` does not start a query or fragment", () =>
    Effect.gen(function*() {
      const query = yield* pathOf("?x=1")
      expect(query.pathname).toBe("/api/master/user/master/%3Fx%3D1")
      expect(query.search).toBe("")
      const hash = yield* pathOf("#top")
      expect(hash.pathname).toBe("/api/master/user/master/%23top")
      expect(hash.hash).toBe("")
    }))

  it.effect("`..` segments never reach another path, encoded or not", () =>
    Effect.gen(function*() {
      expect((yield* pathOf("../../users")).pathname).toBe("/api/master/user/master/..%2F..%2Fusers")
      expect((yield* pathOf("%2E%2E")).pathname).toBe("/api/master/user/master/%252E%252E")
      expect((yield* pathOf("..a")).pathname).toBe("/api/master/user/master/..a")
    }))

  it.effect.prop(
    "any other id is exactly the last segment of the path",
    [FastCheck.string({ unit: "binary", maxLength: 40 })],
    ([userId]) =>
      Effect.gen(function*() {
        const mock = makeMock({ api: always(() => json({ id: "u1" })) })
        const result = yield* Effect.either(getUser(mock, { realm: "master", userId }))
        const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
        const refused = userId === "" || userId === "." || userId === ".." || loneSurrogate.test(userId)
        expect(result._tag).toBe(refused ? "Left" : "Right")
        if (result._tag === "Left") {
          expect(result.left._tag).toBe("InvalidRequest")
          expect(mock.requests).toHaveLength(0)
          return
        }
        const url = mock.requests[0]!.url
        expect(url.search).toBe("")
        expect(url.hash).toBe("")
        const segments = url.pathname.split("/")
        expect(segments.slice(0, 5)).toEqual(["", "api", "master", "user", "master"])
        expect(segments).toHaveLength(6)
        expect(decodeURIComponent(segments[5]!)).toBe(userId)
      }),
    // 300 runs take about 3 s alone; the default 5 s is not enough on a loaded 2-core machine.
    { fastCheck: { numRuns: 300 }, timeout: 30_000 }
  )
})
