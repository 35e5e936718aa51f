/**
 * The harness itself, without a target: the OpenAPI document and validator (which must be able to reject a
 * body, or the conformance checks of the other files prove nothing), the translation of the document's Java
 * patterns, the matching of requests to catalogue operations, the recorder, and how the environment selects
 * the target.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import { Catalogue, Operation, SpecDifferences } from "@openremote-effect/model"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Conformance from "../src/Conformance.js"
import * as Recorder from "../src/Recorder.js"
import * as Routes from "../src/Routes.js"
import * as Target from "../src/Target.js"

const validator = Conformance.make()
const json = (value: unknown) => ({ contentType: "application/json", body: JSON.stringify(value) })

describe("Conformance", () => {
  it("validates against the published document with SpecDifferences.applyToOpenApi applied, and nothing else", () => {
    const published = Conformance.readPublished()
    expect(validator.document).toEqual(SpecDifferences.applyToOpenApi(published))
    expect(Conformance.serverDocument()).toEqual(validator.document)
    // The published document itself is left as it was.
    expect(published).toEqual(Conformance.readPublished())
  })

  it("accepts what the server answers", () => {
    const user = { realm: "master", id: "u1", username: "bob", createdOn: 1_700_000_000_000, serviceAccount: false }
    expect(validator.problems({ operation: "getUser", status: 200, ...json(user) })).toEqual([])
    expect(validator.problems({ operation: "queryUsers", status: 200, ...json([user]) })).toEqual([])
    expect(
      validator.problems({ operation: "getUserSessions", status: 200, ...json([{ ID: "s", startTimeMillis: 1 }]) })
    )
      .toEqual([])
    expect(validator.problems({ operation: "resetSecret", status: 200, contentType: "text/plain", body: "abc" }))
      .toEqual([])
    expect(validator.problems({ operation: "resetSecret", status: 204, contentType: undefined, body: "" })).toEqual([])
    expect(validator.problems({ operation: "deleteUser", status: 204, contentType: undefined, body: "" })).toEqual([])
    expect(validator.problems({ operation: "getUser", status: 405, contentType: undefined, body: "" })).toEqual([])
    expect(validator.problems({ operation: "getUser", status: 0, contentType: undefined, body: undefined })).toEqual([])
  })

  it("rejects bodies that do not conform, naming the field but not the value", () => {
    const secret = "s3cr3t-value"
    const problems = validator.problems({
      operation: "getUser",
      status: 200,
      ...json({ username: 42, createdOn: "2023-11-14T22:13:20Z", enabled: "yes", secret: 7, note: secret })
    })
    expect(problems).toEqual(expect.arrayContaining([
      "/username must be string",
      "/createdOn must be integer",
      "/enabled must be boolean",
      "/secret must be string"
    ]))
    expect(problems.join("\n")).not.toContain(secret)
    expect(validator.problems({ operation: "getClientRoles", status: 200, ...json([{ composite: "no" }]) })).toEqual([
      "/0/composite must be boolean"
    ])
    expect(validator.problems({ operation: "getUserRealmRoles", status: 200, ...json({ roles: [] }) })).toEqual([
      "(body) must be array"
    ])
    expect(validator.problems({ operation: "getUser", status: 200, contentType: "application/json", body: "{" }))
      .toEqual(["the body is not JSON"])
    expect(validator.problems({ operation: "getUser", status: 200, contentType: "text/plain", body: "{}" })).toEqual([
      "has content type text/plain, the document says application/json"
    ])
  })

  it("rejects the statuses and bodies the server does not answer", () => {
    expect(validator.problems({ operation: "deleteUser", status: 200, contentType: undefined, body: "" })).toEqual([
      "answered 200, which the document does not list"
    ])
    expect(validator.problems({ operation: "deleteUser", status: 204, contentType: "text/plain", body: "done" }))
      .toEqual(["has a body where the document says there is none"])
    expect(validator.problems({ operation: "getUser", status: 405, ...json({ error: "no" }) })).toEqual([
      "the 405 error body is JSON; the server's error bodies are empty or plain text"
    ])
  })

  it("the differences matter: the published document alone refuses the server's answers", () => {
    const published = Conformance.make(Conformance.readPublished())
    expect(published.problems({ operation: "getUser", status: 200, ...json({ username: "bob", createdOn: 1 }) }))
      .toEqual(["/createdOn must be string"])
    expect(published.problems({ operation: "deleteUser", status: 204, contentType: undefined, body: "" })).toEqual([
      "answered 204, which the document does not list"
    ])
  })

  it("reads the document's Java username pattern as Java does", () => {
    const valid = ["bob", "developers@openremote.io", "dev_dev-dev.dev+dev++dev__ßçʊ@openremote.io", "service-user"]
    const invalid = [
      "#$%^&*()",
      "openremoteuser!",
      "white space",
      "tab\tbed",
      "nbsp\u00a0x",
      "line\u2028x",
      "ctl\u0001x",
      "日本語"
    ]
    for (const username of valid) {
      expect(validator.problems({ operation: "getUser", status: 200, ...json({ username }) }), username).toEqual([])
    }
    for (const username of invalid) {
      expect(validator.problems({ operation: "getUser", status: 200, ...json({ username }) }), username).not.toEqual([])
    }
    expect(Conformance.javaToJavaScript("^[\\p{IsLatin}]\\h\\p{Cntrl}$")).toBe(
      "^[\\p{Script=Latin}][ \\t\\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000][\\x00-\\x1F\\x7F]$"
    )
    expect(() => Conformance.javaToJavaScript("[a[b]]")).toThrow(/nested/)
  })

  it("knows which operations answer a body on success", () => {
    expect(Catalogue.all.filter((operation) => Conformance.hasSuccessBody(operation.name)).map((op) => op.name).sort())
      .toEqual([
        "createUser",
        "getClientRoles",
        "getCurrentUser",
        "getCurrentUserClientRoles",
        "getCurrentUserRealmRoles",
        "getUser",
        "getUserClientRoles",
        "getUserRealmRoles",
        "getUserSessions",
        "queryUsers",
        "resetSecret",
        "updateSelf",
        "updateUser"
      ])
  })
})

describe("Routes", () => {
  const values: Readonly<Record<string, string>> = {
    realm: "smartcity",
    userId: "u/1 ?#%",
    clientId: "my client",
    sessionID: "s-1"
  }

  it("finds every catalogue operation from its method and URL, with its parameters", () => {
    for (const operation of Catalogue.all) {
      const parameters = Object.fromEntries(operation.pathParameters.map((name) => [name, values[name]!]))
      const path = Operation.formatPath(operation.path, parameters as never)
      const url = `http://127.0.0.1:8080/api/master${Either.getOrThrow(path)}`
      expect(Routes.match(operation.method, url), operation.name).toEqual({
        operation: operation.name,
        requestRealm: "master",
        parameters
      })
    }
  })

  it("prefers literal segments, and finds nothing for other requests", () => {
    expect(Routes.match("GET", "http://h/api/master/user/userRoles/openremote")?.operation).toBe(
      "getCurrentUserClientRoles"
    )
    expect(Routes.match("GET", "http://h/api/master/user/user")?.operation).toBe("getCurrentUser")
    expect(Routes.match("GET", "http://h/api/master/user/master/users")?.operation).toBe("getUser")
    expect(Routes.match("PATCH", "http://h/api/master/user/master/users")).toBeUndefined()
    expect(Routes.match("GET", "http://h/auth/realms/master/protocol/openid-connect/token")).toBeUndefined()
    expect(Routes.match("GET", "not a url")).toBeUndefined()
  })
})

describe("Recorder", () => {
  const respond = (status: number, body: string, contentType?: string) =>
    HttpClient.make((request) =>
      Effect.succeed(HttpClientResponse.fromWeb(
        request,
        new Response(status === 204 ? null : body, {
          status,
          headers: contentType === undefined ? {} : { "content-type": contentType }
        })
      ))
    )

  it.effect("records and judges each exchange, keeps bodies redacted, and leaves the body readable", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make()
      const client = recorder.transformClient(
        respond(
          200,
          JSON.stringify({ id: "u1", realm: "smartcity", username: "bob", secret: "hush" }),
          "application/json"
        )
      )
      const response = yield* client.execute(HttpClientRequest.post("http://h/api/master/user/smartcity/users"))
      expect(JSON.parse(yield* response.text)).toMatchObject({ id: "u1" })
      const [exchange] = yield* recorder.exchanges
      expect(exchange).toMatchObject({ id: 1, operation: "createUser", status: 200, problems: [] })
      expect(String(exchange!.body)).not.toContain("hush")
      expect(Recorder.createdUsers(yield* recorder.exchanges)).toEqual([{ realm: "smartcity", id: "u1" }])

      const bad = recorder.transformClient(respond(200, "", undefined))
      yield* bad.execute(HttpClientRequest.del("http://h/api/master/user/smartcity/users/u1"))
      const mark = 1
      expect((yield* recorder.since(mark)).map((e) => [e.operation, e.problems])).toEqual([
        ["deleteUser", ["answered 200, which the document does not list"]]
      ])
    }))

  it.effect("records a failed exchange with status 0, and a request that is no operation as a problem", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make({ retainBody: () => false })
      const failing = recorder.transformClient(
        HttpClient.make((request) =>
          Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: new Error("reset") }))
        )
      )
      const failure = yield* Effect.flip(failing.execute(HttpClientRequest.get("http://h/api/master/user/user")))
      expect(failure._tag).toBe("RequestError")
      const unknown = recorder.transformClient(respond(200, "{}", "application/json"))
      yield* unknown.execute(HttpClientRequest.get("http://h/api/master/not/an/operation"))
      const [reset, other] = yield* recorder.exchanges
      expect(reset).toMatchObject({ operation: "getCurrentUser", status: 0, problems: [], body: undefined })
      expect(other!.operation).toBeUndefined()
      expect(other!.problems).toEqual(["GET http://h/api/master/not/an/operation is not an operation of the catalogue"])
      expect(other!.body).toBeUndefined()
      expect(other!.bodyLength).toBe(2)
    }))
})

describe("Target", () => {
  const withEnv = (env: Readonly<Record<string, string>>) =>
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

  it.effect("without OPENREMOTE_URL the target is the simulator", () =>
    Effect.gen(function*() {
      expect(yield* Target.fromConfig.pipe(withEnv({}))).toEqual(Option.none())
      expect(Target.isLiveEnvironment({})).toBe(false)
      expect(Target.isLiveEnvironment({ OPENREMOTE_URL: "" })).toBe(false)
    }))

  it.effect("with OPENREMOTE_URL, the Keycloak URL and credentials, a live target", () =>
    Effect.gen(function*() {
      const env = {
        OPENREMOTE_URL: "https://or.example/api/master",
        OPENREMOTE_KEYCLOAK_URL: "https://or.example/auth",
        OPENREMOTE_CLIENT_ID: "ci",
        OPENREMOTE_CLIENT_SECRET: "not-printed",
        CONTRACT_REALM: "building"
      }
      expect(Target.isLiveEnvironment(env)).toBe(true)
      const options = Option.getOrThrow(yield* Target.fromConfig.pipe(withEnv(env)))
      expect(options.otherRealm).toBe("building")
      expect(options.credentials._tag).toBe("ClientCredentials")
      const target = yield* Target.live(options)
      expect(target).toMatchObject({
        mode: "live",
        apiRoot: "https://or.example",
        keycloakUrl: "https://or.example/auth",
        superUserRealm: "master",
        otherRealm: "building",
        simulator: undefined
      })
      expect(Target.apiUrl(target, "a b")).toBe("https://or.example/api/a%20b")
      expect(JSON.stringify(options)).not.toContain("not-printed")
      expect(Redacted.isRedacted(options.config.clientSecret)).toBe(true)
    }))

  it.effect("a live target without the Keycloak URL or credentials is a ConfigError saying what is missing", () =>
    Effect.gen(function*() {
      const noKeycloak = yield* Effect.flip(
        Target.fromConfig.pipe(withEnv({ OPENREMOTE_URL: "https://or.example/api/master" }))
      )
      expect(String(noKeycloak)).toContain("OPENREMOTE_KEYCLOAK_URL")
      const noCredentials = yield* Effect.flip(
        Target.fromConfig.pipe(withEnv({
          OPENREMOTE_URL: "https://or.example/api/master",
          OPENREMOTE_KEYCLOAK_URL: "https://or.example/auth"
        }))
      )
      expect(String(noCredentials)).toMatch(/OPENREMOTE_(CLIENT_SECRET|USERNAME)/)
      const notAnApiUrl = yield* Effect.flip(
        Effect.flatMap(
          Target.fromConfig.pipe(withEnv({
            OPENREMOTE_URL: "https://or.example/",
            OPENREMOTE_KEYCLOAK_URL: "https://or.example/auth",
            OPENREMOTE_USERNAME: "admin",
            OPENREMOTE_PASSWORD: "pw"
          })),
          (options) => Target.live(Option.getOrThrow(options))
        )
      )
      expect(String(notAnApiUrl)).toContain("/api/{realm}")
    }))
})
