import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import { readFileSync } from "node:fs"
import * as Catalogue from "../src/Catalogue.js"
import * as Operation from "../src/Operation.js"

const seed = readFileSync(new URL("../../../reference/seed/UserApi.md", import.meta.url), "utf8")

const camelCase = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** The table at the top of the seed: `[**create_user**](UserApi.md#create_user) | **POST** /user/{realm}/users | Create …` */
const seedTable = Array.from(
  seed.matchAll(/^\[\*\*(\w+)\*\*\]\(UserApi\.md#\w+\) \| \*\*(\w+)\*\* (\S+) \| (.+)$/gm),
  ([, name, method, path, summary]) => ({ name: camelCase(name!), method, path, summary: summary!.trim() })
)

/** Each operation's signature line: `> User create_user(realm, authorization=authorization, …, user=user)` */
const seedSignatures = new Map(
  Array.from(seed.matchAll(/^> (?:(\S+) )?(\w+)\((.*)\)$/gm), ([, returns, name, args]) => {
    const list = args!.split(", ")
    return [camelCase(name!), {
      returns: returns ?? "void",
      positional: list.filter((arg) => !arg.includes("=")),
      keyword: list.filter((arg) => arg.includes("=")).map((arg) => arg.split("=")[0]!)
    }]
  })
)

const headerArguments = new Set(["authorization", "x_forwarded_proto", "x_forwarded_host"])

describe("Catalogue", () => {
  it("holds exactly the seed's 24 operations with the seed's methods, paths and summaries", () => {
    expect(seedTable).toHaveLength(24)
    expect(Catalogue.all.map(({ method, name, path, summary }) => ({ name, method, path, summary }))).toEqual(seedTable)
  })

  it("is keyed by each operation's own name", () => {
    for (const [key, operation] of Object.entries(Catalogue.operations)) {
      expect(operation.name).toBe(key)
    }
  })

  it.each(Catalogue.all.map((operation) => [operation.name, operation] as const))(
    "%s takes the seed's arguments and returns the seed's kind of result",
    (name, operation) => {
      const signature = seedSignatures.get(name)
      expect(signature).toBeDefined()
      // Path parameters in the seed's order (the seed writes `session_id` for the path's `{sessionID}`).
      expect(operation.pathParameters.map((parameter) => parameter.toLowerCase())).toEqual(
        signature!.positional.map((argument) => camelCase(argument).toLowerCase())
      )
      const bodyArguments = signature!.keyword.filter((argument) => !headerArguments.has(argument))
      expect(bodyArguments.length).toBe(operation.body === undefined ? 0 : 1)
      const expected = signature!.returns === "void" ? "Void" : signature!.returns === "str" ? "Text" : "Json"
      expect(operation.result._tag).toBe(expected)
    }
  )

  it("answers 204 exactly for the operations without a result, as the server does", () => {
    for (const operation of Catalogue.all) {
      expect(operation.success).toBe(operation.result._tag === "Void" ? 204 : 200)
      expect(Object.keys(operation.responses)).toContain(String(operation.success))
    }
  })

  it("marks every operation but createUser safe to retry", () => {
    expect(Catalogue.all.filter((operation) => !operation.retrySafe).map(({ name }) => name)).toEqual(["createUser"])
  })

  it("lists the quirky statuses of USER-API.md §3", () => {
    expect(Catalogue.createUser.responses[403]).toMatch(/already exists/)
    expect(Catalogue.createUser.responses[409]).toBeUndefined()
    expect(Catalogue.getUser.responses[405]).toMatch(/does not exist/)
    expect(Catalogue.deleteUser.responses[204]).toMatch(/did not exist/)
    expect(Catalogue.updateClientRoles.responses[404]).toMatch(/any other failure/)
    expect(Catalogue.updateRoles.responses).toEqual(Catalogue.updateClientRoles.responses)
    expect(Catalogue.requestPasswordReset.responses[500]).toMatch(/mail server/)
    expect(Catalogue.resetSecret.responses[204]).toMatch(/does not exist/)
    expect(Catalogue.resetSecret.responses[500]).toMatch(/shorter than 16/)
    expect(Catalogue.deleteUser.responses[500]).toMatch(/another realm/)
    expect(Catalogue.updateClientRoles.responses[409]).toMatch(/name of an existing role/)
    expect(Catalogue.updateUser.responses[500]).toMatch(/no `username`/)
    expect(Catalogue.updateSelf.responses[500]).toEqual(Catalogue.updateUser.responses[500])
    expect(Catalogue.createUser.responses[400]).toMatch(/taken by a client/)
    expect(Catalogue.disconnectUserSession.role).toBeUndefined()
  })

  it("lists every status USER-API.md §3 names for an operation, the revised ones (409, the new 500s) included", () => {
    const userApi = readFileSync(new URL("../../../reference/spec/USER-API.md", import.meta.url), "utf8")
    const rows = Array.from(
      userApi.matchAll(/^\| \d+ \| (\w+) \| [^|]+ \| [^|]+ \| [^|]+ \| ([^|]+) \| ([^|]+) \|$/gm),
      ([, name, success, errors]) => ({
        name: camelCase(name!),
        // "403 … — **not 409**" names a status the server does not answer.
        statuses: Array.from(
          `${success} ${errors}`.replace(/\bnot \**\d{3}/g, "").matchAll(/\b([1-5]\d\d)\b/g),
          ([, status]) => status!
        )
      })
    )
    expect(rows.map(({ name }) => name).sort()).toEqual(Catalogue.all.map(({ name }) => name).sort())
    const missing = rows.flatMap(({ name, statuses }) =>
      statuses.filter((status) => !(status in Catalogue.operations[name as Catalogue.OperationName].responses))
        .map((status) => `${name} ${status}`)
    )
    expect(missing).toEqual([])
    const revised = rows.flatMap(({ name, statuses }) => statuses.map((status) => `${name} ${status}`))
    expect(revised).toEqual(expect.arrayContaining([
      "deleteUser 500",
      "resetSecret 500",
      "updateClientRoles 409",
      "updateSelf 500",
      "updateUser 500"
    ]))
  })

  it("names the annotation roles of USER-API.md §3", () => {
    const roles = Object.fromEntries(Catalogue.all.map(({ name, role }) => [name, role ?? null]))
    expect(roles).toEqual({
      createUser: "write:admin",
      deleteUser: "write:admin",
      disconnectUserSession: null,
      getClientRoles: "read:admin",
      getCurrentUser: null,
      getCurrentUserClientRoles: null,
      getCurrentUserRealmRoles: null,
      getUser: null,
      getUserClientRoles: null,
      getUserRealmRoles: null,
      getUserSessions: null,
      queryUsers: null,
      requestPasswordReset: "write:user",
      requestUserPasswordReset: "write:admin",
      resetSecret: "write:admin",
      updateClientRoles: "write:admin",
      updateCurrentUserLocale: null,
      updateOwnPassword: "write:user",
      updatePassword: "write:admin",
      updateRoles: "write:admin",
      updateSelf: "write:user",
      updateUser: "write:admin",
      updateUserClientRoles: "write:admin",
      updateUserRealmRoles: "write:admin"
    })
  })
})

describe("Operation.pathParameters", () => {
  it("reads the parameters of a path template in order", () => {
    expect(Operation.pathParameters("/user/{realm}/userRoles/{userId}/{clientId}")).toEqual([
      "realm",
      "userId",
      "clientId"
    ])
    expect(Operation.pathParameters("/user/user")).toEqual([])
  })
})

describe("Operation.formatPath", () => {
  const path = Catalogue.getUserClientRoles.path

  it("percent-encodes every parameter so that no value reaches another path", () => {
    expect(Operation.formatPath(path, { realm: "master", userId: "a/../b?c#d", clientId: "x%y z" })).toEqual(
      Either.right("/user/master/userRoles/a%2F..%2Fb%3Fc%23d/x%25y%20z")
    )
  })

  it.each(["", ".", ".."])("refuses the path segment %j", (value) => {
    const result = Operation.formatPath(path, { realm: "master", userId: value, clientId: "openremote" })
    expect(result).toEqual(Either.left({ parameter: "userId", reason: `may not be ${JSON.stringify(value)}` }))
  })

  it("refuses a value with a lone surrogate instead of throwing", () => {
    const result = Operation.formatPath(path, { realm: "master", userId: "a\uD800b", clientId: "openremote" })
    expect(result).toEqual(
      Either.left({ parameter: "userId", reason: "is not well-formed Unicode (it holds a lone surrogate)" })
    )
    expect(Operation.formatPath(path, { realm: "master", userId: "😀", clientId: "openremote" })).toEqual(
      Either.right("/user/master/userRoles/%F0%9F%98%80/openremote")
    )
  })

  it("refuses a missing parameter", () => {
    const parameters = { realm: "master" } as unknown as Operation.Input<typeof Catalogue.getUser>
    expect(Operation.formatPath(Catalogue.getUser.path, parameters)).toEqual(
      Either.left({ parameter: "userId", reason: "is missing" })
    )
  })

  it("reports the first bad parameter in the path's order", () => {
    expect(Operation.formatPath(path, { realm: "..", userId: "", clientId: "openremote" })).toEqual(
      Either.left({ parameter: "realm", reason: "may not be \"..\"" })
    )
  })

  it("fills any template, every time the same: literal parts kept, each value encoded", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.constantFrom(...Catalogue.all.map((operation) => operation.path), "/plain", "{a}{b}", "/x/{a}/y"),
        FastCheck.string({ minLength: 3 }),
        (template, value) => {
          const names = Operation.pathParameters(template)
          const parameters = Object.fromEntries(names.map((name) => [name, value]))
          const expected = template.replace(/\{([^{}]+)\}/g, () => encodeURIComponent(value))
          for (let i = 0; i < 2; i++) {
            expect(Operation.formatPath(template, parameters as never)).toEqual(Either.right(expected))
          }
        }
      )
    )
  })
})

describe("Catalogue.apiBaseUrl", () => {
  it("is the origin, /api/ and the request realm, percent-encoded", () => {
    expect(Catalogue.apiBaseUrl("http://localhost:8080", "master")).toBe("http://localhost:8080/api/master")
    expect(Catalogue.apiBaseUrl("http://localhost:8080//", "smart city")).toBe(
      "http://localhost:8080/api/smart%20city"
    )
    expect(Catalogue.apiBaseUrl("", "a/b")).toBe("/api/a%2Fb")
  })
})
