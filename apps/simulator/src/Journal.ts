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
  let entries: Array<Entry> = []
  let counter = 0
  return {
    record: (entry) => {
      counter += 1
      const recorded: Entry = { id: counter, ...entry }
      entries.push(recorded)
      // Trimmed in batches, so recording stays cheap once the journal is full.
      if (entries.length > capacity + capacity / 10) entries = entries.slice(-capacity)
      return recorded
    },
    entries: () => entries.slice(-capacity),
    clear: () => {
      entries = []
    }
  }
}
