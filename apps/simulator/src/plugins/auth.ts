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
import type { FastifyReply, FastifyRequest } from "fastify"
import fastifyPlugin from "fastify-plugin"
import type { Caller } from "../internal/caller.js"
import { headerSafe, journalCaller, meta } from "../internal/fastify.js"
import { sendText } from "../internal/reply.js"
import type { State } from "../internal/state.js"
import { issuer } from "../internal/state.js"

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
 * The caller a verified token stands for, or why it is refused.
 *
 * @since 0.1.0
 * @category authentication
 */
export const authenticate = async (
  state: State,
  requestRealm: string,
  authorization: string | undefined
): Promise<Either.Either<Caller | null, string>> => {
  if (authorization === undefined) return Either.right(null)
  const token = bearer.exec(authorization)?.[1]
  if (token === undefined) return Either.left("the Authorization header is not a bearer token")
  const verified = await state.tokens.verify(token, { issuer: issuer(state, requestRealm), now: state.clock.now() })
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

const callers = new WeakMap<object, Either.Either<Caller, string>>()

const callerOf = (verified: unknown, requestRealm: string): Either.Either<Caller, string> => {
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
  readonly state: State
}

/**
 * Sets `request.caller` on every route of the context that registers it (not encapsulated), answering 401
 * for an invalid token. Routes must have a `:requestRealm` parameter.
 *
 * @since 0.1.0
 * @category plugins
 */
export const authPlugin = fastifyPlugin<AuthPluginOptions>(async (app, { state }) => {
  app.decorateRequest("caller", null)
  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    const realm = (request.params as { readonly requestRealm?: string }).requestRealm ?? ""
    const result = await authenticate(state, realm, request.headers.authorization)
    if (Either.isLeft(result)) {
      request.log.debug({ reason: result.left }, "bearer token refused")
      return unauthorized(reply, realm)
    }
    request.caller = result.right
    meta(request).caller = journalCaller(result.right)
  })
}, { name: "openremote-simulator-auth", fastify: "5.x" })
