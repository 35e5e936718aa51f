import { afterAll, beforeEach, describe, expect, it } from "@effect/vitest"
import type { FastifyInstance } from "fastify"
import * as Seed from "../src/Seed.js"
import { InvalidInput, NotFound } from "../src/SimulatorError.js"
import {
  adminToken,
  call,
  Catalogue,
  expectStatus,
  expectUnchanged,
  makeApp,
  serviceToken,
  testSeed,
  tokenRequest,
  userId
} from "./helpers.js"

const app = makeApp({ seed: testSeed })
afterAll(() => app.close())
beforeEach(() => app.simulator.load(testSeed))

const control = (
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
  target: FastifyInstance = app
) =>
  target.inject({
    method,
    url: `/_simulator${path}`,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, payload: JSON.stringify(body) })
  })

const usernames = (realm: string) =>
  app.simulator.snapshot().realms.find((r) => r.name === realm)?.users.map((user) => user.username)

describe("reset, load and snapshot", () => {
  it("reset() goes back to the current seed, with the same ids", async () => {
    const before = app.simulator.snapshot()
    await call(app, Catalogue.deleteUser, {
      token: await adminToken(app),
      params: { realm: "smartcity", userId: userId(app, "smartcity", "norole") }
    })
    expect(usernames("smartcity")).not.toContain("norole")
    app.simulator.reset()
    expect(app.simulator.snapshot()).toEqual(before)
  })

  it("POST /_simulator/reset does the same, and also clears faults and the journal", async () => {
    await call(app, Catalogue.deleteUser, {
      token: await adminToken(app),
      params: { realm: "smartcity", userId: userId(app, "smartcity", "norole") }
    })
    app.simulator.faults.add({ operation: "getUser", status: 503 })
    const response = await control("POST", "/reset")
    expect(response.statusCode).toBe(204)
    expect(usernames("smartcity")).toContain("norole")
    expect(app.simulator.faults.list()).toEqual([])
    expect(app.simulator.journal.entries()).toEqual([])
  })

  it("load(seed) replaces the world and becomes what reset() returns to", () => {
    app.simulator.load({ realms: [{ name: "solo", users: [{ username: "only", password: "only-password" }] }] })
    app.simulator.reset()
    expect(app.simulator.snapshot().realms.map((realm) => realm.name)).toEqual(["solo"])
    expect(usernames("solo")).toEqual(["only"])
  })

  it("load() refuses a bad seed with InvalidInput naming the field, changing nothing", () => {
    const before = JSON.stringify(app.simulator.snapshot())
    const attempt = () =>
      app.simulator.load({ realms: [{ name: "solo", users: [{ username: "x!", password: "leaky-password-123" }] }] })
    expect(attempt).toThrow(InvalidInput)
    expect(attempt).toThrow("realms[0].users[0].username: username must be 3 to 255 characters long, got 2")
    expect(JSON.stringify(app.simulator.snapshot())).toBe(before)
  })

  it("POST /_simulator/seed loads a seed, and answers 400 text/plain naming the field for a bad one", async () => {
    const ok = await control("POST", "/seed", { realms: [{ name: "solo" }] })
    expect(ok.statusCode).toBe(204)
    expect(app.simulator.snapshot().realms.map((realm) => realm.name)).toEqual(["solo"])
    const before = JSON.stringify(app.simulator.snapshot())
    const bad = await control("POST", "/seed", {
      realms: [{ name: "solo", users: [{ username: "someone", pasword: "typo-secret-1" }] }]
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.headers["content-type"]).toMatch(/^text\/plain/)
    expect(bad.body).toContain("realms[0].users[0].pasword: is unexpected")
    expect(bad.body).not.toContain("typo-secret-1")
    expect(JSON.stringify(app.simulator.snapshot())).toBe(before)
  })

  it("snapshot() and GET /_simulator/state show the whole state without passwords or secrets", async () => {
    const state = await control("GET", "/state")
    expect(state.statusCode).toBe(200)
    expect(state.json()).toEqual(JSON.parse(JSON.stringify(app.simulator.snapshot())))
    expect(state.body).not.toContain("your_secret")
    expect(state.body).not.toMatch(/"(password|secret)":"/)
    const admin = state.json().realms[0].users.find((user: { username: string }) => user.username === "admin")
    expect(admin.password.fingerprint).toMatch(/^[0-9a-f]{64}$/)
    const client = state.json().realms[0].clients.find((c: { clientId: string }) => c.clientId === "serviceuser")
    expect(client.secretFingerprint).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe("faults", () => {
  it("a fixed status with Retry-After for the next N matching calls, then normal service", async () => {
    const token = await adminToken(app)
    const fault = app.simulator.faults.add({ operation: "getCurrentUser", status: 503, retryAfter: 7, times: 2 })
    expect(fault).toMatchObject({ operation: "getCurrentUser", status: 503, retryAfter: 7, remaining: 2 })
    for (let i = 0; i < 2; i++) {
      const response = await call(app, Catalogue.getCurrentUser, { token })
      expect(response.statusCode).toBe(503)
      expect(response.headers["retry-after"]).toBe("7")
      expect(response.headers["content-type"]).toMatch(/^text\/plain/)
    }
    expect((await call(app, Catalogue.getCurrentUser, { token })).statusCode).toBe(200)
    expect(app.simulator.faults.list()).toEqual([])
  })

  it("a faulted request is not processed: a faulted create creates nothing", async () => {
    const token = await adminToken(app)
    app.simulator.faults.add({ operation: "createUser", status: 500 })
    const response = await expectUnchanged(
      app,
      () => call(app, Catalogue.createUser, { token, params: { realm: "master" }, body: { username: "never" } })
    )
    expect(response.statusCode).toBe(500)
    expect(response.body).toBe("Simulated fault: HTTP 500")
  })

  it("matches by exact path, by path prefix and by method", async () => {
    const token = await adminToken(app)
    app.simulator.faults.add({ path: "/api/master/user/userRealmRoles", status: 502 })
    expect((await call(app, Catalogue.getCurrentUser, { token })).statusCode).toBe(200)
    expect((await call(app, Catalogue.getCurrentUserRealmRoles, { token })).statusCode).toBe(502)
    app.simulator.faults.add({ path: "/api/master/user/*", method: "put", status: 429, retryAfter: 1 })
    expect((await call(app, Catalogue.getCurrentUser, { token })).statusCode).toBe(200)
    const put = await call(app, Catalogue.updateCurrentUserLocale, { token, rawBody: "nl" })
    expect(put.statusCode).toBe(429)
    expect(put.headers["retry-after"]).toBe("1")
  })

  it("applies to token requests, by path or by operation", async () => {
    app.simulator.faults.add({ path: "/auth/realms/master/protocol/openid-connect/token", status: 503 })
    expect(
      (await tokenRequest(app, "master", {
        grant_type: "password",
        client_id: "openremote",
        username: "admin",
        password: "secret"
      })).statusCode
    ).toBe(503)
    app.simulator.faults.add({ operation: "token", malformed: true })
    const malformed = await tokenRequest(app, "master", {
      grant_type: "password",
      client_id: "openremote",
      username: "admin",
      password: "secret"
    })
    expect(malformed.statusCode).toBe(200)
    expect(() => JSON.parse(malformed.body)).toThrow()
  })

  it("a malformed body keeps the success status by default, or takes the given one", async () => {
    const token = await adminToken(app)
    app.simulator.faults.add({ operation: "getCurrentUser", malformed: true })
    const response = await call(app, Catalogue.getCurrentUser, { token })
    expect(response.statusCode).toBe(200)
    expect(response.headers["content-type"]).toMatch(/^application\/json/)
    expect(() => JSON.parse(response.body)).toThrow()
    app.simulator.faults.add({ operation: "getCurrentUser", malformed: true, status: 502 })
    expect((await call(app, Catalogue.getCurrentUser, { token })).statusCode).toBe(502)
  })

  it("a reset connection: the request fails without a response", async () => {
    const token = await adminToken(app)
    app.simulator.faults.add({ operation: "getCurrentUser", reset: true })
    await expect(call(app, Catalogue.getCurrentUser, { token })).rejects.toThrow(
      "connection reset by a simulated fault"
    )
    expect((await call(app, Catalogue.getCurrentUser, { token })).statusCode).toBe(200)
    const entries = app.simulator.journal.entries().filter((entry) => entry.operation === "getCurrentUser")
    expect(entries.map((entry) => [entry.status, entry.fault])).toEqual([[0, ["reset"]], [200, undefined]])
  })

  it("added latency delays the answer, which is otherwise normal", async () => {
    const token = await adminToken(app)
    app.simulator.faults.add({ operation: "getCurrentUser", latencyMs: 20 })
    const response = await call(app, Catalogue.getCurrentUser, { token })
    expect(response.statusCode).toBe(200)
    const entry = app.simulator.journal.entries().find((e) => e.operation === "getCurrentUser")!
    expect(entry.fault).toEqual(["latency"])
  })

  it("never apply to the control plane", async () => {
    app.simulator.faults.add({ status: 503 })
    expect((await control("GET", "/faults")).statusCode).toBe(200)
    expect(
      (await tokenRequest(app, "master", {
        grant_type: "client_credentials",
        client_id: "serviceuser",
        client_secret: "your_secret"
      })).statusCode
    ).toBe(503)
  })

  it("over HTTP: POST (201), GET, DELETE one (204, then 404) and DELETE all", async () => {
    const added = await control("POST", "/faults", { operation: "getUser", status: 500, times: 3 })
    expect(added.statusCode).toBe(201)
    const fault = added.json()
    expect(fault).toMatchObject({ id: expect.any(String), operation: "getUser", status: 500, remaining: 3 })
    expect((await control("GET", "/faults")).json()).toEqual([fault])
    expect((await control("DELETE", `/faults/${fault.id}`)).statusCode).toBe(204)
    expect((await control("DELETE", `/faults/${fault.id}`)).statusCode).toBe(404)
    await control("POST", "/faults", { latencyMs: 1 })
    expect((await control("DELETE", "/faults")).statusCode).toBe(204)
    expect(app.simulator.faults.list()).toEqual([])
  })

  it("refuses a fault that does not validate, naming the field (programmatic and HTTP)", async () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ operation: "getUsr", status: 500 }, "operation: unknown operation \"getUsr\""],
      [{ status: 700 }, "status: a status is an integer from 100 to 599"],
      [{ status: 500, times: 0 }, "times: times is an integer of 1 or more"],
      [{ operation: "getUser" }, "a fault needs status, latencyMs, reset or malformed"],
      [{ reset: true, status: 500 }, "reset: a reset connection has no status and no body"],
      [{ retryAfter: 3, latencyMs: 10 }, "retryAfter: retryAfter needs a status"],
      [{ path: "api/master", status: 500 }, "path: a path starts with \"/\""],
      [{ status: 500, colour: "red" }, "colour: is unexpected"]
    ]
    for (const [input, message] of cases) {
      expect(() => app.simulator.faults.add(input as never)).toThrow(InvalidInput)
      expect(() => app.simulator.faults.add(input as never)).toThrow(message)
      const response = await control("POST", "/faults", input)
      expect(response.statusCode).toBe(400)
      expect(response.body).toContain(message)
    }
    expect(app.simulator.faults.list()).toEqual([])
  })
})

describe("clock", () => {
  it("now() and advance(ms), programmatic and over HTTP; tokens expire without waiting", async () => {
    const token = await adminToken(app)
    const start = app.simulator.clock.now()
    expect((await control("GET", "/clock")).json()).toEqual({ now: start })
    const advanced = await control("POST", "/clock/advance", { ms: 61_000 })
    expect(advanced.json()).toEqual({ now: start + 61_000 })
    expect(app.simulator.clock.advance(1_000)).toBe(start + 62_000)
    expect((await call(app, Catalogue.getCurrentUser, { token })).statusCode).toBe(401)
  })

  it("refuses a negative or non-numeric step", async () => {
    expect(() => app.simulator.clock.advance(-1)).toThrow(InvalidInput)
    for (const body of [{ ms: -5 }, { ms: "soon" }, {}]) {
      const response = await control("POST", "/clock/advance", body)
      expect(response.statusCode, JSON.stringify(body)).toBe(400)
      expect(response.body).toMatch(/^ms/)
    }
  })
})

describe("journal", () => {
  it("records every API and token request: time, method, path, operation, caller, status, duration", async () => {
    const token = await adminToken(app)
    await call(app, Catalogue.getUser, { token, params: { realm: "smartcity", userId: "ghost" } })
    await call(app, Catalogue.getCurrentUser, {})
    await app.inject("/api/master/nothing/here?client_secret=leak")
    await control("GET", "/state")
    const entries = app.simulator.journal.entries()
    expect(entries.map((entry) => entry.operation)).toEqual(["token", "getUser", "getCurrentUser", null])
    const [tokenEntry, getUser, anonymous, unknown] = entries
    const admin = { realm: "master", id: userId(app, "master", "admin"), username: "admin" }
    expect(tokenEntry).toMatchObject({
      method: "POST",
      path: "/auth/realms/master/protocol/openid-connect/token",
      grantType: "password",
      caller: admin,
      status: 200,
      time: app.simulator.clock.now()
    })
    expect(getUser).toMatchObject({
      method: "GET",
      path: "/api/master/user/smartcity/ghost",
      caller: admin,
      status: 405
    })
    // Measured by the simulator itself: fastify's reply.elapsedTime stays 0 without a logger.
    expect(getUser!.durationMs).toBeGreaterThan(0)
    expect(anonymous).toMatchObject({ caller: null, status: 403 })
    expect(unknown).toMatchObject({ path: "/api/master/nothing/here", status: 404 })
    expect(entries[0]!.id).toBeLessThan(entries[1]!.id)
  })

  it("journals how long an answer took, a latency fault included", async () => {
    const token = await adminToken(app)
    app.simulator.faults.add({ operation: "getCurrentUser", latencyMs: 60, times: 1 })
    await call(app, Catalogue.getCurrentUser, { token })
    const [entry] = app.simulator.journal.entries().filter((e) => e.operation === "getCurrentUser")
    expect(entry).toMatchObject({ status: 200, fault: ["latency"] })
    expect(entry!.durationMs).toBeGreaterThanOrEqual(55)
  })

  it("never holds a token, password, secret or query string", async () => {
    const token = await adminToken(app)
    const service = await serviceToken(app)
    await call(app, Catalogue.getCurrentUser, { token })
    await tokenRequest(app, "master", {
      grant_type: "password",
      client_id: "openremote",
      username: "admin",
      password: "wrong-password-77"
    })
    await app.inject({
      method: "GET",
      url: "/api/master/user/user?access_token=abc",
      headers: { authorization: `Bearer ${service}` }
    })
    await call(app, Catalogue.updateOwnPassword, { token, body: { value: "new-password-88" } })
    const text = JSON.stringify(app.simulator.journal.entries())
    for (const secret of [token, service, "wrong-password-77", "new-password-88", "your_secret", "access_token"]) {
      expect(text).not.toContain(secret)
    }
    expect((await control("GET", "/journal")).json()).toEqual(JSON.parse(text))
  })

  it("is cleared by clear() and DELETE /_simulator/journal", async () => {
    await call(app, Catalogue.getCurrentUser, {})
    app.simulator.journal.clear()
    expect(app.simulator.journal.entries()).toEqual([])
    await call(app, Catalogue.getCurrentUser, {})
    expect((await control("DELETE", "/journal")).statusCode).toBe(204)
    expect((await control("GET", "/journal")).json()).toEqual([])
  })
})

describe("sessions", () => {
  it("open, list (filtered) and close, programmatic and over HTTP", async () => {
    const id = userId(app, "smartcity", "smartcity")
    const opened = await control("POST", "/sessions", { realm: "smartcity", userId: id })
    expect(opened.statusCode).toBe(201)
    const session = opened.json()
    expect(session).toMatchObject({
      realm: "smartcity",
      userId: id,
      username: "smartcity",
      startTimeMillis: app.simulator.clock.now(),
      remoteAddress: expect.stringMatching(/^\/127\.0\.0\.1:\d+$/)
    })
    const other = app.simulator.sessions.open({ realm: "master", userId: userId(app, "master", "admin") })
    expect(app.simulator.sessions.list()).toHaveLength(2)
    expect((await control("GET", `/sessions?realm=smartcity`)).json()).toEqual([session])
    expect(app.simulator.sessions.list({ userId: other.userId })).toEqual([other])
    expect((await control("DELETE", `/sessions/${session.id}`)).statusCode).toBe(204)
    expect((await control("DELETE", `/sessions/${session.id}`)).statusCode).toBe(404)
    expect(app.simulator.sessions.close(other.id)).toBe(true)
    expect(app.simulator.sessions.close(other.id)).toBe(false)
  })

  it("refuses an unknown realm or user (404) and a disabled user (400)", async () => {
    expect(() => app.simulator.sessions.open({ realm: "atlantis", userId: "x" })).toThrow(NotFound)
    expect((await control("POST", "/sessions", { realm: "smartcity", userId: "ghost" })).statusCode).toBe(404)
    expect((await control("POST", "/sessions", { realm: "smartcity" })).statusCode).toBe(400)
    app.simulator.load({ realms: [{ name: "solo", users: [{ id: "u-off", username: "sleeper", enabled: false }] }] })
    const disabled = await control("POST", "/sessions", { realm: "solo", userId: "u-off" })
    expect(disabled.statusCode).toBe(400)
    expect(disabled.body).toBe("userId: the user is disabled")
  })
})

describe("mail", () => {
  it("configure a realm's mail server (PUT), remove it (null), read and clear the outbox", async () => {
    const put = await control("PUT", "/mail/smartcity", { host: "smtp.example", port: 2525, from: "city@example" })
    expect(put.statusCode).toBe(204)
    const mailme = await (await import("./helpers.js")).passwordToken(app, {
      realm: "smartcity",
      username: "mailme",
      password: "mailme"
    })
    expectStatus(
      await call(app, Catalogue.requestPasswordReset, { token: mailme, requestRealm: "smartcity" }),
      Catalogue.requestPasswordReset,
      204
    )
    const outbox = await control("GET", "/mail/outbox?realm=smartcity")
    expect(outbox.json()).toMatchObject([{
      to: "mailme@smartcity.example",
      from: "city@example",
      actions: ["UPDATE_PASSWORD"]
    }])
    expect((await control("GET", "/mail/outbox?realm=master")).json()).toEqual([])
    expect((await control("DELETE", "/mail/outbox")).statusCode).toBe(204)
    expect(app.simulator.mail.outbox()).toEqual([])
    expect((await control("PUT", "/mail/smartcity", null)).statusCode).toBe(204)
    expect(app.simulator.snapshot().realms[1]!.mailServer).toBeNull()
    expectStatus(
      await call(app, Catalogue.requestPasswordReset, { token: mailme, requestRealm: "smartcity" }),
      Catalogue.requestPasswordReset,
      500
    )
  })

  it("refuses a bad server (400 naming the field) and an unknown realm (404)", async () => {
    const bad = await control("PUT", "/mail/smartcity", { host: "smtp.example", port: 70000 })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toBe("port: a port is an integer from 1 to 65535")
    expect((await control("PUT", "/mail/atlantis", { host: "smtp.example", port: 25 })).statusCode).toBe(404)
    expect(() => app.simulator.mail.configure("atlantis", null)).toThrow(NotFound)
    expect((await control("PUT", "/mail/smartcity")).statusCode).toBe(400)
  })

  it("a mail server from the seed", async () => {
    app.simulator.load({
      realms: [{
        name: "mailed",
        mailServer: { host: "smtp.mailed", port: 25 },
        users: [{
          username: "writer",
          password: "writer",
          email: "w@mailed",
          clientRoles: { openremote: ["write:user"] }
        }]
      }]
    })
    const token = await (await import("./helpers.js")).passwordToken(app, {
      realm: "mailed",
      username: "writer",
      password: "writer"
    })
    expectStatus(
      await call(app, Catalogue.requestPasswordReset, { token, requestRealm: "mailed" }),
      Catalogue.requestPasswordReset,
      204
    )
  })
})

describe("control: false", () => {
  it("serves no control plane (404), while the programmatic one still works", async () => {
    const quiet = makeApp({ control: false })
    try {
      expect((await control("GET", "/state", undefined, quiet)).statusCode).toBe(404)
      expect((await control("POST", "/reset", undefined, quiet)).statusCode).toBe(404)
      expect(quiet.simulator.snapshot().realms.map((realm) => realm.name)).toEqual(
        Seed.defaultSeed.realms.map((realm) => realm.name)
      )
    } finally {
      await quiet.close()
    }
  })
})
