/**
 * Servers under test in their own processes, so that the load-generating side (this process) and the
 * server never share an event loop: `fork` starts `dist/server.js` with `child_process.fork` and
 * `--expose-gc`, waits until it listens on 127.0.0.1 (a free port unless one is given), and stops it when
 * the scope closes. The child reports its URL, and on request its memory and CPU time, over IPC; it can be
 * asked to force a garbage collection first, so heap figures are comparable.
 *
 * Two servers: the simulator (`startSimulator`, its logger off, the default world plus realms of generated
 * users) and the baseline, a hello-world fastify app (`GET /hello` → `{"hello":"world"}`).
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as childProcess from "node:child_process"
import { ServerProcessError } from "./BenchError.js"
import { distFile } from "./internal/paths.js"
import type * as Seeds from "./Seeds.js"

/**
 * A simulator: the default world plus `realms` of generated users.
 *
 * @since 0.1.0
 * @category models
 */
export interface SimulatorConfig {
  readonly kind: "simulator"
  /** The port to listen on; a free one when left out. */
  readonly port?: number | undefined
  /** Access token lifespan in seconds (the simulator's default, 60, when left out). */
  readonly tokenLifespan?: number | undefined
  readonly realms?: ReadonlyArray<Seeds.RealmSpec> | undefined
}

/**
 * The baseline: a hello-world fastify app, `GET /hello`.
 *
 * @since 0.1.0
 * @category models
 */
export interface HelloConfig {
  readonly kind: "hello"
  /** The port to listen on; a free one when left out. */
  readonly port?: number | undefined
}

/**
 * The baseline of the MQTT benchmark: a bare aedes broker that accepts every CONNECT, on TCP.
 *
 * @since 0.1.0
 * @category models
 */
export interface AedesConfig {
  readonly kind: "aedes"
}

/**
 * What `dist/server.js` starts (its first argument, as JSON).
 *
 * @since 0.1.0
 * @category models
 */
export type ServerConfig = SimulatorConfig | HelloConfig | AedesConfig

/**
 * The memory (bytes) and CPU time (microseconds, since the process started) of a child.
 *
 * @since 0.1.0
 * @category models
 */
export interface Usage {
  readonly rss: number
  readonly heapTotal: number
  readonly heapUsed: number
  readonly external: number
  readonly arrayBuffers: number
  readonly cpuUserMicros: number
  readonly cpuSystemMicros: number
}

/**
 * A message from the parent to the child.
 *
 * @since 0.1.0
 * @category protocol
 */
export type ParentMessage =
  | { readonly type: "usage"; readonly id: number; readonly gc: boolean }
  | { readonly type: "close" }

/**
 * A message from the child to the parent.
 *
 * @since 0.1.0
 * @category protocol
 */
export type ChildMessage =
  | {
    readonly type: "ready"
    readonly url: string
    readonly keycloakUrl: string | null
    /** The MQTT broker (the simulator's, or the bare aedes baseline's); null for the hello server. */
    readonly mqttUrl: string | null
    /** Milliseconds from the start of the child process until it listened. */
    readonly listeningAfterMs: number
  }
  | { readonly type: "usage"; readonly id: number; readonly usage: Usage }
  | { readonly type: "failed"; readonly reason: string }

/**
 * A running child server.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerProcess {
  readonly kind: ServerConfig["kind"]
  readonly pid: number
  /** The origin, e.g. `http://127.0.0.1:43210`. */
  readonly url: string
  /** The simulator's Keycloak URL (`${url}/auth`); the origin for the hello server. */
  readonly keycloakUrl: string
  /** The MQTT broker, `mqtt://127.0.0.1:PORT` (the simulator's, or the aedes baseline); undefined for hello. */
  readonly mqttUrl: string | undefined
  /** Milliseconds from the start of the child process until it listened. */
  readonly listeningAfterMs: number
  /** Memory and CPU time of the child, after a forced garbage collection when `gc` is true. */
  readonly usage: (options?: { readonly gc?: boolean | undefined }) => Effect.Effect<Usage, ServerProcessError>
  /** Whether the child is still running. */
  readonly alive: Effect.Effect<boolean>
}

/**
 * Options of {@link fork}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ForkOptions {
  /** How long the child may take to listen (default 60 s). */
  readonly startTimeout?: Duration.DurationInput | undefined
}

const isMessage = (u: unknown): u is ChildMessage =>
  typeof u === "object" && u !== null && typeof (u as { readonly type?: unknown }).type === "string"

const isAlive = (child: childProcess.ChildProcess) => child.exitCode === null && child.signalCode === null

/** Stops a child: asks it to close, then kills it if it has not exited within 5 s. */
const stop = (child: childProcess.ChildProcess): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (!isAlive(child)) return resume(Effect.void)
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000)
    child.once("exit", () => {
      clearTimeout(timer)
      resume(Effect.void)
    })
    try {
      child.send({ type: "close" } satisfies ParentMessage)
    } catch {
      child.kill("SIGKILL")
    }
  })

/**
 * Starts a server under test in a child process (see the module description) and stops it when the scope
 * closes. Fails with a `ServerProcessError` when it does not listen within `startTimeout`, or exits first.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fork: (
  config: ServerConfig,
  options?: ForkOptions
) => Effect.Effect<ServerProcess, ServerProcessError, Scope.Scope> = Effect.fn("ServerProcess.fork")(
  function*(config: ServerConfig, options?: ForkOptions) {
    const script = yield* Effect.try({
      try: () => distFile("server.js"),
      catch: (error) => new ServerProcessError({ server: config.kind, reason: String(error) })
    })
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        childProcess.fork(script, [JSON.stringify(config)], {
          execArgv: ["--expose-gc"],
          stdio: ["ignore", "ignore", "pipe", "ipc"],
          serialization: "json"
        })
      ),
      stop
    )
    let stderr = ""
    child.stderr?.setEncoding("utf8")
    child.stderr?.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-2_000)
    })
    const failure = (reason: string) =>
      new ServerProcessError({ server: config.kind, reason: stderr === "" ? reason : `${reason}\n${stderr}` })

    /** The next message that satisfies `accept`; fails when the child exits first. */
    const next = <A extends ChildMessage>(accept: (message: ChildMessage) => message is A) =>
      Effect.async<A, ServerProcessError>((resume) => {
        const cleanup = () => {
          child.off("message", onMessage)
          child.off("exit", onExit)
        }
        const onMessage = (message: unknown) => {
          if (!isMessage(message)) return
          if (message.type === "failed") {
            cleanup()
            resume(Effect.fail(failure(`failed to start: ${message.reason}`)))
          } else if (accept(message)) {
            cleanup()
            resume(Effect.succeed(message))
          }
        }
        const onExit = (code: number | null, signal: string | null) => {
          cleanup()
          resume(Effect.fail(failure(`exited (${code ?? signal})`)))
        }
        if (!isAlive(child)) {
          resume(Effect.fail(failure(`exited (${child.exitCode ?? child.signalCode})`)))
          return
        }
        child.on("message", onMessage)
        child.on("exit", onExit)
        return Effect.sync(cleanup)
      })

    const startTimeout = Duration.decode(options?.startTimeout ?? Duration.seconds(60))
    const ready = yield* next((message): message is Extract<ChildMessage, { type: "ready" }> =>
      message.type === "ready"
    ).pipe(
      Effect.timeoutFail({
        duration: startTimeout,
        onTimeout: () => failure(`did not listen within ${Duration.format(startTimeout)}`)
      })
    )

    let counter = 0
    const usage = (usageOptions?: { readonly gc?: boolean | undefined }) =>
      Effect.suspend(() => {
        counter += 1
        const id = counter
        const reply = next((message): message is Extract<ChildMessage, { type: "usage" }> =>
          message.type === "usage" && message.id === id
        )
        return Effect.zipRight(
          Effect.try({
            try: () => child.send({ type: "usage", id, gc: usageOptions?.gc === true } satisfies ParentMessage),
            catch: (error) => failure(`cannot send over IPC: ${String(error)}`)
          }),
          reply
        ).pipe(
          Effect.map((message) => message.usage),
          Effect.timeoutFail({ duration: Duration.seconds(30), onTimeout: () => failure("did not report its usage") })
        )
      })

    return {
      kind: config.kind,
      pid: child.pid ?? -1,
      url: ready.url,
      keycloakUrl: ready.keycloakUrl ?? ready.url,
      mqttUrl: ready.mqttUrl ?? undefined,
      listeningAfterMs: ready.listeningAfterMs,
      usage,
      alive: Effect.sync(() => isAlive(child))
    } satisfies ServerProcess
  }
)
