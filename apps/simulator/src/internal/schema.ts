/**
 * Schema helpers shared by the simulator's input schemas (seed, faults, control plane).
 *
 * @internal
 */
import * as Schema from "effect/Schema"

/**
 * An optional field that may be left out but, when present, is not `undefined` (`exactOptionalPropertyTypes`).
 *
 * @internal
 */
export const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })
