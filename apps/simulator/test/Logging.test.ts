import { afterAll, describe, expect, it } from "@effect/vitest"
import { call, Catalogue, makeApp, tokenRequest, userId } from "./helpers.js"

const lines: Array<string> = []
const password = "Pw-Zq81-never-logged"
const secret = "Sec-Zq81-never-logged"
const newPassword = "NewPw-Zq81-never-logged"

const app = makeApp({
  logger: { level: "trace", stream: { write: (line: string) => void lines.push(line) } },
  seed: {
    realms: [{
      name: "master",
      users: [
        { username: "admin", password, realmRoles: ["admin"], clientRoles: { openremote: ["read", "write"] } },
        { username: "robot", serviceAccount: true, secret, clientRoles: { openremote: ["read"] } }
      ]
    }]
  }
})
afterAll(() => app.close())

describe("logs", () => {
  it("never contain a token, a password or a secret, while requests and failures are logged", async () => {
    const login = await tokenRequest(app, "master", {
      grant_type: "password",
      client_id: "openremote",
      username: "admin",
      password
    })
    const { access_token, refresh_token } = login.json()
    const refreshed = await tokenRequest(app, "master", {
      grant_type: "refresh_token",
      client_id: "openremote",
      refresh_token
    })
    const service = await tokenRequest(app, "master", {
      grant_type: "client_credentials",
      client_id: "robot",
      client_secret: secret
    })
    const basic = await tokenRequest(app, "master", { grant_type: "client_credentials" }, {
      authorization: `Basic ${Buffer.from(`robot:${secret}`).toString("base64")}`
    })
    await tokenRequest(app, "master", {
      grant_type: "password",
      client_id: "openremote",
      username: "admin",
      password: `${password}-wrong`
    })
    expect([login, refreshed, service, basic].map((response) => response.statusCode)).toEqual([200, 200, 200, 200])

    await call(app, Catalogue.getCurrentUser, { token: access_token })
    await call(app, Catalogue.getCurrentUser, { token: `${access_token}tampered` })
    await call(app, Catalogue.updateOwnPassword, { token: access_token, body: { value: newPassword } })
    await call(app, Catalogue.updateOwnPassword, { token: access_token, body: { value: 12345 } })
    await call(app, Catalogue.createUser, {
      token: access_token,
      params: { realm: "master" },
      rawBody: `{"username":"x","secret":"${secret}"`
    })
    const reset = await call(app, Catalogue.resetSecret, {
      token: access_token,
      params: { realm: "master", userId: userId(app, "master", "service-account-robot") }
    })
    await app.inject({
      method: "GET",
      url: `/api/master/user/user?access_token=${access_token}`,
      headers: { cookie: `session=${secret}` }
    })

    const log = lines.join("")
    expect(lines.length).toBeGreaterThan(20)
    expect(log).toContain("incoming request")
    expect(log).toContain("bearer token refused")
    expect(log).toContain("[Redacted]")
    const forbidden = [
      password,
      secret,
      newPassword,
      access_token,
      refresh_token,
      refreshed.json().access_token,
      service.json().access_token,
      reset.body,
      Buffer.from(`robot:${secret}`).toString("base64")
    ]
    for (const value of forbidden) expect(log).not.toContain(value)
  })

  it("log a 500 with its error, and answer it without details", async () => {
    lines.length = 0
    const broken = makeApp({ logger: { level: "error", stream: { write: (line: string) => void lines.push(line) } } })
    try {
      broken.get("/api/master/boom", async () => {
        throw new Error("internal detail")
      })
      const response = await broken.inject("/api/master/boom")
      expect(response.statusCode).toBe(500)
      expect(response.body).toBe("Request failed with HTTP error status: 500 Internal Server Error")
      expect(lines.join("")).toContain("internal detail")
    } finally {
      await broken.close()
    }
  })
})
