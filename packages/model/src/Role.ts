/**
 * The `Role` wire model: a role definition of a client, or a realm role (USER-API.md §5).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { optional } from "./internal/wire.js"

/**
 * A role definition. The server always writes `composite`, never sets `assigned`, and leaves
 * `compositeRoleIds` out when it is empty; it ignores `composite` and `assigned` in requests.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Role = Schema.Struct({
  id: optional(Schema.String),
  name: optional(Schema.String),
  description: optional(Schema.String),
  composite: optional(Schema.Boolean),
  assigned: optional(Schema.Boolean),
  compositeRoleIds: optional(Schema.Array(Schema.String))
}).annotations({ identifier: "Role" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Role extends Schema.Schema.Type<typeof Role> {}

/**
 * The JSON form of a `Role`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RoleEncoded extends Schema.Schema.Encoded<typeof Role> {}
