/**
 * The `User` wire model (USER-API.md §5) and the username rules the server applies when a user is created.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { optional } from "./internal/wire.js"
import { Timestamp } from "./Timestamp.js"

/**
 * The name of a user attribute: any string but `__proto__`, which a JavaScript object cannot hold as an
 * ordinary key. An attribute of that name is dropped on decoding, so it can never replace the decoded
 * object's prototype (as it would with a plain string key).
 *
 * @since 0.1.0
 * @category schemas
 */
export const AttributeName = Schema.String.pipe(
  Schema.filter((name) => name !== "__proto__", {
    message: () => "an attribute may not be named \"__proto__\""
  }),
  Schema.annotations({ identifier: "AttributeName" })
)

/**
 * A user as OpenRemote's user API sends and receives it.
 *
 * Every field is optional: a create request may carry only a `username`, and the server leaves out what it
 * has not got. Unknown fields are ignored on decoding; `null` decodes as absent. `createdOn` decodes from
 * epoch milliseconds (or an ISO date-time string) and encodes to epoch milliseconds. `secret` (present for
 * service users only) is kept `Redacted`, so printing or logging a user never shows it. Responses carry
 * service users' usernames without the `service-account-` prefix.
 *
 * @example
 * ```ts
 * import { User } from "@openremote-effect/model"
 * import { Schema } from "effect"
 *
 * const user = Schema.decodeUnknownSync(User.User)({ id: "u1", username: "bob", createdOn: 1700000000000 })
 * Schema.encodeSync(User.User)({ username: "alice", enabled: true })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const User = Schema.Struct({
  realm: optional(Schema.String),
  realmId: optional(Schema.String),
  id: optional(Schema.String),
  username: optional(Schema.String),
  firstName: optional(Schema.String),
  lastName: optional(Schema.String),
  email: optional(Schema.String),
  enabled: optional(Schema.Boolean),
  createdOn: optional(Timestamp),
  secret: optional(Schema.Redacted(Schema.String)),
  attributes: optional(Schema.Record({ key: AttributeName, value: Schema.Array(Schema.String) })),
  serviceAccount: optional(Schema.Boolean)
}).annotations({ identifier: "User" })

/**
 * @since 0.1.0
 * @category models
 */
export interface User extends Schema.Schema.Type<typeof User> {}

/**
 * The JSON form of a `User`.
 *
 * @since 0.1.0
 * @category models
 */
export interface UserEncoded extends Schema.Schema.Encoded<typeof User> {}

/**
 * The characters the server refuses in a username, besides whitespace and control characters.
 *
 * @since 0.1.0
 * @category constants
 */
export const forbiddenUsernameCharacters = "<>&\"'$%!#?§,;:*~/\\|^=[]{}()`"

const forbidden = new Set(forbiddenUsernameCharacters)
const latinOrCommon = /^[\p{Script=Latin}\p{Script=Common}]+$/u
const whitespaceOrControl = /[\s\p{Cc}]/u

/**
 * Why the server would refuse `username` when creating a user, or `undefined` when it is acceptable:
 * 3 to 255 characters, only characters of the Latin or Common Unicode scripts, none of
 * {@link forbiddenUsernameCharacters}, no whitespace and no control characters.
 *
 * @since 0.1.0
 * @category validation
 */
export const usernameProblem = (username: string): string | undefined => {
  const length = [...username].length
  if (length < 3 || length > 255) {
    return `must be 3 to 255 characters long, got ${length}`
  }
  if (!latinOrCommon.test(username)) {
    return "may only contain characters of the Latin or Common Unicode scripts"
  }
  if (whitespaceOrControl.test(username)) {
    return "may not contain whitespace or control characters"
  }
  const bad = [...username].find((c) => forbidden.has(c))
  if (bad !== undefined) {
    return `may not contain ${JSON.stringify(bad)}`
  }
  return undefined
}

/**
 * A username the server accepts on create (see {@link usernameProblem}).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Username = Schema.String.pipe(
  Schema.filter((username) => {
    const problem = usernameProblem(username)
    return problem === undefined ? true : `username ${problem}`
  }),
  Schema.annotations({ identifier: "Username" })
)

/**
 * The longest first or last name the server stores.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxNameLength = 127
