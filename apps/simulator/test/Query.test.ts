import { afterAll, beforeEach, describe, expect, it } from "@effect/vitest"
import {
  adminToken,
  call,
  Catalogue,
  expectStatus,
  expectUnchanged,
  makeApp,
  passwordToken,
  rejects,
  T0,
  userId
} from "./helpers.js"

const seed = {
  realms: [
    {
      name: "master",
      users: [
        {
          username: "admin",
          password: "secret",
          realmRoles: ["admin"],
          clientRoles: { openremote: ["read", "write"] }
        },
        { username: "manager-keycloak", attributes: { systemAccount: ["true"] } }
      ]
    },
    {
      name: "city",
      realmRoles: [{ name: "Operator" }],
      users: [
        {
          username: "cityadmin",
          password: "cityadmin",
          firstName: "Carl",
          clientRoles: { openremote: ["read:admin", "read:users"] }
        },
        { username: "reader", password: "reader", firstName: "Rita", clientRoles: { openremote: ["read:users"] } },
        { username: "norole", password: "norole" },
        {
          username: "alice",
          firstName: "Alice",
          lastName: "Zed",
          email: "alice@city.example",
          attributes: { team: ["red"], level: ["3"] },
          realmRoles: ["restricted_user"],
          clientRoles: { openremote: ["read:map"] }
        },
        {
          username: "bob",
          firstName: "Bob",
          lastName: "Young",
          email: "bob@city.example",
          attributes: { team: ["blue"] },
          realmRoles: ["Operator"],
          clientRoles: { openremote: ["read"] }
        },
        { username: "under_score", lastName: "Adams" },
        {
          username: "sensor_1",
          serviceAccount: true,
          secret: "sensor-1-secret",
          clientRoles: { sensor_1: ["read:map"] }
        },
        { username: "sensor-2", serviceAccount: true, secret: "sensor-2-secret" },
        { username: "sysacc", attributes: { systemAccount: ["true"] } }
      ]
    }
  ]
}

const app = makeApp({ seed })
afterAll(() => app.close())
beforeEach(() => app.simulator.load(seed))

const p = (value: string, extra: Record<string, unknown> = {}) => ({ predicateType: "string", value, ...extra })
const cityadmin = () => passwordToken(app, { realm: "city", username: "cityadmin", password: "cityadmin" })

const query = async (body: unknown, token?: string, requestRealm = "city") => {
  const response = await call(app, Catalogue.queryUsers, { token: token ?? await cityadmin(), requestRealm, body })
  expectStatus(response, Catalogue.queryUsers, 200)
  return response.json() as Array<Record<string, unknown>>
}
const names = async (body: unknown, token?: string, requestRealm?: string) =>
  (await query(body, token, requestRealm)).map((user) => user.username as string).sort()

const cityUsers = ["alice", "bob", "cityadmin", "norole", "reader", "sensor-2", "sensor_1", "under_score"]

describe("queryUsers: who may ask, and what they see", () => {
  it("accepts an empty object, null and no body at all", async () => {
    expect(await names({})).toEqual(cityUsers)
    const token = await cityadmin()
    for (const options of [{ rawBody: "null" }, {}, { rawBody: "" }]) {
      const response = await call(app, Catalogue.queryUsers, { token, requestRealm: "city", ...options })
      expectStatus(response, Catalogue.queryUsers, 200)
      expect(response.json()).toHaveLength(cityUsers.length)
    }
  })

  it("confines non-super callers to their realm, whatever realmPredicate says, and hides system accounts", async () => {
    expect(await names({ realmPredicate: { name: "master" } })).toEqual(cityUsers)
    expect(await names({ attributes: [{ name: p("systemAccount") }] })).toEqual([])
  })

  it("lets a super user see every realm, system accounts included, or one realm by realmPredicate", async () => {
    const token = await adminToken(app)
    const all = await names({}, token, "master")
    expect(all).toEqual([...cityUsers, "admin", "manager-keycloak", "sysacc"].sort())
    expect(await names({ realmPredicate: { name: "city" } }, token, "master")).toEqual([...cityUsers, "sysacc"].sort())
    expect(await names({ realmPredicate: { name: "nowhere" } }, token, "master")).toEqual([])
  })

  it("gives full results to read:admin callers, service users' secrets included", async () => {
    const users = await query({ usernames: [p("service-account-sensor_1")] })
    expect(users).toEqual([{
      realm: "city",
      realmId: app.simulator.snapshot().realms[1]!.id,
      id: userId(app, "city", "service-account-sensor_1"),
      username: "sensor_1",
      enabled: true,
      createdOn: T0,
      secret: "sensor-1-secret",
      serviceAccount: true
    }])
  })

  it("gives basic results to read:users callers, and to anyone asking with select.basic", async () => {
    const reader = await passwordToken(app, { realm: "city", username: "reader", password: "reader" })
    for (
      const [body, token] of [[{ usernames: [p("alice")] }, reader], [{
        usernames: [p("alice")],
        select: { basic: true }
      }, undefined]] as const
    ) {
      const [alice] = await query(body, token)
      expect(alice).toEqual({
        realm: "city",
        id: userId(app, "city", "alice"),
        username: "alice",
        firstName: "Alice",
        lastName: "Zed",
        enabled: true,
        createdOn: T0,
        serviceAccount: false
      })
    }
  })

  it("answers 403 to anonymous callers and callers without read:admin or read:users", async () => {
    await rejects(app, Catalogue.queryUsers, 403, { requestRealm: "city", body: {} })
    await rejects(app, Catalogue.queryUsers, 403, {
      token: await passwordToken(app, { realm: "city", username: "norole", password: "norole" }),
      requestRealm: "city",
      body: {}
    })
  })
})

describe("queryUsers: usernames and serviceUsers", () => {
  it("ORs the predicates, always case-insensitively, EXACT by equality", async () => {
    expect(await names({ usernames: [p("ALICE", { caseSensitive: true }), p("Bob")] })).toEqual(["alice", "bob"])
    expect(await names({ usernames: [p("ali")] })).toEqual([])
  })

  it("matches BEGIN, END and CONTAINS (any case of the enum), and negate", async () => {
    expect(await names({ usernames: [p("AL", { match: "begin" })] })).toEqual(["alice"])
    expect(await names({ usernames: [p("OB", { match: "END" })] })).toEqual(["bob"])
    expect(await names({ usernames: [p("Dmi", { match: "CONTAINS" })] })).toEqual(["cityadmin"])
    expect(await names({ usernames: [p("service-account-", { match: "BEGIN", negate: true })] })).toEqual(
      cityUsers.filter((name) => !name.startsWith("sensor"))
    )
  })

  it("matches the raw username, service-account- prefix included", async () => {
    expect(await names({ usernames: [p("service-account-", { match: "BEGIN" })] })).toEqual(["sensor-2", "sensor_1"])
    expect(await names({ usernames: [p("sensor", { match: "BEGIN" })] })).toEqual([])
  })

  it("needs the prefix for an EXACT match on a service user, and shows the name without it", async () => {
    expect(await names({ usernames: [p("sensor_1")] })).toEqual([])
    expect(await names({ usernames: [p("SERVICE-ACCOUNT-sensor_1")] })).toEqual(["sensor_1"])
    expect(await names({ usernames: [p("sensor-2"), p("service-account-sensor-2")] })).toEqual(["sensor-2"])
  })

  it("treats % and _ in a LIKE value as wildcards, as the server's SQL does", async () => {
    expect(await names({ usernames: [p("sensor_", { match: "CONTAINS" })] })).toEqual(["sensor-2", "sensor_1"])
    expect(await names({ usernames: [p("a%e", { match: "BEGIN" })] })).toEqual(["alice"])
    expect(await names({ usernames: [p("under_score")] })).toEqual(["under_score"])
    expect(await names({ usernames: [p("_ob", { match: "END" })] })).toEqual(["bob"])
    expect(await names({ usernames: [p("r_s", { match: "CONTAINS" })] })).toEqual(["under_score"])
    // `_` is exactly one character.
    expect(await names({ usernames: [p("b_", { match: "BEGIN" })] })).toEqual(["bob"])
    expect(await names({ usernames: [p("b_b_", { match: "BEGIN" })] })).toEqual([])
  })

  it("serviceUsers alone filters; with other usernames it joins their OR group (the union quirk)", async () => {
    expect(await names({ serviceUsers: true })).toEqual(["sensor-2", "sensor_1"])
    expect(await names({ serviceUsers: false })).toEqual(cityUsers.filter((name) => !name.startsWith("sensor")))
    expect(await names({ serviceUsers: true, usernames: [p("alice")] })).toEqual(["alice", "sensor-2", "sensor_1"])
  })
})

describe("queryUsers: roles, attributes, ids, assets", () => {
  it("ORs clientRoles and realmRoles in one group over direct mappings, client roles of any client", async () => {
    expect(await names({ clientRoles: [p("read:map")] })).toEqual(["alice", "sensor_1"])
    expect(await names({ clientRoles: [p("read:map")], realmRoles: [p("Operator")] })).toEqual([
      "alice",
      "bob",
      "sensor_1"
    ])
    // bob has read (a composite holding read:map), but only direct mappings count.
    expect(await names({ clientRoles: [p("read:assets")] })).toEqual([])
  })

  it("applies each role predicate's case rule and negate (has no such role)", async () => {
    expect(await names({ realmRoles: [p("operator")] })).toEqual([])
    expect(await names({ realmRoles: [p("operator", { caseSensitive: false })] })).toEqual(["bob"])
    expect(await names({ clientRoles: [p("read", { match: "BEGIN", negate: true })] })).toEqual(
      ["norole", "sensor-2", "under_score"]
    )
  })

  it("ANDs attribute predicates, with name, value, match and negated", async () => {
    expect(await names({ attributes: [{ name: p("team") }] })).toEqual(["alice", "bob"])
    expect(await names({ attributes: [{ name: p("team"), value: p("red") }] })).toEqual(["alice"])
    expect(await names({ attributes: [{ name: p("team") }, { name: p("level"), value: p("3") }] })).toEqual(["alice"])
    expect(await names({ attributes: [{ negated: true, name: p("te", { match: "BEGIN" }) }] })).toEqual(
      cityUsers.filter((name) => name !== "alice" && name !== "bob")
    )
  })

  it("takes the attribute value's case handling from the name predicate (the server's SQL builder)", async () => {
    const insensitive = { caseSensitive: false }
    // A case-sensitive name: the value's own caseSensitive: false does not make "RED" match "red".
    expect(await names({ attributes: [{ name: p("team"), value: p("RED", insensitive) }] })).toEqual([])
    expect(await names({ attributes: [{ name: p("team"), value: p("Red") }] })).toEqual([])
    // A case-insensitive name: the value compares case-insensitively too.
    expect(await names({ attributes: [{ name: p("TEAM", insensitive), value: p("RED", insensitive) }] })).toEqual([
      "alice"
    ])
    expect(
      await names({
        attributes: [{ name: p("team", insensitive), value: p("r%", { match: "BEGIN", ...insensitive }) }]
      })
    )
      .toEqual(["alice"])
  })

  it("filters by ids, ANDed with the rest", async () => {
    const ids = [userId(app, "city", "alice"), userId(app, "city", "bob"), "unknown"]
    expect(await names({ ids })).toEqual(["alice", "bob"])
    expect(await names({ ids, usernames: [p("bob")] })).toEqual(["bob"])
    expect(await names({ ids: [userId(app, "master", "admin")] })).toEqual([])
  })

  it("matches nobody with a non-empty asset filter (the simulator has no assets)", async () => {
    expect(await names({ assets: ["asset-1"] })).toEqual([])
    expect(await names({ pathPredicate: { path: ["asset-1"] } })).toEqual([])
    expect(await names({ assets: [] })).toEqual(cityUsers)
  })
})

describe("queryUsers: order, limit and offset", () => {
  it("orders by username (without prefix), ascending and descending, any case of the enum", async () => {
    const asc = (await query({ orderBy: { property: "username" } })).map((user) => user.username)
    expect(asc).toEqual([...cityUsers].sort())
    const desc = (await query({ orderBy: { property: "USERNAME", descending: true } })).map((user) => user.username)
    expect(desc).toEqual([...cityUsers].sort().reverse())
  })

  it("orders by first name with absent names last ascending, first descending (PostgreSQL)", async () => {
    const asc = (await query({ orderBy: { property: "FIRST_NAME" } })).map((user) => user.firstName ?? null)
    expect(asc).toEqual(["Alice", "Bob", "Carl", "Rita", null, null, null, null])
    const desc = (await query({ orderBy: { property: "FIRST_NAME", descending: true } })).map((user) =>
      user.firstName ?? null
    )
    expect(desc).toEqual([null, null, null, null, "Rita", "Carl", "Bob", "Alice"])
    const byLast = (await query({ orderBy: { property: "LAST_NAME" }, limit: 3 })).map((user) => user.lastName)
    expect(byLast).toEqual(["Adams", "Young", "Zed"])
    const byEmail = (await query({ orderBy: { property: "EMAIL" }, limit: 2 })).map((user) => user.email)
    expect(byEmail).toEqual(["alice@city.example", "bob@city.example"])
  })

  it("answers 500 for ordering by CREATED_ON, as the server does", async () => {
    const response = await rejects(app, Catalogue.queryUsers, 500, {
      token: await cityadmin(),
      requestRealm: "city",
      body: { orderBy: { property: "CREATED_ON" } }
    })
    expect(response.body.split("\n")[0]).toBe("Request failed with HTTP error status: 500 Internal Server Error")
  })

  it("applies limit and offset only when greater than 0", async () => {
    const ordered = [...cityUsers].sort()
    const page = async (limit: number, offset: number) =>
      (await query({ orderBy: { property: "USERNAME" }, limit, offset })).map((user) => user.username)
    expect(await page(2, 1)).toEqual(ordered.slice(1, 3))
    expect(await page(0, 0)).toEqual(ordered)
    expect(await page(-1, -5)).toEqual(ordered)
    expect(await page(3, 0)).toEqual(ordered.slice(0, 3))
    expect(await page(0, 6)).toEqual(ordered.slice(6))
    // Without an order too: `limit: 0` is no limit.
    expect(await names({ limit: 0 })).toEqual(cityUsers)
  })
})

describe("queryUsers: request validation", () => {
  it("answers 400 naming the field for a StringPredicate without predicateType, as the server fails to read it", async () => {
    const token = await cityadmin()
    const response = await expectUnchanged(
      app,
      () => call(app, Catalogue.queryUsers, { token, requestRealm: "city", body: { usernames: [{ value: "alice" }] } })
    )
    expect(response.statusCode).toBe(400)
    expect(response.headers["content-type"]).toMatch(/^text\/plain/)
    expect(response.body).toBe(
      "usernames[0].predicateType: is missing: a StringPredicate must carry predicateType: \"string\""
    )
  })

  it("answers 400 for a limit that is not an integer and an unknown orderBy property", async () => {
    const token = await cityadmin()
    for (const body of [{ limit: 1.5 }, { orderBy: { property: "AGE" } }]) {
      const response = await call(app, Catalogue.queryUsers, { token, requestRealm: "city", body })
      expect(response.statusCode, JSON.stringify(body)).toBe(400)
    }
  })
})

describe("queryUsers at scale", () => {
  it("finds one user among 10,000 by exact username and by id, like a scan would", async () => {
    const users = Array.from(
      { length: 10_000 },
      (_, i) => ({ username: `user${String(i).padStart(5, "0")}`, firstName: `F${i}` })
    )
    app.simulator.load({
      realms: [
        seed.realms[0]!,
        {
          name: "big",
          users: [{ username: "bigadmin", password: "bigadmin", clientRoles: { openremote: ["read:admin"] } }, ...users]
        }
      ]
    })
    const token = await passwordToken(app, { realm: "big", username: "bigadmin", password: "bigadmin" })
    const exact = await query({ usernames: [p("USER04242")] }, token, "big")
    expect(exact.map((user) => user.firstName)).toEqual(["F4242"])
    const scanned = await query({ usernames: [p("user04242", { match: "CONTAINS" })] }, token, "big")
    expect(scanned).toEqual(exact)
    const byId = await query({ ids: [exact[0]!.id] }, token, "big")
    expect(byId).toEqual(exact)
    expect(await query({ usernames: [p("user99999")] }, token, "big")).toEqual([])
  })
})
