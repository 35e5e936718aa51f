/**
 * The request journal: one entry for every API, Keycloak and OpenAPI request (not for the control plane),
 * with the time on the simulator's clock, method, path (never the query string), operation, authenticated
 * caller, status and duration; and one for every MQTT CONNECT (accepted or refused) and every disconnect of
 * an accepted MQTT connection. It never holds a token, a password, a secret or a body. It keeps the newest
 * 10,000 entries.
 *
 * @since 0.1.0
 */

/**
 * Who made a request: the verified token's subject (for a token request: the user the token was issued to).
 *
 * @since 0.1.0
 * @category models
 */
export interface Caller {
  readonly realm: string
  readonly id: string
  readonly username: string
}

/**
 * What an MQTT entry adds: the connection's MQTT client id and username (cut to 256 characters), its remote
 * address, its session (an authenticated connection) and why it was refused or ended (`forced` by the
 * simulator, `closed` by the client or the network).
 *
 * @since 0.1.0
 * @category models
 */
export interface MqttDetails {
  readonly clientId: string
  readonly username: string
  readonly remoteAddress: string
  readonly sessionId?: string
  readonly reason?: string
}

/**
 * One request, or one MQTT connect or disconnect (method `CONNECT` or `DISCONNECT`, path `/mqtt`, operation
 * `mqtt`, status the CONNACK return code: 0 accepted, 5 not authorized; 0 for a disconnect).
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry {
  /** Increasing from 1 for the life of the simulator. */
  readonly id: number
  /** When the request arrived, in epoch milliseconds on the simulator's clock. */
  readonly time: number
  readonly method: string
  /** The path as sent, without the query string. */
  readonly path: string
  /** The catalogue operation, `token`, `certs`, `openid-configuration`, `openapi` or `mqtt`; null for unknown routes. */
  readonly operation: string | null
  /** The `grant_type` of a token request (`password`, `client_credentials`, `refresh_token`, or `other`). */
  readonly grantType?: string
  readonly caller: Caller | null
  /** The status answered; 0 when the connection was reset by a fault. MQTT: the CONNACK return code. */
  readonly status: number
  readonly durationMs: number
  /** The kinds of fault applied, if any. */
  readonly fault?: ReadonlyArray<"status" | "latency" | "reset" | "malformed">
  /** MQTT entries only. */
  readonly mqtt?: MqttDetails
}

/**
 * The journal of one simulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface Journal {
  readonly record: (entry: Omit<Entry, "id">) => Entry
  readonly entries: () => ReadonlyArray<Entry>
  readonly clear: () => void
}

/**
 * The most entries a journal keeps.
 *
 * @since 0.1.0
 * @category constants
 */
export const capacity = 10_000

/**
 * An empty journal.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (): Journal => {
  // A ring of `capacity` entries kept as columns: an entry is taken apart when recorded, so the journal holds no
  // object per request. Under load, the 10,000 retained entry objects were a measurable share of the server's
  // garbage-collection time (the profile of getUser under autocannon); the objects `entries()` returns are
  // built when asked for.
  const times = new Float64Array(capacity)
  const statuses = new Uint16Array(capacity)
  const durations = new Float64Array(capacity)
  const methods = new Array<string | undefined>(capacity)
  const paths = new Array<string | undefined>(capacity)
  const operations = new Array<string | null>(capacity)
  const grantTypes = new Array<string | undefined>(capacity)
  const callers = new Array<Caller | null>(capacity)
  const faults = new Array<Entry["fault"]>(capacity)
  /** The MQTT details of MQTT entries (connects and disconnects, rare next to requests); undefined otherwise. */
  const mqtts = new Array<MqttDetails | undefined>(capacity)
  let counter = 0
  /** How many entries the ring holds (the newest `size` of the `counter` recorded). */
  let size = 0
  /** The entry with id `id` (one of the newest `size`). */
  const at = (id: number): Entry => {
    const slot = (id - 1) % capacity
    const grantType = grantTypes[slot]
    const fault = faults[slot]
    const mqtt = mqtts[slot]
    return {
      id,
      time: times[slot]!,
      method: methods[slot]!,
      path: paths[slot]!,
      operation: operations[slot]!,
      ...(grantType === undefined ? {} : { grantType }),
      caller: callers[slot]!,
      status: statuses[slot]!,
      durationMs: durations[slot]!,
      ...(fault === undefined ? {} : { fault }),
      ...(mqtt === undefined ? {} : { mqtt })
    }
  }
  return {
    record: (entry) => {
      counter += 1
      const slot = (counter - 1) % capacity
      times[slot] = entry.time
      methods[slot] = entry.method
      paths[slot] = entry.path
      operations[slot] = entry.operation
      grantTypes[slot] = entry.grantType
      callers[slot] = entry.caller
      statuses[slot] = entry.status
      durations[slot] = entry.durationMs
      faults[slot] = entry.fault
      mqtts[slot] = entry.mqtt
      size = Math.min(size + 1, capacity)
      return at(counter)
    },
    entries: () => {
      const out = new Array<Entry>(size)
      for (let i = 0; i < size; i++) out[i] = at(counter - size + 1 + i)
      return out
    },
    clear: () => {
      size = 0
      // Nothing recorded before stays reachable.
      methods.fill(undefined)
      paths.fill(undefined)
      operations.fill(null)
      grantTypes.fill(undefined)
      callers.fill(null)
      faults.fill(undefined)
      mqtts.fill(undefined)
    }
  }
}
