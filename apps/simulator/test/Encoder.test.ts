import { Catalogue } from "@openremote-effect/model"
import * as Arbitrary from "effect/Arbitrary"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import { describe, expect, it } from "vitest"
import { compact, encoder, writer } from "../src/internal/encoder.js"

// Every JSON result schema of the catalogue, once, with the first operation that answers it.
const named = new Map<Schema.Schema.AnyNoContext, string>()
for (const operation of Catalogue.all) {
  if (operation.result._tag === "Json" && !named.has(operation.result.schema)) {
    named.set(operation.result.schema, operation.name)
  }
}
const results = [...named]

describe("the compiled response encoder", () => {
  it("covers the catalogue's JSON results", () => {
    expect(named.has(Catalogue.getUser.result.schema)).toBe(true)
    expect(named.has(Catalogue.queryUsers.result.schema)).toBe(true)
    expect(named.has(Catalogue.getUserSessions.result.schema)).toBe(true)
  })

  for (const [schema, name] of results) {
    it(`encodes ${name}'s result exactly as Schema.encodeSync does, fields in the same order`, () => {
      const compiled = encoder(schema)
      const reference = Schema.encodeSync(schema)
      FastCheck.assert(
        FastCheck.property(Arbitrary.make(schema), (value) => {
          const encoded = compiled(value)
          expect(encoded).toStrictEqual(reference(value))
          expect(JSON.stringify(encoded)).toBe(JSON.stringify(reference(value)))
        }),
        { numRuns: 300 }
      )
    })
  }

  for (const [schema, name] of results) {
    it(`writes ${name}'s result as JSON.stringify(compact(Schema.encodeSync(…))) does`, () => {
      const write = writer(schema)
      const reference = Schema.encodeSync(schema)
      FastCheck.assert(
        FastCheck.property(Arbitrary.make(schema), (value) => {
          expect(write(value)).toBe(JSON.stringify(compact(reference(value))))
        }),
        { numRuns: 300 }
      )
    })
  }

  it("writes no null and no empty array inside an object, and keeps them in an array", () => {
    const schema = Schema.Struct({
      a: Schema.optionalWith(Schema.String, { exact: true, nullable: true }),
      b: Schema.Array(Schema.NullOr(Schema.Array(Schema.String))),
      c: Schema.Array(Schema.String),
      d: Schema.Record({ key: Schema.String, value: Schema.Array(Schema.String) })
    })
    expect(writer(schema)({ b: [null, [], ["x"]], c: [], d: { empty: [], full: ["y"] } })).toBe(
      "{\"b\":[null,[],[\"x\"]],\"d\":{\"full\":[\"y\"]}}"
    )
    expect(writer(Schema.Array(schema))([])).toBe("[]")
  })

  it("escapes strings as JSON.stringify does", () => {
    const schema = Schema.Struct({ s: Schema.String, r: Schema.Record({ key: Schema.String, value: Schema.String }) })
    for (
      const text of ["plain", "quote \"", "back\\slash", "line\nbreak", "\u0000", "emoji \u{1f600}", "lone \ud800", "é"]
    ) {
      const value = { s: text, r: { [text]: text } }
      expect(writer(schema)(value)).toBe(JSON.stringify(value))
    }
  })

  it("leaves out fields the schema does not have, as Effect's encoder does", () => {
    const user = { id: "u1", username: "someone", enabled: true, extra: "not a field" }
    expect(encoder(Catalogue.getUser.result.schema)(user as never)).toStrictEqual({
      id: "u1",
      username: "someone",
      enabled: true
    })
    expect(writer(Catalogue.getUser.result.schema)(user as never)).toBe(
      "{\"id\":\"u1\",\"username\":\"someone\",\"enabled\":true}"
    )
  })
})
