/**
 * The vitest side of the harness: one target per test file (a simulator on a free port, or the live
 * OpenRemote of the environment) with one recorder, reset before every test, and after every test: the
 * users the test created are deleted, and every response the test saw must conform to the OpenAPI document.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "@effect/vitest"
import type { SimulatorOptions } from "@openremote-effect/simulator"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type * as Scope from "effect/Scope"
import * as Callers from "../../src/Callers.js"
import * as Recorder from "../../src/Recorder.js"
import * as Target from "../../src/Target.js"

type Services = Target.Target | Recorder.Recorder

/** A test of `@effect/vitest` (`it.live` and friends). */
export type Test = typeof it.live

/**
 * The harness of one test file.
 */
export interface Harness {
  /** Whether the environment selects a live OpenRemote (known when the file is collected). */
  readonly live: boolean
  /** Runs a test's effect in a scope, with the file's target and recorder. */
  readonly run: <A, E>(
    effect: Effect.Effect<A, E, Services | Scope.Scope>
  ) => Effect.Effect<A, E | ConfigError.ConfigError>
  /**
   * `it.live` for a test that needs the simulator's control plane; on a live target the test is skipped,
   * and its name says why.
   */
  readonly controlPlane: (what: string) => Test
}

/**
 * Registers the file's hooks and returns its harness. Call it once, at the top of a test file.
 */
export const useTarget = (
  options: { readonly simulator?: SimulatorOptions; readonly recorder?: Recorder.Options } = {}
): Harness => {
  const live = Target.isLiveEnvironment()
  let runtime: ManagedRuntime.ManagedRuntime<Services, ConfigError.ConfigError> | undefined
  let mark = 0
  const get = () => {
    if (runtime === undefined) throw new Error("the target is not started (beforeAll has not run)")
    return runtime
  }

  beforeAll(async () => {
    runtime = ManagedRuntime.make(Layer.merge(Target.layerConfig(options.simulator), Recorder.layer(options.recorder)))
    await runtime.runPromise(Effect.void)
  }, 60_000)

  afterAll(async () => {
    await runtime?.dispose()
  })

  beforeEach(async () => {
    await get().runPromise(Effect.gen(function*() {
      const target = yield* Target.Target
      target.simulator?.control.reset()
      mark = yield* Effect.flatMap(Recorder.Recorder, (recorder) => recorder.mark)
    }))
  })

  afterEach(async () => {
    const violations = await get().runPromise(
      Effect.gen(function*() {
        const recorder = yield* Recorder.Recorder
        const created = Recorder.createdUsers(yield* recorder.since(mark))
        if (created.length > 0) {
          const admin = yield* Callers.superUser
          yield* Effect.forEach(created, ({ id, realm }) => Effect.ignore(admin.deleteUser({ realm, userId: id })), {
            discard: true
          })
        }
        const exchanges = yield* recorder.since(mark)
        return exchanges.filter((exchange) => exchange.problems.length > 0).map((exchange) =>
          `${exchange.operation ?? "?"} ${exchange.method} ${exchange.url} → ${exchange.status}: ${
            exchange.problems.join("; ")
          }`
        )
      }).pipe(Effect.scoped)
    )
    expect(violations, "responses that do not conform to the OpenAPI document").toEqual([])
  }, 30_000)

  return {
    live,
    run: (effect) => Effect.suspend(() => Effect.provide(Effect.scoped(effect), get())),
    controlPlane: (what) =>
      live
        ? ((name, self, timeout) =>
          it.live.skip(
            `${name} [skipped on a live OpenRemote: needs the simulator's control plane (${what})]`,
            self,
            timeout
          )) as Test
        : it.live
  }
}
