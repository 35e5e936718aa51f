/**
 * The simulator's state, with no HTTP in it: realms, users (with salted password hashes, attributes, role
 * mappings), clients (the public `openremote` client, one confidential client per service user, extra
 * clients of the seed), role definitions, sessions, mail servers and the mail outbox.
 *
 * `Store` is the one entry point that changes state: every mutation validates completely before it changes
 * anything, so a refused mutation leaves the state exactly as it was. What it hands out are read-only views
 * of its records (`store/Records.ts`), so no code outside the store can change them behind its back. Each
 * realm keeps indexes by id and by lower-cased username, so lookups by id or exact username cost the same
 * for 10 users or 100,000.
 *
 * Where things are: the record types in `store/Records.ts`, loading a seed in `store/Load.ts`, the role
 * graph in `store/Roles.ts`, clients in `store/Clients.ts`, the user rules in `store/Users.ts`, sessions in
 * `store/Sessions.ts`, the outbox in `store/Mail.ts`, snapshots in `store/Snapshot.ts`.
 *
 * @since 0.1.0
 */
import type { Role, User } from "@openremote-effect/model"
import { StandardRoles } from "@openremote-effect/model"
import * as Either from "effect/Either"
import { hashPassword } from "./internal/hashing.js"
import { generateSecret, randomId } from "./internal/ids.js"
import type * as Seed from "./Seed.js"
import * as Clients from "./store/Clients.js"
import { insertUser, loadRealm } from "./store/Load.js"
import { Outbox } from "./store/Mail.js"
import type {
  ClientRecord,
  MailRecord,
  RealmRecord,
  SessionRecord,
  UserRecord,
  WritableRealm,
  WritableUser
} from "./store/Records.js"
import { writable } from "./store/Records.js"
import * as Roles from "./store/Roles.js"
import type { SessionFilter } from "./store/Sessions.js"
import { Sessions } from "./store/Sessions.js"
import * as Snapshots from "./store/Snapshot.js"
import type { Snapshot } from "./store/Snapshot.js"
import type { PasswordFailure, UserFailure } from "./store/Users.js"
import { attributesFrom, checkPassword, checkUser, normalizeEmail } from "./store/Users.js"

/**
 * The read-only views of the store's records.
 *
 * @since 0.1.0
 * @category models
 */
export type { ClientRecord, MailRecord, RealmRecord, RoleRecord, SessionRecord, UserRecord } from "./store/Records.js"

/**
 * Why a mutation was refused.
 *
 * @since 0.1.0
 * @category models
 */
export type { ResetSecretFailure } from "./store/Clients.js"

/**
 * Why role definitions could not be replaced.
 *
 * @since 0.1.0
 * @category models
 */
export type { RoleDefinitionFailure } from "./store/Roles.js"

/**
 * Which sessions to list.
 *
 * @since 0.1.0
 * @category models
 */
export type { SessionFilter } from "./store/Sessions.js"

/**
 * The snapshot types.
 *
 * @since 0.1.0
 * @category snapshot
 */
export type { ClientSnapshot, RealmSnapshot, RoleSnapshot, Snapshot, UserSnapshot } from "./store/Snapshot.js"

/**
 * Why a user or a password was refused, and the user rules.
 *
 * @since 0.1.0
 * @category validation
 */
export { type PasswordFailure, type UserFailure, userFieldsProblem, usernameFor } from "./store/Users.js"

/**
 * The in-memory state of the simulator: the one place that changes it, each change validated first.
 *
 * @since 0.1.0
 * @category store
 */
export class Store {
  /** Realms by name, in seed order. */
  private readonly realmIndex = new Map<string, WritableRealm>()
  /** Every user by id. */
  private readonly userIndex = new Map<string, WritableUser>()
  private readonly openSessions: Sessions
  private readonly mails = new Outbox()

  private constructor(onSessionEnd: (session: SessionRecord) => void) {
    this.openSessions = new Sessions(onSessionEnd)
  }

  /**
   * A store holding the world of a (decoded, hence validated) seed; `now` stamps users without `createdOn`.
   * The seed's passwords are hashed with salts derived from `salt` and the user, so loading the same seed
   * twice with the same `salt` gives the same state (and the same snapshot). `onSessionEnd` hears of every
   * session the store ends (closed by id, or its user deleted or disabled), so that its connection is closed.
   */
  static fromSeed(
    seed: Seed.Seed,
    options: {
      readonly now: number
      readonly salt: string
      readonly onSessionEnd?: ((session: SessionRecord) => void) | undefined
    }
  ): Store {
    const store = new Store(options.onSessionEnd ?? (() => {}))
    for (const realmSeed of seed.realms) {
      const realm = loadRealm(realmSeed, options.now, options.salt)
      store.realmIndex.set(realm.name, realm)
      for (const user of realm.users.values()) store.userIndex.set(user.id, user)
    }
    return store
  }

  // ---------------------------------------------------------------------------------------------------------
  // reads

  /** Realms by name, in seed order. */
  get realms(): ReadonlyMap<string, RealmRecord> {
    return this.realmIndex
  }

  /** The realm of that name. */
  realm(name: string): RealmRecord | undefined {
    return this.realmIndex.get(name)
  }

  /** The user with that id, in any realm. */
  userById(id: string): UserRecord | undefined {
    return this.userIndex.get(id)
  }

  /** The user with that id in `realm`. */
  userIn(realm: RealmRecord, id: string): UserRecord | undefined {
    return realm.users.get(id)
  }

  /** The user of `realm` with that raw username (compared lower-cased). */
  userByUsername(realm: RealmRecord, username: string): UserRecord | undefined {
    const id = realm.usernames.get(username.toLowerCase())
    return id === undefined ? undefined : realm.users.get(id)
  }

  /** The client of a service user. */
  serviceClientOf(realm: RealmRecord, user: UserRecord): ClientRecord | undefined {
    return Clients.serviceClientOf(realm, user)
  }

  /** Whether `user` is master's `admin`, the user the server never lets be deleted or disabled. */
  isMasterAdmin(user: UserRecord): boolean {
    return user.realm === StandardRoles.masterRealm && user.username === "admin"
  }

  /** The ids of every role `user` has, composites expanded. */
  effectiveRoleIds(realm: RealmRecord, user: UserRecord): ReadonlySet<string> {
    return Roles.effectiveRoleIds(realm, user)
  }

  /** The names of `user`'s effective realm roles, in definition order. */
  effectiveRealmRoleNames(realm: RealmRecord, user: UserRecord): ReadonlyArray<string> {
    return Roles.effectiveRealmRoleNames(realm, user)
  }

  /** The names of `user`'s effective roles of `client`, in definition order. */
  effectiveClientRoleNames(realm: RealmRecord, user: UserRecord, client: ClientRecord): ReadonlyArray<string> {
    return Roles.effectiveClientRoleNames(realm, user, client)
  }

  /** `user`'s effective client roles of every client that gives it any, by client id. */
  effectiveClientRoles(realm: RealmRecord, user: UserRecord): ReadonlyMap<string, ReadonlyArray<string>> {
    return Roles.effectiveClientRoles(realm, user)
  }

  /** The names of `user`'s direct realm role mappings. */
  directRealmRoleNames(realm: RealmRecord, user: UserRecord): ReadonlyArray<string> {
    return Roles.directRealmRoleNames(realm, user)
  }

  /** The names of `user`'s direct client role mappings, of every client. */
  directClientRoleNames(realm: RealmRecord, user: UserRecord): ReadonlyArray<string> {
    return Roles.directClientRoleNames(realm, user)
  }

  // ---------------------------------------------------------------------------------------------------------
  // users

  /**
   * Creates a user (USER-API.md §4): username and email lower-cased, the username validated, `enabled` left
   * out is false for a regular user and true for a service user, no password and no client roles; a service
   * user gets its own confidential client with the 22 standard role definitions and a fresh secret. Refused
   * without change: an invalid user, an existing id (in any realm, whatever the username) or username, a
   * service user whose client id is taken by another client.
   */
  createUser(realm: RealmRecord, input: User.User, now: number): Either.Either<UserRecord, UserFailure> {
    const checked = checkUser(input)
    if (Either.isLeft(checked)) return Either.left(checked.left)
    const { name, raw, serviceAccount } = checked.right
    if ((input.id !== undefined && this.userIndex.has(input.id)) || realm.usernames.has(raw)) {
      return Either.left({ _tag: "UserExists" })
    }
    if (serviceAccount && realm.clients.has(name)) return Either.left({ _tag: "ClientIdTaken", clientId: name })
    const target = writable.realm(realm)
    const defaultRoles = [...realm.realmRoles.values()].find((role) => role.name === `default-roles-${realm.name}`)
    const user: WritableUser = {
      id: randomId(),
      realm: realm.name,
      username: raw,
      firstName: input.firstName,
      lastName: input.lastName,
      email: normalizeEmail(input.email),
      // Keycloak creates a service user's account enabled, and OpenRemote's `null` leaves it so.
      enabled: input.enabled ?? serviceAccount,
      createdOn: now,
      attributes: attributesFrom(input.attributes),
      serviceAccount,
      password: undefined,
      realmRoleIds: new Set(defaultRoles === undefined ? [] : [defaultRoles.id]),
      clientRoleIds: new Set()
    }
    insertUser(target, user)
    this.userIndex.set(user.id, user)
    if (serviceAccount) {
      Clients.addClient(
        target,
        { id: randomId(), clientId: name, publicClient: false, serviceUserId: user.id, secret: generateSecret() },
        Roles.standardClientRoles,
        () => randomId()
      )
    }
    return Either.right(user)
  }

  /**
   * Updates `user` from `input` (USER-API.md §4): `firstName`, `lastName`, `email` and `enabled` when given,
   * the whole `attributes` map when given. A regular user's username does not change. Refused without
   * change: invalid fields, a change of the service-user flag, a change of a service user's name.
   * Disabling a user ends its sessions.
   */
  updateUser(user: UserRecord, input: User.User): Either.Either<UserRecord, UserFailure> {
    // A service user's username may come with or without its prefix.
    const checked = checkUser({ ...input, serviceAccount: input.serviceAccount ?? user.serviceAccount })
    if (Either.isLeft(checked)) return Either.left(checked.left)
    const requested = checked.right
    if (
      (input.serviceAccount !== undefined && input.serviceAccount !== user.serviceAccount) ||
      (requested.serviceAccount && !user.serviceAccount)
    ) {
      return Either.left({ _tag: "ServiceUserChange", message: "the service-user flag cannot change" })
    }
    if (user.serviceAccount && requested.raw !== user.username) {
      return Either.left({ _tag: "ServiceUserChange", message: "a service user cannot be renamed" })
    }
    const target = writable.user(user)
    if (input.firstName !== undefined) target.firstName = input.firstName
    if (input.lastName !== undefined) target.lastName = input.lastName
    if (input.email !== undefined) target.email = normalizeEmail(input.email)
    if (input.attributes !== undefined) target.attributes = attributesFrom(input.attributes)
    if (input.enabled !== undefined) {
      if (user.enabled && !input.enabled) this.endSessionsOf(user.id)
      target.enabled = input.enabled
    }
    return Either.right(user)
  }

  /** Sets one attribute of `user`, replacing its earlier values. */
  setAttribute(user: UserRecord, name: string, values: ReadonlyArray<string>): void {
    const attributes = new Map(user.attributes)
    if (values.length === 0) attributes.delete(name)
    else attributes.set(name, [...values])
    writable.user(user).attributes = attributes
  }

  /**
   * Deletes a user, its sessions, and (for a service user) its client. Returns the deleted user, or
   * undefined when `realm` has no user with that id.
   */
  deleteUser(realm: RealmRecord, userId: string): UserRecord | undefined {
    const target = writable.realm(realm)
    const user = target.users.get(userId)
    if (user === undefined) return undefined
    const client = Clients.serviceClientOf(realm, user)
    target.users.delete(user.id)
    target.usernames.delete(user.username)
    this.userIndex.delete(user.id)
    this.endSessionsOf(user.id)
    if (client !== undefined) Clients.deleteClient(target, client)
    return user
  }

  /**
   * Replaces `user`'s password; `temporary` makes password logins fail until it is changed. Refused without
   * change: a missing or blank password, or one shorter than the realm's `passwordMinLength`.
   */
  setPassword(
    realm: RealmRecord,
    user: UserRecord,
    password: string | undefined,
    temporary: boolean
  ): Either.Either<void, PasswordFailure> {
    const checked = checkPassword(realm, password)
    if (Either.isLeft(checked)) return Either.left(checked.left)
    writable.user(user).password = hashPassword(checked.right, temporary)
    return Either.right(undefined)
  }

  /**
   * A new secret for the client the server derives from `user` (USER-API.md §3 #15): the client named by the
   * raw username after its first 16 characters (the length of `service-account-`), for a regular user too.
   * The user's sessions stay (the real server publishes no change event for it): only new connections need
   * the new secret. Refused without change: a username of fewer than 16 characters (the server's
   * `substring(16)` fails), or no confidential client of the remaining name.
   */
  resetSecret(realm: RealmRecord, user: UserRecord): Either.Either<string, Clients.ResetSecretFailure> {
    return Clients.resetSecret(writable.realm(realm), user)
  }

  // ---------------------------------------------------------------------------------------------------------
  // roles

  /**
   * Replace-all of `user`'s direct realm role mappings (USER-API.md §4): the named roles of the realm are
   * mapped, every other non-built-in realm role is unmapped; unknown names are ignored.
   */
  setRealmRoleMappings(realm: RealmRecord, user: UserRecord, names: ReadonlyArray<string>): void {
    Roles.setRealmRoleMappings(realm, writable.user(user), names)
  }

  /**
   * Replace-all of `user`'s direct role mappings of `client`: the named roles are mapped, every other role of
   * the client is unmapped; unknown names are ignored.
   */
  setClientRoleMappings(user: UserRecord, client: ClientRecord, names: ReadonlyArray<string>): void {
    Roles.setClientRoleMappings(writable.user(user), client, names)
  }

  /** Replace-all of a client's role definitions (USER-API.md §4), validated first: see {@link Roles.replaceClientRoles}. */
  replaceClientRoles(
    realm: RealmRecord,
    clientId: string,
    roles: ReadonlyArray<Role.Role>
  ): Either.Either<void, Roles.RoleDefinitionFailure> {
    return Roles.replaceClientRoles(writable.realm(realm), clientId, roles)
  }

  // ---------------------------------------------------------------------------------------------------------
  // sessions

  /** Opens a session of `user`: a simulated one, or (with its `id`) a broker connection's. */
  openSession(user: UserRecord, now: number, remoteAddress?: string, id?: string): SessionRecord {
    return this.openSessions.open(user, now, remoteAddress, id)
  }

  /** Closes a session; false when there is none with that id. */
  closeSession(id: string): boolean {
    return this.openSessions.close(id)
  }

  /** The open sessions, optionally only those of one realm and/or one user. */
  sessions(filter?: SessionFilter): ReadonlyArray<SessionRecord> {
    return this.openSessions.list(filter)
  }

  /** Ends every session of a user (deleted, disabled). */
  endSessionsOf(userId: string): void {
    this.openSessions.endSessionsOf(userId)
  }

  // ---------------------------------------------------------------------------------------------------------
  // mail

  /** Sets or removes a realm's mail server. */
  configureMail(realm: RealmRecord, server: Seed.MailServer | undefined): void {
    writable.realm(realm).mailServer = server
  }

  /** Puts a password-reset mail for `user` in the outbox (the caller checked the mail server and the address). */
  sendPasswordReset(realm: RealmRecord, user: UserRecord, server: Seed.MailServer, now: number): MailRecord {
    return this.mails.sendPasswordReset(realm, user, server, now)
  }

  /** The mails sent, optionally of one realm only, oldest first. */
  outbox(realm?: string): ReadonlyArray<MailRecord> {
    return this.mails.list(realm)
  }

  /** Empties the outbox. */
  clearOutbox(): void {
    this.mails.clear()
  }

  // ---------------------------------------------------------------------------------------------------------
  // snapshot

  /** The whole state, JSON-serialisable; secrets appear only as fingerprints under `secretSalt`. */
  snapshot(secretSalt: string): Snapshot {
    return Snapshots.make(
      { realms: this.realmIndex.values(), sessions: this.sessions(), outbox: this.outbox() },
      secretSalt
    )
  }
}
