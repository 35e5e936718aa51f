import { Simulator } from "@openremote-effect/simulator"
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest"

let simulator: Simulator.RunningSimulator

beforeAll(async () => {
  simulator = await Simulator.startSimulator({ port: 0 }) // a free port; Keycloak under `${simulator.url}/auth`
})
afterAll(() => simulator.close())
beforeEach(() => simulator.control.reset()) // every test starts from the seed, with no faults

/** A token of the default service user, fetched as any OAuth client (your code under test) would. */
const token = async () => {
  const response = await fetch(`${simulator.keycloakUrl}/realms/master/protocol/openid-connect/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: "serviceuser",
      client_secret: "your_secret"
    })
  })
  return ((await response.json()) as { access_token: string }).access_token
}

const getCurrentUser = (accessToken: string) =>
  fetch(`${simulator.url}/api/master/user/user`, { headers: { authorization: `Bearer ${accessToken}` } })

it("answers an injected 503 with Retry-After once, then serves again", async () => {
  simulator.control.faults.add({ operation: "getCurrentUser", status: 503, retryAfter: 1 })
  const accessToken = await token()
  const refused = await getCurrentUser(accessToken)
  expect(refused.status).toBe(503)
  expect(refused.headers.get("retry-after")).toBe("1")
  expect((await getCurrentUser(accessToken)).status).toBe(200)
  const calls = simulator.control.journal.entries().filter((entry) => entry.operation === "getCurrentUser")
  expect(calls.map((entry) => entry.status)).toEqual([503, 200])
})

it("expires a token when its clock is moved, without waiting", async () => {
  const accessToken = await token()
  expect((await getCurrentUser(accessToken)).status).toBe(200)
  simulator.control.clock.advance(61_000) // past the 60 s token lifespan
  expect((await getCurrentUser(accessToken)).status).toBe(401)
})
