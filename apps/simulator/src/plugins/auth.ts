/**
 * Authentication of API requests: the `Authorization` header becomes the verified caller, or none. No
 * header means an anonymous caller; anything else must be `Bearer <token>` with a token that passes every
 * check of the real server (USER-API.md §2), else the request ends here with 401 `text/plain`:
 *
 * - an RS256 signature by this simulator's key (`alg: none`, other algorithms and tampered tokens fail);
 * - `exp` and `nbf` against the simulator's clock;
 * - issuer exactly `{public Keycloak URL}/realms/{request realm}`, so another realm's token fails;
 * - `typ: "Bearer"` (a refresh token is not an access token);
 * - for the `openremote` client: `azp` is `openremote`, or `aud` contains it, or `preferred_username` starts
 *   with `service-account-`.
 *
 * As with Keycloak, a token stays valid until it expires: deleting or disabling its user, or changing the
 * user's roles, affects the next token, not this one.
 *
 * @since 0.1.0
 */
import { StandardRoles } from "@openremote-effect/model"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { FastifyReply, onRequestHookHandler } from "fastify"
import fastifyPlugin from "fastify-plugin"
import type { Clock } from "../Clock.js"
import type { Caller } from "../internal/caller.js"
import { headerSafe, journalCaller } from "../internal/fastify.js"
import { sendText } from "../internal/reply.js"
import type * as Tokens from "../Tokens.js"
import { trafficOf } from "./traffic.js"

declare module "fastify" {
  interface FastifyRequest {
    /** The verified caller of an API request; null when anonymous. */
    caller: Caller | null
  }
}

/**
 * The verified caller of an API request.
 *
 * @since 0.1.0
 * @category models
 */
export type { Caller }

const Roles = Schema.Struct({ roles: Schema.Array(Schema.String) })

/**
 * The claims an access token must carry.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AccessTokenClaims = Schema.Struct({
  iss: Schema.String,
  sub: Schema.String,
  typ: Schema.Literal("Bearer"),
  preferred_username: Schema.String,
  azp: Schema.optional(Schema.String),
  aud: Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String))),
  realm_access: Schema.optional(Roles),
  resource_access: Schema.optional(Schema.Record({ key: Schema.String, value: Roles }))
})

const decodeClaims = Schema.decodeUnknownEither(AccessTokenClaims)

const bearer = /^Bearer +([A-Za-z0-9\-_.~+/]+=*) *$/i

/**
 * What the authentication needs: the key service, the clock, and the issuer of a realm's tokens.
 *
 * @since 0.1.0
 * @category models
 */
export interface Authentication {
  readonly tokens: Tokens.Tokens
  readonly clock: Clock
  /** The issuer a realm's tokens must name: `{public Keycloak URL}/realms/{realm}`. */
  readonly issuer: (realm: string) => string
}

type Authenticated = Either.Either<Caller | null, string>

/** The caller of verified claims (or why they are refused), derived once per token and cached. */
const fromVerified = (verified: Either.Either<Tokens.Claims, Tokens.Rejected>, requestRealm: string): Authenticated => {
  if (Either.isLeft(verified)) return Either.left(verified.left.reason)
  // Verified claims are cached by token (one object per token); so is what they stand for. The request realm
  // is the issuer's, which the verification checked, so it is the same for every use of the claims.
  let caller = callers.get(verified.right)
  if (caller === undefined) {
    caller = callerOf(verified.right, requestRealm)
    callers.set(verified.right, caller)
  }
  return caller
}

/**
 * The caller of a request without waiting, when that is possible (no header, not a bearer token, or a token
 * verified before); otherwise the token and what to verify it against.
 */
const authenticateNow = (
  authentication: Authentication,
  requestRealm: string,
  authorization: string | undefined
): Authenticated | { readonly token: string; readonly options: Tokens.VerifyOptions } => {
  if (authorization === undefined) return Either.right(null)
  const options = { issuer: authentication.issuer(requestRealm), now: authentication.clock.now() }
  // The usual header, `Bearer <a token verified before>`, is answered from the cache without running the
  // header's pattern over the token's 1,500 characters; anything else (other spacing or case, a new token)
  // goes through the pattern first.
  if (authorization.startsWith("Bearer ")) {
    const cached = authentication.tokens.verifyCached(authorization.slice(7), options)
    if (cached !== undefined) return fromVerified(cached, requestRealm)
  }
  const token = bearer.exec(authorization)?.[1]
  if (token === undefined) return Either.left("the Authorization header is not a bearer token")
  const cached = authentication.tokens.verifyCached(token, options)
  return cached === undefined ? { token, options } : fromVerified(cached, requestRealm)
}

/**
 * The caller a verified token stands for, or why it is refused.
 *
 * @since 0.1.0
 * @category authentication
 */
export const authenticate = async (
  authentication: Authentication,
  requestRealm: string,
  authorization: string | undefined
): Promise<Authenticated> => {
  const now = authenticateNow(authentication, requestRealm, authorization)
  if (Either.isEither(now)) return now
  return fromVerified(await authentication.tokens.verify(now.token, now.options), requestRealm)
}

const callers = new WeakMap<object, Authenticated>()

const callerOf = (verified: unknown, requestRealm: string): Authenticated => {
  const claims = decodeClaims(verified)
  if (Either.isLeft(claims)) return Either.left("the token is not an access token")
  const { aud, azp, preferred_username, realm_access, resource_access, sub } = claims.right
  const audience = aud === undefined ? [] : typeof aud === "string" ? [aud] : aud
  if (
    azp !== StandardRoles.openremoteClient && !audience.includes(StandardRoles.openremoteClient) &&
    !preferred_username.startsWith(StandardRoles.serviceAccountPrefix)
  ) {
    return Either.left("the token is not for the openremote client")
  }
  const realmRoles = new Set(realm_access?.roles ?? [])
  return Either.right({
    realm: requestRealm,
    id: sub,
    username: preferred_username,
    clientId: azp,
    realmRoles,
    clientRoles: new Map(Object.entries(resource_access ?? {}).map(([client, { roles }]) => [client, new Set(roles)])),
    superUser: requestRealm === StandardRoles.masterRealm && realmRoles.has(StandardRoles.superUserRole)
  })
}

/**
 * The 401 of an invalid token: `text/plain`, with a `WWW-Authenticate` challenge; never the token.
 *
 * @since 0.1.0
 * @category authentication
 */
export const unauthorized = (reply: FastifyReply, realm: string) =>
  sendText(
    reply.header(
      "WWW-Authenticate",
      headerSafe(`Bearer realm="${realm.replace(/["\\]/g, "")}", error="invalid_token"`)
    ),
    401,
    "Unauthorized: the bearer token is invalid (bad signature, expired, wrong issuer, realm or client)"
  )

/**
 * Options of {@link authPlugin}.
 *
 * @since 0.1.0
 * @category plugins
 */
export interface AuthPluginOptions extends Record<string, unknown> {
  readonly authentication: Authentication
}

/**
 * Sets `request.caller` on every route of the context that registers it (not encapsulated), answering 401
 * for an invalid token. Routes must have a `:requestRealm` parameter. A token verified before is checked
 * without waiting (a callback hook, no promise): the common case of a client reusing its token.
 *
 * @since 0.1.0
 * @category plugins
 */
export const authPlugin = fastifyPlugin<AuthPluginOptions>(async (app, { authentication }) => {
  app.decorateRequest("caller", null)
  const onRequest: onRequestHookHandler = (request, reply, done) => {
    const realm = (request.params as { readonly requestRealm?: string }).requestRealm ?? ""
    const finish = (result: Authenticated) => {
      if (Either.isLeft(result)) {
        request.log.debug({ reason: result.left }, "bearer token refused")
        return void unauthorized(reply, realm)
      }
      request.caller = result.right
      trafficOf(request).caller = journalCaller(result.right)
      done()
    }
    const now = authenticateNow(authentication, realm, request.headers.authorization)
    if (Either.isEither(now)) return finish(now)
    authentication.tokens.verify(now.token, now.options).then((verified) => finish(fromVerified(verified, realm)), done)
  }
  app.addHook("onRequest", onRequest)
}, { name: "openremote-simulator-auth", fastify: "5.x" })
