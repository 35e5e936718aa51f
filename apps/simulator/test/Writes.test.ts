import { afterAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { StandardRoles } from "@openremote-effect/model"
import * as jose from "jose"
import {
  adminToken,
  call,
  Catalogue,
  cityadminToken,
  cityrealmadminToken,
  clientToken,
  expectStatus,
  expectUnchanged,
  makeApp,
  noroleToken,
  passwordToken,
  rejects,
  serviceToken,
  smartcityToken,
  testSeed,
  tokenRequest,
  userId
} from "./helpers.js"

const app = makeApp({ seed: testSeed })
afterAll(() => app.close())
beforeEach(() => app.simulator.load(testSeed))

const realmOf = (name: string) => app.simulator.snapshot().realms.find((realm) => realm.name === name)!
const stored = (realm: string, username: string) => realmOf(realm).users.find((user) => user.username === username)

describe("createUser", () => {
  it("creates a user: username lower-cased, enabled false when left out, no password, no client roles", async () => {
    const response = await call(app, Catalogue.createUser, {
      token: await adminToken(app),
      params: { realm: "smartcity" },
      body: { username: "New.User@Example.com", firstName: "New", attributes: { team: ["blue"] } }
    })
    expectStatus(response, Catalogue.createUser, 200)
    const body = response.json()
    expect(body).toEqual({
      realm: "smartcity",
      id: body.id,
      username: "new.user@example.com",
      firstName: "New",
      enabled: false,
      attributes: { team: ["blue"] },
      serviceAccount: false
    })
    const user = stored("smartcity", "new.user@example.com")!
    expect(user).toMatchObject({ id: body.id, enabled: false, password: null, clientRoles: {} })
    expect(user.realmRoles).toEqual(["default-roles-smartcity"])
  })

  it("accepts the usernames the server's tests accept", async () => {
    const token = await adminToken(app)
    for (const username of ["developers@openremote.io", "dev_dev-dev.dev+dev++dev__ßçʊ@openremote.io"]) {
      const response = await call(app, Catalogue.createUser, {
        token,
        params: { realm: "master" },
        body: { username, enabled: true }
      })
      expectStatus(response, Catalogue.createUser, 200)
      expect(response.json().username).toBe(username.toLowerCase())
    }
  })

  it("answers 400 text/plain for the usernames the server refuses, and a missing one", async () => {
    const token = await adminToken(app)
    for (
      const body of [
        { username: "#$%^&*()" },
        { username: "openremoteuser!" },
        { username: "ab" },
        { username: "has space" },
        { username: "Ωmega" },
        {}
      ]
    ) {
      const response = await rejects(app, Catalogue.createUser, 400, { token, params: { realm: "master" }, body })
      expect(response.headers["content-type"]).toMatch(/^text\/plain/)
      expect(response.body).toMatch(/^Request failed with HTTP error status: 400 Bad Request\nusername: /)
    }
  })

  it("answers 400 for a first name over 127 characters and a malformed email", async () => {
    const token = await adminToken(app)
    await rejects(app, Catalogue.createUser, 400, {
      token,
      params: { realm: "master" },
      body: { username: "longname", firstName: "x".repeat(128) }
    })
    await rejects(app, Catalogue.createUser, 400, {
      token,
      params: { realm: "master" },
      body: { username: "bademail", email: "not an email" }
    })
  })

  it("answers 400 naming the field for a body that does not match the schema", async () => {
    const response = await rejects(app, Catalogue.createUser, 400, {
      token: await adminToken(app),
      params: { realm: "master" },
      body: { username: "typed", enabled: "yes" }
    })
    expect(response.body).toBe("enabled: Expected boolean")
  })

  it("stores the email lower-cased", async () => {
    const response = await call(app, Catalogue.createUser, {
      token: await adminToken(app),
      params: { realm: "smartcity" },
      body: { username: "mixedmail", email: "Mixed.Case@Example.COM" }
    })
    expectStatus(response, Catalogue.createUser, 200)
    expect(response.json().email).toBe("mixed.case@example.com")
    expect(stored("smartcity", "mixedmail")!.email).toBe("mixed.case@example.com")
  })

  it("answers 403 for the id of an existing user of the realm, whatever the username", async () => {
    await rejects(app, Catalogue.createUser, 403, {
      token: await adminToken(app),
      params: { realm: "smartcity" },
      body: { id: userId(app, "smartcity", "norole"), username: "freshname" }
    })
  })

  it("answers 403, not 409, for an existing username (any case) or id", async () => {
    const token = await adminToken(app)
    await rejects(app, Catalogue.createUser, 403, {
      token,
      params: { realm: "smartcity" },
      body: { username: "SmartCity" }
    })
    await rejects(app, Catalogue.createUser, 403, {
      token,
      params: { realm: "smartcity" },
      body: { id: userId(app, "master", "admin"), username: "brandnew" }
    })
  })

  it("answers 403 without write:admin, also to anonymous callers", async () => {
    await rejects(app, Catalogue.createUser, 403, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      params: { realm: "smartcity" },
      body: { username: "x1x" }
    })
    await rejects(app, Catalogue.createUser, 403, { params: { realm: "smartcity" }, body: { username: "x1x" } })
  })

  it("answers 405 for a realm that is not the caller's, and for an unknown realm", async () => {
    await rejects(app, Catalogue.createUser, 405, {
      token: await cityadminToken(app),
      requestRealm: "smartcity",
      params: { realm: "master" },
      body: { username: "sneaky" }
    })
    await rejects(app, Catalogue.createUser, 405, {
      token: await adminToken(app),
      params: { realm: "atlantis" },
      body: { username: "sneaky" }
    })
  })

  it("lets a realm admin create users in its own realm", async () => {
    const response = await call(app, Catalogue.createUser, {
      token: await cityadminToken(app),
      requestRealm: "smartcity",
      params: { realm: "smartcity" },
      body: { username: "citizen" }
    })
    expectStatus(response, Catalogue.createUser, 200)
  })
})

describe("service users", () => {
  it("get their own client with the standard roles and a secret, which the create response does not carry", async () => {
    const token = await adminToken(app)
    const response = await call(app, Catalogue.createUser, {
      token,
      params: { realm: "smartcity" },
      body: { username: "Robot", serviceAccount: true, enabled: true }
    })
    expectStatus(response, Catalogue.createUser, 200)
    const body = response.json()
    expect(body).toMatchObject({ username: "robot", serviceAccount: true, enabled: true })
    expect(body.secret).toBeUndefined()
    expect(stored("smartcity", "service-account-robot")).toBeDefined()
    const client = realmOf("smartcity").clients.find((c) => c.clientId === "robot")!
    expect(client.serviceUserId).toBe(body.id)
    expect(client.roles.map((role) => role.name)).toEqual(StandardRoles.clientRoles)
    const read = await call(app, Catalogue.getUser, { token, params: { realm: "smartcity", userId: body.id } })
    const secret: string = read.json().secret
    expect(secret).toMatch(/^[A-Za-z0-9]{32}$/)
    const serviceToken = await clientToken(app, { realm: "smartcity", clientId: "robot", secret })
    expect(jose.decodeJwt(serviceToken).preferred_username).toBe("service-account-robot")
  })

  it("may be created by username prefix alone", async () => {
    const response = await call(app, Catalogue.createUser, {
      token: await adminToken(app),
      params: { realm: "master" },
      body: { username: "service-account-probe" }
    })
    expect(response.json()).toMatchObject({ username: "probe", serviceAccount: true })
  })

  it("answer 400 when a client that is not a service user's has the client id (Keycloak's getServiceAccountUser)", async () => {
    app.simulator.load({
      realms: [{ ...testSeed.realms[0]!, clients: [{ clientId: "admin-cli" }] }, testSeed.realms[1]!]
    })
    const token = await adminToken(app)
    for (const username of ["openremote", "service-account-admin-cli"]) {
      const response = await rejects(app, Catalogue.createUser, 400, {
        token,
        params: { realm: "master" },
        body: { username, serviceAccount: true }
      })
      expect(response.body).toMatch(
        /^Request failed with HTTP error status: 400 Bad Request\nService account not enabled/
      )
    }
  })

  it("start enabled when created without `enabled`, and get tokens at once", async () => {
    const token = await adminToken(app)
    const response = await call(app, Catalogue.createUser, {
      token,
      params: { realm: "smartcity" },
      body: { username: "eager", serviceAccount: true }
    })
    expectStatus(response, Catalogue.createUser, 200)
    expect(response.json().enabled).toBe(true)
    expect(stored("smartcity", "service-account-eager")!.enabled).toBe(true)
    const read = await call(app, Catalogue.getUser, {
      token,
      params: { realm: "smartcity", userId: response.json().id }
    })
    await clientToken(app, { realm: "smartcity", clientId: "eager", secret: read.json().secret })
    const disabled = await call(app, Catalogue.createUser, {
      token,
      params: { realm: "smartcity" },
      body: { username: "sleepy", serviceAccount: true, enabled: false }
    })
    expect(disabled.json().enabled).toBe(false)
  })
})

describe("deleteUser", () => {
  it("deletes a user and its sessions (204)", async () => {
    const id = userId(app, "smartcity", "smartcity")
    app.simulator.sessions.open({ realm: "smartcity", userId: id })
    const response = await call(app, Catalogue.deleteUser, {
      token: await adminToken(app),
      params: { realm: "smartcity", userId: id }
    })
    expectStatus(response, Catalogue.deleteUser, 204)
    expect(response.body).toBe("")
    expect(stored("smartcity", "smartcity")).toBeUndefined()
    expect(app.simulator.sessions.list()).toEqual([])
  })

  it("deletes a service user's client with it", async () => {
    const id = userId(app, "master", "service-account-serviceuser")
    expectStatus(
      await call(app, Catalogue.deleteUser, { token: await adminToken(app), params: { realm: "master", userId: id } }),
      Catalogue.deleteUser,
      204
    )
    expect(realmOf("master").clients.map((client) => client.clientId)).toEqual(["openremote"])
    const token = await tokenRequest(app, "master", {
      grant_type: "client_credentials",
      client_id: "serviceuser",
      client_secret: "your_secret"
    })
    expect(token.statusCode).toBe(401)
  })

  it("answers 204 for an unknown id, changing nothing", async () => {
    const token = await adminToken(app)
    await rejects(app, Catalogue.deleteUser, 204, { token, params: { realm: "smartcity", userId: "no-such-id" } })
  })

  it("answers 500 for a user of another realm than {realm}, which survives (found anywhere, deleted in {realm})", async () => {
    const token = await adminToken(app)
    for (
      const [realm, owner, username] of [
        ["smartcity", "master", "admin"],
        ["smartcity", "master", "service-account-serviceuser"],
        ["master", "smartcity", "smartcity"]
      ] as const
    ) {
      const response = await rejects(app, Catalogue.deleteUser, 500, {
        token,
        params: { realm, userId: userId(app, owner, username) }
      })
      expect(response.body).toMatch(/^Request failed with HTTP error status: 500 Internal Server Error\n/)
      expect(stored(owner, username)).toBeDefined()
    }
  })

  it("answers 405 for master's admin and for another realm", async () => {
    const response = await rejects(app, Catalogue.deleteUser, 405, {
      token: await serviceToken(app),
      params: { realm: "master", userId: userId(app, "master", "admin") }
    })
    expect(response.headers.allow).toBe("The master realm admin user cannot be deleted")
    await rejects(app, Catalogue.deleteUser, 405, {
      token: await cityadminToken(app),
      requestRealm: "smartcity",
      params: { realm: "master", userId: userId(app, "master", "manager-keycloak") }
    })
  })

  it("answers 403 without write:admin", async () => {
    await rejects(app, Catalogue.deleteUser, 403, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      params: { realm: "smartcity", userId: userId(app, "smartcity", "norole") }
    })
  })
})

describe("updateUser", () => {
  it("overwrites firstName, lastName, email, enabled and the whole attributes map, by id; keeps the username", async () => {
    const id = userId(app, "smartcity", "mailme")
    const token = await adminToken(app)
    await call(app, Catalogue.updateCurrentUserLocale, {
      token: await passwordToken(app, { realm: "smartcity", username: "mailme", password: "mailme" }),
      requestRealm: "smartcity",
      rawBody: "\"nl\""
    })
    const response = await call(app, Catalogue.updateUser, {
      token,
      params: { realm: "smartcity" },
      body: {
        id,
        username: "renamed",
        firstName: "Mail",
        lastName: "Me",
        email: "New@Example.com",
        enabled: true,
        attributes: { team: ["red"] }
      }
    })
    expectStatus(response, Catalogue.updateUser, 200)
    expect(response.json()).toMatchObject({
      id,
      username: "mailme",
      firstName: "Mail",
      lastName: "Me",
      email: "new@example.com",
      attributes: { team: ["red"] }
    })
    expect(response.json().secret).toBeUndefined()
    expect(stored("smartcity", "mailme")!.attributes).toEqual({ team: ["red"] })
  })

  it("finds the user by username when the body has no id", async () => {
    const response = await call(app, Catalogue.updateUser, {
      token: await adminToken(app),
      params: { realm: "smartcity" },
      body: { username: "NoRole", lastName: "Roleless" }
    })
    expectStatus(response, Catalogue.updateUser, 200)
    expect(stored("smartcity", "norole")!.lastName).toBe("Roleless")
  })

  it("answers 500 without a username, also when the id finds the user, changing nothing", async () => {
    const token = await adminToken(app)
    for (const body of [{ id: userId(app, "smartcity", "norole"), firstName: "Nameless" }, { firstName: "Nobody" }]) {
      const response = await rejects(app, Catalogue.updateUser, 500, { token, params: { realm: "smartcity" }, body })
      expect(response.body).toMatch(/^Request failed with HTTP error status: 500 Internal Server Error\n/)
    }
  })

  it("keeps `enabled` and the attributes when they are left out; sent attributes replace the map", async () => {
    const token = await adminToken(app)
    const id = userId(app, "smartcity", "mailme")
    const update = (body: Record<string, unknown>) =>
      call(app, Catalogue.updateUser, {
        token,
        params: { realm: "smartcity" },
        body: { id, username: "mailme", ...body }
      })
    expectStatus(
      await update({ enabled: false, attributes: { team: ["red"], floor: ["3"] } }),
      Catalogue.updateUser,
      200
    )
    const kept = await update({ firstName: "Kept" })
    expectStatus(kept, Catalogue.updateUser, 200)
    expect(kept.json()).toMatchObject({
      enabled: false,
      firstName: "Kept",
      attributes: { team: ["red"], floor: ["3"] }
    })
    expect(stored("smartcity", "mailme")).toMatchObject({ enabled: false, attributes: { team: ["red"], floor: ["3"] } })
    expectStatus(await update({ attributes: { team: ["blue"] } }), Catalogue.updateUser, 200)
    expect(stored("smartcity", "mailme")).toMatchObject({ enabled: false, attributes: { team: ["blue"] } })
    expectStatus(await update({ enabled: true, attributes: {} }), Catalogue.updateUser, 200)
    expect(stored("smartcity", "mailme")).toMatchObject({ enabled: true, attributes: {} })
  })

  it("creates the user when neither id nor username finds one (upsert)", async () => {
    const response = await call(app, Catalogue.updateUser, {
      token: await adminToken(app),
      params: { realm: "smartcity" },
      body: { username: "upserted", enabled: true }
    })
    expectStatus(response, Catalogue.updateUser, 200)
    expect(response.json()).toMatchObject({ username: "upserted", enabled: true, serviceAccount: false })
    expect(stored("smartcity", "upserted")).toBeDefined()
  })

  it("ends the sessions of a user it disables", async () => {
    const id = userId(app, "smartcity", "smartcity")
    app.simulator.sessions.open({ realm: "smartcity", userId: id })
    await call(app, Catalogue.updateUser, {
      token: await adminToken(app),
      params: { realm: "smartcity" },
      body: { id, username: "smartcity", enabled: false }
    })
    expect(app.simulator.sessions.list()).toEqual([])
  })

  it("answers 405 when it would disable master's admin (enabled false or left out)", async () => {
    const token = await serviceToken(app)
    const id = userId(app, "master", "admin")
    for (const body of [{ id, username: "admin", enabled: false }, { id, username: "admin", firstName: "Ad" }]) {
      const response = await rejects(app, Catalogue.updateUser, 405, { token, params: { realm: "master" }, body })
      expect(response.headers.allow).toBe("The master realm admin user cannot be disabled")
    }
  })

  it("protects master's admin also when the body finds it by username", async () => {
    await rejects(app, Catalogue.updateUser, 405, {
      token: await serviceToken(app),
      params: { realm: "master" },
      body: { username: "ADMIN", enabled: false }
    })
    const enabled = await call(app, Catalogue.updateUser, {
      token: await serviceToken(app),
      params: { realm: "master" },
      body: { username: "admin", enabled: true, lastName: "Istrator" }
    })
    expectStatus(enabled, Catalogue.updateUser, 200)
  })

  it("answers 405 for a change of the service-user flag or of a service user's name", async () => {
    const token = await adminToken(app)
    const serviceId = userId(app, "master", "service-account-serviceuser")
    await rejects(app, Catalogue.updateUser, 405, {
      token,
      params: { realm: "master" },
      body: { id: serviceId, username: "serviceuser", serviceAccount: false }
    })
    await rejects(app, Catalogue.updateUser, 405, {
      token,
      params: { realm: "master" },
      body: { id: serviceId, username: "otherservice", serviceAccount: true }
    })
    await rejects(app, Catalogue.updateUser, 405, {
      token,
      params: { realm: "smartcity" },
      body: { id: userId(app, "smartcity", "norole"), username: "norole", serviceAccount: true }
    })
    const same = await call(app, Catalogue.updateUser, {
      token,
      params: { realm: "master" },
      body: { id: serviceId, username: "serviceuser", serviceAccount: true, firstName: "Bot" }
    })
    expectStatus(same, Catalogue.updateUser, 200)
    const unflagged = await call(app, Catalogue.updateUser, {
      token,
      params: { realm: "master" },
      body: { username: "serviceuser", lastName: "Service" }
    })
    expectStatus(unflagged, Catalogue.updateUser, 200)
    expect(unflagged.json()).toMatchObject({
      id: serviceId,
      username: "serviceuser",
      serviceAccount: true,
      firstName: "Bot",
      lastName: "Service"
    })
  })

  it("answers 405 for the same-realm check: a realm role named write:admin does not let one change another user", async () => {
    const token = await cityrealmadminToken(app)
    await rejects(app, Catalogue.updateUser, 405, {
      token,
      requestRealm: "smartcity",
      params: { realm: "smartcity" },
      body: { id: userId(app, "smartcity", "norole"), username: "norole", firstName: "Changed" }
    })
    const self = await call(app, Catalogue.updateUser, {
      token,
      requestRealm: "smartcity",
      params: { realm: "smartcity" },
      body: { id: userId(app, "smartcity", "cityrealmadmin"), username: "cityrealmadmin", firstName: "Me" }
    })
    expectStatus(self, Catalogue.updateUser, 200)
  })

  it("answers 405 for another realm, 400 for an invalid user, 403 without write:admin", async () => {
    await rejects(app, Catalogue.updateUser, 405, {
      token: await cityadminToken(app),
      requestRealm: "smartcity",
      params: { realm: "master" },
      body: { username: "admin", enabled: true }
    })
    await rejects(app, Catalogue.updateUser, 400, {
      token: await adminToken(app),
      params: { realm: "smartcity" },
      body: { username: "no way" }
    })
    await rejects(app, Catalogue.updateUser, 403, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      params: { realm: "smartcity" },
      body: { username: "smartcity" }
    })
  })
})

describe("updateSelf", () => {
  it("updates the caller: the realm is forced to the caller's, a missing id filled with the caller's", async () => {
    const token = await smartcityToken(app)
    const response = await call(app, Catalogue.updateSelf, {
      token,
      requestRealm: "smartcity",
      body: { username: "smartcity", realm: "master", firstName: "Smart" }
    })
    expectStatus(response, Catalogue.updateSelf, 200)
    expect(response.json()).toMatchObject({
      realm: "smartcity",
      id: userId(app, "smartcity", "smartcity"),
      firstName: "Smart"
    })
    expect(stored("smartcity", "smartcity")!.firstName).toBe("Smart")
  })

  it("answers 403 when the body's id is another user's", async () => {
    await rejects(app, Catalogue.updateSelf, 403, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      body: { id: userId(app, "smartcity", "norole"), username: "norole" }
    })
  })

  it("answers 500 without a username (the server reads its length before checking it is there), 400 for an empty one", async () => {
    const token = await smartcityToken(app)
    const response = await rejects(app, Catalogue.updateSelf, 500, {
      token,
      requestRealm: "smartcity",
      body: { firstName: "Nameless" }
    })
    expect(response.body).toMatch(/^Request failed with HTTP error status: 500 Internal Server Error\n/)
    await rejects(app, Catalogue.updateSelf, 400, { token, requestRealm: "smartcity", body: { username: "" } })
  })

  it("answers 405 when a service user renames itself or drops its flag", async () => {
    const token = await serviceToken(app)
    await rejects(app, Catalogue.updateSelf, 405, { token, body: { username: "renamedservice" } })
    await rejects(app, Catalogue.updateSelf, 405, { token, body: { username: "serviceuser", serviceAccount: false } })
  })

  it("answers 403 without write:user", async () => {
    await rejects(app, Catalogue.updateSelf, 403, {
      token: await noroleToken(app),
      requestRealm: "smartcity",
      body: { username: "norole" }
    })
  })
})

describe("updateCurrentUserLocale", () => {
  it("strips every quote from the raw body and stores the locale attribute, replacing earlier values", async () => {
    const token = await smartcityToken(app)
    for (const [body, locale] of [["\"nl\"", "nl"], ["de", "de"], ["\"en\"-\"GB\"", "en-GB"]] as const) {
      const response = await call(app, Catalogue.updateCurrentUserLocale, {
        token,
        requestRealm: "smartcity",
        rawBody: body
      })
      expectStatus(response, Catalogue.updateCurrentUserLocale, 204)
      expect(stored("smartcity", "smartcity")!.attributes.locale).toEqual([locale])
    }
  })

  it("answers 400 for an empty locale before checking the caller, 403 for anonymous callers", async () => {
    await rejects(app, Catalogue.updateCurrentUserLocale, 400, { rawBody: "\"\"" })
    await rejects(app, Catalogue.updateCurrentUserLocale, 400, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      rawBody: ""
    })
    await rejects(app, Catalogue.updateCurrentUserLocale, 403, { rawBody: "\"nl\"" })
  })

  it("takes only application/json", async () => {
    const token = await smartcityToken(app)
    const response = await expectUnchanged(
      app,
      () =>
        call(app, Catalogue.updateCurrentUserLocale, {
          token,
          requestRealm: "smartcity",
          rawBody: "nl",
          contentType: "text/plain"
        })
    )
    expect(response.statusCode).toBe(415)
  })
})
