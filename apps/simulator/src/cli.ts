/**
 * The command line (`openremote-simulator`, `pnpm simulator`): parses the flags, loads a seed file, starts
 * the simulator, prints its URLs and the default credentials (or, with `--ready-json`, one JSON line for
 * scripts), and closes it gracefully on SIGINT or SIGTERM. `main` takes its arguments and its input/output as
 * parameters, so it runs in-process in tests.
 *
 * The ports it opens are listed once ({@link portFlags}): `--port 0` makes every port not given explicitly a
 * free one, and the banner and the ready line are written from one list of URLs ({@link endpoints}).
 *
 * Exit codes: 0 after a graceful stop (and for `--help`), 1 when the simulator cannot start (a port in use),
 * 2 for a bad flag, a bad value or a bad seed file.
 *
 * @since 0.1.0
 */
import { Catalogue } from "@openremote-effect/model"
import * as Either from "effect/Either"
import { readFileSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { parseArgs } from "node:util"
import { formatLogLine } from "./internal/logFormat.js"
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
  --port PORT               port of the API and of /auth (default 8080; 0 picks a free port, and makes
                            every other port not given a free one too)
  --auth-port PORT|off      extra port serving only the Keycloak endpoints under /auth (default 8081;
                            0 picks a free port; off = none)
  --mqtt-port PORT|off      port of the MQTT broker (default 1883; 0 picks a free port; off = no broker)
  --host HOST               host to listen on (default 127.0.0.1)
  --seed FILE               JSON seed file to start from instead of the default world
  --token-lifespan SECONDS  access token lifespan (default 60)
  --log-level LEVEL         fatal, error, warn, info (default), debug (adds one line per request), trace
                            or silent; logs go to stderr
  --ready-json              once listening, print one JSON line with the URLs and the pid on stdout
                            (the banner and the logs go to stderr)
  --no-control              do not serve the control plane under /_simulator/
  -v, --version             print the version
  -h, --help                show this help
`

/**
 * The version of this package (from its `package.json`).
 *
 * @since 0.1.0
 * @category constants
 */
export const version: string = (JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8")
) as { readonly version: string }).version

/**
 * A port the command line opens: its flag, the `startSimulator` option it sets, its default, and whether
 * `off` turns it off. `--port 0` makes every port whose flag is not given a free one. A new port is one more
 * entry here (and a field of {@link endpoints}).
 *
 * @since 0.1.0
 * @category cli
 */
export interface PortFlag {
  readonly flag: string
  readonly fallback: number
  readonly canBeOff: boolean
}

/**
 * The ports the command line opens, by their `startSimulator` option.
 *
 * @since 0.1.0
 * @category cli
 */
export const portFlags = {
  port: { flag: "port", fallback: 8080, canBeOff: false },
  authPort: { flag: "auth-port", fallback: 8081, canBeOff: true },
  mqttPort: { flag: "mqtt-port", fallback: 1883, canBeOff: true }
} as const satisfies Record<string, PortFlag>

type Ports = { readonly [K in keyof typeof portFlags]: number | false }

/**
 * The URLs a running simulator serves, in banner order: a stable `key` (the ready line's field), the banner's
 * `label`, and the URL (`null` when that part is off).
 *
 * @since 0.1.0
 * @category cli
 */
export const endpoints = (
  simulator: RunningSimulator,
  options: { readonly control: boolean }
): ReadonlyArray<{ readonly key: string; readonly label: string; readonly url: string | null }> => [
  { key: "api", label: "API base URL", url: Catalogue.apiBaseUrl(simulator.url, "master") },
  { key: "keycloak", label: "Keycloak URL", url: simulator.keycloakUrl },
  { key: "mqtt", label: "MQTT broker", url: simulator.mqttUrl ?? null },
  { key: "openapi", label: "OpenAPI", url: `${Catalogue.apiBaseUrl(simulator.url, "master")}/openapi.json` },
  { key: "control", label: "Control plane", url: options.control ? `${simulator.url}/_simulator/` : null }
]

/**
 * The ready line of `--ready-json`: one line of JSON, `{"ready":true,"version":…,"pid":…,"origin":…}` plus
 * one field per {@link endpoints} entry (`api`, `keycloak`, `mqtt`, `openapi`, `control`).
 *
 * @since 0.1.0
 * @category cli
 */
export const readyLine = (simulator: RunningSimulator, options: { readonly control: boolean }): string =>
  `${
    JSON.stringify({
      ready: true,
      version,
      pid: process.pid,
      origin: simulator.url,
      ...Object.fromEntries(endpoints(simulator, options).map(({ key, url }) => [key, url]))
    })
  }\n`

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const

class UsageError {
  constructor(readonly message: string) {}
}

const integer = (
  flag: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
  alternatives = ""
): number => {
  if (value === undefined) return fallback
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${flag}: expected a whole number from ${min} to ${max}${alternatives}, got "${value}"`)
  }
  return Number(value)
}

/** Every port of {@link portFlags}: given, `off`, or its default (a free one after `--port 0`). */
const ports = (values: Readonly<Record<string, unknown>>): Ports => {
  const given = (flag: string) => values[flag] as string | undefined
  const allFree = given(portFlags.port.flag) === "0"
  const resolve = ({ canBeOff, fallback, flag }: PortFlag): number | false => {
    const value = given(flag)
    if (canBeOff && value === "off") return false
    return integer(flag, value, allFree ? 0 : fallback, 0, 65535, canBeOff ? ", or off" : "")
  }
  return Object.fromEntries(
    Object.entries(portFlags).map(([option, port]) => [option, resolve(port)])
  ) as unknown as Ports
}

const parse = (argv: ReadonlyArray<string>) => {
  try {
    return parseArgs({
      // `pnpm start -- --port 9090` passes the `--` on.
      args: argv[0] === "--" ? argv.slice(1) : [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.values(portFlags).map(({ flag }) => [flag, { type: "string" as const }])),
        host: { type: "string" },
        seed: { type: "string" },
        "token-lifespan": { type: "string" },
        "log-level": { type: "string" },
        "ready-json": { type: "boolean" },
        "no-control": { type: "boolean" },
        version: { type: "boolean", short: "v" },
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
    `OpenRemote simulator ${version} started`,
    ...endpoints(simulator, options).map(({ label, url }) => `  ${`${label}:`.padEnd(15)}${url ?? "off"}`)
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
  let options: Ports & {
    readonly host: string
    readonly seed: unknown
    readonly tokenLifespan: number
    readonly logLevel: (typeof logLevels)[number]
    readonly control: boolean
    readonly readyJson: boolean
  }
  try {
    const values = parse(argv)
    if (values.help === true) {
      io.stdout(usage)
      return 0
    }
    if (values.version === true) {
      io.stdout(`${version}\n`)
      return 0
    }
    const logLevel = values["log-level"] ?? "info"
    if (!(logLevels as ReadonlyArray<string>).includes(logLevel)) {
      throw new UsageError(`--log-level: expected one of ${logLevels.join(", ")}, got "${logLevel}"`)
    }
    const host = values.host ?? "127.0.0.1"
    if (host.trim() === "") throw new UsageError("--host: expected a host name or address")
    options = {
      ...ports(values),
      host,
      seed: values.seed === undefined ? undefined : await loadSeed(io, values.seed),
      tokenLifespan: integer("token-lifespan", values["token-lifespan"], 60, 1, 31_536_000),
      logLevel: logLevel as (typeof logLevels)[number],
      control: values["no-control"] !== true,
      readyJson: values["ready-json"] === true
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`openremote-simulator: ${error.message}\nRun with --help for the options.\n`)
      return 2
    }
    throw error
  }
  const stop = io.waitForStop()
  // With --ready-json, stdout holds the ready line alone; everything for people goes to stderr.
  const say = options.readyJson ? io.stderr : io.stdout
  let simulator: RunningSimulator
  try {
    simulator = await startSimulator({
      ...Object.fromEntries(Object.keys(portFlags).map((option) => [option, options[option as keyof Ports]])),
      host: options.host,
      seed: options.seed,
      tokenLifespan: options.tokenLifespan,
      logger: options.logLevel === "silent"
        ? false
        : { level: options.logLevel, stream: { write: (line: string) => io.stderr(formatLogLine(line)) } },
      control: options.control,
      keyPair: started.keyPair
    })
  } catch (error) {
    io.stderr(`openremote-simulator: cannot start: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
  say(banner(simulator, { control: options.control, defaultSeed: options.seed === undefined }))
  if (options.readyJson) io.stdout(readyLine(simulator, options))
  const signal = await stop
  say(`Received ${signal}, stopping\n`)
  await simulator.close()
  say("Stopped\n")
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
