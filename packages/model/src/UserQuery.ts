/**
 * The `UserQuery` wire model of `queryUsers` and its parts: realm, path, string and attribute predicates,
 * the select and the order-by (USER-API.md §5, §6).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { caseInsensitiveLiteral, optional } from "./internal/wire.js"

/**
 * Restricts a query to one realm.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RealmPredicate = Schema.Struct({
  name: optional(Schema.String)
}).annotations({ identifier: "RealmPredicate" })

/**
 * @since 0.1.0
 * @category models
 */
export interface RealmPredicate extends Schema.Schema.Type<typeof RealmPredicate> {}

/**
 * Restricts a query to users linked to assets under an asset path.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PathPredicate = Schema.Struct({
  path: optional(Schema.Array(Schema.String))
}).annotations({ identifier: "PathPredicate" })

/**
 * @since 0.1.0
 * @category models
 */
export interface PathPredicate extends Schema.Schema.Type<typeof PathPredicate> {}

/**
 * How a {@link StringPredicate} compares: `EXACT` (the server's default), `BEGIN`, `END` or `CONTAINS`.
 * Any case decodes, as on the server.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StringMatch = caseInsensitiveLiteral("StringMatch", "EXACT", "BEGIN", "END", "CONTAINS")

/**
 * @since 0.1.0
 * @category models
 */
export type StringMatch = typeof StringMatch.Type

const stringPredicateFields = {
  match: optional(StringMatch),
  caseSensitive: optional(Schema.Boolean),
  value: optional(Schema.String),
  negate: optional(Schema.Boolean)
}

/**
 * A string comparison. On the wire it is a subtype of OpenRemote's `ValuePredicate` and must carry
 * `predicateType: "string"`, without which the server fails to read the request (the seed's Python client
 * and the 1.27 OpenAPI document leave it out). Here the decoded value has no `predicateType`; encoding
 * always writes it, and decoding requires it. `match` defaults to `EXACT` and `caseSensitive` to `true` on
 * the server.
 *
 * @example
 * ```ts
 * import { UserQuery } from "@openremote-effect/model"
 * import { Schema } from "effect"
 *
 * Schema.encodeSync(UserQuery.StringPredicate)({ value: "bob", match: "BEGIN" })
 * // { predicateType: "string", value: "bob", match: "BEGIN" }
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const StringPredicate = Schema.transform(
  Schema.Struct({
    predicateType: Schema.propertySignature(Schema.Literal("string")).annotations({
      missingMessage: () => "is missing: a StringPredicate must carry predicateType: \"string\""
    }),
    ...stringPredicateFields
  }),
  Schema.typeSchema(Schema.Struct(stringPredicateFields)),
  {
    strict: true,
    decode: ({ predicateType: _, ...predicate }) => predicate,
    encode: (predicate) => ({ predicateType: "string" as const, ...predicate })
  }
).annotations({ identifier: "StringPredicate" })

/**
 * @since 0.1.0
 * @category models
 */
export interface StringPredicate extends Schema.Schema.Type<typeof StringPredicate> {}

/**
 * A condition on a user's attributes: an attribute whose name (and, if given, one of whose values) matches;
 * `negated` means the user has no such attribute.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AttributeValuePredicate = Schema.Struct({
  negated: optional(Schema.Boolean),
  name: optional(StringPredicate),
  value: optional(StringPredicate)
}).annotations({ identifier: "AttributeValuePredicate" })

/**
 * @since 0.1.0
 * @category models
 */
export interface AttributeValuePredicate extends Schema.Schema.Type<typeof AttributeValuePredicate> {}

/**
 * What a query returns: `basic: true` asks for basic results (no `email`, `realmId`, `secret` or
 * `attributes`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Select = Schema.Struct({
  basic: optional(Schema.Boolean)
}).annotations({ identifier: "Select" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Select extends Schema.Schema.Type<typeof Select> {}

/**
 * The properties a query can order by. The real server fails with 500 on `CREATED_ON` (USER-API.md §6).
 *
 * @since 0.1.0
 * @category schemas
 */
export const OrderByProperty = caseInsensitiveLiteral(
  "OrderByProperty",
  "CREATED_ON",
  "FIRST_NAME",
  "LAST_NAME",
  "USERNAME",
  "EMAIL"
)

/**
 * @since 0.1.0
 * @category models
 */
export type OrderByProperty = typeof OrderByProperty.Type

/**
 * The order of a query's results. Without it the order is unspecified.
 *
 * @since 0.1.0
 * @category schemas
 */
export const OrderBy = Schema.Struct({
  property: optional(OrderByProperty),
  descending: optional(Schema.Boolean)
}).annotations({ identifier: "OrderBy" })

/**
 * @since 0.1.0
 * @category models
 */
export interface OrderBy extends Schema.Schema.Type<typeof OrderBy> {}

/**
 * The body of `queryUsers`. Top-level filters are ANDed; `usernames` (and `serviceUsers`) form one OR group,
 * `clientRoles` and `realmRoles` another; `limit` and `offset` apply only when greater than 0
 * (USER-API.md §6).
 *
 * @example
 * ```ts
 * import type { UserQuery } from "@openremote-effect/model"
 *
 * const query: UserQuery.UserQuery = {
 *   realmPredicate: { name: "smartcity" },
 *   usernames: [{ value: "sensor-", match: "BEGIN" }],
 *   orderBy: { property: "USERNAME" },
 *   limit: 50
 * }
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserQuery = Schema.Struct({
  realmPredicate: optional(RealmPredicate),
  assets: optional(Schema.Array(Schema.String)),
  pathPredicate: optional(PathPredicate),
  ids: optional(Schema.Array(Schema.String)),
  select: optional(Select),
  usernames: optional(Schema.Array(StringPredicate)),
  attributes: optional(Schema.Array(AttributeValuePredicate)),
  clientRoles: optional(Schema.Array(StringPredicate)),
  realmRoles: optional(Schema.Array(StringPredicate)),
  serviceUsers: optional(Schema.Boolean),
  limit: optional(Schema.Int),
  offset: optional(Schema.Int),
  orderBy: optional(OrderBy)
}).annotations({ identifier: "UserQuery" })

/**
 * @since 0.1.0
 * @category models
 */
export interface UserQuery extends Schema.Schema.Type<typeof UserQuery> {}

/**
 * The JSON form of a `UserQuery`.
 *
 * @since 0.1.0
 * @category models
 */
export interface UserQueryEncoded extends Schema.Schema.Encoded<typeof UserQuery> {}
