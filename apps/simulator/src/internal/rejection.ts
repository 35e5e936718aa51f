/**
 * An answer other than an operation's success: the status and body the real server gives (USER-API.md §1).
 * Checks written in the server's code answer with an empty body (a 405 names its reason in the `Allow`
 * header, as JAX-RS's `NotAllowedException` does); errors passed on from Keycloak, and every 500, answer
 * `text/plain` like `Request failed with HTTP error status: 404 Not Found`.
 *
 * @internal
 */
import { STATUS_CODES } from "node:http"

/**
 * @internal
 */
export class Rejection {
  constructor(
    readonly status: number,
    readonly body: string | undefined = undefined,
    readonly allow: string | undefined = undefined
  ) {}
}

/**
 * A check of the server's code: the status, no body.
 *
 * @internal
 */
export const empty = (status: number): Rejection => new Rejection(status)

/**
 * A 405 of the server's code, its reason in the `Allow` header.
 *
 * @internal
 */
export const notAllowed = (reason: string): Rejection => new Rejection(405, undefined, reason)

/**
 * The plain-text line the server answers errors passed on from Keycloak with.
 *
 * @internal
 */
export const statusLine = (status: number): string =>
  `Request failed with HTTP error status: ${status} ${STATUS_CODES[status] ?? ""}`.trimEnd()

/**
 * An error passed on from Keycloak (or a 500): `text/plain`, the server's line, then what the simulator
 * knows about the cause.
 *
 * @internal
 */
export const passedOn = (status: number, detail?: string): Rejection =>
  new Rejection(status, detail === undefined ? statusLine(status) : `${statusLine(status)}\n${detail}`)
