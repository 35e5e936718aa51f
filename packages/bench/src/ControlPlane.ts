/**
 * The simulator's HTTP control plane (`/_simulator/...`) as the benchmarks and tests use it: reset, the
 * state snapshot, the journal, faults, the clock and the sessions. These are the simulator's own endpoints, not the user
 * API's.
 *
 * @since 0.1.0
 */
import type { Faults, Journal, Store } from "@openremote-effect/simulator"
import * as Effect from "effect/Effect"
import { UnexpectedResponse } from "./BenchError.js"

const request = (
  origin: string,
  name: string,
  method: "GET" | "POST" | "DELETE",
  path: string,
  expected: number,
  body?: unknown
): Effect.Effect<string, UnexpectedResponse> => {
  const target = `${origin}/_simulator${path}`
  const failed = (status: number, detail: string) =>
    new UnexpectedResponse({ operation: name, method, url: target, status, detail: detail.slice(0, 300) })
  return Effect.tryPromise({
    try: async () => {
      const response = await fetch(target, {
        method,
        ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      })
      return { status: response.status, text: await response.text() }
    },
    catch: (error) => failed(0, String(error))
  }).pipe(
    Effect.filterOrFail(({ status }) => status === expected, ({ status, text }) => failed(status, text)),
    Effect.map(({ text }) => text)
  )
}

const json = <A>(text: string): A => JSON.parse(text) as A

/**
 * Back to the seed: no faults, an empty journal (the clock keeps its time).
 *
 * @since 0.1.0
 * @category control
 */
export const reset = (origin: string): Effect.Effect<void, UnexpectedResponse> =>
  Effect.asVoid(request(origin, "control.reset", "POST", "/reset", 204))

/**
 * The whole state as the JSON text the simulator answers: equal texts mean equal states.
 *
 * @since 0.1.0
 * @category control
 */
export const snapshot = (origin: string): Effect.Effect<string, UnexpectedResponse> =>
  request(origin, "control.snapshot", "GET", "/state", 200)

/**
 * The journal's entries, oldest first.
 *
 * @since 0.1.0
 * @category control
 */
export const journal = (origin: string): Effect.Effect<ReadonlyArray<Journal.Entry>, UnexpectedResponse> =>
  Effect.map(request(origin, "control.journal", "GET", "/journal", 200), json<ReadonlyArray<Journal.Entry>>)

/**
 * Empties the journal.
 *
 * @since 0.1.0
 * @category control
 */
export const clearJournal = (origin: string): Effect.Effect<void, UnexpectedResponse> =>
  Effect.asVoid(request(origin, "control.clearJournal", "DELETE", "/journal", 204))

/**
 * Adds a fault.
 *
 * @since 0.1.0
 * @category control
 */
export const addFault = (origin: string, fault: Faults.FaultInput): Effect.Effect<Faults.Fault, UnexpectedResponse> =>
  Effect.map(request(origin, "control.addFault", "POST", "/faults", 201, fault), json<Faults.Fault>)

/**
 * The faults still waiting for requests.
 *
 * @since 0.1.0
 * @category control
 */
export const faults = (origin: string): Effect.Effect<ReadonlyArray<Faults.Fault>, UnexpectedResponse> =>
  Effect.map(request(origin, "control.faults", "GET", "/faults", 200), json<ReadonlyArray<Faults.Fault>>)

/**
 * Moves the simulator's clock forward; the new time, epoch ms.
 *
 * @since 0.1.0
 * @category control
 */
export const advanceClock = (origin: string, ms: number): Effect.Effect<number, UnexpectedResponse> =>
  Effect.map(
    request(origin, "control.advanceClock", "POST", "/clock/advance", 200, { ms }),
    (text) => json<{ readonly now: number }>(text).now
  )

/**
 * The open sessions (broker connections and control-plane sessions).
 *
 * @since 0.1.0
 * @category control
 */
export const sessions = (origin: string): Effect.Effect<ReadonlyArray<Store.SessionRecord>, UnexpectedResponse> =>
  Effect.map(request(origin, "control.sessions", "GET", "/sessions", 200), json<ReadonlyArray<Store.SessionRecord>>)
