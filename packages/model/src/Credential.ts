/**
 * The `Credential` wire model: a new password for a user (USER-API.md §5).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { optional } from "./internal/wire.js"

/**
 * A password credential. `type` defaults to `"password"` on the server when left out; `value` is kept
 * `Redacted` so it is never printed; `temporary: true` makes the next password login fail until the user
 * changes it.
 *
 * @example
 * ```ts
 * import { Credential } from "@openremote-effect/model"
 * import { Redacted } from "effect"
 *
 * const credential: Credential.Credential = { type: "password", value: Redacted.make("s3cret!"), temporary: false }
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Credential = Schema.Struct({
  type: optional(Schema.String),
  value: optional(Schema.Redacted(Schema.String)),
  temporary: optional(Schema.Boolean)
}).annotations({ identifier: "Credential" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Credential extends Schema.Schema.Type<typeof Credential> {}

/**
 * The JSON form of a `Credential`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CredentialEncoded extends Schema.Schema.Encoded<typeof Credential> {}
