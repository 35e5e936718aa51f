/**
 * Fastify plumbing shared by the plugins: request validation and response encoding with the model's Effect
 * Schemas (fastify's `validatorCompiler` / `serializerCompiler`), a JSON body parser whose errors never
 * repeat the body, plain-text error answers, and the request path as the journal and the faults see it.
 *
 * @internal
 */
import { Catalogue, ParseMessage } from "@openremote-effect/model"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type {
  FastifyError,
  FastifyReply,
  FastifyRequest,
  FastifySchemaCompiler,
  FastifySerializerCompiler
} from "fastify"
import type * as Faults from "../Faults.js"
import type * as Journal from "../Journal.js"
import type { Caller } from "./caller.js"
import { writer } from "./encoder.js"
import { statusLine } from "./rejection.js"
import { sendText } from "./reply.js"

declare module "fastify" {
  interface FastifyContextConfig {
    /** The catalogue operation (or `token`, `certs`, `openid-configuration`, `openapi`) a route serves. */
    readonly operation?: RouteOperation
  }
}

/**
 * What a route serves: a catalogue operation, or one of the Keycloak endpoints or the OpenAPI document.
 *
 * @internal
 */
export type RouteOperation = Catalogue.OperationName | (typeof Faults.extraOperations)[number]

/**
 * Whether a route's operation is one of the catalogue's.
 *
 * @internal
 */
export const isCatalogueOperation = (operation: RouteOperation | undefined): operation is Catalogue.OperationName =>
  operation !== undefined && Object.hasOwn(Catalogue.operations, operation)

/**
 * The body of a request, decoded with an Effect Schema. A custom prototype, so fastify leaves it alone.
 *
 * @internal
 */
export class EffectBody {
  constructor(readonly schema: Schema.Schema.AnyNoContext, readonly optional: boolean) {}
}

/**
 * A JSON response, encoded with an Effect Schema.
 *
 * @internal
 */
export class EffectResult {
  constructor(readonly schema: Schema.Schema.AnyNoContext) {}
}

const badRequest = (message: string): FastifyError =>
  Object.assign(new Error(message), { statusCode: 400, code: "FST_ERR_VALIDATION" }) as FastifyError

/**
 * Decodes a body with its schema: a 400 whose message names the field, or the decoded value. A missing body
 * (or `null`) is accepted for an optional body only.
 *
 * @internal
 */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ httpPart, schema }) => {
  if (!(schema instanceof EffectBody) || httpPart !== "body") {
    throw new Error(`only bodies are validated, with an EffectBody (got ${httpPart})`)
  }
  // The first problem only: reporting every problem of a hostile 1 MiB body would take seconds.
  const decode = Schema.decodeUnknownEither(schema.schema, { errors: "first", onExcessProperty: "ignore" })
  return (data: unknown) => {
    if (data === null || data === undefined) {
      return schema.optional ? { value: undefined } : { error: badRequest("the request body is missing") }
    }
    try {
      const decoded = decode(data)
      return Either.isRight(decoded)
        ? { value: decoded.right }
        : { error: badRequest(ParseMessage.format(decoded.left, { values: false })) }
    } catch {
      return { error: badRequest("the request body cannot be decoded") }
    }
  }
}

/**
 * Writes a response as its schema encodes it (epoch-ms timestamps, upper-case session `ID`, raw secrets),
 * compacted, by a writer compiled from the schema ({@link writer}).
 *
 * @internal
 */
export const serializerCompiler: FastifySerializerCompiler<unknown> = ({ schema }) => {
  if (!(schema instanceof EffectResult)) {
    return (data: unknown) => JSON.stringify(data)
  }
  return writer(schema.schema) as (data: unknown) => string
}

/**
 * `application/json` bodies as JSON; an empty body is no body. A body that is not JSON is a 400 that does
 * not repeat it. Routes whose operation takes no body ignore theirs, as the server does.
 *
 * @internal
 */
export const parseJson = (
  request: FastifyRequest,
  body: string | Buffer,
  done: (error: Error | null, body?: unknown) => void
): void => {
  const operation = request.routeOptions.config.operation
  if (isCatalogueOperation(operation) && Catalogue.operations[operation].body === undefined) {
    return done(null, undefined)
  }
  const text = typeof body === "string" ? body : body.toString("utf8")
  if (text.trim() === "") return done(null, undefined)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return done(Object.assign(new Error("the request body is not valid JSON"), { statusCode: 400 }))
  }
  if (depthOf(json) > maxDepth) {
    return done(
      Object.assign(new Error(`the request body is nested more than ${maxDepth} levels deep`), { statusCode: 400 })
    )
  }
  done(null, json)
}

/**
 * The deepest nesting a JSON body may have: far more than any model needs, far less than would exhaust the
 * stack of a recursive decoder or formatter.
 *
 * @internal
 */
export const maxDepth = 64

/** The nesting depth of a JSON value, computed without recursion. */
const depthOf = (value: unknown): number => {
  let deepest = 0
  const pending: Array<readonly [unknown, number]> = [[value, 1]]
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!
    if (current === null || typeof current !== "object") continue
    deepest = Math.max(deepest, depth)
    if (deepest > maxDepth) return deepest
    for (const child of Object.values(current)) pending.push([child, depth + 1])
  }
  return deepest
}

/**
 * The message of a 4xx from fastify or from the simulator, safe to answer and to log.
 *
 * @internal
 */
const clientErrorMessage = (error: FastifyError, request: FastifyRequest): string => {
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE": {
      const contentType = String(request.headers["content-type"] ?? "").slice(0, 100)
      return `Unsupported Media Type: ${
        contentType === "" ? "no Content-Type" : contentType
      } (expected application/json)`
    }
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return `the request body is larger than ${request.routeOptions.bodyLimit ?? 1048576} bytes`
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return "the Content-Length header does not match the body"
    default:
      return error.message
  }
}

/**
 * The largest declared body that is read (and dropped) before a 413 is sent; a larger one, or one of unknown
 * length, is answered at once and its connection closed, as fastify does.
 */
const drainLimit = 16 * 1024 * 1024

/**
 * Reads a refused over-limit body to its end and drops it, so that its client can read the 413. fastify answers
 * before reading the body and closes the connection, so a client still writing meets `EPIPE` or a reset and
 * never sees the answer (and Node closes after the answer anyway when the client sent `Connection: close`).
 * Applies to bodies whose declared `Content-Length` is at most {@link drainLimit}; resolves at once otherwise.
 *
 * @internal
 */
const drainRefusedBody = (error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<void> => {
  const raw = request.raw
  if (error.code !== "FST_ERR_CTP_BODY_TOO_LARGE" || raw.complete || raw.destroyed) return Promise.resolve()
  const declared = Number(request.headers["content-length"])
  if (!(declared <= drainLimit)) return Promise.resolve()
  reply.removeHeader("connection")
  return new Promise((resolve) => {
    const done = () => resolve()
    raw.once("end", done).once("close", done).once("error", done)
    raw.resume()
  })
}

/**
 * The status of an error: its own 4xx, else 500.
 *
 * @internal
 */
const statusOf = (error: FastifyError): number => {
  const status = error.statusCode
  return status !== undefined && status >= 400 && status < 500 ? status : 500
}

/**
 * An error handler: a 5xx is logged with `failed` and answered by `serverError`; a 4xx (from fastify or the
 * simulator) by `clientError` with its status and a message safe to show, after a refused over-limit body was
 * read ({@link drainRefusedBody}). The API, the Keycloak endpoints and the control plane differ only in the
 * form of their answers.
 *
 * @internal
 */
export const errorHandler = (answers: {
  readonly failed: string
  readonly serverError: (reply: FastifyReply) => FastifyReply
  readonly clientError: (reply: FastifyReply, status: number, message: string) => FastifyReply
}) =>
async (error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
  const status = statusOf(error)
  if (status >= 500) {
    request.log.error({ err: error }, answers.failed)
    return answers.serverError(reply)
  }
  await drainRefusedBody(error, request, reply)
  return answers.clientError(reply, status, clientErrorMessage(error, request))
}

/**
 * Answers errors as the user API does: `text/plain`, never JSON; a 500 with the server's line only.
 *
 * @internal
 */
export const textErrorHandler = errorHandler({
  failed: "request failed",
  serverError: (reply) => sendText(reply, 500, statusLine(500)),
  clientError: sendText
})

/**
 * The caller as the journal shows it.
 *
 * @internal
 */
export const journalCaller = (caller: Caller | null): Journal.Caller | null => {
  if (caller === null) return null
  let found = journalCallers.get(caller)
  if (found === undefined) {
    found = { realm: caller.realm, id: caller.id, username: caller.username }
    journalCallers.set(caller, found)
  }
  return found
}

/** One journal caller per verified caller (itself one per token), shared by the journal's entries. */
const journalCallers = new WeakMap<Caller, Journal.Caller>()

/**
 * A header value Node.js accepts: characters outside printable ASCII become `?`.
 *
 * @internal
 */
export const headerSafe = (value: string): string => value.replace(/[^\t\x20-\x7e]/g, "?")

/**
 * The request path as sent, without the query string.
 *
 * @internal
 */
export const pathOf = (request: FastifyRequest): string => {
  const index = request.url.indexOf("?")
  return index < 0 ? request.url : request.url.slice(0, index)
}
