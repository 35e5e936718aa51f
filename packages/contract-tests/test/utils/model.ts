/**
 * The reference model of the model-based test: a small, obviously right picture of one realm (its users,
 * their passwords and direct role mappings, and the extra role definitions of the `openremote` client), and
 * what each operation answers in it, results AND typed errors, as USER-API.md §3–§4 describe the server.
 * Operations mutate the model only when they succeed.
 */
import { StandardRoles, User } from "@openremote-effect/model"

export interface ModelUser {
  readonly username: string
  enabled: boolean
  firstName: string | undefined
  password: { readonly value: string; readonly temporary: boolean } | undefined
  /** Direct mappings to roles of the `openremote` client. */
  clientRoles: ReadonlySet<string>
  /** Direct mappings to realm roles (only non-built-in ones are modelled). */
  realmRoles: ReadonlySet<string>
}

export interface Model {
  readonly users: Map<string, ModelUser>
  /** Extra roles of the `openremote` client: name → the names of the roles it is composed of. */
  readonly customRoles: Map<string, ReadonlyArray<string>>
}

/** A typed error the model predicts: the client's `_tag` and the status. */
export interface Failure {
  readonly _tag: "BadRequest" | "Forbidden" | "NotFound" | "NotAllowed" | "Conflict" | "AuthenticationError"
  readonly status: number
}

export type Outcome<A> =
  | { readonly _tag: "Success"; readonly value: A }
  | { readonly _tag: "Failure"; readonly failure: Failure }

const success = <A>(value: A): Outcome<A> => ({ _tag: "Success", value })
const failure = <A = never>(_tag: Failure["_tag"], status: number): Outcome<A> => ({
  _tag: "Failure",
  failure: { _tag, status }
})

/** The realm roles the model knows besides the built-in ones. */
export const realmRoleNames: ReadonlySet<string> = new Set([StandardRoles.restrictedUserRole])

/** The realm of the seed the model starts from (`smartcity`): one regular user, `smartcity` / `smartcity`. */
export const initial = (): Model => ({
  users: new Map([["smartcity", {
    username: "smartcity",
    enabled: true,
    firstName: undefined,
    password: { value: "smartcity", temporary: false },
    clientRoles: new Set(StandardRoles.regularUserRoles),
    realmRoles: new Set()
  }]]),
  customRoles: new Map()
})

/** What a user looks like in answers: the fields the model tracks. */
export interface View {
  readonly username: string
  readonly enabled: boolean
  readonly firstName: string | undefined
}

const view = (user: ModelUser): View => ({ username: user.username, enabled: user.enabled, firstName: user.firstName })

const newUser = (username: string, enabled: boolean | undefined, firstName: string | undefined): ModelUser => ({
  username,
  enabled: enabled ?? false,
  firstName,
  password: undefined,
  clientRoles: new Set(),
  realmRoles: new Set()
})

/** createUser: lower-cased; 400 for a refused username; 403 for an existing one; `enabled` false when left out. */
export const createUser = (
  model: Model,
  input: { readonly username: string; readonly enabled?: boolean | undefined; readonly firstName?: string | undefined }
): Outcome<View> => {
  const username = input.username.toLowerCase()
  if (User.usernameProblem(username) !== undefined) return failure("BadRequest", 400)
  if (model.users.has(username)) return failure("Forbidden", 403)
  const user = newUser(username, input.enabled, input.firstName)
  model.users.set(username, user)
  return success(view(user))
}

/** updateUser by username: the given fields overwrite; a username not found is created (upsert). */
export const updateUser = (
  model: Model,
  input: { readonly username: string; readonly enabled?: boolean | undefined; readonly firstName?: string | undefined }
): Outcome<View & { readonly created: boolean }> => {
  const existing = model.users.get(input.username)
  if (existing === undefined) {
    const created = createUser(model, input)
    return created._tag === "Success" ? success({ ...created.value, created: true }) : created
  }
  if (input.enabled !== undefined) existing.enabled = input.enabled
  if (input.firstName !== undefined) existing.firstName = input.firstName
  return success({ ...view(existing), created: false })
}

/** deleteUser: always succeeds (also for a user that does not exist). */
export const deleteUser = (model: Model, username: string | undefined): Outcome<void> => {
  if (username !== undefined) model.users.delete(username)
  return success(undefined)
}

/** updatePassword: 404 for a user that does not exist, then 400 for a blank password. */
export const updatePassword = (
  model: Model,
  username: string,
  credential: { readonly value: string; readonly temporary: boolean }
): Outcome<void> => {
  const user = model.users.get(username)
  if (user === undefined) return failure("NotFound", 404)
  if (credential.value.trim() === "") return failure("BadRequest", 400)
  user.password = credential
  return success(undefined)
}

/**
 * A password login (the simulator's Keycloak, README "Differences"): `invalid_grant`, with 401 for an unknown
 * user or a wrong (or no) password, 400 for a disabled user (checked first) or a temporary password.
 */
export const login = (model: Model, username: string, password: string): Outcome<View> => {
  const user = model.users.get(username)
  if (user === undefined) return failure("AuthenticationError", 401)
  if (!user.enabled) return failure("AuthenticationError", 400)
  if (user.password === undefined || user.password.value !== password) return failure("AuthenticationError", 401)
  if (user.password.temporary) return failure("AuthenticationError", 400)
  return success(view(user))
}

/** Every role name of the `openremote` client. */
export const clientRoleNames = (model: Model): ReadonlySet<string> =>
  new Set([...StandardRoles.clientRoles, ...model.customRoles.keys()])

/** updateRoles adding a role: a new role whose name a role already has is a 409 (USER-API.md §3 #16). */
export const defineRole = (model: Model, name: string, composites: ReadonlyArray<string>): Outcome<void> => {
  if (clientRoleNames(model).has(name)) return failure("Conflict", 409)
  model.customRoles.set(name, composites)
  return success(undefined)
}

/** updateRoles leaving a role out: it is deleted, and unmapped from every user. */
export const removeRole = (model: Model, name: string): Outcome<void> => {
  if (model.customRoles.delete(name)) {
    for (const user of model.users.values()) {
      user.clientRoles = new Set([...user.clientRoles].filter((role) => role !== name))
    }
  }
  return success(undefined)
}

/** updateUserClientRoles: 404 for a user that does not exist; replace-all, unknown names ignored. */
export const assignClientRoles = (model: Model, username: string, roles: ReadonlyArray<string>): Outcome<void> => {
  const user = model.users.get(username)
  if (user === undefined) return failure("NotFound", 404)
  const known = clientRoleNames(model)
  user.clientRoles = new Set(roles.filter((role) => known.has(role)))
  return success(undefined)
}

/** updateUserRealmRoles: 404 for a user that does not exist; replace-all, unknown names ignored. */
export const assignRealmRoles = (model: Model, username: string, roles: ReadonlyArray<string>): Outcome<void> => {
  const user = model.users.get(username)
  if (user === undefined) return failure("NotFound", 404)
  user.realmRoles = new Set(roles.filter((role) => realmRoleNames.has(role)))
  return success(undefined)
}

const composites = (model: Model, role: string): ReadonlyArray<string> =>
  role === "read" || role === "write" ? StandardRoles.compositeRoles[role] : model.customRoles.get(role) ?? []

/** A user's effective roles of the `openremote` client: composites expanded. */
export const effectiveClientRoles = (model: Model, user: ModelUser): ReadonlySet<string> => {
  const effective = new Set<string>()
  const pending = [...user.clientRoles]
  while (pending.length > 0) {
    const role = pending.pop()!
    if (effective.has(role)) continue
    effective.add(role)
    pending.push(...composites(model, role))
  }
  return effective
}

/** getUser and the role reads: 405 for a user that does not exist (the read-user check). */
export const readUser = (
  model: Model,
  username: string
): Outcome<View & { readonly clientRoles: ReadonlySet<string>; readonly realmRoles: ReadonlySet<string> }> => {
  const user = model.users.get(username)
  if (user === undefined) return failure("NotAllowed", 405)
  return success({ ...view(user), clientRoles: effectiveClientRoles(model, user), realmRoles: user.realmRoles })
}

/** queryUsers of the realm with a BEGIN username predicate (case-insensitive; `""` matches everyone). */
export const query = (model: Model, prefix: string): ReadonlyArray<View> =>
  [...model.users.values()].filter((user) => user.username.startsWith(prefix.toLowerCase())).map(view)
