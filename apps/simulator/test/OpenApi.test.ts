import { afterAll, describe, expect, it } from "@effect/vitest"
import { Catalogue } from "@openremote-effect/model"
import { makeApp } from "./helpers.js"

const app = makeApp({ keycloakUrl: "http://keycloak.example/auth" })
afterAll(() => app.close())

interface Document {
  readonly openapi: string
  readonly servers: ReadonlyArray<{ readonly url: string }>
  readonly paths: Record<
    string,
    Record<string, {
      readonly operationId: string
      readonly parameters: ReadonlyArray<{ readonly name: string; readonly in: string }>
      readonly requestBody?: {
        readonly required: boolean
        readonly content: Record<string, { readonly schema: unknown }>
      }
      readonly responses: Record<
        string,
        { readonly description: string; readonly content?: Record<string, { readonly schema: unknown }> }
      >
    }>
  >
  readonly components: {
    readonly schemas: Record<string, unknown>
    readonly securitySchemes: {
      readonly openid: { readonly flows: { readonly password: { readonly tokenUrl: string } } }
    }
  }
}

const fetchDocument = async (realm = "master"): Promise<Document> => {
  const response = await app.inject(`/api/${realm}/openapi.json`)
  expect(response.statusCode).toBe(200)
  expect(response.headers["content-type"]).toMatch(/^application\/json/)
  return response.json()
}

const refs = (value: unknown): Array<string> => {
  if (Array.isArray(value)) return value.flatMap(refs)
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, field]) =>
      key === "$ref" && typeof field === "string" ? [field] : refs(field)
    )
  }
  return []
}

describe("GET /api/{realm}/openapi.json", () => {
  it("lists the 24 operations of the catalogue, each with exactly the catalogue's statuses", async () => {
    const document = await fetchDocument()
    expect(document.openapi).toBe("3.1.0")
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation }))
    )
    expect(operations).toHaveLength(24)
    for (const op of Catalogue.all) {
      const found = operations.find((entry) => entry.operation.operationId === op.name)
      expect(found, op.name).toBeDefined()
      expect(found!.path).toBe(op.path)
      expect(found!.method).toBe(op.method)
      expect(Object.keys(found!.operation.responses).sort()).toEqual(Object.keys(op.responses).sort())
      expect(found!.operation.parameters.filter((p) => p.in === "path").map((p) => p.name)).toEqual(op.pathParameters)
    }
  })

  it("answers void operations with 204 and no content, errors with text/plain, resetSecret with raw text", async () => {
    const document = await fetchDocument()
    for (const op of Catalogue.all) {
      const responses = document.paths[op.path]![op.method.toLowerCase()]!.responses
      for (const [status, response] of Object.entries(responses)) {
        const code = Number(status)
        if (code === 204) expect(response.content, `${op.name} ${status}`).toBeUndefined()
        else if (code >= 400) expect(Object.keys(response.content!), `${op.name} ${status}`).toEqual(["text/plain"])
      }
    }
    expect(Object.keys(document.paths["/user/{realm}/reset-secret/{userId}"]!.get!.responses["200"]!.content!)).toEqual(
      ["text/plain"]
    )
    expect(document.paths["/user/{realm}/users"]!.post!.responses["200"]!.content!["application/json"]!.schema).toEqual(
      {
        $ref: "#/components/schemas/User"
      }
    )
  })

  it("describes bodies and results with the model's schemas, every reference resolving", async () => {
    const document = await fetchDocument()
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(["User", "Role", "Credential", "UserQuery", "StringPredicate", "UserSession"])
    )
    for (const ref of refs(document)) {
      expect(ref.startsWith("#/components/schemas/"), ref).toBe(true)
      expect(document.components.schemas[ref.slice("#/components/schemas/".length)], ref).toBeDefined()
    }
    const query = document.paths["/user/query"]!.post!.requestBody!
    expect(query.required).toBe(false)
    const user = document.components.schemas.User as { properties: Record<string, unknown> }
    expect(Object.keys(user.properties)).toEqual(expect.arrayContaining(["createdOn", "serviceAccount", "secret"]))
    const session = document.components.schemas.UserSession as { properties: Record<string, unknown> }
    expect(Object.keys(session.properties)).toContain("ID")
    const predicate = JSON.stringify(document.components.schemas.StringPredicate)
    expect(predicate).toContain("predicateType")
  })

  it("names the realm's server and token URL", async () => {
    const document = await fetchDocument("smartcity")
    expect(document.servers).toEqual([{ url: "/api/smartcity" }])
    expect(document.components.securitySchemes.openid.flows.password.tokenUrl).toBe(
      "http://keycloak.example/auth/realms/smartcity/protocol/openid-connect/token"
    )
  })
})
