import { describe, expect, it } from "@effect/vitest"
import * as JSONSchema from "effect/JSONSchema"
import type * as Schema from "effect/Schema"
import { readFileSync } from "node:fs"
import * as Catalogue from "../src/Catalogue.js"
import { Credential } from "../src/Credential.js"
import { Role } from "../src/Role.js"
import * as SpecDifferences from "../src/SpecDifferences.js"
import { User } from "../src/User.js"
import {
  AttributeValuePredicate,
  OrderBy,
  PathPredicate,
  RealmPredicate,
  Select,
  StringPredicate,
  UserQuery
} from "../src/UserQuery.js"
import { UserSession } from "../src/UserSession.js"

const published = JSON.parse(
  readFileSync(new URL("../../../reference/spec/openremote-1.27-user-api.openapi.json", import.meta.url), "utf8")
) as SpecDifferences.OpenApiDocument

/** The document as the server behaves: the published one with the differences of USER-API.md §7 applied. */
const server = SpecDifferences.applyToOpenApi(published)

interface JsonSchema {
  readonly type?: string
  readonly $ref?: string
  readonly anyOf?: ReadonlyArray<JsonSchema>
  readonly items?: JsonSchema
  readonly properties?: Record<string, JsonSchema>
  readonly additionalProperties?: JsonSchema | boolean
  readonly $defs?: Record<string, JsonSchema>
}

/** Our schemas, by the name the OpenAPI document gives them. `ValuePredicate` is the wire supertype of `StringPredicate`. */
const ours: Record<string, Schema.Schema.AnyNoContext> = {
  AttributeValuePredicate,
  Credential,
  OrderBy,
  PathPredicate,
  RealmPredicate,
  Role,
  Select,
  StringPredicate,
  User,
  UserQuery,
  UserSession,
  ValuePredicate: StringPredicate
}

/** The JSON types a JSON schema accepts, with `$ref`s resolved against `defs`. */
const jsonTypes = (schema: JsonSchema, defs: Record<string, JsonSchema>): ReadonlySet<string> => {
  if (schema.$ref !== undefined) {
    const name = schema.$ref.split("/").pop()!
    return defs[name] === undefined ? new Set(["object"]) : jsonTypes(defs[name], defs)
  }
  if (schema.anyOf !== undefined) {
    return new Set(schema.anyOf.flatMap((member) => [...jsonTypes(member, defs)]))
  }
  if (schema.type === "integer") return new Set(["integer"])
  if (schema.type === "number") return new Set(["number", "integer"])
  return new Set(schema.type === undefined ? [] : [schema.type])
}

const objectSchema = (schema: Schema.Schema.AnyNoContext) => {
  const json = JSONSchema.make(schema) as JsonSchema
  const defs = json.$defs ?? {}
  const root = json.$ref === undefined ? json : defs[json.$ref.split("/").pop()!]!
  return { properties: root.properties ?? {}, defs }
}

describe("the model covers the published OpenAPI document", () => {
  const documented = server.components.schemas as unknown as Record<string, JsonSchema>

  it("has a schema for every schema of the document", () => {
    expect(Object.keys(documented).sort()).toEqual(Object.keys(ours).sort())
  })

  it.each(Object.keys(ours))("%s has exactly the document's properties, with compatible JSON types", (name) => {
    const theirs = documented[name]!.properties ?? {}
    const { defs, properties } = objectSchema(ours[name]!)
    const expectedKeys = name === "ValuePredicate" ? ["predicateType"] : Object.keys(theirs)
    expect(Object.keys(properties).filter((key) => name !== "ValuePredicate" || key === "predicateType").sort())
      .toEqual([...expectedKeys].sort())
    for (const [key, property] of Object.entries(theirs)) {
      const accepted = jsonTypes(properties[key]!, defs)
      const theirType = property.$ref !== undefined ? "object" : property.type!
      expect(accepted, `${name}.${key} accepts ${theirType}`).toContain(theirType)
      if (property.type === "array" && property.items?.type !== undefined) {
        const ourArray = (properties[key]!.anyOf ?? [properties[key]!]).find((member) => member.type === "array")!
        expect(jsonTypes(ourArray.items!, defs), `${name}.${key}[]`).toContain(property.items.type)
      }
    }
  })

  it("knows that the published document omits StringPredicate's required predicateType", () => {
    const publishedPredicate = published.components.schemas.StringPredicate as JsonSchema
    expect(Object.keys(publishedPredicate.properties ?? {})).not.toContain("predicateType")
    expect(SpecDifferences.differences.map(({ topic }) => topic)).toContain("StringPredicate")
  })
})

describe("the catalogue covers the published OpenAPI document", () => {
  const documentedOperations = Object.entries(server.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      path,
      method: method.toUpperCase(),
      operation: operation as unknown as {
        readonly operationId: string
        readonly parameters: ReadonlyArray<{ readonly name: string; readonly in: string }>
        readonly requestBody?: { readonly content: Record<string, { readonly schema: JsonSchema }> }
        readonly responses: Record<string, { readonly content?: Record<string, { readonly schema?: JsonSchema }> }>
      }
    }))
  )

  it("has the same 24 operations, by operationId, method and path", () => {
    expect(
      documentedOperations.map(({ method, operation, path }) => `${operation.operationId} ${method} ${path}`).sort()
    )
      .toEqual(Catalogue.all.map(({ method, name, path }) => `${name} ${method} ${path}`).sort())
  })

  it.each(documentedOperations.map((entry) => [entry.operation.operationId, entry] as const))(
    "%s has the document's path parameters, headers, body and result schema",
    (name, { operation }) => {
      const ours = Catalogue.operations[name as Catalogue.OperationName]
      expect(operation.parameters.filter((p) => p.in === "path").map((p) => p.name)).toEqual(ours.pathParameters)
      expect(operation.parameters.filter((p) => p.in === "header").map((p) => p.name)).toEqual([
        "Authorization",
        ...Catalogue.forwardedHeaders
      ])
      const body = operation.requestBody?.content["application/json"]?.schema
      expect(body !== undefined).toBe(ours.body !== undefined)
      if (body !== undefined && ours.body !== undefined) {
        expect(identifierOf(ours.body.schema)).toBe(referenceName(body))
      }
      const result = operation.responses[String(ours.success)]
      expect(result).toBeDefined()
      const resultSchema = Object.values(result!.content ?? {})[0]?.schema
      if (ours.result._tag === "Void") {
        expect(resultSchema).toBeUndefined()
      } else {
        expect(identifierOf(ours.result.schema)).toBe(referenceName(resultSchema!))
      }
    }
  )
})

/** `User`, `Array<Role>`, `string`… for a schema of ours. */
const identifierOf = (schema: Schema.Schema.AnyNoContext): string => {
  const json = JSONSchema.make(schema) as JsonSchema
  return referenceName(json)
}

/** `User`, `Array<Role>`, `string`… for a JSON schema. */
const referenceName = (schema: JsonSchema): string =>
  schema.$ref !== undefined
    ? schema.$ref.split("/").pop()!
    : schema.type === "array"
    ? `Array<${referenceName(schema.items!)}>`
    : schema.type!

describe("SpecDifferences", () => {
  const userApiDoc = readFileSync(new URL("../../../reference/spec/USER-API.md", import.meta.url), "utf8")
  const section7 = userApiDoc.slice(userApiDoc.indexOf("## 7."))
  const rows = Array.from(section7.matchAll(/^\| (.+?) \| (.+?) \| (.+?) \|$/gm), ([, topic]) => topic!)
    .filter((topic) => topic !== "topic" && !topic.startsWith("---"))

  it("names every difference of USER-API.md §7, in its order", () => {
    expect(rows).toHaveLength(7)
    expect(SpecDifferences.differences.map(({ topic }) => topic)).toEqual(rows.map((row) => row.replace(/`/g, "")))
  })

  it("rewrites the document without touching the published one", () => {
    const before = JSON.stringify(published)
    const patched = SpecDifferences.applyToOpenApi(published)
    expect(JSON.stringify(published)).toBe(before)
    const deleteUser = patched.paths["/user/{realm}/users/{userId}"]!.delete as {
      responses: Record<string, unknown>
    }
    expect(Object.keys(deleteUser.responses).sort()).toEqual(["204", "401", "403", "405", "500"])
    const resetSecret = patched.paths["/user/{realm}/reset-secret/{userId}"]!.get as {
      responses: Record<string, { content?: Record<string, unknown> }>
    }
    expect(Object.keys(resetSecret.responses["200"]!.content!)).toEqual(["text/plain"])
    const user = patched.components.schemas.User as { properties: Record<string, { type: string }> }
    expect(user.properties.createdOn!.type).toBe("integer")
  })
})
