import { afterAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { StandardRoles } from "@openremote-effect/model"
import * as jose from "jose"
import { form, keyPair, makeApp, T0, tokenRequest } from "./helpers.js"

const seed = {
  realms: [
    {
      name: "master",
      users: [
        {
          username: "admin",
          password: "secret",
          realmRoles: ["admin"],
          clientRoles: { openremote: ["read", "write"] }
        },
        {
          username: "serviceuser",
          serviceAccount: true,
          secret: "your_secret",
          realmRoles: ["admin"],
          clientRoles: { openremote: ["read", "write"] }
        },
        { username: "sleepy", serviceAccount: true, secret: "sleepy-secret", enabled: false },
        { username: "off", password: "off-password", enabled: false },
        { username: "fresh", password: "temporary-password", temporaryPassword: true },
        {
          username: "reader",
          password: "reader-password",
          firstName: "Rea",
          lastName: "Der",
          email: "Reader@Example.com",
          clientRoles: { openremote: ["read"] }
        }
      ],
      clients: [{ clientId: "backend", secret: "backend-secret" }]
    },
    {
      name: "smartcity",
      users: [{
        username: "smartcity",
        password: "smartcity",
        clientRoles: { openremote: [...StandardRoles.regularUserRoles] }
      }]
    }
  ]
}
const app = makeApp({ seed })
afterAll(() => app.close())
// Some tests load another seed: every test starts from this one.
beforeEach(() => app.simulator.load(seed))

const decode = (token: string) => jose.decodeJwt(token)

describe("token endpoint, password grant", () => {
  it("issues an access and a refresh token with Keycloak's response fields", async () => {
    const response = await tokenRequest(app, "master", {
      grant_type: "password",
      client_id: "openremote",
      username: "admin",
      password: "secret"
    })
    expect(response.statusCode).toBe(200)
    expect(response.headers["cache-control"]).toBe("no-store")
    const body = response.json()
    expect(Object.keys(body).sort()).toEqual(
      [
        "access_token",
        "expires_in",
        "not-before-policy",
        "refresh_expires_in",
        "refresh_token",
        "scope",
        "session_state",
        "token_type"
      ]
    )
    expect(body).toMatchObject({
      expires_in: 60,
      refresh_expires_in: 1800,
      token_type: "Bearer",
      scope: "profile email"
    })
  })

  it("signs RS256 tokens with the claims the server reads, composite roles expanded", async () => {
    const response = await tokenRequest(app, "master", {
      grant_type: "password",
      client_id: "openremote",
      username: "ADMIN",
      password: "secret"
    })
    const token: string = response.json().access_token
    expect(jose.decodeProtectedHeader(token).alg).toBe("RS256")
    const { payload } = await jose.jwtVerify(token, (await keyPair).publicKey, { currentDate: new Date(T0) })
    const adminId = app.simulator.snapshot().realms[0]!.users.find((user) => user.username === "admin")!.id
    expect(payload).toMatchObject({
      iss: "http://localhost/auth/realms/master",
      sub: adminId,
      preferred_username: "admin",
      azp: "openremote",
      typ: "Bearer",
      iat: T0 / 1000,
      nbf: T0 / 1000,
      exp: T0 / 1000 + 60
    })
    const realmRoles = (payload.realm_access as { roles: Array<string> }).roles
    expect(realmRoles).toEqual(
      expect.arrayContaining(["admin", "default-roles-master", "offline_access", "uma_authorization"])
    )
    const openremote = (payload.resource_access as Record<string, { roles: Array<string> }>).openremote!.roles
    // read and write expand to every read and write role: the 20 roles plus the two composites.
    expect([...openremote].sort()).toEqual([...StandardRoles.clientRoles].sort())
  })

  it("gives a regular user exactly its direct roles (no composites to expand)", async () => {
    const response = await tokenRequest(app, "smartcity", {
      grant_type: "password",
      client_id: "openremote",
      username: "smartcity",
      password: "smartcity"
    })
    const payload = decode(response.json().access_token)
    expect(payload.iss).toBe("http://localhost/auth/realms/smartcity")
    expect([...(payload.resource_access as Record<string, { roles: Array<string> }>).openremote!.roles].sort()).toEqual(
      [...StandardRoles.regularUserRoles].sort()
    )
  })

  it("puts name and email claims of the user, and no aud when only the token's own client has roles", async () => {
    const response = await tokenRequest(app, "master", {
      grant_type: "password",
      client_id: "openremote",
      username: "reader",
      password: "reader-password"
    })
    const payload = decode(response.json().access_token)
    expect(payload).toMatchObject({
      given_name: "Rea",
      family_name: "Der",
      name: "Rea Der",
      email: "reader@example.com"
    })
    expect(payload.aud).toBeUndefined()
  })

  it("answers invalid_grant 401 for a wrong password or an unknown user, and never echoes them", async () => {
    for (
      const fields of [{ username: "admin", password: "wrong-pass-1" }, {
        username: "nobody",
        password: "wrong-pass-2"
      }]
    ) {
      const response = await tokenRequest(app, "master", { grant_type: "password", client_id: "openremote", ...fields })
      expect(response.statusCode).toBe(401)
      expect(response.json()).toEqual({ error: "invalid_grant", error_description: "Invalid user credentials" })
      expect(response.body).not.toContain(fields.password)
    }
  })

  it("answers invalid_grant 400 for a disabled user and for a temporary password", async () => {
    const disabled = await tokenRequest(app, "master", {
      grant_type: "password",
      client_id: "openremote",
      username: "off",
      password: "off-password"
    })
    expect(disabled.statusCode).toBe(400)
    expect(disabled.json()).toEqual({ error: "invalid_grant", error_description: "Account disabled" })
    const temporary = await tokenRequest(app, "master", {
      grant_type: "password",
      client_id: "openremote",
      username: "fresh",
      password: "temporary-password"
    })
    expect(temporary.statusCode).toBe(400)
    expect(temporary.json()).toEqual({ error: "invalid_grant", error_description: "Account is not fully set up" })
  })

  it("refuses a password login of a service user, and the password grant on a confidential client", async () => {
    const service = await tokenRequest(app, "master", {
      grant_type: "password",
      client_id: "openremote",
      username: "service-account-serviceuser",
      password: "your_secret"
    })
    expect(service.statusCode).toBe(401)
    expect(service.json().error).toBe("invalid_grant")
    const confidential = await tokenRequest(app, "master", {
      grant_type: "password",
      client_id: "serviceuser",
      client_secret: "your_secret",
      username: "admin",
      password: "secret"
    })
    expect(confidential.statusCode).toBe(400)
    expect(confidential.json().error).toBe("unauthorized_client")
    const ownClient = await tokenRequest(app, "master", {
      grant_type: "password",
      client_id: "serviceuser",
      client_secret: "your_secret",
      username: "service-account-serviceuser",
      password: "your_secret"
    })
    expect(ownClient.statusCode).toBe(400)
    expect(ownClient.json()).toEqual({
      error: "unauthorized_client",
      error_description: "Client not allowed for direct access grants"
    })
  })

  it("answers invalid_request for a missing username or grant_type", async () => {
    const noUser = await tokenRequest(app, "master", { grant_type: "password", client_id: "openremote", password: "x" })
    expect(noUser.statusCode).toBe(400)
    expect(noUser.json()).toEqual({ error: "invalid_request", error_description: "Missing parameter: username" })
    const noGrant = await tokenRequest(app, "master", { client_id: "openremote" })
    expect(noGrant.statusCode).toBe(400)
    expect(noGrant.json()).toEqual({
      error: "invalid_request",
      error_description: "Missing form parameter: grant_type"
    })
  })
})

describe("token endpoint, client_credentials grant", () => {
  it("issues a service-account token without refresh token (client id = service username without prefix)", async () => {
    const response = await tokenRequest(app, "master", {
      grant_type: "client_credentials",
      client_id: "serviceuser",
      client_secret: "your_secret"
    })
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.refresh_token).toBeUndefined()
    expect(body.refresh_expires_in).toBe(0)
    const payload = decode(body.access_token)
    expect(payload).toMatchObject({
      preferred_username: "service-account-serviceuser",
      azp: "serviceuser",
      aud: "openremote",
      client_id: "serviceuser"
    })
    expect((payload.realm_access as { roles: Array<string> }).roles).toContain("admin")
  })

  it("accepts the client credentials as HTTP Basic", async () => {
    const basic = Buffer.from("serviceuser:your_secret").toString("base64")
    const response = await tokenRequest(app, "master", { grant_type: "client_credentials" }, {
      authorization: `Basic ${basic}`
    })
    expect(response.statusCode).toBe(200)
  })

  it("answers invalid_client 401 for a wrong or missing secret and an unknown client", async () => {
    for (
      const fields of [
        { client_id: "serviceuser", client_secret: "not-the-secret" },
        { client_id: "serviceuser" },
        { client_id: "nobody", client_secret: "x" }
      ]
    ) {
      const response = await tokenRequest(app, "master", { grant_type: "client_credentials", ...fields })
      expect(response.statusCode).toBe(401)
      expect(response.json()).toEqual({
        error: "invalid_client",
        error_description: "Invalid client or Invalid client credentials"
      })
    }
    const missing = await tokenRequest(app, "master", { grant_type: "client_credentials" })
    expect(missing.statusCode).toBe(401)
    expect(missing.json().error).toBe("invalid_client")
  })

  it("answers unauthorized_client 401 for the public client, 400 for a client without service account", async () => {
    const open = await tokenRequest(app, "master", { grant_type: "client_credentials", client_id: "openremote" })
    expect(open.statusCode).toBe(401)
    expect(open.json()).toEqual({
      error: "unauthorized_client",
      error_description: "Public client not allowed to retrieve service account"
    })
    const backend = await tokenRequest(app, "master", {
      grant_type: "client_credentials",
      client_id: "backend",
      client_secret: "backend-secret"
    })
    expect(backend.statusCode).toBe(400)
    expect(backend.json().error).toBe("unauthorized_client")
  })

  it("answers invalid_grant for a disabled service user", async () => {
    const response = await tokenRequest(app, "master", {
      grant_type: "client_credentials",
      client_id: "sleepy",
      client_secret: "sleepy-secret"
    })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual({ error: "invalid_grant", error_description: "Account disabled" })
  })
})

describe("token endpoint, refresh_token grant", () => {
  const login = async () =>
    (await tokenRequest(app, "master", {
      grant_type: "password",
      client_id: "openremote",
      username: "admin",
      password: "secret"
    })).json()

  it("issues new tokens after the access token expired, until the refresh token expires", async () => {
    const { refresh_token } = await login()
    app.simulator.clock.advance(61_000)
    const refreshed = await tokenRequest(app, "master", {
      grant_type: "refresh_token",
      client_id: "openremote",
      refresh_token
    })
    expect(refreshed.statusCode).toBe(200)
    expect(decode(refreshed.json().access_token).iat).toBe(T0 / 1000 + 61)
    app.simulator.clock.advance(1800_000)
    const expired = await tokenRequest(app, "master", {
      grant_type: "refresh_token",
      client_id: "openremote",
      refresh_token
    })
    expect(expired.statusCode).toBe(400)
    expect(expired.json()).toEqual({ error: "invalid_grant", error_description: "Token is not active" })
  })

  it("refuses a tampered refresh token, an access token, another client's and another realm's", async () => {
    const { access_token, refresh_token } = await login()
    const cases = [
      { refresh_token: `${refresh_token}x`, client_id: "openremote", realm: "master" },
      { refresh_token: access_token, client_id: "openremote", realm: "master" },
      { refresh_token, client_id: "backend", client_secret: "backend-secret", realm: "master" },
      { refresh_token, client_id: "openremote", realm: "smartcity" }
    ]
    for (const { realm, ...fields } of cases) {
      const response = await tokenRequest(app, realm, { grant_type: "refresh_token", ...fields })
      expect(response.statusCode, response.body).toBe(400)
      expect(response.json().error).toBe("invalid_grant")
    }
  })

  it("answers invalid_request without a refresh token, and refuses it once the user is disabled", async () => {
    const missing = await tokenRequest(app, "master", { grant_type: "refresh_token", client_id: "openremote" })
    expect(missing.json()).toEqual({ error: "invalid_request", error_description: "Missing parameter: refresh_token" })
    const { refresh_token } = await tokenRequest(app, "master", {
      grant_type: "password",
      client_id: "openremote",
      username: "reader",
      password: "reader-password"
    }).then((r) => r.json())
    app.simulator.load({
      realms: [{ name: "master", users: [{ username: "reader", password: "reader-password", enabled: false }] }]
    })
    const response = await tokenRequest(app, "master", {
      grant_type: "refresh_token",
      client_id: "openremote",
      refresh_token
    })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual({ error: "invalid_grant", error_description: "User disabled" })
  })
})

describe("token endpoint, other errors", () => {
  it("answers unsupported_grant_type", async () => {
    const response = await tokenRequest(app, "master", { grant_type: "authorization_code", client_id: "openremote" })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual({ error: "unsupported_grant_type", error_description: "Unsupported grant_type" })
  })

  it("checks the grant type before the client, as Keycloak's TokenEndpoint does", async () => {
    for (
      const client of [
        { client_id: "no-such-client" },
        { client_id: "serviceuser", client_secret: "wrong" },
        { client_id: "serviceuser" },
        {}
      ]
    ) {
      const unknown = await tokenRequest(app, "master", { grant_type: "authorization_code", ...client })
      expect(unknown.statusCode).toBe(400)
      expect(unknown.json()).toEqual({ error: "unsupported_grant_type", error_description: "Unsupported grant_type" })
      const missing = await tokenRequest(app, "master", client)
      expect(missing.statusCode).toBe(400)
      expect(missing.json()).toEqual({
        error: "invalid_request",
        error_description: "Missing form parameter: grant_type"
      })
    }
    const known = await tokenRequest(app, "master", { grant_type: "client_credentials", client_id: "no-such-client" })
    expect(known.statusCode).toBe(401)
    expect(known.json().error).toBe("invalid_client")
  })

  it("answers 404 for an unknown realm, as Keycloak does", async () => {
    const response = await tokenRequest(app, "nowhere", {
      grant_type: "password",
      client_id: "openremote",
      username: "a",
      password: "b"
    })
    expect(response.statusCode).toBe(404)
    expect(response.json()).toEqual({ error: "Realm does not exist" })
  })

  it("reads form parameters only: a JSON body has no grant_type", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/auth/realms/master/protocol/openid-connect/token",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({
        grant_type: "password",
        client_id: "openremote",
        username: "admin",
        password: "secret"
      })
    })
    expect(response.statusCode).toBe(400)
    expect(response.json().error).toBe("invalid_request")
    expect(response.body).not.toContain("secret")
  })

  it("answers a body over 1 MiB with 413 in Keycloak's error shape", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/auth/realms/master/protocol/openid-connect/token",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: form({ grant_type: "password", padding: "x".repeat(1024 * 1024 + 10) })
    })
    expect(response.statusCode).toBe(413)
    expect(response.json().error).toBe("invalid_request")
  })
})

describe("certs and discovery", () => {
  it("serves the public key as a JWKS that verifies issued tokens", async () => {
    const jwks = await app.inject("/auth/realms/master/protocol/openid-connect/certs")
    expect(jwks.statusCode).toBe(200)
    const keys = jwks.json().keys
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" })
    expect(keys[0].d).toBeUndefined()
    const token = (await tokenRequest(app, "master", {
      grant_type: "password",
      client_id: "openremote",
      username: "admin",
      password: "secret"
    })).json().access_token
    const key = await jose.importJWK(keys[0], "RS256")
    await expect(jose.jwtVerify(token, key, { currentDate: new Date(app.simulator.clock.now()) })).resolves
      .toBeDefined()
    expect(jose.decodeProtectedHeader(token).kid).toBe(keys[0].kid)
  })

  it("serves the OpenID discovery document with the public Keycloak URLs", async () => {
    const response = await app.inject("/auth/realms/smartcity/.well-known/openid-configuration")
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({
      issuer: "http://localhost/auth/realms/smartcity",
      token_endpoint: "http://localhost/auth/realms/smartcity/protocol/openid-connect/token",
      jwks_uri: "http://localhost/auth/realms/smartcity/protocol/openid-connect/certs",
      grant_types_supported: ["password", "client_credentials", "refresh_token"]
    })
  })

  it("answers 404 for an unknown realm's certs and discovery", async () => {
    expect((await app.inject("/auth/realms/nowhere/protocol/openid-connect/certs")).statusCode).toBe(404)
    expect((await app.inject("/auth/realms/nowhere/.well-known/openid-configuration")).statusCode).toBe(404)
  })
})
