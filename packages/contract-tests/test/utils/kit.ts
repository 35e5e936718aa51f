/**
 * What most tests start from: the target's realms, a super user, and shorthands for the callers and users
 * the tests need, all built through the client and removed when the test's scope closes.
 */
import { expect } from "@effect/vitest"
import { OpenRemoteError, type UserApi } from "@openremote-effect/client"
import { Catalogue, StandardRoles } from "@openremote-effect/model"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Callers from "../../src/Callers.js"
import * as Fixtures from "../../src/Fixtures.js"
import type { Recorder } from "../../src/Recorder.js"
import { type Service as TargetService, Target } from "../../src/Target.js"

export type R = Target | Recorder | Scope.Scope

/** A token no server issued. */
export const garbageToken = "contract-tests.garbage.token"

export interface Kit {
  readonly target: TargetService
  /** The super user's realm (`master`). */
  readonly M: string
  /** The second realm (`smartcity`). */
  readonly R: string
  /** The super user, through `/api/master`. */
  readonly admin: UserApi.Service
  readonly user: (options: Fixtures.UserOptions) => Effect.Effect<Fixtures.Created, OpenRemoteError.OpenRemoteError, R>
  readonly person: (
    options: Fixtures.PersonOptions
  ) => Effect.Effect<Fixtures.Person, OpenRemoteError.OpenRemoteError, R>
  /** A person of `R` with the roles a regular user gets by default (write:user, read:users, ...; no *:admin). */
  readonly regular: (
    options?: Partial<Fixtures.PersonOptions>
  ) => Effect.Effect<Fixtures.Person, OpenRemoteError.OpenRemoteError, R>
  /** A person of `R` with the `openremote` roles `read` and `write` (read:admin, write:admin, ...), not a super user. */
  readonly realmAdmin: Effect.Effect<Fixtures.Person, OpenRemoteError.OpenRemoteError, R>
  /** A person of `R` without any client role. */
  readonly noRoles: Effect.Effect<Fixtures.Person, OpenRemoteError.OpenRemoteError, R>
  readonly serviceUser: (realm?: string) => Effect.Effect<Fixtures.ServiceUser, OpenRemoteError.OpenRemoteError, R>
  /** A caller whose token is garbage. */
  readonly garbage: (realm?: string) => Effect.Effect<UserApi.Service, never, R>
  /** A caller without an `Authorization` header. */
  readonly anonymous: (realm?: string) => Effect.Effect<UserApi.Service, never, R>
}

export const make: Effect.Effect<Kit, never, R> = Effect.gen(function*() {
  const target = yield* Target
  const admin = yield* Callers.superUser
  const M = target.superUserRealm
  const R = target.otherRealm
  const person = (options: Fixtures.PersonOptions) => Fixtures.person(admin, options)
  return {
    target,
    M,
    R,
    admin,
    user: (options) => Fixtures.user(admin, options),
    person,
    regular: (options) =>
      person({ realm: R, label: "regular", clientRoles: StandardRoles.regularUserRoles, ...options }),
    realmAdmin: person({ realm: R, label: "realm-admin", clientRoles: ["read", "write"] }),
    noRoles: person({ realm: R, label: "no-roles" }),
    serviceUser: (realm) => Fixtures.serviceUser(admin, { realm: realm ?? R }),
    garbage: (realm) => Callers.withStaticToken(realm ?? M, garbageToken),
    anonymous: (realm) => Callers.anonymous(realm ?? M)
  }
})

/**
 * Fails the test unless `effect` fails with exactly the typed error `_tag` (and, when given, `status` and
 * Keycloak's `error` of an `AuthenticationError`); returns the error.
 */
export const expectFailure = <A, Err extends OpenRemoteError.OpenRemoteError, Req>(
  effect: Effect.Effect<A, Err, Req>,
  expected: {
    readonly _tag: OpenRemoteError.OpenRemoteError["_tag"]
    readonly status?: number | undefined
    readonly error?: string | undefined
  }
): Effect.Effect<Err, never, Req> =>
  Effect.flatMap(Effect.either(effect), (result) => {
    if (Either.isRight(result)) {
      return Effect.dieMessage(`the call succeeded; expected ${expected._tag} ${expected.status ?? ""}`)
    }
    const error = result.left
    const actual = {
      _tag: error._tag,
      ...("status" in expected ? { status: OpenRemoteError.status(error) } : {}),
      ...("error" in expected ? { error: error._tag === "AuthenticationError" ? error.error : undefined } : {})
    }
    expect(actual, error.message).toEqual(expected)
    return Effect.succeed(error)
  })

/** Arguments for any operation, with no meaning: unknown ids, an unknown client, harmless bodies. */
export const harmlessArguments = (
  operation: Catalogue.OperationName,
  realm: string
): Readonly<Record<string, unknown>> => {
  const entry = Catalogue.operations[operation]
  const args: Record<string, unknown> = {}
  for (const parameter of entry.pathParameters as ReadonlyArray<string>) {
    args[parameter] = parameter === "realm" ? realm : `ct-no-such-${parameter.toLowerCase()}`
  }
  switch (entry.body?.name) {
    case "user":
      args.user = { username: "ct-never-stored" }
      break
    case "roles":
      args.roles = []
      break
    case "locale":
      args.locale = "en"
      break
    case "credential":
      args.credential = { type: "password", value: Redacted.make("Pw1-never-stored"), temporary: false }
      break
    case "query":
      args.query = {}
      break
  }
  return args
}

/** Calls an operation of `api` by name with untyped arguments. */
export const call = (
  api: UserApi.Service,
  operation: Catalogue.OperationName,
  args: Readonly<Record<string, unknown>>
): Effect.Effect<unknown, OpenRemoteError.OpenRemoteError> =>
  (api[operation] as (
    args: Readonly<Record<string, unknown>>
  ) => Effect.Effect<unknown, OpenRemoteError.OpenRemoteError>)(
    args
  )
