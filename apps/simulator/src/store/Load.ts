/**
 * Building a realm's records from a (decoded, hence validated) seed: the built-in realm roles and the seed's,
 * the `openremote` client with the 22 standard roles and the seed's extra ones, the seed's clients, the users
 * (a service user with its own confidential client) and, last, their role mappings.
 *
 * Ids are derived from realm and names, and password salts from `salt` and the user, so loading the same
 * seed twice with the same `salt` gives the same records.
 *
 * @since 0.1.0
 */
import { StandardRoles } from "@openremote-effect/model"
import { fingerprint, hashPassword } from "../internal/hashing.js"
import { derivedId, generateSecret } from "../internal/ids.js"
import * as Usernames from "../internal/usernames.js"
import * as Seed from "../Seed.js"
import { addClient } from "./Clients.js"
import type { WritableRealm, WritableUser } from "./Records.js"
import { addRoles, standardClientRoles } from "./Roles.js"
import { attributesFrom, normalizeEmail } from "./Users.js"

/**
 * Adds a user to the realm's indexes.
 *
 * @since 0.1.0
 * @category changes
 */
export const insertUser = (realm: WritableRealm, user: WritableUser): void => {
  realm.users.set(user.id, user)
  realm.usernames.set(user.username, user.id)
}

/**
 * The records of one realm of a seed; `now` stamps users without `createdOn`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const loadRealm = (seed: Seed.RealmSeed, now: number, salt: string): WritableRealm => {
  const name = seed.name
  const realm: WritableRealm = {
    id: seed.id ?? derivedId("realm", name),
    name,
    mailServer: seed.mailServer,
    passwordMinLength: seed.passwordMinLength,
    realmRoles: new Map(),
    clients: new Map(),
    clientsById: new Map(),
    users: new Map(),
    usernames: new Map(),
    roles: new Map()
  }
  addRoles(
    realm,
    realm.realmRoles,
    [
      ...Seed.standardRealmRoles(name).map((role) => ({
        name: role,
        description: undefined,
        composites: role === `default-roles-${name}` ? ["offline_access", "uma_authorization"] : undefined
      })),
      ...(seed.realmRoles ?? [])
    ],
    (role) => derivedId("role", name, "", role),
    undefined
  )
  addClient(
    realm,
    {
      id: derivedId("client", name, StandardRoles.openremoteClient),
      clientId: StandardRoles.openremoteClient,
      publicClient: true,
      serviceUserId: undefined,
      secret: undefined
    },
    [...standardClientRoles, ...(seed.openremoteRoles ?? [])],
    (role) => derivedId("role", name, StandardRoles.openremoteClient, role)
  )
  for (const client of seed.clients ?? []) {
    addClient(
      realm,
      {
        id: derivedId("client", name, client.clientId),
        clientId: client.clientId,
        publicClient: client.secret === undefined,
        serviceUserId: undefined,
        secret: client.secret
      },
      client.roles ?? [],
      (role) => derivedId("role", name, client.clientId, role)
    )
  }
  const realmRolesByName = new Map([...realm.realmRoles.values()].map((role) => [role.name, role.id]))
  const defaultRoles = realmRolesByName.get(`default-roles-${name}`)!
  const users = (seed.users ?? []).map((user) => {
    const { name: clientId, raw, serviceAccount } = Usernames.normalize(user.username, user.serviceAccount)
    const id = user.id ?? derivedId("user", name, raw)
    const record: WritableUser = {
      id,
      realm: name,
      username: raw,
      firstName: user.firstName,
      lastName: user.lastName,
      email: normalizeEmail(user.email),
      enabled: user.enabled ?? true,
      createdOn: user.createdOn ?? now,
      attributes: attributesFrom(user.attributes),
      serviceAccount,
      password: user.password === undefined
        ? undefined
        : hashPassword(user.password, user.temporaryPassword ?? false, fingerprint(salt, `${name}/${id}`)),
      realmRoleIds: new Set([defaultRoles, ...(user.realmRoles ?? []).map((role) => realmRolesByName.get(role)!)]),
      clientRoleIds: new Set()
    }
    insertUser(realm, record)
    if (serviceAccount) {
      addClient(
        realm,
        {
          id: derivedId("client", name, clientId),
          clientId,
          publicClient: false,
          serviceUserId: record.id,
          secret: user.secret ?? generateSecret()
        },
        standardClientRoles,
        (role) => derivedId("role", name, clientId, role)
      )
    }
    return { record, user }
  })
  // Role mappings last: a user may hold roles of a service user's client listed after it.
  for (const { record, user } of users) {
    for (const [clientId, roles] of Object.entries(user.clientRoles ?? {})) {
      const client = realm.clients.get(clientId)!
      const byName = new Map([...client.roles.values()].map((role) => [role.name, role.id]))
      for (const role of roles) record.clientRoleIds.add(byName.get(role)!)
    }
  }
  return realm
}
