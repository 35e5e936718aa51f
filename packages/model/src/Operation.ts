/**
 * The shape of one operation of OpenRemote's user API, as data: method, path template, body, result,
 * statuses, role and retry safety. The {@link Catalogue} holds the 24 operations; the client builds its
 * requests and decoders from them, and the simulator its routes, validation and responses.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type * as Schema from "effect/Schema"
import type { ClientRoleName } from "./StandardRoles.js"

/**
 * The HTTP methods the user API uses.
 *
 * @since 0.1.0
 * @category models
 */
export type Method = "GET" | "POST" | "PUT" | "DELETE"

/**
 * The names of the `{parameters}` in a path template.
 *
 * @example
 * ```ts
 * import type { Operation } from "@openremote-effect/model"
 *
 * type P = Operation.PathParameters<"/user/{realm}/userRoles/{userId}/{clientId}"> // "realm" | "userId" | "clientId"
 * ```
 *
 * @since 0.1.0
 * @category type-level
 */
export type PathParameters<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParameters<Rest>
  : never

/**
 * A request body: the argument name it goes by (`user`, `roles`, `locale`, `credential` or `query`), its schema, and whether it
 * may be left out. Bodies are always sent as `application/json`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Body<
  Name extends string = string,
  S extends Schema.Schema.AnyNoContext = Schema.Schema.AnyNoContext,
  Optional extends boolean = boolean
> {
  readonly name: Name
  readonly schema: S
  readonly contentType: "application/json"
  readonly optional: Optional
}

/**
 * A JSON response body decoded with `schema`.
 *
 * @since 0.1.0
 * @category models
 */
export interface JsonResult<S extends Schema.Schema.AnyNoContext = Schema.Schema.AnyNoContext> {
  readonly _tag: "Json"
  readonly schema: S
}

/**
 * No response body (the server answers 204; the published documents say 200).
 *
 * @since 0.1.0
 * @category models
 */
export interface VoidResult {
  readonly _tag: "Void"
}

/**
 * A response body of raw text (not JSON), decoded with `schema`. The published document calls it a JSON
 * string, so a body in JSON quotes must be read as well.
 *
 * @since 0.1.0
 * @category models
 */
export interface TextResult<S extends Schema.Schema<any, string> = Schema.Schema<any, string>> {
  readonly _tag: "Text"
  readonly schema: S
}

/**
 * What an operation answers on success.
 *
 * @since 0.1.0
 * @category models
 */
export type Result = JsonResult | VoidResult | TextResult

/**
 * One operation of the user API.
 *
 * @since 0.1.0
 * @category models
 */
export interface Operation<
  Name extends string = string,
  M extends Method = Method,
  Path extends string = string,
  B extends Body | undefined = Body | undefined,
  R extends Result = Result
> {
  /** The seed's operation name in camelCase, also the OpenAPI `operationId`. */
  readonly name: Name
  /** The seed's one-line description. */
  readonly summary: string
  readonly method: M
  /** The path under `/api/{requestRealm}`, with `{parameters}`. */
  readonly path: Path
  /** The parameters of `path`, in order. */
  readonly pathParameters: ReadonlyArray<PathParameters<Path>>
  readonly body: B
  readonly result: R
  /** The status the real server answers on success. */
  readonly success: 200 | 204
  /** Every status the real server answers, with its meaning (USER-API.md §3). */
  readonly responses: Readonly<Record<number, string>>
  /** The role the server checks by annotation before anything else (403 without it), if any. */
  readonly role: ClientRoleName | undefined
  /** Whether repeating the request after an unknown outcome is harmless; only `createUser` is not. */
  readonly retrySafe: boolean
}

/**
 * Any operation.
 *
 * @since 0.1.0
 * @category models
 */
export type Any = Operation<string, Method, string, Body | undefined, Result>

/**
 * The arguments an operation takes: its path parameters and its body under the body's name.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Input<Op extends Any> =
  & { readonly [K in PathParameters<Op["path"]>]: string }
  & (Op["body"] extends Body<infer Name, infer S, infer Optional>
    ? Optional extends true ? { readonly [K in Name]?: Schema.Schema.Type<S> | undefined }
    : { readonly [K in Name]: Schema.Schema.Type<S> }
    : unknown)

/**
 * The decoded success value of an operation.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Success<Op extends Any> = Op["result"] extends JsonResult<infer S> ? Schema.Schema.Type<S>
  : Op["result"] extends TextResult<infer S> ? Schema.Schema.Type<S>
  : void

const parameterPattern = /\{([^{}]+)\}/

/**
 * The parameter names of a path template, in order.
 *
 * @since 0.1.0
 * @category utils
 */
export const pathParameters = <Path extends string>(path: Path): ReadonlyArray<PathParameters<Path>> =>
  templateOf(path).filter((_, i) => i % 2 === 1) as Array<PathParameters<Path>>

/**
 * Why a path parameter value cannot be sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface InvalidPathParameter {
  readonly parameter: string
  readonly reason: string
}

/**
 * Fills a path template with percent-encoded parameter values, so that no value holding `/`, `?`, `#` or
 * `%` can reach another path. The values `""`, `"."` and `".."` are refused: no encoding keeps them from
 * being read as (or collapsing into) another path segment, since URL parsers treat `%2E%2E` as `..`. A value
 * that is not well-formed Unicode (a lone surrogate) is refused too: it has no UTF-8 form to percent-encode.
 *
 * @example
 * ```ts
 * import { Operation } from "@openremote-effect/model"
 *
 * Operation.formatPath("/user/{realm}/{userId}", { realm: "master", userId: "a/b" }) // Right("/user/master/a%2Fb")
 * Operation.formatPath("/user/{realm}/{userId}", { realm: "master", userId: ".." }) // Left({ parameter: "userId", ... })
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const formatPath = <Path extends string>(
  path: Path,
  parameters: { readonly [K in PathParameters<Path>]: string }
): Either.Either<string, InvalidPathParameter> => {
  const parts = templateOf(path)
  let formatted = parts[0]!
  for (let i = 1; i < parts.length; i += 2) {
    const parameter = parts[i]!
    const value = (parameters as Readonly<Record<string, string | undefined>>)[parameter]
    if (typeof value !== "string") return Either.left({ parameter, reason: "is missing" })
    if (value === "" || value === "." || value === "..") {
      return Either.left({ parameter, reason: `may not be ${JSON.stringify(value)}` })
    }
    let encoded: string
    try {
      encoded = encodeURIComponent(value)
    } catch {
      // `encodeURIComponent` throws (a `URIError`) for a lone surrogate only.
      return Either.left({ parameter, reason: "is not well-formed Unicode (it holds a lone surrogate)" })
    }
    formatted += encoded + parts[i + 1]!
  }
  return Either.right(formatted)
}

/**
 * A path template split once into its literal parts (even indices) and parameter names (odd indices), kept
 * for the next call: the client formats a path per call, and splitting it with a replace callback each time
 * was a measurable share of a `getUser`'s CPU. At most {@link maxTemplates} are kept (templates are
 * constants; a caller building them dynamically gets them split anew).
 */
const templateOf = (path: string): ReadonlyArray<string> => {
  const known = templates.get(path)
  if (known !== undefined) return known
  const parts = path.split(parameterPattern)
  if (templates.size < maxTemplates) templates.set(path, parts)
  return parts
}

const templates = new Map<string, ReadonlyArray<string>>()
const maxTemplates = 256

/**
 * A JSON response body.
 *
 * @since 0.1.0
 * @category constructors
 */
export const json = <S extends Schema.Schema.AnyNoContext>(schema: S): JsonResult<S> => ({ _tag: "Json", schema })

/**
 * A raw-text response body.
 *
 * @since 0.1.0
 * @category constructors
 */
export const text = <S extends Schema.Schema<any, string>>(schema: S): TextResult<S> => ({ _tag: "Text", schema })

/**
 * No response body.
 *
 * @since 0.1.0
 * @category constructors
 */
export const noContent: VoidResult = { _tag: "Void" }

/**
 * A JSON request body.
 *
 * @since 0.1.0
 * @category constructors
 */
export const body = <
  const Name extends string,
  S extends Schema.Schema.AnyNoContext,
  const Optional extends boolean = false
>(
  name: Name,
  schema: S,
  options?: { readonly optional?: Optional }
): Body<Name, S, Optional> => ({
  name,
  schema,
  contentType: "application/json",
  optional: (options?.optional ?? false) as Optional
})

/**
 * Defines an operation; its `pathParameters` are read from `path`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <
  const Name extends string,
  const M extends Method,
  const Path extends string,
  const R extends Result,
  const B extends Body | undefined = undefined
>(definition: {
  readonly name: Name
  readonly summary: string
  readonly method: M
  readonly path: Path
  readonly body?: B
  readonly result: R
  readonly success: 200 | 204
  readonly responses: Readonly<Record<number, string>>
  readonly role?: ClientRoleName | undefined
  readonly retrySafe?: boolean
}): Operation<Name, M, Path, B, R> => ({
  name: definition.name,
  summary: definition.summary,
  method: definition.method,
  path: definition.path,
  pathParameters: pathParameters(definition.path),
  body: definition.body as B,
  result: definition.result,
  success: definition.success,
  responses: definition.responses,
  role: definition.role,
  retrySafe: definition.retrySafe ?? true
})
