/**
 * Injected faults: for the next N requests that match (by operation name, by path, by method), answer with a
 * fixed status (optionally with `Retry-After`), add latency, reset the connection, or send a malformed body.
 * A faulted request is never processed, so it changes no state. Faults apply to the API, the Keycloak
 * endpoints (operations `token`, `certs`, `openid-configuration`) and the OpenAPI document (`openapi`), never
 * to the control plane.
 *
 * Matching: every given criterion must match. `operation` is a catalogue operation name (e.g. `getUser`)
 * or one of the Keycloak/OpenAPI names above. `path` is compared with the request path as sent, without the
 * query string: exactly, or as a prefix when it ends with `*` (`/api/master/user/*`). `method` is compared
 * case-insensitively. A fault without criteria matches every request. Faults are tried in the order they
 * were added; the first match is used and its count decremented (it is removed at zero).
 *
 * @since 0.1.0
 */
import { Catalogue, ParseMessage } from "@openremote-effect/model"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { optional } from "./internal/schema.js"
import { InvalidInput } from "./SimulatorError.js"

/**
 * The operation names of the Keycloak endpoints and the OpenAPI document, besides the catalogue's.
 *
 * @since 0.1.0
 * @category constants
 */
export const extraOperations = ["token", "certs", "openid-configuration", "openapi"] as const

const operationNames: ReadonlyArray<string> = [...Object.keys(Catalogue.operations), ...extraOperations]

/**
 * What a fault is added with.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FaultInput = Schema.Struct({
  operation: optional(Schema.String.pipe(
    Schema.filter((name) => operationNames.includes(name) || `unknown operation "${name}"`)
  )),
  path: optional(Schema.String.pipe(Schema.startsWith("/", { message: () => "a path starts with \"/\"" }))),
  method: optional(Schema.Uppercase.pipe(Schema.compose(Schema.Literal("GET", "POST", "PUT", "DELETE", "HEAD")))),
  status: optional(
    Schema.Int.pipe(Schema.between(100, 599, { message: () => "a status is an integer from 100 to 599" }))
  ),
  retryAfter: optional(Schema.Int.pipe(Schema.nonNegative())),
  latencyMs: optional(Schema.Int.pipe(Schema.between(0, 60_000, { message: () => "latencyMs is from 0 to 60000" }))),
  reset: optional(Schema.Literal(true)),
  malformed: optional(Schema.Literal(true)),
  times: optional(Schema.Int.pipe(Schema.positive({ message: () => "times is an integer of 1 or more" })))
}).pipe(
  Schema.filter((fault): Array<Schema.FilterIssue> => {
    const issues: Array<Schema.FilterIssue> = []
    if (fault.status === undefined && fault.latencyMs === undefined && !fault.reset && !fault.malformed) {
      issues.push({ path: [], message: "a fault needs status, latencyMs, reset or malformed" })
    }
    if (fault.reset && (fault.status !== undefined || fault.malformed)) {
      issues.push({ path: ["reset"], message: "a reset connection has no status and no body" })
    }
    if (fault.retryAfter !== undefined && fault.status === undefined) {
      issues.push({ path: ["retryAfter"], message: "retryAfter needs a status" })
    }
    return issues
  }),
  Schema.annotations({ identifier: "FaultInput" })
)

/**
 * @since 0.1.0
 * @category models
 */
export type FaultInput = Schema.Schema.Encoded<typeof FaultInput>

/**
 * A fault waiting for matching requests.
 *
 * @since 0.1.0
 * @category models
 */
export interface Fault {
  readonly id: string
  readonly operation?: string
  readonly path?: string
  readonly method?: string
  readonly status?: number
  readonly retryAfter?: number
  readonly latencyMs?: number
  readonly reset?: true
  readonly malformed?: true
  /** How many more matching requests it applies to. */
  readonly remaining: number
}

/**
 * A request as faults see it.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestInfo {
  readonly method: string
  readonly path: string
  readonly operation: string | undefined
}

/**
 * The faults of one simulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface Faults {
  /** Adds a fault (validated; throws `InvalidInput` naming the bad field). */
  readonly add: (input: FaultInput) => Fault
  readonly list: () => ReadonlyArray<Fault>
  /** Removes one fault; false when there is none with that id. */
  readonly remove: (id: string) => boolean
  readonly clear: () => void
  /** The fault for a request, counted as used; undefined when none matches. */
  readonly take: (request: RequestInfo) => Fault | undefined
}

/**
 * Validates a fault.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (input: unknown): Either.Either<Schema.Schema.Type<typeof FaultInput>, InvalidInput> =>
  Schema.decodeUnknownEither(FaultInput, { errors: "all", onExcessProperty: "error" })(input).pipe(
    Either.mapLeft((error) => new InvalidInput({ message: ParseMessage.format(error, { values: false }) }))
  )

const matches = (fault: Fault, request: RequestInfo): boolean =>
  (fault.operation === undefined || fault.operation === request.operation) &&
  (fault.method === undefined || fault.method === request.method.toUpperCase()) &&
  (fault.path === undefined ||
    (fault.path.endsWith("*") ? request.path.startsWith(fault.path.slice(0, -1)) : request.path === fault.path))

/**
 * An empty fault list.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (): Faults => {
  let faults: Array<Fault> = []
  let counter = 0
  return {
    add: (input) => {
      const decoded = decode(input)
      if (Either.isLeft(decoded)) throw decoded.left
      const { times, ...rest } = decoded.right
      counter += 1
      const fault: Fault = { id: `fault-${counter}`, ...rest, remaining: times ?? 1 }
      faults.push(fault)
      return fault
    },
    list: () => [...faults],
    remove: (id) => {
      const before = faults.length
      faults = faults.filter((fault) => fault.id !== id)
      return faults.length < before
    },
    clear: () => {
      faults = []
    },
    take: (request) => {
      const index = faults.findIndex((fault) => matches(fault, request))
      if (index < 0) return undefined
      const fault = faults[index]!
      if (fault.remaining <= 1) faults.splice(index, 1)
      else faults[index] = { ...fault, remaining: fault.remaining - 1 }
      return fault
    }
  }
}
