/**
 * A load of mixed reads and writes against a simulator in a child process, and its memory before and after:
 * `connections` connections (100 by default) each repeat `getUser`, a username-prefix `queryUsers`,
 * `createUser`, `getUser` of the new user, `updateUser` of it, `deleteUser` of it and `getCurrentUser`,
 * every response checked against the operation's catalogue success status.
 *
 * Memory: the simulator's heap is read after a forced garbage collection in its own process, before and
 * after the run. The run is preceded by a warm-up of at least 12,000 requests, which fills the simulator's
 * journal to its capacity (it keeps the newest 10,000 entries) and warms up its code; the heap after the
 * warm-up is the start the heap after the run is compared with. The heap before the warm-up is reported too.
 *
 * The robustness test runs it for 5 s; the `load` benchmark for 20 s.
 *
 * @since 0.1.0
 */
import { Catalogue, UserQuery } from "@openremote-effect/model"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Autocannon from "./Autocannon.js"
import type { BenchmarkError, ServerProcessError, UnexpectedResponse } from "./BenchError.js"
import * as Requests from "./Requests.js"
import * as Seeds from "./Seeds.js"
import type * as ServerProcess from "./ServerProcess.js"

/**
 * Options of {@link run}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Seconds. */
  readonly duration: number
  /** Default 100. */
  readonly connections?: number | undefined
  /** Requests of the warm-up (default 12,000). */
  readonly warmupRequests?: number | undefined
}

/**
 * The figures of a run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly load: Autocannon.Summary
  readonly warmup: Autocannon.Summary
  /** Heap used (bytes, after a forced GC) before the warm-up, after it (the start), and after the run. */
  readonly heap: { readonly cold: number; readonly start: number; readonly end: number }
  readonly rss: { readonly cold: number; readonly start: number; readonly end: number }
  /** `heap.end / heap.start`. */
  readonly heapRatio: number
  /** Whether the heap after the run is within 10% of the start. */
  readonly heapWithinTenPercent: boolean
}

/**
 * The realm the load works in (the default world's realm of 1,000 generated users must be loaded).
 *
 * @since 0.1.0
 * @category constants
 */
export const realm: string = Seeds.benchRealm.name

/**
 * The sequence every connection repeats.
 *
 * @since 0.1.0
 * @category load
 */
export const steps = (): ReadonlyArray<Autocannon.Step> => {
  let created = 0
  let read = 0
  const idOf = (context: object) => {
    const id = (context as { id?: unknown }).id
    return typeof id === "string" ? id : "missing"
  }
  const query: UserQuery.UserQuery = {
    realmPredicate: { name: realm },
    usernames: [{ value: "user-0001", match: "BEGIN" }],
    limit: 20
  }
  return [
    {
      name: Catalogue.getUser.name,
      method: Catalogue.getUser.method,
      expect: Catalogue.getUser.success,
      setupRequest: (request) => {
        read = (read + 1) % Seeds.benchRealm.users
        return { ...request, path: Requests.path(Catalogue.getUser, { realm, userId: Seeds.userId(realm, read) }) }
      }
    },
    {
      name: Catalogue.queryUsers.name,
      method: Catalogue.queryUsers.method,
      path: Requests.path(Catalogue.queryUsers, {}),
      body: JSON.stringify(Schema.encodeSync(UserQuery.UserQuery)(query)),
      expect: Catalogue.queryUsers.success
    },
    {
      name: Catalogue.createUser.name,
      method: Catalogue.createUser.method,
      path: Requests.path(Catalogue.createUser, { realm }),
      expect: Catalogue.createUser.success,
      setupRequest: (request, context) => {
        created += 1
        const username = `load-${process.pid}-${created}`
        ;(context as { username?: string }).username = username
        return { ...request, body: JSON.stringify({ username, enabled: true, firstName: "Load" }) }
      },
      onResponse: (status, body, context) => {
        const id = status === Catalogue.createUser.success ? (JSON.parse(body) as { id?: unknown }).id : undefined
        ;(context as { id?: unknown }).id = id
      }
    },
    {
      name: `${Catalogue.getUser.name} (created)`,
      method: Catalogue.getUser.method,
      expect: Catalogue.getUser.success,
      setupRequest: (request, context) => ({
        ...request,
        path: Requests.path(Catalogue.getUser, { realm, userId: idOf(context) })
      })
    },
    {
      name: Catalogue.updateUser.name,
      method: Catalogue.updateUser.method,
      path: Requests.path(Catalogue.updateUser, { realm }),
      expect: Catalogue.updateUser.success,
      setupRequest: (request, context) => ({
        ...request,
        body: JSON.stringify({
          id: idOf(context),
          username: (context as { username?: string }).username,
          firstName: "Updated",
          attributes: { department: ["load"] }
        })
      })
    },
    {
      name: Catalogue.deleteUser.name,
      method: Catalogue.deleteUser.method,
      expect: Catalogue.deleteUser.success,
      setupRequest: (request, context) => ({
        ...request,
        path: Requests.path(Catalogue.deleteUser, { realm, userId: idOf(context) })
      })
    },
    {
      name: Catalogue.getCurrentUser.name,
      method: Catalogue.getCurrentUser.method,
      path: Requests.path(Catalogue.getCurrentUser, {}),
      expect: Catalogue.getCurrentUser.success
    }
  ]
}

/**
 * Runs the load against `server` (a simulator with {@link realm} loaded, whose tokens outlive the run),
 * with the default world's service user's token.
 *
 * @since 0.1.0
 * @category load
 */
export const run: (
  server: ServerProcess.ServerProcess,
  options: Options
) => Effect.Effect<Result, BenchmarkError | ServerProcessError | UnexpectedResponse> = Effect.fn("MixedLoad.run")(
  function*(server: ServerProcess.ServerProcess, options: Options) {
    const connections = options.connections ?? 100
    const { accessToken } = yield* Requests.token(server.keycloakUrl, Seeds.serviceUser)
    const headers = {
      authorization: `Bearer ${Redacted.value(accessToken)}`,
      accept: "application/json",
      "content-type": "application/json"
    }
    const cold = yield* server.usage({ gc: true })
    const warmup = yield* Autocannon.run({
      url: server.url,
      connections,
      amount: options.warmupRequests ?? 12_000,
      headers,
      steps: steps()
    })
    const start = yield* server.usage({ gc: true })
    const load = yield* Autocannon.run({
      url: server.url,
      connections,
      duration: options.duration,
      headers,
      steps: steps()
    })
    const end = yield* server.usage({ gc: true })
    const heapRatio = end.heapUsed / start.heapUsed
    return {
      load,
      warmup,
      heap: { cold: cold.heapUsed, start: start.heapUsed, end: end.heapUsed },
      rss: { cold: cold.rss, start: start.rss, end: end.rss },
      heapRatio,
      heapWithinTenPercent: Math.abs(heapRatio - 1) <= 0.1
    }
  }
)
