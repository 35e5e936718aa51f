/**
 * The HTTP control plane (register it with the prefix `/_simulator`), one route per function of
 * {@link Control.Control}. JSON in and out; a body that does not validate is a 400 `text/plain` naming the
 * field, an unknown realm, user, session or fault a 404. No authentication: the control plane is for local
 * development and tests; turn it off (`control: false`, `--no-control`) anywhere else.
 *
 * | method and path | does |
 * |---|---|
 * | `GET /` | the index: every route of the control plane (method and path) |
 * | `POST /reset` | `reset()` → 204 |
 * | `POST /seed` | `load(body)` → 204 (bodies up to 64 MiB) |
 * | `GET /state` | `snapshot()` |
 * | `GET`, `POST`, `DELETE /faults`; `DELETE /faults/:id` | `faults.list()`, `faults.add(body)` → 201, `faults.clear()`, `faults.remove(id)` |
 * | `GET /clock`; `POST /clock/advance` `{ "ms": 61000 }` | `{ "now": clock.now() }`, `{ "now": clock.advance(ms) }` |
 * | `GET`, `DELETE /journal` | `journal.entries()`, `journal.clear()` |
 * | `GET /sessions?realm=&userId=`; `POST /sessions`; `DELETE /sessions/:id` | `sessions.list()`, `sessions.open(body)` → 201, `sessions.close(id)` |
 * | `PUT /mail/:realm` (a mail server, or `null`) | `mail.configure(realm, body)` → 204 |
 * | `GET /mail/outbox?realm=`; `DELETE /mail/outbox` | `mail.outbox(realm)`, `mail.clear()` |
 *
 * @since 0.1.0
 */
import { ParseMessage } from "@openremote-effect/model"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify"
import type * as Control from "../Control.js"
import type * as Faults from "../Faults.js"
import { errorHandler, parseJson } from "../internal/fastify.js"
import { sendText } from "../internal/reply.js"
import { optional } from "../internal/schema.js"
import type * as Seed from "../Seed.js"
import { InvalidInput, NotFound } from "../SimulatorError.js"

/**
 * The body of `POST /clock/advance`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Advance = Schema.Struct({
  ms: Schema.Number.pipe(
    Schema.finite(),
    Schema.nonNegative({ message: () => "ms must be a number of milliseconds >= 0" })
  )
})

const decodeAdvance = Schema.decodeUnknownEither(Advance, { errors: "all", onExcessProperty: "error" })

const Filter = Schema.Struct({
  realm: optional(Schema.String),
  userId: optional(Schema.String)
})

const decodeFilter = Schema.decodeUnknownEither(Filter, { errors: "all", onExcessProperty: "error" })

/**
 * Options of {@link controlPlugin}.
 *
 * @since 0.1.0
 * @category plugins
 */
export interface ControlPluginOptions {
  readonly control: Control.Control
}

/**
 * The control-plane routes.
 *
 * @since 0.1.0
 * @category plugins
 */
export const controlPlugin: FastifyPluginAsync<ControlPluginOptions> = async (app, { control }) => {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser("application/json", { parseAs: "string" }, parseJson)
  const otherErrors = errorHandler({
    failed: "control request failed",
    serverError: (reply) => sendText(reply, 500, "the simulator failed to answer the control request"),
    clientError: sendText
  })
  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof InvalidInput) return sendText(reply, 400, error.message)
    if (error instanceof NotFound) return sendText(reply, 404, error.message)
    return otherErrors(error, request, reply)
  })

  // The index at the root lists the routes as they are registered, so it cannot miss one.
  const routes: Array<{ readonly method: string; readonly path: string }> = []
  app.addHook("onRoute", ({ method, path, prefix }) => {
    for (const verb of [method].flat()) {
      if (verb !== "HEAD" && path !== prefix && path !== `${prefix}/`) routes.push({ method: verb, path })
    }
  })
  app.get("/", async () => ({
    name: "OpenRemote simulator control plane",
    docs: "the simulator's README, section \"The control plane\"",
    routes
  }))

  const query = (request: FastifyRequest) => {
    const decoded = decodeFilter(request.query)
    if (Either.isLeft(decoded)) {
      throw new InvalidInput({ message: ParseMessage.format(decoded.left, { values: false }) })
    }
    return decoded.right
  }

  app.post("/reset", async (_request, reply) => {
    control.reset()
    return reply.code(204).send()
  })
  app.post("/seed", { bodyLimit: 64 * 1024 * 1024 }, async (request, reply) => {
    control.load(request.body as Seed.SeedEncoded)
    return reply.code(204).send()
  })
  app.get("/state", async () => control.snapshot())

  app.get("/faults", async () => control.faults.list())
  app.post(
    "/faults",
    async (request, reply) => reply.code(201).send(control.faults.add(request.body as Faults.FaultInput))
  )
  app.delete("/faults", async (_request, reply) => {
    control.faults.clear()
    return reply.code(204).send()
  })
  app.delete<{ Params: { readonly id: string } }>("/faults/:id", async (request, reply) => {
    if (!control.faults.remove(request.params.id)) throw new NotFound({ message: `no fault "${request.params.id}"` })
    return reply.code(204).send()
  })

  app.get("/clock", async () => ({ now: control.clock.now() }))
  app.post("/clock/advance", async (request) => {
    const decoded = decodeAdvance(request.body)
    if (Either.isLeft(decoded)) {
      throw new InvalidInput({ message: ParseMessage.format(decoded.left, { values: false }) })
    }
    return { now: control.clock.advance(decoded.right.ms) }
  })

  app.get("/journal", async () => control.journal.entries())
  app.delete("/journal", async (_request, reply) => {
    control.journal.clear()
    return reply.code(204).send()
  })

  app.get("/sessions", async (request) => control.sessions.list(query(request)))
  app.post(
    "/sessions",
    async (request, reply) => reply.code(201).send(control.sessions.open(request.body as Control.SessionInput))
  )
  app.delete<{ Params: { readonly id: string } }>("/sessions/:id", async (request, reply) => {
    if (!control.sessions.close(request.params.id)) throw new NotFound({ message: `no session "${request.params.id}"` })
    return reply.code(204).send()
  })

  app.put<{ Params: { readonly realm: string } }>("/mail/:realm", async (request, reply) => {
    if (request.body === undefined) throw new InvalidInput({ message: "the body is a mail server, or null" })
    control.mail.configure(request.params.realm, request.body as Schema.Schema.Encoded<typeof Seed.MailServer> | null)
    return reply.code(204).send()
  })
  app.get("/mail/outbox", async (request) => control.mail.outbox(query(request).realm))
  app.delete("/mail/outbox", async (_request, reply) => {
    control.mail.clear()
    return reply.code(204).send()
  })
}
