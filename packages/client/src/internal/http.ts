/**
 * Requests built from a catalogue entry, and responses read as the entry says: the HTTP half of the
 * `UserApi`.
 *
 * @internal
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Catalogue, Operation, ParseMessage } from "@openremote-effect/model"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as OpenRemoteError from "../OpenRemoteError.js"
import { collectSecrets, describeCause, excerpt, scrub, type Secret } from "./text.js"
import { withoutUserInfo } from "./url.js"

/**
 * The argument name of a forwarded header: `X-Forwarded-Proto` → `xForwardedProto`.
 *
 * @internal
 */
export const argumentName = (header: string): string =>
  header.split("-").map((part, i) =>
    i === 0 ? part.toLowerCase() : part.charAt(0).toUpperCase() + part.slice(1).toLowerCase()
  ).join("")

/** What an HTTP header value may hold here: printable ASCII, spaces and tabs (no line breaks, no NUL). */
const headerValue = /^[\t\x20-\x7e]*$/

const forwarded = Catalogue.forwardedHeaders.map((header) => [header, argumentName(header)] as const)

/**
 * The `Accept` header of an operation: JSON for a JSON result, text or JSON for a text result (the
 * documents call `resetSecret`'s body a JSON string, the server sends raw text), anything for no result.
 *
 * @internal
 */
export const acceptOf = (result: Operation.Result): string =>
  result._tag === "Json" ? "application/json" : result._tag === "Text" ? "text/plain, application/json" : "*/*"

/**
 * A request ready to be sent (without its bearer token).
 *
 * @internal
 */
export interface Prepared {
  readonly operation: Operation.Any
  readonly request: HttpClientRequest.HttpClientRequest
  /** The URL as errors show it (without user information). */
  readonly url: string
  /** Secret values of the arguments (a password being set, say), scrubbed from any text kept. */
  readonly secrets: ReadonlyArray<Secret>
}

/**
 * The request of `operation` for `args`: the path filled with percent-encoded parameters (a missing,
 * empty, `.`, `..` or not well-formed parameter is an `InvalidRequest`), appended to `baseUrl`; `Accept`; the forwarded
 * headers that were given (printable ASCII only, so no header can be injected); the body encoded with the body schema (an encode failure is an
 * `InvalidRequest` naming the fields, not their values; an optional body that is absent is not sent). Nothing is sent here.
 *
 * @internal
 */
export const prepare = (
  baseUrl: string,
  operation: Operation.Any,
  args: Readonly<Record<string, unknown>>
): Effect.Effect<Prepared, OpenRemoteError.InvalidRequest> =>
  Effect.gen(function*() {
    const invalid = (url: string, reason: string) =>
      new OpenRemoteError.InvalidRequest({
        operation: operation.name,
        method: operation.method,
        url: withoutUserInfo(url),
        reason
      })
    const path = Operation.formatPath(operation.path, args as Record<string, string>)
    if (Either.isLeft(path)) {
      return yield* invalid(
        baseUrl + operation.path,
        `the path parameter ${path.left.parameter} ${path.left.reason}`
      )
    }
    const url = baseUrl + path.right
    let request = HttpClientRequest.make(operation.method)(url).pipe(
      HttpClientRequest.setHeader("Accept", acceptOf(operation.result))
    )
    for (const [header, name] of forwarded) {
      const value = args[name]
      if (value !== undefined) {
        if (typeof value !== "string" || !headerValue.test(value)) {
          return yield* invalid(url, `${name} must be a string of printable ASCII characters`)
        }
        request = HttpClientRequest.setHeader(request, header, value)
      }
    }
    const secrets: Array<Secret> = []
    const body = operation.body
    if (body !== undefined) {
      const value = args[body.name]
      secrets.push(...collectSecrets(value))
      if (value !== undefined || !body.optional) {
        const encoded = yield* Schema.encodeUnknown(body.schema)(value, { errors: "all" }).pipe(
          Effect.mapError((error) =>
            invalid(
              url,
              `the ${body.name} body does not encode: ${scrub(ParseMessage.format(error, { values: false }), secrets)}`
            )
          )
        )
        request = HttpClientRequest.bodyUnsafeJson(request, encoded)
      }
    }
    return { operation, request, url: withoutUserInfo(url), secrets }
  })

/**
 * A `Retry-After` header as a wait: delta-seconds, or an HTTP date counted from `nowMillis` (a date in the
 * past is no wait). `undefined` when absent or unreadable.
 *
 * @internal
 */
export const parseRetryAfter = (value: string | undefined, nowMillis: number): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) {
    return Duration.seconds(Number(trimmed))
  }
  // An HTTP date always names its day or month ("Sun, 06 Nov 1994 08:49:37 GMT"); this keeps `Date.parse`'s
  // leniency from reading a malformed number as a date.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Duration.millis(Math.max(0, date - nowMillis))
}

/**
 * A text result: the raw text, or the value of a JSON string literal (the documents' form).
 *
 * @internal
 */
export const unquote = (text: string): string => {
  if (text.startsWith("\"")) {
    try {
      const value: unknown = JSON.parse(text)
      if (typeof value === "string") return value
    } catch {
      // raw text that happens to start with a quote
    }
  }
  return text
}

/**
 * Whether `status` is a success of `operation`: its catalogue `success` status, and for operations without
 * a result both 200 (the documents) and 204 (the server).
 *
 * @internal
 */
export const isSuccess = (operation: Operation.Any, status: number): boolean =>
  status === operation.success || (operation.result._tag === "Void" && (status === 200 || status === 204))

/**
 * Reads a response as the operation says: a success is decoded with the result schema (a body that does
 * not match is a `DecodeError`); `resetSecret`'s 204 (any non-void operation whose catalogue lists 204) is
 * `NotFound`; every other status is its status error, with at most 1 KiB of the body as text (never parsed)
 * and the `Retry-After` wait. `secrets` are scrubbed from every text kept.
 *
 * @internal
 */
export const readResponse = (
  prepared: Prepared,
  response: HttpClientResponse.HttpClientResponse,
  secrets: ReadonlyArray<Secret>
): Effect.Effect<unknown, OpenRemoteError.OpenRemoteError | HttpClientError.ResponseError> =>
  Effect.gen(function*() {
    const { operation } = prepared
    const status = response.status
    const shown = { operation: operation.name, method: operation.method, url: prepared.url }
    const decodeError = (issues: string) => new OpenRemoteError.DecodeError({ ...shown, status, issues })
    if (isSuccess(operation, status)) {
      const result = operation.result
      if (result._tag === "Void") {
        yield* Effect.ignore(response.text)
        return undefined
      }
      const text = yield* response.text
      let value: unknown
      if (result._tag === "Text") {
        value = unquote(text)
      } else {
        if (text.trim() === "") {
          return yield* decodeError("the body is empty, expected JSON")
        }
        try {
          value = JSON.parse(text)
        } catch {
          return yield* decodeError("the body is not JSON")
        }
      }
      return yield* Schema.decodeUnknown(result.schema as Schema.Schema<unknown, unknown>)(value, { errors: "all" })
        .pipe(
          Effect.mapError((error) =>
            decodeError(scrub(ParseMessage.format(error), [...secrets, ...collectSecrets(value)]))
          )
        )
    }
    const meaning = operation.responses[status]
    if (status === 204 && operation.result._tag !== "Void" && meaning !== undefined) {
      return yield* new OpenRemoteError.NotFound({ ...shown, status, body: "", meaning })
    }
    const body = yield* Effect.orElseSucceed(response.text, () => "")
    const now = yield* Clock.currentTimeMillis
    return yield* OpenRemoteError.fromStatus({
      ...shown,
      status,
      body: excerpt(body, secrets),
      meaning,
      retryAfter: parseRetryAfter(response.headers["retry-after"], now)
    })
  })

/**
 * A failure of the HTTP client as the client's error: an invalid URL is an `InvalidRequest` (nothing was
 * sent); anything else a `TransportError`.
 *
 * @internal
 */
export const fromHttpClientError = (
  prepared: Prepared,
  error: HttpClientError.HttpClientError,
  secrets: ReadonlyArray<Secret>
): OpenRemoteError.TransportError | OpenRemoteError.InvalidRequest => {
  const shown = { operation: prepared.operation.name, method: prepared.operation.method, url: prepared.url }
  if (error._tag === "RequestError" && error.reason === "InvalidUrl") {
    return new OpenRemoteError.InvalidRequest({ ...shown, reason: "the URL is not valid" })
  }
  const what = error._tag === "RequestError" ? "the request failed" : "the response could not be read"
  const cause = error.cause === undefined ? error.description ?? error.reason : describeCause(error.cause)
  return new OpenRemoteError.TransportError({ ...shown, description: scrub(`${what}: ${cause}`, secrets) })
}
