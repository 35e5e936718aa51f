import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it, vi } from "@effect/vitest"
import { TokenProvider, UserApi } from "@openremote-effect/client"
import { Catalogue } from "@openremote-effect/model"
import { startSimulator } from "@openremote-effect/simulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { readFileSync } from "node:fs"
import * as Demo from "../src/Demo.js"
import { program } from "../src/Quickstart.js"

/** Keeps what is logged with `console.log` (which Effect's default `Console` writes to) until the scope closes. */
const capture = Effect.acquireRelease(
  Effect.sync(() => {
    const lines: Array<string> = []
    const spy = vi.spyOn(console, "log").mockImplementation((...args: ReadonlyArray<unknown>) => {
      lines.push(args.map(String).join(" "))
    })
    return { lines, spy }
  }),
  ({ spy }) => Effect.sync(() => spy.mockRestore())
)

describe("the repository README", () => {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8")

  it("shows the test-double example as it is in test/TestDouble.test.ts, which runs", () => {
    const section = readme.slice(readme.indexOf("## The simulator as a test double"))
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
    expect(block).toBe(readFileSync(new URL("TestDouble.test.ts", import.meta.url), "utf8"))
  })

  it("has a quick start of exactly two commands: the main job and the whole test suite", () => {
    const section = readme.slice(readme.indexOf("## Quick start"))
    const commands = /```sh\n([\s\S]*?)```/.exec(section)?.[1]?.trim().split("\n")
    expect(commands).toEqual(["npm start", "npm test"])
    const scripts = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")).scripts
    expect(scripts.start).toMatch(/apps\/example\/dist\/main\.js$/)
    expect(scripts.test).toMatch(/npm run -s build && eslint \. && vitest run$/)
    expect(scripts.build).toMatch(/^tsc -b && /)
  })
})

describe("the quick start", () => {
  it.live("runs every step of the flow against an in-process simulator and prints it", () =>
    Effect.gen(function*() {
      const { lines } = yield* capture
      const outcome = yield* program
      expect(outcome.admin).toBe("serviceuser")
      expect(outcome.username).toMatch(/^demo-[0-9a-z]{6}$/)
      expect(outcome.queried).toBe(1)
      expect(outcome.loggedInAs).toBe(outcome.username)
      expect(outcome.clientRoles).toEqual(expect.arrayContaining(["read:assets", "read:users", "write:user"]))
      expect(outcome.oldSecretRefused).toBe("invalid_client")
      expect(outcome.newSecretWorks).toBe(true)
      expect(outcome.device).toEqual({ sessions: 1, closed: true })
      expect(outcome.goneAfterDelete).toBe("NotAllowed (405)")
      const steps = lines.filter((line) => /^ ?\d\. /.test(line))
      expect(steps.map((line) => line.slice(4, 34).trim())).toEqual([
        "Service-user token",
        "Create a user",
        "Set their password",
        "Assign roles",
        "Query",
        "Log in as them",
        "Reset a service user secret",
        "A device over MQTT",
        "Delete"
      ])
      expect(lines.join("\n")).not.toMatch(/your_secret|Pw1-/)
    }).pipe(Effect.scoped), 30_000)

  it.live("leaves no user behind when a step fails", () =>
    Effect.gen(function*() {
      const simulator = yield* Effect.acquireRelease(
        Effect.promise(() => startSimulator({ port: 0 })),
        (running) => Effect.promise(() => running.close())
      )
      const admin = UserApi.layer({ baseUrl: Catalogue.apiBaseUrl(simulator.url, "master") }).pipe(
        Layer.provide(TokenProvider.clientCredentials({
          keycloakUrl: simulator.keycloakUrl,
          realm: "master",
          clientId: "serviceuser",
          clientSecret: Redacted.make("your_secret")
        }))
      )
      const before = simulator.control.snapshot()
      // The password step fails: the simulator answers 503 to every updatePassword.
      simulator.control.faults.add({ operation: "updatePassword", status: 503, times: 100 })
      yield* capture
      const error = yield* Demo.run({
        description: "test",
        origin: simulator.url,
        keycloakUrl: simulator.keycloakUrl,
        realm: "smartcity"
      }).pipe(Effect.provide(admin), Effect.flip)
      expect(error._tag).toBe("ServerError")
      const after = simulator.control.snapshot()
      const usernames = (snapshot: typeof before) =>
        snapshot.realms.flatMap((realm) => realm.users.map((user) => user.username)).sort()
      expect(usernames(after)).toEqual(usernames(before))
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)), 30_000)
})
