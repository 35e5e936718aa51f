import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as ServerProcess from "../src/ServerProcess.js"

const running = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe("ServerProcess", () => {
  it.live(
    "forks a server in its own process, reports its usage over IPC, and stops it with the scope",
    () =>
      Effect.gen(function*() {
        const { pid, usage } = yield* Effect.scoped(Effect.gen(function*() {
          const server = yield* ServerProcess.fork({ kind: "hello" })
          expect(server.pid).not.toBe(process.pid)
          expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
          const response = yield* Effect.promise(() => fetch(`${server.url}/hello`).then((r) => r.json()))
          expect(response).toEqual({ hello: "world" })
          const usage = yield* server.usage({ gc: true })
          expect(yield* server.alive).toBe(true)
          return { pid: server.pid, usage }
        }))
        expect(usage.heapUsed).toBeGreaterThan(0)
        expect(usage.rss).toBeGreaterThan(usage.heapUsed)
        expect(running(pid)).toBe(false)
      }),
    30_000
  )
})
