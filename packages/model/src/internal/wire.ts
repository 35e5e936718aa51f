/**
 * Property and value schemas shared by the wire models: how OpenRemote's JSON mapper writes optional
 * fields, enums and timestamps.
 *
 * @internal
 */
import * as Schema from "effect/Schema"

/**
 * An optional property as the server writes it: left out when absent. A `null` (which the server never
 * writes, but a proxy or an older client might) decodes as absent, so decoded values never hold `null`;
 * encoding never writes `null`.
 *
 * @internal
 */
export const optional = <S extends Schema.Schema.All>(schema: S) =>
  Schema.optionalWith(schema, { exact: true, nullable: true })

/**
 * An enum value. The server's mapper matches enum names case-insensitively, so any case decodes; the
 * decoded (and encoded) value is the upper-case name.
 *
 * @internal
 */
export const caseInsensitiveLiteral = <const Literals extends ReadonlyArray<string>>(
  identifier: string,
  ...literals: Literals
) =>
  Schema.Uppercase.pipe(
    Schema.compose(Schema.Literal(...literals)),
    Schema.annotations({ identifier, description: `one of ${literals.join(", ")} (any case)` })
  )
