/**
 * The Keycloak endpoints OpenRemote relies on, under `/auth/realms/{realm}/`: `protocol/openid-connect/token`
 * (grants `password`, `client_credentials`, `refresh_token`), `protocol/openid-connect/certs` (JWKS) and
 * `.well-known/openid-configuration`. Errors are Keycloak's JSON `{ error, error_description }`.
 *
 * Clients authenticate with `client_id` / `client_secret` form fields or HTTP Basic. The `password` grant
 * works on public clients (`openremote`); `client_credentials` on a service user's client (client id = the
 * service username without prefix). Access tokens carry `iss`, `sub`, `preferred_username`, `azp`, `aud`
 * (the other clients the user has roles of), `exp`, `nbf`, `iat`, `jti`, `typ: "Bearer"`, `scope`,
 * `realm_access.roles` and `resource_access.<client>.roles` with composite roles expanded, as of issue time.
 *
 * Checks in Keycloak's order (USER-API.md §2): the realm (404 `{"error":"Realm does not exist"}`), the grant
 * type (missing: `invalid_request` 400; unknown: `unsupported_grant_type` 400, whatever the client), then the
 * client (`invalid_client` 401: unknown client, wrong or missing secret), then the grant: `invalid_grant` 401
 * for wrong credentials ("Invalid user credentials") and 400 for a disabled user ("Account disabled"), a
 * temporary password ("Account is not fully set up") or a bad refresh token; `unauthorized_client` 401 for
 * `client_credentials` with a public client, 400 for the password grant through a confidential (service
 * user's) client; `invalid_request` 400 (a missing parameter). A `client_credentials` answer has no refresh
 * token.
 *
 * @since 0.1.0
 */
import formbody from "@fastify/formbody"
import * as Either from "effect/Either"
import type { FastifyPluginAsync, FastifyReply } from "fastify"
import { errorHandler } from "../internal/fastify.js"
import { secretsEqual, verifyPassword } from "../internal/hashing.js"
import { randomId } from "../internal/ids.js"
import type { ClientRecord, RealmRecord, Store, UserRecord } from "../Store.js"
import type { Authentication } from "./auth.js"
import { trafficOf } from "./traffic.js"

/**
 * A Keycloak error answer.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeycloakError {
  readonly status: number
  readonly error: string
  readonly description: string
}

/**
 * A successful token answer.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenResponse {
  readonly access_token: string
  readonly expires_in: number
  readonly refresh_expires_in: number
  readonly refresh_token?: string
  readonly token_type: "Bearer"
  readonly "not-before-policy": 0
  readonly session_state?: string
  readonly scope: string
}

const scope = "profile email"

const fail = (status: number, error: string, description: string): KeycloakError => ({ status, error, description })

/** Keycloak's answer for an unknown realm: 404 with only `error` in the body. */
const realmDoesNotExist = fail(404, "Realm does not exist", "Realm does not exist")

const invalidClient = () => fail(401, "invalid_client", "Invalid client or Invalid client credentials")

type Form = Readonly<Record<string, unknown>>

const field = (form: Form, name: string): string | undefined => {
  const value = form[name]
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === "string" ? first : undefined
}

const basicCredentials = (authorization: string | undefined) => {
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(authorization ?? "")
  if (match === null) return undefined
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  if (colon < 0) return undefined
  const unescape = (value: string) => {
    try {
      return decodeURIComponent(value.replace(/\+/g, " "))
    } catch {
      return value
    }
  }
  return { clientId: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) }
}

/** Client authentication: a public client needs only its id; a confidential one its secret too. */
const authenticateClient = (
  realm: RealmRecord,
  form: Form,
  authorization: string | undefined
): Either.Either<ClientRecord, KeycloakError> => {
  const basic = basicCredentials(authorization)
  const clientId = basic?.clientId ?? field(form, "client_id")
  const secret = basic?.secret ?? field(form, "client_secret")
  if (clientId === undefined || clientId === "") {
    return Either.left(fail(401, "invalid_client", "Missing client_id parameter"))
  }
  const client = realm.clients.get(clientId)
  if (client === undefined) return Either.left(invalidClient())
  if (
    !client.publicClient &&
    (secret === undefined || client.secret === undefined || !secretsEqual(secret, client.secret))
  ) {
    return Either.left(invalidClient())
  }
  return Either.right(client)
}

/**
 * Issues an access token (and, unless `refresh` is false, a refresh token) for `user` through `client`.
 *
 * @since 0.1.0
 * @category tokens
 */
export const issueTokens = async (
  keycloak: KeycloakPluginOptions,
  realm: RealmRecord,
  user: UserRecord,
  client: ClientRecord,
  options: { readonly refresh: boolean; readonly sessionId: string }
): Promise<TokenResponse> => {
  const now = keycloak.authentication.clock.now()
  const iat = Math.floor(now / 1000)
  const iss = keycloak.authentication.issuer(realm.name)
  const resourceAccess = Object.fromEntries(
    [...keycloak.store().effectiveClientRoles(realm, user)].map(([clientId, roles]) => [clientId, { roles }])
  )
  const audience = Object.keys(resourceAccess).filter((clientId) => clientId !== client.clientId)
  const name = [user.firstName, user.lastName].filter((part) => part !== undefined && part !== "").join(" ")
  const accessToken = await keycloak.authentication.tokens.sign({
    exp: iat + keycloak.tokenLifespan,
    iat,
    nbf: iat,
    jti: randomId(),
    iss,
    ...(audience.length === 0 ? {} : { aud: audience.length === 1 ? audience[0] : audience }),
    sub: user.id,
    typ: "Bearer",
    azp: client.clientId,
    ...(options.refresh ? { sid: options.sessionId, session_state: options.sessionId } : {}),
    realm_access: { roles: keycloak.store().effectiveRealmRoleNames(realm, user) },
    resource_access: resourceAccess,
    scope,
    email_verified: false,
    preferred_username: user.username,
    ...(name === "" ? {} : { name }),
    ...(user.firstName === undefined ? {} : { given_name: user.firstName }),
    ...(user.lastName === undefined ? {} : { family_name: user.lastName }),
    ...(user.email === undefined ? {} : { email: user.email }),
    ...(user.serviceAccount ? { client_id: client.clientId } : {})
  })
  if (!options.refresh) {
    return {
      access_token: accessToken,
      expires_in: keycloak.tokenLifespan,
      refresh_expires_in: 0,
      token_type: "Bearer",
      "not-before-policy": 0,
      scope
    }
  }
  const refreshToken = await keycloak.authentication.tokens.sign({
    exp: iat + keycloak.refreshTokenLifespan,
    iat,
    jti: randomId(),
    iss,
    aud: iss,
    sub: user.id,
    typ: "Refresh",
    azp: client.clientId,
    sid: options.sessionId,
    session_state: options.sessionId,
    scope
  })
  return {
    access_token: accessToken,
    expires_in: keycloak.tokenLifespan,
    refresh_expires_in: keycloak.refreshTokenLifespan,
    refresh_token: refreshToken,
    token_type: "Bearer",
    "not-before-policy": 0,
    session_state: options.sessionId,
    scope
  }
}

const passwordGrant = async (
  keycloak: KeycloakPluginOptions,
  realm: RealmRecord,
  client: ClientRecord,
  form: Form
): Promise<Either.Either<{ user: UserRecord; tokens: TokenResponse }, KeycloakError>> => {
  if (!client.publicClient) {
    return Either.left(fail(400, "unauthorized_client", "Client not allowed for direct access grants"))
  }
  const username = field(form, "username")
  if (username === undefined || username === "") {
    return Either.left(fail(400, "invalid_request", "Missing parameter: username"))
  }
  const password = field(form, "password")
  const user = keycloak.store().userByUsername(realm, username)
  const invalidCredentials = fail(401, "invalid_grant", "Invalid user credentials")
  if (user === undefined || user.serviceAccount) return Either.left(invalidCredentials)
  if (!user.enabled) return Either.left(fail(400, "invalid_grant", "Account disabled"))
  if (password === undefined || user.password === undefined || !verifyPassword(user.password, password)) {
    return Either.left(invalidCredentials)
  }
  if (user.password.temporary) return Either.left(fail(400, "invalid_grant", "Account is not fully set up"))
  return Either.right({
    user,
    tokens: await issueTokens(keycloak, realm, user, client, { refresh: true, sessionId: randomId() })
  })
}

const clientCredentialsGrant = async (
  keycloak: KeycloakPluginOptions,
  realm: RealmRecord,
  client: ClientRecord
): Promise<Either.Either<{ user: UserRecord; tokens: TokenResponse }, KeycloakError>> => {
  if (client.publicClient) {
    return Either.left(fail(401, "unauthorized_client", "Public client not allowed to retrieve service account"))
  }
  const user = client.serviceUserId === undefined ? undefined : keycloak.store().userIn(realm, client.serviceUserId)
  if (user === undefined) {
    return Either.left(fail(400, "unauthorized_client", "Client not enabled to retrieve service account"))
  }
  if (!user.enabled) return Either.left(fail(400, "invalid_grant", "Account disabled"))
  return Either.right({
    user,
    tokens: await issueTokens(keycloak, realm, user, client, { refresh: false, sessionId: "" })
  })
}

const refreshGrant = async (
  keycloak: KeycloakPluginOptions,
  realm: RealmRecord,
  client: ClientRecord,
  form: Form
): Promise<Either.Either<{ user: UserRecord; tokens: TokenResponse }, KeycloakError>> => {
  const token = field(form, "refresh_token")
  if (token === undefined || token === "") {
    return Either.left(fail(400, "invalid_request", "Missing parameter: refresh_token"))
  }
  const verified = await keycloak.authentication.tokens.verify(token, {
    issuer: keycloak.authentication.issuer(realm.name),
    now: keycloak.authentication.clock.now()
  })
  if (Either.isLeft(verified)) {
    const expired = verified.left.kind === "expired"
    return Either.left(fail(400, "invalid_grant", expired ? "Token is not active" : "Invalid refresh token"))
  }
  const claims = verified.right
  if (claims.typ !== "Refresh" || typeof claims.sub !== "string") {
    return Either.left(fail(400, "invalid_grant", "Invalid refresh token"))
  }
  if (claims.azp !== client.clientId) {
    return Either.left(
      fail(400, "invalid_grant", "Invalid refresh token. Token client and authorized client don't match")
    )
  }
  const user = keycloak.store().userIn(realm, claims.sub)
  if (user === undefined) return Either.left(fail(400, "invalid_grant", "User not found"))
  if (!user.enabled) return Either.left(fail(400, "invalid_grant", "User disabled"))
  const sessionId = typeof claims.sid === "string" ? claims.sid : randomId()
  return Either.right({ user, tokens: await issueTokens(keycloak, realm, user, client, { refresh: true, sessionId }) })
}

const knownGrants = new Set(["password", "client_credentials", "refresh_token"])

/**
 * Answers a token request: the tokens, or a Keycloak error.
 *
 * @since 0.1.0
 * @category tokens
 */
export const token = async (
  keycloak: KeycloakPluginOptions,
  realmName: string,
  form: Form,
  authorization: string | undefined
): Promise<Either.Either<{ user: UserRecord; tokens: TokenResponse }, KeycloakError>> => {
  const realm = keycloak.store().realm(realmName)
  if (realm === undefined) return Either.left(realmDoesNotExist)
  const grantType = field(form, "grant_type")
  if (grantType === undefined || grantType === "") {
    return Either.left(fail(400, "invalid_request", "Missing form parameter: grant_type"))
  }
  // Keycloak checks the grant type before the client (`TokenEndpoint.processGrantRequest`).
  if (!knownGrants.has(grantType)) return Either.left(fail(400, "unsupported_grant_type", "Unsupported grant_type"))
  const client = authenticateClient(realm, form, authorization)
  if (Either.isLeft(client)) return Either.left(client.left)
  switch (grantType) {
    case "password":
      return passwordGrant(keycloak, realm, client.right, form)
    case "client_credentials":
      return clientCredentialsGrant(keycloak, realm, client.right)
    default:
      return refreshGrant(keycloak, realm, client.right, form)
  }
}

const sendError = (reply: FastifyReply, error: KeycloakError) =>
  reply
    .code(error.status)
    .header("Cache-Control", "no-store")
    .send(
      error === realmDoesNotExist
        ? { error: error.error }
        : { error: error.error, error_description: error.description }
    )

/**
 * Options of {@link keycloakPlugin}.
 *
 * @since 0.1.0
 * @category plugins
 */
export interface KeycloakPluginOptions {
  /** The current store (`reset` and `load` replace it). */
  readonly store: () => Store
  /** The key service, the clock and the issuer of a realm's tokens (the API's authentication checks the same). */
  readonly authentication: Authentication
  /** Access token lifespan, seconds. */
  readonly tokenLifespan: number
  /** Refresh token lifespan, seconds. */
  readonly refreshTokenLifespan: number
}

/**
 * The token, certs and discovery routes (register it with the prefix `/auth`).
 *
 * @since 0.1.0
 * @category plugins
 */
export const keycloakPlugin: FastifyPluginAsync<KeycloakPluginOptions> = async (app, keycloak) => {
  await app.register(formbody)
  // Keycloak reads form parameters only: any other body is no parameters at all.
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, _body, done) => done(null, {}))
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, _body, done) => done(null, {}))
  app.setErrorHandler(errorHandler({
    failed: "token request failed",
    serverError: (reply) => reply.code(500).send({ error: "unknown_error" }),
    clientError: (reply, status, message) =>
      reply.code(status).send({ error: "invalid_request", error_description: message })
  }))

  app.post<{ Params: { readonly realm: string } }>("/realms/:realm/protocol/openid-connect/token", {
    config: { operation: "token" }
  }, async (request, reply) => {
    const form: Form = request.body !== null && typeof request.body === "object" ? request.body as Form : {}
    const grantType = field(form, "grant_type")
    trafficOf(request).grantType = grantType === undefined
      ? undefined
      : knownGrants.has(grantType)
      ? grantType
      : "other"
    const result = await token(keycloak, request.params.realm, form, request.headers.authorization)
    if (Either.isLeft(result)) return sendError(reply, result.left)
    const { user } = result.right
    trafficOf(request).caller = { realm: user.realm, id: user.id, username: user.username }
    return reply.header("Cache-Control", "no-store").header("Pragma", "no-cache").send(result.right.tokens)
  })

  app.get<{ Params: { readonly realm: string } }>("/realms/:realm/protocol/openid-connect/certs", {
    config: { operation: "certs" }
  }, async (request, reply) => {
    if (keycloak.store().realm(request.params.realm) === undefined) return sendError(reply, realmDoesNotExist)
    return reply.send(await keycloak.authentication.tokens.jwks())
  })

  app.get<{ Params: { readonly realm: string } }>("/realms/:realm/.well-known/openid-configuration", {
    config: { operation: "openid-configuration" }
  }, async (request, reply) => {
    const realm = request.params.realm
    if (keycloak.store().realm(realm) === undefined) return sendError(reply, realmDoesNotExist)
    const base = keycloak.authentication.issuer(realm)
    return reply.send({
      issuer: base,
      authorization_endpoint: `${base}/protocol/openid-connect/auth`,
      token_endpoint: `${base}/protocol/openid-connect/token`,
      jwks_uri: `${base}/protocol/openid-connect/certs`,
      grant_types_supported: ["password", "client_credentials", "refresh_token"],
      response_types_supported: ["code", "token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
      claims_supported: [
        "iss",
        "sub",
        "aud",
        "exp",
        "iat",
        "nbf",
        "azp",
        "preferred_username",
        "realm_access",
        "resource_access"
      ],
      scopes_supported: ["openid", "profile", "email"]
    })
  })
}
