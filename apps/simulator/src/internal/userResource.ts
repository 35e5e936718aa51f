/**
 * What the 24 operations do (USER-API.md §2–§6), with no HTTP in it: each handler takes the verified caller
 * and the decoded input, checks in the server's order, changes the store, and returns the decoded success
 * value or throws a {@link Rejection} with the status and body the server answers.
 *
 * The order of the checks: the annotation role (done before the body is read, in the route's hook), then
 * the admin-realm check (401 without caller, 405 for a realm the caller may not use, also for a realm that
 * does not exist), the read-user check (405, also for a user that does not exist), the same-realm check
 * (405), and the checks in code, which count only roles of the `openremote` client.
 *
 * @internal
 */
import type { Catalogue, Operation, Role, UserQuery, UserSession } from "@openremote-effect/model"
import { StandardRoles, type User } from "@openremote-effect/model"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { RealmRecord, RoleRecord, Store, UserFailure, UserRecord } from "../Store.js"
import type { Caller } from "./caller.js"
import { hasOpenRemoteRole } from "./caller.js"
import * as Query from "./query.js"
import type { Rejection } from "./rejection.js"
import { empty, notAllowed, passedOn } from "./rejection.js"
import { stripPrefix } from "./usernames.js"

/**
 * What a handler knows besides its input.
 *
 * @internal
 */
export interface Context {
  readonly store: Store
  readonly caller: Caller | null
  /** The realm after `/api/`. */
  readonly requestRealm: string
  /** The simulator's clock, epoch ms. */
  readonly now: number
}

type Handler<Op extends Operation.Any> = (context: Context, input: Operation.Input<Op>) => Operation.Success<Op>

/**
 * One handler per catalogue operation.
 *
 * @internal
 */
export type Handlers = { readonly [K in Catalogue.OperationName]: Handler<Catalogue.Operations[K]> }

// -------------------------------------------------------------------------------------------------------------
// checks

const realmNotAccessible = "Realm not accessible"

/** The admin-realm check: a caller (else 401) who may use `realm` (else 405); the realm must exist (else 405). */
const adminRealm = (context: Context, realm: string): { readonly caller: Caller; readonly realm: RealmRecord } => {
  const caller = context.caller
  if (caller === null) throw empty(401)
  if (caller.realm !== realm && !caller.superUser) throw notAllowed(realmNotAccessible)
  const record = context.store.realm(realm)
  if (record === undefined) throw notAllowed(realmNotAccessible)
  return { caller, realm: record }
}

/** The read-user check: the admin-realm check, then the user must exist in the realm (else 405). */
const readUser = (context: Context, realm: string, userId: string) => {
  const checked = adminRealm(context, realm)
  const user = context.store.userIn(checked.realm, userId)
  if (user === undefined) throw notAllowed("User not found in realm")
  return { caller: checked.caller, realm: checked.realm, user }
}

/** In code: reading another user needs the `openremote` role read:admin (else 403). */
const selfOrReadAdmin = (caller: Caller, userId: string) => {
  if (caller.id !== userId && !hasOpenRemoteRole(caller, "read:admin")) throw empty(403)
}

/**
 * The same-realm check, skipped for super users: the caller's realm must be `realm`, and the target must be
 * the caller or the caller must hold the `openremote` role write:admin (else 405).
 */
const sameRealm = (caller: Caller, realm: string, targetId: string | undefined) => {
  if (caller.superUser) return
  if (caller.realm !== realm) throw notAllowed(realmNotAccessible)
  if (targetId !== caller.id && !hasOpenRemoteRole(caller, "write:admin")) {
    throw notAllowed("Not allowed to modify that user")
  }
}

/** An authenticated caller (else 403, as the server's `isAuthenticated` checks answer). */
const authenticated = (context: Context): Caller => {
  if (context.caller === null) throw empty(403)
  return context.caller
}

// -------------------------------------------------------------------------------------------------------------
// views

type View = "full" | "basic" | "created" | "updated"

/**
 * A user as the server answers it: `full` (get_user, admin queries: every field), `basic` (queries by
 * read:users callers or with `select.basic`: no email, realmId, secret or attributes), `created` (no
 * createdOn, realmId or secret), `updated` (no secret).
 */
const userView = (store: Store, realm: RealmRecord, user: UserRecord, view: View): User.User => {
  // Built by assignment rather than by conditional spreads: this runs for every user of every answer (a
  // query of 50 users builds 50), and each `...(c ? {} : { x })` allocates an object (measured under
  // `pnpm bench --only throughput`). The wire order is the schema's (the encoder rebuilds it).
  const out: { -readonly [K in keyof User.User]: User.User[K] } = {
    realm: realm.name,
    id: user.id,
    username: stripPrefix(user.username),
    enabled: user.enabled,
    serviceAccount: user.serviceAccount
  }
  if (view === "full" || view === "updated") out.realmId = realm.id
  if (user.firstName !== undefined) out.firstName = user.firstName
  if (user.lastName !== undefined) out.lastName = user.lastName
  if (user.email !== undefined && view !== "basic") out.email = user.email
  if (view !== "created") out.createdOn = DateTime.unsafeMake(user.createdOn)
  if (view === "full") {
    const secret = store.serviceClientOf(realm, user)?.secret
    if (secret !== undefined) out.secret = Redacted.make(secret)
  }
  if (view !== "basic" && user.attributes.size > 0) out.attributes = Object.fromEntries(user.attributes)
  return out
}

const roleView = (role: RoleRecord): Role.Role => ({
  id: role.id,
  name: role.name,
  ...(role.description === undefined ? {} : { description: role.description }),
  composite: role.composites.size > 0,
  ...(role.composites.size === 0 ? {} : { compositeRoleIds: [...role.composites] })
})

const sessionView = (
  session: {
    readonly id: string
    readonly username: string
    readonly startTimeMillis: number
    readonly remoteAddress: string
  }
): UserSession.UserSession => ({
  id: session.id,
  username: session.username,
  startTimeMillis: session.startTimeMillis,
  remoteAddress: session.remoteAddress
})

// -------------------------------------------------------------------------------------------------------------
// shared operations

const userFailure = (failure: UserFailure): Rejection => {
  switch (failure._tag) {
    case "InvalidUser":
      return passedOn(400, failure.message)
    case "UserExists":
      return empty(403)
    case "ClientIdTaken":
      // Keycloak's `getServiceAccountUser` refuses a client without a service account.
      return passedOn(400, `Service account not enabled for the client '${failure.clientId}'`)
    case "ServiceUserChange":
      return notAllowed(failure.message)
  }
}

const userClientRoles = (store: Store, realm: RealmRecord, user: UserRecord, clientId: string) => {
  const client = realm.clients.get(clientId)
  return client === undefined ? [] : store.effectiveClientRoleNames(realm, user, client)
}

const userRealmRoles = (store: Store, realm: RealmRecord, user: UserRecord) => {
  const builtIn = new Set(StandardRoles.builtInRealmRoles(realm.name))
  return store.effectiveRealmRoleNames(realm, user).filter((name) => !builtIn.has(name))
}

/** Update by id, else by username; create when neither finds a user (USER-API.md §4). */
const createOrUpdate = (
  context: Context,
  caller: Caller,
  realm: RealmRecord,
  input: User.User,
  options: { readonly protectMasterAdmin: boolean }
): User.User => {
  const { store } = context
  const byId = input.id === undefined ? undefined : store.userIn(realm, input.id)
  const username = input.username?.toLowerCase()
  // A service user's username comes without its prefix in responses, so it may come back without it.
  const target = byId ?? (username === undefined ? undefined : store.userByUsername(realm, username) ??
    (input.serviceAccount === false || username.startsWith(StandardRoles.serviceAccountPrefix)
      ? undefined
      : store.userByUsername(realm, StandardRoles.serviceAccountPrefix + username)))
  sameRealm(caller, realm.name, target?.id)
  if (options.protectMasterAdmin && target !== undefined && store.isMasterAdmin(target) && input.enabled !== true) {
    throw notAllowed("The master realm admin user cannot be disabled")
  }
  // The server lower-cases the username, then reads its length before checking that it is there (500).
  if (input.username === undefined) throw passedOn(500, "the user has no username")
  if (target === undefined) {
    const created = store.createUser(realm, input, context.now)
    if (Either.isLeft(created)) throw userFailure(created.left)
    return userView(store, realm, created.right, "created")
  }
  const updated = store.updateUser(target, input)
  if (Either.isLeft(updated)) throw userFailure(updated.left)
  return userView(store, realm, updated.right, "updated")
}

const requestReset = (context: Context, realm: RealmRecord, user: UserRecord): void => {
  if (user.email === undefined) throw passedOn(400, "User email missing")
  if (!user.enabled) throw passedOn(400, "User is disabled")
  if (realm.mailServer === undefined) {
    throw passedOn(500, `Failed to send execute actions email: realm "${realm.name}" has no mail server`)
  }
  context.store.sendPasswordReset(realm, user, realm.mailServer, context.now)
}

const replaceRoles = (context: Context, realmName: string, clientId: string, roles: ReadonlyArray<Role.Role>): void => {
  const { realm } = adminRealm(context, realmName)
  const replaced = context.store.replaceClientRoles(realm, clientId, roles)
  if (Either.isLeft(replaced)) throw passedOn(replaced.left._tag === "RoleExists" ? 409 : 404, replaced.left.message)
}

const setPassword = (
  context: Context,
  realm: RealmRecord,
  user: UserRecord,
  credential: { readonly value?: Redacted.Redacted<string> | undefined; readonly temporary?: boolean | undefined }
) => {
  const result = context.store.setPassword(
    realm,
    user,
    credential.value === undefined ? undefined : Redacted.value(credential.value),
    credential.temporary ?? false
  )
  if (Either.isLeft(result)) throw passedOn(400, result.left.message)
}

/** The caller's own user record (the caller's realm is the request realm; a deleted user is a 404). */
const currentUser = (context: Context, caller: Caller) => {
  const realm = context.store.realm(caller.realm)
  const user = realm === undefined ? undefined : context.store.userIn(realm, caller.id)
  if (realm === undefined || user === undefined) throw passedOn(404, "User not found")
  return { realm, user }
}

// -------------------------------------------------------------------------------------------------------------
// the 24 handlers

/**
 * @internal
 */
export const handlers: Handlers = {
  createUser: (context, { realm, user }) => {
    const checked = adminRealm(context, realm)
    const created = context.store.createUser(checked.realm, user, context.now)
    if (Either.isLeft(created)) throw userFailure(created.left)
    return userView(context.store, checked.realm, created.right, "created")
  },

  deleteUser: (context, { realm, userId }) => {
    const checked = adminRealm(context, realm)
    const user = context.store.userById(userId)
    if (user !== undefined && context.store.isMasterAdmin(user) && realm === user.realm) {
      throw notAllowed("The master realm admin user cannot be deleted")
    }
    // The server finds the user in any realm, then deletes it in `{realm}`, which fails: the user survives.
    if (user !== undefined && user.realm !== checked.realm.name) {
      throw passedOn(500, `the user is not in realm "${checked.realm.name}"`)
    }
    context.store.deleteUser(checked.realm, userId)
  },

  disconnectUserSession: (context, { sessionID }) => {
    if (!context.store.closeSession(sessionID)) throw empty(404)
  },

  getClientRoles: (context, { clientId, realm }) => {
    const checked = adminRealm(context, realm)
    const client = checked.realm.clients.get(clientId)
    if (client === undefined) throw passedOn(500, `realm "${realm}" has no client "${clientId}"`)
    return [...client.roles.values()].map(roleView)
  },

  getCurrentUser: (context) =>
    handlers.getUser(context, { realm: context.requestRealm, userId: authenticated(context).id }),

  getCurrentUserClientRoles: (context, { clientId }) =>
    handlers.getUserClientRoles(context, {
      realm: context.requestRealm,
      userId: authenticated(context).id,
      clientId
    }),

  getCurrentUserRealmRoles: (context) =>
    handlers.getUserRealmRoles(context, { realm: context.requestRealm, userId: authenticated(context).id }),

  getUser: (context, { realm, userId }) => {
    const checked = readUser(context, realm, userId)
    selfOrReadAdmin(checked.caller, userId)
    return userView(context.store, checked.realm, checked.user, "full")
  },

  getUserClientRoles: (context, { clientId, realm, userId }) => {
    const checked = readUser(context, realm, userId)
    selfOrReadAdmin(checked.caller, userId)
    return userClientRoles(context.store, checked.realm, checked.user, clientId)
  },

  getUserRealmRoles: (context, { realm, userId }) => {
    const checked = readUser(context, realm, userId)
    selfOrReadAdmin(checked.caller, userId)
    return userRealmRoles(context.store, checked.realm, checked.user)
  },

  getUserSessions: (context, { realm, userId }) => {
    const checked = readUser(context, realm, userId)
    selfOrReadAdmin(checked.caller, userId)
    return context.store.sessions({ userId }).map(sessionView)
  },

  queryUsers: (context, { query }) => {
    const caller = context.caller
    const admin = hasOpenRemoteRole(caller, "read:admin")
    const restricted = !admin && hasOpenRemoteRole(caller, "read:users")
    if (caller === null || (!admin && !restricted)) throw empty(403)
    const body: UserQuery.UserQuery = query ?? {}
    const found = Query.run(context.store, { superUser: caller.superUser, realm: caller.realm }, body)
    if (Either.isLeft(found)) throw passedOn(500, "ordering by CREATED_ON fails on the server")
    const view = restricted || body.select?.basic === true ? "basic" : "full"
    return found.right.map(({ realm, user }) => userView(context.store, realm, user, view))
  },

  requestPasswordReset: (context) => {
    const caller = authenticated(context)
    const { realm, user } = currentUser(context, caller)
    requestReset(context, realm, user)
  },

  requestUserPasswordReset: (context, { realm, userId }) => {
    const checked = adminRealm(context, realm)
    sameRealm(checked.caller, realm, userId)
    const user = context.store.userIn(checked.realm, userId)
    if (user === undefined) throw passedOn(404, "User not found")
    requestReset(context, checked.realm, user)
  },

  resetSecret: (context, { realm, userId }) => {
    const checked = adminRealm(context, realm)
    const user = context.store.userIn(checked.realm, userId)
    if (user === undefined) throw empty(204)
    const secret = context.store.resetSecret(checked.realm, user)
    if (Either.isRight(secret)) return Redacted.make(secret.right)
    if (secret.left === "NoClient") throw empty(204)
    throw passedOn(500, "the username is shorter than \"service-account-\"")
  },

  updateClientRoles: (context, { clientId, realm, roles }) => replaceRoles(context, realm, clientId, roles),

  updateCurrentUserLocale: (context, { locale }) => {
    const parsed = locale.replaceAll("\"", "")
    if (parsed === "") throw empty(400)
    const caller = authenticated(context)
    const { user } = readUser(context, context.requestRealm, caller.id)
    if (context.store.isMasterAdmin(user) && !user.enabled) {
      throw notAllowed("The master realm admin user cannot be disabled")
    }
    context.store.setAttribute(user, "locale", [parsed])
  },

  updateOwnPassword: (context, { credential }) => {
    const caller = authenticated(context)
    const { realm, user } = currentUser(context, caller)
    setPassword(context, realm, user, credential)
  },

  updatePassword: (context, { credential, realm, userId }) => {
    const checked = adminRealm(context, realm)
    sameRealm(checked.caller, realm, userId)
    const user = context.store.userIn(checked.realm, userId)
    if (user === undefined) throw passedOn(404, "User not found")
    setPassword(context, checked.realm, user, credential)
  },

  updateRoles: (context, { realm, roles }) => replaceRoles(context, realm, StandardRoles.openremoteClient, roles),

  updateSelf: (context, { user }) => {
    const caller = authenticated(context)
    if (user.id !== undefined && user.id !== caller.id) throw empty(403)
    const realm = context.store.realm(caller.realm)
    if (realm === undefined) throw notAllowed(realmNotAccessible)
    return createOrUpdate(context, caller, realm, { ...user, id: caller.id, realm: caller.realm }, {
      protectMasterAdmin: false
    })
  },

  updateUser: (context, { realm, user }) => {
    const checked = adminRealm(context, realm)
    return createOrUpdate(context, checked.caller, checked.realm, user, { protectMasterAdmin: true })
  },

  updateUserClientRoles: (context, { clientId, realm, roles, userId }) => {
    const checked = adminRealm(context, realm)
    const user = context.store.userIn(checked.realm, userId)
    if (user === undefined) throw passedOn(404, "User not found")
    const client = checked.realm.clients.get(clientId)
    if (client === undefined) throw passedOn(500, `realm "${realm}" has no client "${clientId}"`)
    context.store.setClientRoleMappings(user, client, roles)
  },

  updateUserRealmRoles: (context, { realm, roles, userId }) => {
    const checked = adminRealm(context, realm)
    const user = context.store.userIn(checked.realm, userId)
    if (user === undefined) throw passedOn(404, "User not found")
    context.store.setRealmRoleMappings(checked.realm, user, roles)
  }
}

/**
 * Runs the handler of `operation`.
 *
 * @internal
 */
export const handle = (
  operation: Catalogue.OperationName,
  context: Context,
  input: Readonly<Record<string, unknown>>
): unknown =>
  (handlers[operation] as (context: Context, input: Readonly<Record<string, unknown>>) => unknown)(context, input)
