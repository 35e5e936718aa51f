/**
 * Identifiers: UUIDs derived from names for everything a seed defines (so `reset()` gives the same ids
 * every time), random UUIDs for everything created at run time, and Keycloak-like client secrets.
 *
 * @internal
 */
import { createHash, randomBytes, randomUUID } from "node:crypto"

/**
 * A UUID (version 5 layout) derived from `parts`: the same parts always give the same id.
 *
 * @internal
 */
export const derivedId = (...parts: ReadonlyArray<string>): string => {
  const bytes = createHash("sha1").update(parts.join("\u0000")).digest().subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x50
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString("hex")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * A random UUID, as Keycloak gives every new user, client and role.
 *
 * @internal
 */
export const randomId = (): string => randomUUID()

const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/**
 * A new client secret: 32 alphanumeric characters (USER-API.md §4, reset_secret).
 *
 * @internal
 */
export const generateSecret = (): string => {
  let secret = ""
  while (secret.length < 32) {
    for (const byte of randomBytes(48)) {
      // 248 = 4 * 62: rejecting the bytes above it keeps every character equally likely.
      if (byte < 248 && secret.length < 32) secret += alphanumeric[byte % 62]
    }
  }
  return secret
}
