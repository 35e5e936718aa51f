import { afterAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { StandardRoles } from "@openremote-effect/model"
import {
  adminToken,
  call,
  Catalogue,
  cityadminToken,
  expectStatus,
  makeApp,
  noroleToken,
  rejects,
  serviceToken,
  smartcityToken,
  T0,
  testSeed,
  userId
} from "./helpers.js"

const app = makeApp({ seed: testSeed })
afterAll(() => app.close())
beforeEach(() => app.simulator.load(testSeed))

describe("role checks in the server's order", () => {
  it("an annotation role is checked first: anonymous gets 403, not 401", async () => {
    await rejects(app, Catalogue.createUser, 403, { params: { realm: "master" }, body: { username: "someone" } })
    await rejects(app, Catalogue.getClientRoles, 403, { params: { realm: "master", clientId: "openremote" } })
  })

  it("the annotation role is checked before the body is read: a malformed body still gets 403", async () => {
    const response = await rejects(app, Catalogue.createUser, 403, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      params: { realm: "smartcity" },
      rawBody: "{this is not json"
    })
    expect(response.body).toBe("Access forbidden: role not allowed")
  })

  it("without an annotation role, anonymous fails the admin-realm check with 401", async () => {
    const id = userId(app, "master", "admin")
    await rejects(app, Catalogue.getUser, 401, { params: { realm: "master", userId: id } })
    await rejects(app, Catalogue.getUserSessions, 401, { params: { realm: "master", userId: id } })
  })

  it("a caller without read:admin reading another realm gets 405 (realm check) before 403 (role check in code)", async () => {
    const token = await smartcityToken(app)
    const response = await rejects(app, Catalogue.getUser, 405, {
      token,
      requestRealm: "smartcity",
      params: { realm: "master", userId: userId(app, "master", "admin") }
    })
    expect(response.headers.allow).toBe("Realm not accessible")
    expect(response.body).toBe("")
  })

  it("a caller without read:admin reading an unknown user of its realm gets 405 (read-user check) before 403", async () => {
    await rejects(app, Catalogue.getUser, 405, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      params: { realm: "smartcity", userId: "no-such-user" }
    })
  })

  it("a caller without read:admin reading another user of its realm gets 403 with an empty body", async () => {
    const response = await rejects(app, Catalogue.getUser, 403, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      params: { realm: "smartcity", userId: userId(app, "smartcity", "norole") }
    })
    expect(response.body).toBe("")
  })

  it("only openremote client roles count in code: a realm role named read:admin does not", async () => {
    const seed = {
      realms: [{
        name: "solo",
        realmRoles: [{ name: "read:admin" }],
        users: [{ username: "pretender", password: "pretender", realmRoles: ["read:admin"] }, { username: "other" }]
      }]
    }
    app.simulator.load(seed)
    const { passwordToken } = await import("./helpers.js")
    const token = await passwordToken(app, { realm: "solo", username: "pretender", password: "pretender" })
    await rejects(app, Catalogue.getUser, 403, {
      token,
      requestRealm: "solo",
      params: { realm: "solo", userId: userId(app, "solo", "other") }
    })
  })
})

describe("getCurrentUser", () => {
  it("answers the caller with every field, createdOn in epoch ms", async () => {
    const response = expectStatus(
      await call(app, Catalogue.getCurrentUser, { token: await adminToken(app) }),
      Catalogue.getCurrentUser,
      200
    )
    const realmId = app.simulator.snapshot().realms[0]!.id
    expect(response.json()).toEqual({
      realm: "master",
      realmId,
      id: userId(app, "master", "admin"),
      username: "admin",
      enabled: true,
      createdOn: T0,
      serviceAccount: false
    })
  })

  it("answers a service user with its username without prefix and its secret", async () => {
    const response = await call(app, Catalogue.getCurrentUser, { token: await serviceToken(app) })
    expect(response.json()).toMatchObject({ username: "serviceuser", serviceAccount: true, secret: "your_secret" })
  })

  it("answers 403 to anonymous callers", async () => {
    await rejects(app, Catalogue.getCurrentUser, 403)
  })
})

describe("getCurrentUserClientRoles and getCurrentUserRealmRoles", () => {
  it("answer the caller's effective roles, composites expanded", async () => {
    const token = await adminToken(app)
    const roles = expectStatus(
      await call(app, Catalogue.getCurrentUserClientRoles, { token, params: { clientId: "openremote" } }),
      Catalogue.getCurrentUserClientRoles,
      200
    ).json()
    expect([...roles].sort()).toEqual([...StandardRoles.clientRoles].sort())
    const realm = expectStatus(
      await call(app, Catalogue.getCurrentUserRealmRoles, { token }),
      Catalogue.getCurrentUserRealmRoles,
      200
    )
    expect(realm.json()).toEqual(["admin"])
  })

  it("answer [] for an unknown client and for a user without realm roles", async () => {
    const token = await smartcityToken(app)
    const roles = await call(app, Catalogue.getCurrentUserClientRoles, {
      token,
      requestRealm: "smartcity",
      params: { clientId: "nope" }
    })
    expectStatus(roles, Catalogue.getCurrentUserClientRoles, 200)
    expect(roles.json()).toEqual([])
    const realm = await call(app, Catalogue.getCurrentUserRealmRoles, { token, requestRealm: "smartcity" })
    expect(realm.json()).toEqual([])
  })

  it("answer 403 to anonymous callers", async () => {
    await rejects(app, Catalogue.getCurrentUserClientRoles, 403, { params: { clientId: "openremote" } })
    await rejects(app, Catalogue.getCurrentUserRealmRoles, 403)
  })
})

describe("getUser", () => {
  it("lets a super user read any realm's user through the master API", async () => {
    const id = userId(app, "smartcity", "mailme")
    const response = expectStatus(
      await call(app, Catalogue.getUser, { token: await adminToken(app), params: { realm: "smartcity", userId: id } }),
      Catalogue.getUser,
      200
    )
    expect(response.json()).toMatchObject({
      realm: "smartcity",
      id,
      username: "mailme",
      email: "mailme@smartcity.example"
    })
  })

  it("lets a user read itself without read:admin, and a realm admin read its realm's users", async () => {
    const id = userId(app, "smartcity", "smartcity")
    const self = await call(app, Catalogue.getUser, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      params: { realm: "smartcity", userId: id }
    })
    expectStatus(self, Catalogue.getUser, 200)
    const other = await call(app, Catalogue.getUser, {
      token: await cityadminToken(app),
      requestRealm: "smartcity",
      params: { realm: "smartcity", userId: id }
    })
    expectStatus(other, Catalogue.getUser, 200)
  })

  it("answers 405 for a user of another realm and for an unknown realm, also to super users", async () => {
    const token = await adminToken(app)
    await rejects(app, Catalogue.getUser, 405, {
      token,
      params: { realm: "master", userId: userId(app, "smartcity", "smartcity") }
    })
    await rejects(app, Catalogue.getUser, 405, {
      token,
      params: { realm: "atlantis", userId: userId(app, "master", "admin") }
    })
  })

  it("shows a system account's attribute", async () => {
    const response = await call(app, Catalogue.getUser, {
      token: await adminToken(app),
      params: { realm: "master", userId: userId(app, "master", "manager-keycloak") }
    })
    expect(response.json().attributes).toEqual({ systemAccount: ["true"] })
  })
})

describe("getUserClientRoles", () => {
  it("answers effective names of the client: the write composite brings every read and write role", async () => {
    const response = await call(app, Catalogue.getUserClientRoles, {
      token: await adminToken(app),
      params: { realm: "master", userId: userId(app, "master", "service-account-serviceuser"), clientId: "openremote" }
    })
    expectStatus(response, Catalogue.getUserClientRoles, 200)
    expect(response.json()).toHaveLength(22)
  })

  it("answers [] for an unknown client", async () => {
    const response = await call(app, Catalogue.getUserClientRoles, {
      token: await adminToken(app),
      params: { realm: "master", userId: userId(app, "master", "admin"), clientId: "unknown" }
    })
    expect(response.json()).toEqual([])
  })

  it("answers 401, 405 and 403 like getUser", async () => {
    const params = { realm: "smartcity", userId: userId(app, "smartcity", "norole"), clientId: "openremote" }
    await rejects(app, Catalogue.getUserClientRoles, 401, { requestRealm: "smartcity", params })
    await rejects(app, Catalogue.getUserClientRoles, 405, {
      token: await adminToken(app),
      params: { ...params, userId: "nobody" }
    })
    await rejects(app, Catalogue.getUserClientRoles, 403, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      params
    })
  })
})

describe("getUserRealmRoles", () => {
  it("leaves out the built-in roles, but keeps admin in master", async () => {
    const token = await adminToken(app)
    const response = await call(app, Catalogue.getUserRealmRoles, {
      token,
      params: { realm: "master", userId: userId(app, "master", "admin") }
    })
    expectStatus(response, Catalogue.getUserRealmRoles, 200)
    expect(response.json()).toEqual(["admin"])
    const id = userId(app, "smartcity", "smartcity")
    expectStatus(
      await call(app, Catalogue.updateUserRealmRoles, {
        token,
        params: { realm: "smartcity", userId: id },
        body: ["admin", "restricted_user", "offline_access"]
      }),
      Catalogue.updateUserRealmRoles,
      204
    )
    const city = await call(app, Catalogue.getUserRealmRoles, { token, params: { realm: "smartcity", userId: id } })
    expect(city.json()).toEqual(["restricted_user"])
  })

  it("answers 401, 405 and 403 like getUser", async () => {
    const params = { realm: "smartcity", userId: userId(app, "smartcity", "norole") }
    await rejects(app, Catalogue.getUserRealmRoles, 401, { requestRealm: "smartcity", params })
    await rejects(app, Catalogue.getUserRealmRoles, 405, {
      token: await cityadminToken(app),
      requestRealm: "smartcity",
      params: { realm: "master", userId: "x" }
    })
    await rejects(app, Catalogue.getUserRealmRoles, 403, {
      token: await noroleToken(app),
      requestRealm: "smartcity",
      params: { ...params, userId: userId(app, "smartcity", "smartcity") }
    })
  })
})

describe("getUserSessions", () => {
  it("answers [] without sessions and the sessions with the upper-case ID", async () => {
    const token = await adminToken(app)
    const id = userId(app, "smartcity", "smartcity")
    const params = { realm: "smartcity", userId: id }
    const none = await call(app, Catalogue.getUserSessions, { token, params })
    expectStatus(none, Catalogue.getUserSessions, 200)
    expect(none.json()).toEqual([])
    const session = app.simulator.sessions.open({ realm: "smartcity", userId: id, remoteAddress: "/10.0.0.7:51234" })
    const response = await call(app, Catalogue.getUserSessions, { token, params })
    expect(response.json()).toEqual([{
      ID: session.id,
      username: "smartcity",
      startTimeMillis: T0,
      remoteAddress: "/10.0.0.7:51234"
    }])
  })

  it("answers 401, 405 and 403 like getUser", async () => {
    const params = { realm: "smartcity", userId: userId(app, "smartcity", "smartcity") }
    await rejects(app, Catalogue.getUserSessions, 401, { requestRealm: "smartcity", params })
    await rejects(app, Catalogue.getUserSessions, 405, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      params: { ...params, realm: "master" }
    })
    await rejects(app, Catalogue.getUserSessions, 403, {
      token: await noroleToken(app),
      requestRealm: "smartcity",
      params
    })
  })
})

describe("getClientRoles", () => {
  it("answers the 22 role definitions, composites with their ids, compositeRoleIds left out when empty", async () => {
    const response = await call(app, Catalogue.getClientRoles, {
      token: await adminToken(app),
      params: { realm: "master", clientId: "openremote" }
    })
    expectStatus(response, Catalogue.getClientRoles, 200)
    const roles: Array<
      { id: string; name: string; composite: boolean; compositeRoleIds?: Array<string>; description?: string }
    > = response.json()
    expect(roles.map((role) => role.name)).toEqual(StandardRoles.clientRoles)
    const byName = new Map(roles.map((role) => [role.name, role]))
    const read = byName.get("read")!
    expect(read.composite).toBe(true)
    expect(read.compositeRoleIds!.map((id) => roles.find((role) => role.id === id)!.name).sort()).toEqual(
      [...StandardRoles.readRoles].sort()
    )
    expect(byName.get("write")!.compositeRoleIds).toHaveLength(20)
    const plain = byName.get("read:map")!
    expect(plain).toEqual({ id: plain.id, name: "read:map", description: plain.description, composite: false })
    expect("compositeRoleIds" in plain).toBe(false)
  })

  it("answers a service user's own client with the same 22 role names", async () => {
    const response = await call(app, Catalogue.getClientRoles, {
      token: await adminToken(app),
      params: { realm: "master", clientId: "serviceuser" }
    })
    expect(response.json().map((role: { name: string }) => role.name)).toEqual(StandardRoles.clientRoles)
  })

  it("answers 500 text/plain for an unknown client", async () => {
    const response = await rejects(app, Catalogue.getClientRoles, 500, {
      token: await adminToken(app),
      params: { realm: "master", clientId: "nope" }
    })
    expect(response.headers["content-type"]).toMatch(/^text\/plain/)
    expect(response.body.split("\n")[0]).toBe("Request failed with HTTP error status: 500 Internal Server Error")
  })

  it("answers 405 for another realm and 403 without read:admin", async () => {
    await rejects(app, Catalogue.getClientRoles, 405, {
      token: await cityadminToken(app),
      requestRealm: "smartcity",
      params: { realm: "master", clientId: "openremote" }
    })
    await rejects(app, Catalogue.getClientRoles, 403, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      params: { realm: "smartcity", clientId: "openremote" }
    })
  })
})
