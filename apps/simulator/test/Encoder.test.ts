import { Catalogue } from "@openremote-effect/model"
import * as Arbitrary from "effect/Arbitrary"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import { describe, expect, it } from "vitest"
import { encoder } from "../src/internal/encoder.js"

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

  it("leaves out fields the schema does not have, as Effect's encoder does", () => {
    const user = { id: "u1", username: "someone", enabled: true, extra: "not a field" }
    expect(encoder(Catalogue.getUser.result.schema)(user as never)).toStrictEqual({
      id: "u1",
      username: "someone",
      enabled: true
    })
  })
})
