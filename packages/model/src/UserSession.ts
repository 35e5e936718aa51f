/**
 * The `UserSession` wire model: one live (MQTT) connection of a user (USER-API.md §4, §5).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { optional } from "./internal/wire.js"

/**
 * A user session. The server writes the session id as upper-case `ID`; the decoded value calls it `id`
 * (and encodes it back to `ID`).
 *
 * @example
 * ```ts
 * import { UserSession } from "@openremote-effect/model"
 * import { Schema } from "effect"
 *
 * const session = Schema.decodeUnknownSync(UserSession.UserSession)({
 *   ID: "c1", username: "bob", startTimeMillis: 1700000000000, remoteAddress: "/127.0.0.1:51234"
 * })
 * session.id // "c1"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserSession = Schema.Struct({
  id: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("ID")),
  username: optional(Schema.String),
  startTimeMillis: optional(Schema.Int),
  remoteAddress: optional(Schema.String)
}).annotations({ identifier: "UserSession" })

/**
 * @since 0.1.0
 * @category models
 */
export interface UserSession extends Schema.Schema.Type<typeof UserSession> {}

/**
 * The JSON form of a `UserSession`.
 *
 * @since 0.1.0
 * @category models
 */
export interface UserSessionEncoded extends Schema.Schema.Encoded<typeof UserSession> {}
