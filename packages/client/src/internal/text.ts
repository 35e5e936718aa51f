/**
 * Text helpers shared by the errors: body excerpts of at most 1 KiB, and scrubbing of secret values from
 * any text the client keeps (error bodies, decoding messages, transport descriptions).
 *
 * @internal
 */
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"

/**
 * The most bytes (UTF-8) of a response body an error keeps.
 *
 * @internal
 */
const maxBodyBytes = 1024

/**
 * What a secret value is replaced with.
 *
 * @internal
 */
const placeholder = "<redacted>"

const encoder = new TextEncoder()

/**
 * The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, never splitting a character.
 *
 * @internal
 */
const truncateUtf8 = (text: string, maxBytes: number): string => {
  if (encoder.encode(text).length <= maxBytes) {
    return text
  }
  let out = ""
  let bytes = 0
  for (const character of text) {
    const size = encoder.encode(character).length
    if (bytes + size > maxBytes) {
      break
    }
    out += character
    bytes += size
  }
  return out
}

/**
 * A secret given as a string or a `Redacted` string.
 *
 * @internal
 */
export type Secret = string | Redacted.Redacted<string> | undefined

const reveal = (secret: Secret): string | undefined =>
  secret === undefined ? undefined : Redacted.isRedacted(secret) ? Redacted.value(secret) : secret

/**
 * `text` with every occurrence of every secret replaced by {@link placeholder}. Longer secrets are replaced
 * first, so a secret that contains another is still removed whole.
 *
 * @internal
 */
export const scrub = (text: string, secrets: ReadonlyArray<Secret>): string =>
  secrets
    .map(reveal)
    .filter((secret): secret is string => secret !== undefined && secret.length > 0)
    .sort((a, b) => b.length - a.length)
    .reduce((out, secret) => out.split(secret).join(placeholder), text)

/**
 * The excerpt of a body an error keeps: secrets scrubbed first (so that no part of one survives), then
 * truncated to {@link maxBodyBytes}.
 *
 * @internal
 */
export const excerpt = (text: string, secrets: ReadonlyArray<Secret>): string =>
  truncateUtf8(scrub(text, secrets), maxBodyBytes)

const secretKeys: ReadonlySet<string> = new Set([
  "secret",
  "password",
  "client_secret",
  "access_token",
  "refresh_token",
  "id_token"
])

/**
 * The secret values found in a decoded JSON value or a request argument: the values of `Redacted`s and the
 * primitive values under keys that name a secret (`secret`, `password`, `client_secret`, `access_token`,
 * `refresh_token`, `id_token`), at any depth.
 *
 * @internal
 */
export const collectSecrets = (value: unknown): Array<string> => {
  const found: Array<string> = []
  const seen = new Set<unknown>()
  const visit = (u: unknown, underSecretKey: boolean): void => {
    if (Redacted.isRedacted(u)) {
      const inner: unknown = Redacted.value(u)
      if (typeof inner === "string") found.push(inner)
      return
    }
    if (typeof u === "string" || typeof u === "number" || typeof u === "bigint") {
      if (underSecretKey) found.push(String(u))
      return
    }
    if (!Predicate.isObject(u) || seen.has(u)) {
      return
    }
    seen.add(u)
    if (Array.isArray(u)) {
      for (const item of u) visit(item, underSecretKey)
      return
    }
    for (const [key, item] of Object.entries(u)) {
      visit(item, secretKeys.has(key.toLowerCase()))
    }
  }
  visit(value, false)
  return found
}

/**
 * A short description of a failure's cause (an `Error`'s message and its own cause's message), for
 * transport failures.
 *
 * @internal
 */
export const describeCause = (cause: unknown): string => {
  if (cause instanceof Error) {
    const inner: unknown = cause.cause
    return inner instanceof Error && inner.message !== "" ? `${cause.message}: ${inner.message}` : cause.message
  }
  return typeof cause === "string" ? cause : "unknown cause"
}
