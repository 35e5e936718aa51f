/**
 * What crosses the wire between the client and the server, beyond statuses: path parameters that need
 * percent-encoding reach the operation they are meant for, the forwarded headers are accepted, a username
 * with non-ASCII letters survives create, login and query, `streamUsers` pages through `queryUsers` in
 * order, and the locale (a JSON string) is stored without its quotes.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Callers from "../src/Callers.js"
import * as Fixtures from "../src/Fixtures.js"
import { Recorder } from "../src/Recorder.js"
import { useTarget } from "./utils/harness.js"
import { expectFailure, make as makeKit } from "./utils/kit.js"

const h = useTarget()

describe("path parameters", () => {
  it.live("ids holding /, ?, #, %, spaces and non-ASCII reach their operation (405 for a user not found, not a 404 route miss)", () =>
    h.run(Effect.gen(function*() {
      const { R, admin } = yield* makeKit
      const recorder = yield* Recorder
      const mark = yield* recorder.mark
      const ids = ["a/b", "a?b", "a#b", "a b", "é", "%", "a%2Fb", "..a", "x.."]
      for (const userId of ids) {
        yield* expectFailure(admin.getUser({ realm: R, userId }), { _tag: "NotAllowed", status: 405 })
      }
      const seen = yield* recorder.since(mark)
      expect(seen.map((exchange) => [exchange.operation, exchange.status])).toEqual(ids.map(() => ["getUser", 405]))
    })))

  it.live("a client id holding a slash reaches getUserClientRoles (an unknown client: [])", () =>
    h.run(Effect.gen(function*() {
      const { R, admin, user } = yield* makeKit
      const created = yield* user({ realm: R })
      expect(yield* admin.getUserClientRoles({ realm: R, userId: created.id, clientId: "a/b?c" })).toEqual([])
    })))
})

describe("headers", () => {
  it.live("X-Forwarded-Proto and X-Forwarded-Host are accepted", () =>
    h.run(Effect.gen(function*() {
      const { admin } = yield* makeKit
      const me = yield* admin.getCurrentUser({ xForwardedProto: "https", xForwardedHost: "openremote.example" })
      expect(me.username).toBeDefined()
    })))
})

describe("usernames", () => {
  it.live("a username with non-ASCII letters (the server's own example) is created, signs in and is found", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const username = `${yield* Fixtures.uniqueName("dev")}_dev-dev.dev+dev++dev__ßçʊ@openremote.io`
      const created = yield* Effect.acquireRelease(
        kit.admin.createUser({ realm: kit.R, user: { username, enabled: true } }),
        (user) => Effect.ignore(kit.admin.deleteUser({ realm: kit.R, userId: user.id! }))
      )
      expect(created.username).toBe(username)
      const password = yield* Fixtures.newPassword
      yield* kit.admin.updatePassword({ realm: kit.R, userId: created.id!, credential: { value: password } })
      const api = yield* Callers.make({
        realm: kit.R,
        tokens: Callers.passwordTokens(kit.target, kit.R, username, password)
      })
      expect((yield* api.getCurrentUser()).username).toBe(username)
      const found = yield* kit.admin.queryUsers({
        query: { realmPredicate: { name: kit.R }, usernames: [{ value: username.replace("dev", "DEV") }] }
      })
      expect(found.map((user) => user.id)).toEqual([created.id])
    })))
})

describe("streamUsers", () => {
  it.live("pages through queryUsers in username order, ending on the first short page", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const label = (yield* Fixtures.uniqueName("page")).slice(3)
      const created = yield* Effect.forEach(
        Array.from({ length: 7 }, (_, i) => i),
        (i) => kit.user({ realm: kit.R, label: `${label}-${i}` })
      )
      const recorder = yield* Recorder
      const mark = yield* recorder.mark
      const streamed = yield* Stream.runCollect(
        kit.admin.streamUsers({
          realmPredicate: { name: kit.R },
          usernames: [{ value: `ct-${label}-`, match: "BEGIN" }]
        }, {
          pageSize: 3
        })
      )
      expect(Chunk.toReadonlyArray(streamed).map((user) => user.username)).toEqual(
        created.map((user) => user.username).sort()
      )
      const pages = (yield* recorder.since(mark)).filter((exchange) => exchange.operation === "queryUsers")
      expect(pages.map((exchange) => exchange.status)).toEqual([200, 200, 200])
    })))
})

describe("the locale body", () => {
  it.live("is sent as a JSON string and stored as the bare locale", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const person = yield* kit.regular()
      yield* person.api.updateCurrentUserLocale({ locale: "pt-BR" })
      expect((yield* person.api.getCurrentUser()).attributes?.locale).toEqual(["pt-BR"])
      yield* person.api.updateCurrentUserLocale({ locale: "nl" })
      expect((yield* person.api.getCurrentUser()).attributes?.locale).toEqual(["nl"])
    })))
})
