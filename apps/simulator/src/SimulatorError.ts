/**
 * The errors the simulator's programmatic API throws: bad input (a seed, a fault, a session, a mail server
 * or a clock step that does not validate) and references to things that do not exist. Over HTTP the control
 * plane answers them with 400 and 404, with the same message as plain text.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * Input that does not validate. The message names the bad field, e.g.
 * `realms[0].users[1].username: username may not contain "!"`; it never contains a password or secret.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  message: Schema.String
}) {}

/**
 * A realm, user or session that does not exist.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  message: Schema.String
}) {}
