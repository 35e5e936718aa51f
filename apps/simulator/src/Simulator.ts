/**
 * The simulator: an in-memory, stateful double of an OpenRemote Manager's user API and of the Keycloak
 * endpoints it relies on, as a fastify app. `buildSimulator` gives the app (routes registered, not
 * listening; ideal for `app.inject()`), `startSimulator` listens and gives its URLs, `close` and the control
 * plane.
 *
 * @example
 * ```ts
 * import { Simulator } from "@openremote-effect/simulator"
 *
 * const simulator = await Simulator.startSimulator({ port: 0 })
 * // simulator.url          → http://127.0.0.1:PORT   (API base URL: `${simulator.url}/api/master`)
 * // simulator.keycloakUrl  → http://127.0.0.1:PORT/auth
 * // simulator.mqttUrl      → mqtt://127.0.0.1:PORT   (the MQTT broker; its connections are the sessions)
 * simulator.control.faults.add({ operation: "getUser", status: 503, retryAfter: 1 })
 * await simulator.close()
 * ```
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from "fastify"
import Fastify, { LogController } from "fastify"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import type { Duplex } from "node:stream"
import * as Clock from "./Clock.js"
import * as Control from "./Control.js"
import * as Faults from "./Faults.js"
import type { Broker } from "./internal/broker.js"
import { startBroker } from "./internal/broker.js"
import { headerSafe, pathOf, serializerCompiler, textErrorHandler, validatorCompiler } from "./internal/fastify.js"
import { makeSalt } from "./internal/hashing.js"
import { sendText } from "./internal/reply.js"
import type { State } from "./internal/state.js"
import { closeConnectionOf, keycloakOf } from "./internal/state.js"
import * as Journal from "./Journal.js"
import { controlPlugin } from "./plugins/control.js"
import { keycloakPlugin } from "./plugins/keycloak.js"
import { openapiPlugin } from "./plugins/openapi.js"
import { trafficPlugin } from "./plugins/traffic.js"
import { usersPlugin } from "./plugins/users.js"
import * as Seed from "./Seed.js"
import { InvalidInput } from "./SimulatorError.js"
import { Store } from "./Store.js"
import * as Tokens from "./Tokens.js"

declare module "fastify" {
  interface FastifyInstance {
    /** The control plane of the simulator this app is. */
    simulator: Control.Control
  }
}

/**
 * Fastify's logger options (pino); the simulator adds redaction of secrets to them.
 *
 * @since 0.1.0
 * @category models
 */
export type LoggerOptions = Exclude<FastifyServerOptions["logger"], boolean | undefined>

/**
 * Options of {@link buildSimulator} and {@link startSimulator}.
 *
 * @since 0.1.0
 * @category models
 */
export interface SimulatorOptions {
  /** The port of the API (and of the Keycloak endpoints under `/auth`); 0 (the default) picks a free one. */
  readonly port?: number | undefined
  /** The host to listen on; `127.0.0.1` by default. */
  readonly host?: string | undefined
  /**
   * A second port serving only the Keycloak endpoints (`/auth/...`), like OpenRemote's dev stack on 8081; 0
   * picks a free one; none when undefined or `false`.
   */
  readonly authPort?: number | false | undefined
  /**
   * The port of the MQTT broker (`startSimulator` only): 0 (the default) picks a free one, so that many
   * simulators run side by side; `false` starts no broker (sessions then come from the control plane only).
   * The command line's default is 1883, the real broker's.
   */
  readonly mqttPort?: number | false | undefined
  /** The world to start from (JSON form, validated); {@link Seed.defaultSeed} by default. */
  readonly seed?: unknown
  /** Access token lifespan in seconds (60 by default). */
  readonly tokenLifespan?: number | undefined
  /** Refresh token lifespan in seconds (1800 by default). */
  readonly refreshTokenLifespan?: number | undefined
  /** The base clock (the system clock by default); the control plane can advance the simulator's clock. */
  readonly clock?: Clock.Clock | undefined
  /** Fastify logger options, `true` for fastify's defaults, or `false` (the default) for no logs. */
  readonly logger?: boolean | LoggerOptions | undefined
  /** Serve the HTTP control plane under `/_simulator/` (true by default). */
  readonly control?: boolean | undefined
  /**
   * The public Keycloak URL tokens are issued by (`iss` = this + `/realms/{realm}`). `startSimulator` sets
   * it from the ports it listens on; `buildSimulator` uses `http://localhost/auth` unless given.
   */
  readonly keycloakUrl?: string | undefined
  /** The RS256 key pair to sign tokens with; a new one by default (sharing one saves start-up time in tests). */
  readonly keyPair?: Tokens.KeyPair | Promise<Tokens.KeyPair> | undefined
}

/**
 * A listening simulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunningSimulator {
  /** The origin of the API, e.g. `http://127.0.0.1:8080`; a client's base URL is `${url}/api/master`. */
  readonly url: string
  /** The public Keycloak URL, e.g. `http://127.0.0.1:8081/auth` (or `${url}/auth` without an auth port). */
  readonly keycloakUrl: string
  /** The MQTT broker, e.g. `mqtt://127.0.0.1:1883`; undefined when started with `mqttPort: false`. */
  readonly mqttUrl: string | undefined
  /** The control plane. */
  readonly control: Control.Control
  /** The fastify app. */
  readonly app: FastifyInstance
  /** Stops listening (every port) and closes open connections, MQTT ones included. */
  readonly close: () => Promise<void>
}

/**
 * The request fields logged: no query string (it may hold a secret), headers with `Authorization` and
 * cookies redacted.
 */
const requestSerializer = (request: FastifyRequest) => ({
  method: request.method,
  url: pathOf(request),
  host: request.host,
  remoteAddress: request.ip,
  headers: request.headers
})

/**
 * The log paths redacted: credentials in headers, and any password, secret or token field.
 *
 * @since 0.1.0
 * @category logging
 */
export const redactPaths: ReadonlyArray<string> = [
  "req.headers.authorization",
  "req.headers[\"proxy-authorization\"]",
  "req.headers.cookie",
  "res.headers[\"set-cookie\"]",
  ...["password", "secret", "client_secret", "access_token", "refresh_token", "token", "value"].flatMap((
    field
  ) => [field, `*.${field}`, `*.*.${field}`])
]

const loggerOptions = (logger: SimulatorOptions["logger"]): boolean | LoggerOptions => {
  if (logger === undefined || logger === false) return false
  const base: LoggerOptions = logger === true ? {} : logger
  const redact = (base as { readonly redact?: unknown }).redact
  const extraPaths = Array.isArray(redact) ? redact as ReadonlyArray<string> : []
  return {
    ...base,
    redact: { paths: [...redactPaths, ...extraPaths], censor: "[Redacted]" },
    serializers: { req: requestSerializer as never, ...base.serializers }
  }
}

/**
 * Per-request logs below `info`, so the CLI's default level shows none: the request (headers redacted) at
 * `trace`, one line per answer (`GET /api/master/user/user 200 2.1 ms`) and unknown routes at `debug`.
 */
class RequestLogs extends LogController {
  override incomingRequest(request: FastifyRequest) {
    request.log.trace({ req: request }, "incoming request")
  }
  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply) {
    const ms = reply.elapsedTime
    const line = `${request.method} ${pathOf(request)} ${reply.statusCode} ${ms.toFixed(1)} ms`
    if (error === null) reply.log.debug(line)
    else reply.log.debug({ err: error }, line)
  }
  override routeNotFound(request: FastifyRequest) {
    request.log.debug(`no route for ${request.method} ${pathOf(request)}`)
  }
}

const positiveInteger = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value <= 0) {
    throw new InvalidInput({ message: `${name}: must be a whole number of seconds > 0, got ${value}` })
  }
  return value
}

const port = (name: string, value: number | undefined): number => {
  if (value === undefined) return 0
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new InvalidInput({ message: `${name}: must be a port from 0 to 65535, got ${value}` })
  }
  return value
}

/**
 * Requests Node's HTTP parser refuses (a request target with bytes it does not accept, headers over 16 KiB, a
 * request that took too long) never reach fastify. fastify's default answer has a JSON body, and no error
 * body of the user API is JSON: the simulator answers, as Node itself does, with the status and no body
 * (so the answer is readable whatever the method was), then closes the connection.
 *
 * Also as Node does: nothing is written into an answer already under way, such as the answer to a request
 * whose unannounced body (no `Content-Length`) Node then parses as a next request; that answer is finished
 * and the connection closed.
 */
const clientErrorHandler = (error: NodeJS.ErrnoException, socket: Duplex): void => {
  if (error.code === "ECONNRESET" || socket.destroyed) return
  // The response Node is writing on this socket: the field Node's own `socketOnError` checks.
  if ((socket as { readonly _httpMessage?: { readonly headersSent: boolean } | null })._httpMessage?.headersSent) {
    socket.end()
    return
  }
  const status = error.code === "HPE_HEADER_OVERFLOW"
    ? "431 Request Header Fields Too Large"
    : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
    ? "408 Request Timeout"
    : "400 Bad Request"
  if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
  socket.destroy()
}

/**
 * The state of a new simulator, from validated options: the seed's store, the clock, the key service (its
 * key pair generated in the background unless given), no faults, an empty journal. Throws `InvalidInput`.
 */
const makeState = (options: SimulatorOptions): State => {
  const seed = Seed.decode(options.seed ?? Seed.defaultSeed)
  if (Either.isLeft(seed)) throw new InvalidInput({ message: `seed: ${seed.left.message}` })
  const clock = Clock.make(options.clock)
  const secretSalt = makeSalt()
  const connections = new Map<string, () => void>()
  return {
    seed: seed.right,
    seedLoadedAt: clock.now(),
    store: Store.fromSeed(seed.right, {
      now: clock.now(),
      salt: secretSalt,
      onSessionEnd: closeConnectionOf(connections)
    }),
    keycloakUrl: (options.keycloakUrl ?? "http://localhost/auth").replace(/\/+$/, ""),
    clock,
    tokens: Tokens.make({ keyPair: options.keyPair }),
    faults: Faults.make(),
    journal: Journal.make(),
    tokenLifespan: positiveInteger("tokenLifespan", options.tokenLifespan, 60),
    refreshTokenLifespan: positiveInteger("refreshTokenLifespan", options.refreshTokenLifespan, 1800),
    secretSalt,
    connections
  }
}

/**
 * Every schema is an Effect Schema compiled by the simulator's own compilers, so fastify need not load Ajv and
 * fast-json-stringify (a measurable share of the start-up). fastify types the factories with Ajv's function
 * types; at run time they get the route definition the simulator's compilers read.
 */
const compilersFactory = {
  buildValidator: () => validatorCompiler,
  buildSerializer: () => serializerCompiler
} as unknown as NonNullable<NonNullable<FastifyServerOptions["schemaController"]>["compilersFactory"]>

/** The fastify app over `state`: each plugin gets only what it needs. */
const buildApp = (state: State, options: Pick<SimulatorOptions, "logger" | "control">): FastifyInstance => {
  const control = Control.make(state)
  const app = Fastify({
    logger: loggerOptions(options.logger),
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 16 * 1024 },
    schemaController: { compilersFactory },
    forceCloseConnections: true,
    requestIdHeader: false,
    logController: new RequestLogs(),
    clientErrorHandler,
    frameworkErrors: (error, _request, reply) => {
      // A generic callback: its reply type depends on type parameters fastify never fixes.
      sendText(
        reply as unknown as FastifyReply,
        400,
        error.code === "FST_ERR_BAD_URL" ? "Bad Request: the URL is not valid" : `Bad Request: ${error.message}`
      )
    }
  })
  app.decorate("simulator", control)
  app.setErrorHandler(textErrorHandler)
  app.setNotFoundHandler((request, reply) =>
    sendText(reply, 404, headerSafe(`Not Found: ${request.method} ${pathOf(request)}`).slice(0, 300))
  )
  void app.register(trafficPlugin, { faults: state.faults, journal: state.journal, clock: state.clock })
  const keycloak = keycloakOf(state)
  void app.register(keycloakPlugin, { ...keycloak, prefix: "/auth" })
  void app.register(usersPlugin, { store: keycloak.store, clock: state.clock, authentication: keycloak.authentication })
  void app.register(openapiPlugin, { keycloakUrl: () => state.keycloakUrl })
  if (options.control !== false) void app.register(controlPlugin, { control, prefix: "/_simulator" })
  return app
}

/**
 * The simulator as a fastify app: routes registered, not listening. Its control plane is `app.simulator`.
 * Throws `InvalidInput` for a seed or an option that does not validate.
 *
 * @since 0.1.0
 * @category constructors
 */
export const buildSimulator = (options: SimulatorOptions = {}): FastifyInstance => buildApp(makeState(options), options)

const urlHost = (
  host: string
) => (host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "[::1]" : host)

/**
 * Starts a simulator: the API (and the Keycloak endpoints under `/auth`) on `port`, the Keycloak endpoints
 * alone on `authPort` when given, and the MQTT broker on `mqttPort` (a free port by default). Tokens name the
 * public Keycloak URL as issuer whichever port issued them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const startSimulator = async (options: SimulatorOptions = {}): Promise<RunningSimulator> => {
  const host = options.host ?? "127.0.0.1"
  const apiPort = port("port", options.port)
  const authPort = options.authPort === undefined || options.authPort === false
    ? undefined
    : port("authPort", options.authPort)
  const mqttPort = options.mqttPort === false ? false : port("mqttPort", options.mqttPort)
  const state = makeState(options)
  const app = buildApp(state, options)
  let authServer: http.Server | undefined
  let broker: Broker | undefined
  try {
    await app.listen({ port: apiPort, host })
    const url = `http://${urlHost(host)}:${(app.server.address() as AddressInfo).port}`
    let keycloakUrl = `${url}/auth`
    if (authPort !== undefined) {
      const server = http.createServer((request, response) => {
        const path = (request.url ?? "").split("?")[0]!
        if (path === "/auth" || path.startsWith("/auth/")) return app.routing(request, response)
        response.statusCode = 404
        response.setHeader("Content-Type", "text/plain; charset=utf-8")
        response.end("Not Found: this port serves the Keycloak endpoints under /auth only")
      })
      authServer = server
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject)
        server.listen(authPort, host, () => {
          server.off("error", reject)
          resolve()
        })
      })
      keycloakUrl = `http://${urlHost(host)}:${(server.address() as AddressInfo).port}/auth`
    }
    state.keycloakUrl = options.keycloakUrl?.replace(/\/+$/, "") ?? keycloakUrl
    if (mqttPort !== false) broker = await startBroker(state, { host, port: mqttPort, urlHost: urlHost(host) })
    const server = authServer
    const mqtt = broker
    return {
      url,
      keycloakUrl: state.keycloakUrl,
      mqttUrl: mqtt?.url,
      control: app.simulator,
      app,
      close: async () => {
        await mqtt?.close()
        if (server !== undefined) {
          server.closeAllConnections()
          await new Promise<void>((resolve) => server.close(() => resolve()))
        }
        await app.close()
      }
    }
  } catch (error) {
    authServer?.close()
    await broker?.close()
    await app.close()
    throw error
  }
}
