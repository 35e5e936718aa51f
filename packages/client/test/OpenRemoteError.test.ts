/**
 * The error classes: the status mapping, the guard, readable messages and `catchTags`.
 */
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as OpenRemoteError from "../src/OpenRemoteError.js"

const at = { operation: "getUser", method: "GET", url: "http://localhost:8080/api/master/user/master/u1" }

const instances: ReadonlyArray<OpenRemoteError.OpenRemoteError> = [
  ...[400, 401, 403, 404, 405, 409, 500, 418].map((status) => OpenRemoteError.fromStatus({ ...at, status, body: "" })),
  new OpenRemoteError.TransportError({ ...at, description: "the request failed: fetch failed" }),
  new OpenRemoteError.Timeout({ ...at, timeout: Duration.seconds(10) }),
  new OpenRemoteError.DecodeError({ ...at, status: 200, issues: "enabled: Expected boolean, actual \"yes\"" }),
  new OpenRemoteError.AuthenticationError({ operation: "password", reason: "the token endpoint refused the request" }),
  new OpenRemoteError.InvalidRequest({ ...at, reason: "the path parameter userId may not be \"..\"" })
]

describe("OpenRemoteError", () => {
  it("maps statuses to a closed set of classes", () => {
    const tag = (status: number) => OpenRemoteError.fromStatus({ ...at, status, body: "" })._tag
    expect([400, 401, 403, 404, 405, 409].map(tag)).toEqual([
      "BadRequest",
      "Unauthorized",
      "Forbidden",
      "NotFound",
      "NotAllowed",
      "Conflict"
    ])
    expect([500, 502, 503, 504, 599].map(tag)).toEqual(Array(5).fill("ServerError"))
    expect([200, 204, 301, 408, 410, 429, 600].map(tag)).toEqual(Array(7).fill("UnexpectedStatus"))
  })

  it("the union schema has exactly the thirteen classes, each with its own tag", () => {
    const tags = OpenRemoteError.OpenRemoteError.members.map((member) => member._tag)
    expect(new Set(tags).size).toBe(13)
    expect(new Set(instances.map((error) => error._tag))).toEqual(new Set(tags))
  })

  it("the guard recognises the client's errors and nothing else", () => {
    for (const error of instances) {
      expect(OpenRemoteError.isOpenRemoteError(error)).toBe(true)
    }
    const request = HttpClientRequest.get("http://localhost")
    expect(OpenRemoteError.isOpenRemoteError(new HttpClientError.RequestError({ request, reason: "Transport" }))).toBe(
      false
    )
    expect(OpenRemoteError.isOpenRemoteError(new Error("NotFound"))).toBe(false)
    expect(OpenRemoteError.isOpenRemoteError({ _tag: "NotFound", status: 404 })).toBe(false)
    expect(OpenRemoteError.isOpenRemoteError(undefined)).toBe(false)
    expect(instances.filter(OpenRemoteError.isStatusError)).toHaveLength(8)
  })

  it("messages read as sentences with the operation, method, URL and status", () => {
    expect(
      OpenRemoteError.fromStatus({ ...at, status: 405, body: "not here", meaning: "the user is not in the realm" })
        .message
    ).toBe(
      "getUser: GET http://localhost:8080/api/master/user/master/u1 answered 405 Method Not Allowed (the user is not in the realm): not here"
    )
    expect(instances.map((error) => error.message)).toEqual([
      `getUser: GET ${at.url} answered 400 Bad Request`,
      `getUser: GET ${at.url} answered 401 Unauthorized`,
      `getUser: GET ${at.url} answered 403 Forbidden`,
      `getUser: GET ${at.url} answered 404 Not Found`,
      `getUser: GET ${at.url} answered 405 Method Not Allowed`,
      `getUser: GET ${at.url} answered 409 Conflict`,
      `getUser: GET ${at.url} answered 500 (server error)`,
      `getUser: GET ${at.url} answered 418 (unexpected status)`,
      `getUser: GET ${at.url} failed: the request failed: fetch failed`,
      `getUser: GET ${at.url} did not answer within 10s`,
      `getUser: GET ${at.url} answered 200 with a body that is not the expected result: enabled: Expected boolean, actual "yes"`,
      "password: the token endpoint refused the request",
      `getUser: nothing was sent (GET ${at.url}): the path parameter userId may not be ".."`
    ])
  })

  it("exposes the status and the Retry-After wait", () => {
    const error = OpenRemoteError.fromStatus({ ...at, status: 503, body: "", retryAfter: Duration.seconds(3) })
    expect(OpenRemoteError.status(error)).toBe(503)
    expect(Duration.toMillis(OpenRemoteError.retryAfter(error)!)).toBe(3_000)
    expect(OpenRemoteError.status(instances[8]!)).toBeUndefined()
    expect(OpenRemoteError.retryAfter(instances[8]!)).toBeUndefined()
  })

  it.effect("each class can be caught by its tag", () =>
    Effect.gen(function*() {
      const caught = yield* Effect.forEach(instances, (error) =>
        Effect.fail(error).pipe(
          Effect.catchTags({
            BadRequest: (e) => Effect.succeed(e._tag),
            Unauthorized: (e) => Effect.succeed(e._tag),
            Forbidden: (e) => Effect.succeed(e._tag),
            NotFound: (e) => Effect.succeed(e._tag),
            NotAllowed: (e) => Effect.succeed(e._tag),
            Conflict: (e) => Effect.succeed(e._tag),
            ServerError: (e) => Effect.succeed(e._tag),
            UnexpectedStatus: (e) => Effect.succeed(e._tag),
            TransportError: (e) => Effect.succeed(e._tag),
            Timeout: (e) => Effect.succeed(e._tag),
            DecodeError: (e) => Effect.succeed(e._tag),
            AuthenticationError: (e) => Effect.succeed(e._tag),
            InvalidRequest: (e) => Effect.succeed(e._tag)
          })
        ))
      expect(caught).toEqual(instances.map((error) => error._tag))
    }))
})
