/**
 * The simulator's state as a plain module, with no HTTP in it: realms, users (with salted password hashes,
 * attributes, role mappings), clients (the public `openremote` client, one confidential client per service
 * user, extra clients of the seed), role definitions, sessions, mail servers and the mail outbox.
 *
 * Every mutation validates completely before it changes anything, so a refused mutation leaves the state
 * exactly as it was. Each realm keeps indexes by id and by lower-cased username, so lookups by id or exact
 * username cost the same for 10 users or 100,000.
 *
 * @since 0.1.0
 */
import type { Role, User } from "@openremote-effect/model"
import { StandardRoles, User as UserModel } from "@openremote-effect/model"
import * as Either from "effect/Either"
import type { StoredPassword } from "./internal/hashing.js"
import { fingerprint, hashPassword } from "./internal/hashing.js"
import { derivedId, generateSecret, randomId } from "./internal/ids.js"
import * as Usernames from "./internal/usernames.js"
import * as Seed from "./Seed.js"

/**
 * A role definition: a realm role (`clientUuid` undefined) or a role of a client.
 *
 * @since 0.1.0
 * @category models
 */
export interface RoleRecord {
  readonly id: string
  name: string
  description: string | undefined
  /** The ids of the roles this role is composed of. */
  readonly composites: Set<string>
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
  secret: string | undefined
  /** The client's role definitions by id, in creation order. */
  readonly roles: Map<string, RoleRecord>
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
  username: string
  firstName: string | undefined
  lastName: string | undefined
  email: string | undefined
  enabled: boolean
  readonly createdOn: number
  attributes: Map<string, ReadonlyArray<string>>
  readonly serviceAccount: boolean
  password: StoredPassword | undefined
  /** Direct realm role mappings (role ids). */
  readonly realmRoleIds: Set<string>
  /** Direct client role mappings of every client (role ids). */
  readonly clientRoleIds: Set<string>
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
  mailServer: Seed.MailServer | undefined
  readonly passwordMinLength: number | undefined
  /** Realm roles by id. */
  readonly realmRoles: Map<string, RoleRecord>
  /** Clients by client id. */
  readonly clients: Map<string, ClientRecord>
  /** Clients by internal id. */
  readonly clientsById: Map<string, ClientRecord>
  /** Users by id, in creation order. */
  readonly users: Map<string, UserRecord>
  /** User ids by raw, lower-cased username. */
  readonly usernames: Map<string, string>
  /** Every role of the realm (realm roles and client roles) by id. */
  readonly roles: Map<string, RoleRecord>
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
 * Why a user could not be created or updated.
 *
 * @since 0.1.0
 * @category models
 */
export type UserFailure =
  | { readonly _tag: "InvalidUser"; readonly message: string }
  | { readonly _tag: "UserExists" }
  | { readonly _tag: "ClientIdTaken"; readonly clientId: string }
  | { readonly _tag: "ServiceUserChange"; readonly message: string }

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
 * A password that does not meet the realm's policy.
 *
 * @since 0.1.0
 * @category models
 */
export interface PasswordFailure {
  readonly _tag: "InvalidPassword"
  readonly message: string
}

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

const emailPattern = /^[^\s@]+@[^\s@]+$/

/**
 * Why the fields of `user` (besides the username) would be refused, or undefined: first and last names of
 * at most 127 characters, an email address of the form `local@domain`.
 *
 * @since 0.1.0
 * @category validation
 */
export const userFieldsProblem = (user: User.User): string | undefined => {
  if (user.firstName !== undefined && user.firstName.length > UserModel.maxNameLength) {
    return `firstName: must be at most ${UserModel.maxNameLength} characters long`
  }
  if (user.lastName !== undefined && user.lastName.length > UserModel.maxNameLength) {
    return `lastName: must be at most ${UserModel.maxNameLength} characters long`
  }
  if (user.email !== undefined && user.email !== "" && !emailPattern.test(user.email)) {
    return "email: is not an email address"
  }
  return undefined
}

/**
 * Why a username would be refused on create, or undefined; also computes the raw username.
 *
 * @since 0.1.0
 * @category validation
 */
export const usernameFor = (
  user: User.User
): Either.Either<Usernames.Normalized, string> => {
  if (user.username === undefined || user.username === "") {
    return Either.left("username: is missing")
  }
  const normalized = Usernames.normalize(user.username, user.serviceAccount)
  const problem = Usernames.problem(normalized)
  return problem === undefined ? Either.right(normalized) : Either.left(`username: ${problem}`)
}

const attributesFrom = (attributes: Readonly<Record<string, ReadonlyArray<string>>> | undefined) => {
  const map = new Map<string, ReadonlyArray<string>>()
  for (const [name, values] of Object.entries(attributes ?? {})) {
    // Keycloak keeps no attribute without values.
    if (values.length > 0) map.set(name, [...values])
  }
  return map
}

const normalizeEmail = (email: string | undefined) =>
  email === undefined || email === "" ? undefined : email.toLowerCase()

const addRole = (
  realm: RealmRecord,
  owner: Map<string, RoleRecord>,
  role: { readonly id: string; readonly name: string; readonly description: string | undefined },
  clientUuid: string | undefined
): RoleRecord => {
  const record: RoleRecord = { ...role, composites: new Set(), clientUuid }
  owner.set(record.id, record)
  realm.roles.set(record.id, record)
  return record
}

const wireComposites = (
  owner: Map<string, RoleRecord>,
  composites: ReadonlyArray<readonly [string, ReadonlyArray<string>]>
) => {
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

const addClient = (
  realm: RealmRecord,
  client: {
    readonly id: string
    readonly clientId: string
    readonly publicClient: boolean
    readonly serviceUserId: string | undefined
    readonly secret: string | undefined
  },
  roles: ReadonlyArray<
    {
      readonly name: string
      readonly description?: string | undefined
      readonly composites?: ReadonlyArray<string> | undefined
    }
  >,
  roleId: (name: string) => string
): ClientRecord => {
  const record: ClientRecord = { ...client, roles: new Map() }
  realm.clients.set(record.clientId, record)
  realm.clientsById.set(record.id, record)
  for (const role of roles) {
    addRole(realm, record.roles, { id: roleId(role.name), name: role.name, description: role.description }, record.id)
  }
  wireComposites(record.roles, roles.map((role) => [role.name, role.composites ?? []] as const))
  return record
}

const standardClientRoles = StandardRoles.clientRoles.map((name) => ({
  name,
  description: roleDescriptions[name],
  composites: name === "read" || name === "write" ? StandardRoles.compositeRoles[name] : undefined
}))

/**
 * The in-memory state of the simulator.
 *
 * @since 0.1.0
 * @category store
 */
export class Store {
  /** Realms by name, in seed order. */
  readonly realms = new Map<string, RealmRecord>()
  /** Every user by id. */
  private readonly userIndex = new Map<string, UserRecord>()
  /** Sessions by id. */
  private readonly sessionIndex = new Map<string, SessionRecord>()
  private readonly mails: Array<MailRecord> = []
  private sessionCounter = 0

  private constructor(private readonly onSessionEnd: (session: SessionRecord) => void) {}

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
      store.loadRealm(realmSeed, options.now, options.salt)
    }
    return store
  }

  private loadRealm(seed: Seed.RealmSeed, now: number, salt: string): void {
    const name = seed.name
    const realm: RealmRecord = {
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
    this.realms.set(name, realm)
    const realmRoleSeeds = [
      ...Seed.standardRealmRoles(name).map((role) => ({
        name: role,
        description: undefined,
        composites: role === `default-roles-${name}` ? ["offline_access", "uma_authorization"] : undefined
      })),
      ...(seed.realmRoles ?? [])
    ]
    for (const role of realmRoleSeeds) {
      addRole(realm, realm.realmRoles, {
        id: derivedId("role", name, "", role.name),
        name: role.name,
        description: role.description
      }, undefined)
    }
    wireComposites(realm.realmRoles, realmRoleSeeds.map((role) => [role.name, role.composites ?? []] as const))
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
      const { name: clientId, raw, serviceAccount } = Seed.normalizeUsername(user.username, user.serviceAccount)
      const id = user.id ?? derivedId("user", name, raw)
      const record: UserRecord = {
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
      this.insertUser(realm, record)
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
  }

  private insertUser(realm: RealmRecord, user: UserRecord): void {
    realm.users.set(user.id, user)
    realm.usernames.set(user.username, user.id)
    this.userIndex.set(user.id, user)
  }

  // ---------------------------------------------------------------------------------------------------------
  // reads

  /** The realm of that name. */
  realm(name: string): RealmRecord | undefined {
    return this.realms.get(name)
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
    if (!user.serviceAccount) return undefined
    const client = realm.clients.get(Seed.normalizeUsername(user.username, true).name)
    return client?.serviceUserId === user.id ? client : undefined
  }

  /** Whether `user` is master's `admin`, the user the server never lets be deleted or disabled. */
  isMasterAdmin(user: UserRecord): boolean {
    return user.realm === StandardRoles.masterRealm && user.username === "admin"
  }

  /** The ids of every role `user` has, composites expanded. */
  effectiveRoleIds(realm: RealmRecord, user: UserRecord): ReadonlySet<string> {
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

  /** The names of `user`'s effective realm roles, in definition order. */
  effectiveRealmRoleNames(realm: RealmRecord, user: UserRecord): ReadonlyArray<string> {
    const effective = this.effectiveRoleIds(realm, user)
    return [...realm.realmRoles.values()].filter((role) => effective.has(role.id)).map((role) => role.name)
  }

  /** The names of `user`'s effective roles of `client`, in definition order. */
  effectiveClientRoleNames(realm: RealmRecord, user: UserRecord, client: ClientRecord): ReadonlyArray<string> {
    const effective = this.effectiveRoleIds(realm, user)
    return [...client.roles.values()].filter((role) => effective.has(role.id)).map((role) => role.name)
  }

  /** `user`'s effective client roles of every client that gives it any, by client id. */
  effectiveClientRoles(realm: RealmRecord, user: UserRecord): ReadonlyMap<string, ReadonlyArray<string>> {
    return this.byClient(realm, this.effectiveRoleIds(realm, user))
  }

  /**
   * The client roles among `roleIds`, by client id (in client id order), each client's in definition order.
   * Visits only the clients those roles belong to, not every client of the realm (there is one per service
   * user).
   */
  private byClient(realm: RealmRecord, roleIds: ReadonlySet<string>): ReadonlyMap<string, ReadonlyArray<string>> {
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

  /** The names of `user`'s direct realm role mappings. */
  directRealmRoleNames(realm: RealmRecord, user: UserRecord): ReadonlyArray<string> {
    return [...user.realmRoleIds].flatMap((id) => {
      const role = realm.roles.get(id)
      return role === undefined ? [] : [role.name]
    })
  }

  /** The names of `user`'s direct client role mappings, of every client. */
  directClientRoleNames(realm: RealmRecord, user: UserRecord): ReadonlyArray<string> {
    return [...user.clientRoleIds].flatMap((id) => {
      const role = realm.roles.get(id)
      return role === undefined ? [] : [role.name]
    })
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
    const username = usernameFor(input)
    if (Either.isLeft(username)) return Either.left({ _tag: "InvalidUser", message: username.left })
    const problem = userFieldsProblem(input)
    if (problem !== undefined) return Either.left({ _tag: "InvalidUser", message: problem })
    const { name, raw, serviceAccount } = username.right
    if ((input.id !== undefined && this.userIndex.has(input.id)) || realm.usernames.has(raw)) {
      return Either.left({ _tag: "UserExists" })
    }
    if (serviceAccount && realm.clients.has(name)) return Either.left({ _tag: "ClientIdTaken", clientId: name })
    const defaultRoles = [...realm.realmRoles.values()].find((role) => role.name === `default-roles-${realm.name}`)
    const user: UserRecord = {
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
    this.insertUser(realm, user)
    if (serviceAccount) {
      addClient(
        realm,
        { id: randomId(), clientId: name, publicClient: false, serviceUserId: user.id, secret: generateSecret() },
        standardClientRoles,
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
    const username = usernameFor({ ...input, serviceAccount: input.serviceAccount ?? user.serviceAccount })
    if (Either.isLeft(username)) return Either.left({ _tag: "InvalidUser", message: username.left })
    const problem = userFieldsProblem(input)
    if (problem !== undefined) return Either.left({ _tag: "InvalidUser", message: problem })
    const requested = username.right
    if (
      (input.serviceAccount !== undefined && input.serviceAccount !== user.serviceAccount) ||
      (requested.serviceAccount && !user.serviceAccount)
    ) {
      return Either.left({ _tag: "ServiceUserChange", message: "the service-user flag cannot change" })
    }
    if (user.serviceAccount && requested.raw !== user.username) {
      return Either.left({ _tag: "ServiceUserChange", message: "a service user cannot be renamed" })
    }
    if (input.firstName !== undefined) user.firstName = input.firstName
    if (input.lastName !== undefined) user.lastName = input.lastName
    if (input.email !== undefined) user.email = normalizeEmail(input.email)
    if (input.attributes !== undefined) user.attributes = attributesFrom(input.attributes)
    if (input.enabled !== undefined) {
      if (user.enabled && !input.enabled) this.endSessionsOf(user.id)
      user.enabled = input.enabled
    }
    return Either.right(user)
  }

  /** Sets one attribute of `user`, replacing its earlier values. */
  setAttribute(user: UserRecord, name: string, values: ReadonlyArray<string>): void {
    const attributes = new Map(user.attributes)
    if (values.length === 0) attributes.delete(name)
    else attributes.set(name, [...values])
    user.attributes = attributes
  }

  /**
   * Deletes a user, its sessions, and (for a service user) its client. Returns the deleted user, or
   * undefined when `realm` has no user with that id.
   */
  deleteUser(realm: RealmRecord, userId: string): UserRecord | undefined {
    const user = realm.users.get(userId)
    if (user === undefined) return undefined
    const client = this.serviceClientOf(realm, user)
    realm.users.delete(user.id)
    realm.usernames.delete(user.username)
    this.userIndex.delete(user.id)
    this.endSessionsOf(user.id)
    if (client !== undefined) this.deleteClient(realm, client)
    return user
  }

  private deleteClient(realm: RealmRecord, client: ClientRecord): void {
    realm.clients.delete(client.clientId)
    realm.clientsById.delete(client.id)
    this.forgetRoles(realm, new Set(client.roles.keys()))
  }

  /** Removes roles from the realm's index, from every composite and from every user's mappings. */
  private forgetRoles(realm: RealmRecord, ids: ReadonlySet<string>): void {
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
    if (password === undefined) return Either.left({ _tag: "InvalidPassword", message: "No password provided" })
    if (password.trim() === "") return Either.left({ _tag: "InvalidPassword", message: "Empty password" })
    if (realm.passwordMinLength !== undefined && [...password].length < realm.passwordMinLength) {
      return Either.left({
        _tag: "InvalidPassword",
        message: `Invalid password: minimum length ${realm.passwordMinLength}.`
      })
    }
    user.password = hashPassword(password, temporary)
    return Either.right(undefined)
  }

  /**
   * A new secret for the client the server derives from `user` (USER-API.md §3 #15): the client named by the
   * raw username after its first 16 characters (the length of `service-account-`), for a regular user too.
   * The user's sessions stay (the real server publishes no change event for it): only new connections need
   * the new secret. Refused without change: a username of fewer than 16 characters (the server's
   * `substring(16)` fails), or no confidential client of the remaining name.
   */
  resetSecret(realm: RealmRecord, user: UserRecord): Either.Either<string, ResetSecretFailure> {
    const prefixLength = StandardRoles.serviceAccountPrefix.length
    if (user.username.length < prefixLength) return Either.left("UsernameTooShort")
    const client = realm.clients.get(user.username.slice(prefixLength))
    if (client === undefined || client.publicClient) return Either.left("NoClient")
    client.secret = generateSecret()
    return Either.right(client.secret)
  }

  // ---------------------------------------------------------------------------------------------------------
  // roles

  /**
   * Replace-all of `user`'s direct realm role mappings (USER-API.md §4): the named roles of the realm are
   * mapped, every other non-built-in realm role is unmapped; unknown names are ignored.
   */
  setRealmRoleMappings(realm: RealmRecord, user: UserRecord, names: ReadonlyArray<string>): void {
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
   */
  setClientRoleMappings(user: UserRecord, client: ClientRecord, names: ReadonlyArray<string>): void {
    const wanted = new Set(names)
    for (const role of client.roles.values()) {
      if (wanted.has(role.name)) user.clientRoleIds.add(role.id)
      else user.clientRoleIds.delete(role.id)
    }
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
   */
  replaceClientRoles(
    realm: RealmRecord,
    clientId: string,
    roles: ReadonlyArray<Role.Role>
  ): Either.Either<void, RoleDefinitionFailure> {
    const fail = (message: string) => Either.left<RoleDefinitionFailure>({ _tag: "RoleDefinitionFailure", message })
    const client = realm.clients.get(clientId)
    if (client === undefined) return fail(`realm "${realm.name}" has no client "${clientId}"`)
    const kept = new Set<string>()
    for (const role of roles) {
      if (role.id !== undefined) {
        const existing = client.roles.get(role.id)
        if (existing === undefined) return fail(`client "${clientId}" has no role with id "${role.id}"`)
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
    const removed = new Set([...client.roles.keys()].filter((id) => !kept.has(id)))
    for (const id of removed) client.roles.delete(id)
    this.forgetRoles(realm, removed)
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

  // ---------------------------------------------------------------------------------------------------------
  // sessions

  /** Opens a session of `user`: a simulated one, or (with its `id`) a broker connection's. */
  openSession(user: UserRecord, now: number, remoteAddress?: string, id?: string): SessionRecord {
    this.sessionCounter += 1
    const session: SessionRecord = {
      id: id ?? randomId(),
      realm: user.realm,
      userId: user.id,
      username: user.username,
      startTimeMillis: now,
      remoteAddress: remoteAddress ?? `/127.0.0.1:${49152 + (this.sessionCounter % 16384)}`
    }
    this.sessionIndex.set(session.id, session)
    return session
  }

  /** Closes a session; false when there is none with that id. */
  closeSession(id: string): boolean {
    const session = this.sessionIndex.get(id)
    if (session === undefined) return false
    this.sessionIndex.delete(id)
    this.onSessionEnd(session)
    return true
  }

  /** The open sessions, optionally only those of one realm and/or one user. */
  sessions(
    filter?: { readonly realm?: string | undefined; readonly userId?: string | undefined }
  ): ReadonlyArray<SessionRecord> {
    return [...this.sessionIndex.values()].filter((session) =>
      (filter?.realm === undefined || session.realm === filter.realm) &&
      (filter?.userId === undefined || session.userId === filter.userId)
    )
  }

  /** Ends every session of a user (deleted, disabled). */
  endSessionsOf(userId: string): void {
    for (const session of this.sessionIndex.values()) {
      if (session.userId === userId) this.closeSession(session.id)
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // mail

  /** Sets or removes a realm's mail server. */
  configureMail(realm: RealmRecord, server: Seed.MailServer | undefined): void {
    realm.mailServer = server
  }

  /** Puts a password-reset mail for `user` in the outbox (the caller checked the mail server and the address). */
  sendPasswordReset(realm: RealmRecord, user: UserRecord, server: Seed.MailServer, now: number): MailRecord {
    const mail: MailRecord = {
      id: randomId(),
      realm: realm.name,
      userId: user.id,
      username: user.username,
      to: user.email ?? "",
      from: server.from ?? `noreply@${server.host}`,
      subject: "Update Your Account",
      actions: ["UPDATE_PASSWORD"],
      sentAt: now
    }
    this.mails.push(mail)
    return mail
  }

  /** The mails sent, optionally of one realm only, oldest first. */
  outbox(realm?: string): ReadonlyArray<MailRecord> {
    return this.mails.filter((mail) => realm === undefined || mail.realm === realm)
  }

  /** Empties the outbox. */
  clearOutbox(): void {
    this.mails.length = 0
  }

  // ---------------------------------------------------------------------------------------------------------
  // snapshot

  /** The whole state, JSON-serialisable; secrets appear only as fingerprints under `secretSalt`. */
  snapshot(secretSalt: string): Snapshot {
    const roleSnapshot = (role: RoleRecord): RoleSnapshot => ({
      id: role.id,
      name: role.name,
      ...(role.description === undefined ? {} : { description: role.description }),
      compositeRoleIds: [...role.composites]
    })
    return {
      realms: [...this.realms.values()].map((realm): RealmSnapshot => ({
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
        users: [...realm.users.values()].map((user): UserSnapshot => {
          const clientRoles = Object.fromEntries(this.byClient(realm, user.clientRoleIds))
          return {
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
            realmRoles: this.directRealmRoleNames(realm, user),
            clientRoles
          }
        })
      })),
      sessions: [...this.sessionIndex.values()],
      outbox: [...this.mails]
    }
  }
}
