/**
 * Response encoders compiled from an Effect Schema's AST, in the spirit of fastify's `fast-json-stringify`:
 * the parts of a schema whose encoding leaves a value as it is (strings, booleans, arrays and records of
 * them, nullable optional fields) cost a property copy, and only the parts that transform (a `Timestamp`, a
 * `Redacted`) run Effect's encoder. The output equals `Schema.encodeSync(schema)` for every value of the
 * schema's type (`test/Encoder.test.ts` checks it with generated values of every result schema of the
 * catalogue); unlike it, refinements are not checked again: the values encoded are the simulator's own,
 * typed answers, not input.
 *
 * Profiled under `pnpm bench --only throughput`: the generic encoder was the largest share of the server's
 * CPU time per `getUser` (about a third of the simulator's own code).
 *
 * @internal
 */
import { identity } from "effect/Function"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"

/**
 * @internal
 */
export type Encode = (value: unknown) => unknown

/** An encoder, or undefined when encoding leaves every value of the AST as it is. */
type Compiled = Encode | undefined

const generic = (ast: AST.AST): Encode => ParseResult.encodeUnknownSync(Schema.make(ast))

const own = Object.prototype.hasOwnProperty

const typeLiteral = (ast: AST.TypeLiteral): Compiled => {
  if (ast.indexSignatures.length > 0) {
    const identityOnly = ast.propertySignatures.length === 0 &&
      ast.indexSignatures.every((signature) => compile(signature.type) === undefined)
    return identityOnly ? undefined : generic(ast)
  }
  // Rebuilt even when every field is kept as it is: like Effect's encoder, the output has the schema's
  // fields only, in the schema's order.
  const fields = ast.propertySignatures.map((signature) => ({ name: signature.name, encode: compile(signature.type) }))
  return (value) => {
    const input = value as Record<PropertyKey, unknown>
    const output: Record<PropertyKey, unknown> = {}
    for (const { encode, name } of fields) {
      if (!own.call(input, name)) continue
      const field = input[name]
      output[name] = encode === undefined ? field : encode(field)
    }
    return output
  }
}

/** A struct's optional fields (`optionalWith`, exact and nullable): the transformation keeps a present value. */
const keepsPresentValues = (transformation: AST.TransformationKind): boolean =>
  AST.isTypeLiteralTransformation(transformation) &&
  transformation.propertySignatureTransformations.every((field) => field.from === field.to && field.encode === identity)

const compile = (ast: AST.AST): Compiled => {
  switch (ast._tag) {
    case "Refinement":
      return compile(ast.from)
    case "Transformation":
      // Encoding goes from the type side (`to`) to the encoded side (`from`).
      return ast.from._tag === "TypeLiteral" && ast.to._tag === "TypeLiteral" && keepsPresentValues(ast.transformation)
        ? typeLiteral(ast.from)
        : generic(ast)
    case "TypeLiteral":
      return typeLiteral(ast)
    case "TupleType": {
      const elements = ast.elements.map((element) => compile(element.type))
      const rest = ast.rest.map((element) => compile(element.type))
      if (elements.every((e) => e === undefined) && rest.every((e) => e === undefined)) return undefined
      const item = rest[0]
      if (ast.elements.length === 0 && ast.rest.length === 1 && item !== undefined) {
        return (value) => (value as ReadonlyArray<unknown>).map((element) => item(element))
      }
      return generic(ast)
    }
    case "Union":
      return ast.types.every((member) => compile(member) === undefined) ? undefined : generic(ast)
    case "Declaration":
    case "Suspend":
      return generic(ast)
    default:
      return undefined
  }
}

/**
 * The encoder of `schema`: the type side of a value to its encoded side, as `Schema.encodeSync` gives it.
 *
 * @internal
 */
export const encoder = <A, I>(schema: Schema.Schema<A, I>): (value: A) => I => {
  const compiled = compile(schema.ast)
  return (compiled ?? identity) as (value: A) => I
}
