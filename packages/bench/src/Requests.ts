/**
 * Raw HTTP requests of the user API with `fetch`, built from the model's catalogue (a path, method or
 * success status is never written here), and access tokens from the simulator's Keycloak token endpoint.
 * The benchmarks' baselines and set-up use them; the client under test never does.
 *
 * @since 0.1.0
 */
import { TokenProvider } from "@openremote-effect/client"
import { Catalogue, Operation } from "@openremote-effect/model"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { UnexpectedResponse } from "./BenchError.js"

/**
 * The path of an operation under `/api/{requestRealm}`, its parameters percent-encoded by the model's
 * `Operation.formatPath`. A parameter the model refuses (`""`, `.`, `..`, a lone surrogate) throws: the
 * callers build their parameters themselves.
 *
 * @since 0.1.0
 * @category requests
 */
export const path = <Op extends Operation.Any>(
  operation: Op,
  parameters: { readonly [K in Operation.PathParameters<Op["path"]>]: string },
  requestRealm = "master"
): string => {
  const formatted = Operation.formatPath(operation.path, parameters)
  if (Either.isLeft(formatted)) {
    throw new Error(`${operation.name}: the path parameter ${formatted.left.parameter} ${formatted.left.reason}`)
  }
  return Catalogue.apiBaseUrl("", requestRealm) + formatted.right
}

/**
 * The URL of an operation on `origin` (see {@link path}).
 *
 * @since 0.1.0
 * @category requests
 */
export const url = <Op extends Operation.Any>(
  origin: string,
  operation: Op,
  parameters: { readonly [K in Operation.PathParameters<Op["path"]>]: string },
  requestRealm = "master"
): string => origin + path(operation, parameters, requestRealm)

/**
 * The API base URL the client is configured with: `{origin}/api/{requestRealm}`.
 *
 * @since 0.1.0
 * @category requests
 */
export const baseUrl = (origin: string, requestRealm = "master"): string => Catalogue.apiBaseUrl(origin, requestRealm)

/**
 * A token grant: a service user's client credentials or a person's password.
 *
 * @since 0.1.0
 * @category models
 */
export type Grant =
  | { readonly clientId: string; readonly clientSecret: string }
  | { readonly clientId: string; readonly username: string; readonly password: string }

/**
 * The tokens of a successful grant.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tokens {
  readonly accessToken: Redacted.Redacted<string>
  /** Present for the password grant. */
  readonly refreshToken: Redacted.Redacted<string> | undefined
}

const excerpt = (text: string) => text.slice(0, 300)

/**
 * Requests tokens from `{keycloakUrl}/realms/{realm}/protocol/openid-connect/token` (the client's
 * `TokenProvider.tokenUrl`). Anything but a 200 with an `access_token` is an `UnexpectedResponse` (whose
 * detail is Keycloak's error, never a credential).
 *
 * @since 0.1.0
 * @category tokens
 */
export const token: (keycloakUrl: string, grant: Grant, realm?: string) => Effect.Effect<
  Tokens,
  UnexpectedResponse
> = Effect.fn("Requests.token")(function*(keycloakUrl: string, grant: Grant, realm = "master") {
  const tokenUrl = TokenProvider.tokenUrl(keycloakUrl, realm)
  const form = "clientSecret" in grant
    ? { grant_type: "client_credentials", client_id: grant.clientId, client_secret: grant.clientSecret }
    : { grant_type: "password", client_id: grant.clientId, username: grant.username, password: grant.password }
  const failed = (status: number, detail: string) =>
    new UnexpectedResponse({ operation: "token", method: "POST", url: tokenUrl, status, detail })
  const response = yield* Effect.tryPromise({
    try: () =>
      fetch(tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams(form).toString()
      }),
    catch: (error) => failed(0, String(error))
  })
  const text = yield* Effect.tryPromise({ try: () => response.text(), catch: (error) => failed(0, String(error)) })
  if (response.status !== 200) return yield* failed(response.status, excerpt(text))
  const json = yield* Effect.try({ try: () => JSON.parse(text) as unknown, catch: () => failed(200, "not JSON") })
  const body = (typeof json === "object" && json !== null ? json : {}) as Readonly<Record<string, unknown>>
  if (typeof body.access_token !== "string") return yield* failed(200, "no access_token")
  return {
    accessToken: Redacted.make(body.access_token),
    refreshToken: typeof body.refresh_token === "string" ? Redacted.make(body.refresh_token) : undefined
  }
})

/**
 * One call of an operation with `fetch` and a bearer token; succeeds with the body text when the status is
 * the operation's catalogue success status, else fails with an `UnexpectedResponse`.
 *
 * @since 0.1.0
 * @category requests
 */
export const call: <Op extends Operation.Any>(
  origin: string,
  accessToken: Redacted.Redacted<string>,
  operation: Op,
  parameters: { readonly [K in Operation.PathParameters<Op["path"]>]: string },
  body?: unknown
) => Effect.Effect<string, UnexpectedResponse> = Effect.fn("Requests.call")(
  function*<Op extends Operation.Any>(
    origin: string,
    accessToken: Redacted.Redacted<string>,
    operation: Op,
    parameters: { readonly [K in Operation.PathParameters<Op["path"]>]: string },
    body?: unknown
  ) {
    const target = url(origin, operation, parameters)
    const failed = (status: number, detail: string) =>
      new UnexpectedResponse({ operation: operation.name, method: operation.method, url: target, status, detail })
    const headers: Record<string, string> = {
      authorization: `Bearer ${Redacted.value(accessToken)}`,
      accept: "application/json"
    }
    if (body !== undefined) headers["content-type"] = "application/json"
    const response = yield* Effect.tryPromise({
      try: () =>
        fetch(target, {
          method: operation.method,
          headers,
          ...(body === undefined ? {} : { body: JSON.stringify(body) })
        }),
      catch: (error) => failed(0, String(error))
    })
    const text = yield* Effect.tryPromise({ try: () => response.text(), catch: (error) => failed(0, String(error)) })
    if (response.status !== operation.success) return yield* failed(response.status, excerpt(text))
    return text
  }
)
