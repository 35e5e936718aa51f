/**
 * Response encoders compiled from an Effect Schema's AST, in the spirit of fastify's `fast-json-stringify`:
 * the parts of a schema whose encoding leaves a value as it is (strings, booleans, arrays and records of
 * them, nullable optional fields) cost a property copy, and only the parts that transform (a `Timestamp`, a
 * `Redacted`) do more: their own transformation, called directly (Effect's generic encoder for anything the
 * compiler does not know). The output equals `Schema.encodeSync(schema)` for every value of the
 * schema's type (`test/Encoder.test.ts` checks it with generated values of every result schema of the
 * catalogue); unlike it, refinements are not checked again: the values encoded are the simulator's own,
 * typed answers, not input.
 *
 * Profiled under `pnpm bench --only throughput`: the generic encoder was the largest share of the server's
 * CPU time per `getUser` (about a third of the simulator's own code).
 *
 * {@link writer} goes one step further for the answers themselves: the JSON text of a value, encoded and
 * compacted (no `null`, no empty array inside an object, as the server's JSON mapper writes it), written field
 * by field without building the encoded object and its compacted copy first (`test/Encoder.test.ts` checks
 * it against `JSON.stringify(compact(Schema.encodeSync(schema)(value)))`).
 *
 * @internal
 */
import * as Either from "effect/Either"
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

/**
 * The encoded-side struct of a struct with optional fields (`optionalWith`, exact and nullable), whose
 * encoding keeps every present value: the struct the encoder and the writer compile as plain fields.
 */
const plainFields = (ast: AST.Transformation): AST.TypeLiteral | undefined =>
  ast.from._tag === "TypeLiteral" && ast.to._tag === "TypeLiteral" && keepsPresentValues(ast.transformation)
    ? ast.from
    : undefined

/** Whether encoding leaves every value of `ast` as it is: compiles to nothing, or is a plain declaration. */
const keepsValues = (ast: AST.AST): boolean =>
  ast._tag === "Declaration"
    ? ast.typeParameters.every(keepsValues)
    : ast._tag !== "Suspend" && compile(ast) === undefined

/**
 * A `Schema.transform`-style transformation (a `DateTimeUtcFromNumber`, a `Redacted`): its own `encode`
 * called directly when the type side keeps its values and the encoding is synchronous, instead of Effect's
 * generic encoder around it (which validates the type side again: the largest part of a `getUser`'s encoding).
 * Anything else, or an encoding that does not succeed at once, goes to the generic encoder.
 */
const final = (ast: AST.Transformation, transformation: AST.FinalTransformation): Encode => {
  const fallback = generic(ast)
  if (!keepsValues(ast.to)) return fallback
  const from = compile(ast.from)
  return (value) => {
    const encoded = transformation.encode(value, parseOptions, ast, value)
    if (!Either.isEither(encoded) || Either.isLeft(encoded)) return fallback(value)
    return from === undefined ? encoded.right : from(encoded.right)
  }
}

const parseOptions: AST.ParseOptions = {}

/** The guard of a type-side AST: literals and keywords compared directly, anything else by `Schema.is`. */
const guard = (ast: AST.AST): (value: unknown) => boolean => {
  switch (ast._tag) {
    case "Literal": {
      const literal = ast.literal
      return (value) => value === literal
    }
    case "StringKeyword":
      return (value) => typeof value === "string"
    case "BooleanKeyword":
      return (value) => typeof value === "boolean"
    case "Union": {
      const members = ast.types.map(guard)
      return (value) => members.some((is) => is(value))
    }
    default:
      return Schema.is(Schema.make(ast))
  }
}

/**
 * A union: like Effect's encoder, the first member that takes the value encodes it; a member takes a value of
 * its type (checked by the type side's guard: the values are the simulator's own, so a guard that accepts
 * means an encoding that succeeds).
 */
const union = (ast: AST.Union): Compiled => {
  const members = ast.types.map((member) => ({ is: guard(AST.typeAST(member)), encode: compile(member) }))
  if (members.every((member) => member.encode === undefined)) return undefined
  const fallback = generic(ast)
  return (value) => {
    for (const member of members) {
      if (member.is(value)) return member.encode === undefined ? value : member.encode(value)
    }
    return fallback(value)
  }
}

const compile = (ast: AST.AST): Compiled => {
  switch (ast._tag) {
    case "Refinement":
      return compile(ast.from)
    case "Transformation": {
      // Encoding goes from the type side (`to`) to the encoded side (`from`).
      const fields = plainFields(ast)
      if (fields !== undefined) return typeLiteral(fields)
      return ast.transformation._tag === "FinalTransformation" ? final(ast, ast.transformation) : generic(ast)
    }
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
      return union(ast)
    case "Declaration":
    case "Suspend":
      return generic(ast)
    default:
      return undefined
  }
}

/**
 * The encoder of `schema`: the type side of a value to its encoded side, as `Schema.encodeSync` gives it.
 * The simulator answers through {@link writer}, which encodes each field with the same compiled encoders;
 * this is their whole, which `test/Encoder.test.ts` compares with `Schema.encodeSync`.
 *
 * @internal
 */
export const encoder = <A, I>(schema: Schema.Schema<A, I>): (value: A) => I => {
  const compiled = compile(schema.ast)
  return (compiled ?? identity) as (value: A) => I
}

/**
 * Leaves out `null`/`undefined` properties and empty arrays inside objects, as the server's JSON mapper does
 * (a top-level array is always written, and so is an element of an array).
 *
 * @internal
 */
export const compact = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(compact)
  if (value !== null && typeof value === "object") {
    // `for…in` with an own-key check visits what `Object.entries` would, without an array of pairs per object.
    const out: Record<string, unknown> = {}
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue
      const field = (value as Record<string, unknown>)[key]
      if (omitted(field)) continue
      out[key] = typeof field === "object" ? compact(field) : field
    }
    return out
  }
  return value
}

/** What {@link compact} leaves out of an object. */
const omitted = (value: unknown): boolean =>
  value === null || value === undefined || (Array.isArray(value) && value.length === 0)

/** The JSON text of an encoded value, compacted. */
type Write = (encoded: unknown) => string

const compactJson: Write = (encoded) => JSON.stringify(compact(encoded))

/** What `JSON.stringify` escapes in a string: quotes, backslashes, control characters, lone surrogates. */
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const escaped = /["\\\u0000-\u001f\ud800-\udfff]/

/**
 * `JSON.stringify` of a value that compacting leaves as it is (a string, a number, a boolean), the common
 * cases without calling it: a string with nothing to escape is quoted as it is, a finite number is written
 * as `String` writes it (the same `Number::toString` JSON uses).
 */
const primitiveJson: Write = (encoded) => {
  switch (typeof encoded) {
    case "string":
      return escaped.test(encoded) ? JSON.stringify(encoded) : `"${encoded}"`
    case "number":
      return Number.isFinite(encoded) ? String(encoded) : "null"
    case "boolean":
      return encoded ? "true" : "false"
    default:
      return JSON.stringify(encoded) ?? "null"
  }
}

const isPrimitive = (ast: AST.AST): boolean => {
  switch (ast._tag) {
    case "StringKeyword":
    case "NumberKeyword":
    case "BooleanKeyword":
    case "TemplateLiteral":
      return true
    case "Literal":
      return ast.literal !== null
    case "Refinement":
      return isPrimitive(ast.from)
    case "Union":
      return ast.types.every(isPrimitive)
    default:
      return false
  }
}

/** The writer of a value already encoded, from the encoded side of its schema. */
const encodedWriter = (encoded: AST.AST): Write => {
  if (isPrimitive(encoded)) return primitiveJson
  if (encoded._tag === "Union") {
    const members = encoded.types.filter((member) => !(member._tag === "Literal" && member.literal === null))
    if (members.every(isPrimitive)) return primitiveJson
    if (members.length !== 1) return compactJson
    // A field's `null` is left out before it is written; an element's is written.
    const write = encodedWriter(members[0]!)
    return (value) => value === null ? "null" : write(value)
  }
  if (encoded._tag === "TupleType" && encoded.elements.length === 0 && encoded.rest.length === 1) {
    // An element is written whatever it is (`compact` keeps `null` and `[]` in an array).
    return arrayWriter(encodedWriter(encoded.rest[0]!.type))
  }
  if (
    encoded._tag === "TypeLiteral" && encoded.propertySignatures.length === 0 && encoded.indexSignatures.length === 1
  ) {
    const signature = encoded.indexSignatures[0]!
    if (isPrimitive(signature.parameter)) return recordWriter(encodedWriter(signature.type))
  }
  return compactJson
}

const arrayWriter = (write: (item: unknown) => string) => (value: unknown): string => {
  const items = value as ReadonlyArray<unknown>
  let out = "["
  for (let i = 0; i < items.length; i++) out += (i === 0 ? "" : ",") + write(items[i])
  return `${out}]`
}

/** A record of string keys: its own keys in their order (as `JSON.stringify` and `compact` visit them). */
const recordWriter = (write: Write): Write => (value) => {
  const record = value as Record<string, unknown>
  let out = "{"
  for (const key in record) {
    if (!own.call(record, key)) continue
    const field = record[key]
    if (omitted(field)) continue
    out += `${out.length === 1 ? "" : ","}${primitiveJson(key)}:${write(field)}`
  }
  return `${out}}`
}

/**
 * The fields of a struct, written as its encoder would build them and {@link compact} would keep them: the
 * schema's fields only, in its order, each encoded, an omitted value left out.
 */
const objectWriter = (ast: AST.TypeLiteral): (value: unknown) => string => {
  const fields = ast.propertySignatures.map((signature) => ({
    name: signature.name,
    key: `${JSON.stringify(String(signature.name))}:`,
    encode: compile(signature.type),
    write: encodedWriter(AST.encodedAST(signature.type))
  }))
  return (value) => {
    const input = value as Record<PropertyKey, unknown>
    let out = "{"
    for (const field of fields) {
      if (!own.call(input, field.name)) continue
      const raw = input[field.name]
      const encoded = field.encode === undefined ? raw : field.encode(raw)
      if (omitted(encoded)) continue
      out += (out.length === 1 ? field.key : `,${field.key}`) + field.write(encoded)
    }
    return `${out}}`
  }
}

/** A writer compiled from the type side, or undefined when the AST is not one the writer compiles. */
const compileWriter = (ast: AST.AST): ((value: unknown) => string) | undefined => {
  switch (ast._tag) {
    case "Refinement":
      return compileWriter(ast.from)
    case "Transformation": {
      const fields = plainFields(ast)
      return fields !== undefined && fields.indexSignatures.length === 0 ? objectWriter(fields) : undefined
    }
    case "TypeLiteral":
      return ast.indexSignatures.length === 0 ? objectWriter(ast) : undefined
    case "TupleType": {
      const item = ast.rest[0]?.type
      if (ast.elements.length > 0 || ast.rest.length !== 1 || item === undefined) return undefined
      return arrayWriter(compileWriter(item) ?? valueWriter(item))
    }
    default:
      return undefined
  }
}

/** Encode, compact, stringify: for the parts the writer does not compile. */
const valueWriter = (ast: AST.AST): (value: unknown) => string => {
  const encode = compile(ast)
  const write = encodedWriter(AST.encodedAST(ast))
  return (value) => {
    const encoded = encode === undefined ? value : encode(value)
    return encoded === undefined ? "null" : write(encoded)
  }
}

/**
 * The JSON text of `schema`'s value as the server writes it: `JSON.stringify(compact(Schema.encodeSync(schema)(value)))`,
 * written field by field for structs and arrays of structs.
 *
 * @internal
 */
export const writer = <A, I>(schema: Schema.Schema<A, I>): (value: A) => string =>
  compileWriter(schema.ast) ?? valueWriter(schema.ast)
