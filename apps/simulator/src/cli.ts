/**
 * The command line (`openremote-simulator`, `pnpm simulator`): parses the flags, loads a seed file, starts
 * the simulator, prints its URLs and the default credentials, and closes it gracefully on SIGINT or SIGTERM.
 * `main` takes its arguments and its input/output as parameters, so it runs in-process in tests.
 *
 * Exit codes: 0 after a graceful stop (and for `--help`), 1 when the simulator cannot start (a port in use),
 * 2 for a bad flag, a bad value or a bad seed file.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { readFile } from "node:fs/promises"
import { parseArgs } from "node:util"
import * as Seed from "./Seed.js"
import type { RunningSimulator } from "./Simulator.js"
import { startSimulator } from "./Simulator.js"
import type * as Tokens from "./Tokens.js"

/**
 * What `main` reads and writes.
 *
 * @since 0.1.0
 * @category models
 */
export interface Io {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly readFile: (path: string) => Promise<string>
  /** Resolves with a signal's name when the process is asked to stop (SIGINT, SIGTERM). */
  readonly waitForStop: () => Promise<string>
}

/**
 * The help text.
 *
 * @since 0.1.0
 * @category constants
 */
export const usage = `Usage: openremote-simulator [options]

An offline simulator of OpenRemote's user API and of the Keycloak token endpoints it relies on.

Options:
  --port PORT               port of the API and of /auth (default 8080; 0 picks a free port)
  --auth-port PORT          extra port serving only the Keycloak endpoints under /auth (default 8081; 0 = off)
  --host HOST               host to listen on (default 127.0.0.1)
  --seed FILE               JSON seed file to start from instead of the default world
  --token-lifespan SECONDS  access token lifespan (default 60)
  --log-level LEVEL         fatal, error, warn, info (default), debug, trace or silent
  --no-control              do not serve the control plane under /_simulator/
  -h, --help                show this help
`

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const

class UsageError {
  constructor(readonly message: string) {}
}

const integer = (flag: string, value: string | undefined, fallback: number, min: number, max: number): number => {
  if (value === undefined) return fallback
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${flag}: expected a whole number from ${min} to ${max}, got "${value}"`)
  }
  return Number(value)
}

const parse = (argv: ReadonlyArray<string>) => {
  try {
    return parseArgs({
      // `pnpm start -- --port 9090` passes the `--` on.
      args: argv[0] === "--" ? argv.slice(1) : [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        "auth-port": { type: "string" },
        host: { type: "string" },
        seed: { type: "string" },
        "token-lifespan": { type: "string" },
        "log-level": { type: "string" },
        "no-control": { type: "boolean" },
        help: { type: "boolean", short: "h" }
      }
    }).values
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

/** Reads and validates a seed file; its JSON. */
const loadSeed = async (io: Io, file: string): Promise<unknown> => {
  let text: string
  try {
    text = await io.readFile(file)
  } catch (error) {
    const code = (error as { readonly code?: string }).code
    throw new UsageError(`--seed: cannot read "${file}"${code === undefined ? "" : ` (${code})`}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new UsageError(`--seed: "${file}" is not valid JSON`)
  }
  const seed = Seed.decode(json)
  if (Either.isLeft(seed)) throw new UsageError(`--seed: "${file}" is not a valid seed:\n${seed.left.message}`)
  return json
}

const banner = (simulator: RunningSimulator, options: { readonly control: boolean; readonly defaultSeed: boolean }) => {
  const lines = [
    "OpenRemote simulator started",
    `  API base URL:  ${simulator.url}/api/master`,
    `  Keycloak URL:  ${simulator.keycloakUrl}`,
    `  OpenAPI:       ${simulator.url}/api/master/openapi.json`,
    `  Control plane: ${options.control ? `${simulator.url}/_simulator/` : "off"}`
  ]
  if (options.defaultSeed) {
    lines.push(
      "Default credentials:",
      "  realm master:    super user admin / secret",
      "                   service user client_id serviceuser / client_secret your_secret",
      "  realm smartcity: regular user smartcity / smartcity",
      "  (password logins use client_id openremote)"
    )
  } else {
    lines.push("Credentials: as in the seed file")
  }
  return `${lines.join("\n")}\n`
}

/**
 * Runs the command line; resolves with the exit code once the simulator has stopped (or failed to start).
 * `started.keyPair` is a key pair whose generation the caller started early (the executable does, before it
 * loads this module); a new one is generated otherwise.
 *
 * @since 0.1.0
 * @category cli
 */
export const main = async (
  argv: ReadonlyArray<string>,
  io: Io,
  started: { readonly keyPair?: Tokens.KeyPair | Promise<Tokens.KeyPair> | undefined } = {}
): Promise<number> => {
  let options: {
    readonly port: number
    readonly authPort: number
    readonly host: string
    readonly seed: unknown
    readonly tokenLifespan: number
    readonly logLevel: (typeof logLevels)[number]
    readonly control: boolean
  }
  try {
    const values = parse(argv)
    if (values.help === true) {
      io.stdout(usage)
      return 0
    }
    const logLevel = values["log-level"] ?? "info"
    if (!(logLevels as ReadonlyArray<string>).includes(logLevel)) {
      throw new UsageError(`--log-level: expected one of ${logLevels.join(", ")}, got "${logLevel}"`)
    }
    const host = values.host ?? "127.0.0.1"
    if (host.trim() === "") throw new UsageError("--host: expected a host name or address")
    options = {
      port: integer("port", values.port, 8080, 0, 65535),
      authPort: integer("auth-port", values["auth-port"], 8081, 0, 65535),
      host,
      seed: values.seed === undefined ? undefined : await loadSeed(io, values.seed),
      tokenLifespan: integer("token-lifespan", values["token-lifespan"], 60, 1, 31_536_000),
      logLevel: logLevel as (typeof logLevels)[number],
      control: values["no-control"] !== true
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`openremote-simulator: ${error.message}\nRun with --help for the options.\n`)
      return 2
    }
    throw error
  }
  const stop = io.waitForStop()
  let simulator: RunningSimulator
  try {
    simulator = await startSimulator({
      port: options.port,
      authPort: options.authPort,
      host: options.host,
      seed: options.seed,
      tokenLifespan: options.tokenLifespan,
      logger: options.logLevel === "silent" ? false : { level: options.logLevel },
      control: options.control,
      keyPair: started.keyPair
    })
  } catch (error) {
    io.stderr(`openremote-simulator: cannot start: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
  io.stdout(banner(simulator, { control: options.control, defaultSeed: options.seed === undefined }))
  const signal = await stop
  io.stdout(`Received ${signal}, stopping\n`)
  await simulator.close()
  io.stdout("Stopped\n")
  return 0
}

/**
 * The process's standard streams, file system and signals.
 *
 * @since 0.1.0
 * @category cli
 */
export const processIo = (): Io => ({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, "utf8"),
  waitForStop: () =>
    new Promise((resolve) => {
      const stop = (signal: string) => {
        process.off("SIGINT", stop)
        process.off("SIGTERM", stop)
        resolve(signal)
      }
      process.on("SIGINT", stop)
      process.on("SIGTERM", stop)
    })
})
