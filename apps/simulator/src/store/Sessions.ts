/**
 * The open sessions: the MQTT broker's authenticated connections and the sessions the control plane opens
 * without a socket. Ending one (by id, or every session of a deleted or disabled user) tells `onSessionEnd`,
 * which closes the connection behind it.
 *
 * @since 0.1.0
 */
import { randomId } from "../internal/ids.js"
import type { SessionRecord, UserRecord } from "./Records.js"

/**
 * Which sessions to list: of one realm and/or one user.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionFilter {
  readonly realm?: string | undefined
  readonly userId?: string | undefined
}

/**
 * The sessions of one store, by id.
 *
 * @since 0.1.0
 * @category models
 */
export class Sessions {
  private readonly byId = new Map<string, SessionRecord>()
  private counter = 0

  constructor(private readonly onSessionEnd: (session: SessionRecord) => void) {}

  /** Opens a session of `user`: a simulated one, or (with its `id`) a broker connection's. */
  open(user: UserRecord, now: number, remoteAddress?: string, id?: string): SessionRecord {
    this.counter += 1
    const session: SessionRecord = {
      id: id ?? randomId(),
      realm: user.realm,
      userId: user.id,
      username: user.username,
      startTimeMillis: now,
      remoteAddress: remoteAddress ?? `/127.0.0.1:${49152 + (this.counter % 16384)}`
    }
    this.byId.set(session.id, session)
    return session
  }

  /** Closes a session; false when there is none with that id. */
  close(id: string): boolean {
    const session = this.byId.get(id)
    if (session === undefined) return false
    this.byId.delete(id)
    this.onSessionEnd(session)
    return true
  }

  /** The open sessions, optionally only those of one realm and/or one user. */
  list(filter?: SessionFilter): ReadonlyArray<SessionRecord> {
    return [...this.byId.values()].filter((session) =>
      (filter?.realm === undefined || session.realm === filter.realm) &&
      (filter?.userId === undefined || session.userId === filter.userId)
    )
  }

  /** Ends every session of a user (deleted, disabled). */
  endSessionsOf(userId: string): void {
    for (const session of this.byId.values()) {
      if (session.userId === userId) this.close(session.id)
    }
  }
}
