/**
 * The control plane, programmatically: reset to the seed, load a seed, read a snapshot, inject faults, move
 * the clock, read the journal, open and close sessions, configure mail servers and read the outbox. The HTTP
 * control plane under `/_simulator/` mirrors it one to one.
 *
 * @since 0.1.0
 */
import { ParseMessage } from "@openremote-effect/model"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type * as Faults from "./Faults.js"
import { optional } from "./internal/schema.js"
import type { State } from "./internal/state.js"
import { closeConnectionOf } from "./internal/state.js"
import type * as Journal from "./Journal.js"
import * as Seed from "./Seed.js"
import { InvalidInput, NotFound } from "./SimulatorError.js"
import type { MailRecord, SessionFilter, SessionRecord, Snapshot } from "./Store.js"
import { Store } from "./Store.js"

/**
 * What a session is opened with: a user of a realm, and optionally the remote address the session shows
 * (`/127.0.0.1:<port>` by default).
 *
 * @since 0.1.0
 * @category schemas
 */
export const SessionInput = Schema.Struct({
  realm: Schema.String,
  userId: Schema.String,
  remoteAddress: optional(Schema.String)
}).annotations({ identifier: "SessionInput" })

/**
 * @since 0.1.0
 * @category models
 */
export type SessionInput = Schema.Schema.Encoded<typeof SessionInput>

/**
 * Which sessions to list: of one realm and/or one user.
 *
 * @since 0.1.0
 * @category models
 */
export type { SessionFilter } from "./Store.js"

/**
 * The control plane of one simulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface Control {
  /**
   * Back to the current seed (the one the simulator started with, or the last one loaded): realms, users,
   * roles, clients, mail servers as the seed has them; no sessions (the broker closes their connections), an
   * empty outbox, no faults, an empty journal. The clock is not changed.
   */
  readonly reset: () => void
  /** Validates `seed` (throws `InvalidInput` naming the bad field, changing nothing), makes it the current seed and resets to it. */
  readonly load: (seed: unknown) => void
  /** The whole state, JSON-serialisable, without passwords, secrets or tokens. */
  readonly snapshot: () => Snapshot
  readonly faults: {
    /** Adds a fault for the next `times` matching requests (throws `InvalidInput`). */
    readonly add: (fault: Faults.FaultInput) => Faults.Fault
    readonly list: () => ReadonlyArray<Faults.Fault>
    /** Removes one fault; false when there is none with that id. */
    readonly remove: (id: string) => boolean
    readonly clear: () => void
  }
  readonly clock: {
    /** The simulator's time, epoch ms. */
    readonly now: () => number
    /** Moves the clock forward by `ms` (throws `InvalidInput` for a negative or non-finite step); returns the new time. */
    readonly advance: (ms: number) => number
  }
  readonly journal: {
    readonly entries: () => ReadonlyArray<Journal.Entry>
    readonly clear: () => void
  }
  readonly sessions: {
    /** Opens a session of an enabled user (throws `NotFound` for an unknown realm or user, `InvalidInput` for a disabled one). */
    readonly open: (input: SessionInput) => SessionRecord
    /** Closes a session (and the broker connection behind it, if any); false when there is none with that id. */
    readonly close: (id: string) => boolean
    /** The open sessions: the broker's authenticated connections and the sessions opened here. */
    readonly list: (filter?: SessionFilter) => ReadonlyArray<SessionRecord>
  }
  readonly mail: {
    /** Sets (or, with null, removes) a realm's mail server (throws `NotFound`, `InvalidInput`). */
    readonly configure: (realm: string, server: Schema.Schema.Encoded<typeof Seed.MailServer> | null) => void
    /** The mails sent, oldest first, optionally of one realm only. */
    readonly outbox: (realm?: string) => ReadonlyArray<MailRecord>
    readonly clear: () => void
  }
}

const decodeOrThrow = <A, I>(schema: Schema.Schema<A, I>, input: unknown): A => {
  const result = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })(input)
  if (Either.isLeft(result)) throw new InvalidInput({ message: ParseMessage.format(result.left, { values: false }) })
  return result.right
}

/**
 * The control plane over a simulator's state.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (state: State): Control => {
  const reset = () => {
    // The sessions of the old world end, and so do the broker connections behind them.
    for (const session of state.store.sessions()) state.store.closeSession(session.id)
    state.store = Store.fromSeed(state.seed, {
      now: state.seedLoadedAt,
      salt: state.secretSalt,
      onSessionEnd: closeConnectionOf(state.connections)
    })
    state.faults.clear()
    state.journal.clear()
  }
  const realmOf = (name: string) => {
    const realm = state.store.realm(name)
    if (realm === undefined) throw new NotFound({ message: `realm "${name}" does not exist` })
    return realm
  }
  return {
    reset,
    load: (input) => {
      const seed = Seed.decode(input)
      if (Either.isLeft(seed)) throw seed.left
      state.seed = seed.right
      state.seedLoadedAt = state.clock.now()
      reset()
    },
    snapshot: () => state.store.snapshot(state.secretSalt),
    faults: {
      add: (fault) => state.faults.add(fault),
      list: () => state.faults.list(),
      remove: (id) => state.faults.remove(id),
      clear: () => state.faults.clear()
    },
    clock: {
      now: () => state.clock.now(),
      advance: (ms) => state.clock.advance(ms)
    },
    journal: {
      entries: () => state.journal.entries(),
      clear: () => state.journal.clear()
    },
    sessions: {
      open: (input) => {
        const { realm, remoteAddress, userId } = decodeOrThrow(SessionInput, input)
        const record = realmOf(realm)
        const user = state.store.userIn(record, userId)
        if (user === undefined) throw new NotFound({ message: `realm "${realm}" has no user "${userId}"` })
        if (!user.enabled) throw new InvalidInput({ message: "userId: the user is disabled" })
        return state.store.openSession(user, state.clock.now(), remoteAddress)
      },
      close: (id) => state.store.closeSession(id),
      list: (filter) => state.store.sessions(filter)
    },
    mail: {
      configure: (realm, server) => {
        const decoded = server === null ? undefined : decodeOrThrow(Seed.MailServer, server)
        state.store.configureMail(realmOf(realm), decoded)
      },
      outbox: (realm) => state.store.outbox(realm),
      clear: () => state.store.clearOutbox()
    }
  }
}
