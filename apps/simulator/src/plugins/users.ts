/**
 * The 24 operations of the user API, routes generated from the model's catalogue: `/api/:requestRealm` plus
 * each operation's path with `{x}` turned into `:x`. Bodies are decoded with the operation's body schema
 * (400 `text/plain` naming the field), results encoded with its result schema. Before the body is read:
 * the token (401, {@link authPlugin}) and the annotation role (403 `Access forbidden: role not allowed`, also
 * for anonymous callers).
 *
 * `updateCurrentUserLocale` reads its body raw, as the server does (every `"` is stripped, so `"nl"` and
 * `nl` both work): it has its own content-type parser in an encapsulated context.
 *
 * @since 0.1.0
 */
import type { Operation } from "@openremote-effect/model"
import { Catalogue } from "@openremote-effect/model"
import * as Schema from "effect/Schema"
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, onRequestHookHandler } from "fastify"
import type { Clock } from "../Clock.js"
import { hasAnyRole } from "../internal/caller.js"
import {
  EffectBody,
  EffectResult,
  headerSafe,
  parseJson,
  serializerCompiler,
  textErrorHandler,
  validatorCompiler
} from "../internal/fastify.js"
import { Rejection } from "../internal/rejection.js"
import { sendText } from "../internal/reply.js"
import { handle } from "../internal/userResource.js"
import type { Store } from "../Store.js"
import type { Authentication } from "./auth.js"
import { authPlugin } from "./auth.js"

/**
 * A catalogue path as a fastify route: `{x}` becomes `:x`.
 *
 * @since 0.1.0
 * @category routes
 */
export const routePath = (operation: Operation.Any): string =>
  `${Catalogue.apiPrefix}${operation.path}`.replace(/\{([^{}]+)\}/g, ":$1")

const sendRejection = (reply: FastifyReply, rejection: Rejection) => {
  if (rejection.allow !== undefined) reply.header("Allow", headerSafe(rejection.allow))
  return rejection.body === undefined
    ? reply.code(rejection.status).send()
    : sendText(reply, rejection.status, rejection.body)
}

const rawBody = Catalogue.updateCurrentUserLocale

/** The annotation role check of an operation that has one: 403 for a caller without it, anonymous included. */
const roleCheck = (role: string): onRequestHookHandler => (request, reply, done) => {
  if (hasAnyRole(request.caller, role)) return done()
  sendText(reply, 403, "Access forbidden: role not allowed")
}

const route = (app: FastifyInstance, options: UsersPluginOptions, name: Catalogue.OperationName) => {
  const operation: Operation.Any = Catalogue.operations[name]
  const raw = name === rawBody.name
  const schema = {
    ...(operation.body === undefined || raw
      ? {}
      : { body: new EffectBody(operation.body.schema, operation.body.optional) }),
    ...(operation.result._tag === "Json"
      ? { response: { [operation.success]: new EffectResult(operation.result.schema) } }
      : {})
  }
  app.route({
    method: operation.method,
    url: routePath(operation),
    config: { operation: name },
    // A route hook runs after the context's, so after the authentication.
    ...(operation.role === undefined ? {} : { onRequest: roleCheck(operation.role) }),
    schema,
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const params = request.params as Readonly<Record<string, string>>
      const input: Record<string, unknown> = {}
      for (const name of operation.pathParameters) input[name] = params[name]
      if (operation.body !== undefined) {
        input[operation.body.name] = raw ? (typeof request.body === "string" ? request.body : "") : request.body
      }
      let value: unknown
      try {
        value = handle(name, {
          store: options.store(),
          caller: request.caller,
          requestRealm: params.requestRealm ?? "",
          now: options.clock.now()
        }, input)
      } catch (error) {
        if (error instanceof Rejection) return sendRejection(reply, error)
        throw error
      }
      switch (operation.result._tag) {
        case "Void":
          return reply.code(204).send()
        case "Text":
          return sendText(reply, operation.success, Schema.encodeSync(operation.result.schema)(value))
        case "Json":
          return reply.code(operation.success).type("application/json; charset=utf-8").send(value)
      }
    }
  })
}

/**
 * Options of {@link usersPlugin}.
 *
 * @since 0.1.0
 * @category plugins
 */
export interface UsersPluginOptions {
  /** The current store (`reset` and `load` replace it). */
  readonly store: () => Store
  readonly clock: Clock
  readonly authentication: Authentication
}

/**
 * The 24 routes, their authentication, role checks, validation and encoding.
 *
 * @since 0.1.0
 * @category plugins
 */
export const usersPlugin: FastifyPluginAsync<UsersPluginOptions> = async (app, options) => {
  app.setErrorHandler(textErrorHandler)
  app.removeAllContentTypeParsers()
  app.addContentTypeParser("application/json", { parseAs: "string" }, parseJson)
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  await app.register(authPlugin, { authentication: options.authentication })
  for (const operation of Catalogue.all) {
    if (operation.name !== rawBody.name) route(app, options, operation.name)
  }
  await app.register(async (raw) => {
    raw.removeAllContentTypeParsers()
    raw.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => done(null, body))
    route(raw, options, rawBody.name)
  })
}
