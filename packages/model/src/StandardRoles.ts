/**
 * The role names OpenRemote defines for every realm: the 22 roles of the `openremote` client, its two
 * composites, the defaults a regular user gets, and the realm roles Keycloak creates on its own
 * (USER-API.md §2 and §4).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The client every OpenRemote realm has; only its roles count in the server's in-code role checks.
 *
 * @since 0.1.0
 * @category constants
 */
export const openremoteClient = "openremote" as const

/**
 * The read roles of the `openremote` client.
 *
 * @since 0.1.0
 * @category constants
 */
export const readRoles = [
  "read:admin",
  "read:logs",
  "read:users",
  "read:map",
  "read:assets",
  "read:rules",
  "read:insights",
  "read:alarms",
  "read:notifications",
  "read:services"
] as const

/**
 * The write roles of the `openremote` client.
 *
 * @since 0.1.0
 * @category constants
 */
export const writeRoles = [
  "write:services",
  "write:user",
  "write:admin",
  "write:logs",
  "write:assets",
  "write:attributes",
  "write:rules",
  "write:insights",
  "write:alarms",
  "write:notifications"
] as const

/**
 * The composite roles of the `openremote` client and what they contain: `read` holds every read role,
 * `write` every read and every write role.
 *
 * @since 0.1.0
 * @category constants
 */
export const compositeRoles = {
  read: readRoles,
  write: [...readRoles, ...writeRoles]
} as const

/**
 * A role name of the `openremote` client.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientRoleName = Schema.Literal(...readRoles, ...writeRoles, "read", "write").annotations({
  identifier: "ClientRoleName"
})

/**
 * @since 0.1.0
 * @category models
 */
export type ClientRoleName = typeof ClientRoleName.Type

/**
 * The 22 standard role names of the `openremote` client, composites last.
 *
 * @since 0.1.0
 * @category constants
 */
export const clientRoles: ReadonlyArray<ClientRoleName> = ClientRoleName.literals

/**
 * The `openremote` client roles a regular user gets by default.
 *
 * @since 0.1.0
 * @category constants
 */
export const regularUserRoles = [
  "write:user",
  "read:map",
  "read:assets",
  "read:users",
  "read:rules",
  "read:insights",
  "read:alarms",
  "read:notifications",
  "read:services",
  "write:assets",
  "write:attributes",
  "write:rules",
  "write:insights",
  "write:alarms",
  "write:notifications",
  "write:services"
] as const satisfies ReadonlyArray<ClientRoleName>

/**
 * The realm role every OpenRemote realm has for users restricted to their linked assets.
 *
 * @since 0.1.0
 * @category constants
 */
export const restrictedUserRole = "restricted_user" as const

/**
 * The realm that holds super users.
 *
 * @since 0.1.0
 * @category constants
 */
export const masterRealm = "master" as const

/**
 * The realm role that makes a user of the master realm a super user.
 *
 * @since 0.1.0
 * @category constants
 */
export const superUserRole = "admin" as const

/**
 * The realm roles Keycloak creates by itself in a realm. Realm-role reads leave them out, and role
 * assignment never removes them. `admin` is built-in everywhere but in `master`, where it is the super-user
 * role and is reported.
 *
 * @since 0.1.0
 * @category constants
 */
export const builtInRealmRoles = (realm: string): ReadonlyArray<string> => [
  `default-roles-${realm}`,
  "offline_access",
  "uma_authorization",
  "create-realm",
  ...(realm === masterRealm ? [] : [superUserRole])
]

/**
 * The prefix Keycloak puts before a service user's username.
 *
 * @since 0.1.0
 * @category constants
 */
export const serviceAccountPrefix = "service-account-" as const
