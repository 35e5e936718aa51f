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
import * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import * as OpenRemoteError from "../OpenRemoteError.js"
import { collectSecrets, describeCause, excerpt, scrub, type Secret } from "./text.js"
import { withoutUserInfo } from "./url.js"

/**
 * The argument name of a forwarded header: `X-Forwarded-Proto` → `xForwardedProto`.
 *
 * @internal
 */
const argumentName = (header: string): string =>
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
const acceptOf = (result: Operation.Result): string =>
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
 * What {@link prepare} needs of the base URL, computed once per client: the base URL, and the same without
 * user information (for errors). The path appended to it is percent-encoded, so it cannot add user
 * information: `shownBase + path` is the URL without user information.
 *
 * @internal
 */
export interface Base {
  readonly url: string
  readonly shown: string
}

/**
 * The {@link Base} of a base URL.
 *
 * @internal
 */
export const base = (baseUrl: string): Base => ({ url: baseUrl, shown: withoutUserInfo(baseUrl) })

/**
 * The request of `operation` for `args`: the path filled with percent-encoded parameters (a missing,
 * empty, `.`, `..` or not well-formed parameter is an `InvalidRequest`), appended to the base URL; `Accept`;
 * the forwarded headers that were given (printable ASCII only, so no header can be injected); the body
 * encoded with the body schema (an encode failure is an `InvalidRequest` naming the fields, not their
 * values; an optional body that is absent is not sent). Nothing is sent here; it runs synchronously (every
 * body schema of the catalogue is synchronous), so it is a plain function rather than an effect.
 *
 * @internal
 */
export const prepare = (
  base: Base,
  operation: Operation.Any,
  args: Readonly<Record<string, unknown>>
): Either.Either<Prepared, OpenRemoteError.InvalidRequest> => {
  const invalid = (url: string, reason: string) =>
    Either.left(
      new OpenRemoteError.InvalidRequest({ operation: operation.name, method: operation.method, url, reason })
    )
  const path = Operation.formatPath(operation.path, args as Record<string, string>)
  if (Either.isLeft(path)) {
    return invalid(base.shown + operation.path, `the path parameter ${path.left.parameter} ${path.left.reason}`)
  }
  const url = base.url + path.right
  const shown = base.shown + path.right
  const headers: Record<string, string> = { accept: acceptOf(operation.result) }
  for (const [header, name] of forwarded) {
    const value = args[name]
    if (value !== undefined) {
      if (typeof value !== "string" || !headerValue.test(value)) {
        return invalid(shown, `${name} must be a string of printable ASCII characters`)
      }
      headers[header] = value
    }
  }
  let request = HttpClientRequest.make(operation.method)(url, { headers })
  let secrets: ReadonlyArray<Secret> = noSecrets
  const body = operation.body
  if (body !== undefined) {
    const value = args[body.name]
    secrets = collectSecrets(value)
    if (value !== undefined || !body.optional) {
      const encoded = ParseResult.encodeUnknownEither(body.schema)(value, { errors: "all" })
      if (Either.isLeft(encoded)) {
        return invalid(
          shown,
          `the ${body.name} body does not encode: ${
            scrub(ParseMessage.format(ParseResult.parseError(encoded.left), { values: false }), secrets)
          }`
        )
      }
      request = HttpClientRequest.bodyUnsafeJson(request, encoded.right)
    }
  }
  return Either.right({ operation, request, url: shown, secrets })
}

const noSecrets: ReadonlyArray<Secret> = []

/**
 * A `Retry-After` header as a wait: delta-seconds, or an HTTP date counted from `nowMillis` (a date in the
 * past is no wait). `undefined` when absent or unreadable.
 *
 * @internal
 */
const parseRetryAfter = (value: string | undefined, nowMillis: number): Duration.Duration | undefined => {
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
const unquote = (text: string): string => {
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
const isSuccess = (operation: Operation.Any, status: number): boolean =>
  status === operation.success || (operation.result._tag === "Void" && (status === 200 || status === 204))

/**
 * How the responses of one operation are read: built once per operation (the result's decoder included), so
 * that reading a response builds nothing but the result.
 *
 * @internal
 */
export type Reader = (
  prepared: Prepared,
  response: HttpClientResponse.HttpClientResponse,
  token: Redacted.Redacted<string>
) => Effect.Effect<unknown, OpenRemoteError.OpenRemoteError | HttpClientError.ResponseError>

/**
 * The {@link Reader} of `operation`: a success is decoded with the result schema (a body that does not match
 * is a `DecodeError`); `resetSecret`'s 204 (any non-void operation whose catalogue lists 204) is `NotFound`;
 * every other status is its status error, with at most 1 KiB of the body as text (never parsed) and the
 * `Retry-After` wait. The token and the arguments' secrets are scrubbed from every text kept.
 *
 * @internal
 */
export const reader = (operation: Operation.Any): Reader => {
  const result = operation.result
  const decode = result._tag === "Void"
    ? undefined
    : ParseResult.decodeUnknownEither(result.schema as Schema.Schema<unknown, unknown>)
  const failure = (
    prepared: Prepared,
    response: HttpClientResponse.HttpClientResponse,
    token: Redacted.Redacted<string>
  ) => {
    const status = response.status
    const shown = { operation: operation.name, method: operation.method, url: prepared.url }
    const meaning = operation.responses[status]
    if (status === 204 && result._tag !== "Void" && meaning !== undefined) {
      return Effect.fail(new OpenRemoteError.NotFound({ ...shown, status, body: "", meaning }))
    }
    return Effect.flatMap(
      Effect.zip(Effect.orElseSucceed(response.text, () => ""), Clock.currentTimeMillis),
      ([body, now]) =>
        Effect.fail(OpenRemoteError.fromStatus({
          ...shown,
          status,
          body: excerpt(body, [token, ...prepared.secrets]),
          meaning,
          retryAfter: parseRetryAfter(response.headers["retry-after"], now)
        }))
    )
  }
  const decodeError = (prepared: Prepared, status: number, issues: string) =>
    Effect.fail(
      new OpenRemoteError.DecodeError({
        operation: operation.name,
        method: operation.method,
        url: prepared.url,
        status,
        issues
      })
    )
  const decoded = (prepared: Prepared, status: number, token: Redacted.Redacted<string>, value: unknown) => {
    const outcome = decode!(value, { errors: "all" })
    return Either.isRight(outcome)
      ? Effect.succeed(outcome.right)
      : decodeError(
        prepared,
        status,
        scrub(ParseMessage.format(ParseResult.parseError(outcome.left)), [
          token,
          ...prepared.secrets,
          ...collectSecrets(value)
        ])
      )
  }
  switch (result._tag) {
    case "Void":
      return (prepared, response, token) =>
        isSuccess(operation, response.status)
          ? Effect.as(Effect.ignore(response.text), undefined)
          : failure(prepared, response, token)
    case "Text":
      return (prepared, response, token) =>
        isSuccess(operation, response.status)
          ? Effect.flatMap(response.text, (text) => decoded(prepared, response.status, token, unquote(text)))
          : failure(prepared, response, token)
    case "Json":
      return (prepared, response, token) => {
        const status = response.status
        if (!isSuccess(operation, status)) return failure(prepared, response, token)
        return Effect.flatMap(response.text, (text) => {
          let value: unknown
          try {
            value = JSON.parse(text)
          } catch {
            return decodeError(
              prepared,
              status,
              text.trim() === "" ? "the body is empty, expected JSON" : "the body is not JSON"
            )
          }
          return decoded(prepared, status, token, value)
        })
      }
  }
}

/**
 * A failure of the HTTP client as the client's error: an invalid URL is an `InvalidRequest` (nothing was
 * sent); anything else a `TransportError`.
 *
 * @internal
 */
export const fromHttpClientError = (
  prepared: Prepared,
  error: HttpClientError.HttpClientError,
  token: Redacted.Redacted<string>
): OpenRemoteError.TransportError | OpenRemoteError.InvalidRequest => {
  const shown = { operation: prepared.operation.name, method: prepared.operation.method, url: prepared.url }
  if (error._tag === "RequestError" && error.reason === "InvalidUrl") {
    return new OpenRemoteError.InvalidRequest({ ...shown, reason: "the URL is not valid" })
  }
  const what = error._tag === "RequestError" ? "the request failed" : "the response could not be read"
  const cause = error.cause === undefined ? error.description ?? error.reason : describeCause(error.cause)
  return new OpenRemoteError.TransportError({
    ...shown,
    description: scrub(`${what}: ${cause}`, [token, ...prepared.secrets])
  })
}
