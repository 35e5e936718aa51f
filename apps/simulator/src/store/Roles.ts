/**
 * The role graph as plain functions over the store's records: defining roles and wiring composites, the
 * effective roles of a user (composites expanded), direct mappings by name, replace-all of mappings and of a
 * client's role definitions (USER-API.md §4).
 *
 * The reads take the read-only records; the changes take the store's writable ones, so only the store calls
 * them, after it has validated.
 *
 * @since 0.1.0
 */
import type { Role } from "@openremote-effect/model"
import { StandardRoles } from "@openremote-effect/model"
import * as Either from "effect/Either"
import { randomId } from "../internal/ids.js"
import type {
  ClientRecord,
  RealmRecord,
  UserRecord,
  WritableClient,
  WritableRealm,
  WritableRole,
  WritableUser
} from "./Records.js"

/**
 * Why role definitions could not be replaced: `RoleExists` (a new role whose name is taken; Keycloak's 409)
 * or `RoleDefinitionFailure` (every other failure; the server's 404).
 *
 * @since 0.1.0
 * @category models
 */
export interface RoleDefinitionFailure {
  readonly _tag: "RoleDefinitionFailure" | "RoleExists"
  readonly message: string
}

const roleDescriptions: Readonly<Record<StandardRoles.ClientRoleName, string>> = {
  "read:admin": "Read system settings, realms, and users",
  "read:logs": "Read logs and log settings",
  "read:users": "Read a limited set of user details",
  "read:map": "View the map",
  "read:assets": "Read asset data",
  "read:rules": "Read rulesets",
  "read:insights": "Read dashboards",
  "read:alarms": "Read alarms",
  "read:notifications": "Read notifications",
  "read:services": "Read services",
  "write:services": "Write services",
  "write:user": "Write data of the authenticated user",
  "write:admin": "Write system settings, realms, and users",
  "write:logs": "Write log settings",
  "write:assets": "Write asset data",
  "write:attributes": "Write attribute data",
  "write:rules": "Write rulesets",
  "write:insights": "Write dashboards",
  "write:alarms": "Write alarms",
  "write:notifications": "Write notifications",
  read: "Read all data",
  write: "Write all data"
}

/**
 * A role definition to create: a name, a description, and the names of the roles it is composed of.
 *
 * @since 0.1.0
 * @category models
 */
export interface RoleDefinition {
  readonly name: string
  readonly description?: string | undefined
  readonly composites?: ReadonlyArray<string> | undefined
}

/**
 * The 22 standard role definitions of the `openremote` client and of every service user's client, with
 * Keycloak's descriptions and the composites `read` and `write`.
 *
 * @since 0.1.0
 * @category constants
 */
export const standardClientRoles: ReadonlyArray<RoleDefinition> = StandardRoles.clientRoles.map((name) => ({
  name,
  description: roleDescriptions[name],
  composites: name === "read" || name === "write" ? StandardRoles.compositeRoles[name] : undefined
}))

// -------------------------------------------------------------------------------------------------------------
// definitions (store only)

/**
 * Adds a role definition to `owner` (the realm roles or a client's roles) and to the realm's role index.
 *
 * @since 0.1.0
 * @category changes
 */
export const addRole = (
  realm: WritableRealm,
  owner: Map<string, WritableRole>,
  role: { readonly id: string; readonly name: string; readonly description: string | undefined },
  clientUuid: string | undefined
): WritableRole => {
  const record: WritableRole = { ...role, composites: new Set(), clientUuid }
  owner.set(record.id, record)
  realm.roles.set(record.id, record)
  return record
}

/**
 * Wires composites by name among the roles of one owner; unknown names are ignored.
 *
 * @since 0.1.0
 * @category changes
 */
export const wireComposites = (
  owner: ReadonlyMap<string, WritableRole>,
  composites: ReadonlyArray<readonly [string, ReadonlyArray<string>]>
): void => {
  const byName = new Map([...owner.values()].map((role) => [role.name, role]))
  for (const [name, parts] of composites) {
    const role = byName.get(name)
    if (role === undefined) continue
    for (const part of parts) {
      const target = byName.get(part)
      if (target !== undefined) role.composites.add(target.id)
    }
  }
}

/**
 * Adds role definitions to `owner`, with ids from `roleId`, and wires their composites.
 *
 * @since 0.1.0
 * @category changes
 */
export const addRoles = (
  realm: WritableRealm,
  owner: Map<string, WritableRole>,
  roles: ReadonlyArray<RoleDefinition>,
  roleId: (name: string) => string,
  clientUuid: string | undefined
): void => {
  for (const role of roles) {
    addRole(realm, owner, { id: roleId(role.name), name: role.name, description: role.description }, clientUuid)
  }
  wireComposites(owner, roles.map((role) => [role.name, role.composites ?? []] as const))
}

/**
 * Removes roles from the realm's index, from every composite and from every user's mappings.
 *
 * @since 0.1.0
 * @category changes
 */
export const forgetRoles = (realm: WritableRealm, ids: ReadonlySet<string>): void => {
  if (ids.size === 0) return
  for (const id of ids) realm.roles.delete(id)
  for (const role of realm.roles.values()) {
    for (const id of ids) role.composites.delete(id)
  }
  for (const user of realm.users.values()) {
    for (const id of ids) {
      user.clientRoleIds.delete(id)
      user.realmRoleIds.delete(id)
    }
  }
}

// -------------------------------------------------------------------------------------------------------------
// reads

/**
 * The ids of every role `user` has, composites expanded.
 *
 * @since 0.1.0
 * @category reads
 */
export const effectiveRoleIds = (realm: RealmRecord, user: UserRecord): ReadonlySet<string> => {
  const effective = new Set<string>()
  const pending = [...user.realmRoleIds, ...user.clientRoleIds]
  while (pending.length > 0) {
    const id = pending.pop()!
    if (effective.has(id)) continue
    const role = realm.roles.get(id)
    if (role === undefined) continue
    effective.add(id)
    pending.push(...role.composites)
  }
  return effective
}

/**
 * The names of `user`'s effective realm roles, in definition order.
 *
 * @since 0.1.0
 * @category reads
 */
export const effectiveRealmRoleNames = (realm: RealmRecord, user: UserRecord): ReadonlyArray<string> => {
  const effective = effectiveRoleIds(realm, user)
  return [...realm.realmRoles.values()].filter((role) => effective.has(role.id)).map((role) => role.name)
}

/**
 * The names of `user`'s effective roles of `client`, in definition order.
 *
 * @since 0.1.0
 * @category reads
 */
export const effectiveClientRoleNames = (
  realm: RealmRecord,
  user: UserRecord,
  client: ClientRecord
): ReadonlyArray<string> => {
  const effective = effectiveRoleIds(realm, user)
  return [...client.roles.values()].filter((role) => effective.has(role.id)).map((role) => role.name)
}

/**
 * The client roles among `roleIds`, by client id (in client id order), each client's in definition order.
 * Visits only the clients those roles belong to, not every client of the realm (there is one per service
 * user).
 *
 * @since 0.1.0
 * @category reads
 */
export const byClient = (
  realm: RealmRecord,
  roleIds: ReadonlySet<string>
): ReadonlyMap<string, ReadonlyArray<string>> => {
  const clients = new Set<ClientRecord>()
  for (const id of roleIds) {
    const clientUuid = realm.roles.get(id)?.clientUuid
    const client = clientUuid === undefined ? undefined : realm.clientsById.get(clientUuid)
    if (client !== undefined) clients.add(client)
  }
  const result = new Map<string, ReadonlyArray<string>>()
  for (
    const client of [...clients].sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0))
  ) {
    const names = [...client.roles.values()].filter((role) => roleIds.has(role.id)).map((role) => role.name)
    if (names.length > 0) result.set(client.clientId, names)
  }
  return result
}

/**
 * `user`'s effective client roles of every client that gives it any, by client id.
 *
 * @since 0.1.0
 * @category reads
 */
export const effectiveClientRoles = (
  realm: RealmRecord,
  user: UserRecord
): ReadonlyMap<string, ReadonlyArray<string>> => byClient(realm, effectiveRoleIds(realm, user))

const names = (realm: RealmRecord, ids: ReadonlySet<string>): ReadonlyArray<string> =>
  [...ids].flatMap((id) => {
    const role = realm.roles.get(id)
    return role === undefined ? [] : [role.name]
  })

/**
 * The names of `user`'s direct realm role mappings.
 *
 * @since 0.1.0
 * @category reads
 */
export const directRealmRoleNames = (realm: RealmRecord, user: UserRecord): ReadonlyArray<string> =>
  names(realm, user.realmRoleIds)

/**
 * The names of `user`'s direct client role mappings, of every client.
 *
 * @since 0.1.0
 * @category reads
 */
export const directClientRoleNames = (realm: RealmRecord, user: UserRecord): ReadonlyArray<string> =>
  names(realm, user.clientRoleIds)

// -------------------------------------------------------------------------------------------------------------
// replace-all (store only)

/**
 * Replace-all of `user`'s direct realm role mappings (USER-API.md §4): the named roles of the realm are
 * mapped, every other non-built-in realm role is unmapped; unknown names are ignored.
 *
 * @since 0.1.0
 * @category changes
 */
export const setRealmRoleMappings = (realm: RealmRecord, user: WritableUser, names: ReadonlyArray<string>): void => {
  const builtIn = new Set(StandardRoles.builtInRealmRoles(realm.name))
  const wanted = new Set(names)
  for (const role of realm.realmRoles.values()) {
    if (wanted.has(role.name)) user.realmRoleIds.add(role.id)
    else if (!builtIn.has(role.name)) user.realmRoleIds.delete(role.id)
  }
}

/**
 * Replace-all of `user`'s direct role mappings of `client`: the named roles are mapped, every other role of
 * the client is unmapped; unknown names are ignored.
 *
 * @since 0.1.0
 * @category changes
 */
export const setClientRoleMappings = (user: WritableUser, client: ClientRecord, names: ReadonlyArray<string>): void => {
  const wanted = new Set(names)
  for (const role of client.roles.values()) {
    if (wanted.has(role.name)) user.clientRoleIds.add(role.id)
    else user.clientRoleIds.delete(role.id)
  }
}

/**
 * Why `roles` cannot replace `client`'s role definitions, or the ids of the roles the update keeps (see
 * {@link replaceClientRoles}).
 */
const checkReplacement = (
  client: WritableClient,
  roles: ReadonlyArray<Role.Role>
): Either.Either<ReadonlySet<string>, RoleDefinitionFailure> => {
  const fail = (message: string) => Either.left<RoleDefinitionFailure>({ _tag: "RoleDefinitionFailure", message })
  const kept = new Set<string>()
  for (const role of roles) {
    if (role.id !== undefined) {
      const existing = client.roles.get(role.id)
      if (existing === undefined) return fail(`client "${client.clientId}" has no role with id "${role.id}"`)
      if (kept.has(role.id)) return fail(`role id "${role.id}" appears twice`)
      if (existing.composites.size > 0 && role.compositeRoleIds === undefined) {
        return fail(`the composite role "${existing.name}" was sent without its compositeRoleIds`)
      }
      kept.add(role.id)
    }
    if (role.name === undefined || role.name === "") return fail("a role has no name")
  }
  // Keycloak creates the new roles after deleting the dropped ones: a new name clashes with a kept role's
  // current name, or with an earlier new role's (409).
  const taken = new Set([...kept].map((id) => client.roles.get(id)!.name))
  const names = new Set<string>()
  for (const role of roles) {
    if (role.id === undefined && taken.has(role.name!)) {
      return Either.left({ _tag: "RoleExists", message: `a role named "${role.name}" already exists` })
    }
    if (role.id === undefined) taken.add(role.name!)
  }
  for (const role of roles) {
    if (names.has(role.name!)) return fail(`two roles are named "${role.name}"`)
    names.add(role.name!)
  }
  for (const role of roles) {
    for (const composite of role.compositeRoleIds ?? []) {
      if (composite === role.id) return fail(`role "${role.name}" cannot be composed of itself`)
      if (!kept.has(composite)) return fail(`composite role id "${composite}" is not a role this update keeps`)
    }
  }
  return Either.right(kept)
}

/**
 * Replace-all of a client's role definitions (USER-API.md §4): roles whose id is not in `roles` are
 * deleted (and unmapped from every user); a role without an id is created; a role with an id is renamed,
 * re-described and gets the given composites (none when `compositeRoleIds` is empty; an existing composite
 * role must list them). `composite` and `assigned` are ignored. Refused without change, `RoleExists`: a new
 * role whose name is the name of a role the update keeps or of an earlier new role; `RoleDefinitionFailure`:
 * an unknown client, an unknown or repeated role id, a role without a name, two kept roles with one name, an
 * existing composite role sent without `compositeRoleIds`, a composite id that is not the id of another role
 * of the client that the update keeps.
 *
 * @since 0.1.0
 * @category changes
 */
export const replaceClientRoles = (
  realm: WritableRealm,
  clientId: string,
  roles: ReadonlyArray<Role.Role>
): Either.Either<void, RoleDefinitionFailure> => {
  const client = realm.clients.get(clientId)
  if (client === undefined) {
    return Either.left({ _tag: "RoleDefinitionFailure", message: `realm "${realm.name}" has no client "${clientId}"` })
  }
  const checked = checkReplacement(client, roles)
  if (Either.isLeft(checked)) return Either.left(checked.left)
  const kept = checked.right
  const removed = new Set([...client.roles.keys()].filter((id) => !kept.has(id)))
  for (const id of removed) client.roles.delete(id)
  forgetRoles(realm, removed)
  for (const role of roles) {
    const record = role.id === undefined
      ? addRole(realm, client.roles, { id: randomId(), name: role.name!, description: role.description }, client.id)
      : client.roles.get(role.id)!
    record.name = role.name!
    record.description = role.description
    record.composites.clear()
    for (const composite of role.compositeRoleIds ?? []) record.composites.add(composite)
  }
  return Either.right(undefined)
}
