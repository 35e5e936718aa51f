/**
 * The verified caller of an API request, read from its access token's claims. Role checks use the token's
 * roles (as the real server does), not the store's current mappings: a changed mapping counts from the
 * caller's next token.
 *
 * @internal
 */
import { StandardRoles } from "@openremote-effect/model"

/**
 * @internal
 */
export interface Caller {
  readonly realm: string
  readonly id: string
  /** `preferred_username`: the raw username (`service-account-<name>` for a service user). */
  readonly username: string
  /** The client the token was issued to (`azp`). */
  readonly clientId: string | undefined
  readonly realmRoles: ReadonlySet<string>
  /** Roles by client id (`resource_access`). */
  readonly clientRoles: ReadonlyMap<string, ReadonlySet<string>>
  /** Realm `master` and realm role `admin`. */
  readonly superUser: boolean
}

/**
 * The check done by annotation: the role may be a realm role or a role of any client.
 *
 * @internal
 */
export const hasAnyRole = (caller: Caller | null, role: string): boolean =>
  caller !== null && (caller.realmRoles.has(role) || [...caller.clientRoles.values()].some((roles) => roles.has(role)))

/**
 * The checks done in code: only roles of the `openremote` client count.
 *
 * @internal
 */
export const hasOpenRemoteRole = (caller: Caller | null, role: StandardRoles.ClientRoleName): boolean =>
  caller?.clientRoles.get(StandardRoles.openremoteClient)?.has(role) ?? false
