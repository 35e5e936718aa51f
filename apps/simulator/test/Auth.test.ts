import { afterAll, beforeEach, describe, expect, it } from "@effect/vitest"
import * as jose from "jose"
import * as Tokens from "../src/Tokens.js"
import {
  adminToken,
  call,
  Catalogue,
  expectStatus,
  keyPair,
  makeApp,
  passwordToken,
  rejects,
  smartcityToken,
  T0,
  testSeed,
  tokenRequest,
  userId
} from "./helpers.js"

const seed = {
  realms: [
    ...testSeed.realms,
    {
      name: "thirdparty",
      clients: [{ clientId: "dashboard" }],
      users: [
        { username: "viewer", password: "viewer-password" },
        { username: "partner", password: "partner-password", clientRoles: { openremote: ["read:users"] } }
      ]
    }
  ]
}
const app = makeApp({ seed })
afterAll(() => app.close())
beforeEach(() => app.simulator.load(seed))

const issuer = "http://localhost/auth/realms/master"
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")

/** Claims like a real admin token's, signed with the simulator's own key unless told otherwise. */
const craft = async (
  claims: Record<string, unknown>,
  options: { readonly key?: CryptoKey; readonly alg?: string } = {}
) => {
  const now = Math.floor(T0 / 1000)
  return new jose.SignJWT({
    iss: issuer,
    sub: userId(app, "master", "admin"),
    typ: "Bearer",
    azp: "openremote",
    preferred_username: "admin",
    realm_access: { roles: ["admin"] },
    resource_access: { openremote: { roles: ["read:admin", "write:admin"] } },
    iat: now,
    exp: now + 60,
    ...claims
  })
    .setProtectedHeader({ alg: options.alg ?? "RS256" })
    .sign(options.key ?? (await keyPair).privateKey)
}

const me = (token: string | undefined, requestRealm = "master") =>
  call(app, Catalogue.getCurrentUser, { token, requestRealm })

const expect401 = async (token: string, requestRealm = "master") => {
  const response = await me(token, requestRealm)
  expectStatus(response, Catalogue.getCurrentUser, 401)
  expect(response.headers["content-type"]).toMatch(/^text\/plain/)
  expect(response.headers["www-authenticate"]).toMatch(/^Bearer realm=".*", error="invalid_token"$/)
  expect(response.body).not.toContain(token)
  return response
}

describe("the tokens the simulator issues", () => {
  it("are accepted: a crafted token with the right claims too, so the checks below test one claim each", async () => {
    expectStatus(await me(await adminToken(app)), Catalogue.getCurrentUser, 200)
    expectStatus(await me(await craft({})), Catalogue.getCurrentUser, 200)
  })

  it("are accepted for a service user whose token is for its own client (preferred_username service-account-)", async () => {
    const token = await craft({
      azp: "serviceuser",
      preferred_username: "service-account-serviceuser",
      sub: userId(app, "master", "service-account-serviceuser")
    })
    expectStatus(await me(token), Catalogue.getCurrentUser, 200)
  })

  it("are accepted when aud names openremote although azp is another client", async () => {
    const token = await craft({ azp: "dashboard-client", aud: ["account", "openremote"] })
    expectStatus(await me(token), Catalogue.getCurrentUser, 200)
  })
})

describe("token rejection: 401 every time", () => {
  it("alg none", async () => {
    const valid = jose.decodeJwt(await adminToken(app))
    await expect401(`${base64url({ alg: "none", typ: "JWT" })}.${base64url(valid)}.`)
  })

  it("a tampered payload with the original signature", async () => {
    const [header, payload, signature] = (await adminToken(app)).split(".")
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString())
    const tampered = `${header}.${base64url({ ...claims, preferred_username: "someone-else" })}.${signature}`
    await expect401(tampered)
  })

  it("a tampered signature", async () => {
    const token = await adminToken(app)
    const last = token.at(-2) === "A" ? "B" : "A"
    await expect401(`${token.slice(0, -2)}${last}${token.at(-1)}`)
  })

  it("a token signed by another key", async () => {
    const other = await Tokens.generateKeyPair()
    await expect401(await craft({}, { key: other.privateKey }))
  })

  it("a token signed with HS256 (algorithm confusion)", async () => {
    const secret = new TextEncoder().encode("a shared secret that is long enough for HS256!!")
    const now = Math.floor(T0 / 1000)
    const token = await new jose.SignJWT({
      iss: issuer,
      sub: "x",
      typ: "Bearer",
      azp: "openremote",
      preferred_username: "admin",
      iat: now,
      exp: now + 60
    })
      .setProtectedHeader({ alg: "HS256" })
      .sign(secret)
    await expect401(token)
  })

  it("a wrong issuer, also another port's or a prefix of the right one", async () => {
    await expect401(await craft({ iss: "http://evil.example/auth/realms/master" }))
    await expect401(await craft({ iss: "http://localhost:8081/auth/realms/master" }))
    await expect401(await craft({ iss: "http://localhost/auth/realms/master/" }))
  })

  it("an expired token, expired by advancing the simulator's clock (also when it was verified before)", async () => {
    const token = await adminToken(app)
    expectStatus(await me(token), Catalogue.getCurrentUser, 200)
    app.simulator.clock.advance(59_000)
    expectStatus(await me(token), Catalogue.getCurrentUser, 200)
    app.simulator.clock.advance(1_000)
    await expect401(token)
  })

  it("a token that is not valid yet (nbf), until the clock reaches it", async () => {
    const now = Math.floor(app.simulator.clock.now() / 1000)
    const token = await craft({ nbf: now + 30, iat: now, exp: now + 120 })
    await expect401(token)
    app.simulator.clock.advance(30_000)
    expectStatus(await me(token), Catalogue.getCurrentUser, 200)
  })

  it("a token without exp", async () => {
    await expect401(await craft({ exp: undefined }))
  })

  it("another realm's token, both ways", async () => {
    await expect401(await smartcityToken(app), "master")
    await expect401(await adminToken(app), "smartcity")
  })

  it("a token not for the openremote client", async () => {
    const viewer = await passwordToken(app, {
      realm: "thirdparty",
      username: "viewer",
      password: "viewer-password",
      clientId: "dashboard"
    })
    expect(jose.decodeJwt(viewer)).toMatchObject({ azp: "dashboard" })
    await expect401(viewer, "thirdparty")
    await expect401(await craft({ azp: "dashboard", aud: ["account"] }))
  })

  it("but a token of another client whose user has openremote roles carries aud openremote and is accepted", async () => {
    const partner = await passwordToken(app, {
      realm: "thirdparty",
      username: "partner",
      password: "partner-password",
      clientId: "dashboard"
    })
    expect(jose.decodeJwt(partner)).toMatchObject({ azp: "dashboard", aud: "openremote" })
    expectStatus(await me(partner, "thirdparty"), Catalogue.getCurrentUser, 200)
  })

  it("a refresh token used as an access token", async () => {
    const response = await tokenRequest(app, "master", {
      grant_type: "password",
      client_id: "openremote",
      username: "admin",
      password: "secret"
    })
    await expect401(response.json().refresh_token)
  })

  it("garbage, an empty bearer token and another scheme", async () => {
    for (
      const authorization of [
        "Bearer",
        "Bearer ",
        "Bearer not-a-jwt",
        "Bearer a.b.c",
        "Basic YWRtaW46c2VjcmV0",
        "garbage",
        "Bearer \u00e9\u00e9"
      ]
    ) {
      const response = await app.inject({
        method: "GET",
        url: "/api/master/user/user",
        headers: { authorization }
      })
      expect(response.statusCode, authorization).toBe(401)
      expect(response.body).not.toContain("YWRtaW46c2VjcmV0")
    }
  })

  it("the header's form counts for a token verified before too: scheme in any case and spaces, nothing after", async () => {
    const token = await adminToken(app)
    const withHeader = (authorization: string) =>
      app.inject({ method: "GET", url: "/api/master/user/user", headers: { authorization } })
    expect((await withHeader(`Bearer ${token}`)).statusCode).toBe(200)
    for (const accepted of [`bearer ${token}`, `Bearer   ${token}`, `BEARER ${token}  `]) {
      expect((await withHeader(accepted)).statusCode, accepted.slice(0, 10)).toBe(200)
    }
    for (const refused of [`Bearer ${token} x`, `Bearer ${token}\u00e9`, `Bearer ${token}.`, `Basic ${token}`]) {
      const response = await withHeader(refused)
      expect(response.statusCode, refused.slice(-3)).toBe(401)
      expect(response.body).not.toContain(token)
    }
  })

  it("is checked before the annotation role and before the body is read", async () => {
    await rejects(app, Catalogue.createUser, 401, {
      token: "not-a-jwt",
      params: { realm: "master" },
      rawBody: "{not json"
    })
  })
})

describe("every operation", () => {
  it("answers 401 to an expired token, before any other check, changing nothing", async () => {
    const token = await adminToken(app)
    app.simulator.clock.advance(60_000)
    for (const operation of Catalogue.all) {
      const params = Object.fromEntries(
        operation.pathParameters.map((name) => [name, name === "realm" ? "master" : "x"])
      )
      const body = operation.body === undefined
        ? {}
        : { rawBody: operation.name === "updateCurrentUserLocale" ? "nl" : "{}" }
      await rejects(app, operation, 401, { token, params, ...body })
    }
  })
})

describe("tokens stay valid until they expire (as with Keycloak)", () => {
  it("after the user is disabled", async () => {
    const token = await smartcityToken(app)
    const admin = await adminToken(app)
    const id = userId(app, "smartcity", "smartcity")
    expectStatus(
      await call(app, Catalogue.updateUser, {
        token: admin,
        params: { realm: "smartcity" },
        body: { id, username: "smartcity", enabled: false }
      }),
      Catalogue.updateUser,
      200
    )
    const response = await me(token, "smartcity")
    expectStatus(response, Catalogue.getCurrentUser, 200)
    expect(response.json().enabled).toBe(false)
  })

  it("after the user is deleted, though reads of the user then fail the read-user check", async () => {
    const token = await smartcityToken(app)
    const id = userId(app, "smartcity", "smartcity")
    expectStatus(
      await call(app, Catalogue.deleteUser, {
        token: await adminToken(app),
        params: { realm: "smartcity", userId: id }
      }),
      Catalogue.deleteUser,
      204
    )
    // 405 is not in these operations' catalogue statuses: the catalogue does not foresee a token outliving its user.
    expect((await me(token, "smartcity")).statusCode).toBe(405)
    expect((await call(app, Catalogue.getCurrentUserRealmRoles, { token, requestRealm: "smartcity" })).statusCode).toBe(
      405
    )
  })
})
