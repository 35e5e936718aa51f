import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as jose from "jose"
import * as net from "node:net"
import * as Clock from "../src/Clock.js"
import type { RunningSimulator } from "../src/Simulator.js"
import { startSimulator } from "../src/Simulator.js"
import { keyPair, T0 } from "./helpers.js"

/** A port that was free a moment ago. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

let simulator: RunningSimulator
let authPort: number

beforeAll(async () => {
  authPort = await freePort()
  simulator = await startSimulator({ port: 0, authPort, keyPair, clock: Clock.fixed(T0) })
})
afterAll(() => simulator.close())

const token = async (keycloakUrl: string) => {
  const response = await fetch(`${keycloakUrl}/realms/master/protocol/openid-connect/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: "serviceuser",
      client_secret: "your_secret"
    })
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { access_token: string }).access_token
}

describe("startSimulator over real ports", () => {
  it("gives the API origin and the public Keycloak URL on the auth port", () => {
    expect(simulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(simulator.keycloakUrl).toBe(`http://127.0.0.1:${authPort}/auth`)
  })

  it("issues tokens on both ports with the public Keycloak URL as issuer, and the API accepts both", async () => {
    for (const keycloakUrl of [simulator.keycloakUrl, `${simulator.url}/auth`]) {
      const access = await token(keycloakUrl)
      expect(jose.decodeJwt(access).iss).toBe(`${simulator.keycloakUrl}/realms/master`)
      const response = await fetch(`${simulator.url}/api/master/user/user`, {
        headers: { authorization: `Bearer ${access}` }
      })
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({ username: "serviceuser", serviceAccount: true })
    }
  })

  it("serves only /auth on the auth port", async () => {
    const response = await fetch(`http://127.0.0.1:${authPort}/api/master/user/user`)
    expect(response.status).toBe(404)
    expect(await response.text()).toContain("Keycloak endpoints under /auth only")
  })

  it("resets the connection for a reset fault, and keeps serving", async () => {
    simulator.control.faults.add({ operation: "getCurrentUser", reset: true })
    await expect(fetch(`${simulator.url}/api/master/user/user`)).rejects.toThrow()
    expect((await fetch(`${simulator.url}/api/master/user/user`)).status).toBe(403)
  })

  it("processes a delayed request at once: a client that gives up waiting still created the user", async () => {
    const access = await token(simulator.keycloakUrl)
    simulator.control.journal.clear()
    simulator.control.faults.add({ operation: "createUser", latencyMs: 600 })
    await expect(fetch(`${simulator.url}/api/master/user/smartcity/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${access}`, "content-type": "application/json" },
      body: JSON.stringify({ username: "impatient" }),
      signal: AbortSignal.timeout(200)
    })).rejects.toThrow()
    // Journaled when the late answer is ready, although nobody is listening any more.
    const created = () => simulator.control.journal.entries().filter((entry) => entry.operation === "createUser")
    for (let i = 0; i < 40 && created().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50))
    expect(created().map((entry) => [entry.status, entry.fault])).toEqual([[200, ["latency"]]])
    const stored = simulator.control.snapshot().realms.find((realm) => realm.name === "smartcity")!.users
    expect(stored.map((user) => user.username)).toContain("impatient")
  })

  it.each([
    ["a request target Node's parser refuses", "GET /api/master/user/\u00ff HTTP/1.1\r\nHost: x\r\n\r\n", "400"],
    ["the same as HEAD", "HEAD /api/master/user/\u00ff HTTP/1.1\r\nHost: x\r\n\r\n", "400"],
    [
      "headers over 16 KiB",
      `GET /api/master/user/user HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
      "431"
    ]
  ])("answers %s with the status and no (JSON) body", async (_, request, status) => {
    const { port } = new URL(simulator.url)
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), "127.0.0.1", () => socket.end(Buffer.from(request, "latin1")))
      let received = ""
      socket.on("data", (chunk) => received += chunk.toString("latin1"))
      socket.on("close", () => resolve(received))
      socket.on("error", reject)
    })
    const [head, body] = answer.split("\r\n\r\n")
    expect(head!.split("\r\n")[0]).toBe(
      `HTTP/1.1 ${status} ${status === "400" ? "Bad Request" : "Request Header Fields Too Large"}`
    )
    expect(head).toContain("Content-Length: 0")
    expect(body).toBe("")
    expect((await fetch(`${simulator.url}/api/master/user/user`)).status).toBe(403)
  })

  it("answers the control plane over HTTP", async () => {
    const response = await fetch(`${simulator.url}/_simulator/clock`)
    expect(await response.json()).toEqual({ now: T0 })
  })

  it("stops listening on both ports once closed", async () => {
    const other = await startSimulator({ keyPair, authPort: await freePort() })
    const url = other.url
    const keycloakUrl = other.keycloakUrl
    await other.close()
    await expect(fetch(`${url}/api/master/openapi.json`)).rejects.toThrow()
    await expect(fetch(`${keycloakUrl}/realms/master/.well-known/openid-configuration`)).rejects.toThrow()
  })

  it("refuses a bad port with InvalidInput, and a port in use with the listen error", async () => {
    await expect(startSimulator({ port: 70_000 })).rejects.toThrow("port: must be a port from 0 to 65535, got 70000")
    const busy = Number(new URL(simulator.url).port)
    await expect(startSimulator({ keyPair, port: busy })).rejects.toThrow(/EADDRINUSE/)
  })
})

/**
 * Sends a request with a `Content-Length` of `length` bytes but only `first` of them, then reports what the
 * server sent within `waitMs`; `rest()` sends the remaining bytes and resolves with everything the server sent
 * until it closed the connection.
 */
const partialUpload = async (url: string, headers: Record<string, string>, length: number, first: number) => {
  const target = new URL(url)
  const socket = net.connect(Number(target.port), target.hostname)
  const received: Array<Buffer> = []
  socket.on("data", (chunk: Buffer) => received.push(chunk))
  const closed = new Promise<string>((resolve) => socket.on("close", () => resolve(Buffer.concat(received).toString())))
  const head = [
    `POST ${target.pathname} HTTP/1.1`,
    `Host: ${target.host}`,
    "Content-Type: application/json",
    `Content-Length: ${length}`,
    "Connection: close",
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)
  ].join("\r\n")
  socket.write(`${head}\r\n\r\n`)
  socket.write("x".repeat(first))
  await new Promise((resolve) => setTimeout(resolve, 300))
  return {
    early: Buffer.concat(received).toString(),
    rest: () => {
      socket.end("x".repeat(length - first))
      return closed
    }
  }
}

describe("a body over the limit, over a real socket", () => {
  it("is read to its end before the 413 is sent, so a client still sending can read the answer", async () => {
    const access = await token(simulator.keycloakUrl)
    const targets: ReadonlyArray<readonly [string, Record<string, string>]> = [
      [`${simulator.url}/api/master/user/query`, { authorization: `Bearer ${access}` }],
      [`${simulator.keycloakUrl}/realms/master/protocol/openid-connect/token`, {}],
      [`${simulator.url}/_simulator/faults`, {}]
    ]
    const length = 2 * 1024 * 1024
    for (const [url, headers] of targets) {
      const upload = await partialUpload(url, headers, length, 64 * 1024)
      // fastify alone answers here and closes: a client still writing then meets EPIPE or a reset.
      expect(upload.early, url).toBe("")
      const answer = await upload.rest()
      expect(answer, url).toMatch(/^HTTP\/1\.1 413 /)
    }
  })

  it("a declared length over 16 MiB is answered at once, without reading the body", async () => {
    const upload = await partialUpload(`${simulator.url}/_simulator/faults`, {}, 17 * 1024 * 1024, 1024)
    expect(upload.early).toMatch(/^HTTP\/1\.1 413 /)
    await upload.rest()
  })
})
