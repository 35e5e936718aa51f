/**
 * Password hashes and secret fingerprints. The store never keeps a password, and snapshots never show a
 * password or a client secret: they show a salted SHA-256 instead, which changes whenever the value does.
 * (SHA-256 is fast on purpose: this is a simulator, seeded with up to 100k users.)
 *
 * @internal
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto"

/**
 * A stored password: salt and salted hash, and whether the user must change it before logging in.
 *
 * @internal
 */
export interface StoredPassword {
  readonly salt: string
  readonly hash: string
  readonly temporary: boolean
}

const digest = (salt: string, value: string): string => createHash("sha256").update(salt).update(value).digest("hex")

/**
 * A salted hash of `password`, with a random salt unless one is given.
 *
 * @internal
 */
export const hashPassword = (
  password: string,
  temporary: boolean,
  salt: string = randomBytes(16).toString("hex")
): StoredPassword => ({ salt, hash: digest(salt, password), temporary })

/**
 * Whether `candidate` is the stored password, compared in constant time.
 *
 * @internal
 */
export const verifyPassword = (stored: StoredPassword, candidate: string): boolean =>
  timingSafeEqual(Buffer.from(digest(stored.salt, candidate), "hex"), Buffer.from(stored.hash, "hex"))

/**
 * Whether two secrets are equal, compared in constant time.
 *
 * @internal
 */
export const secretsEqual = (a: string, b: string): boolean =>
  timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest())

/**
 * A fingerprint of a secret under a per-simulator salt: equal secrets give equal fingerprints within one
 * simulator, and the secret cannot be read back from it.
 *
 * @internal
 */
export const fingerprint = (salt: string, secret: string): string => digest(salt, secret)

/**
 * A fresh salt for {@link fingerprint}.
 *
 * @internal
 */
export const makeSalt = (): string => randomBytes(16).toString("hex")
