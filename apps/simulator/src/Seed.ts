/**
 * The seed: the world the simulator starts from and returns to on `reset()`. A seed is JSON (a file for the
 * CLI, an object for `startSimulator`), validated with an Effect Schema whose errors name the bad field,
 * e.g. `realms[1].users[0].clientRoles.openremote[2]: unknown role "raed:map" of client "openremote"`.
 *
 * Every realm gets, besides what the seed lists: the public client `openremote` with the 22 standard roles
 * (composites `read` and `write` wired), the realm roles Keycloak creates (`default-roles-<realm>`,
 * `offline_access`, `uma_authorization`, `create-realm`, `admin`) and `restricted_user`. A service user
 * (`serviceAccount: true`, or a username starting with `service-account-`) gets its own confidential client
 * named after it, holding the 22 standard role definitions, and a secret (generated when the seed has none).
 *
 * @since 0.1.0
 */
import { ParseMessage, StandardRoles, User } from "@openremote-effect/model"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { optional } from "./internal/schema.js"
import * as Usernames from "./internal/usernames.js"
import { InvalidInput } from "./SimulatorError.js"

const NonEmptyString = Schema.String.pipe(Schema.minLength(1, { message: () => "must not be empty" }))

/**
 * A realm name: letters, digits, `-` and `_`, 1 to 255 characters.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RealmName = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9_-]{1,255}$/, {
    message: () => "a realm name has 1 to 255 letters, digits, \"-\" or \"_\""
  }),
  Schema.annotations({ identifier: "RealmName" })
)

/**
 * An extra role definition: a name, an optional description, and the names of the roles it is composed of
 * (roles of the same realm, or of the same client).
 *
 * @since 0.1.0
 * @category schemas
 */
export const RoleDefinition = Schema.Struct({
  name: NonEmptyString,
  description: optional(Schema.String),
  composites: optional(Schema.Array(NonEmptyString))
}).annotations({ identifier: "RoleDefinition" })

/**
 * @since 0.1.0
 * @category models
 */
export interface RoleDefinition extends Schema.Schema.Type<typeof RoleDefinition> {}

/**
 * A realm's mail server. Password-reset requests of a realm with one land in the outbox; without one they
 * fail with 500, as on the real server.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MailServer = Schema.Struct({
  host: NonEmptyString,
  port: Schema.Int.pipe(Schema.between(1, 65535, { message: () => "a port is an integer from 1 to 65535" })),
  from: optional(Schema.String)
}).annotations({ identifier: "MailServer" })

/**
 * @since 0.1.0
 * @category models
 */
export interface MailServer extends Schema.Schema.Type<typeof MailServer> {}

/**
 * An extra client of a realm (besides `openremote` and the service users' clients): confidential when it has
 * a secret, public otherwise. It cannot get service-account tokens.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientSeed = Schema.Struct({
  clientId: NonEmptyString,
  secret: optional(NonEmptyString),
  roles: optional(Schema.Array(RoleDefinition))
}).annotations({ identifier: "ClientSeed" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ClientSeed extends Schema.Schema.Type<typeof ClientSeed> {}

/**
 * A user of the seed. `password` is the plain-text password of the seed file (only its salted hash is
 * stored); `temporaryPassword: true` makes password logins fail until it is changed. A service user has a
 * `secret` instead (generated when left out). `enabled` defaults to `true`, `createdOn` (epoch ms) to the
 * time the seed is loaded. `realmRoles` and `clientRoles` are direct role mappings, by name.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserSeed = Schema.Struct({
  id: optional(NonEmptyString),
  username: Schema.String,
  password: optional(NonEmptyString),
  temporaryPassword: optional(Schema.Boolean),
  firstName: optional(Schema.String.pipe(Schema.maxLength(User.maxNameLength))),
  lastName: optional(Schema.String.pipe(Schema.maxLength(User.maxNameLength))),
  email: optional(Schema.String),
  enabled: optional(Schema.Boolean),
  attributes: optional(Schema.Record({ key: User.AttributeName, value: Schema.Array(Schema.String) })),
  realmRoles: optional(Schema.Array(Schema.String)),
  clientRoles: optional(Schema.Record({ key: Schema.String, value: Schema.Array(Schema.String) })),
  serviceAccount: optional(Schema.Boolean),
  secret: optional(NonEmptyString),
  createdOn: optional(Schema.Int.pipe(Schema.nonNegative()))
}).annotations({ identifier: "UserSeed" })

/**
 * @since 0.1.0
 * @category models
 */
export interface UserSeed extends Schema.Schema.Type<typeof UserSeed> {}

/**
 * A realm of the seed. `realmRoles` and `openremoteRoles` add role definitions to the standard ones;
 * `passwordMinLength` is the realm's password policy (none by default).
 *
 * @since 0.1.0
 * @category schemas
 */
export const RealmSeed = Schema.Struct({
  name: RealmName,
  id: optional(NonEmptyString),
  mailServer: optional(MailServer),
  passwordMinLength: optional(Schema.Int.pipe(Schema.nonNegative())),
  realmRoles: optional(Schema.Array(RoleDefinition)),
  openremoteRoles: optional(Schema.Array(RoleDefinition)),
  clients: optional(Schema.Array(ClientSeed)),
  users: optional(Schema.Array(UserSeed))
}).annotations({ identifier: "RealmSeed" })

/**
 * @since 0.1.0
 * @category models
 */
export interface RealmSeed extends Schema.Schema.Type<typeof RealmSeed> {}

/**
 * The realm roles every realm has: the ones Keycloak creates, `admin` and `restricted_user`.
 *
 * @since 0.1.0
 * @category constants
 */
export const standardRealmRoles = (realm: string): ReadonlyArray<string> => [
  ...new Set([
    ...StandardRoles.builtInRealmRoles(realm),
    StandardRoles.superUserRole,
    StandardRoles.restrictedUserRole
  ])
]

/**
 * How a seed user is stored: a service user's raw username is `service-account-<name>`, every username is
 * lower-cased. `name` is the client id of a service user.
 *
 * @since 0.1.0
 * @category utils
 */
export const normalizeUsername: (
  username: string,
  serviceAccount: boolean | undefined
) => { readonly raw: string; readonly name: string; readonly serviceAccount: boolean } = Usernames.normalize

type Issue = Schema.FilterIssue

const duplicates = <A>(
  items: ReadonlyArray<A>,
  key: (item: A) => string,
  issue: (index: number, key: string) => Issue
): Array<Issue> => {
  const seen = new Set<string>()
  const issues: Array<Issue> = []
  items.forEach((item, index) => {
    const k = key(item)
    if (seen.has(k)) issues.push(issue(index, k))
    seen.add(k)
  })
  return issues
}

const roleIssues = (
  roles: ReadonlyArray<RoleDefinition>,
  taken: ReadonlySet<string>,
  owner: string,
  at: ReadonlyArray<PropertyKey>
): { readonly names: ReadonlySet<string>; readonly issues: ReadonlyArray<Issue> } => {
  const names = new Set(taken)
  const issues: Array<Issue> = []
  roles.forEach((role, i) => {
    if (names.has(role.name)) {
      issues.push({ path: [...at, i, "name"], message: `${owner} already has a role "${role.name}"` })
    }
    names.add(role.name)
  })
  roles.forEach((role, i) =>
    role.composites?.forEach((composite, k) => {
      if (!names.has(composite)) {
        issues.push({ path: [...at, i, "composites", k], message: `unknown role "${composite}" of ${owner}` })
      } else if (composite === role.name) {
        issues.push({ path: [...at, i, "composites", k], message: "a role cannot be composed of itself" })
      }
    })
  )
  return { names, issues }
}

const realmIssues = (realm: RealmSeed, r: number, userIds: Set<string>): Array<Issue> => {
  const at = (...path: ReadonlyArray<PropertyKey>): ReadonlyArray<PropertyKey> => ["realms", r, ...path]
  const issues: Array<Issue> = []
  const realmRoles = roleIssues(
    realm.realmRoles ?? [],
    new Set(standardRealmRoles(realm.name)),
    `realm "${realm.name}"`,
    at("realmRoles")
  )
  issues.push(...realmRoles.issues)
  const clients = new Map<string, ReadonlySet<string>>()
  const openremote = roleIssues(
    realm.openremoteRoles ?? [],
    new Set(StandardRoles.clientRoles),
    `client "${StandardRoles.openremoteClient}"`,
    at("openremoteRoles")
  )
  issues.push(...openremote.issues)
  clients.set(StandardRoles.openremoteClient, openremote.names)
  realm.clients?.forEach((client, c) => {
    if (clients.has(client.clientId)) {
      issues.push({
        path: at("clients", c, "clientId"),
        message: `realm "${realm.name}" already has a client "${client.clientId}"`
      })
    }
    const roles = roleIssues(client.roles ?? [], new Set(), `client "${client.clientId}"`, at("clients", c, "roles"))
    issues.push(...roles.issues)
    clients.set(client.clientId, roles.names)
  })
  const users = realm.users ?? []
  const normalized = users.map((user) => normalizeUsername(user.username, user.serviceAccount))
  users.forEach((user, u) => {
    const { name, serviceAccount } = normalized[u]!
    const problem = Usernames.problem(normalized[u]!, (problem) => `username ${problem}`)
    if (problem !== undefined) issues.push({ path: at("users", u, "username"), message: problem })
    if (user.id !== undefined) {
      if (userIds.has(user.id)) issues.push({ path: at("users", u, "id"), message: `duplicate user id "${user.id}"` })
      userIds.add(user.id)
    }
    if (serviceAccount) {
      if (clients.has(name)) {
        issues.push({
          path: at("users", u, "username"),
          message: `realm "${realm.name}" already has a client "${name}"`
        })
      } else {
        clients.set(name, new Set(StandardRoles.clientRoles))
      }
      if (user.password !== undefined) {
        issues.push({ path: at("users", u, "password"), message: "a service user has a secret, not a password" })
      }
    } else if (user.secret !== undefined) {
      issues.push({ path: at("users", u, "secret"), message: "only a service user has a secret" })
    }
  })
  issues.push(...duplicates(normalized, (n) => n.raw, (u, raw) => ({
    path: at("users", u, "username"),
    message: `duplicate username "${raw}" in realm "${realm.name}"`
  })))
  users.forEach((user, u) => {
    user.realmRoles?.forEach((role, k) => {
      if (!realmRoles.names.has(role)) {
        issues.push({ path: at("users", u, "realmRoles", k), message: `unknown realm role "${role}"` })
      }
    })
    for (const [clientId, roles] of Object.entries(user.clientRoles ?? {})) {
      const known = clients.get(clientId)
      if (known === undefined) {
        issues.push({ path: at("users", u, "clientRoles", clientId), message: `unknown client "${clientId}"` })
        continue
      }
      roles.forEach((role, k) => {
        if (!known.has(role)) {
          issues.push({
            path: at("users", u, "clientRoles", clientId, k),
            message: `unknown role "${role}" of client "${clientId}"`
          })
        }
      })
    }
  })
  return issues
}

/**
 * A seed: the realms, with their users, clients, extra roles and mail servers.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Seed = Schema.Struct({
  realms: Schema.Array(RealmSeed)
}).pipe(
  Schema.filter((seed) => {
    const userIds = new Set<string>()
    return [
      ...duplicates(seed.realms, (realm) => realm.name, (r, name) => ({
        path: ["realms", r, "name"],
        message: `duplicate realm "${name}"`
      })),
      ...seed.realms.flatMap((realm, r) => realmIssues(realm, r, userIds))
    ]
  }),
  Schema.annotations({ identifier: "Seed" })
)

/**
 * @since 0.1.0
 * @category models
 */
export interface Seed extends Schema.Schema.Type<typeof Seed> {}

/**
 * The JSON form of a seed (what a seed file holds).
 *
 * @since 0.1.0
 * @category models
 */
export interface SeedEncoded extends Schema.Schema.Encoded<typeof Seed> {}

/**
 * Decodes a seed; unknown fields are errors (a misspelt field in a seed file should not pass silently).
 * The error's message names every bad field, one per line, and never repeats a value.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (input: unknown): Either.Either<Seed, InvalidInput> =>
  Schema.decodeUnknownEither(Seed, { errors: "all", onExcessProperty: "error" })(input).pipe(
    Either.mapLeft((error) => new InvalidInput({ message: ParseMessage.format(error, { values: false }) }))
  )

/**
 * The default world (USER-API.md, the seed's example set-up): realm `master` with the super user
 * `admin` / `secret`, the system account `manager-keycloak` and the service user `serviceuser` (secret
 * `your_secret`, super-user rights); realm `smartcity` with the regular user `smartcity` / `smartcity`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultSeed: SeedEncoded = {
  realms: [
    {
      name: StandardRoles.masterRealm,
      users: [
        {
          username: "admin",
          password: "secret",
          realmRoles: [StandardRoles.superUserRole],
          clientRoles: { [StandardRoles.openremoteClient]: ["read", "write"] }
        },
        {
          username: "manager-keycloak",
          attributes: { systemAccount: ["true"] }
        },
        {
          username: "serviceuser",
          serviceAccount: true,
          secret: "your_secret",
          realmRoles: [StandardRoles.superUserRole],
          clientRoles: { [StandardRoles.openremoteClient]: ["read", "write"] }
        }
      ]
    },
    {
      name: "smartcity",
      users: [
        {
          username: "smartcity",
          password: "smartcity",
          clientRoles: { [StandardRoles.openremoteClient]: [...StandardRoles.regularUserRoles] }
        }
      ]
    }
  ]
}
