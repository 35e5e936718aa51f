/**
 * Sample arguments, wire bodies and replies for every operation of the catalogue.
 */
import { expect } from "@effect/vitest"
import type { Catalogue, Operation } from "@openremote-effect/model"
import * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { readFileSync } from "node:fs"
import type * as OpenRemoteError from "../../src/OpenRemoteError.js"
import type * as UserApi from "../../src/UserApi.js"
import { empty, json, text } from "./mock.js"

const seed = readFileSync(new URL("../../../../reference/seed/UserApi.md", import.meta.url), "utf8")
const camelCase = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** The seed's table of operations: name → method and path template. */
export const seedTable = new Map(
  Array.from(
    seed.matchAll(/^\[\*\*(\w+)\*\*\]\(UserApi\.md#\w+\) \| \*\*(\w+)\*\* (\S+) \|/gm),
    ([, name, method, path]) => [camelCase(name!), { method: method!, path: path! }] as const
  )
)

// Path parameter values that need percent-encoding.
export const realm = "smart city/ü"
export const userId = "a/b?c#d%e"
export const clientId = "client ../x"
export const sessionID = "sess?1&2"

export const userJson = {
  id: "u1",
  username: "bob",
  realm,
  enabled: true,
  createdOn: 1700000000000,
  serviceAccount: false,
  unknownField: "ignored",
  email: null
}

export const checkUser = (user: Operation.Success<typeof Catalogue.getUser>) => {
  expect(user.id).toBe("u1")
  expect(user.username).toBe("bob")
  expect(user.createdOn && DateTime.toEpochMillis(user.createdOn)).toBe(1700000000000)
  expect(user).not.toHaveProperty("email")
  expect(user).not.toHaveProperty("unknownField")
}

const userBody = {
  username: "bob",
  enabled: true,
  createdOn: DateTime.unsafeMake(1700000000000),
  attributes: { locale: ["nl"] },
  secret: Redacted.make("user-secret")
}
const userBodyJson = {
  username: "bob",
  enabled: true,
  createdOn: 1700000000000,
  attributes: { locale: ["nl"] },
  secret: "user-secret"
}

export interface Sample<K extends Catalogue.OperationName> {
  /** Without the forwarded headers; the walk sends it once without and once with them. */
  readonly args: UserApi.Arguments<Catalogue.Operations[K]>
  /** The JSON body expected on the wire (`undefined`: no body). */
  readonly body?: unknown
  readonly reply: () => Response
  readonly check: (result: Operation.Success<Catalogue.Operations[K]>) => void
}

const none = () => empty(204)
const isVoid = (result: void) => expect(result).toBeUndefined()

export const samples: { readonly [K in Catalogue.OperationName]: Sample<K> } = {
  createUser: {
    args: { realm, user: userBody },
    body: userBodyJson,
    reply: () => json(userJson),
    check: checkUser
  },
  deleteUser: { args: { realm, userId }, reply: none, check: isVoid },
  disconnectUserSession: { args: { realm, sessionID }, reply: none, check: isVoid },
  getClientRoles: {
    args: { realm, clientId },
    reply: () => json([{ id: "r1", name: "read", composite: true, compositeRoleIds: ["r2"] }]),
    check: (roles) => expect(roles).toEqual([{ id: "r1", name: "read", composite: true, compositeRoleIds: ["r2"] }])
  },
  getCurrentUser: { args: {}, reply: () => json(userJson), check: checkUser },
  getCurrentUserClientRoles: {
    args: { clientId },
    reply: () => json(["read:map", "write:user"]),
    check: (roles) => expect(roles).toEqual(["read:map", "write:user"])
  },
  getCurrentUserRealmRoles: {
    args: {},
    reply: () => json(["restricted_user"]),
    check: (roles) => expect(roles).toEqual(["restricted_user"])
  },
  getUser: { args: { realm, userId }, reply: () => json(userJson), check: checkUser },
  getUserClientRoles: {
    args: { realm, userId, clientId },
    reply: () => json(["read:assets"]),
    check: (roles) => expect(roles).toEqual(["read:assets"])
  },
  getUserRealmRoles: {
    args: { realm, userId },
    reply: () => json([]),
    check: (roles) => expect(roles).toEqual([])
  },
  getUserSessions: {
    args: { realm, userId },
    reply: () =>
      json([{ ID: "c1", username: "bob", startTimeMillis: 1700000000000, remoteAddress: "/127.0.0.1:51234" }]),
    check: (sessions) =>
      expect(sessions).toEqual([
        { id: "c1", username: "bob", startTimeMillis: 1700000000000, remoteAddress: "/127.0.0.1:51234" }
      ])
  },
  queryUsers: {
    args: {
      query: {
        usernames: [{ value: "bob", match: "BEGIN" }],
        attributes: [{ name: { value: "locale" }, value: { value: "nl", caseSensitive: false } }],
        realmRoles: [{ value: "admin", negate: true }],
        orderBy: { property: "USERNAME", descending: true },
        limit: 5
      }
    },
    body: {
      usernames: [{ predicateType: "string", value: "bob", match: "BEGIN" }],
      attributes: [{
        name: { predicateType: "string", value: "locale" },
        value: { predicateType: "string", value: "nl", caseSensitive: false }
      }],
      realmRoles: [{ predicateType: "string", value: "admin", negate: true }],
      orderBy: { property: "USERNAME", descending: true },
      limit: 5
    },
    reply: () => json([userJson]),
    check: (users) => {
      expect(users).toHaveLength(1)
      checkUser(users[0]!)
    }
  },
  requestPasswordReset: { args: {}, reply: none, check: isVoid },
  requestUserPasswordReset: { args: { realm, userId }, reply: none, check: isVoid },
  resetSecret: {
    args: { realm, userId },
    reply: () => text("Zx9rawSecretWithoutQuotes", 200),
    check: (secret) => {
      expect(Redacted.isRedacted(secret)).toBe(true)
      expect(Redacted.value(secret)).toBe("Zx9rawSecretWithoutQuotes")
    }
  },
  updateClientRoles: {
    args: { realm, clientId, roles: [{ name: "custom", description: "d", compositeRoleIds: ["r1"] }] },
    body: [{ name: "custom", description: "d", compositeRoleIds: ["r1"] }],
    reply: none,
    check: isVoid
  },
  updateCurrentUserLocale: { args: { locale: "nl" }, body: "nl", reply: none, check: isVoid },
  updateOwnPassword: {
    args: { credential: { type: "password", value: Redacted.make("n3w-pass"), temporary: false } },
    body: { type: "password", value: "n3w-pass", temporary: false },
    reply: none,
    check: isVoid
  },
  updatePassword: {
    args: { realm, userId, credential: { value: Redacted.make("n3w-pass"), temporary: true } },
    body: { value: "n3w-pass", temporary: true },
    reply: none,
    check: isVoid
  },
  updateRoles: {
    args: { realm, roles: [{ id: "r1", name: "read" }] },
    body: [{ id: "r1", name: "read" }],
    reply: none,
    check: isVoid
  },
  updateSelf: { args: { user: userBody }, body: userBodyJson, reply: () => json(userJson), check: checkUser },
  updateUser: { args: { realm, user: userBody }, body: userBodyJson, reply: () => json(userJson), check: checkUser },
  updateUserClientRoles: {
    args: { realm, userId, clientId, roles: ["read:map", "write:user"] },
    body: ["read:map", "write:user"],
    reply: none,
    check: isVoid
  },
  updateUserRealmRoles: {
    args: { realm, userId, roles: ["restricted_user"] },
    body: ["restricted_user"],
    reply: none,
    check: isVoid
  }
}

export type AnyMethod = (args: unknown) => Effect.Effect<unknown, OpenRemoteError.OpenRemoteError>
export const call = (api: UserApi.Service, name: Catalogue.OperationName, args: unknown) =>
  (api[name] as AnyMethod)(args)

export const expectedPath = (name: Catalogue.OperationName, args: unknown) =>
  "/api/master" +
  seedTable.get(name)!.path.replace(/\{(\w+)\}/g, (_, parameter: string) =>
    encodeURIComponent(String((args as Record<string, unknown>)[parameter])))
