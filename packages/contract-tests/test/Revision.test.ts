/**
 * The rules of USER-API.md's 2026-12-01 revision whose statuses the catalogue already listed (the new
 * statuses, 409 and the new 500s, have their cases in `Operations.test.ts`), called through the client
 * against the target over real HTTP. The token endpoint's order of checks is read with plain `fetch`:
 * the client's `TokenProvider` always sends a known grant type, so only a raw request can show it.
 */
import { describe, expect, it } from "@effect/vitest"
import { TokenProvider } from "@openremote-effect/client"
import type { UserQuery } from "@openremote-effect/model"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Callers from "../src/Callers.js"
import * as Fixtures from "../src/Fixtures.js"
import { useTarget } from "./utils/harness.js"
import { expectFailure, make as makeKit } from "./utils/kit.js"

const h = useTarget()

/** A raw form POST to the token endpoint of `realm`: status and JSON body. */
const tokenRequest = (keycloakUrl: string, realm: string, fields: Readonly<Record<string, string>>) =>
  Effect.promise(async () => {
    const response = await fetch(`${keycloakUrl}/realms/${encodeURIComponent(realm)}/protocol/openid-connect/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString()
    })
    return { status: response.status, body: await response.json() as Record<string, unknown> }
  })

const predicate = (value: string, fields: Partial<UserQuery.StringPredicate> = {}): UserQuery.StringPredicate => ({
  value,
  ...fields
})

describe("the token endpoint (USER-API.md §2)", () => {
  it.live("checks the grant type before the client: missing is invalid_request, unknown unsupported_grant_type", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const service = yield* kit.serviceUser()
      for (
        const client of [
          { client_id: "ct-no-such-client" },
          { client_id: service.clientId, client_secret: "ct-wrong-secret" },
          { client_id: "openremote" }
        ]
      ) {
        const unknown = yield* tokenRequest(kit.target.keycloakUrl, kit.R, { grant_type: "ct-grant", ...client })
        expect(unknown).toMatchObject({ status: 400, body: { error: "unsupported_grant_type" } })
        const missing = yield* tokenRequest(kit.target.keycloakUrl, kit.R, client)
        expect(missing).toMatchObject({ status: 400, body: { error: "invalid_request" } })
      }
    })))

  it.live("a client_credentials answer carries no refresh token", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const service = yield* kit.serviceUser()
      const answer = yield* tokenRequest(kit.target.keycloakUrl, kit.R, {
        grant_type: "client_credentials",
        client_id: service.clientId,
        client_secret: Redacted.value(service.secret)
      })
      expect(answer.status).toBe(200)
      expect(typeof answer.body.access_token).toBe("string")
      expect(answer.body.refresh_token).toBeUndefined()
    })))

  it.live("client_credentials with the public client is an AuthenticationError 401 unauthorized_client", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const api = yield* Callers.make({
        realm: kit.R,
        tokens: Callers.clientCredentialsTokens(kit.target, kit.R, "openremote", Redacted.make("ct-not-a-secret"))
      })
      yield* expectFailure(api.getCurrentUser(), {
        _tag: "AuthenticationError",
        status: 401,
        error: "unauthorized_client"
      })
    })))

  it.live("the password grant through a service user's own client is an AuthenticationError 400 unauthorized_client", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const service = yield* kit.serviceUser()
      const person = yield* kit.regular()
      const api = yield* Callers.make({
        realm: kit.R,
        tokens: TokenProvider.password({
          keycloakUrl: kit.target.keycloakUrl,
          realm: kit.R,
          username: person.username,
          password: person.password,
          clientId: service.clientId,
          clientSecret: service.secret
        })
      })
      yield* expectFailure(api.getCurrentUser(), {
        _tag: "AuthenticationError",
        status: 400,
        error: "unauthorized_client"
      })
    })))
})

describe("createUser (USER-API.md §3 #1, §4)", () => {
  it.live("a service user created without `enabled` is enabled and gets tokens at once", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const name = yield* Fixtures.uniqueName("svc-enabled")
      const created = yield* kit.admin.createUser({ realm: kit.R, user: { username: name, serviceAccount: true } })
      expect(created.enabled).toBe(true)
      const read = yield* kit.admin.getUser({ realm: kit.R, userId: created.id! })
      const api = yield* Callers.make({
        realm: kit.R,
        tokens: Callers.clientCredentialsTokens(kit.target, kit.R, name, read.secret!)
      })
      expect(yield* api.getCurrentUser()).toMatchObject({ id: created.id, username: name, enabled: true })
    })))

  it.live("stores the email lower-cased", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const name = yield* Fixtures.uniqueName("mail")
      const created = yield* kit.admin.createUser({
        realm: kit.R,
        user: { username: name, email: `${name.toUpperCase()}@Example.COM` }
      })
      expect(created.email).toBe(`${name}@example.com`)
      expect((yield* kit.admin.getUser({ realm: kit.R, userId: created.id! })).email).toBe(`${name}@example.com`)
    })))

  it.live("a body `id` of an existing user is Forbidden whatever the username; nothing is created", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const existing = yield* kit.user({ realm: kit.R })
      const name = yield* Fixtures.uniqueName("fresh")
      yield* expectFailure(kit.admin.createUser({ realm: kit.R, user: { id: existing.id, username: name } }), {
        _tag: "Forbidden",
        status: 403
      })
      const found = yield* kit.admin.queryUsers({
        query: { realmPredicate: { name: kit.R }, usernames: [predicate(name)] }
      })
      expect(found).toEqual([])
    })))
})

describe("updateUser (USER-API.md §3 #22, §4)", () => {
  it.live("`enabled` and `attributes` left out keep their values; sent attributes replace the map", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const user = yield* kit.user({ realm: kit.R, attributes: { team: ["red"], floor: ["3"] } })
      const update = (fields: Record<string, unknown>) =>
        kit.admin.updateUser({ realm: kit.R, user: { id: user.id, username: user.username, ...fields } })
      yield* update({ enabled: false })
      const kept = yield* update({ firstName: "Kept" })
      expect(kept).toMatchObject({ enabled: false, firstName: "Kept", attributes: { team: ["red"], floor: ["3"] } })
      yield* update({ attributes: { team: ["blue"] } })
      expect(yield* kit.admin.getUser({ realm: kit.R, userId: user.id })).toMatchObject({
        enabled: false,
        firstName: "Kept",
        attributes: { team: ["blue"] }
      })
    })))
})

describe("queryUsers (USER-API.md §6)", () => {
  /** Three users named `{prefix}-a_b`, `{prefix}-axb` (first name Bea) and `{prefix}-ab` (first name Al). */
  const threeUsers = Effect.gen(function*() {
    const kit = yield* makeKit
    const prefix = yield* Fixtures.uniqueName("q")
    const make = (suffix: string, firstName?: string) =>
      kit.admin.createUser({
        realm: kit.R,
        user: { username: `${prefix}-${suffix}`, enabled: true, ...(firstName === undefined ? {} : { firstName }) }
      })
    yield* make("a_b")
    yield* make("axb", "Bea")
    yield* make("ab", "Al")
    const names = (query: UserQuery.UserQuery) =>
      Effect.map(
        kit.admin.queryUsers({ query: { realmPredicate: { name: kit.R }, ...query } }),
        (users) => users.map((user) => user.username!)
      )
    return { kit, prefix, names }
  })

  it.live("`_` and `%` in a BEGIN, END or CONTAINS value are wildcards; EXACT is equality", () =>
    h.run(Effect.gen(function*() {
      const { names, prefix } = yield* threeUsers
      const sorted = (query: UserQuery.UserQuery) => Effect.map(names(query), (found) => [...found].sort())
      expect(yield* sorted({ usernames: [predicate(`${prefix}-a_b`, { match: "CONTAINS" })] })).toEqual([
        `${prefix}-a_b`,
        `${prefix}-axb`
      ])
      expect(yield* sorted({ usernames: [predicate(`${prefix}-a%b`, { match: "BEGIN" })] })).toEqual([
        `${prefix}-a_b`,
        `${prefix}-ab`,
        `${prefix}-axb`
      ])
      expect(yield* sorted({ usernames: [predicate(`${prefix.slice(1)}-a_b`, { match: "END" })] })).toEqual([
        `${prefix}-a_b`,
        `${prefix}-axb`
      ])
      expect(yield* sorted({ usernames: [predicate(`${prefix}-a_b`)] })).toEqual([`${prefix}-a_b`])
    })))

  it.live("FIRST_NAME orders users without one last ascending, first descending; `limit: 0` is no limit", () =>
    h.run(Effect.gen(function*() {
      const { names, prefix } = yield* threeUsers
      const ours = { usernames: [predicate(prefix, { match: "BEGIN" })] }
      expect(yield* names({ ...ours, orderBy: { property: "FIRST_NAME" } })).toEqual([
        `${prefix}-ab`,
        `${prefix}-axb`,
        `${prefix}-a_b`
      ])
      expect(yield* names({ ...ours, orderBy: { property: "FIRST_NAME", descending: true } })).toEqual([
        `${prefix}-a_b`,
        `${prefix}-axb`,
        `${prefix}-ab`
      ])
      expect(yield* names({ ...ours, orderBy: { property: "FIRST_NAME" }, limit: 0 })).toHaveLength(3)
      expect(yield* names({ ...ours, orderBy: { property: "FIRST_NAME" }, limit: 1 })).toEqual([`${prefix}-ab`])
    })))

  it.live("an EXACT username match on a service user needs the `service-account-` prefix", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const service = yield* kit.serviceUser()
      const exact = (value: string) =>
        kit.admin.queryUsers({ query: { realmPredicate: { name: kit.R }, usernames: [predicate(value)] } })
      expect(yield* exact(service.clientId)).toEqual([])
      const found = yield* exact(`service-account-${service.clientId}`)
      expect(found.map((user) => [user.id, user.username])).toEqual([[service.id, service.clientId]])
    })))

  it.live("an attribute value compares with the name predicate's case handling", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const user = yield* kit.user({ realm: kit.R, attributes: { team: ["red"] } })
      const matches = (attribute: UserQuery.AttributeValuePredicate) =>
        Effect.map(
          kit.admin.queryUsers({ query: { ids: [user.id], attributes: [attribute] } }),
          (users) => users.map((found) => found.id)
        )
      const insensitive = { caseSensitive: false }
      expect(yield* matches({ name: predicate("team"), value: predicate("red") })).toEqual([user.id])
      // A case-sensitive name: "RED", though marked case-insensitive, does not find "red".
      expect(yield* matches({ name: predicate("team"), value: predicate("RED", insensitive) })).toEqual([])
      // A case-insensitive name: the value compares case-insensitively too.
      expect(yield* matches({ name: predicate("TEAM", insensitive), value: predicate("RED", insensitive) })).toEqual([
        user.id
      ])
    })))
})
