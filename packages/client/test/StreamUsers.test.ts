/**
 * `streamUsers`: pages over `queryUsers` with limit/offset, ordered by username unless the query orders
 * otherwise, ending on the first short page; over 0, 1, exactly one page and many pages.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as OpenRemoteError from "../src/OpenRemoteError.js"
import type * as UserApi from "../src/UserApi.js"
import { type Handler, json, makeMock, makeRecordingTracer, type Mock, text, withApi } from "./utils/mock.js"

/** A `queryUsers` endpoint over `count` users, honouring limit and offset as the server does (> 0 only). */
const directory = (count: number, failOnPage?: number): Handler => (request, index) =>
  Effect.sync(() => {
    if (index === failOnPage) return text("", 403)
    const query = JSON.parse(request.body ?? "{}") as { limit?: number; offset?: number }
    const users = Array.from(
      { length: count },
      (_, i) => ({ id: `u${i}`, username: `user-${String(i).padStart(3, "0")}` })
    )
    const offset = query.offset !== undefined && query.offset > 0 ? query.offset : 0
    const limit = query.limit !== undefined && query.limit > 0 ? query.limit : users.length
    return json(users.slice(offset, offset + limit))
  })

const bodies = (mock: Mock) => mock.api().map((request) => JSON.parse(request.body!) as Record<string, unknown>)

const stream = (
  mock: Mock,
  f: (api: UserApi.Service) => Stream.Stream<{ readonly id?: string }, OpenRemoteError.OpenRemoteError>
) =>
  withApi(
    mock,
    (api) => Effect.map(Stream.runCollect(f(api)), (users) => Chunk.toReadonlyArray(users).map((user) => user.id))
  )

describe("UserApi.streamUsers", () => {
  it.effect("0 users: one request, an empty stream", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: directory(0) })
      expect(yield* stream(mock, (api) => api.streamUsers({}, { pageSize: 3 }))).toEqual([])
      expect(bodies(mock)).toEqual([{ orderBy: { property: "USERNAME" }, limit: 3, offset: 0 }])
    }))

  it.effect("1 user: one short page", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: directory(1) })
      expect(yield* stream(mock, (api) => api.streamUsers({}, { pageSize: 3 }))).toEqual(["u0"])
      expect(mock.api()).toHaveLength(1)
    }))

  it.effect("exactly one page: a second, empty page ends the stream", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: directory(3) })
      expect(yield* stream(mock, (api) => api.streamUsers({}, { pageSize: 3 }))).toEqual(["u0", "u1", "u2"])
      expect(bodies(mock).map((body) => body.offset)).toEqual([0, 3])
    }))

  it.effect("many pages: every user once, in order, with growing offsets", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: directory(10) })
      const ids = yield* stream(mock, (api) => api.streamUsers(undefined, { pageSize: 3 }))
      expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => `u${i}`))
      expect(bodies(mock)).toEqual(
        [0, 3, 6, 9].map((offset) => ({ orderBy: { property: "USERNAME" }, limit: 3, offset }))
      )
      expect(
        mock.api().every((request) => request.method === "POST" && request.url.pathname === "/api/master/user/query")
      )
        .toBe(true)
    }))

  it.effect("pages lazily: taking fewer users requests fewer pages", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: directory(10) })
      const ids = yield* stream(mock, (api) => Stream.take(api.streamUsers({}, { pageSize: 3 }), 4))
      expect(ids).toEqual(["u0", "u1", "u2", "u3"])
      expect(mock.api()).toHaveLength(2)
    }))

  it.effect("keeps the query's filters and its own orderBy; pages of 100 by default", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: directory(2) })
      yield* stream(mock, (api) =>
        api.streamUsers({
          realmPredicate: { name: "smartcity" },
          usernames: [{ value: "user-", match: "BEGIN" }],
          orderBy: { property: "EMAIL", descending: true }
        }))
      expect(bodies(mock)).toEqual([{
        realmPredicate: { name: "smartcity" },
        usernames: [{ predicateType: "string", value: "user-", match: "BEGIN" }],
        orderBy: { property: "EMAIL", descending: true },
        limit: 100,
        offset: 0
      }])
    }))

  it.effect("starts at the query's offset and stops at its limit", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: directory(10) })
      const ids = yield* stream(mock, (api) => api.streamUsers({ offset: 5, limit: 4 }, { pageSize: 3 }))
      expect(ids).toEqual(["u5", "u6", "u7", "u8"])
      expect(bodies(mock).map((body) => body.offset)).toEqual([5, 8])
    }))

  it.effect("sends the forwarded headers with every page", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: directory(4) })
      yield* stream(mock, (api) => api.streamUsers({}, { pageSize: 2, xForwardedHost: "iot.example.com" }))
      expect(mock.api()).toHaveLength(3)
      expect(mock.api().map((request) => request.headers["x-forwarded-host"])).toEqual(Array(3).fill("iot.example.com"))
    }))

  it.effect("fails with the error of a page", () =>
    Effect.gen(function*() {
      const mock = makeMock({ api: directory(10, 1) })
      const error = yield* Effect.flip(stream(mock, (api) => api.streamUsers({}, { pageSize: 3 })))
      expect(error).toBeInstanceOf(OpenRemoteError.Forbidden)
      expect(mock.api()).toHaveLength(2)
    }))

  it.effect.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    "refuses pageSize %s without sending anything",
    (pageSize) =>
      Effect.gen(function*() {
        const mock = makeMock({ api: directory(10) })
        const error = yield* Effect.flip(stream(mock, (api) => api.streamUsers({}, { pageSize })))
        expect(error).toBeInstanceOf(OpenRemoteError.InvalidRequest)
        expect((error as OpenRemoteError.InvalidRequest).reason).toBe(
          `pageSize must be a positive integer, got ${pageSize}`
        )
        expect(mock.requests).toHaveLength(0)
      })
  )

  it.effect("runs in a span UserApi.streamUsers, each page a UserApi.queryUsers span", () =>
    Effect.gen(function*() {
      const { spans, tracer } = makeRecordingTracer()
      const mock = makeMock({ api: directory(5) })
      yield* stream(mock, (api) => api.streamUsers({}, { pageSize: 2 })).pipe(Effect.withTracer(tracer))
      const parent = spans.find((span) => span.name === "UserApi.streamUsers")
      const pages = spans.filter((span) => span.name === "UserApi.queryUsers")
      expect(parent).toBeDefined()
      expect(pages).toHaveLength(3)
      for (const page of pages) {
        expect(page.parent._tag === "Some" && page.parent.value.spanId).toBe(parent!.spanId)
      }
    }))
})
