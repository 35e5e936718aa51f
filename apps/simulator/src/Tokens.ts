/**
 * The simulated Keycloak's keys and tokens: an RS256 key pair generated with WebCrypto at start-up (in the
 * background: signing and verification wait for it), signing and verification with `jose` against the
 * simulator's clock (signature, `alg`, issuer, `exp`, `nbf`), and the JWKS the `certs` endpoint serves.
 * Verified tokens are cached by their text; a cache hit checks the expiry, the not-before time and the issuer
 * again, so a cached token still expires on time.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as jose from "jose"
import { createHash } from "node:crypto"
import { generateRs256KeyPair } from "./internal/keyPair.js"

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
 * The kinds of refusal: `expired` (`exp` passed), `not-yet-valid` (`nbf` ahead), `wrong-issuer`, or `invalid`
 * (anything else: a bad signature, another algorithm, a token that cannot be read, no `exp`).
 *
 * @since 0.1.0
 * @category models
 */
export type RejectionKind = "expired" | "not-yet-valid" | "wrong-issuer" | "invalid"

/**
 * Why a token was refused: its `kind`, and a `reason` for logs. Never contains the token.
 *
 * @since 0.1.0
 * @category models
 */
export interface Rejected {
  readonly _tag: "Rejected"
  readonly kind: RejectionKind
  readonly reason: string
}

/**
 * What a token is verified against: the issuer it must name and the time, epoch ms.
 *
 * @since 0.1.0
 * @category models
 */
export interface VerifyOptions {
  readonly issuer: string
  readonly now: number
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
  readonly verify: (token: string, options: VerifyOptions) => Promise<Either.Either<Claims, Rejected>>
  /**
   * The answer `verify` would give for a token verified before (the cached claims checked again against
   * `issuer` and `now`), without waiting; undefined when the token is not in the cache.
   */
  readonly verifyCached: (token: string, options: VerifyOptions) => Either.Either<Claims, Rejected> | undefined
  /** The public key as a JWK set. */
  readonly jwks: () => Promise<jose.JSONWebKeySet>
  /** Forgets every cached verification. */
  readonly clearCache: () => void
}

/**
 * A fresh RS256 key pair (2048 bits, extractable; what `jose.generateKeyPair("RS256")` gives), generated in
 * libuv's thread pool.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateKeyPair = (): Promise<KeyPair> => generateRs256KeyPair()

const rejected = (kind: RejectionKind, reason: string): Either.Either<Claims, Rejected> =>
  Either.left({ _tag: "Rejected", kind, reason })

/** jose compares whole seconds: a token is expired once `floor(now / 1000) >= exp`. */
const timeProblem = (claims: Claims, now: number): Either.Either<Claims, Rejected> | undefined => {
  const seconds = Math.floor(now / 1000)
  if (typeof claims.exp !== "number") return rejected("invalid", "the token has no expiry")
  if (claims.exp <= seconds) return rejected("expired", "the token has expired")
  if (typeof claims.nbf === "number" && claims.nbf > seconds) {
    return rejected("not-yet-valid", "the token is not valid yet")
  }
  return undefined
}

/** The cache key of a token: its last 43 characters, the last 32 bytes of an RS256 signature in base64url. */
const cacheKey = (token: string) => token.slice(-43)

/** The kind of a jose verification failure. */
const kindOf = (error: jose.errors.JOSEError): RejectionKind => {
  if (error instanceof jose.errors.JWTExpired) return "expired"
  if (error instanceof jose.errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return "not-yet-valid"
    if (error.claim === "iss") return "wrong-issuer"
  }
  return "invalid"
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
  // Keyed by the token's last characters (its signature's), holding the whole token: hashing a fresh 800-character
  // string on every request was a measurable share of a cached verification (the profile of getUser under
  // load); comparing two strings is not.
  const cache = new Map<string, { readonly token: string; readonly claims: Claims }>()
  let jwk: Promise<jose.JWK> | undefined
  const publicJwk = () =>
    jwk ??= keyPair.then(async ({ publicKey }) => {
      const exported = await jose.exportJWK(publicKey)
      const kid = createHash("sha256").update(exported.n ?? "").digest("base64url").slice(0, 32)
      return { ...exported, kid, alg: "RS256", use: "sig" }
    })
  const keyId = async () => (await publicJwk()).kid!
  const verifyCached = (token: string, { issuer, now }: VerifyOptions) => {
    const entry = cache.get(cacheKey(token))
    if (entry === undefined || entry.token !== token) return undefined
    const cached = entry.claims
    if (cached.iss !== issuer) return rejected("wrong-issuer", "the token has another issuer")
    return timeProblem(cached, now) ?? Either.right(cached)
  }
  return {
    keyId,
    sign: async (claims) => {
      const { privateKey } = await keyPair
      return new jose.SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT", kid: await keyId() }).sign(
        privateKey
      )
    },
    verifyCached,
    verify: async (token, { issuer, now }) => {
      const cached = verifyCached(token, { issuer, now })
      if (cached !== undefined) return cached
      const { publicKey } = await keyPair
      try {
        const { payload } = await jose.jwtVerify(token, publicKey, {
          algorithms: ["RS256"],
          issuer,
          currentDate: new Date(now),
          requiredClaims: ["exp"]
        })
        if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!)
        cache.set(cacheKey(token), { token, claims: payload })
        return Either.right(payload)
      } catch (error) {
        return error instanceof jose.errors.JOSEError
          ? rejected(kindOf(error), error.code)
          : rejected("invalid", "the token cannot be read")
      }
    },
    jwks: async () => ({ keys: [await publicJwk()] }),
    clearCache: () => cache.clear()
  }
}
