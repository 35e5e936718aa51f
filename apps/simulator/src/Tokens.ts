/**
 * The simulated Keycloak's keys and tokens: an RS256 key pair generated with `jose` at start-up, signing,
 * verification against the simulator's clock (signature, `alg`, issuer, `exp`, `nbf`), and the JWKS the
 * `certs` endpoint serves. Verified tokens are cached by their text; a cache hit checks the expiry, the
 * not-before time and the issuer again, so a cached token still expires on time.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as jose from "jose"
import { createHash } from "node:crypto"

/**
 * An RS256 key pair.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyPair {
  readonly publicKey: jose.CryptoKey
  readonly privateKey: jose.CryptoKey
}

/**
 * The claims of a token, as signed.
 *
 * @since 0.1.0
 * @category models
 */
export type Claims = jose.JWTPayload & { readonly [claim: string]: unknown }

/**
 * Why a token was refused. Never contains the token.
 *
 * @since 0.1.0
 * @category models
 */
export interface Rejected {
  readonly _tag: "Rejected"
  readonly reason: string
}

/**
 * The key service of one simulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tokens {
  /** The key id in every token's header and in the JWKS. */
  readonly keyId: () => Promise<string>
  /** Signs `claims` (which must hold `iat` and `exp`) with RS256. */
  readonly sign: (claims: Claims) => Promise<string>
  /**
   * Verifies a token: RS256 signature by this simulator's key, issuer exactly `issuer`, `exp` and `nbf`
   * against `now` (epoch ms). The claims, or why the token was refused.
   */
  readonly verify: (token: string, options: { readonly issuer: string; readonly now: number }) => Promise<
    Either.Either<Claims, Rejected>
  >
  /** The public key as a JWK set. */
  readonly jwks: () => Promise<jose.JSONWebKeySet>
  /** Forgets every cached verification. */
  readonly clearCache: () => void
}

/**
 * A fresh RS256 key pair.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateKeyPair = (): Promise<KeyPair> => jose.generateKeyPair("RS256", { extractable: true })

const rejected = (reason: string): Either.Either<Claims, Rejected> => Either.left({ _tag: "Rejected", reason })

/** jose compares whole seconds: a token is expired once `floor(now / 1000) >= exp`. */
const timeProblem = (claims: Claims, now: number): string | undefined => {
  const seconds = Math.floor(now / 1000)
  if (typeof claims.exp !== "number") return "the token has no expiry"
  if (claims.exp <= seconds) return "the token has expired"
  if (typeof claims.nbf === "number" && claims.nbf > seconds) return "the token is not valid yet"
  return undefined
}

/**
 * The key service, with the given key pair or a new one. Keeps at most `cacheSize` verified tokens (1000 by
 * default), forgetting the oldest first.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: {
  readonly keyPair?: KeyPair | Promise<KeyPair> | undefined
  readonly cacheSize?: number | undefined
}): Tokens => {
  const keyPair = Promise.resolve(options?.keyPair ?? generateKeyPair())
  // Never an unhandled rejection: the failure surfaces on first use.
  keyPair.catch(() => undefined)
  const cacheSize = options?.cacheSize ?? 1000
  const cache = new Map<string, Claims>()
  let jwk: Promise<jose.JWK> | undefined
  const publicJwk = () =>
    jwk ??= keyPair.then(async ({ publicKey }) => {
      const exported = await jose.exportJWK(publicKey)
      const kid = createHash("sha256").update(exported.n ?? "").digest("base64url").slice(0, 32)
      return { ...exported, kid, alg: "RS256", use: "sig" }
    })
  const keyId = async () => (await publicJwk()).kid!
  return {
    keyId,
    sign: async (claims) => {
      const { privateKey } = await keyPair
      return new jose.SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT", kid: await keyId() }).sign(
        privateKey
      )
    },
    verify: async (token, { issuer, now }) => {
      const cached = cache.get(token)
      if (cached !== undefined) {
        if (cached.iss !== issuer) return rejected("the token has another issuer")
        const problem = timeProblem(cached, now)
        return problem === undefined ? Either.right(cached) : rejected(problem)
      }
      const { publicKey } = await keyPair
      try {
        const { payload } = await jose.jwtVerify(token, publicKey, {
          algorithms: ["RS256"],
          issuer,
          currentDate: new Date(now),
          requiredClaims: ["exp"]
        })
        if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!)
        cache.set(token, payload)
        return Either.right(payload)
      } catch (error) {
        return rejected(error instanceof jose.errors.JOSEError ? error.code : "the token cannot be read")
      }
    },
    jwks: async () => ({ keys: [await publicJwk()] }),
    clearCache: () => cache.clear()
  }
}
