/**
 * The README's "Using the client" example is examples/quickstart.ts (type-checked by `tsc -b`), and it
 * runs: its layers over the real `FetchHttpClient`, with a fake `fetch` and `ConfigProvider.fromMap`.
 */
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import { readFileSync } from "node:fs"
import { ExplicitLive, MainLive, program } from "../examples/quickstart.js"
import { bob } from "../examples/testing.js"
import { json, makeCapturingLogger, secrets, text, tokenResponse } from "./utils/mock.js"

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
const rootReadme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8")
const example = readFileSync(new URL("../examples/quickstart.ts", import.meta.url), "utf8")
const testingExample = readFileSync(new URL("../examples/testing.ts", import.meta.url), "utf8")

/** The first TypeScript block of a README section. */
const codeBlock = (heading: string, text = readme) =>
  /```ts\n([\s\S]*?)```/.exec(text.slice(text.indexOf(heading)))?.[1]

interface Sent {
  readonly method: string
  readonly url: string
  readonly body: string | undefined
}

/** A `fetch` that answers from `route` and records what was sent. */
const fakeFetch = (route: (sent: Sent) => Response) => {
  const sent: Array<Sent> = []
  const fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const body = init?.body instanceof Uint8Array ? new TextDecoder().decode(init.body) : undefined
    const request = { method: init?.method ?? "GET", url: String(input), body }
    sent.push(request)
    return Promise.resolve(route(request))
  }
  return { fetch: fetch as typeof globalThis.fetch, sent }
}

const environment = ConfigProvider.fromMap(
  new Map([
    ["OPENREMOTE_URL", "http://localhost:8080/api/master"],
    ["OPENREMOTE_KEYCLOAK_URL", "http://localhost:8081/auth"],
    ["OPENREMOTE_CLIENT_ID", "serviceuser"],
    ["OPENREMOTE_CLIENT_SECRET", secrets.clientSecret]
  ])
)

const server = (sent: Sent): Response => {
  const path = new URL(sent.url).pathname
  if (path.endsWith("/openid-connect/token")) return tokenResponse({ accessToken: secrets.token })
  if (path === "/api/master/user/user") return json({ id: "me", username: "serviceuser" })
  if (path === "/api/master/user/master/users") return text("", 403) // sensor-01 exists already
  if (path === "/api/master/user/query") {
    return json([{ id: "s1", username: "sensor-01" }, { id: "s2", username: "sensor-02" }])
  }
  if (path === "/api/master/user/master/userRealmRoles/s1") return new Response(null, { status: 204 })
  return text("", 404)
}

describe("The quickstart example", () => {
  it("is the README's \"Using the client\" example, verbatim", () => {
    expect(codeBlock("## Using the client")).toBe(example)
  })

  it("is the repository README's \"Using the client\" example too, verbatim", () => {
    expect(codeBlock("## Using the client", rootReadme)).toBe(example)
  })

  it.effect("runs with UserApi.layerConfig over FetchHttpClient", () =>
    Effect.gen(function*() {
      const { fetch, sent } = fakeFetch(server)
      const { lines, logger } = makeCapturingLogger()
      yield* program.pipe(
        Effect.provide(MainLive),
        Effect.provideService(FetchHttpClient.Fetch, fetch),
        Effect.withConfigProvider(environment),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      expect(sent.map(({ method, url }) => `${method} ${new URL(url).pathname}`)).toEqual([
        "POST /auth/realms/master/protocol/openid-connect/token",
        "GET /api/master/user/user",
        "POST /api/master/user/master/users",
        "POST /api/master/user/query",
        "PUT /api/master/user/master/userRealmRoles/s1",
        "POST /api/master/user/query"
      ])
      expect(JSON.parse(sent[4]!.body!)).toEqual(["restricted_user"])
      const messages = lines.filter((line) => line.startsWith("timestamp")).join("\n")
      expect(messages).toContain("Signed in as serviceuser")
      expect(messages).toContain("Sensors: sensor-01, sensor-02")
    }))

  it.effect("explains a refused sign-in with catchTags, then fails with the typed error", () =>
    Effect.gen(function*() {
      const { fetch } = fakeFetch(() =>
        json({ error: "invalid_client", error_description: "Invalid client or Invalid client credentials" }, 401)
      )
      const { lines, logger } = makeCapturingLogger()
      const error = yield* Effect.flip(program).pipe(
        Effect.provide(MainLive),
        Effect.provideService(FetchHttpClient.Fetch, fetch),
        Effect.withConfigProvider(environment),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      expect(lines.join("\n")).toContain(
        "Could not sign in: invalid_client Invalid client or Invalid client credentials"
      )
      expect(error._tag).toBe("AuthenticationError")
    }))

  it.effect("the explicit layers send to the configured URLs", () =>
    Effect.gen(function*() {
      const { fetch, sent } = fakeFetch(server)
      yield* program.pipe(
        Effect.provide(ExplicitLive),
        Effect.provideService(FetchHttpClient.Fetch, fetch),
        Effect.provide(Logger.replace(Logger.defaultLogger, Logger.none))
      )
      expect(sent[0]!.url).toBe("http://localhost:8081/auth/realms/master/protocol/openid-connect/token")
      expect(Object.fromEntries(new URLSearchParams(sent[0]!.body))).toMatchObject({ client_id: "serviceuser" })
      expect(sent[1]!.url).toBe("http://localhost:8080/api/master/user/user")
    }))
})

describe("The testing example", () => {
  it("is the README's \"Testing your code\" example, verbatim", () => {
    expect(codeBlock("## Testing your code")).toBe(testingExample)
  })

  it.effect("answers from the mock", () =>
    Effect.gen(function*() {
      const user = yield* bob
      expect(user).toEqual({ id: "u1", username: "bob" })
    }))
})
