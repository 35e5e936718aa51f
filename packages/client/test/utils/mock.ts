/**
 * Test support: a mock `HttpClient` that records every request (with the `Clock` time it was sent) and
 * answers from a handler, a recording `Tracer`, a capturing `Logger`, and layer builders.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Tracer from "effect/Tracer"
import * as RetryPolicy from "../../src/RetryPolicy.js"
import * as TokenProvider from "../../src/TokenProvider.js"
import * as UserApi from "../../src/UserApi.js"

export const baseUrl = "http://localhost:8080/api/master"
export const keycloakUrl = "http://localhost:8081/auth"
export const tokenPath = "/auth/realms/master/protocol/openid-connect/token"
export const tokenUrl = `http://localhost:8081${tokenPath}`

/** Secrets used across the tests; none may ever show up in an error or a log line. */
export const secrets = {
  token: "tok-3f9a-SECRET-access-token",
  token2: "tok-77b1-SECRET-second-token",
  clientSecret: "cs-SECRET-8d2e-client-secret",
  password: "pw-SECRET-c41a-password",
  refreshToken: "rt-SECRET-19fe-refresh-token",
  userSecret: "us-SECRET-5b6c-service-user-secret"
} as const

export interface Recorded {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
  /** `Clock.currentTimeMillis` when the request was sent. */
  readonly at: number
  readonly isToken: boolean
}

/** What the handler answers: a response, or a transport failure (optionally with its cause's message). */
export type Reply = Response | "transport-failure" | { readonly transportFailure: string }

export type Handler = (request: Recorded, index: number) => Effect.Effect<Reply>

const decoder = new TextDecoder()

const bodyOf = (request: HttpClientRequest.HttpClientRequest): string | undefined =>
  request.body._tag === "Uint8Array" ? decoder.decode(request.body.body) : undefined

export interface Mock {
  readonly requests: Array<Recorded>
  readonly api: () => Array<Recorded>
  readonly token: () => Array<Recorded>
  readonly layer: Layer.Layer<HttpClient.HttpClient>
}

/**
 * A mock HTTP client. `api` answers the user API, `token` the token endpoint; each gets the request and
 * its index among the requests of its kind.
 */
export const makeMock = (handlers: { readonly api?: Handler; readonly token?: Handler }): Mock => {
  const requests: Array<Recorded> = []
  let apiCount = 0
  let tokenCount = 0
  const client = HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const isToken = url.pathname.endsWith("/protocol/openid-connect/token")
      const recorded: Recorded = {
        method: request.method,
        url,
        headers: { ...request.headers },
        body: bodyOf(request),
        at: yield* Clock.currentTimeMillis,
        isToken
      }
      requests.push(recorded)
      const handler = isToken ? handlers.token : handlers.api
      if (handler === undefined) {
        return yield* Effect.dieMessage(`no handler for ${request.method} ${url}`)
      }
      const reply = yield* handler(recorded, isToken ? tokenCount++ : apiCount++)
      if (reply === "transport-failure" || !(reply instanceof Response)) {
        const message = reply === "transport-failure" ? "connect ECONNREFUSED 127.0.0.1:8080" : reply.transportFailure
        return yield* new HttpClientError.RequestError({
          request,
          reason: "Transport",
          cause: new TypeError("fetch failed", { cause: new Error(message) })
        })
      }
      return HttpClientResponse.fromWeb(request, reply)
    })
  )
  return {
    requests,
    api: () => requests.filter((r) => !r.isToken),
    token: () => requests.filter((r) => r.isToken),
    layer: Layer.succeed(HttpClient.HttpClient, client)
  }
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

export const text = (body: string, status: number, headers: Record<string, string> = {}): Response =>
  new Response(body, { status, headers: { "content-type": "text/plain", ...headers } })

export const empty = (status: number, headers: Record<string, string> = {}): Response =>
  new Response(null, { status, headers })

export const tokenResponse = (options: {
  readonly accessToken: string
  readonly expiresIn?: number
  readonly refreshToken?: string
  readonly refreshExpiresIn?: number
}): Response =>
  json({
    access_token: options.accessToken,
    expires_in: options.expiresIn ?? 60,
    token_type: "Bearer",
    scope: "profile email",
    ...(options.refreshToken === undefined ? {} : { refresh_token: options.refreshToken }),
    ...(options.refreshExpiresIn === undefined ? {} : { refresh_expires_in: options.refreshExpiresIn })
  })

/** A handler answering every request with the same reply. */
export const always = (reply: () => Reply): Handler => () => Effect.sync(reply)

/** A handler answering the i-th request with `replies[i]` (the last one from then on). */
export const sequence = (...replies: ReadonlyArray<() => Reply>): Handler => (_, index) =>
  Effect.sync(() => replies[Math.min(index, replies.length - 1)]!())

export const staticTokens = TokenProvider.static(Redacted.make(secrets.token))

export const clientCredentialsTokens = TokenProvider.clientCredentials({
  keycloakUrl,
  realm: "master",
  clientId: "serviceuser",
  clientSecret: Redacted.make(secrets.clientSecret)
})

/** The `UserApi` over a mock, with the given tokens (a static token by default) and retry policy. */
export const apiLayer = (
  mock: Mock,
  options: {
    readonly tokens?: Layer.Layer<TokenProvider.TokenProvider, never, HttpClient.HttpClient>
    readonly retry?: RetryPolicy.Options
    readonly timeout?: UserApi.Options["timeout"]
    readonly baseUrl?: string
    readonly httpClientSpans?: boolean
  } = {}
): Layer.Layer<UserApi.UserApi> =>
  UserApi.layer({
    baseUrl: options.baseUrl ?? baseUrl,
    timeout: options.timeout,
    httpClientSpans: options.httpClientSpans
  }).pipe(
    Layer.provide(options.tokens ?? staticTokens),
    Layer.provide(RetryPolicy.layer(options.retry ?? { jitter: false })),
    Layer.provide(mock.layer)
  )

/** Runs `f` with the `UserApi` over `mock`. */
export const withApi = <A, E>(
  mock: Mock,
  f: (api: UserApi.Service) => Effect.Effect<A, E>,
  options: Parameters<typeof apiLayer>[1] = {}
): Effect.Effect<A, E> => Effect.flatMap(UserApi.UserApi, f).pipe(Effect.provide(apiLayer(mock, options)))

// -----------------------------------------------------------------------------
// Tracing and logging
// -----------------------------------------------------------------------------

export class RecordedSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly spanId: string
  readonly traceId = "test-trace"
  readonly sampled = true
  status: Tracer.SpanStatus
  readonly attributes = new Map<string, unknown>()
  links: Array<Tracer.SpanLink>
  constructor(
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly context: Context.Context<never>,
    links: ReadonlyArray<Tracer.SpanLink>,
    readonly startTime: bigint,
    readonly kind: Tracer.SpanKind,
    id: number
  ) {
    this.spanId = `span-${id}`
    this.status = { _tag: "Started", startTime }
    this.links = [...links]
  }
  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    this.status = { _tag: "Ended", startTime: this.status.startTime, endTime, exit }
  }
  attribute(key: string, value: unknown): void {
    this.attributes.set(key, value)
  }
  event(): void {}
  addLinks(links: ReadonlyArray<Tracer.SpanLink>): void {
    this.links.push(...links)
  }
}

export const makeRecordingTracer = () => {
  const spans: Array<RecordedSpan> = []
  const tracer = Tracer.make({
    span: (
      name: string,
      parent: Option.Option<Tracer.AnySpan>,
      context: Context.Context<never>,
      links: ReadonlyArray<Tracer.SpanLink>,
      startTime: bigint,
      kind: Tracer.SpanKind
    ) => {
      const span = new RecordedSpan(name, parent, context, links, startTime, kind, spans.length)
      spans.push(span)
      return span
    },
    context: <X>(f: () => X) => f()
  })
  return { spans, tracer }
}

/** A logger that keeps every log line in full: message, annotations, spans and the pretty cause. */
export const makeCapturingLogger = () => {
  const lines: Array<string> = []
  const logger = Logger.make((options) => {
    lines.push(Logger.logfmtLogger.log(options))
    lines.push(Logger.jsonLogger.log(options))
    if (!Cause.isEmpty(options.cause)) {
      lines.push(Cause.pretty(options.cause, { renderErrorCause: true }))
    }
  })
  return { lines, logger }
}
