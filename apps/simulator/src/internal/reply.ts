/**
 * The plain-text answer every error and raw-text result of the simulator uses, in the style of
 * `@fastify/sensible`'s reply helpers: one place that says what "text" means on the wire.
 *
 * @internal
 */
import type { FastifyReply } from "fastify"

/**
 * Answers `status` with `body` as `text/plain; charset=utf-8`.
 *
 * @internal
 */
export const sendText = (reply: FastifyReply, status: number, body: string): FastifyReply =>
  reply.code(status).type("text/plain; charset=utf-8").send(body)
