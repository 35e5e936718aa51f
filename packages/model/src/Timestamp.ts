/**
 * The timestamps of OpenRemote's user API (`User.createdOn`).
 *
 * The server writes timestamps as epoch milliseconds (numbers); the 1.27 OpenAPI document describes them as
 * ISO 8601 date-time strings. Both decode; encoding always writes epoch milliseconds, as the server does.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A point in time, decoded to a `DateTime.Utc` from epoch milliseconds or from an ISO 8601 date-time
 * string, and encoded to epoch milliseconds.
 *
 * @example
 * ```ts
 * import { Timestamp } from "@openremote-effect/model"
 * import { Schema } from "effect"
 *
 * const fromServer = Schema.decodeUnknownSync(Timestamp.Timestamp)(1700000000000)
 * const fromDocs = Schema.decodeUnknownSync(Timestamp.Timestamp)("2023-11-14T22:13:20.000Z")
 * Schema.encodeSync(Timestamp.Timestamp)(fromDocs) // 1700000000000
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Timestamp = Schema.Union(Schema.DateTimeUtcFromNumber, Schema.DateTimeUtc).annotations({
  identifier: "Timestamp",
  description: "epoch milliseconds (an ISO 8601 date-time string is also accepted)"
})

/**
 * @since 0.1.0
 * @category models
 */
export type Timestamp = typeof Timestamp.Type
