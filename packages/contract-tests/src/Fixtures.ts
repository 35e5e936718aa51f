/**
 * Fixtures: uniquely named users, people who can sign in, and service users, created through the client by
 * an administrating caller and deleted again when the scope closes (also when the test fails), so that runs
 * against a shared live OpenRemote never collide and leave nothing behind.
 *
 * Names look like `ct-<label>-<8 random base-36 characters>`, valid usernames everywhere.
 *
 * @since 0.1.0
 */
import type { OpenRemoteError, UserApi } from "@openremote-effect/client"
import { StandardRoles, type User } from "@openremote-effect/model"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Callers from "./Callers.js"
import type { Recorder } from "./Recorder.js"
import { Target } from "./Target.js"

const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

const randomText = (length: number, characters: string = alphabet) =>
  Effect.map(
    Effect.all(Array.from({ length }, () => Random.nextIntBetween(0, characters.length))),
    (indexes) => indexes.map((i) => characters[i]).join("")
  )

/**
 * A fresh name: `ct-<label>-<8 random characters>`.
 *
 * @since 0.1.0
 * @category names
 */
export const uniqueName = (label: string): Effect.Effect<string> =>
  Effect.map(randomText(8), (suffix) => `ct-${label}-${suffix}`)

/**
 * A fresh password that any password policy of a default realm accepts.
 *
 * @since 0.1.0
 * @category names
 */
export const newPassword: Effect.Effect<Redacted.Redacted<string>> = Effect.map(
  randomText(16, alphabet + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
  (text) => Redacted.make(`Pw1-${text}`)
)

/**
 * A stored user with its id.
 *
 * @since 0.1.0
 * @category models
 */
export interface Created {
  readonly id: string
  readonly realm: string
  /** The username the user was created with (lower case). */
  readonly username: string
  /** The create response. */
  readonly user: User.User
}

/**
 * What a user is created with: its realm, a label for its name, and any other fields of the create body.
 *
 * @since 0.1.0
 * @category models
 */
export interface UserOptions extends Omit<User.User, "username" | "realm" | "id"> {
  readonly realm: string
  readonly label?: string | undefined
}

/**
 * A user created by `admin` (enabled unless `enabled: false` is given), deleted when the scope closes.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const user = Effect.fn("Fixtures.user")(
  function*(
    admin: UserApi.Service,
    options: UserOptions
  ): Effect.fn.Return<Created, OpenRemoteError.OpenRemoteError, Scope.Scope> {
    const { label, realm, ...fields } = options
    const username = yield* uniqueName(label ?? "user")
    const created = yield* Effect.acquireRelease(
      admin.createUser({ realm, user: { enabled: true, ...fields, username } }),
      (created) =>
        created.id === undefined ? Effect.void : Effect.ignore(admin.deleteUser({ realm, userId: created.id }))
    )
    if (created.id === undefined) return yield* Effect.dieMessage(`createUser answered ${username} without an id`)
    return { id: created.id, realm, username, user: created }
  }
)

/**
 * A person: a user with a password, roles, and a `UserApi` signed in as them (password grant on client
 * `openremote`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Person extends Created {
  readonly password: Redacted.Redacted<string>
  /** Their tokens, for more callers. */
  readonly tokens: Callers.Tokens
  /** The `UserApi` as them, through `/api/{realm}`. */
  readonly api: UserApi.Service
}

/**
 * What a person is created with: the user's fields, and their direct role mappings.
 *
 * @since 0.1.0
 * @category models
 */
export interface PersonOptions extends UserOptions {
  /** Roles of the `openremote` client (none by default). */
  readonly clientRoles?: ReadonlyArray<string> | undefined
  /** Realm roles (none by default). */
  readonly realmRoles?: ReadonlyArray<string> | undefined
}

/**
 * A person created by `admin`, with a password and the given roles, deleted when the scope closes.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const person = Effect.fn("Fixtures.person")(
  function*(
    admin: UserApi.Service,
    options: PersonOptions
  ): Effect.fn.Return<Person, OpenRemoteError.OpenRemoteError, Target | Recorder | Scope.Scope> {
    const { clientRoles, realmRoles, ...userOptions } = options
    const created = yield* user(admin, { label: "person", ...userOptions })
    const { id: userId, realm } = created
    const password = yield* newPassword
    yield* admin.updatePassword({ realm, userId, credential: { type: "password", value: password, temporary: false } })
    if (clientRoles !== undefined && clientRoles.length > 0) {
      yield* admin.updateUserClientRoles({
        realm,
        userId,
        clientId: StandardRoles.openremoteClient,
        roles: clientRoles
      })
    }
    if (realmRoles !== undefined && realmRoles.length > 0) {
      yield* admin.updateUserRealmRoles({ realm, userId, roles: realmRoles })
    }
    const target = yield* Target
    const tokens = Callers.passwordTokens(target, realm, created.username, password)
    const api = yield* Callers.make({ realm, tokens })
    return { ...created, password, tokens, api }
  }
)

/**
 * A service user: its client id (the username) and its secret.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServiceUser extends Created {
  /** The client id of its client credentials: its username without the `service-account-` prefix. */
  readonly clientId: string
  readonly secret: Redacted.Redacted<string>
}

/**
 * A service user created by `admin` in `realm` (its secret read with `getUser`), deleted when the scope
 * closes.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const serviceUser = Effect.fn("Fixtures.serviceUser")(
  function*(
    admin: UserApi.Service,
    options: { readonly realm: string; readonly label?: string | undefined }
  ): Effect.fn.Return<ServiceUser, OpenRemoteError.OpenRemoteError, Scope.Scope> {
    const created = yield* user(admin, {
      realm: options.realm,
      label: options.label ?? "service",
      serviceAccount: true
    })
    const read = yield* admin.getUser({ realm: created.realm, userId: created.id })
    if (read.secret === undefined) return yield* Effect.dieMessage(`getUser answered no secret for ${created.username}`)
    return { ...created, clientId: created.username, secret: read.secret }
  }
)
