/**
 * The whole state as plain, JSON-serialisable data, without any password, secret or token: passwords and
 * client secrets appear only as salted fingerprints. Loading the same seed twice with the same salt gives
 * equal snapshots, so tests compare snapshots around a refused request.
 *
 * @since 0.1.0
 */
import { fingerprint } from "../internal/hashing.js"
import type * as Seed from "../Seed.js"
import type { MailRecord, RealmRecord, RoleRecord, SessionRecord } from "./Records.js"
import { byClient, directRealmRoleNames } from "./Roles.js"

/**
 * A role definition in a snapshot.
 *
 * @since 0.1.0
 * @category snapshot
 */
export interface RoleSnapshot {
  readonly id: string
  readonly name: string
  readonly description?: string
  readonly compositeRoleIds: ReadonlyArray<string>
}

/**
 * A user in a snapshot: no password, only a fingerprint of its salted hash.
 *
 * @since 0.1.0
 * @category snapshot
 */
export interface UserSnapshot {
  readonly id: string
  readonly username: string
  readonly firstName?: string
  readonly lastName?: string
  readonly email?: string
  readonly enabled: boolean
  readonly createdOn: number
  readonly serviceAccount: boolean
  readonly attributes: Readonly<Record<string, ReadonlyArray<string>>>
  readonly password: { readonly fingerprint: string; readonly temporary: boolean } | null
  /** Direct realm role mappings, by name. */
  readonly realmRoles: ReadonlyArray<string>
  /** Direct client role mappings, by client id and name. */
  readonly clientRoles: Readonly<Record<string, ReadonlyArray<string>>>
}

/**
 * A client in a snapshot: no secret, only its fingerprint.
 *
 * @since 0.1.0
 * @category snapshot
 */
export interface ClientSnapshot {
  readonly id: string
  readonly clientId: string
  readonly publicClient: boolean
  readonly serviceUserId: string | null
  readonly secretFingerprint: string | null
  readonly roles: ReadonlyArray<RoleSnapshot>
}

/**
 * A realm in a snapshot.
 *
 * @since 0.1.0
 * @category snapshot
 */
export interface RealmSnapshot {
  readonly id: string
  readonly name: string
  readonly mailServer: Seed.MailServer | null
  readonly passwordMinLength: number | null
  readonly realmRoles: ReadonlyArray<RoleSnapshot>
  readonly clients: ReadonlyArray<ClientSnapshot>
  readonly users: ReadonlyArray<UserSnapshot>
}

/**
 * The whole state, JSON-serialisable, without any password, secret or token.
 *
 * @since 0.1.0
 * @category snapshot
 */
export interface Snapshot {
  readonly realms: ReadonlyArray<RealmSnapshot>
  readonly sessions: ReadonlyArray<SessionRecord>
  readonly outbox: ReadonlyArray<MailRecord>
}

const roleSnapshot = (role: RoleRecord): RoleSnapshot => ({
  id: role.id,
  name: role.name,
  ...(role.description === undefined ? {} : { description: role.description }),
  compositeRoleIds: [...role.composites]
})

const realmSnapshot = (realm: RealmRecord, secretSalt: string): RealmSnapshot => ({
  id: realm.id,
  name: realm.name,
  mailServer: realm.mailServer ?? null,
  passwordMinLength: realm.passwordMinLength ?? null,
  realmRoles: [...realm.realmRoles.values()].map(roleSnapshot),
  clients: [...realm.clients.values()].map((client): ClientSnapshot => ({
    id: client.id,
    clientId: client.clientId,
    publicClient: client.publicClient,
    serviceUserId: client.serviceUserId ?? null,
    secretFingerprint: client.secret === undefined ? null : fingerprint(secretSalt, client.secret),
    roles: [...client.roles.values()].map(roleSnapshot)
  })),
  users: [...realm.users.values()].map((user): UserSnapshot => ({
    id: user.id,
    username: user.username,
    ...(user.firstName === undefined ? {} : { firstName: user.firstName }),
    ...(user.lastName === undefined ? {} : { lastName: user.lastName }),
    ...(user.email === undefined ? {} : { email: user.email }),
    enabled: user.enabled,
    createdOn: user.createdOn,
    serviceAccount: user.serviceAccount,
    attributes: Object.fromEntries(user.attributes),
    password: user.password === undefined
      ? null
      : { fingerprint: user.password.hash, temporary: user.password.temporary },
    realmRoles: directRealmRoleNames(realm, user),
    clientRoles: Object.fromEntries(byClient(realm, user.clientRoleIds))
  }))
})

/**
 * The snapshot of the given state; secrets appear only as fingerprints under `secretSalt`.
 *
 * @since 0.1.0
 * @category snapshot
 */
export const make = (
  state: {
    readonly realms: Iterable<RealmRecord>
    readonly sessions: ReadonlyArray<SessionRecord>
    readonly outbox: ReadonlyArray<MailRecord>
  },
  secretSalt: string
): Snapshot => ({
  realms: [...state.realms].map((realm) => realmSnapshot(realm, secretSalt)),
  sessions: [...state.sessions],
  outbox: [...state.outbox]
})
