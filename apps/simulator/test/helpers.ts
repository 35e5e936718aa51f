import { expect } from "@effect/vitest"
import { Catalogue, Operation, StandardRoles } from "@openremote-effect/model"
import * as Either from "effect/Either"
import type { FastifyInstance, LightMyRequestResponse } from "fastify"
import * as Clock from "../src/Clock.js"
import * as Seed from "../src/Seed.js"
import type { SimulatorOptions } from "../src/Simulator.js"
import { buildSimulator } from "../src/Simulator.js"
import * as Tokens from "../src/Tokens.js"

/** One key pair per test file: key generation is the slow part of building a simulator. */
export const keyPair = Tokens.generateKeyPair()

/** The simulator's time in tests: a fixed clock, moved only by `control.clock.advance`. */
export const T0 = 1_800_000_000_000

export const makeApp = (options: SimulatorOptions = {}): FastifyInstance =>
  buildSimulator({ clock: Clock.fixed(T0), keyPair, ...options })

export const form = (fields: Readonly<Record<string, string>>) => new URLSearchParams(fields).toString()

export const tokenRequest = (
  app: FastifyInstance,
  realm: string,
  fields: Readonly<Record<string, string>>,
  headers: Readonly<Record<string, string>> = {}
) =>
  app.inject({
    method: "POST",
    url: `/auth/realms/${realm}/protocol/openid-connect/token`,
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    payload: form(fields)
  })

export const passwordToken = async (
  app: FastifyInstance,
  options: { readonly realm?: string; readonly username: string; readonly password: string; readonly clientId?: string }
): Promise<string> => {
  const response = await tokenRequest(app, options.realm ?? "master", {
    grant_type: "password",
    client_id: options.clientId ?? "openremote",
    username: options.username,
    password: options.password
  })
  expect(response.statusCode, response.body).toBe(200)
  return response.json().access_token
}

export const clientToken = async (
  app: FastifyInstance,
  options: { readonly realm?: string; readonly clientId: string; readonly secret: string }
): Promise<string> => {
  const response = await tokenRequest(app, options.realm ?? "master", {
    grant_type: "client_credentials",
    client_id: options.clientId,
    client_secret: options.secret
  })
  expect(response.statusCode, response.body).toBe(200)
  return response.json().access_token
}

export const adminToken = (app: FastifyInstance) => passwordToken(app, { username: "admin", password: "secret" })
export const serviceToken = (app: FastifyInstance) =>
  clientToken(app, { clientId: "serviceuser", secret: "your_secret" })
export const smartcityToken = (app: FastifyInstance) =>
  passwordToken(app, { realm: "smartcity", username: "smartcity", password: "smartcity" })

export interface CallOptions {
  /** The request realm (after `/api/`); master by default. */
  readonly requestRealm?: string
  readonly params?: Readonly<Record<string, string>>
  readonly token?: string | undefined
  readonly body?: unknown
  readonly rawBody?: string
  readonly contentType?: string
  readonly headers?: Readonly<Record<string, string>>
}

/** The URL of an operation, built from the catalogue (never written by hand). */
export const urlOf = (operation: Operation.Any, requestRealm: string, params: Readonly<Record<string, string>>) => {
  const formatted = Operation.formatPath(operation.path, params as never)
  if (Either.isLeft(formatted)) throw new Error(`bad parameter ${formatted.left.parameter}: ${formatted.left.reason}`)
  return `/api/${encodeURIComponent(requestRealm)}${formatted.right}`
}

/** Calls an operation through `inject`. */
export const call = (app: FastifyInstance, operation: Operation.Any, options: CallOptions = {}) => {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  let payload: string | undefined
  if (options.rawBody !== undefined) {
    payload = options.rawBody
    headers["content-type"] = options.contentType ?? "application/json"
  } else if (options.body !== undefined) {
    payload = JSON.stringify(options.body)
    headers["content-type"] = options.contentType ?? "application/json"
  }
  return app.inject({
    method: operation.method,
    url: urlOf(operation, options.requestRealm ?? "master", options.params ?? {}),
    headers,
    ...(payload === undefined ? {} : { payload })
  })
}

/** Asserts the response status, that it is one the catalogue lists for the operation, and returns the response. */
export const expectStatus = (
  response: LightMyRequestResponse,
  operation: Operation.Any,
  status: number
): LightMyRequestResponse => {
  expect(response.statusCode, `${operation.name}: ${response.body}`).toBe(status)
  expect(Object.keys(operation.responses), `${operation.name} lists ${status}`).toContain(String(status))
  return response
}

/** Runs `action` and asserts it left the whole state (snapshot) exactly as it was. */
export const expectUnchanged = async <A>(app: FastifyInstance, action: () => Promise<A>): Promise<A> => {
  const before = JSON.stringify(app.simulator.snapshot())
  const result = await action()
  expect(JSON.stringify(app.simulator.snapshot())).toBe(before)
  return result
}

/** Calls an operation that must be refused with `status`, leaving the state unchanged. */
export const rejects = (
  app: FastifyInstance,
  operation: Operation.Any,
  status: number,
  options: CallOptions = {}
): Promise<LightMyRequestResponse> =>
  expectUnchanged(app, async () => expectStatus(await call(app, operation, options), operation, status))

/** The id of a user of the current state. */
export const userId = (app: FastifyInstance, realm: string, username: string): string => {
  const user = app.simulator.snapshot().realms.find((r) => r.name === realm)?.users.find((u) => u.username === username)
  if (user === undefined) throw new Error(`no user ${username} in ${realm}`)
  return user.id
}

export { Catalogue }

/**
 * The default world plus, in smartcity: `cityadmin` (the `openremote` roles read:admin, write:admin,
 * write:user: a realm admin, not a super user), `cityrealmadmin` (a realm role named write:admin, which
 * passes annotation checks but not the checks in code), `norole` (no roles at all) and `mailme` (an email
 * address, the regular roles).
 */
export const testSeed = {
  realms: [
    Seed.defaultSeed.realms[0]!,
    {
      name: "smartcity",
      realmRoles: [{ name: "write:admin", description: "a realm role named like the client role" }],
      users: [
        ...Seed.defaultSeed.realms[1]!.users!,
        {
          username: "cityadmin",
          password: "cityadmin",
          clientRoles: { openremote: ["read:admin", "write:admin", "write:user", "read:users"] }
        },
        {
          username: "cityrealmadmin",
          password: "cityrealmadmin",
          realmRoles: ["write:admin"],
          clientRoles: { openremote: ["read:users"] }
        },
        { username: "norole", password: "norole" },
        {
          username: "mailme",
          password: "mailme",
          email: "mailme@smartcity.example",
          clientRoles: { openremote: [...StandardRoles.regularUserRoles] }
        }
      ]
    }
  ]
}

export const cityadminToken = (app: FastifyInstance) =>
  passwordToken(app, { realm: "smartcity", username: "cityadmin", password: "cityadmin" })
export const cityrealmadminToken = (app: FastifyInstance) =>
  passwordToken(app, { realm: "smartcity", username: "cityrealmadmin", password: "cityrealmadmin" })
export const noroleToken = (app: FastifyInstance) =>
  passwordToken(app, { realm: "smartcity", username: "norole", password: "norole" })
