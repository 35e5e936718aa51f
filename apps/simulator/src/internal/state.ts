/**
 * The mutable state of one simulator, made by `makeState` (`Simulator.ts`) and given whole only to the control
 * plane and the Keycloak endpoints; the other plugins get the parts they need. `store` and `seed` are replaced
 * by `reset` and `load`; `keycloakUrl` is set once the listening port is known.
 *
 * @internal
 */
import type { SimulatorClock } from "../Clock.js"
import type { Faults } from "../Faults.js"
import type { Journal } from "../Journal.js"
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
}

/**
 * The issuer of `realm`'s tokens.
 *
 * @internal
 */
export const issuer = (state: State, realm: string): string => `${state.keycloakUrl}/realms/${realm}`
