import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { Credential } from "../src/Credential.js"
import * as ParseMessage from "../src/ParseMessage.js"
import { Role } from "../src/Role.js"
import { Timestamp } from "../src/Timestamp.js"
import { User, Username, usernameProblem } from "../src/User.js"
import { AttributeValuePredicate, OrderBy, StringPredicate, UserQuery } from "../src/UserQuery.js"
import { UserSession } from "../src/UserSession.js"

const models = { User, Role, Credential, UserSession, UserQuery, StringPredicate, AttributeValuePredicate, OrderBy }

/** Encode, send through JSON text as the wire does, and decode. */
const throughWire = <A, I>(schema: Schema.Schema<A, I>, value: A): A =>
  Schema.decodeUnknownSync(schema)(JSON.parse(JSON.stringify(Schema.encodeSync(schema)(value))))

const problem = <A, I>(schema: Schema.Schema<A, I>, input: unknown): string => {
  const result = Schema.decodeUnknownEither(schema)(input)
  if (Either.isRight(result)) throw new Error(`expected ${JSON.stringify(input)} to fail`)
  return ParseMessage.format(result.left)
}

describe("encode then decode gives the value back", () => {
  for (const [name, schema] of Object.entries(models)) {
    it.prop(`${name}`, [schema as Schema.Schema.AnyNoContext], ([value]) => {
      const equivalent = Schema.equivalence(schema as Schema.Schema.AnyNoContext)
      expect(equivalent(throughWire(schema as Schema.Schema.AnyNoContext, value), value)).toBe(true)
    }, { fastCheck: { numRuns: 200 } })
  }
})

describe("server-shaped JSON decodes", () => {
  const knownUserFields = new Set(Object.keys(User.fields))

  it.prop(
    "users with unknown extra fields, nulls for absent fields and epoch-ms createdOn",
    [
      User,
      fc.dictionary(fc.string().filter((key) => !knownUserFields.has(key) && key !== "__proto__"), fc.jsonValue()),
      fc.subarray([...knownUserFields])
    ],
    ([user, extra, nulls]) => {
      const encoded = Schema.encodeSync(User)(user) as Record<string, unknown>
      expect(encoded.createdOn === undefined || typeof encoded.createdOn === "number").toBe(true)
      const nulled = Object.fromEntries(nulls.filter((key) => !(key in encoded)).map((key) => [key, null]))
      const decoded = Schema.decodeUnknownSync(User)({ ...extra, ...nulled, ...encoded })
      expect(Schema.equivalence(User)(decoded, user)).toBe(true)
      expect(Object.values(decoded)).not.toContain(null)
    }
  )

  it("a full user as get_user returns it", () => {
    const user = Schema.decodeUnknownSync(User)({
      realm: "master",
      realmId: "7f3c",
      id: "0a1b2c",
      username: "serviceuser",
      enabled: true,
      createdOn: 1700000000000,
      secret: "s3cr3t",
      attributes: { locale: ["nl"], systemAccount: ["true"] },
      serviceAccount: true,
      notInTheModel: { nested: [1, 2] }
    })
    expect(user.username).toBe("serviceuser")
    expect(DateTime.toEpochMillis(user.createdOn!)).toBe(1700000000000)
    expect(Redacted.value(user.secret!)).toBe("s3cr3t")
    expect(String(user.secret)).not.toContain("s3cr3t")
    expect(JSON.stringify(user)).not.toContain("s3cr3t")
    expect(user.attributes).toEqual({ locale: ["nl"], systemAccount: ["true"] })
    expect("notInTheModel" in user).toBe(false)
  })

  it("drops an attribute named __proto__ instead of letting it replace the object's prototype", () => {
    const user = Schema.decodeUnknownSync(User)(JSON.parse("{\"attributes\":{\"__proto__\":[\"x\"],\"a\":[\"b\"]}}"))
    expect(user.attributes).toEqual({ a: ["b"] })
    expect(Object.getPrototypeOf(user.attributes)).toBe(Object.prototype)
  })

  it("createdOn as the 1.27 document's date-time string, encoded back to epoch milliseconds", () => {
    const user = Schema.decodeUnknownSync(User)({ createdOn: "2023-11-14T22:13:20.000Z" })
    expect(Schema.encodeSync(User)(user)).toEqual({ createdOn: 1700000000000 })
    expect(Schema.encodeSync(Timestamp)(Schema.decodeUnknownSync(Timestamp)(1700000000000))).toBe(1700000000000)
  })

  it("a role without compositeRoleIds, and a session with the upper-case ID", () => {
    expect(Schema.decodeUnknownSync(Role)({ id: "r1", name: "read:map", composite: false })).toEqual({
      id: "r1",
      name: "read:map",
      composite: false
    })
    const session = Schema.decodeUnknownSync(UserSession)({
      ID: "c1",
      username: "bob",
      startTimeMillis: 1700000000000,
      remoteAddress: "/127.0.0.1:51234"
    })
    expect(session.id).toBe("c1")
    expect(Schema.encodeSync(UserSession)(session)).toHaveProperty("ID", "c1")
  })

  it("a query whose empty arrays were left out, with enum values in any case", () => {
    const query = Schema.decodeUnknownSync(UserQuery)({
      usernames: [{ predicateType: "string", value: "bob", match: "begin" }],
      orderBy: { property: "username", descending: true }
    })
    expect(query).toEqual({
      usernames: [{ value: "bob", match: "BEGIN" }],
      orderBy: { property: "USERNAME", descending: true }
    })
  })
})

describe("StringPredicate", () => {
  it("always encodes predicateType: \"string\" without the caller writing it", () => {
    expect(Schema.encodeSync(StringPredicate)({ value: "bob" })).toEqual({ predicateType: "string", value: "bob" })
    expect(Schema.encodeSync(UserQuery)({ clientRoles: [{ value: "read:admin" }] })).toEqual({
      clientRoles: [{ predicateType: "string", value: "read:admin" }]
    })
  })

  it.prop("every encoded predicate carries it", [StringPredicate], ([predicate]) => {
    expect(Schema.encodeSync(StringPredicate)(predicate).predicateType).toBe("string")
  })
})

describe("bad input fails with a message that names the field", () => {
  it.each(
    [
      [User, { createdOn: "yesterday" }, /^createdOn: /m],
      [User, { createdOn: true }, /^createdOn: /m],
      [User, { enabled: "yes" }, /^enabled: Expected boolean, actual "yes"$/m],
      [User, { attributes: { locale: "nl" } }, /^attributes\.locale: /m],
      [User, { attributes: { locale: [1] } }, /^attributes\.locale\[0\]: Expected string, actual 1$/m],
      [User, "not an object", /^Expected .*, actual "not an object"$/],
      [Role, { compositeRoleIds: "r1" }, /^compositeRoleIds: /m],
      [Credential, { temporary: "no" }, /^temporary: /m],
      [UserSession, { username: "bob" }, /^ID: is missing$/m],
      [
        UserQuery,
        { usernames: [{ value: "bob" }] },
        /^usernames\[0\]\.predicateType: is missing: a StringPredicate must carry predicateType: "string"$/m
      ],
      [UserQuery, { limit: 1.5 }, /^limit: /m],
      [UserQuery, { orderBy: { property: "AGE" } }, /^orderBy\.property: /m],
      [UserQuery, { attributes: [{ name: { predicateType: "number" } }] }, /^attributes\[0\]\.name\.predicateType: /m]
    ] as const
  )("%#: %j", (schema, input, message) => {
    expect(problem(schema as Schema.Schema.AnyNoContext, input)).toMatch(message)
  })
})

describe("Username", () => {
  it.each(["developers@openremote.io", "dev_dev-dev.dev+dev++dev__ßçʊ@openremote.io", "abc", "a".repeat(255)])(
    "accepts %s",
    (username) => {
      expect(usernameProblem(username)).toBeUndefined()
      expect(Schema.is(Username)(username)).toBe(true)
    }
  )

  it.each([
    ["#$%^&*()", /may not contain/],
    ["openremoteuser!", /may not contain "!"/],
    ["ab", /3 to 255/],
    ["a".repeat(256), /3 to 255/],
    ["john doe", /whitespace/],
    ["tab\there", /whitespace/],
    ["ctl\u0007x", /control/],
    ["имя-пользователя", /Latin or Common/],
    ["用户名字", /Latin or Common/]
  ])("refuses %j", (username, reason) => {
    expect(usernameProblem(username)).toMatch(reason)
    expect(problem(Username, username)).toMatch(reason)
  })

  it.prop(
    "refuses any username holding a forbidden character",
    [fc.string({ minLength: 3, maxLength: 20 }), fc.constantFrom(...`<>&"'$%!#?§,;:*~/\\|^=[]{}()\``), fc.nat()],
    ([base, bad, at]) => {
      const position = at % (base.length + 1)
      expect(usernameProblem(base.slice(0, position) + bad + base.slice(position))).toBeDefined()
    }
  )
})

it("model arbitraries produce values (sanity of the generators used above)", () => {
  expect(fc.sample(Arbitrary.make(User), 5)).toHaveLength(5)
})

describe("ParseMessage.format", () => {
  const failure = (schema: Schema.Schema.AnyNoContext, input: unknown) => {
    const result = Schema.decodeUnknownEither(schema, { errors: "all" })(input)
    if (Either.isRight(result)) throw new Error("expected a failure")
    return result.left
  }

  it("merges the alternatives of one field and names null only when nothing else is expected", () => {
    // Without merging: "limit: Expected number, …" and "limit: Expected null, …" (null stands for "absent").
    expect(ParseMessage.format(failure(UserQuery, { limit: "ten" }))).toBe("limit: Expected number, actual \"ten\"")
    expect(ParseMessage.format(failure(User, { createdOn: true }))).toBe(
      "createdOn: Expected number | string, actual true"
    )
  })

  it("leaves out the offending values on request, so a misplaced secret is never repeated", () => {
    const error = failure(User, { enabled: "hunter2", attributes: { a: "hunter2" } })
    const message = ParseMessage.format(error, { values: false })
    expect(message).toBe("enabled: Expected boolean\nattributes.a: Expected ReadonlyArray<string>")
    expect(message).not.toContain("hunter2")
    expect(ParseMessage.format(error)).toContain("hunter2")
  })

  it("shows at most maxLines lines and counts the rest", () => {
    const error = failure(Schema.Array(Schema.String), [1, 2, 3, 4, 5])
    expect(ParseMessage.format(error, { maxLines: 2 }).split("\n")).toEqual([
      "[0]: Expected string, actual 1",
      "[1]: Expected string, actual 2",
      "… and 3 more problems"
    ])
  })
})
