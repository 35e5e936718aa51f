import { describe, expect, it } from "@effect/vitest"
import type { Role } from "@openremote-effect/model"
import { StandardRoles } from "@openremote-effect/model"
import * as Either from "effect/Either"
import * as Seed from "../src/Seed.js"
import { buildSimulator } from "../src/Simulator.js"
import { InvalidInput } from "../src/SimulatorError.js"
import { Store } from "../src/Store.js"
import { keyPair, T0 } from "./helpers.js"

const problem = (input: unknown): string => {
  const decoded = Seed.decode(input)
  if (Either.isRight(decoded)) throw new Error("expected the seed to be refused")
  expect(decoded.left).toBeInstanceOf(InvalidInput)
  return decoded.left.message
}

const realm = (users: ReadonlyArray<unknown>, extra: Record<string, unknown> = {}) => ({
  realms: [{ name: "r", users, ...extra }]
})

describe("Seed.decode", () => {
  it("accepts the default world", () => {
    expect(Either.isRight(Seed.decode(Seed.defaultSeed))).toBe(true)
  })

  it("names the bad field of every kind of mistake", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ realms: [{ name: "a" }, { name: "a" }] }, "realms[1].name: duplicate realm \"a\""],
      [{ realms: [{ name: "bad realm" }] }, "realms[0].name: a realm name has 1 to 255 letters"],
      [
        realm([{ username: "ok-user" }, { username: "OK-USER" }]),
        "realms[0].users[1].username: duplicate username \"ok-user\""
      ],
      [realm([{ username: "openremoteuser!" }]), "realms[0].users[0].username: username may not contain \"!\""],
      [realm([{ username: "service-account-" }]), "realms[0].users[0].username: a service user needs a name"],
      [
        realm([{ username: "someone", realmRoles: ["superhero"] }]),
        "realms[0].users[0].realmRoles[0]: unknown realm role \"superhero\""
      ],
      [
        realm([{ username: "someone", clientRoles: { openremote: ["read:map", "raed:map"] } }]),
        "realms[0].users[0].clientRoles.openremote[1]: unknown role \"raed:map\" of client \"openremote\""
      ],
      [
        realm([{ username: "someone", clientRoles: { nowhere: [] } }]),
        "realms[0].users[0].clientRoles.nowhere: unknown client \"nowhere\""
      ],
      [
        realm([{ username: "someone", secret: "s3cret-value" }]),
        "realms[0].users[0].secret: only a service user has a secret"
      ],
      [
        realm([{ username: "bot", serviceAccount: true, password: "pw-value-1" }]),
        "realms[0].users[0].password: a service user has a secret, not a password"
      ],
      [
        realm([{ username: "openremote", serviceAccount: true }]),
        "realms[0].users[0].username: realm \"r\" already has a client \"openremote\""
      ],
      [realm([{ username: "someone", pasword: "typo-value" }]), "realms[0].users[0].pasword: is unexpected"],
      [realm([{ username: "someone", enabled: "yes" }]), "realms[0].users[0].enabled: Expected boolean"],
      [
        realm([], { mailServer: { host: "smtp", port: 0 } }),
        "realms[0].mailServer.port: a port is an integer from 1 to 65535"
      ],
      [
        realm([], { realmRoles: [{ name: "restricted_user" }] }),
        "realms[0].realmRoles[0].name: realm \"r\" already has a role \"restricted_user\""
      ],
      [
        realm([], { openremoteRoles: [{ name: "ops", composites: ["nope"] }] }),
        "realms[0].openremoteRoles[0].composites[0]: unknown role \"nope\" of client \"openremote\""
      ],
      [
        realm([], { clients: [{ clientId: "openremote" }] }),
        "realms[0].clients[0].clientId: realm \"r\" already has a client \"openremote\""
      ],
      [{
        realms: [{ name: "a", users: [{ id: "same", username: "one" }] }, {
          name: "b",
          users: [{ id: "same", username: "two" }]
        }]
      }, "realms[1].users[0].id: duplicate user id \"same\""],
      [{ realm: [] }, "realms: is missing"],
      ["not a seed", "Expected { readonly realms"]
    ]
    for (const [input, message] of cases) expect(problem(input)).toContain(message)
  })

  it("never repeats a password or secret in its message", () => {
    const message = problem(
      realm([{ username: "someone", password: 12345678 }, {
        username: "bot",
        serviceAccount: true,
        secret: ["leak-me"]
      }, "pw-as-user"])
    )
    expect(message).toContain("realms[0].users[0].password: Expected string")
    for (const value of ["12345678", "leak-me", "pw-as-user"]) expect(message).not.toContain(value)
  })
})

describe("the default world", () => {
  const store = Store.fromSeed(Either.getOrThrow(Seed.decode(Seed.defaultSeed)), { now: T0, salt: "salt" })
  const master = store.realm("master")!
  const smartcity = store.realm("smartcity")!

  it("has every realm's openremote client with the 22 standard roles, composites wired", () => {
    for (const realm of [master, smartcity]) {
      const client = realm.clients.get("openremote")!
      expect(client.publicClient).toBe(true)
      const roles = [...client.roles.values()]
      expect(roles.map((role) => role.name)).toEqual(StandardRoles.clientRoles)
      const names = (ids: ReadonlySet<string>) => [...ids].map((id) => client.roles.get(id)!.name).sort()
      expect(names(roles.find((role) => role.name === "read")!.composites)).toEqual([...StandardRoles.readRoles].sort())
      expect(names(roles.find((role) => role.name === "write")!.composites)).toEqual(
        [...StandardRoles.compositeRoles.write].sort()
      )
    }
  })

  it("has the built-in realm roles and restricted_user in every realm", () => {
    for (const realm of [master, smartcity]) {
      const names = [...realm.realmRoles.values()].map((role) => role.name)
      expect(names).toEqual(
        expect.arrayContaining([...StandardRoles.builtInRealmRoles(realm.name), "admin", "restricted_user"])
      )
    }
  })

  it("has the super user, the system account and the service user in master, and the regular user in smartcity", () => {
    const admin = store.userByUsername(master, "admin")!
    expect(store.effectiveRealmRoleNames(master, admin)).toContain("admin")
    expect(store.directClientRoleNames(master, admin)).toEqual(["read", "write"])
    expect(store.userByUsername(master, "manager-keycloak")!.attributes.get("systemAccount")).toEqual(["true"])
    const service = store.userByUsername(master, "service-account-serviceuser")!
    expect(service.serviceAccount).toBe(true)
    expect(store.serviceClientOf(master, service)!.secret).toBe("your_secret")
    const city = store.userByUsername(smartcity, "smartcity")!
    expect([...store.directClientRoleNames(smartcity, city)].sort()).toEqual([...StandardRoles.regularUserRoles].sort())
  })

  it("gives the same ids and the same snapshot when loaded again with the same salt", () => {
    const again = Store.fromSeed(Either.getOrThrow(Seed.decode(Seed.defaultSeed)), { now: T0, salt: "salt" })
    expect(again.snapshot("s")).toEqual(store.snapshot("s"))
  })
})

describe("Store mutations validate before changing anything", () => {
  const fresh = () => Store.fromSeed(Either.getOrThrow(Seed.decode(Seed.defaultSeed)), { now: T0, salt: "salt" })

  it("createUser: invalid fields, an existing username or id, a taken client id", () => {
    const store = fresh()
    const realm = store.realm("master")!
    const before = JSON.stringify(store.snapshot("s"))
    for (
      const input of [
        { username: "x" },
        { username: "valid-name", firstName: "f".repeat(128) },
        { username: "valid-name", email: "@@" },
        { username: "Admin" },
        { username: "fresh-name", id: store.userByUsername(realm, "admin")!.id },
        { username: "openremote", serviceAccount: true }
      ]
    ) {
      expect(Either.isLeft(store.createUser(realm, input, T0)), JSON.stringify(input)).toBe(true)
    }
    expect(JSON.stringify(store.snapshot("s"))).toBe(before)
  })

  it("replaceClientRoles: each failure leaves the roles and mappings alone", () => {
    const store = fresh()
    const realm = store.realm("master")!
    const before = JSON.stringify(store.snapshot("s"))
    const [first, second] = [...realm.clients.get("openremote")!.roles.values()]
    const bodies: ReadonlyArray<ReadonlyArray<Role.Role>> = [
      [{ id: first!.id, name: "a" }, { id: "ghost", name: "b" }],
      [{ id: first!.id, name: "a" }, { name: "a" }],
      [{ id: first!.id, name: "a", compositeRoleIds: [second!.id] }]
    ]
    for (const roles of bodies) expect(Either.isLeft(store.replaceClientRoles(realm, "openremote", roles))).toBe(true)
    expect(Either.isLeft(store.replaceClientRoles(realm, "ghost-client", []))).toBe(true)
    expect(JSON.stringify(store.snapshot("s"))).toBe(before)
  })

  it("setPassword: a blank or missing password, or one under the realm's minimum", () => {
    const store = Store.fromSeed(
      Either.getOrThrow(
        Seed.decode({
          realms: [{ name: "p", passwordMinLength: 10, users: [{ username: "user1", password: "long-enough-1" }] }]
        })
      ),
      { now: T0, salt: "s" }
    )
    const realm = store.realm("p")!
    const user = store.userByUsername(realm, "user1")!
    const before = JSON.stringify(store.snapshot("s"))
    for (const password of [undefined, "", "   ", "too-short"]) {
      expect(Either.isLeft(store.setPassword(realm, user, password, false))).toBe(true)
    }
    expect(JSON.stringify(store.snapshot("s"))).toBe(before)
    expect(Either.isRight(store.setPassword(realm, user, "long-enough-2", false))).toBe(true)
    expect(JSON.stringify(store.snapshot("s"))).not.toBe(before)
  })
})

describe("buildSimulator options", () => {
  it("refuses a bad seed naming the field, and a bad token lifespan", () => {
    expect(() => buildSimulator({ keyPair, seed: realm([{ username: "a" }]) })).toThrow(
      "seed: realms[0].users[0].username"
    )
    expect(() => buildSimulator({ keyPair, tokenLifespan: 0 })).toThrow(
      "tokenLifespan: must be a whole number of seconds > 0, got 0"
    )
    expect(() => buildSimulator({ keyPair, refreshTokenLifespan: 1.5 })).toThrow(InvalidInput)
  })
})
