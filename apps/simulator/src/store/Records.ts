/**
 * The store's records: realms, users, clients, role definitions, sessions and mails.
 *
 * The exported `…Record` types are read-only views: code outside the store reads them (no copies on the hot
 * path) but cannot change them, so every change goes through a `Store` method that validates first. The
 * store's own modules (`src/store/`) work on the `Writable…` forms, which only they import.
 *
 * @since 0.1.0
 */
import type { StoredPassword } from "../internal/hashing.js"
import type * as Seed from "../Seed.js"

/**
 * A role definition: a realm role (`clientUuid` undefined) or a role of a client.
 *
 * @since 0.1.0
 * @category models
 */
export interface RoleRecord {
  readonly id: string
  readonly name: string
  readonly description: string | undefined
  /** The ids of the roles this role is composed of. */
  readonly composites: ReadonlySet<string>
  /** The internal id of the client the role belongs to; undefined for a realm role. */
  readonly clientUuid: string | undefined
}

/**
 * A client of a realm.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientRecord {
  /** Keycloak's internal id. */
  readonly id: string
  readonly clientId: string
  /** A public client (like `openremote`) has no secret and cannot get service-account tokens. */
  readonly publicClient: boolean
  /** The service user of a service user's client. */
  readonly serviceUserId: string | undefined
  readonly secret: string | undefined
  /** The client's role definitions by id, in creation order. */
  readonly roles: ReadonlyMap<string, RoleRecord>
}

/**
 * A user. `username` is the raw, lower-cased username (`service-account-<name>` for a service user).
 *
 * @since 0.1.0
 * @category models
 */
export interface UserRecord {
  readonly id: string
  readonly realm: string
  readonly username: string
  readonly firstName: string | undefined
  readonly lastName: string | undefined
  readonly email: string | undefined
  readonly enabled: boolean
  readonly createdOn: number
  readonly attributes: ReadonlyMap<string, ReadonlyArray<string>>
  readonly serviceAccount: boolean
  readonly password: StoredPassword | undefined
  /** Direct realm role mappings (role ids). */
  readonly realmRoleIds: ReadonlySet<string>
  /** Direct client role mappings of every client (role ids). */
  readonly clientRoleIds: ReadonlySet<string>
}

/**
 * A realm and its indexes.
 *
 * @since 0.1.0
 * @category models
 */
export interface RealmRecord {
  readonly id: string
  readonly name: string
  readonly mailServer: Seed.MailServer | undefined
  readonly passwordMinLength: number | undefined
  /** Realm roles by id. */
  readonly realmRoles: ReadonlyMap<string, RoleRecord>
  /** Clients by client id. */
  readonly clients: ReadonlyMap<string, ClientRecord>
  /** Clients by internal id. */
  readonly clientsById: ReadonlyMap<string, ClientRecord>
  /** Users by id, in creation order. */
  readonly users: ReadonlyMap<string, UserRecord>
  /** User ids by raw, lower-cased username. */
  readonly usernames: ReadonlyMap<string, string>
  /** Every role of the realm (realm roles and client roles) by id. */
  readonly roles: ReadonlyMap<string, RoleRecord>
}

/**
 * A session: a live connection of the user to the simulator's MQTT broker, or one opened through the control
 * plane (no socket behind it). On the real server: a live MQTT connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionRecord {
  readonly id: string
  readonly realm: string
  readonly userId: string
  readonly username: string
  readonly startTimeMillis: number
  readonly remoteAddress: string
}

/**
 * A mail the simulator "sent": a password-reset request.
 *
 * @since 0.1.0
 * @category models
 */
export interface MailRecord {
  readonly id: string
  readonly realm: string
  readonly userId: string
  readonly username: string
  readonly to: string
  readonly from: string
  readonly subject: string
  /** The Keycloak required actions the mail asks for. */
  readonly actions: ReadonlyArray<string>
  readonly sentAt: number
}

/**
 * The store's own, writable form of a {@link RoleRecord}. Only modules of `src/store/` use it.
 *
 * @since 0.1.0
 * @category internal
 */
export interface WritableRole extends Omit<RoleRecord, "name" | "description" | "composites"> {
  name: string
  description: string | undefined
  readonly composites: Set<string>
}

/**
 * The store's own, writable form of a {@link ClientRecord}. Only modules of `src/store/` use it.
 *
 * @since 0.1.0
 * @category internal
 */
export interface WritableClient extends Omit<ClientRecord, "secret" | "roles"> {
  secret: string | undefined
  readonly roles: Map<string, WritableRole>
}

/**
 * The store's own, writable form of a {@link UserRecord}. Only modules of `src/store/` use it.
 *
 * @since 0.1.0
 * @category internal
 */
export interface WritableUser extends
  Omit<
    UserRecord,
    "firstName" | "lastName" | "email" | "enabled" | "attributes" | "password" | "realmRoleIds" | "clientRoleIds"
  >
{
  firstName: string | undefined
  lastName: string | undefined
  email: string | undefined
  enabled: boolean
  attributes: ReadonlyMap<string, ReadonlyArray<string>>
  password: StoredPassword | undefined
  readonly realmRoleIds: Set<string>
  readonly clientRoleIds: Set<string>
}

/**
 * The store's own, writable form of a {@link RealmRecord}. Only modules of `src/store/` use it.
 *
 * @since 0.1.0
 * @category internal
 */
export interface WritableRealm
  extends Omit<RealmRecord, "mailServer" | "realmRoles" | "clients" | "clientsById" | "users" | "usernames" | "roles">
{
  mailServer: Seed.MailServer | undefined
  readonly realmRoles: Map<string, WritableRole>
  readonly clients: Map<string, WritableClient>
  readonly clientsById: Map<string, WritableClient>
  readonly users: Map<string, WritableUser>
  readonly usernames: Map<string, string>
  readonly roles: Map<string, WritableRole>
}

/**
 * The writable form of a record the store handed out: the records outside code holds are the store's own
 * objects, seen through their read-only types, so a store method gets them back without a copy or a lookup.
 *
 * @since 0.1.0
 * @category internal
 */
export const writable = {
  realm: (realm: RealmRecord): WritableRealm => realm as WritableRealm,
  user: (user: UserRecord): WritableUser => user as WritableUser,
  client: (client: ClientRecord): WritableClient => client as WritableClient
} as const
