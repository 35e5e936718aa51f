/**
 * The errors of the client: a small, closed set of `Schema.TaggedError` classes. Every failure of a
 * {@link UserApi} call is exactly one of them, so `Effect.catchTags` can handle each case by name.
 *
 * - One class per HTTP status the user API answers with meaning: {@link BadRequest} (400),
 *   {@link Unauthorized} (401), {@link Forbidden} (403), {@link NotFound} (404, and `resetSecret`'s 204),
 *   {@link NotAllowed} (405: OpenRemote's "not in this realm / not allowed"), {@link Conflict} (409),
 *   {@link ServerError} (5xx) and {@link UnexpectedStatus} (any other status).
 * - {@link TransportError} (no response), {@link Timeout} (no response in time), {@link DecodeError} (a
 *   success body that does not match its schema), {@link AuthenticationError} (no access token could be
 *   obtained) and {@link InvalidRequest} (the request could not be built; nothing was sent).
 *
 * Each carries the `operation`, the HTTP `method` and `url`, the `status` where there is one, and at most
 * 1 KiB of an error response's `body` as text. OpenRemote's error bodies are empty or plain text, so they
 * are never parsed as JSON. No error ever holds an access token, a password or a client secret: secret
 * values the client knows of are replaced by `<redacted>` in every text it keeps, and success bodies (which
 * may carry a service user's secret) are never kept.
 *
 * @example
 * ```ts
 * import { OpenRemoteError, UserApi } from "@openremote-effect/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const api = yield* UserApi.UserApi
 *   return yield* api.getUser({ realm: "smartcity", userId: "u1" })
 * }).pipe(
 *   // OpenRemote answers 405 for a user that is not in the realm (USER-API.md §2)
 *   Effect.catchTags({
 *     NotAllowed: () => Effect.succeed(undefined),
 *     NotFound: () => Effect.succeed(undefined)
 *   })
 * )
 *
 * const describe = (error: unknown) => OpenRemoteError.isOpenRemoteError(error) ? error.message : String(error)
 * ```
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

const requestFields = {
  /** The operation: a catalogue name such as `getUser`. */
  operation: Schema.String,
  /** The HTTP method. */
  method: Schema.String,
  /** The request URL (without any user name or password). */
  url: Schema.String
}

const statusFields = {
  ...requestFields,
  /** The HTTP status of the response. */
  status: Schema.Number,
  /** At most 1 KiB of the response body, as text (`""` when empty); never parsed. */
  body: Schema.String,
  /** What the status means for this operation on the real server, from the catalogue, when it is known. */
  meaning: Schema.optional(Schema.String),
  /** The wait the server asked for in a `Retry-After` header, if any. */
  retryAfter: Schema.optional(Schema.DurationFromSelf)
}

/**
 * The fields of an error that stands for an HTTP status.
 *
 * @since 0.1.0
 * @category models
 */
export interface StatusFields {
  readonly operation: string
  readonly method: string
  readonly url: string
  readonly status: number
  readonly body: string
  readonly meaning?: string | undefined
  readonly retryAfter?: Duration.Duration | undefined
}

const statusMessage = (self: StatusFields, what: string): string => {
  let text = `${self.operation}: ${self.method} ${self.url} answered ${self.status} ${what}`
  if (self.meaning !== undefined) text += ` (${self.meaning})`
  if (self.retryAfter !== undefined) text += `, retry after ${Duration.format(self.retryAfter)}`
  if (self.body !== "") text += `: ${self.body}`
  return text
}

/**
 * 400: the server refused the request as invalid (e.g. a username it does not accept).
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequest extends Schema.TaggedError<BadRequest>("@openremote-effect/client/BadRequest")(
  "BadRequest",
  statusFields
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return statusMessage(this, "Bad Request")
  }
}

/**
 * 401: the access token was refused (invalid, expired, wrong issuer or client). The client has already
 * invalidated its token and retried once with a fresh one.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>("@openremote-effect/client/Unauthorized")(
  "Unauthorized",
  statusFields
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return statusMessage(this, "Unauthorized")
  }
}

/**
 * 403: the caller lacks a role, or (for `createUser`) the user already exists.
 *
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends Schema.TaggedError<Forbidden>("@openremote-effect/client/Forbidden")(
  "Forbidden",
  statusFields
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return statusMessage(this, "Forbidden")
  }
}

/**
 * 404: something does not exist. Also `resetSecret`'s 204 No Content, which the server answers when the
 * user or its client is not found; then `status` is 204.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>("@openremote-effect/client/NotFound")(
  "NotFound",
  statusFields
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return statusMessage(this, this.status === 204 ? "No Content, so nothing was found" : "Not Found")
  }
}

/**
 * 405: OpenRemote's "not in this realm / not allowed": the realm is not accessible to the caller, the
 * target user is not in the realm (also when it does not exist at all), or the change is not allowed.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotAllowed extends Schema.TaggedError<NotAllowed>("@openremote-effect/client/NotAllowed")(
  "NotAllowed",
  statusFields
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return statusMessage(this, "Method Not Allowed")
  }
}

/**
 * 409: a conflict (newer documents use it for a duplicate user; the 1.27 server answers 403).
 *
 * @since 0.1.0
 * @category errors
 */
export class Conflict extends Schema.TaggedError<Conflict>("@openremote-effect/client/Conflict")(
  "Conflict",
  statusFields
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return statusMessage(this, "Conflict")
  }
}

/**
 * 5xx: the server failed. OpenRemote uses 500 for permanent failures (an unknown client, a realm without a
 * mail server), so only 502, 503 and 504 are retried by default.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Schema.TaggedError<ServerError>("@openremote-effect/client/ServerError")(
  "ServerError",
  statusFields
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return statusMessage(this, "(server error)")
  }
}

/**
 * Any other status, such as 408, 429 or a success status the operation does not answer with.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnexpectedStatus
  extends Schema.TaggedError<UnexpectedStatus>("@openremote-effect/client/UnexpectedStatus")(
    "UnexpectedStatus",
    statusFields
  )
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return statusMessage(this, "(unexpected status)")
  }
}

/**
 * No response: the connection failed, or the response body could not be read.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>("@openremote-effect/client/TransportError")(
  "TransportError",
  {
    ...requestFields,
    /** What went wrong. */
    description: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.operation}: ${this.method} ${this.url} failed: ${this.description}`
  }
}

/**
 * No response within the per-attempt timeout.
 *
 * @since 0.1.0
 * @category errors
 */
export class Timeout extends Schema.TaggedError<Timeout>("@openremote-effect/client/Timeout")("Timeout", {
  ...requestFields,
  /** The per-attempt timeout that passed. */
  timeout: Schema.DurationFromSelf
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.operation}: ${this.method} ${this.url} did not answer within ${Duration.format(this.timeout)}`
  }
}

/**
 * A success response whose body does not match the operation's result schema. The body itself is not
 * kept (a success body may hold a service user's secret); `issues` names the offending fields, with the
 * secret values the client knows of removed.
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends Schema.TaggedError<DecodeError>("@openremote-effect/client/DecodeError")(
  "DecodeError",
  {
    ...requestFields,
    status: Schema.Number,
    /** The decoding problems, one `field.path: message` per line. */
    issues: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.operation}: ${this.method} ${this.url} answered ${this.status} with a body that is not the expected result: ${this.issues}`
  }
}

/**
 * No access token could be obtained: the token endpoint refused the grant (`error` and `errorDescription`
 * are Keycloak's `error` and `error_description`), could not be reached, did not answer in time, or answered
 * something that is not a token response. `operation` names the grant (`client_credentials`, `password`,
 * `refresh_token`) or the custom provider. The token URL never holds credentials: they go in the form
 * body.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthenticationError
  extends Schema.TaggedError<AuthenticationError>("@openremote-effect/client/AuthenticationError")(
    "AuthenticationError",
    {
      operation: Schema.String,
      method: Schema.optional(Schema.String),
      url: Schema.optional(Schema.String),
      status: Schema.optional(Schema.Number),
      /** Keycloak's `error`, such as `invalid_grant` or `invalid_client`. */
      error: Schema.optional(Schema.String),
      /** Keycloak's `error_description`. */
      errorDescription: Schema.optional(Schema.String),
      /** At most 1 KiB of an error response's body, as text. */
      body: Schema.optional(Schema.String),
      /** What went wrong. */
      reason: Schema.String
    }
  )
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    let text = `${this.operation}: ${this.reason}`
    if (this.method !== undefined && this.url !== undefined) text += ` (${this.method} ${this.url})`
    if (this.status !== undefined) text += `, status ${this.status}`
    if (this.error !== undefined) text += `: ${this.error}`
    if (this.errorDescription !== undefined) text += ` (${this.errorDescription})`
    return text
  }
}

/**
 * The request could not be built, so nothing was sent: a path parameter that is missing, empty, `.` or
 * `..`; a body that does not encode with its schema; a bad `pageSize`; or a URL that is not valid.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>("@openremote-effect/client/InvalidRequest")(
  "InvalidRequest",
  {
    ...requestFields,
    /** Why the request could not be built. */
    reason: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.operation}: nothing was sent (${this.method} ${this.url}): ${this.reason}`
  }
}

/**
 * The classes of the errors that stand for an HTTP status: the one list the {@link StatusError} union and
 * {@link isStatusError} are derived from.
 *
 * @since 0.1.0
 * @category schemas
 */
export const statusErrorClasses = [
  BadRequest,
  Unauthorized,
  Forbidden,
  NotFound,
  NotAllowed,
  Conflict,
  ServerError,
  UnexpectedStatus
] as const

/**
 * The classes of every error the client fails with: the one list the {@link OpenRemoteError} schema and
 * union and {@link isOpenRemoteError} are derived from.
 *
 * @since 0.1.0
 * @category schemas
 */
export const errorClasses = [
  ...statusErrorClasses,
  TransportError,
  Timeout,
  DecodeError,
  AuthenticationError,
  InvalidRequest
] as const

/**
 * Every error the client fails with, as a schema (the union of {@link errorClasses}).
 *
 * @since 0.1.0
 * @category schemas
 */
export const OpenRemoteError = Schema.Union(...errorClasses)

/**
 * Every error the client fails with.
 *
 * @since 0.1.0
 * @category models
 */
export type OpenRemoteError = typeof OpenRemoteError.Type

/**
 * The errors that stand for an HTTP status.
 *
 * @since 0.1.0
 * @category models
 */
export type StatusError = InstanceType<typeof statusErrorClasses[number]>

/**
 * Whether `u` is one of the client's errors.
 *
 * @since 0.1.0
 * @category guards
 */
export const isOpenRemoteError = (u: unknown): u is OpenRemoteError => errorClasses.some((error) => u instanceof error)

/**
 * Whether `u` is one of the errors that stand for an HTTP status.
 *
 * @since 0.1.0
 * @category guards
 */
export const isStatusError = (u: unknown): u is StatusError => statusErrorClasses.some((error) => u instanceof error)

/**
 * The error for an HTTP status: 400 {@link BadRequest}, 401 {@link Unauthorized}, 403 {@link Forbidden},
 * 404 {@link NotFound}, 405 {@link NotAllowed}, 409 {@link Conflict}, 5xx {@link ServerError}, anything
 * else {@link UnexpectedStatus}.
 *
 * @example
 * ```ts
 * import { OpenRemoteError } from "@openremote-effect/client"
 *
 * const error = OpenRemoteError.fromStatus({
 *   operation: "getUser",
 *   method: "GET",
 *   url: "http://localhost:8080/api/master/user/master/u1",
 *   status: 405,
 *   body: ""
 * })
 * error._tag // "NotAllowed"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromStatus = (fields: StatusFields): StatusError => {
  switch (fields.status) {
    case 400:
      return new BadRequest(fields)
    case 401:
      return new Unauthorized(fields)
    case 403:
      return new Forbidden(fields)
    case 404:
      return new NotFound(fields)
    case 405:
      return new NotAllowed(fields)
    case 409:
      return new Conflict(fields)
    default:
      return fields.status >= 500 && fields.status <= 599 ? new ServerError(fields) : new UnexpectedStatus(fields)
  }
}

/**
 * The wait a status error's `Retry-After` header asked for, if any.
 *
 * @since 0.1.0
 * @category getters
 */
export const retryAfter = (error: OpenRemoteError): Duration.Duration | undefined =>
  isStatusError(error) ? error.retryAfter : undefined

/**
 * The HTTP status of an error, if it has one.
 *
 * @since 0.1.0
 * @category getters
 */
export const status = (error: OpenRemoteError): number | undefined =>
  Predicate.hasProperty(error, "status") && typeof error.status === "number" ? error.status : undefined
