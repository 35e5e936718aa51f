import { afterAll, beforeEach, describe, expect, it } from "@effect/vitest"
import * as jose from "jose"
import {
  adminToken,
  call,
  Catalogue,
  cityadminToken,
  expectStatus,
  expectUnchanged,
  makeApp,
  passwordToken,
  rejects,
  smartcityToken,
  testSeed,
  userId
} from "./helpers.js"

const app = makeApp({ seed: testSeed })
afterAll(() => app.close())
beforeEach(() => app.simulator.load(testSeed))

interface RoleJson {
  readonly id: string
  readonly name: string
  readonly description?: string
  readonly composite: boolean
  readonly compositeRoleIds?: ReadonlyArray<string>
}

const rolesOf = async (realm: string, clientId: string): Promise<Array<RoleJson>> =>
  (await call(app, Catalogue.getClientRoles, { token: await adminToken(app), params: { realm, clientId } })).json()

/**
 * The role definitions as an update that keeps them sends them back, without the role `dropped` (which a
 * kept composite role then no longer lists: a composite must send its parts).
 */
const resend = (roles: ReadonlyArray<RoleJson>, dropped?: string) =>
  roles.filter((role) => role.id !== dropped).map(({ compositeRoleIds, id, name }) => ({
    id,
    name,
    ...(compositeRoleIds === undefined ? {} : { compositeRoleIds: compositeRoleIds.filter((part) => part !== dropped) })
  }))

const mapped = (realm: string, username: string) =>
  app.simulator.snapshot().realms.find((r) => r.name === realm)!.users.find((u) => u.username === username)!

describe("updateClientRoles (replace-all of a client's role definitions)", () => {
  it("keeps roles by id (renamed, re-described, composites replaced), creates roles without id, deletes the rest", async () => {
    const token = await adminToken(app)
    const before = await rolesOf("smartcity", "openremote")
    const byName = new Map(before.map((role) => [role.name, role]))
    const readMap = byName.get("read:map")!
    const readAssets = byName.get("read:assets")!
    const read = byName.get("read")!
    const response = await call(app, Catalogue.updateClientRoles, {
      token,
      params: { realm: "smartcity", clientId: "openremote" },
      body: [
        { id: readMap.id, name: "read:map", description: "Look at the map", composite: true, assigned: true },
        { id: readAssets.id, name: "read:things" },
        { id: read.id, name: "read", compositeRoleIds: [readMap.id] },
        { name: "operator", description: "New", compositeRoleIds: [readMap.id, readAssets.id] }
      ]
    })
    expectStatus(response, Catalogue.updateClientRoles, 204)
    const after = await rolesOf("smartcity", "openremote")
    expect(after.map((role) => role.name)).toEqual(["read:map", "read:things", "read", "operator"])
    const [map, things, newRead, operator] = after
    expect(map).toEqual({ id: readMap.id, name: "read:map", description: "Look at the map", composite: false })
    expect(things!.id).toBe(readAssets.id)
    expect(newRead).toMatchObject({ id: read.id, composite: true, compositeRoleIds: [readMap.id] })
    expect(operator).toMatchObject({
      name: "operator",
      description: "New",
      composite: true,
      compositeRoleIds: [readMap.id, readAssets.id]
    })
  })

  it("unmaps deleted roles from users, whose next token no longer carries them", async () => {
    const token = await adminToken(app)
    const roles = await rolesOf("smartcity", "openremote")
    const keep = resend(roles, roles.find((role) => role.name === "write:user")!.id)
    expectStatus(
      await call(app, Catalogue.updateClientRoles, {
        token,
        params: { realm: "smartcity", clientId: "openremote" },
        body: keep
      }),
      Catalogue.updateClientRoles,
      204
    )
    expect(mapped("smartcity", "smartcity").clientRoles.openremote).not.toContain("write:user")
    const city = jose.decodeJwt(await smartcityToken(app))
    expect((city.resource_access as Record<string, { roles: Array<string> }>).openremote!.roles).not.toContain(
      "write:user"
    )
  })

  it("makes a role non-composite with an empty compositeRoleIds", async () => {
    const token = await adminToken(app)
    const roles = await rolesOf("master", "openremote")
    const body = roles.map(({ compositeRoleIds, id, name }) => ({
      id,
      name,
      compositeRoleIds: name === "write" ? [] : compositeRoleIds
    }))
    await call(app, Catalogue.updateRoles, { token, params: { realm: "master" }, body })
    const write = (await rolesOf("master", "openremote")).find((role) => role.name === "write")!
    expect(write.composite).toBe(false)
    expect(write.compositeRoleIds).toBeUndefined()
  })

  it("answers 404 for every other failure, changing nothing", async () => {
    const token = await adminToken(app)
    const roles = await rolesOf("master", "openremote")
    const some = roles.slice(0, 2).map(({ id, name }) => ({ id, name }))
    const params = { realm: "master", clientId: "openremote" }
    const failures: ReadonlyArray<{ readonly params: typeof params; readonly body: unknown }> = [
      { params: { realm: "master", clientId: "no-such-client" }, body: some },
      { params, body: [...some, { id: "no-such-role", name: "ghost" }] },
      { params, body: [...some, { name: "bad", compositeRoleIds: ["no-such-role"] }] },
      { params, body: [{ ...some[0]!, compositeRoleIds: [roles[5]!.id] }] },
      { params, body: [{ ...some[0]!, compositeRoleIds: [some[0]!.id] }] },
      { params, body: [...some, { description: "nameless" }] },
      { params, body: [...some, some[0]] },
      // An existing composite role sent without its compositeRoleIds (the server dereferences them).
      { params, body: roles.map(({ id, name }) => ({ id, name })) }
    ]
    for (const failure of failures) {
      const response = await rejects(app, Catalogue.updateClientRoles, 404, {
        token,
        params: failure.params,
        body: failure.body
      })
      expect(response.body).toMatch(/^Request failed with HTTP error status: 404 Not Found/)
    }
  })

  it("answers 409 for a new role whose name a role of the client already has, changing nothing", async () => {
    const token = await adminToken(app)
    const roles = await rolesOf("master", "openremote")
    const all = resend(roles)
    const params = { realm: "master", clientId: "openremote" }
    for (
      const body of [
        [...all, { name: "read:admin" }],
        [...all, { name: "fresh" }, { name: "fresh", description: "twice" }]
      ]
    ) {
      const response = await rejects(app, Catalogue.updateClientRoles, 409, { token, params, body })
      expect(response.body).toMatch(/^Request failed with HTTP error status: 409 Conflict\n/)
      await rejects(app, Catalogue.updateRoles, 409, { token, params: { realm: "master" }, body })
    }
    // The name of a role the same update deletes is free again (Keycloak deletes before it creates).
    const renamed = resend(roles, roles.find((role) => role.name === "read:logs")!.id)
    expectStatus(
      await call(app, Catalogue.updateClientRoles, { token, params, body: [...renamed, { name: "read:logs" }] }),
      Catalogue.updateClientRoles,
      204
    )
  })

  it("answers 400 naming the field for a body that is not a role array", async () => {
    // Not a status of the catalogue: the real server fails with 500 here (see the README's differences).
    const token = await adminToken(app)
    const response = await expectUnchanged(
      app,
      () =>
        call(app, Catalogue.updateClientRoles, {
          token,
          params: { realm: "master", clientId: "openremote" },
          body: [{ name: 7 }]
        })
    )
    expect(response.statusCode).toBe(400)
    expect(response.body).toBe("[0].name: Expected string")
  })

  it("answers 405 for another realm and 403 without write:admin", async () => {
    await rejects(app, Catalogue.updateClientRoles, 405, {
      token: await cityadminToken(app),
      requestRealm: "smartcity",
      params: { realm: "master", clientId: "openremote" },
      body: []
    })
    await rejects(app, Catalogue.updateClientRoles, 403, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      params: { realm: "smartcity", clientId: "openremote" },
      body: []
    })
  })
})

describe("updateRoles (updateClientRoles for the openremote client)", () => {
  it("replaces the openremote client's roles", async () => {
    const response = await call(app, Catalogue.updateRoles, {
      token: await adminToken(app),
      params: { realm: "smartcity" },
      body: [{ name: "only" }]
    })
    expectStatus(response, Catalogue.updateRoles, 204)
    expect((await rolesOf("smartcity", "openremote")).map((role) => role.name)).toEqual(["only"])
  })

  it("answers 404, 405 and 403 like updateClientRoles", async () => {
    await rejects(app, Catalogue.updateRoles, 404, {
      token: await adminToken(app),
      params: { realm: "smartcity" },
      body: [{ id: "ghost", name: "ghost" }]
    })
    await rejects(app, Catalogue.updateRoles, 405, {
      token: await cityadminToken(app),
      requestRealm: "smartcity",
      params: { realm: "master" },
      body: []
    })
    await rejects(app, Catalogue.updateRoles, 403, {
      requestRealm: "smartcity",
      params: { realm: "smartcity" },
      body: []
    })
  })
})

describe("updateUserClientRoles (replace-all of a user's roles of one client)", () => {
  it("maps the named roles, unmaps the client's others, ignores unknown names", async () => {
    const id = userId(app, "smartcity", "smartcity")
    const response = await call(app, Catalogue.updateUserClientRoles, {
      token: await adminToken(app),
      params: { realm: "smartcity", userId: id, clientId: "openremote" },
      body: ["read", "write:user", "not-a-role"]
    })
    expectStatus(response, Catalogue.updateUserClientRoles, 204)
    expect(mapped("smartcity", "smartcity").clientRoles).toEqual({ openremote: ["write:user", "read"] })
    const effective = await call(app, Catalogue.getUserClientRoles, {
      token: await adminToken(app),
      params: { realm: "smartcity", userId: id, clientId: "openremote" }
    })
    expect(effective.json()).toHaveLength(12)
  })

  it("leaves the user's roles of other clients alone", async () => {
    const token = await adminToken(app)
    const id = userId(app, "master", "admin")
    await call(app, Catalogue.updateUserClientRoles, {
      token,
      params: { realm: "master", userId: id, clientId: "serviceuser" },
      body: ["read:map"]
    })
    expect(mapped("master", "admin").clientRoles).toEqual({ openremote: ["read", "write"], serviceuser: ["read:map"] })
    await call(app, Catalogue.updateUserClientRoles, {
      token,
      params: { realm: "master", userId: id, clientId: "serviceuser" },
      body: []
    })
    expect(mapped("master", "admin").clientRoles).toEqual({ openremote: ["read", "write"] })
  })

  it("answers 404 for an unknown user, 500 for an unknown client, 405 for another realm, 403 without write:admin", async () => {
    const token = await adminToken(app)
    const id = userId(app, "smartcity", "smartcity")
    await rejects(app, Catalogue.updateUserClientRoles, 404, {
      token,
      params: { realm: "smartcity", userId: "ghost", clientId: "openremote" },
      body: ["read"]
    })
    await rejects(app, Catalogue.updateUserClientRoles, 500, {
      token,
      params: { realm: "smartcity", userId: id, clientId: "ghost" },
      body: ["read"]
    })
    await rejects(app, Catalogue.updateUserClientRoles, 405, {
      token: await cityadminToken(app),
      requestRealm: "smartcity",
      params: { realm: "master", userId: id, clientId: "openremote" },
      body: []
    })
    await rejects(app, Catalogue.updateUserClientRoles, 403, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      params: { realm: "smartcity", userId: id, clientId: "openremote" },
      body: []
    })
  })
})

describe("updateUserRealmRoles (replace-all of a user's realm roles)", () => {
  it("maps the named roles, unmaps the other non-built-in ones, keeps built-ins, ignores unknown names", async () => {
    const token = await adminToken(app)
    const id = userId(app, "master", "admin")
    const response = await call(app, Catalogue.updateUserRealmRoles, {
      token,
      params: { realm: "master", userId: id },
      body: ["restricted_user", "unknown-role"]
    })
    expectStatus(response, Catalogue.updateUserRealmRoles, 204)
    expect(mapped("master", "admin").realmRoles).toEqual(["default-roles-master", "restricted_user"])
    // The admin's current token keeps its roles; the next one has no admin role, so no super user any more.
    const next = jose.decodeJwt(await passwordToken(app, { username: "admin", password: "secret" }))
    expect((next.realm_access as { roles: Array<string> }).roles).not.toContain("admin")
  })

  it("answers 404 for an unknown user, 405 for another realm, 403 without write:admin", async () => {
    const token = await adminToken(app)
    await rejects(app, Catalogue.updateUserRealmRoles, 404, {
      token,
      params: { realm: "smartcity", userId: "ghost" },
      body: []
    })
    await rejects(app, Catalogue.updateUserRealmRoles, 405, {
      token: await cityadminToken(app),
      requestRealm: "smartcity",
      params: { realm: "master", userId: userId(app, "master", "admin") },
      body: []
    })
    await rejects(app, Catalogue.updateUserRealmRoles, 403, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      params: { realm: "smartcity", userId: userId(app, "smartcity", "smartcity") },
      body: []
    })
  })
})
