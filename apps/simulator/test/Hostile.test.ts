import { afterAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { Catalogue, Operation } from "@openremote-effect/model"
import * as net from "node:net"
import { startSimulator } from "../src/Simulator.js"
import { adminToken, call, expectStatus, expectUnchanged, makeApp, rejects, testSeed, userId } from "./helpers.js"

const app = makeApp({ seed: testSeed })
afterAll(() => app.close())
beforeEach(() => app.simulator.load(testSeed))

/** A raw request that must get `status` and change nothing. */
const raw = (
  status: number,
  request: {
    readonly method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH"
    readonly url: string
    readonly headers?: Record<string, string>
    readonly payload?: string
  }
) =>
  expectUnchanged(app, async () => {
    const response = await app.inject(request)
    expect(response.statusCode, `${request.method} ${request.url.slice(0, 80)}: ${response.body.slice(0, 200)}`).toBe(
      status
    )
    expect(response.headers["content-type"] ?? "text/plain").toMatch(/^text\/plain/)
    return response
  })

const createUrl = "/api/master/user/master/users"

describe("hostile bodies: a clear 4xx, no crash, no change", () => {
  it("malformed JSON is a 400 that does not repeat the body (the real server answers 500)", async () => {
    const token = await adminToken(app)
    const response = await raw(400, {
      method: "POST",
      url: createUrl,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      payload: "{\"username\": \"eve\", \"password\": \"hunter2-leak\""
    })
    expect(response.body).toBe("the request body is not valid JSON")
  })

  it("a missing body where one is required is a 400", async () => {
    const token = await adminToken(app)
    const response = await raw(400, {
      method: "POST",
      url: createUrl,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }
    })
    expect(response.body).toBe("the request body is missing")
  })

  it("a wrong content type is a 415", async () => {
    const token = await adminToken(app)
    for (
      const contentType of [
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x"
      ]
    ) {
      const response = await raw(415, {
        method: "POST",
        url: createUrl,
        headers: { authorization: `Bearer ${token}`, "content-type": contentType },
        payload: "username=eve"
      })
      expect(response.body).toContain("Unsupported Media Type")
    }
  })

  it("application/json is accepted with parameters and in any case; other JSON-ish types are not", async () => {
    const token = await adminToken(app)
    for (
      const contentType of ["application/json; charset=utf-8", "application/json;charset=UTF-8", "Application/JSON"]
    ) {
      const response = await app.inject({
        method: "POST",
        url: "/api/master/user/query",
        headers: { authorization: `Bearer ${token}`, "content-type": contentType },
        payload: "{}"
      })
      expect(response.statusCode, contentType).toBe(200)
    }
    await raw(415, {
      method: "POST",
      url: "/api/master/user/query",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/vnd.api+json" },
      payload: "{}"
    })
  })

  it("a body over 1 MiB is a 413, also on the raw-body locale route", async () => {
    const token = await adminToken(app)
    const big = JSON.stringify({ username: "big", firstName: "x".repeat(1024 * 1024) })
    await raw(413, {
      method: "POST",
      url: createUrl,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      payload: big
    })
    await raw(413, {
      method: "PUT",
      url: `/api/master${Catalogue.updateCurrentUserLocale.path}`,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      payload: `"${"n".repeat(1024 * 1024 + 1)}"`
    })
  })

  it("deeply nested and oversized JSON values within the limit are 400s", async () => {
    const token = await adminToken(app)
    const nested = `${"[".repeat(100_000)}${"]".repeat(100_000)}`
    const deep = await raw(400, {
      method: "PUT",
      url: "/api/master/user/master/roles",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      payload: nested
    })
    expect(deep.body).toBe("the request body is nested more than 64 levels deep")
    const wide = JSON.stringify({ usernames: Array.from({ length: 20_000 }, () => ({ value: "x" })) })
    await raw(400, {
      method: "POST",
      url: "/api/master/user/query",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      payload: wide
    })
  })

  it("a __proto__ key cannot pollute prototypes", async () => {
    const token = await adminToken(app)
    const response = await app.inject({
      method: "POST",
      url: createUrl,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      payload:
        "{\"username\":\"protouser\",\"__proto__\":{\"polluted\":true},\"attributes\":{\"__proto__\":[\"x\"],\"ok\":[\"y\"]}}"
    })
    expect(response.statusCode).toBe(200)
    expect(response.json().attributes).toEqual({ ok: ["y"] })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe("hostile paths: a clear 4xx, no crash, no change", () => {
  const odd = ["a/b", "%", "é ü 😀", "x".repeat(10_000), "<script>", "' OR 1=1 --", "\u0000", "...", "%2E%2E"]

  it("odd or huge user ids read as unknown users (405)", async () => {
    const token = await adminToken(app)
    for (const id of odd) {
      const url = `/api/master/user/master/${encodeURIComponent(id)}`
      const response = await raw(405, { method: "GET", url, headers: { authorization: `Bearer ${token}` } })
      expect(response.body).toBe("")
    }
  })

  it("dot segments are resolved as URL parsers do, so they reach no route (404)", async () => {
    const token = await adminToken(app)
    await raw(404, { method: "GET", url: "/api/master/user/master/..", headers: { authorization: `Bearer ${token}` } })
    await raw(404, {
      method: "DELETE",
      url: "/api/master/user/./users/x",
      headers: { authorization: `Bearer ${token}` }
    })
  })

  it("odd target realms are not accessible (405), odd sessions unknown (404)", async () => {
    const token = await adminToken(app)
    for (const realm of odd) {
      await raw(405, {
        method: "DELETE",
        url: `/api/master/user/${encodeURIComponent(realm)}/users/x`,
        headers: { authorization: `Bearer ${token}` }
      })
      await raw(404, { method: "GET", url: `/api/master/user/master/disconnect/${encodeURIComponent(realm)}` })
    }
  })

  it("odd request realms make every token invalid (401) and anonymous calls fail as usual", async () => {
    const token = await adminToken(app)
    for (const realm of ["atlantis", "MASTER", "mas%2Fter", "%F0%9F%98%80"]) {
      await raw(401, { method: "GET", url: `/api/${realm}/user/user`, headers: { authorization: `Bearer ${token}` } })
      await raw(403, { method: "GET", url: `/api/${realm}/user/user` })
    }
  })

  it("a percent-encoding that is not UTF-8 is a 400", async () => {
    const token = await adminToken(app)
    await raw(400, {
      method: "GET",
      url: "/api/master/user/master/%E0%A4%A",
      headers: { authorization: `Bearer ${token}` }
    })
  })

  it("unknown routes and methods are 404 text/plain", async () => {
    const response = await raw(404, { method: "GET", url: "/api/master/user/does/not/exist/at/all" })
    expect(response.body).toBe("Not Found: GET /api/master/user/does/not/exist/at/all")
    await raw(404, { method: "PATCH", url: "/api/master/user/user" })
    await raw(404, { method: "GET", url: "/" })
    await raw(404, { method: "GET", url: "/api" })
  })

  it("a query string is ignored and never reflected", async () => {
    const token = await adminToken(app)
    const response = await app.inject({
      method: "GET",
      url: "/api/master/user/user?client_secret=leak-me",
      headers: { authorization: `Bearer ${token}` }
    })
    expect(response.statusCode).toBe(200)
    const missing = await raw(404, { method: "GET", url: "/nowhere?client_secret=leak-me" })
    expect(missing.body).not.toContain("leak-me")
  })
})

describe("the simulator keeps serving", () => {
  it("after all of the above", async () => {
    const token = await adminToken(app)
    const response = await call(app, Catalogue.getUser, {
      token,
      params: { realm: "smartcity", userId: userId(app, "smartcity", "smartcity") }
    })
    expectStatus(response, Catalogue.getUser, 200)
  })

  it("every path built by the model's formatPath reaches its route", async () => {
    for (const operation of Catalogue.all) {
      const params = Object.fromEntries(operation.pathParameters.map((name) => [name, `${name}-value`]))
      const path = Operation.formatPath(operation.path, params as never)
      if (path._tag !== "Right") throw new Error("unexpected")
      const response = await app.inject({ method: operation.method, url: `/api/master${path.right}` })
      expect(response.body, operation.name).not.toMatch(/^Not Found:/)
      expect(Object.keys(operation.responses), operation.name).toContain(String(response.statusCode))
    }
  })

  it("a refused request of every operation leaves the state as it was", async () => {
    for (const operation of Catalogue.all) {
      const params = Object.fromEntries(operation.pathParameters.map((name) => [name, "nobody"]))
      await rejects(
        app,
        operation,
        operation.name === "disconnectUserSession"
          ? 404
          : operation.role === undefined
          ? (operation.name === "queryUsers" || operation.pathParameters.length === 0 ||
              operation.name === "getCurrentUserClientRoles"
            ? 403
            : 401)
          : 403,
        {
          params,
          ...(operation.body === undefined
            ? {}
            : { rawBody: operation.name === "updateCurrentUserLocale" ? "\"nl\"" : "{}" })
        }
      )
    }
  })
})

describe("a body sent without Content-Length, over a real socket", () => {
  /** Sends `bytes` on a connection of their own; everything the simulator wrote back before closing it. */
  const exchange = (port: string, bytes: string) =>
    new Promise<string>((resolve, reject) => {
      let answer = ""
      const socket = net.connect(Number(port), "127.0.0.1", () => socket.end(bytes))
      socket.setEncoding("utf8")
      socket.on("data", (chunk: string) => (answer += chunk))
      socket.on("close", () => resolve(answer))
      socket.on("error", reject)
    })

  it("gets the answer to its request alone: the body, which Node parses as a next request, adds nothing to it", async () => {
    const simulator = await startSimulator({ port: 0 })
    try {
      const { port } = new URL(simulator.url)
      for (
        const [head, status] of [
          ["DELETE /api/master/user/master/users/x", 403],
          ["GET /api/master/user/master/userRoles/x/openremote", 401]
        ] as const
      ) {
        const answer = await exchange(
          port,
          `${head} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[1,2,3]`
        )
        expect(answer.startsWith(`HTTP/1.1 ${status} `), answer).toBe(true)
        expect(answer.match(/HTTP\/1\.1 /g), answer).toHaveLength(1)
      }
    } finally {
      await simulator.close()
    }
  })
})
