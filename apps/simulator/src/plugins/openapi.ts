/**
 * `GET /api/{realm}/openapi.json`: an OpenAPI 3.1 document of the 24 operations, generated from the
 * catalogue, with the statuses the server really answers: bodies and results from `JSONSchema.make` of the
 * model's schemas (shared definitions under `components.schemas`), 204 with no content for void operations,
 * the raw-text secret of `resetSecret`, and every error status with a `text/plain` body.
 *
 * @since 0.1.0
 */
import type { Operation } from "@openremote-effect/model"
import { Catalogue } from "@openremote-effect/model"
import * as JSONSchema from "effect/JSONSchema"
import type * as Schema from "effect/Schema"
import type { FastifyPluginAsync } from "fastify"

type Json = { readonly [key: string]: unknown }

const rewriteRefs = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(rewriteRefs)
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, field]) => [
        key,
        key === "$ref" && typeof field === "string"
          ? field.replace("#/$defs/", "#/components/schemas/")
          : rewriteRefs(field)
      ])
    )
  }
  return value
}

const plainText = { "text/plain": { schema: { type: "string" } } }

/**
 * The OpenAPI document of the user API for `realm`, whose tokens come from `keycloakUrl`.
 *
 * @since 0.1.0
 * @category openapi
 */
export const document = (realm: string, keycloakUrl: string): Json => {
  const schemas: Record<string, unknown> = {}
  const schemaOf = (schema: Schema.Schema.AnyNoContext): unknown => {
    const { $defs, $schema: _, ...root } = JSONSchema.make(schema, { target: "openApi3.1" })
    for (const [name, definition] of Object.entries($defs ?? {})) schemas[name] = rewriteRefs(definition)
    return rewriteRefs(root)
  }
  const operation = (op: Operation.Any) => {
    const responses: Record<string, unknown> = {}
    for (const [status, description] of Object.entries(op.responses)) {
      const code = Number(status)
      if (code === op.success && op.result._tag === "Json") {
        responses[status] = { description, content: { "application/json": { schema: schemaOf(op.result.schema) } } }
      } else if (code === op.success && op.result._tag === "Text") {
        responses[status] = { description, content: plainText }
      } else if (code === 204) {
        responses[status] = { description }
      } else {
        responses[status] = { description, content: plainText }
      }
    }
    return {
      operationId: op.name,
      summary: op.summary,
      tags: ["User"],
      parameters: [
        ...op.pathParameters.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } })),
        ...Catalogue.forwardedHeaders.map((name) => ({
          name,
          in: "header",
          required: false,
          schema: { type: "string" }
        }))
      ],
      ...(op.body === undefined ? {} : {
        requestBody: {
          required: !op.body.optional,
          content: { [op.body.contentType]: { schema: schemaOf(op.body.schema) } }
        }
      }),
      responses,
      ...(op.role === undefined ? {} : { "x-required-role": op.role })
    }
  }
  const paths: Record<string, Record<string, unknown>> = {}
  for (const op of Catalogue.all) {
    paths[op.path] = { ...paths[op.path], [op.method.toLowerCase()]: operation(op) }
  }
  const tokenUrl = `${keycloakUrl}/realms/${realm}/protocol/openid-connect/token`
  return {
    openapi: "3.1.0",
    info: {
      title: "OpenRemote user API (simulator)",
      version: "0.1.0",
      description: "The user API as the OpenRemote Manager answers it (statuses included), served by the simulator."
    },
    servers: [{ url: Catalogue.apiBaseUrl("", realm) }],
    security: [{ openid: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        openid: {
          type: "oauth2",
          flows: {
            password: { tokenUrl, refreshUrl: tokenUrl, scopes: {} },
            clientCredentials: { tokenUrl, scopes: {} }
          }
        }
      }
    }
  }
}

/**
 * Options of {@link openapiPlugin}.
 *
 * @since 0.1.0
 * @category plugins
 */
export interface OpenApiPluginOptions {
  /** The public Keycloak URL (known once the simulator listens). */
  readonly keycloakUrl: () => string
}

/**
 * The `GET /api/:requestRealm/openapi.json` route (no authentication).
 *
 * @since 0.1.0
 * @category plugins
 */
export const openapiPlugin: FastifyPluginAsync<OpenApiPluginOptions> = async (app, { keycloakUrl }) => {
  app.get<{ Params: { readonly requestRealm: string } }>("/api/:requestRealm/openapi.json", {
    config: { operation: "openapi" }
  }, async (request, reply) => reply.send(document(request.params.requestRealm, keycloakUrl())))
}
