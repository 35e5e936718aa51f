/**
 * The store hands out read-only views of its own records: outside code reads them without copies, and every
 * change goes through a store method that validates first. The views' read-only types are checked by `tsc -b`
 * (part of `npm test`): each `@ts-expect-error` below fails the build if that change becomes possible.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Seed from "../src/Seed.js"
import type { ClientRecord, MailRecord, RealmRecord, RoleRecord, SessionRecord, UserRecord } from "../src/Store.js"
import { Store } from "../src/Store.js"
import { T0 } from "./helpers.js"

const fresh = () => Store.fromSeed(Either.getOrThrow(Seed.decode(Seed.defaultSeed)), { now: T0, salt: "salt" })

/**
 * Never called: it only has to compile, and it compiles only while every line is refused by the types.
 */
export const outsideChangesDoNotCompile = (
  store: Store,
  realm: RealmRecord,
  user: UserRecord,
  client: ClientRecord,
  role: RoleRecord,
  session: SessionRecord,
  mail: MailRecord
): void => {
  // @ts-expect-error the realms of a store are a read-only map
  store.realms.delete("master")
  // @ts-expect-error a realm's mail server changes through Store.configureMail only
  realm.mailServer = undefined
  // @ts-expect-error a realm's users change through Store.createUser and Store.deleteUser only
  realm.users.delete(user.id)
  // @ts-expect-error the username index changes with the users only
  realm.usernames.set("ghost", user.id)
  // @ts-expect-error a realm's clients change with its service users only
  realm.clients.delete(client.clientId)
  // @ts-expect-error the role index changes through Store.replaceClientRoles only
  realm.roles.clear()
  // @ts-expect-error a user's fields change through Store.updateUser only
  user.enabled = false
  // @ts-expect-error a user's email changes through Store.updateUser only
  user.email = "x@example.com"
  // @ts-expect-error a user's attributes change through Store.updateUser and Store.setAttribute only
  user.attributes = new Map()
  // @ts-expect-error a user's attribute map is read-only
  user.attributes.set("locale", ["nl"])
  // @ts-expect-error a user's password changes through Store.setPassword only
  user.password = undefined
  // @ts-expect-error realm role mappings change through Store.setRealmRoleMappings only
  user.realmRoleIds.add(role.id)
  // @ts-expect-error client role mappings change through Store.setClientRoleMappings only
  user.clientRoleIds.delete(role.id)
  // @ts-expect-error a client's secret changes through Store.resetSecret only
  client.secret = "guessed"
  // @ts-expect-error a client's roles change through Store.replaceClientRoles only
  client.roles.delete(role.id)
  // @ts-expect-error a role changes through Store.replaceClientRoles only
  role.name = "renamed"
  // @ts-expect-error a role's composites change through Store.replaceClientRoles only
  role.composites.add(role.id)
  // @ts-expect-error a session is immutable
  session.userId = user.id
  // @ts-expect-error a mail is immutable
  mail.actions.push("VERIFY_EMAIL")
}

describe("the store's read-only views", () => {
  it("are the store's own records: a change through a store method shows in a view already held", () => {
    const store = fresh()
    expect(store.realms).toBe(store.realms)
    const realm = store.realm("smartcity")!
    expect(store.realms.get("smartcity")).toBe(realm)
    const user = store.userByUsername(realm, "smartcity")!
    expect(store.userById(user.id)).toBe(user)

    expect(Either.isRight(store.updateUser(user, { username: "smartcity", firstName: "Smart", enabled: false }))).toBe(
      true
    )
    expect([user.firstName, user.enabled]).toEqual(["Smart", false])
    store.setAttribute(user, "locale", ["nl"])
    expect(user.attributes.get("locale")).toEqual(["nl"])
    store.setRealmRoleMappings(realm, user, ["restricted_user"])
    expect(store.directRealmRoleNames(realm, user)).toContain("restricted_user")
    store.configureMail(realm, { host: "smtp.example.com", port: 25 })
    expect(realm.mailServer).toEqual({ host: "smtp.example.com", port: 25 })

    const master = store.realm("master")!
    const service = store.userByUsername(master, "service-account-serviceuser")!
    const client = store.serviceClientOf(master, service)!
    const secret = store.resetSecret(master, service)
    expect(Either.isRight(secret) && client.secret === secret.right).toBe(true)
    expect(client.secret).not.toBe("your_secret")
  })

  it("leave a view as it was when a store method refuses the change", () => {
    const store = fresh()
    const realm = store.realm("smartcity")!
    const user = store.userByUsername(realm, "smartcity")!
    const before = JSON.stringify(store.snapshot("s"))
    const refused = store.updateUser(user, { username: "smartcity", firstName: "Smart", email: "not-an-address" })
    expect(Either.isLeft(refused)).toBe(true)
    expect(user.firstName).toBeUndefined()
    expect(Either.isLeft(store.setPassword(realm, user, " ", false))).toBe(true)
    expect(JSON.stringify(store.snapshot("s"))).toBe(before)
  })

  it("delete a user's records from every index, and its service client with it", () => {
    const store = fresh()
    const master = store.realm("master")!
    const service = store.userByUsername(master, "service-account-serviceuser")!
    const client = store.serviceClientOf(master, service)!
    expect(store.deleteUser(master, service.id)).toBe(service)
    expect(store.userById(service.id)).toBeUndefined()
    expect(store.userByUsername(master, "service-account-serviceuser")).toBeUndefined()
    expect(master.clients.has(client.clientId)).toBe(false)
    expect([...client.roles.keys()].some((id) => master.roles.has(id))).toBe(false)
  })
})
