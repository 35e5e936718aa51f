/**
 * Short, plain-text descriptions of decoding failures that name the offending field, such as
 * `usernames[0].predicateType: is missing`. The simulator answers bad request bodies with them.
 *
 * @since 0.1.0
 */
import * as Arr from "effect/Array"
import * as ParseResult from "effect/ParseResult"

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (out, key) => typeof key === "number" ? `${out}[${key}]` : out === "" ? String(key) : `${out}.${String(key)}`,
    ""
  )

/**
 * One line per problem, `field.path: message` (just the message for a problem at the top level), without
 * duplicates.
 *
 * @example
 * ```ts
 * import { ParseMessage, User } from "@openremote-effect/model"
 * import { Either, Schema } from "effect"
 *
 * const result = Schema.decodeUnknownEither(User.User)({ enabled: "yes" })
 * if (Either.isLeft(result)) ParseMessage.format(result.left) // 'enabled: Expected boolean, actual "yes"'
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const format = (error: ParseResult.ParseError): string =>
  Arr.dedupe(
    ParseResult.ArrayFormatter.formatErrorSync(error).map(({ message, path }) => {
      const at = formatPath(path)
      return at === "" ? message : `${at}: ${message}`
    })
  ).join("\n")
