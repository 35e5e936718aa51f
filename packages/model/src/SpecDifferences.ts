/**
 * Where the published documents (the seed's Python client and the 1.27 OpenAPI document) and the real
 * server disagree (`reference/spec/USER-API.md` §7). This module is the one place those differences are
 * named: the schemas and the catalogue follow the server and accept the documented forms too, and
 * {@link applyToOpenApi} turns the published OpenAPI document into one that describes the server.
 *
 * @since 0.1.0
 */
import * as Catalogue from "./Catalogue.js"

/**
 * A JSON value, as read from an OpenAPI document.
 *
 * @since 0.1.0
 * @category models
 */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/**
 * An OpenAPI 3 document, loosely typed.
 *
 * @since 0.1.0
 * @category models
 */
export interface OpenApiDocument {
  readonly paths: { readonly [path: string]: { readonly [method: string]: Json } }
  readonly components: { readonly schemas: { readonly [name: string]: Json } }
  readonly [key: string]: Json
}

/**
 * One difference between the published documents and the server.
 *
 * @since 0.1.0
 * @category models
 */
export interface Difference {
  readonly topic: string
  readonly documented: string
  readonly server: string
  /** What the model does about it. */
  readonly handling: string
}

/**
 * The differences of USER-API.md §7.
 *
 * @since 0.1.0
 * @category differences
 */
export const differences: ReadonlyArray<Difference> = [
  {
    topic: "void operations",
    documented: "200",
    server: "204",
    handling: "the catalogue's `success` is 204; the client accepts 200 and 204"
  },
  {
    topic: "duplicate username on create",
    documented: "409 (in newer docs)",
    server: "403",
    handling: "`createUser.responses` lists 403"
  },
  {
    topic: "unknown user on reads",
    documented: "not documented",
    server: "405",
    handling: "the read operations' `responses` list 405"
  },
  {
    topic: "createdOn",
    documented: "date-time string",
    server: "epoch-ms number",
    handling: "`Timestamp` decodes both and encodes epoch milliseconds"
  },
  {
    topic: "StringPredicate",
    documented: "no `predicateType`",
    server: "`predicateType: \"string\"` required",
    handling: "`StringPredicate` always encodes it and requires it on decoding"
  },
  {
    topic: "reset_secret body",
    documented: "JSON string",
    server: "raw text",
    handling: "`resetSecret.result` is a text result; JSON quotes are also read"
  },
  {
    topic: "error bodies",
    documented: "not documented",
    server: "empty or text/plain, never JSON",
    handling: "error bodies are read as text, never parsed as JSON"
  }
]

type Mutable = { [key: string]: unknown }

const operationsOf = (document: Mutable) =>
  Catalogue.all.map((operation) => {
    const paths = document.paths as Record<string, Record<string, Mutable> | undefined>
    const entry = paths[operation.path]?.[operation.method.toLowerCase()]
    if (entry === undefined) {
      throw new Error(`the OpenAPI document has no ${operation.method} ${operation.path} (${operation.name})`)
    }
    return { operation, entry }
  })

/**
 * The published OpenAPI document rewritten to describe the real server: void operations answer 204 with no
 * body, `createdOn` is an epoch-millisecond integer, `StringPredicate` requires `predicateType: "string"`,
 * `resetSecret` answers `text/plain`, and every error status of the catalogue is listed with a `text/plain`
 * body. The input is not changed.
 *
 * @since 0.1.0
 * @category differences
 */
export const applyToOpenApi = (published: OpenApiDocument): OpenApiDocument => {
  const document = structuredClone(published) as unknown as Mutable
  for (const { entry, operation } of operationsOf(document)) {
    const responses: Mutable = {}
    for (const [status, description] of Object.entries(operation.responses)) {
      const code = Number(status)
      if (code === operation.success && operation.result._tag === "Json") {
        responses[status] = (entry.responses as Mutable)["200"]
      } else if (code === operation.success && operation.result._tag === "Text") {
        responses[status] = { description, content: { "text/plain": { schema: { type: "string" } } } }
      } else if (code === 204) {
        responses[status] = { description }
      } else {
        responses[status] = { description, content: { "text/plain": { schema: { type: "string" } } } }
      }
    }
    entry.responses = responses
  }
  const schemas = (document.components as Mutable).schemas as Record<string, Mutable>
  const user = schemas.User.properties as Mutable
  user.createdOn = { type: "integer", format: "int64", description: "epoch milliseconds" }
  const predicate = schemas.StringPredicate
  predicate.properties = { predicateType: { type: "string", enum: ["string"] }, ...(predicate.properties as Mutable) }
  predicate.required = ["predicateType"]
  return document as unknown as OpenApiDocument
}
