/**
 * Faults and the journal: what happens to every request of the API, the Keycloak endpoints and the OpenAPI
 * document (never the control plane under `/_simulator`). On arrival a request gets its
 * {@link RequestTraffic} (`request.traffic`) and the first matching fault, if any, is applied; once its
 * answer is ready (every answer passes `onSend`; a reset connection journals itself) it is journaled, so a
 * request whose client gave up waiting is journaled too.
 *
 * Not encapsulated (`fastify-plugin`): its hooks apply to every route of the app that registers it, so it is
 * registered before the routes.
 *
 * @since 0.1.0
 */
import type { FastifyReply, FastifyRequest, onRequestHookHandler, onSendHookHandler } from "fastify"
import fastifyPlugin from "fastify-plugin"
import type { Clock } from "../Clock.js"
import type * as Faults from "../Faults.js"
import { journalCaller, pathOf } from "../internal/fastify.js"
import type { RouteOperation } from "../internal/fastify.js"
import { sendText } from "../internal/reply.js"
import type * as Journal from "../Journal.js"

declare module "fastify" {
  interface FastifyRequest {
    /** What the journal and the faults keep about this request (set on arrival). */
    traffic: RequestTraffic | null
  }
}

/**
 * What the journal and the faults keep about one request.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestTraffic {
  /** Arrival on the simulator's clock. */
  readonly time: number
  /** Arrival on the process's monotonic clock (`performance.now()`), for the journal's `durationMs`. */
  readonly startedAt: number
  /** The operation of the request's route; null for an unknown route. */
  readonly operation: RouteOperation | null
  /** The journal's caller: set by the authentication (API) or the token endpoint (the user a token was issued to). */
  caller: Journal.Caller | null
  /** The `grant_type` of a token request. */
  grantType: string | undefined
  readonly faults: Array<"status" | "latency" | "reset" | "malformed">
  /** A latency fault's delay, applied once the answer is ready (after the request was processed). */
  latencyMs: number
  journaled: boolean
}

/**
 * The traffic record of `request`, created when the request did not pass the `onRequest` hook (a request
 * fastify refused before routing it).
 *
 * @since 0.1.0
 * @category accessors
 */
export const trafficOf = (request: FastifyRequest, now: () => number = Date.now): RequestTraffic =>
  request.traffic ??= {
    time: now(),
    startedAt: performance.now(),
    // `routeOptions` is built anew on each access: read once per request.
    operation: request.routeOptions.config.operation ?? null,
    caller: null,
    grantType: undefined,
    faults: [],
    latencyMs: 0,
    journaled: false
  }

/**
 * Options of {@link trafficPlugin}: only what it needs.
 *
 * @since 0.1.0
 * @category plugins
 */
export interface TrafficPluginOptions {
  readonly faults: Faults.Faults
  readonly journal: Journal.Journal
  readonly clock: Clock
}

/** The control plane is neither faulted nor journaled. `?` is not in the prefix: the URL's test is the path's. */
const journaled = (request: FastifyRequest) => !request.url.startsWith("/_simulator")

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Faults applied to matching requests, and the journal of every request.
 *
 * @since 0.1.0
 * @category plugins
 */
export const trafficPlugin = fastifyPlugin<TrafficPluginOptions>(async (app, { clock, faults, journal }) => {
  // The duration is measured here: fastify's `reply.elapsedTime` is 0 unless a logger or an onResponse hook
  // made it time the reply.
  const record = (request: FastifyRequest, status: number) => {
    const traffic = trafficOf(request, clock.now)
    if (traffic.journaled) return
    traffic.journaled = true
    journal.record({
      time: traffic.time,
      method: request.method,
      path: pathOf(request),
      operation: traffic.operation,
      ...(traffic.grantType === undefined ? {} : { grantType: traffic.grantType }),
      caller: traffic.caller ?? journalCaller(request.caller ?? null),
      status,
      durationMs: performance.now() - traffic.startedAt,
      ...(traffic.faults.length === 0 ? {} : { fault: [...traffic.faults] })
    })
  }

  /**
   * Applies a fault; true when it answered the request (or reset the connection). A latency is not waited
   * for here but once the answer is ready (see `onSend`): like a slow server, the simulator processes the
   * request at once and answers late, so a client that gives up waiting still changed the state (the reason
   * a create is never retried). Only a reset connection is delayed here.
   */
  const applyFault = async (fault: Faults.Fault, request: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    const traffic = trafficOf(request, clock.now)
    const kinds = traffic.faults
    if (fault.latencyMs !== undefined && fault.latencyMs > 0) {
      kinds.push("latency")
      traffic.latencyMs = fault.latencyMs
    }
    if (fault.reset) {
      if (traffic.latencyMs > 0) await sleep(traffic.latencyMs)
      kinds.push("reset")
      record(request, 0)
      reply.hijack()
      reply.raw.destroy(new Error("connection reset by a simulated fault"))
      return true
    }
    if (fault.malformed) {
      kinds.push("malformed")
      reply.code(fault.status ?? 200).type("application/json; charset=utf-8")
      if (fault.retryAfter !== undefined) reply.header("Retry-After", String(fault.retryAfter))
      await reply.send("{\"simulated\": \"malformed body")
      return true
    }
    if (fault.status !== undefined) {
      kinds.push("status")
      if (fault.retryAfter !== undefined) reply.header("Retry-After", String(fault.retryAfter))
      await sendText(reply, fault.status, `Simulated fault: HTTP ${fault.status}`)
      return true
    }
    return false
  }

  app.decorateRequest("traffic", null)

  // Callback-style hooks with a synchronous path: a request without a fault (nearly all) allocates no promise.
  const onRequest: onRequestHookHandler = (request, reply, done) => {
    const { operation } = trafficOf(request, clock.now)
    if (!journaled(request)) return done()
    const fault = faults.take({ method: request.method, path: pathOf(request), operation: operation ?? undefined })
    if (fault === undefined) return done()
    applyFault(fault, request, reply).then((answered) => answered ? undefined : done(), done)
  }
  app.addHook("onRequest", onRequest)

  const onSend: onSendHookHandler = (request, reply, payload, done) => {
    if (!journaled(request)) return done(null, payload)
    const { latencyMs } = trafficOf(request, clock.now)
    if (latencyMs === 0) {
      record(request, reply.statusCode)
      return done(null, payload)
    }
    setTimeout(() => {
      record(request, reply.statusCode)
      done(null, payload)
    }, latencyMs)
  }
  app.addHook("onSend", onSend)
}, { name: "openremote-simulator-traffic", fastify: "5.x" })
