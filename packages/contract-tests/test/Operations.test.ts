/**
 * Every operation of the catalogue, called through `@openremote-effect/client` against the target over real
 * HTTP: the success case and every status the catalogue's `responses` lists, with the decoded result or the
 * exact typed error (`_tag`, `status`) each one becomes.
 *
 * Each case names the (operation, status) it produces, and the harness checks that the recorder saw that
 * status answered to that operation during the case. At the end, walking the catalogue: every listed pair
 * has a case and was seen on the wire, and every operation's success response was seen and conforms to the
 * OpenAPI document.
 */
import { describe, expect, it } from "@effect/vitest"
import type { OpenRemoteError } from "@openremote-effect/client"
import { Catalogue, type Role, StandardRoles } from "@openremote-effect/model"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Callers from "../src/Callers.js"
import * as Conformance from "../src/Conformance.js"
import * as Fixtures from "../src/Fixtures.js"
import { Recorder } from "../src/Recorder.js"
import * as Target from "../src/Target.js"
import { useTarget } from "./utils/harness.js"
import { call, expectFailure, harmlessArguments, type Kit, make as makeKit, type R } from "./utils/kit.js"

const h = useTarget()

interface Case {
  readonly operation: Catalogue.OperationName
  readonly status: number
  readonly title: string
  /** What of the simulator's control plane the case needs; such cases are skipped on a live target. */
  readonly needs?: string
  readonly run: (kit: Kit) => Effect.Effect<unknown, OpenRemoteError.OpenRemoteError, R>
}

const cases: Array<Case> = []
const add = (
  operation: Catalogue.OperationName,
  status: number,
  title: string,
  run: Case["run"],
  needs?: string
) => cases.push({ operation, status, title, run, ...(needs === undefined ? {} : { needs }) })

const mailServer = { host: "smtp.example.com", port: 587, from: "noreply@example.com" }
const sameSet = (actual: ReadonlyArray<string>, expected: ReadonlyArray<string>) =>
  expect([...actual].sort()).toEqual([...new Set(expected)].sort())

/** The role definitions of a client, read by the super user: a body that changes nothing. */
const definitions = (kit: Kit, realm: string, clientId: string = StandardRoles.openremoteClient) =>
  kit.admin.getClientRoles({ realm, clientId })

const byName = (roles: ReadonlyArray<Role.Role>) => new Map(roles.map((role) => [role.name, role]))

const canSignIn = (
  kit: Kit,
  person: { readonly realm: string; readonly username: string },
  password: Redacted.Redacted<string>
) =>
  Effect.flatMap(
    Callers.make({
      realm: person.realm,
      tokens: Callers.passwordTokens(kit.target, person.realm, person.username, password)
    }),
    (api) => api.getCurrentUser()
  )

/**
 * A deterministic 500 of the server (USER-API.md §3: a delete across realms, reset_secret of a short regular
 * username, an update without username) is a `ServerError` after exactly one attempt: the client's default
 * retry policy treats 408, 429, 502, 503 and 504 as transient, never 500.
 */
const serverErrorOnce = <A>(
  operation: Catalogue.OperationName,
  effect: Effect.Effect<A, OpenRemoteError.OpenRemoteError, R>
) =>
  Effect.gen(function*() {
    const recorder = yield* Recorder
    const mark = yield* recorder.mark
    yield* expectFailure(effect, { _tag: "ServerError", status: 500 })
    const attempts = (yield* recorder.since(mark)).filter((exchange) => exchange.operation === operation)
    expect(attempts.map((exchange) => exchange.status)).toEqual([500])
  })

// ---------------------------------------------------------------------------------------------------------------
// 401: every operation, with a token no server issued (the client retries once with a "fresh" one)

for (const operation of Catalogue.all) {
  add(
    operation.name,
    401,
    "a token no server issued is Unauthorized after the one retry",
    (kit) =>
      Effect.gen(function*() {
        const recorder = yield* Recorder
        const mark = yield* recorder.mark
        const api = yield* kit.garbage(kit.M)
        yield* expectFailure(call(api, operation.name, harmlessArguments(operation.name, kit.R)), {
          _tag: "Unauthorized",
          status: 401
        })
        const attempts = (yield* recorder.since(mark)).filter((exchange) => exchange.operation === operation.name)
        expect(attempts.map((exchange) => exchange.status)).toEqual([401, 401])
      })
  )
}

// ---------------------------------------------------------------------------------------------------------------
// createUser

add(
  "createUser",
  200,
  "the super user creates a user in another realm; the username is lower-cased",
  (kit) =>
    Effect.gen(function*() {
      const name = yield* Fixtures.uniqueName("create")
      const created = yield* kit.admin.createUser({
        realm: kit.R,
        user: {
          username: name.toUpperCase(),
          firstName: "Ada",
          lastName: "Lovelace",
          email: `${name}@example.com`,
          enabled: true,
          attributes: { team: ["engines"] }
        }
      })
      expect(created).toMatchObject({
        realm: kit.R,
        username: name,
        firstName: "Ada",
        lastName: "Lovelace",
        email: `${name}@example.com`,
        enabled: true,
        serviceAccount: false
      })
      expect(typeof created.id).toBe("string")
      expect(created.createdOn).toBeUndefined()
      expect(created.realmId).toBeUndefined()
      expect(created.secret).toBeUndefined()
    })
)

add(
  "createUser",
  200,
  "a service user: no secret in the answer, its name without the prefix",
  (kit) =>
    Effect.gen(function*() {
      const name = yield* Fixtures.uniqueName("svc")
      const created = yield* kit.admin.createUser({
        realm: kit.R,
        user: { username: name, serviceAccount: true, enabled: true }
      })
      expect(created).toMatchObject({ realm: kit.R, username: name, serviceAccount: true })
      expect(created.secret).toBeUndefined()
    })
)

add(
  "createUser",
  400,
  "a username the server refuses",
  (kit) =>
    expectFailure(kit.admin.createUser({ realm: kit.R, user: { username: "#$%^&*()" } }), {
      _tag: "BadRequest",
      status: 400
    })
)

add("createUser", 403, "a caller without write:admin", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    const name = yield* Fixtures.uniqueName("denied")
    yield* expectFailure(person.api.createUser({ realm: kit.R, user: { username: name } }), {
      _tag: "Forbidden",
      status: 403
    })
  }))

add("createUser", 403, "a username that exists already (not 409)", (kit) =>
  Effect.gen(function*() {
    const existing = yield* kit.user({ realm: kit.R })
    yield* expectFailure(kit.admin.createUser({ realm: kit.R, user: { username: existing.username } }), {
      _tag: "Forbidden",
      status: 403
    })
  }))

add("createUser", 405, "a realm administrator creating in another realm", (kit) =>
  Effect.gen(function*() {
    const realmAdmin = yield* kit.realmAdmin
    const name = yield* Fixtures.uniqueName("elsewhere")
    yield* expectFailure(realmAdmin.api.createUser({ realm: kit.M, user: { username: name } }), {
      _tag: "NotAllowed",
      status: 405
    })
  }))

add(
  "createUser",
  400,
  "a service user named like a client without service account (`openremote`)",
  (kit) =>
    Effect.gen(function*() {
      yield* expectFailure(
        kit.admin.createUser({
          realm: kit.R,
          user: { username: StandardRoles.openremoteClient, serviceAccount: true }
        }),
        { _tag: "BadRequest", status: 400 }
      )
      // Nothing was created: the `openremote` client still has no service user.
      const found = yield* kit.admin.queryUsers({
        query: { realmPredicate: { name: kit.R }, serviceUsers: true, usernames: [] }
      })
      expect(found.map((user) => user.username)).not.toContain(StandardRoles.openremoteClient)
    })
)

// ---------------------------------------------------------------------------------------------------------------
// deleteUser

add("deleteUser", 204, "the user is gone afterwards", (kit) =>
  Effect.gen(function*() {
    const user = yield* kit.user({ realm: kit.R })
    const result = yield* kit.admin.deleteUser({ realm: kit.R, userId: user.id })
    expect(result).toBeUndefined()
    yield* expectFailure(kit.admin.getUser({ realm: kit.R, userId: user.id }), { _tag: "NotAllowed", status: 405 })
  }))

add("deleteUser", 204, "a service user: its client goes too", (kit) =>
  Effect.gen(function*() {
    const service = yield* kit.serviceUser()
    expect(yield* definitions(kit, kit.R, service.clientId)).not.toEqual([])
    yield* kit.admin.deleteUser({ realm: kit.R, userId: service.id })
    yield* expectFailure(definitions(kit, kit.R, service.clientId), { _tag: "ServerError", status: 500 })
  }))

add("deleteUser", 204, "an id that does not exist", (kit) =>
  Effect.gen(function*() {
    const id = yield* Fixtures.uniqueName("no-such-id")
    expect(yield* kit.admin.deleteUser({ realm: kit.R, userId: id })).toBeUndefined()
  }))

add("deleteUser", 403, "a caller without write:admin; the user stays", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    const user = yield* kit.user({ realm: kit.R })
    yield* expectFailure(person.api.deleteUser({ realm: kit.R, userId: user.id }), { _tag: "Forbidden", status: 403 })
    expect((yield* kit.admin.getUser({ realm: kit.R, userId: user.id })).id).toBe(user.id)
  }))

add(
  "deleteUser",
  500,
  "a user of another realm than the path's: one attempt, and the user stays",
  (kit) =>
    Effect.gen(function*() {
      const user = yield* kit.user({ realm: kit.M })
      yield* serverErrorOnce("deleteUser", kit.admin.deleteUser({ realm: kit.R, userId: user.id }))
      expect((yield* kit.admin.getUser({ realm: kit.M, userId: user.id })).id).toBe(user.id)
    })
)

add(
  "deleteUser",
  405,
  "a realm administrator deleting in another realm; the user stays",
  (kit) =>
    Effect.gen(function*() {
      const realmAdmin = yield* kit.realmAdmin
      const user = yield* kit.user({ realm: kit.M })
      yield* expectFailure(realmAdmin.api.deleteUser({ realm: kit.M, userId: user.id }), {
        _tag: "NotAllowed",
        status: 405
      })
      expect((yield* kit.admin.getUser({ realm: kit.M, userId: user.id })).id).toBe(user.id)
    })
)

// ---------------------------------------------------------------------------------------------------------------
// disconnectUserSession

add("disconnectUserSession", 204, "an open session is closed", (kit) =>
  Effect.gen(function*() {
    const control = yield* Target.control
    const user = yield* kit.user({ realm: kit.R })
    const session = control.sessions.open({ realm: kit.R, userId: user.id })
    expect(yield* kit.admin.disconnectUserSession({ realm: kit.R, sessionID: session.id })).toBeUndefined()
    expect(control.sessions.list({ userId: user.id })).toEqual([])
  }), "sessions")

add("disconnectUserSession", 404, "a session that does not exist", (kit) =>
  Effect.gen(function*() {
    const id = yield* Fixtures.uniqueName("no-such-session")
    yield* expectFailure(kit.admin.disconnectUserSession({ realm: kit.R, sessionID: id }), {
      _tag: "NotFound",
      status: 404
    })
  }))

// ---------------------------------------------------------------------------------------------------------------
// getClientRoles

add("getClientRoles", 200, "the 22 standard roles of `openremote`, composites wired", (kit) =>
  Effect.gen(function*() {
    const roles = yield* kit.admin.getClientRoles({ realm: kit.R, clientId: StandardRoles.openremoteClient })
    const named = byName(roles)
    for (const name of StandardRoles.clientRoles) expect(named.has(name), name).toBe(true)
    for (const role of roles) {
      expect(typeof role.id).toBe("string")
      expect(typeof role.composite).toBe("boolean")
      expect(role.assigned).toBeUndefined()
    }
    for (const composite of ["read", "write"] as const) {
      const role = named.get(composite)!
      expect(role.composite).toBe(true)
      sameSet(role.compositeRoleIds ?? [], StandardRoles.compositeRoles[composite].map((name) => named.get(name)!.id!))
    }
    expect(named.get("write:admin")).toMatchObject({ composite: false })
    expect(named.get("write:admin")!.compositeRoleIds).toBeUndefined()
  }))

add("getClientRoles", 403, "a caller without read:admin", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    yield* expectFailure(person.api.getClientRoles({ realm: kit.R, clientId: StandardRoles.openremoteClient }), {
      _tag: "Forbidden",
      status: 403
    })
  }))

add("getClientRoles", 405, "a realm administrator reading another realm", (kit) =>
  Effect.gen(function*() {
    const realmAdmin = yield* kit.realmAdmin
    yield* expectFailure(realmAdmin.api.getClientRoles({ realm: kit.M, clientId: StandardRoles.openremoteClient }), {
      _tag: "NotAllowed",
      status: 405
    })
  }))

add("getClientRoles", 500, "a client that does not exist", (kit) =>
  Effect.gen(function*() {
    const clientId = yield* Fixtures.uniqueName("no-such-client")
    yield* expectFailure(kit.admin.getClientRoles({ realm: kit.R, clientId }), { _tag: "ServerError", status: 500 })
  }))

// ---------------------------------------------------------------------------------------------------------------
// getCurrentUser, getCurrentUserClientRoles, getCurrentUserRealmRoles

add("getCurrentUser", 200, "a person reads themselves", (kit) =>
  Effect.gen(function*() {
    const email = `${yield* Fixtures.uniqueName("me")}@example.com`
    const person = yield* kit.regular({ firstName: "Grace", email })
    const me = yield* person.api.getCurrentUser()
    expect(me).toMatchObject({
      id: person.id,
      username: person.username,
      realm: kit.R,
      firstName: "Grace",
      email,
      enabled: true,
      serviceAccount: false
    })
    expect(DateTime.isDateTime(me.createdOn)).toBe(true)
  }))

add("getCurrentUser", 403, "an anonymous caller", (kit) =>
  Effect.gen(function*() {
    const anonymous = yield* kit.anonymous(kit.R)
    yield* expectFailure(anonymous.getCurrentUser(), { _tag: "Forbidden", status: 403 })
  }))

add(
  "getCurrentUserClientRoles",
  200,
  "a person's own roles of a client; [] for an unknown client",
  (kit) =>
    Effect.gen(function*() {
      const person = yield* kit.person({ realm: kit.R, clientRoles: ["read:map", "write:user"] })
      sameSet(yield* person.api.getCurrentUserClientRoles({ clientId: StandardRoles.openremoteClient }), [
        "read:map",
        "write:user"
      ])
      const unknown = yield* Fixtures.uniqueName("no-such-client")
      expect(yield* person.api.getCurrentUserClientRoles({ clientId: unknown })).toEqual([])
    })
)

add("getCurrentUserClientRoles", 403, "an anonymous caller", (kit) =>
  Effect.gen(function*() {
    const anonymous = yield* kit.anonymous(kit.R)
    yield* expectFailure(anonymous.getCurrentUserClientRoles({ clientId: StandardRoles.openremoteClient }), {
      _tag: "Forbidden",
      status: 403
    })
  }))

add(
  "getCurrentUserRealmRoles",
  200,
  "a person's own realm roles, built-in roles left out",
  (kit) =>
    Effect.gen(function*() {
      const person = yield* kit.person({ realm: kit.R, realmRoles: [StandardRoles.restrictedUserRole] })
      const roles = yield* person.api.getCurrentUserRealmRoles()
      expect(roles).toContain(StandardRoles.restrictedUserRole)
      for (const builtIn of StandardRoles.builtInRealmRoles(kit.R)) expect(roles).not.toContain(builtIn)
    })
)

add(
  "getCurrentUserRealmRoles",
  200,
  "a super user of `master` has the realm role `admin`, reported there",
  (kit) =>
    Effect.gen(function*() {
      const roles = yield* kit.admin.getCurrentUserRealmRoles()
      expect(roles).toContain(StandardRoles.superUserRole)
      for (const builtIn of StandardRoles.builtInRealmRoles(kit.M)) expect(roles).not.toContain(builtIn)
    })
)

add("getCurrentUserRealmRoles", 403, "an anonymous caller", (kit) =>
  Effect.gen(function*() {
    const anonymous = yield* kit.anonymous(kit.R)
    yield* expectFailure(anonymous.getCurrentUserRealmRoles(), { _tag: "Forbidden", status: 403 })
  }))

// ---------------------------------------------------------------------------------------------------------------
// getUser, getUserClientRoles, getUserRealmRoles, getUserSessions (the read-user check)

add("getUser", 200, "every field of a user", (kit) =>
  Effect.gen(function*() {
    const email = `${yield* Fixtures.uniqueName("full")}@example.com`
    const user = yield* kit.user({
      realm: kit.R,
      firstName: "Alan",
      lastName: "Turing",
      email,
      attributes: { team: ["bletchley"] }
    })
    const read = yield* kit.admin.getUser({ realm: kit.R, userId: user.id })
    expect(read).toMatchObject({
      realm: kit.R,
      id: user.id,
      username: user.username,
      firstName: "Alan",
      lastName: "Turing",
      email,
      enabled: true,
      serviceAccount: false
    })
    expect(read.attributes?.team).toEqual(["bletchley"])
    expect(typeof read.realmId).toBe("string")
    expect(DateTime.isDateTime(read.createdOn)).toBe(true)
    expect(read.secret).toBeUndefined()
  }))

add("getUser", 200, "a service user, with its secret", (kit) =>
  Effect.gen(function*() {
    const service = yield* kit.serviceUser()
    const read = yield* kit.admin.getUser({ realm: kit.R, userId: service.id })
    expect(read).toMatchObject({ username: service.clientId, serviceAccount: true })
    expect(Redacted.isRedacted(read.secret)).toBe(true)
    expect(Redacted.value(read.secret!).length).toBeGreaterThan(0)
  }))

add("getUser", 403, "a regular user reading another user of their realm", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    const other = yield* kit.user({ realm: kit.R })
    yield* expectFailure(person.api.getUser({ realm: kit.R, userId: other.id }), { _tag: "Forbidden", status: 403 })
  }))

add("getUser", 405, "a user that does not exist", (kit) =>
  Effect.gen(function*() {
    const id = yield* Fixtures.uniqueName("no-such-user")
    yield* expectFailure(kit.admin.getUser({ realm: kit.R, userId: id }), { _tag: "NotAllowed", status: 405 })
  }))

add("getUser", 405, "a user of another realm than the path's", (kit) =>
  Effect.gen(function*() {
    const user = yield* kit.user({ realm: kit.M })
    yield* expectFailure(kit.admin.getUser({ realm: kit.R, userId: user.id }), { _tag: "NotAllowed", status: 405 })
  }))

add(
  "getUserClientRoles",
  200,
  "effective roles: composites expanded; [] for an unknown client",
  (kit) =>
    Effect.gen(function*() {
      const person = yield* kit.person({ realm: kit.R, clientRoles: ["read", "write:user"] })
      const roles = yield* kit.admin.getUserClientRoles({
        realm: kit.R,
        userId: person.id,
        clientId: StandardRoles.openremoteClient
      })
      sameSet(roles, ["read", ...StandardRoles.readRoles, "write:user"])
      const unknown = yield* Fixtures.uniqueName("no-such-client")
      expect(yield* kit.admin.getUserClientRoles({ realm: kit.R, userId: person.id, clientId: unknown })).toEqual([])
    })
)

add("getUserClientRoles", 403, "a regular user reading another user's roles", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    const other = yield* kit.user({ realm: kit.R })
    yield* expectFailure(
      person.api.getUserClientRoles({ realm: kit.R, userId: other.id, clientId: StandardRoles.openremoteClient }),
      { _tag: "Forbidden", status: 403 }
    )
  }))

add("getUserClientRoles", 405, "a user that does not exist", (kit) =>
  Effect.gen(function*() {
    const id = yield* Fixtures.uniqueName("no-such-user")
    yield* expectFailure(
      kit.admin.getUserClientRoles({ realm: kit.R, userId: id, clientId: StandardRoles.openremoteClient }),
      { _tag: "NotAllowed", status: 405 }
    )
  }))

add("getUserRealmRoles", 200, "a user's realm roles, built-in roles left out", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.person({ realm: kit.R, realmRoles: [StandardRoles.restrictedUserRole] })
    const roles = yield* kit.admin.getUserRealmRoles({ realm: kit.R, userId: person.id })
    expect(roles).toContain(StandardRoles.restrictedUserRole)
    for (const builtIn of StandardRoles.builtInRealmRoles(kit.R)) expect(roles).not.toContain(builtIn)
  }))

add("getUserRealmRoles", 403, "a regular user reading another user's realm roles", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    const other = yield* kit.user({ realm: kit.R })
    yield* expectFailure(person.api.getUserRealmRoles({ realm: kit.R, userId: other.id }), {
      _tag: "Forbidden",
      status: 403
    })
  }))

add("getUserRealmRoles", 405, "a user that does not exist", (kit) =>
  Effect.gen(function*() {
    const id = yield* Fixtures.uniqueName("no-such-user")
    yield* expectFailure(kit.admin.getUserRealmRoles({ realm: kit.R, userId: id }), {
      _tag: "NotAllowed",
      status: 405
    })
  }))

add("getUserSessions", 200, "[] for a user without sessions", (kit) =>
  Effect.gen(function*() {
    const user = yield* kit.user({ realm: kit.R })
    expect(yield* kit.admin.getUserSessions({ realm: kit.R, userId: user.id })).toEqual([])
  }))

add("getUserSessions", 200, "the user's open sessions (upper-case ID read as id)", (kit) =>
  Effect.gen(function*() {
    const control = yield* Target.control
    const user = yield* kit.user({ realm: kit.R })
    const opened = [
      control.sessions.open({ realm: kit.R, userId: user.id, remoteAddress: "/10.0.0.1:50001" }),
      control.sessions.open({ realm: kit.R, userId: user.id, remoteAddress: "/10.0.0.2:50002" })
    ]
    const sessions = yield* kit.admin.getUserSessions({ realm: kit.R, userId: user.id })
    expect([...sessions].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      opened.map((session) => ({
        id: session.id,
        username: user.username,
        startTimeMillis: session.startTimeMillis,
        remoteAddress: session.remoteAddress
      })).sort((a, b) => a.id.localeCompare(b.id))
    )
  }), "sessions")

add("getUserSessions", 403, "a regular user reading another user's sessions", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    const other = yield* kit.user({ realm: kit.R })
    yield* expectFailure(person.api.getUserSessions({ realm: kit.R, userId: other.id }), {
      _tag: "Forbidden",
      status: 403
    })
  }))

add("getUserSessions", 405, "a user that does not exist", (kit) =>
  Effect.gen(function*() {
    const id = yield* Fixtures.uniqueName("no-such-user")
    yield* expectFailure(kit.admin.getUserSessions({ realm: kit.R, userId: id }), { _tag: "NotAllowed", status: 405 })
  }))

// ---------------------------------------------------------------------------------------------------------------
// queryUsers

add("queryUsers", 200, "an exact username in a realm: that user, every field", (kit) =>
  Effect.gen(function*() {
    const email = `${yield* Fixtures.uniqueName("query")}@example.com`
    const user = yield* kit.user({ realm: kit.R, email, attributes: { team: ["q"] } })
    const found = yield* kit.admin.queryUsers({
      query: { realmPredicate: { name: kit.R }, usernames: [{ value: user.username }] }
    })
    expect(found.map((u) => u.id)).toEqual([user.id])
    expect(found[0]).toMatchObject({ username: user.username, realm: kit.R, email, attributes: { team: ["q"] } })
    expect(typeof found[0]!.realmId).toBe("string")
  }))

add("queryUsers", 403, "a caller with neither read:admin nor read:users", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.noRoles
    yield* expectFailure(person.api.queryUsers({ query: {} }), { _tag: "Forbidden", status: 403 })
  }))

add("queryUsers", 500, "ordering by CREATED_ON", (kit) =>
  expectFailure(
    kit.admin.queryUsers({ query: { realmPredicate: { name: kit.R }, orderBy: { property: "CREATED_ON" } } }),
    { _tag: "ServerError", status: 500 }
  ))

// ---------------------------------------------------------------------------------------------------------------
// requestPasswordReset, requestUserPasswordReset

add("requestPasswordReset", 204, "a mail to the caller's address", (kit) =>
  Effect.gen(function*() {
    const control = yield* Target.control
    control.mail.configure(kit.R, mailServer)
    const email = `${yield* Fixtures.uniqueName("reset")}@example.com`
    const person = yield* kit.regular({ email })
    expect(yield* person.api.requestPasswordReset()).toBeUndefined()
    expect(control.mail.outbox(kit.R)).toEqual([
      expect.objectContaining({ userId: person.id, to: email, from: mailServer.from, actions: ["UPDATE_PASSWORD"] })
    ])
  }), "mail")

add("requestPasswordReset", 400, "a caller without an email address", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    yield* expectFailure(person.api.requestPasswordReset(), { _tag: "BadRequest", status: 400 })
  }))

add("requestPasswordReset", 403, "a caller without write:user", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.person({ realm: kit.R, clientRoles: ["read:map"], email: "nobody@example.com" })
    yield* expectFailure(person.api.requestPasswordReset(), { _tag: "Forbidden", status: 403 })
  }))

add("requestPasswordReset", 500, "a realm without a mail server", (kit) =>
  Effect.gen(function*() {
    const control = yield* Target.control
    control.mail.configure(kit.R, null)
    const person = yield* kit.regular({ email: `${yield* Fixtures.uniqueName("nomail")}@example.com` })
    yield* expectFailure(person.api.requestPasswordReset(), { _tag: "ServerError", status: 500 })
    expect(control.mail.outbox()).toEqual([])
  }), "mail")

add("requestUserPasswordReset", 204, "a mail to the user's address", (kit) =>
  Effect.gen(function*() {
    const control = yield* Target.control
    control.mail.configure(kit.R, mailServer)
    const email = `${yield* Fixtures.uniqueName("reset")}@example.com`
    const user = yield* kit.user({ realm: kit.R, email })
    expect(yield* kit.admin.requestUserPasswordReset({ realm: kit.R, userId: user.id })).toBeUndefined()
    expect(control.mail.outbox(kit.R)).toEqual([
      expect.objectContaining({ userId: user.id, to: email, actions: ["UPDATE_PASSWORD"] })
    ])
  }), "mail")

add("requestUserPasswordReset", 400, "a user without an email address", (kit) =>
  Effect.gen(function*() {
    const user = yield* kit.user({ realm: kit.R })
    yield* expectFailure(kit.admin.requestUserPasswordReset({ realm: kit.R, userId: user.id }), {
      _tag: "BadRequest",
      status: 400
    })
  }))

add("requestUserPasswordReset", 403, "a caller without write:admin", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    const user = yield* kit.user({ realm: kit.R, email: "someone@example.com" })
    yield* expectFailure(person.api.requestUserPasswordReset({ realm: kit.R, userId: user.id }), {
      _tag: "Forbidden",
      status: 403
    })
  }))

add("requestUserPasswordReset", 404, "a user that is not in the realm", (kit) =>
  Effect.gen(function*() {
    const id = yield* Fixtures.uniqueName("no-such-user")
    yield* expectFailure(kit.admin.requestUserPasswordReset({ realm: kit.R, userId: id }), {
      _tag: "NotFound",
      status: 404
    })
  }))

add("requestUserPasswordReset", 405, "a realm administrator on another realm", (kit) =>
  Effect.gen(function*() {
    const realmAdmin = yield* kit.realmAdmin
    const user = yield* kit.user({ realm: kit.M, email: "someone@example.com" })
    yield* expectFailure(realmAdmin.api.requestUserPasswordReset({ realm: kit.M, userId: user.id }), {
      _tag: "NotAllowed",
      status: 405
    })
  }))

add("requestUserPasswordReset", 500, "a realm without a mail server", (kit) =>
  Effect.gen(function*() {
    const control = yield* Target.control
    control.mail.configure(kit.R, null)
    const user = yield* kit.user({ realm: kit.R, email: `${yield* Fixtures.uniqueName("nomail")}@example.com` })
    yield* expectFailure(kit.admin.requestUserPasswordReset({ realm: kit.R, userId: user.id }), {
      _tag: "ServerError",
      status: 500
    })
  }), "mail")

// ---------------------------------------------------------------------------------------------------------------
// resetSecret

add("resetSecret", 200, "a new secret as raw text, which getUser then shows", (kit) =>
  Effect.gen(function*() {
    const service = yield* kit.serviceUser()
    const secret = yield* kit.admin.resetSecret({ realm: kit.R, userId: service.id })
    expect(Redacted.value(secret)).toMatch(/^[A-Za-z0-9]+$/)
    expect(Redacted.value(secret)).not.toBe(Redacted.value(service.secret))
    const read = yield* kit.admin.getUser({ realm: kit.R, userId: service.id })
    expect(Redacted.value(read.secret!)).toBe(Redacted.value(secret))
  }))

add("resetSecret", 204, "a user that does not exist is NotFound (status 204)", (kit) =>
  Effect.gen(function*() {
    const id = yield* Fixtures.uniqueName("no-such-user")
    yield* expectFailure(kit.admin.resetSecret({ realm: kit.R, userId: id }), { _tag: "NotFound", status: 204 })
  }))

add(
  "resetSecret",
  204,
  "a regular user of 16 or more characters: no client of its name after the 16th: NotFound (status 204)",
  (kit) =>
    Effect.gen(function*() {
      const user = yield* kit.user({ realm: kit.R })
      expect(user.username.length).toBeGreaterThanOrEqual(16)
      yield* expectFailure(kit.admin.resetSecret({ realm: kit.R, userId: user.id }), { _tag: "NotFound", status: 204 })
    })
)

add(
  "resetSecret",
  500,
  "a regular user shorter than 16 characters: one attempt, nothing changes",
  (kit) =>
    Effect.gen(function*() {
      const username = yield* Fixtures.uniqueName("s")
      expect(username.length).toBeLessThan(16)
      const created = yield* kit.admin.createUser({ realm: kit.R, user: { username, enabled: true } })
      yield* serverErrorOnce("resetSecret", kit.admin.resetSecret({ realm: kit.R, userId: created.id! }))
      const read = yield* kit.admin.getUser({ realm: kit.R, userId: created.id! })
      expect(read).toMatchObject({ username, serviceAccount: false })
      expect(read.secret).toBeUndefined()
    })
)

add("resetSecret", 403, "a caller without write:admin", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    const service = yield* kit.serviceUser()
    yield* expectFailure(person.api.resetSecret({ realm: kit.R, userId: service.id }), {
      _tag: "Forbidden",
      status: 403
    })
  }))

add("resetSecret", 405, "a realm administrator on another realm", (kit) =>
  Effect.gen(function*() {
    const realmAdmin = yield* kit.realmAdmin
    const service = yield* kit.serviceUser(kit.M)
    yield* expectFailure(realmAdmin.api.resetSecret({ realm: kit.M, userId: service.id }), {
      _tag: "NotAllowed",
      status: 405
    })
  }))

// ---------------------------------------------------------------------------------------------------------------
// updateClientRoles, updateRoles (replace-all role definitions)

add(
  "updateClientRoles",
  204,
  "a new composite role on a service user's client; the others kept",
  (kit) =>
    Effect.gen(function*() {
      const service = yield* kit.serviceUser()
      const before = yield* definitions(kit, kit.R, service.clientId)
      // A service user's own client holds the 22 standard role definitions (USER-API.md §4).
      sameSet(before.map((role) => role.name!), StandardRoles.clientRoles)
      const name = yield* Fixtures.uniqueName("operator")
      const readMap = byName(before).get("read:map")!.id!
      const result = yield* kit.admin.updateClientRoles({
        realm: kit.R,
        clientId: service.clientId,
        roles: [...before, { name, description: "contract test", compositeRoleIds: [readMap] }]
      })
      expect(result).toBeUndefined()
      const after = yield* definitions(kit, kit.R, service.clientId)
      expect(byName(after).get(name)).toMatchObject({
        name,
        description: "contract test",
        composite: true,
        compositeRoleIds: [readMap]
      })
      sameSet(after.filter((role) => role.name !== name).map((role) => role.id!), before.map((role) => role.id!))
    })
)

add(
  "updateClientRoles",
  204,
  "a role renamed, and `read` made non-composite, both kept by id",
  (kit) =>
    Effect.gen(function*() {
      const service = yield* kit.serviceUser()
      const person = yield* kit.user({ realm: kit.R })
      const clientId = service.clientId
      yield* kit.admin.updateUserClientRoles({ realm: kit.R, userId: person.id, clientId, roles: ["read", "read:map"] })
      const before = yield* definitions(kit, kit.R, clientId)
      const readMap = byName(before).get("read:map")!
      yield* kit.admin.updateClientRoles({
        realm: kit.R,
        clientId,
        roles: before.map((role) =>
          role.name === "read"
            ? { ...role, compositeRoleIds: [] }
            : role.name === "read:map"
            ? { id: role.id!, name: "read:maps", description: "renamed" }
            : role
        )
      })
      const after = byName(yield* definitions(kit, kit.R, clientId))
      expect(after.get("read")).toMatchObject({ id: byName(before).get("read")!.id, composite: false })
      expect(after.get("read")!.compositeRoleIds).toBeUndefined()
      expect(after.get("read:maps")).toMatchObject({ id: readMap.id, description: "renamed" })
      expect(after.has("read:map")).toBe(false)
      // The user keeps both mappings (by id), and `read` no longer brings the read:* roles.
      sameSet(yield* kit.admin.getUserClientRoles({ realm: kit.R, userId: person.id, clientId }), ["read", "read:maps"])
    })
)

add("updateClientRoles", 403, "a caller without write:admin", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    const roles = yield* definitions(kit, kit.R)
    yield* expectFailure(
      person.api.updateClientRoles({ realm: kit.R, clientId: StandardRoles.openremoteClient, roles }),
      { _tag: "Forbidden", status: 403 }
    )
  }))

add("updateClientRoles", 404, "a client that does not exist", (kit) =>
  Effect.gen(function*() {
    const clientId = yield* Fixtures.uniqueName("no-such-client")
    yield* expectFailure(kit.admin.updateClientRoles({ realm: kit.R, clientId, roles: [{ name: "x" }] }), {
      _tag: "NotFound",
      status: 404
    })
  }))

/** An update of a service user's role definitions that is refused with `expected`, leaving them as they were. */
const refusedDefinitions = (
  kit: Kit,
  change: (before: ReadonlyArray<Role.Role>) => ReadonlyArray<Role.Role>,
  expected: { readonly _tag: OpenRemoteError.OpenRemoteError["_tag"]; readonly status: number }
) =>
  Effect.gen(function*() {
    const service = yield* kit.serviceUser()
    const before = yield* definitions(kit, kit.R, service.clientId)
    yield* expectFailure(
      kit.admin.updateClientRoles({ realm: kit.R, clientId: service.clientId, roles: change(before) }),
      expected
    )
    expect(yield* definitions(kit, kit.R, service.clientId)).toEqual(before)
  })

add(
  "updateClientRoles",
  409,
  "a new role named like an existing one is Conflict; nothing changes",
  (kit) =>
    refusedDefinitions(kit, (before) => [...before, { name: "read:map", description: "a second read:map" }], {
      _tag: "Conflict",
      status: 409
    })
)

add(
  "updateClientRoles",
  404,
  "an existing composite role sent without its compositeRoleIds; nothing changes",
  (kit) =>
    refusedDefinitions(kit, (before) => before.map(({ id, name }) => ({ id: id!, name: name! })), {
      _tag: "NotFound",
      status: 404
    })
)

add("updateClientRoles", 405, "a realm administrator on another realm", (kit) =>
  Effect.gen(function*() {
    const realmAdmin = yield* kit.realmAdmin
    const roles = yield* definitions(kit, kit.M)
    yield* expectFailure(
      realmAdmin.api.updateClientRoles({ realm: kit.M, clientId: StandardRoles.openremoteClient, roles }),
      { _tag: "NotAllowed", status: 405 }
    )
  }))

add("updateRoles", 204, "a new role of `openremote`, then the definitions restored", (kit) =>
  Effect.gen(function*() {
    const before = yield* definitions(kit, kit.R)
    const restore = kit.admin.updateRoles({ realm: kit.R, roles: before })
    const name = yield* Fixtures.uniqueName("role")
    yield* Effect.acquireRelease(
      kit.admin.updateRoles({ realm: kit.R, roles: [...before, { name, description: "contract test" }] }),
      () => Effect.ignore(restore)
    )
    const after = yield* definitions(kit, kit.R)
    expect(byName(after).get(name)).toMatchObject({ name, description: "contract test", composite: false })
    yield* restore
    sameSet((yield* definitions(kit, kit.R)).map((role) => role.id!), before.map((role) => role.id!))
  }))

add("updateRoles", 403, "a caller without write:admin", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    const roles = yield* definitions(kit, kit.R)
    yield* expectFailure(person.api.updateRoles({ realm: kit.R, roles }), { _tag: "Forbidden", status: 403 })
  }))

add("updateRoles", 404, "a role id that does not exist; nothing changes", (kit) =>
  Effect.gen(function*() {
    const before = yield* definitions(kit, kit.R)
    const id = yield* Fixtures.uniqueName("no-such-role-id")
    yield* expectFailure(kit.admin.updateRoles({ realm: kit.R, roles: [...before, { id, name: id }] }), {
      _tag: "NotFound",
      status: 404
    })
    sameSet((yield* definitions(kit, kit.R)).map((role) => role.id!), before.map((role) => role.id!))
  }))

add(
  "updateRoles",
  409,
  "a new role named like an existing `openremote` role is Conflict; nothing changes",
  (kit) =>
    Effect.gen(function*() {
      const before = yield* definitions(kit, kit.R)
      yield* expectFailure(kit.admin.updateRoles({ realm: kit.R, roles: [...before, { name: "write:user" }] }), {
        _tag: "Conflict",
        status: 409
      })
      expect(yield* definitions(kit, kit.R)).toEqual(before)
    })
)

add("updateRoles", 405, "a realm administrator on another realm", (kit) =>
  Effect.gen(function*() {
    const realmAdmin = yield* kit.realmAdmin
    const roles = yield* definitions(kit, kit.M)
    yield* expectFailure(realmAdmin.api.updateRoles({ realm: kit.M, roles }), { _tag: "NotAllowed", status: 405 })
  }))

// ---------------------------------------------------------------------------------------------------------------
// updateCurrentUserLocale, updateOwnPassword, updateSelf (the caller's own account)

add("updateCurrentUserLocale", 204, "stored as the caller's `locale` attribute", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    expect(yield* person.api.updateCurrentUserLocale({ locale: "nl" })).toBeUndefined()
    expect((yield* person.api.getCurrentUser()).attributes?.locale).toEqual(["nl"])
  }))

add("updateCurrentUserLocale", 400, "an empty locale", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    yield* expectFailure(person.api.updateCurrentUserLocale({ locale: "" }), { _tag: "BadRequest", status: 400 })
  }))

add("updateCurrentUserLocale", 403, "an anonymous caller", (kit) =>
  Effect.gen(function*() {
    const anonymous = yield* kit.anonymous(kit.R)
    yield* expectFailure(anonymous.updateCurrentUserLocale({ locale: "nl" }), { _tag: "Forbidden", status: 403 })
  }))

add("updateOwnPassword", 204, "the new password signs in, the old one no more", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    const password = yield* Fixtures.newPassword
    expect(
      yield* person.api.updateOwnPassword({ credential: { type: "password", value: password, temporary: false } })
    ).toBeUndefined()
    expect((yield* canSignIn(kit, person, password)).id).toBe(person.id)
    yield* expectFailure(canSignIn(kit, person, person.password), {
      _tag: "AuthenticationError",
      error: "invalid_grant"
    })
  }))

add("updateOwnPassword", 400, "a blank password", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    yield* expectFailure(
      person.api.updateOwnPassword({ credential: { type: "password", value: Redacted.make("   "), temporary: false } }),
      { _tag: "BadRequest", status: 400 }
    )
  }))

add("updateOwnPassword", 403, "a caller without write:user", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.person({ realm: kit.R, clientRoles: ["read:map"] })
    const password = yield* Fixtures.newPassword
    yield* expectFailure(
      person.api.updateOwnPassword({ credential: { type: "password", value: password, temporary: false } }),
      { _tag: "Forbidden", status: 403 }
    )
  }))

add("updateSelf", 200, "a person changes their own names, email and attributes", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    const email = `${yield* Fixtures.uniqueName("self")}@example.com`
    const updated = yield* person.api.updateSelf({
      user: {
        username: person.username,
        firstName: "Katherine",
        lastName: "Johnson",
        email,
        attributes: { team: ["nasa"] }
      }
    })
    expect(updated).toMatchObject({
      id: person.id,
      username: person.username,
      firstName: "Katherine",
      lastName: "Johnson",
      email
    })
    const me = yield* person.api.getCurrentUser()
    expect(me).toMatchObject({ firstName: "Katherine", lastName: "Johnson", email })
    expect(me.attributes?.team).toEqual(["nasa"])
  }))

add("updateSelf", 400, "an empty username", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    yield* expectFailure(person.api.updateSelf({ user: { username: "", firstName: "Nameless" } }), {
      _tag: "BadRequest",
      status: 400
    })
    expect((yield* person.api.getCurrentUser()).firstName).toBeUndefined()
  }))

add("updateSelf", 500, "a body without a username: one attempt, nothing changes", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    yield* serverErrorOnce("updateSelf", person.api.updateSelf({ user: { firstName: "Nameless" } }))
    expect((yield* person.api.getCurrentUser()).firstName).toBeUndefined()
  }))

add("updateSelf", 403, "a body naming another user's id", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    const other = yield* kit.user({ realm: kit.R })
    yield* expectFailure(
      person.api.updateSelf({ user: { id: other.id, username: other.username, firstName: "Intruder" } }),
      { _tag: "Forbidden", status: 403 }
    )
    expect((yield* kit.admin.getUser({ realm: kit.R, userId: other.id })).firstName).toBeUndefined()
  }))

add("updateSelf", 405, "turning oneself into a service user", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    yield* expectFailure(person.api.updateSelf({ user: { username: person.username, serviceAccount: true } }), {
      _tag: "NotAllowed",
      status: 405
    })
  }))

// ---------------------------------------------------------------------------------------------------------------
// updatePassword

add("updatePassword", 204, "the user signs in with it", (kit) =>
  Effect.gen(function*() {
    const user = yield* kit.user({ realm: kit.R })
    const password = yield* Fixtures.newPassword
    expect(
      yield* kit.admin.updatePassword({
        realm: kit.R,
        userId: user.id,
        credential: { type: "password", value: password, temporary: false }
      })
    ).toBeUndefined()
    expect((yield* canSignIn(kit, user, password)).id).toBe(user.id)
  }))

add("updatePassword", 204, "a temporary password does not sign in until changed", (kit) =>
  Effect.gen(function*() {
    const user = yield* kit.user({ realm: kit.R })
    const password = yield* Fixtures.newPassword
    yield* kit.admin.updatePassword({
      realm: kit.R,
      userId: user.id,
      credential: { type: "password", value: password, temporary: true }
    })
    yield* expectFailure(canSignIn(kit, user, password), { _tag: "AuthenticationError", error: "invalid_grant" })
  }))

add("updatePassword", 400, "a credential without a password", (kit) =>
  Effect.gen(function*() {
    const user = yield* kit.user({ realm: kit.R })
    yield* expectFailure(
      kit.admin.updatePassword({ realm: kit.R, userId: user.id, credential: { type: "password", temporary: false } }),
      { _tag: "BadRequest", status: 400 }
    )
  }))

add("updatePassword", 403, "a caller without write:admin", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    const user = yield* kit.user({ realm: kit.R })
    const password = yield* Fixtures.newPassword
    yield* expectFailure(
      person.api.updatePassword({ realm: kit.R, userId: user.id, credential: { type: "password", value: password } }),
      { _tag: "Forbidden", status: 403 }
    )
  }))

add("updatePassword", 404, "a user that does not exist", (kit) =>
  Effect.gen(function*() {
    const id = yield* Fixtures.uniqueName("no-such-user")
    const password = yield* Fixtures.newPassword
    yield* expectFailure(
      kit.admin.updatePassword({ realm: kit.R, userId: id, credential: { type: "password", value: password } }),
      { _tag: "NotFound", status: 404 }
    )
  }))

add("updatePassword", 405, "a realm administrator on another realm", (kit) =>
  Effect.gen(function*() {
    const realmAdmin = yield* kit.realmAdmin
    const user = yield* kit.user({ realm: kit.M })
    const password = yield* Fixtures.newPassword
    yield* expectFailure(
      realmAdmin.api.updatePassword({
        realm: kit.M,
        userId: user.id,
        credential: { type: "password", value: password }
      }),
      { _tag: "NotAllowed", status: 405 }
    )
  }))

// ---------------------------------------------------------------------------------------------------------------
// updateUser

add("updateUser", 200, "the super user updates a user of another realm", (kit) =>
  Effect.gen(function*() {
    const user = yield* kit.user({ realm: kit.R, firstName: "Before" })
    const updated = yield* kit.admin.updateUser({
      realm: kit.R,
      user: { id: user.id, username: user.username, firstName: "After", enabled: false }
    })
    expect(updated).toMatchObject({
      id: user.id,
      username: user.username,
      firstName: "After",
      enabled: false,
      realm: kit.R
    })
    expect(updated.secret).toBeUndefined()
    expect(yield* kit.admin.getUser({ realm: kit.R, userId: user.id })).toMatchObject({
      firstName: "After",
      enabled: false
    })
    // A regular user's username does not change (USER-API.md §4, inferred).
    const renamed = yield* kit.admin.updateUser({ realm: kit.R, user: { id: user.id, username: `${user.username}-x` } })
    expect(renamed.username).toBe(user.username)
  }))

add("updateUser", 200, "a username that is not found is created (upsert)", (kit) =>
  Effect.gen(function*() {
    const name = yield* Fixtures.uniqueName("upsert")
    const created = yield* Effect.acquireRelease(
      kit.admin.updateUser({ realm: kit.R, user: { username: name, firstName: "New", enabled: true } }),
      (user) =>
        user.id === undefined ? Effect.void : Effect.ignore(kit.admin.deleteUser({ realm: kit.R, userId: user.id }))
    )
    expect(created).toMatchObject({ username: name, firstName: "New", realm: kit.R })
    const found = yield* kit.admin.queryUsers({
      query: { realmPredicate: { name: kit.R }, usernames: [{ value: name }] }
    })
    expect(found.map((user) => user.id)).toEqual([created.id])
  }))

add(
  "updateUser",
  400,
  "a user the server refuses (an invalid username, not found, so created)",
  (kit) =>
    expectFailure(kit.admin.updateUser({ realm: kit.R, user: { username: "#$%^&*()" } }), {
      _tag: "BadRequest",
      status: 400
    })
)

add(
  "updateUser",
  500,
  "a body without a username, even with the id of a user: one attempt, nothing changes",
  (kit) =>
    Effect.gen(function*() {
      const user = yield* kit.user({ realm: kit.R })
      yield* serverErrorOnce(
        "updateUser",
        kit.admin.updateUser({ realm: kit.R, user: { id: user.id, firstName: "Nameless", enabled: false } })
      )
      expect(yield* kit.admin.getUser({ realm: kit.R, userId: user.id })).toMatchObject({ enabled: true })
      expect((yield* kit.admin.getUser({ realm: kit.R, userId: user.id })).firstName).toBeUndefined()
    })
)

add("updateUser", 403, "a caller without write:admin", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    const other = yield* kit.user({ realm: kit.R })
    yield* expectFailure(
      person.api.updateUser({ realm: kit.R, user: { id: other.id, username: other.username, firstName: "Mallory" } }),
      { _tag: "Forbidden", status: 403 }
    )
  }))

add("updateUser", 405, "a realm administrator on another realm", (kit) =>
  Effect.gen(function*() {
    const realmAdmin = yield* kit.realmAdmin
    const user = yield* kit.user({ realm: kit.M })
    yield* expectFailure(
      realmAdmin.api.updateUser({ realm: kit.M, user: { id: user.id, username: user.username, firstName: "Mallory" } }),
      { _tag: "NotAllowed", status: 405 }
    )
    expect((yield* kit.admin.getUser({ realm: kit.M, userId: user.id })).firstName).toBeUndefined()
  }))

// ---------------------------------------------------------------------------------------------------------------
// updateUserClientRoles, updateUserRealmRoles (replace-all role assignments)

add("updateUserClientRoles", 204, "replace-all; unknown names ignored", (kit) =>
  Effect.gen(function*() {
    const user = yield* kit.user({ realm: kit.R })
    const clientId = StandardRoles.openremoteClient
    const args = { realm: kit.R, userId: user.id, clientId }
    expect(yield* kit.admin.updateUserClientRoles({ ...args, roles: ["read", "write:user", "ct-no-such-role"] }))
      .toBeUndefined()
    sameSet(yield* kit.admin.getUserClientRoles(args), ["read", ...StandardRoles.readRoles, "write:user"])
    yield* kit.admin.updateUserClientRoles({ ...args, roles: ["write:user"] })
    sameSet(yield* kit.admin.getUserClientRoles(args), ["write:user"])
  }))

add("updateUserClientRoles", 403, "a caller without write:admin", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    const user = yield* kit.user({ realm: kit.R })
    yield* expectFailure(
      person.api.updateUserClientRoles({
        realm: kit.R,
        userId: user.id,
        clientId: StandardRoles.openremoteClient,
        roles: ["read"]
      }),
      { _tag: "Forbidden", status: 403 }
    )
  }))

add("updateUserClientRoles", 404, "a user that does not exist", (kit) =>
  Effect.gen(function*() {
    const id = yield* Fixtures.uniqueName("no-such-user")
    yield* expectFailure(
      kit.admin.updateUserClientRoles({
        realm: kit.R,
        userId: id,
        clientId: StandardRoles.openremoteClient,
        roles: []
      }),
      { _tag: "NotFound", status: 404 }
    )
  }))

add("updateUserClientRoles", 405, "a realm administrator on another realm", (kit) =>
  Effect.gen(function*() {
    const realmAdmin = yield* kit.realmAdmin
    const user = yield* kit.user({ realm: kit.M })
    yield* expectFailure(
      realmAdmin.api.updateUserClientRoles({
        realm: kit.M,
        userId: user.id,
        clientId: StandardRoles.openremoteClient,
        roles: ["read"]
      }),
      { _tag: "NotAllowed", status: 405 }
    )
  }))

add("updateUserClientRoles", 500, "a client that does not exist", (kit) =>
  Effect.gen(function*() {
    const user = yield* kit.user({ realm: kit.R })
    const clientId = yield* Fixtures.uniqueName("no-such-client")
    yield* expectFailure(
      kit.admin.updateUserClientRoles({ realm: kit.R, userId: user.id, clientId, roles: ["read"] }),
      {
        _tag: "ServerError",
        status: 500
      }
    )
  }))

add("updateUserRealmRoles", 204, "replace-all; unknown names ignored", (kit) =>
  Effect.gen(function*() {
    const user = yield* kit.user({ realm: kit.R })
    const args = { realm: kit.R, userId: user.id }
    expect(
      yield* kit.admin.updateUserRealmRoles({ ...args, roles: [StandardRoles.restrictedUserRole, "ct-no-such-role"] })
    )
      .toBeUndefined()
    expect(yield* kit.admin.getUserRealmRoles(args)).toContain(StandardRoles.restrictedUserRole)
    yield* kit.admin.updateUserRealmRoles({ ...args, roles: [] })
    expect(yield* kit.admin.getUserRealmRoles(args)).not.toContain(StandardRoles.restrictedUserRole)
  }))

add("updateUserRealmRoles", 403, "a caller without write:admin", (kit) =>
  Effect.gen(function*() {
    const person = yield* kit.regular()
    const user = yield* kit.user({ realm: kit.R })
    yield* expectFailure(
      person.api.updateUserRealmRoles({ realm: kit.R, userId: user.id, roles: [StandardRoles.restrictedUserRole] }),
      { _tag: "Forbidden", status: 403 }
    )
  }))

add("updateUserRealmRoles", 404, "a user that does not exist", (kit) =>
  Effect.gen(function*() {
    const id = yield* Fixtures.uniqueName("no-such-user")
    yield* expectFailure(kit.admin.updateUserRealmRoles({ realm: kit.R, userId: id, roles: [] }), {
      _tag: "NotFound",
      status: 404
    })
  }))

add("updateUserRealmRoles", 405, "a realm administrator on another realm", (kit) =>
  Effect.gen(function*() {
    const realmAdmin = yield* kit.realmAdmin
    const user = yield* kit.user({ realm: kit.M })
    yield* expectFailure(
      realmAdmin.api.updateUserRealmRoles({ realm: kit.M, userId: user.id, roles: [StandardRoles.restrictedUserRole] }),
      { _tag: "NotAllowed", status: 405 }
    )
  }))

// ---------------------------------------------------------------------------------------------------------------
// the tests

const key = (operation: string, status: number | string) => `${operation} ${status}`

describe("every operation and every status it answers", () => {
  for (const c of cases) {
    const test = c.needs === undefined ? it.live : h.controlPlane(c.needs)
    test(`${c.operation} → ${c.status}: ${c.title}`, () =>
      h.run(Effect.gen(function*() {
        const recorder = yield* Recorder
        const mark = yield* recorder.mark
        yield* Effect.flatMap(makeKit, c.run)
        const seen = (yield* recorder.since(mark)).filter((exchange) => exchange.operation === c.operation)
        expect(seen.map((exchange) => exchange.status), `${c.operation} must have answered ${c.status}`).toContain(
          c.status
        )
      })))
  }
})

describe("coverage of the catalogue", () => {
  const listed = Catalogue.all.flatMap((operation) =>
    Object.keys(operation.responses).map((status) => key(operation.name, status))
  )

  it("the cases cover every (operation, status) the catalogue lists, and nothing else", () => {
    expect(listed).toHaveLength(new Set(listed).size)
    expect([...new Set(cases.map((c) => key(c.operation, c.status)))].sort()).toEqual([...listed].sort())
  })

  /** The cases that run: on a live target, those that need the control plane are skipped. */
  const runnable = h.live ? cases.filter((c) => c.needs === undefined) : cases

  it.live("every (operation, status) of the cases that ran was answered on the wire", () =>
    h.run(Effect.gen(function*() {
      const exchanges = yield* Effect.flatMap(Recorder, (recorder) => recorder.exchanges)
      const seen = new Set(exchanges.map((exchange) => key(exchange.operation ?? "?", exchange.status)))
      const expected = h.live ? new Set(runnable.map((c) => key(c.operation, c.status))) : new Set(listed)
      expect([...expected].filter((pair) => !seen.has(pair))).toEqual([])
    })))

  it.live("every operation's success response was seen, and conforms to the OpenAPI document", () =>
    h.run(Effect.gen(function*() {
      const exchanges = yield* Effect.flatMap(Recorder, (recorder) => recorder.exchanges)
      const expected = Catalogue.all.filter((operation) =>
        runnable.some((c) => c.operation === operation.name && c.status === operation.success)
      )
      if (!h.live) expect(expected).toHaveLength(Catalogue.all.length)
      const missing = expected.filter((operation) =>
        !exchanges.some((exchange) =>
          exchange.operation === operation.name && exchange.status === operation.success &&
          exchange.problems.length === 0 &&
          (!Conformance.hasSuccessBody(operation.name) || exchange.bodyLength > 0)
        )
      ).map((operation) => operation.name)
      expect(missing).toEqual([])
      expect(exchanges.filter((exchange) => exchange.problems.length > 0)).toEqual([])
    })))
})
