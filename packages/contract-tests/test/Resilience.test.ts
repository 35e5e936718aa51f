/**
 * Resilience end to end: the simulator's control plane injects faults and moves its clock, and its journal
 * shows what reached the server; the recorder shows what the client saw. Only the secret-reset test runs on
 * a live target (it needs no control plane).
 *
 * The one wall-clock assertion of the suite is here: a `Retry-After: 1` makes the client wait at least 1 s
 * (a lower bound, so it cannot be flaky). The timeout tests use short per-attempt timeouts against latency
 * faults several times longer; they assert outcomes, not durations.
 *
 * A request whose client gives up during a latency fault is still journaled and processed: the simulator
 * answers late, like a slow server, rather than working late.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Journal } from "@openremote-effect/simulator"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Callers from "../src/Callers.js"
import * as Fixtures from "../src/Fixtures.js"
import { Recorder } from "../src/Recorder.js"
import * as Target from "../src/Target.js"
import { useTarget } from "./utils/harness.js"
import { expectFailure, make as makeKit } from "./utils/kit.js"

const h = useTarget()

/** The journal entries after entry `mark` (an entry id), optionally of one operation. */
const journalSince = (mark: number, operation?: string) =>
  Effect.map(
    Target.control,
    (control) =>
      control.journal.entries().filter((entry) =>
        entry.id > mark && (operation === undefined || entry.operation === operation)
      )
  )

const lastJournalId = Effect.map(Target.control, (control) => control.journal.entries().at(-1)?.id ?? 0)

const statuses = (entries: ReadonlyArray<Journal.Entry>) => entries.map((entry) => entry.status)

describe("retries", () => {
  h.controlPlane("faults, journal")(
    "503 twice, then success: the call succeeds after exactly 3 attempts",
    () =>
      h.run(Effect.gen(function*() {
        const { R, admin, user } = yield* makeKit
        const target = yield* user({ realm: R })
        const control = yield* Target.control
        const mark = yield* lastJournalId
        const recorded = yield* Effect.flatMap(Recorder, (recorder) => recorder.mark)
        control.faults.add({ operation: "getUser", status: 503, times: 2 })
        const read = yield* admin.getUser({ realm: R, userId: target.id })
        expect(read.id).toBe(target.id)
        expect(statuses(yield* journalSince(mark, "getUser"))).toEqual([503, 503, 200])
        const seen = (yield* Effect.flatMap(Recorder, (recorder) => recorder.since(recorded)))
          .filter((exchange) => exchange.operation === "getUser")
        expect(seen.map((exchange) => exchange.status)).toEqual([503, 503, 200])
        expect(control.faults.list()).toEqual([])
      }))
  )

  h.controlPlane("faults, journal")(
    "503 more often than the policy allows: ServerError after 1 + 3 attempts",
    () =>
      h.run(Effect.gen(function*() {
        const { admin } = yield* makeKit
        const control = yield* Target.control
        const mark = yield* lastJournalId
        control.faults.add({ operation: "getCurrentUser", status: 503, times: 10 })
        yield* expectFailure(admin.getCurrentUser(), { _tag: "ServerError", status: 503 })
        expect(statuses(yield* journalSince(mark, "getCurrentUser"))).toEqual([503, 503, 503, 503])
      }))
  )

  h.controlPlane("faults, journal")(
    "a 500 is not retried (OpenRemote uses it for permanent failures)",
    () =>
      h.run(Effect.gen(function*() {
        const { admin } = yield* makeKit
        const control = yield* Target.control
        const mark = yield* lastJournalId
        control.faults.add({ operation: "getCurrentUser", status: 500, times: 5 })
        yield* expectFailure(admin.getCurrentUser(), { _tag: "ServerError", status: 500 })
        expect(statuses(yield* journalSince(mark, "getCurrentUser"))).toEqual([500])
      }))
  )

  h.controlPlane("faults, journal")(
    "429 with Retry-After: 1: the retry waits at least 1 s",
    () =>
      h.run(Effect.gen(function*() {
        const { admin } = yield* makeKit
        yield* admin.getCurrentUser() // the token is fetched before the clock starts
        const control = yield* Target.control
        const mark = yield* lastJournalId
        control.faults.add({ operation: "getCurrentUser", status: 429, retryAfter: 1 })
        const started = yield* Clock.currentTimeMillis
        yield* admin.getCurrentUser()
        const elapsed = (yield* Clock.currentTimeMillis) - started
        const entries = yield* journalSince(mark, "getCurrentUser")
        expect(statuses(entries)).toEqual([429, 200])
        expect(entries[1]!.time - entries[0]!.time).toBeGreaterThanOrEqual(1000)
        expect(elapsed).toBeGreaterThanOrEqual(1000)
      })),
    10_000
  )

  h.controlPlane("faults, journal")(
    "a reset connection is retried for a safe operation",
    () =>
      h.run(Effect.gen(function*() {
        const { R, admin, user } = yield* makeKit
        const target = yield* user({ realm: R })
        const control = yield* Target.control
        const mark = yield* lastJournalId
        control.faults.add({ operation: "getUser", reset: true })
        expect((yield* admin.getUser({ realm: R, userId: target.id })).id).toBe(target.id)
        const entries = yield* journalSince(mark, "getUser")
        expect(statuses(entries)).toEqual([0, 200])
        expect(entries[0]!.fault).toEqual(["reset"])
      }))
  )

  h.controlPlane("faults, journal")(
    "a reset connection is NOT retried for createUser, which creates nothing",
    () =>
      h.run(Effect.gen(function*() {
        const { R, admin } = yield* makeKit
        const control = yield* Target.control
        const mark = yield* lastJournalId
        control.faults.add({ operation: "createUser", reset: true })
        const username = "ct-never-created"
        yield* expectFailure(admin.createUser({ realm: R, user: { username, enabled: true } }), {
          _tag: "TransportError"
        })
        expect(statuses(yield* journalSince(mark, "createUser"))).toEqual([0])
        const found = yield* admin.queryUsers({
          query: { realmPredicate: { name: R }, usernames: [{ value: username }] }
        })
        expect(found).toEqual([])
      }))
  )
})

describe("timeouts", () => {
  h.controlPlane("faults")(
    "an answer slower than the per-attempt timeout is a Timeout, retried for a safe operation",
    () =>
      h.run(Effect.gen(function*() {
        const { R, target, user } = yield* makeKit
        const created = yield* user({ realm: R })
        const slow = yield* Callers.make({
          realm: target.superUserRealm,
          tokens: target.superUser,
          timeout: "500 millis"
        })
        yield* slow.getCurrentUser() // the token first, so that only the API call is slow
        const control = yield* Target.control
        const recorded = yield* Effect.flatMap(Recorder, (recorder) => recorder.mark)
        control.faults.add({ operation: "getUser", latencyMs: 2_000 })
        expect((yield* slow.getUser({ realm: R, userId: created.id })).id).toBe(created.id)
        const attempts = (yield* Effect.flatMap(Recorder, (recorder) => recorder.since(recorded)))
          .filter((exchange) => exchange.operation === "getUser")
          .map((exchange) => exchange.status)
        expect(attempts[0]).toBe(0)
        expect(attempts.at(-1)).toBe(200)
      })),
    10_000
  )

  h.controlPlane("faults")(
    "a createUser slower than the timeout is a Timeout and is NOT retried",
    () =>
      h.run(Effect.gen(function*() {
        const { R, target } = yield* makeKit
        const slow = yield* Callers.make({
          realm: target.superUserRealm,
          tokens: target.superUser,
          timeout: "200 millis"
        })
        yield* slow.getCurrentUser()
        const control = yield* Target.control
        const recorded = yield* Effect.flatMap(Recorder, (recorder) => recorder.mark)
        control.faults.add({ operation: "createUser", latencyMs: 500 })
        const username = yield* Fixtures.uniqueName("slow")
        yield* expectFailure(slow.createUser({ realm: R, user: { username } }), { _tag: "Timeout" })
        const attempts = (yield* Effect.flatMap(Recorder, (recorder) => recorder.since(recorded)))
          .filter((exchange) => exchange.operation === "createUser")
        expect(attempts.map((exchange) => exchange.status)).toEqual([0])
      })),
    10_000
  )
})

/**
 * Runs `effect` until `check` holds of its result, at most about 1.5 s on the live clock, and returns the last
 * result: for what a server does after the client gave up on the request.
 */
const eventually = <A, R>(effect: Effect.Effect<A, never, R>, check: (a: A) => boolean) =>
  Effect.gen(function*() {
    let last = yield* effect
    for (let i = 0; i < 30 && !check(last); i++) {
      yield* Effect.sleep("50 millis")
      last = yield* effect
    }
    return last
  })

describe("a request whose client gave up during a latency fault", () => {
  h.controlPlane("faults, journal")(
    "is still journaled, with fault [\"latency\"]",
    () =>
      h.run(Effect.gen(function*() {
        const { target } = yield* makeKit
        const slow = yield* Callers.make({
          realm: target.superUserRealm,
          tokens: target.superUser,
          timeout: "200 millis"
        })
        yield* slow.getCurrentUser()
        const control = yield* Target.control
        const mark = yield* lastJournalId
        control.faults.add({ operation: "getCurrentUser", latencyMs: 400 })
        yield* slow.getCurrentUser() // the first attempt times out, the retry is answered
        const entries = yield* eventually(
          journalSince(mark, "getCurrentUser"),
          (entries) => entries.some((entry) => entry.fault?.includes("latency") === true)
        )
        // One entry per request (Journal.ts, README "The journal"): the timed-out attempt and the retry.
        expect(entries.map((entry) => entry.fault ?? []).sort()).toEqual([[], ["latency"]])
      })),
    10_000
  )

  h.controlPlane("faults")(
    "is still processed when it is a createUser, as by a slow server",
    () =>
      h.run(Effect.gen(function*() {
        const { R, admin, target } = yield* makeKit
        const slow = yield* Callers.make({
          realm: target.superUserRealm,
          tokens: target.superUser,
          timeout: "200 millis"
        })
        yield* slow.getCurrentUser()
        const control = yield* Target.control
        control.faults.add({ operation: "createUser", latencyMs: 400 })
        const username = yield* Fixtures.uniqueName("slow")
        yield* expectFailure(slow.createUser({ realm: R, user: { username } }), { _tag: "Timeout" })
        const query = admin.queryUsers({ query: { realmPredicate: { name: R }, usernames: [{ value: username }] } })
          .pipe(
            Effect.orDie
          )
        const found = yield* eventually(query, (users) => users.length === 1)
        for (const user of found) yield* admin.deleteUser({ realm: R, userId: user.id! })
        expect(found.map((user) => user.username)).toEqual([username])
      })),
    10_000
  )
})

describe("tokens", () => {
  h.controlPlane("clock, journal")(
    "past token expiry on the simulator's clock, 50 concurrent calls cause exactly one new token request",
    () =>
      h.run(Effect.gen(function*() {
        const { admin } = yield* makeKit
        const control = yield* Target.control
        yield* admin.getCurrentUser() // one token, cached by the client
        const mark = yield* lastJournalId
        control.clock.advance(61_000) // the simulator's access tokens live 60 s
        const users = yield* Effect.all(Array.from({ length: 50 }, () => admin.getCurrentUser()), {
          concurrency: "unbounded"
        })
        expect(new Set(users.map((user) => user.id)).size).toBe(1)
        const entries = yield* journalSince(mark)
        const tokenRequests = entries.filter((entry) => entry.operation === "token")
        expect(tokenRequests).toHaveLength(1)
        expect(tokenRequests[0]).toMatchObject({ status: 200, grantType: "client_credentials" })
        const calls = entries.filter((entry) => entry.operation === "getCurrentUser")
        // Every call was refused once with the expired token and then answered with the fresh one.
        expect(calls.filter((entry) => entry.status === 401)).toHaveLength(50)
        expect(calls.filter((entry) => entry.status === 200)).toHaveLength(50)
        // The new token was requested after the refusals began and before the successes.
        expect(tokenRequests[0]!.id).toBeGreaterThan(Math.min(...calls.map((entry) => entry.id)))
        expect(tokenRequests[0]!.id).toBeLessThan(
          Math.min(...calls.filter((entry) => entry.status === 200).map((entry) => entry.id))
        )
      })),
    20_000
  )

  h.controlPlane("journal")(
    "20 concurrent first calls of a new client share one token request",
    () =>
      h.run(Effect.gen(function*() {
        const { target } = yield* makeKit
        const mark = yield* lastJournalId
        const fresh = yield* Callers.make({ realm: target.superUserRealm, tokens: target.superUser })
        yield* Effect.all(Array.from({ length: 20 }, () => fresh.getCurrentUser()), { concurrency: "unbounded" })
        expect(statuses(yield* journalSince(mark, "token"))).toEqual([200])
        expect(statuses(yield* journalSince(mark, "getCurrentUser"))).toEqual(Array.from({ length: 20 }, () => 200))
      }))
  )

  h.controlPlane("faults, journal")(
    "a 503 of the token endpoint is an AuthenticationError (not retried, not cached): the next call gets a token",
    () =>
      h.run(Effect.gen(function*() {
        const { target } = yield* makeKit
        const control = yield* Target.control
        const mark = yield* lastJournalId
        control.faults.add({ operation: "token", status: 503 })
        const fresh = yield* Callers.make({ realm: target.superUserRealm, tokens: target.superUser })
        yield* expectFailure(fresh.getCurrentUser(), { _tag: "AuthenticationError", status: 503 })
        expect(statuses(yield* journalSince(mark, "getCurrentUser"))).toEqual([])
        expect((yield* fresh.getCurrentUser()).username).toBeDefined()
        expect(statuses(yield* journalSince(mark, "token"))).toEqual([503, 200])
      }))
  )

  h.controlPlane("clock, journal")(
    "a person's expired token is renewed with the refresh token, once, not with the password",
    () =>
      h.run(Effect.gen(function*() {
        const kit = yield* makeKit
        const person = yield* kit.regular()
        const control = yield* Target.control
        expect((yield* person.api.getCurrentUser()).id).toBe(person.id)
        const mark = yield* lastJournalId
        control.clock.advance(61_000)
        yield* Effect.all(Array.from({ length: 10 }, () => person.api.getCurrentUser()), { concurrency: "unbounded" })
        const tokenRequests = (yield* journalSince(mark, "token")).map((entry) => [entry.grantType, entry.status])
        expect(tokenRequests).toEqual([["refresh_token", 200]])
      }))
  )

  it.live("after resetSecret, a client with the old secret fails with invalid_client; one with the new works", () =>
    h.run(Effect.gen(function*() {
      const kit = yield* makeKit
      const service = yield* kit.serviceUser()
      const signIn = (secret: typeof service.secret) =>
        Callers.make({
          realm: kit.R,
          tokens: Callers.clientCredentialsTokens(kit.target, kit.R, service.clientId, secret)
        })
      const before = yield* signIn(service.secret)
      expect((yield* before.getCurrentUser()).id).toBe(service.id)

      const secret = yield* kit.admin.resetSecret({ realm: kit.R, userId: service.id })

      const old = yield* signIn(service.secret)
      yield* expectFailure(old.getCurrentUser(), { _tag: "AuthenticationError", error: "invalid_client" })
      const renewed = yield* signIn(secret)
      expect((yield* renewed.getCurrentUser()).id).toBe(service.id)
      // A token obtained before the reset stays valid until it expires (USER-API.md §4).
      expect((yield* before.getCurrentUser()).id).toBe(service.id)
    })))
})
