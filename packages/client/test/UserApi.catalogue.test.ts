/**
 * The catalogue walk: every one of the 24 methods sends the right method, path (percent-encoded), headers
 * and body, decodes its result, and runs in its span. Paths are checked against the seed's table
 * (reference/seed/UserApi.md), an oracle independent of the client.
 */
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Catalogue, type Operation } from "@openremote-effect/model"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as OpenRemoteError from "../src/OpenRemoteError.js"
import type * as UserApi from "../src/UserApi.js"
import { always, makeMock, makeRecordingTracer, secrets, withApi } from "./utils/mock.js"
import { call, expectedPath, realm, type Sample, samples, seedTable } from "./utils/samples.js"

const expectedAccept = (operation: Operation.Any) =>
  operation.result._tag === "Json"
    ? "application/json"
    : operation.result._tag === "Text"
    ? "text/plain, application/json"
    : "*/*"

describe("UserApi: the catalogue walk", () => {
  it("the seed table lists every operation of the catalogue", () => {
    expect([...seedTable.keys()].sort()).toEqual(Object.keys(Catalogue.operations).sort())
  })

  it.effect("the service has exactly one method per catalogue operation, plus streamUsers", () =>
    withApi(makeMock({}), (api) =>
      Effect.sync(() => {
        expect(Object.keys(api).sort()).toEqual([...Object.keys(Catalogue.operations), "streamUsers"].sort())
        for (const name of Object.keys(Catalogue.operations)) {
          expect(typeof api[name as Catalogue.OperationName]).toBe("function")
        }
      })))

  it("derives the method signatures from the catalogue (type level)", () => {
    expectTypeOf<keyof UserApi.Service>().toEqualTypeOf<Catalogue.OperationName | "streamUsers">()
    expectTypeOf<Effect.Effect.Success<ReturnType<UserApi.Service["getUser"]>>>().toEqualTypeOf<
      Operation.Success<typeof Catalogue.getUser>
    >()
    expectTypeOf<Effect.Effect.Success<ReturnType<UserApi.Service["resetSecret"]>>>().toEqualTypeOf<
      Redacted.Redacted<string>
    >()
    expectTypeOf<Effect.Effect.Success<ReturnType<UserApi.Service["deleteUser"]>>>().toEqualTypeOf<void>()
    expectTypeOf<Effect.Effect.Error<ReturnType<UserApi.Service["getUser"]>>>().toEqualTypeOf<
      OpenRemoteError.OpenRemoteError
    >()
    expectTypeOf<Parameters<UserApi.Service["getUserClientRoles"]>[0]>().toMatchTypeOf<
      { readonly realm: string; readonly userId: string; readonly clientId: string }
    >()
    expectTypeOf<Parameters<UserApi.Service["disconnectUserSession"]>[0]>().toHaveProperty("sessionID")
    expectTypeOf<Parameters<UserApi.Service["updateCurrentUserLocale"]>[0]>().toHaveProperty("locale")
      .toEqualTypeOf<string>()
    expectTypeOf<Parameters<UserApi.Service["getUser"]>[0]>().toHaveProperty("xForwardedProto")
      .toEqualTypeOf<string | undefined>()
    // No path parameter and no required body: the argument may be left out.
    expectTypeOf<Parameters<UserApi.Service["getCurrentUser"]>>().toEqualTypeOf<
      [options?: UserApi.Arguments<typeof Catalogue.getCurrentUser>]
    >()
    expectTypeOf<Parameters<UserApi.Service["queryUsers"]>>().toEqualTypeOf<
      [options?: UserApi.Arguments<typeof Catalogue.queryUsers>]
    >()
    // A path parameter or a required body makes the argument required.
    expectTypeOf<Parameters<UserApi.Service["updateSelf"]>>().toEqualTypeOf<
      [options: UserApi.Arguments<typeof Catalogue.updateSelf>]
    >()
  })

  describe.each(Catalogue.all.map((operation) => [operation.name, operation] as const))("%s", (name, operation) => {
    const sample = samples[name] as Sample<Catalogue.OperationName>

    it.effect("sends the catalogue's method, the encoded path, Accept, Authorization and the encoded body", () =>
      Effect.gen(function*() {
        const mock = makeMock({ api: always(sample.reply) })
        const result = yield* withApi(mock, (api) => call(api, name, sample.args))
        ;(sample.check as (result: unknown) => void)(result)

        expect(mock.requests).toHaveLength(1)
        const request = mock.requests[0]!
        expect(request.method).toBe(operation.method)
        expect(request.method).toBe(seedTable.get(name)!.method)
        expect(request.url.pathname).toBe(expectedPath(name, sample.args))
        expect(request.url.search).toBe("")
        expect(request.url.hash).toBe("")
        expect(request.headers["accept"]).toBe(expectedAccept(operation))
        expect(request.headers["authorization"]).toBe(`Bearer ${secrets.token}`)
        expect(request.headers).not.toHaveProperty("x-forwarded-proto")
        expect(request.headers).not.toHaveProperty("x-forwarded-host")
        if (sample.body === undefined) {
          expect(request.body).toBeUndefined()
          expect(request.headers).not.toHaveProperty("content-type")
        } else {
          expect(request.headers["content-type"]).toBe("application/json")
          expect(JSON.parse(request.body!)).toEqual(sample.body)
        }
      }))

    it.effect("sends X-Forwarded-Proto and X-Forwarded-Host when given", () =>
      Effect.gen(function*() {
        const mock = makeMock({ api: always(sample.reply) })
        yield* withApi(mock, (api) =>
          call(api, name, { ...sample.args, xForwardedProto: "https", xForwardedHost: "iot.example.com" }))
        const request = mock.requests[0]!
        expect(request.headers["x-forwarded-proto"]).toBe("https")
        expect(request.headers["x-forwarded-host"]).toBe("iot.example.com")
        expect(request.url.pathname).toBe(expectedPath(name, sample.args))
      }))

    it.effect(`runs in a span named UserApi.${name} with the realm and operation as attributes`, () =>
      Effect.gen(function*() {
        const { spans, tracer } = makeRecordingTracer()
        const mock = makeMock({ api: always(sample.reply) })
        yield* withApi(mock, (api) => call(api, name, sample.args)).pipe(Effect.withTracer(tracer))
        const span = spans.find((span) => span.name === `UserApi.${name}`)
        expect(span).toBeDefined()
        expect(span!.attributes.get("openremote.operation")).toBe(name)
        // The target realm, or the request realm of the base URL for operations without one.
        expect(span!.attributes.get("openremote.realm")).toBe(
          (operation.pathParameters as ReadonlyArray<string>).includes("realm") ? realm : "master"
        )
        expect(span!.status._tag).toBe("Ended")
        // By default the operation's span is the only one: no nested `http.client` span, no trace headers sent.
        expect(spans.filter((span) => span.name.startsWith("http.client"))).toEqual([])
        expect(mock.requests[0]!.headers["traceparent"]).toBeUndefined()
        expect(mock.requests[0]!.headers["b3"]).toBeUndefined()
      }))

    it.effect(`with httpClientSpans, nests the platform's http.client span in UserApi.${name}`, () =>
      Effect.gen(function*() {
        const { spans, tracer } = makeRecordingTracer()
        const mock = makeMock({ api: always(sample.reply) })
        yield* withApi(mock, (api) => call(api, name, sample.args), { httpClientSpans: true }).pipe(
          Effect.withTracer(tracer)
        )
        const span = spans.find((span) => span.name === `UserApi.${name}`)
        const http = spans.find((span) => span.name.startsWith("http.client"))
        expect(http?.parent._tag === "Some" && http.parent.value.spanId).toBe(span!.spanId)
        // and the trace propagation header names that span.
        expect(mock.requests[0]!.headers["traceparent"]).toContain(http!.spanId)
      }))
  })
})
