/**
 * The recorder: an `HttpClient` transformation that records every API exchange the client makes (the
 * operation, method, URL, status, content type and raw body) and judges each response against the OpenAPI
 * document as it arrives ({@link Conformance}). Plug it in with `UserApi.layer({ transformClient })`; token
 * requests do not go through it.
 *
 * An attempt without a response (a reset connection, or one the client's timeout interrupted) is recorded
 * with status 0, so the recorder also counts attempts: a call retried twice leaves three exchanges. Bodies are kept `Redacted` (they may hold a service user's secret), so printing an
 * exchange never shows one.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type { Catalogue } from "@openremote-effect/model"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Conformance from "./Conformance.js"
import * as Routes from "./Routes.js"

/**
 * One request and what came back.
 *
 * @since 0.1.0
 * @category models
 */
export interface Exchange {
  /** Increasing from 1. */
  readonly id: number
  /** The catalogue operation; `undefined` when the request is none (a problem in itself). */
  readonly operation: Catalogue.OperationName | undefined
  readonly method: string
  readonly url: string
  /** The HTTP status; 0 when there was no response (a reset connection, a refused connection). */
  readonly status: number
  readonly contentType: string | undefined
  /**
   * The raw body; `undefined` without a response, when it could not be read, or when the recorder was told
   * not to keep it (see {@link Options}).
   */
  readonly body: Redacted.Redacted<string> | undefined
  /** The length of the body in characters; 0 without one. */
  readonly bodyLength: number
  /** Why the response does not conform to the OpenAPI document; empty when it does. */
  readonly problems: ReadonlyArray<string>
  /** When the response (or the failure) arrived, epoch ms on Effect's `Clock`. */
  readonly at: number
}

/**
 * The recorder service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Wraps an `HttpClient` so that its exchanges are recorded; for `UserApi.layer({ transformClient })`. */
  readonly transformClient: (client: HttpClient.HttpClient) => HttpClient.HttpClient
  /** Every exchange so far, oldest first. */
  readonly exchanges: Effect.Effect<ReadonlyArray<Exchange>>
  /** The id of the last exchange so far (0 when none): pass it to `since`. */
  readonly mark: Effect.Effect<number>
  /** The exchanges after `mark`. */
  readonly since: (mark: number) => Effect.Effect<ReadonlyArray<Exchange>>
}

/**
 * The recorder.
 *
 * @since 0.1.0
 * @category context
 */
export class Recorder extends Context.Tag("@openremote-effect/contract-tests/Recorder")<Recorder, Service>() {}

/**
 * How a recorder is made.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Judges the responses (default: `Conformance.make()`, the document with the model's differences applied). */
  readonly validator?: Conformance.Validator | undefined
  /**
   * Which bodies to keep after judging them (default: all). A long run can keep only the `createUser`
   * answers, which {@link createdUsers} needs, to save memory.
   */
  readonly retainBody?: ((operation: Catalogue.OperationName | undefined, status: number) => boolean) | undefined
}

/**
 * A recorder.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Service> = Effect.fn("Recorder.make")(
  function*(options: Options = {}) {
    const validator = options.validator ?? Conformance.make()
    const retainBody = options.retainBody ?? (() => true)
    const recorded = yield* Ref.make<ReadonlyArray<Exchange>>([])

    const record = (
      request: HttpClientRequest.HttpClientRequest,
      response: {
        readonly status: number
        readonly contentType: string | undefined
        readonly body: string | undefined
      }
    ) =>
      Effect.flatMap(Clock.currentTimeMillis, (at) =>
        Ref.update(recorded, (exchanges) => {
          const operation = Routes.match(request.method, request.url)?.operation
          const problems = operation === undefined
            ? [`${request.method} ${request.url} is not an operation of the catalogue`]
            : validator.problems({ operation, ...response })
          return [...exchanges, {
            id: exchanges.length + 1,
            operation,
            method: request.method,
            url: request.url,
            status: response.status,
            contentType: response.contentType,
            body: response.body === undefined || !retainBody(operation, response.status)
              ? undefined
              : Redacted.make(response.body),
            bodyLength: response.body?.length ?? 0,
            problems,
            at
          }]
        }))

    const transformClient = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
      HttpClient.transform(client, (effect, request) =>
        effect.pipe(
          Effect.tap((response) =>
            Effect.flatMap(Effect.either(response.text), (text) =>
              record(request, {
                status: response.status,
                contentType: response.headers["content-type"],
                body: Either.getOrUndefined(text)
              }))
          ),
          // A failure, or an interruption (the client's per-attempt timeout): no response.
          Effect.onError(() => record(request, { status: 0, contentType: undefined, body: undefined }))
        ))

    const exchanges = Ref.get(recorded)
    return Recorder.of({
      transformClient,
      exchanges,
      mark: Effect.map(exchanges, (all) => all.length),
      since: (mark) => Effect.map(exchanges, (all) => all.slice(mark))
    })
  }
)

/**
 * A recorder as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<Recorder> => Layer.effect(Recorder, make(options))

/**
 * The users that `createUser` calls among `exchanges` created (a 200 with the user's `id`, in the realm of the request path), so
 * that they can be deleted again.
 *
 * @since 0.1.0
 * @category utils
 */
export const createdUsers = (
  exchanges: ReadonlyArray<Exchange>
): ReadonlyArray<{ readonly realm: string; readonly id: string }> =>
  exchanges.flatMap((exchange) => {
    if (exchange.operation !== "createUser" || exchange.status !== 200 || exchange.body === undefined) return []
    try {
      const user: unknown = JSON.parse(Redacted.value(exchange.body))
      if (typeof user !== "object" || user === null) return []
      const { id } = user as { readonly id?: unknown }
      const realm = Routes.match(exchange.method, exchange.url)?.parameters.realm
      return typeof id === "string" && realm !== undefined ? [{ realm, id }] : []
    } catch {
      return []
    }
  })
