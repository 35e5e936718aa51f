/**
 * The clients of a realm as plain functions over the store's records: adding one (with its role
 * definitions), deleting one, finding a service user's client, and resetting a client's secret the way the
 * server derives the client from a user (USER-API.md §3 #15).
 *
 * @since 0.1.0
 */
import { StandardRoles } from "@openremote-effect/model"
import * as Either from "effect/Either"
import { generateSecret } from "../internal/ids.js"
import * as Usernames from "../internal/usernames.js"
import type { ClientRecord, RealmRecord, UserRecord, WritableClient, WritableRealm } from "./Records.js"
import type { RoleDefinition } from "./Roles.js"
import { addRoles, forgetRoles } from "./Roles.js"

/**
 * Why no secret was reset: the username is shorter than the 16 characters the server strips
 * (`UsernameTooShort`, the server's 500), or no confidential client has the name that remains (`NoClient`,
 * the server's 204).
 *
 * @since 0.1.0
 * @category models
 */
export type ResetSecretFailure = "UsernameTooShort" | "NoClient"

/**
 * Adds a client and its role definitions (ids from `roleId`) to `realm`.
 *
 * @since 0.1.0
 * @category changes
 */
export const addClient = (
  realm: WritableRealm,
  client: Omit<WritableClient, "roles">,
  roles: ReadonlyArray<RoleDefinition>,
  roleId: (name: string) => string
): WritableClient => {
  const record: WritableClient = { ...client, roles: new Map() }
  realm.clients.set(record.clientId, record)
  realm.clientsById.set(record.id, record)
  addRoles(realm, record.roles, roles, roleId, record.id)
  return record
}

/**
 * Deletes a client, its role definitions and every mapping of them.
 *
 * @since 0.1.0
 * @category changes
 */
export const deleteClient = (realm: WritableRealm, client: ClientRecord): void => {
  realm.clients.delete(client.clientId)
  realm.clientsById.delete(client.id)
  forgetRoles(realm, new Set(client.roles.keys()))
}

/**
 * The client of a service user.
 *
 * @since 0.1.0
 * @category reads
 */
export const serviceClientOf = (realm: RealmRecord, user: UserRecord): ClientRecord | undefined => {
  if (!user.serviceAccount) return undefined
  const client = realm.clients.get(Usernames.normalize(user.username, true).name)
  return client?.serviceUserId === user.id ? client : undefined
}

/**
 * A new secret for the client the server derives from `user` (USER-API.md §3 #15): the client named by the
 * raw username after its first 16 characters (the length of `service-account-`), for a regular user too.
 * Refused without change: a username of fewer than 16 characters (the server's `substring(16)` fails), or
 * no confidential client of the remaining name.
 *
 * @since 0.1.0
 * @category changes
 */
export const resetSecret = (realm: WritableRealm, user: UserRecord): Either.Either<string, ResetSecretFailure> => {
  const prefixLength = StandardRoles.serviceAccountPrefix.length
  if (user.username.length < prefixLength) return Either.left("UsernameTooShort")
  const client = realm.clients.get(user.username.slice(prefixLength))
  if (client === undefined || client.publicClient) return Either.left("NoClient")
  client.secret = generateSecret()
  return Either.right(client.secret)
}
