import { afterAll, beforeEach, describe, expect, it } from "@effect/vitest"
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
  T0,
  testSeed,
  tokenRequest,
  userId
} from "./helpers.js"

const seed = {
  realms: [
    testSeed.realms[0]!,
    { ...testSeed.realms[1]!, passwordMinLength: 8 }
  ]
}
const app = makeApp({ seed })
afterAll(() => app.close())
beforeEach(() => app.simulator.load(seed))

const mailmeToken = () => passwordToken(app, { realm: "smartcity", username: "mailme", password: "mailme" })
const login = (realm: string, username: string, password: string) =>
  tokenRequest(app, realm, { grant_type: "password", client_id: "openremote", username, password })

describe("requestPasswordReset", () => {
  it("puts a password-reset mail in the outbox when the realm has a mail server (204)", async () => {
    app.simulator.mail.configure("smartcity", { host: "smtp.smartcity.example", port: 25 })
    const response = await call(app, Catalogue.requestPasswordReset, {
      token: await mailmeToken(),
      requestRealm: "smartcity"
    })
    expectStatus(response, Catalogue.requestPasswordReset, 204)
    expect(app.simulator.mail.outbox()).toEqual([{
      id: expect.any(String),
      realm: "smartcity",
      userId: userId(app, "smartcity", "mailme"),
      username: "mailme",
      to: "mailme@smartcity.example",
      from: "noreply@smtp.smartcity.example",
      subject: "Update Your Account",
      actions: ["UPDATE_PASSWORD"],
      sentAt: T0
    }])
  })

  it("answers 500 text/plain without a mail server", async () => {
    const response = await rejects(app, Catalogue.requestPasswordReset, 500, {
      token: await mailmeToken(),
      requestRealm: "smartcity"
    })
    expect(response.headers["content-type"]).toMatch(/^text\/plain/)
    expect(app.simulator.mail.outbox()).toEqual([])
  })

  it("answers 400 for a caller without email, 403 without write:user", async () => {
    app.simulator.mail.configure("smartcity", { host: "smtp.smartcity.example", port: 25 })
    await rejects(app, Catalogue.requestPasswordReset, 400, {
      token: await smartcityToken(app),
      requestRealm: "smartcity"
    })
    await rejects(app, Catalogue.requestPasswordReset, 403, {
      token: await noroleToken(app),
      requestRealm: "smartcity"
    })
    await rejects(app, Catalogue.requestPasswordReset, 403, { requestRealm: "smartcity" })
  })
})

describe("requestUserPasswordReset", () => {
  it("sends the mail for a user of the realm (204)", async () => {
    app.simulator.mail.configure("smartcity", {
      host: "smtp.smartcity.example",
      port: 587,
      from: "admin@smartcity.example"
    })
    const response = await call(app, Catalogue.requestUserPasswordReset, {
      token: await cityadminToken(app),
      requestRealm: "smartcity",
      params: { realm: "smartcity", userId: userId(app, "smartcity", "mailme") }
    })
    expectStatus(response, Catalogue.requestUserPasswordReset, 204)
    expect(app.simulator.mail.outbox("smartcity")).toHaveLength(1)
    expect(app.simulator.mail.outbox("smartcity")[0]!.from).toBe("admin@smartcity.example")
    expect(app.simulator.mail.outbox("master")).toEqual([])
  })

  it("answers 404 for a user not in the realm, 500 without mail server", async () => {
    const token = await adminToken(app)
    app.simulator.mail.configure("smartcity", { host: "smtp.smartcity.example", port: 25 })
    await rejects(app, Catalogue.requestUserPasswordReset, 404, {
      token,
      params: { realm: "smartcity", userId: userId(app, "master", "admin") }
    })
    app.simulator.mail.configure("smartcity", null)
    await rejects(app, Catalogue.requestUserPasswordReset, 500, {
      token,
      params: { realm: "smartcity", userId: userId(app, "smartcity", "mailme") }
    })
  })

  it("checks the user's email and enabled flag before the mail server, as Keycloak does (400)", async () => {
    const token = await adminToken(app)
    const response = await expectUnchanged(
      app,
      () =>
        call(app, Catalogue.requestUserPasswordReset, {
          token,
          params: { realm: "smartcity", userId: userId(app, "smartcity", "smartcity") }
        })
    )
    expectStatus(response, Catalogue.requestUserPasswordReset, 400)
    expect(response.body).toBe("Request failed with HTTP error status: 400 Bad Request\nUser email missing")
    const id = userId(app, "smartcity", "mailme")
    await call(app, Catalogue.updateUser, {
      token,
      params: { realm: "smartcity" },
      body: { id, username: "mailme", enabled: false }
    })
    const disabled = await call(app, Catalogue.requestUserPasswordReset, {
      token,
      params: { realm: "smartcity", userId: id }
    })
    expect(disabled.body).toBe("Request failed with HTTP error status: 400 Bad Request\nUser is disabled")
  })

  it("answers 405 for another realm and for the same-realm check, 403 without write:admin", async () => {
    const target = { realm: "smartcity", userId: userId(app, "smartcity", "mailme") }
    await rejects(app, Catalogue.requestUserPasswordReset, 405, {
      token: await cityadminToken(app),
      requestRealm: "smartcity",
      params: { ...target, realm: "master" }
    })
    await rejects(app, Catalogue.requestUserPasswordReset, 405, {
      token: await cityrealmadminToken(app),
      requestRealm: "smartcity",
      params: target
    })
    await rejects(app, Catalogue.requestUserPasswordReset, 403, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      params: target
    })
  })
})

describe("resetSecret", () => {
  it("answers the new secret as raw text; the old secret stops working, existing tokens, sessions and others' do not", async () => {
    const oldToken = await serviceToken(app)
    const id = userId(app, "master", "service-account-serviceuser")
    const session = app.simulator.sessions.open({ realm: "master", userId: id })
    const response = await call(app, Catalogue.resetSecret, {
      token: await adminToken(app),
      params: { realm: "master", userId: id }
    })
    expectStatus(response, Catalogue.resetSecret, 200)
    expect(response.headers["content-type"]).toMatch(/^text\/plain/)
    const secret = response.body
    expect(secret).toMatch(/^[A-Za-z0-9]{32}$/)
    const old = await tokenRequest(app, "master", {
      grant_type: "client_credentials",
      client_id: "serviceuser",
      client_secret: "your_secret"
    })
    expect(old.statusCode).toBe(401)
    expect(old.json().error).toBe("invalid_client")
    await clientToken(app, { clientId: "serviceuser", secret })
    expectStatus(await call(app, Catalogue.getCurrentUser, { token: oldToken }), Catalogue.getCurrentUser, 200)
    // No change event (USER-API.md §4 Sessions): a live session stays up.
    expect(app.simulator.sessions.list()).toEqual([session])
    const read = await call(app, Catalogue.getUser, {
      token: await adminToken(app),
      params: { realm: "master", userId: id }
    })
    expect(read.json().secret).toBe(secret)
  })

  it("answers 204 for an unknown user, changing nothing", async () => {
    const token = await adminToken(app)
    await rejects(app, Catalogue.resetSecret, 204, { token, params: { realm: "master", userId: "ghost" } })
  })

  it("answers 500 for a regular user whose username is shorter than 16 characters, changing nothing", async () => {
    const response = await rejects(app, Catalogue.resetSecret, 500, {
      token: await adminToken(app),
      params: { realm: "master", userId: userId(app, "master", "admin") }
    })
    expect(response.body).toMatch(/^Request failed with HTTP error status: 500 Internal Server Error\n/)
  })

  it("strips 16 characters from a regular username of 16 or more: 204 without such a client, else its new secret", async () => {
    const token = await adminToken(app)
    const create = async (username: string) => {
      const response = await call(app, Catalogue.createUser, { token, params: { realm: "master" }, body: { username } })
      expectStatus(response, Catalogue.createUser, 200)
      return response.json().id as string
    }
    const exactly16 = await create("sixteen-chars-xx")
    await rejects(app, Catalogue.resetSecret, 204, { token, params: { realm: "master", userId: exactly16 } })
    const longer = await create("a-regular-user-with-a-long-name")
    await rejects(app, Catalogue.resetSecret, 204, { token, params: { realm: "master", userId: longer } })
    // The server's quirk: what follows the first 16 characters names the client whose secret it resets.
    const aliased = await create("not-a-service-u-serviceuser")
    const response = await call(app, Catalogue.resetSecret, { token, params: { realm: "master", userId: aliased } })
    expectStatus(response, Catalogue.resetSecret, 200)
    await clientToken(app, { clientId: "serviceuser", secret: response.body })
    const old = await tokenRequest(app, "master", {
      grant_type: "client_credentials",
      client_id: "serviceuser",
      client_secret: "your_secret"
    })
    expect(old.statusCode).toBe(401)
  })

  it("answers 405 for another realm, 403 without write:admin", async () => {
    const id = userId(app, "master", "service-account-serviceuser")
    await rejects(app, Catalogue.resetSecret, 405, {
      token: await cityadminToken(app),
      requestRealm: "smartcity",
      params: { realm: "master", userId: id }
    })
    await rejects(app, Catalogue.resetSecret, 403, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      params: { realm: "master", userId: id }
    })
  })
})

describe("updateOwnPassword", () => {
  it("replaces the caller's password without asking for the old one", async () => {
    const response = await call(app, Catalogue.updateOwnPassword, {
      token: await mailmeToken(),
      requestRealm: "smartcity",
      body: { type: "password", value: "a-new-password", temporary: false }
    })
    expectStatus(response, Catalogue.updateOwnPassword, 204)
    expect((await login("smartcity", "mailme", "mailme")).statusCode).toBe(401)
    expect((await login("smartcity", "mailme", "a-new-password")).statusCode).toBe(200)
  })

  it("answers 400 for a blank or missing password and one the realm's policy refuses, never echoing it", async () => {
    const token = await mailmeToken()
    for (const body of [{ value: "   " }, { type: "password" }, { value: "short7!" }]) {
      const response = await rejects(app, Catalogue.updateOwnPassword, 400, { token, requestRealm: "smartcity", body })
      if (body.value !== undefined) expect(response.body).not.toContain(body.value.trim() || "   ")
    }
  })

  it("answers 403 without write:user", async () => {
    await rejects(app, Catalogue.updateOwnPassword, 403, {
      token: await noroleToken(app),
      requestRealm: "smartcity",
      body: { value: "whatever-password" }
    })
  })
})

describe("updatePassword", () => {
  it("sets a user's password; a temporary one makes password logins fail until it is changed", async () => {
    const id = userId(app, "smartcity", "norole")
    const response = await call(app, Catalogue.updatePassword, {
      token: await cityadminToken(app),
      requestRealm: "smartcity",
      params: { realm: "smartcity", userId: id },
      body: { value: "temporary-1", temporary: true }
    })
    expectStatus(response, Catalogue.updatePassword, 204)
    const temporary = await login("smartcity", "norole", "temporary-1")
    expect(temporary.statusCode).toBe(400)
    expect(temporary.json()).toEqual({ error: "invalid_grant", error_description: "Account is not fully set up" })
  })

  it("answers 400 for a blank password, as Keycloak refuses it", async () => {
    const token = await adminToken(app)
    const response = await expectUnchanged(
      app,
      () =>
        call(app, Catalogue.updatePassword, {
          token,
          params: { realm: "smartcity", userId: userId(app, "smartcity", "norole") },
          body: { value: " " }
        })
    )
    expectStatus(response, Catalogue.updatePassword, 400)
  })

  it("answers 404 for an unknown user and a user of another realm", async () => {
    const token = await adminToken(app)
    await rejects(app, Catalogue.updatePassword, 404, {
      token,
      params: { realm: "smartcity", userId: "ghost" },
      body: { value: "password-1" }
    })
    await rejects(app, Catalogue.updatePassword, 404, {
      token,
      params: { realm: "master", userId: userId(app, "smartcity", "norole") },
      body: { value: "password-1" }
    })
  })

  it("answers 405 for another realm and for the same-realm check, 403 without write:admin", async () => {
    const params = { realm: "smartcity", userId: userId(app, "smartcity", "norole") }
    await rejects(app, Catalogue.updatePassword, 405, {
      token: await cityadminToken(app),
      requestRealm: "smartcity",
      params: { ...params, realm: "master" },
      body: { value: "password-1" }
    })
    await rejects(app, Catalogue.updatePassword, 405, {
      token: await cityrealmadminToken(app),
      requestRealm: "smartcity",
      params,
      body: { value: "password-1" }
    })
    await rejects(app, Catalogue.updatePassword, 403, {
      token: await smartcityToken(app),
      requestRealm: "smartcity",
      params,
      body: { value: "password-1" }
    })
  })
})

describe("a token whose user was deleted", () => {
  it("gets 404 from the caller's own password operations", async () => {
    const token = await mailmeToken()
    await call(app, Catalogue.deleteUser, {
      token: await adminToken(app),
      params: { realm: "smartcity", userId: userId(app, "smartcity", "mailme") }
    })
    app.simulator.mail.configure("smartcity", { host: "smtp.smartcity.example", port: 25 })
    for (
      const [operation, body] of [[Catalogue.requestPasswordReset, undefined], [Catalogue.updateOwnPassword, {
        value: "whatever-1"
      }]] as const
    ) {
      const response = await expectUnchanged(
        app,
        () => call(app, operation, { token, requestRealm: "smartcity", body })
      )
      expect(response.statusCode, operation.name).toBe(404)
    }
  })
})

describe("disconnectUserSession", () => {
  it("needs no authentication and ignores {realm}: 204, and the session is gone", async () => {
    const session = app.simulator.sessions.open({ realm: "smartcity", userId: userId(app, "smartcity", "smartcity") })
    const response = await call(app, Catalogue.disconnectUserSession, {
      params: { realm: "any-realm-at-all", sessionID: session.id }
    })
    expectStatus(response, Catalogue.disconnectUserSession, 204)
    expect(app.simulator.sessions.list()).toEqual([])
  })

  it("answers 404 for an unknown session", async () => {
    await rejects(app, Catalogue.disconnectUserSession, 404, { params: { realm: "master", sessionID: "ghost" } })
  })

  it("still refuses an invalid token with 401", async () => {
    const session = app.simulator.sessions.open({ realm: "master", userId: userId(app, "master", "admin") })
    await rejects(app, Catalogue.disconnectUserSession, 401, {
      token: "garbage",
      params: { realm: "master", sessionID: session.id }
    })
  })
})
