/**
 * Authorization end to end: a super user across realms, a realm user on itself and on others, a caller
 * with `read:users` only (basic query results), anonymous callers and invalid tokens, through the client
 * against the target.
 */
import { describe, expect, it } from "@effect/vitest"
import { TokenProvider } from "@openremote-effect/client"
import { StandardRoles, type User } from "@openremote-effect/model"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Callers from "../src/Callers.js"
import * as Fixtures from "../src/Fixtures.js"
import { Recorder } from "../src/Recorder.js"
import * as Target from "../src/Target.js"
import { useTarget } from "./utils/harness.js"
import { expectFailure, make as makeKit } from "./utils/kit.js"

const h = useTarget()

/** The fields a basic query result must not carry (USER-API.md §6). */
const notInBasicResults = ["email", "realmId", "secret", "attributes"] as const

const attemptsOf = (operation: string, mark: number) =>
  Effect.flatMap(Recorder, (recorder) =>
    Effect.map(
      recorder.since(mark),
      (exchanges) => exchanges.filter((exchange) => exchange.operation === operation).map((exchange) => exchange.status)
    ))

describe("a super user", () => {
  it.live("manages the users of another realm through its own realm's API", () =>
    h.run(Effect.gen(function*() {
      const { M, R, admin } = yield* makeKit
      const name = yield* Fixtures.uniqueName("across")
      const created = yield* Effect.acquireRelease(
        admin.createUser({ realm: R, user: { username: name, enabled: true } }),
        (user) => Effect.ignore(admin.deleteUser({ realm: R, userId: user.id! }))
      )
      expect(created.realm).toBe(R)
      const userId = created.id!
      yield* admin.updateUser({ realm: R, user: { id: userId, username: name, firstName: "Across" } })
      yield* admin.updateUserRealmRoles({ realm: R, userId, roles: [StandardRoles.restrictedUserRole] })
      expect(yield* admin.getUser({ realm: R, userId })).toMatchObject({
        realm: R,
        username: name,
        firstName: "Across"
      })
      expect(yield* admin.getUserRealmRoles({ realm: R, userId })).toContain(StandardRoles.restrictedUserRole)

      // Without a realm predicate a super user's query spans every realm; with one, only that realm.
      const inMaster = yield* Fixtures.user(admin, { realm: M })
      const everywhere = yield* admin.queryUsers({ query: { ids: [userId, inMaster.id] } })
      expect(everywhere.map((user) => `${user.realm}/${user.id}`).sort()).toEqual(
        [`${R}/${userId}`, `${M}/${inMaster.id}`].sort()
      )
      const onlyR = yield* admin.queryUsers({ query: { realmPredicate: { name: R }, ids: [userId, inMaster.id] } })
      expect(onlyR.map((user) => user.id)).toEqual([userId])

      yield* admin.deleteUser({ realm: R, userId })
      yield* expectFailure(admin.getUser({ realm: R, userId }), { _tag: "NotAllowed", status: 405 })
    })))
})

describe("a realm user", () => {
  it.live("reads and updates themselves", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const person = yield* kit.regular()
      const me = yield* person.api.getCurrentUser()
      expect(me).toMatchObject({ id: person.id, username: person.username, realm: kit.R })
      expect(yield* person.api.getUser({ realm: kit.R, userId: person.id })).toMatchObject({ id: person.id })
      const roles = yield* person.api.getUserClientRoles({
        realm: kit.R,
        userId: person.id,
        clientId: StandardRoles.openremoteClient
      })
      expect([...roles].sort()).toEqual([...StandardRoles.regularUserRoles].sort())
      expect(yield* person.api.getUserSessions({ realm: kit.R, userId: person.id })).toEqual([])
      const updated = yield* person.api.updateSelf({ user: { username: person.username, lastName: "Self" } })
      expect(updated).toMatchObject({ id: person.id, lastName: "Self" })
    })))

  it.live("may not read or change other users of their realm without the admin roles", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const person = yield* kit.regular()
      const other = yield* kit.user({ realm: kit.R })
      yield* expectFailure(person.api.getUser({ realm: kit.R, userId: other.id }), { _tag: "Forbidden", status: 403 })
      yield* expectFailure(
        person.api.updateUser({ realm: kit.R, user: { id: other.id, username: other.username, firstName: "X" } }),
        { _tag: "Forbidden", status: 403 }
      )
      yield* expectFailure(person.api.deleteUser({ realm: kit.R, userId: other.id }), {
        _tag: "Forbidden",
        status: 403
      })
      expect((yield* kit.admin.getUser({ realm: kit.R, userId: other.id })).firstName).toBeUndefined()
    })))

  it.live("with read:admin and write:admin, manages the users of their own realm", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const realmAdmin = yield* kit.realmAdmin
      const other = yield* kit.user({ realm: kit.R })
      expect(yield* realmAdmin.api.getUser({ realm: kit.R, userId: other.id })).toMatchObject({ id: other.id })
      const updated = yield* realmAdmin.api.updateUser({
        realm: kit.R,
        user: { id: other.id, username: other.username, firstName: "Managed" }
      })
      expect(updated.firstName).toBe("Managed")
      yield* realmAdmin.api.updateUserClientRoles({
        realm: kit.R,
        userId: other.id,
        clientId: StandardRoles.openremoteClient,
        roles: ["read:map"]
      })
      expect(
        yield* kit.admin.getUserClientRoles({
          realm: kit.R,
          userId: other.id,
          clientId: StandardRoles.openremoteClient
        })
      ).toEqual(["read:map"])
    })))

  it.live("is refused (405) on another realm, even with the admin roles", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const person = yield* kit.regular()
      const realmAdmin = yield* kit.realmAdmin
      const inMaster = yield* kit.user({ realm: kit.M })
      yield* expectFailure(person.api.getUser({ realm: kit.M, userId: inMaster.id }), {
        _tag: "NotAllowed",
        status: 405
      })
      yield* expectFailure(realmAdmin.api.getUser({ realm: kit.M, userId: inMaster.id }), {
        _tag: "NotAllowed",
        status: 405
      })
      yield* expectFailure(realmAdmin.api.deleteUser({ realm: kit.M, userId: inMaster.id }), {
        _tag: "NotAllowed",
        status: 405
      })
      // A realm user's query is confined to their realm, whatever its realm predicate says.
      const found = yield* realmAdmin.api.queryUsers({ query: { realmPredicate: { name: kit.M }, ids: [inMaster.id] } })
      expect(found).toEqual([])
      expect((yield* kit.admin.getUser({ realm: kit.M, userId: inMaster.id })).id).toBe(inMaster.id)
    })))
})

describe("a caller with read:users only", () => {
  it.live("gets basic query results of their own realm: no email, realmId, secret or attributes", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const reader = yield* kit.person({ realm: kit.R, clientRoles: ["read:users"] })
      const full = yield* kit.user({
        realm: kit.R,
        email: `${yield* Fixtures.uniqueName("basic")}@example.com`,
        attributes: { team: ["hidden"] }
      })
      const service = yield* kit.serviceUser()
      const ids = [full.id, service.id, reader.id]

      const asAdmin = yield* kit.admin.queryUsers({ query: { realmPredicate: { name: kit.R }, ids } })
      const fullView = asAdmin.find((user) => user.id === full.id)!
      expect(fullView).toMatchObject({ email: full.user.email, attributes: { team: ["hidden"] } })
      expect(typeof fullView.realmId).toBe("string")
      expect(asAdmin.find((user) => user.id === service.id)?.secret).toBeDefined()

      const basic = yield* reader.api.queryUsers({ query: { ids } })
      expect(basic.map((user) => user.id).sort()).toEqual([...ids].sort())
      for (const user of basic) {
        for (const field of notInBasicResults) {
          expect(user[field as keyof User.User], `${user.username}.${field}`).toBeUndefined()
        }
        expect(user.realm).toBe(kit.R)
      }
      expect(basic.find((user) => user.id === full.id)).toMatchObject({ username: full.username, enabled: true })

      // The same query asked with select.basic by the super user is basic too.
      const selected = yield* kit.admin.queryUsers({
        query: { realmPredicate: { name: kit.R }, ids, select: { basic: true } }
      })
      for (const user of selected) {
        for (const field of notInBasicResults) expect(user[field as keyof User.User]).toBeUndefined()
      }

      // But not more: reading a user, or the roles, needs read:admin.
      yield* expectFailure(reader.api.getUser({ realm: kit.R, userId: full.id }), { _tag: "Forbidden", status: 403 })
      yield* expectFailure(reader.api.getClientRoles({ realm: kit.R, clientId: StandardRoles.openremoteClient }), {
        _tag: "Forbidden",
        status: 403
      })
    })))

  it.live("does not see system accounts, which a super user does", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const reader = yield* kit.person({ realm: kit.R, clientRoles: ["read:users"] })
      const system = yield* kit.user({ realm: kit.R, attributes: { systemAccount: ["true"] } })
      const plain = yield* kit.user({ realm: kit.R })
      const query = { realmPredicate: { name: kit.R }, ids: [system.id, plain.id] }
      expect((yield* kit.admin.queryUsers({ query })).map((user) => user.id).sort()).toEqual(
        [system.id, plain.id].sort()
      )
      expect((yield* reader.api.queryUsers({ query })).map((user) => user.id)).toEqual([plain.id])
    })))
})

describe("an anonymous caller", () => {
  it.live("is refused as the server refuses anonymous requests: 403 for the current user, 401 for realm checks", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const anonymous = yield* kit.anonymous(kit.R)
      const user = yield* kit.user({ realm: kit.R })
      yield* expectFailure(anonymous.getCurrentUser(), { _tag: "Forbidden", status: 403 })
      yield* expectFailure(anonymous.getCurrentUserRealmRoles(), { _tag: "Forbidden", status: 403 })
      // An annotation role check answers 403, also to anonymous callers.
      const name = yield* Fixtures.uniqueName("anonymous")
      yield* expectFailure(anonymous.createUser({ realm: kit.R, user: { username: name } }), {
        _tag: "Forbidden",
        status: 403
      })
      yield* expectFailure(anonymous.queryUsers(), { _tag: "Forbidden", status: 403 })
      // The read-user check starts with the admin-realm check: no caller is 401.
      yield* expectFailure(anonymous.getUser({ realm: kit.R, userId: user.id }), { _tag: "Unauthorized", status: 401 })
      // disconnectUserSession checks nothing at all.
      yield* expectFailure(anonymous.disconnectUserSession({ realm: kit.R, sessionID: "ct-no-such-session" }), {
        _tag: "NotFound",
        status: 404
      })
    })))

  it.live("is what a raw request without Authorization is (the client's header is really dropped)", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const raw = yield* Effect.promise(() =>
        fetch(`${Target.apiUrl(kit.target, kit.R)}/user/user`, { headers: { Accept: "application/json" } })
      )
      yield* Effect.promise(() => raw.text())
      expect(raw.status).toBe(403)
      const anonymous = yield* kit.anonymous(kit.R)
      yield* expectFailure(anonymous.getCurrentUser(), { _tag: "Forbidden", status: raw.status })
      // A token provider yielding an empty token is not anonymous: `Bearer ` is an invalid token.
      const empty = yield* Callers.make({ realm: kit.R, tokens: TokenProvider.static(Redacted.make("")) })
      yield* expectFailure(empty.getCurrentUser(), { _tag: "Unauthorized", status: 401 })
    })))

  h.controlPlane("journal")(
    "reaches the server without credentials (the journal shows no caller)",
    () =>
      h.run(Effect.gen(function*() {
        const kit = yield* makeKit
        const control = yield* Target.control
        const anonymous = yield* kit.anonymous(kit.R)
        control.journal.clear()
        yield* Effect.ignore(anonymous.getCurrentUser())
        expect(control.journal.entries().map((entry) => [entry.operation, entry.status, entry.caller])).toEqual([
          ["getCurrentUser", 403, null]
        ])
      }))
  )
})

describe("an invalid token", () => {
  it.live("a token no server issued is Unauthorized after exactly one retry", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const garbage = yield* kit.garbage(kit.M)
      const mark = yield* Effect.flatMap(Recorder, (recorder) => recorder.mark)
      yield* expectFailure(garbage.getCurrentUser(), { _tag: "Unauthorized", status: 401 })
      expect(yield* attemptsOf("getCurrentUser", mark)).toEqual([401, 401])
    })))

  it.live("a valid token of another realm is Unauthorized (the issuer is not the request realm's)", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const person = yield* kit.regular()
      expect((yield* person.api.getCurrentUser()).id).toBe(person.id)
      const elsewhere = yield* Callers.make({ realm: kit.M, tokens: person.tokens })
      const mark = yield* Effect.flatMap(Recorder, (recorder) => recorder.mark)
      yield* expectFailure(elsewhere.getCurrentUser(), { _tag: "Unauthorized", status: 401 })
      expect(yield* attemptsOf("getCurrentUser", mark)).toEqual([401, 401])
    })))

  it.live("a super user's token used at another realm's API is Unauthorized too", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const elsewhere = yield* Callers.make({ realm: kit.R, tokens: kit.target.superUser })
      yield* expectFailure(elsewhere.getCurrentUser(), { _tag: "Unauthorized", status: 401 })
    })))

  it.live("wrong credentials are an AuthenticationError, and nothing reaches the API", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const person = yield* kit.regular()
      const wrong = yield* Callers.make({
        realm: kit.R,
        tokens: Callers.passwordTokens(kit.target, kit.R, person.username, Redacted.make("Pw1-not-the-password"))
      })
      const mark = yield* Effect.flatMap(Recorder, (recorder) => recorder.mark)
      yield* expectFailure(wrong.getCurrentUser(), { _tag: "AuthenticationError", error: "invalid_grant" })
      expect(yield* attemptsOf("getCurrentUser", mark)).toEqual([])
    })))
})
