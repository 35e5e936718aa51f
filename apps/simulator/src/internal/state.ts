/**
 * The mutable state of one simulator, made by `makeState` (`Simulator.ts`) and given whole only to the control
 * plane's `Control` and the MQTT broker; each plugin gets the parts it needs ({@link authenticationOf},
 * {@link keycloakOf}). `store` and `seed` are replaced by `reset` and `load`; `keycloakUrl` is set once the
 * listening port is known.
 *
 * @internal
 */
import type { SimulatorClock } from "../Clock.js"
import type { Faults } from "../Faults.js"
import type { Journal } from "../Journal.js"
import type { Authentication } from "../plugins/auth.js"
import type { KeycloakPluginOptions } from "../plugins/keycloak.js"
import type * as Seed from "../Seed.js"
import type { Store } from "../Store.js"
import type { Tokens } from "../Tokens.js"

/**
 * @internal
 */
export interface State {
  store: Store
  seed: Seed.Seed
  /** When the current seed was loaded: `createdOn` of its users, also after `reset`. */
  seedLoadedAt: number
  /** The public Keycloak URL, e.g. `http://127.0.0.1:8081/auth`; tokens' `iss` is this + `/realms/{realm}`. */
  keycloakUrl: string
  readonly clock: SimulatorClock
  readonly tokens: Tokens
  readonly faults: Faults
  readonly journal: Journal
  /** Access token lifespan, seconds. */
  readonly tokenLifespan: number
  /** Refresh token lifespan, seconds. */
  readonly refreshTokenLifespan: number
  /** Salt of the secret fingerprints in snapshots. */
  readonly secretSalt: string
  /**
   * The broker connections behind sessions, by session id: each entry closes its connection. Sessions opened
   * through the control plane have none.
   */
  readonly connections: Map<string, () => void>
}

/**
 * The store's `onSessionEnd`: closes the broker connection behind an ended session, if there is one.
 *
 * @internal
 */
export const closeConnectionOf = (connections: Map<string, () => void>) => (session: { readonly id: string }) => {
  const close = connections.get(session.id)
  if (close === undefined) return
  connections.delete(session.id)
  close()
}

/**
 * The issuer of `realm`'s tokens.
 *
 * @internal
 */
export const issuer = (state: State, realm: string): string => `${state.keycloakUrl}/realms/${realm}`

/**
 * What the authentication of API requests and MQTT connections needs from `state`: the key service, the clock
 * and the issuer of a realm's tokens (read when asked: the public Keycloak URL is known once listening).
 *
 * @internal
 */
export const authenticationOf = (state: State): Authentication => ({
  tokens: state.tokens,
  clock: state.clock,
  issuer: (realm) => issuer(state, realm)
})

/**
 * What the Keycloak endpoints (and the MQTT broker's client-credentials grant) need from `state`: the current
 * store, the authentication's key service, clock and issuers, and the token lifespans.
 *
 * @internal
 */
export const keycloakOf = (state: State): KeycloakPluginOptions => ({
  store: () => state.store,
  authentication: authenticationOf(state),
  tokenLifespan: state.tokenLifespan,
  refreshTokenLifespan: state.refreshTokenLifespan
})
