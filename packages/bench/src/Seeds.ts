/**
 * The worlds the benchmarks and robustness tests run against: the simulator's default world (for its
 * service user `serviceuser` / `your_secret` and super user `admin` / `secret`) plus realms of generated
 * users. Generated users are derived from their index, so a benchmark knows every id and username without
 * asking the simulator.
 *
 * @since 0.1.0
 */
import { Seed } from "@openremote-effect/simulator"

/**
 * A realm of `users` generated users.
 *
 * @since 0.1.0
 * @category models
 */
export interface RealmSpec {
  readonly name: string
  readonly users: number
}

/**
 * The realm of 1,000 users most benchmarks use.
 *
 * @since 0.1.0
 * @category constants
 */
export const benchRealm: RealmSpec = { name: "bench", users: 1_000 }

/**
 * How many distinct `department` attribute values generated users have: with 20, every realm of 1,000 users
 * or more has at least 50 users per department, so an attribute query with `limit` 50 always returns 50.
 *
 * @since 0.1.0
 * @category constants
 */
export const departments = 20

/**
 * The default world's service user (a super user): the seed's example credentials, not a secret.
 *
 * @since 0.1.0
 * @category constants
 */
export const serviceUser = { clientId: "serviceuser", clientSecret: "your_secret" } as const

/**
 * The default world's super user in realm master (password grant on the public client `openremote`).
 *
 * @since 0.1.0
 * @category constants
 */
export const superUser = { username: "admin", password: "secret", clientId: "openremote" } as const

/**
 * The default world's regular user in realm smartcity.
 *
 * @since 0.1.0
 * @category constants
 */
export const regularUser = {
  realm: "smartcity",
  username: "smartcity",
  password: "smartcity",
  clientId: "openremote"
} as const

/**
 * The id of generated user `index` of `realm`.
 *
 * @since 0.1.0
 * @category generated users
 */
export const userId = (realm: string, index: number): string => `bench-${realm}-${index}`

/**
 * The username of generated user `index`: `user-000042`. Usernames are the same in every realm.
 *
 * @since 0.1.0
 * @category generated users
 */
export const username = (index: number): string => `user-${String(index).padStart(6, "0")}`

/**
 * The `department` attribute value of generated user `index`.
 *
 * @since 0.1.0
 * @category generated users
 */
export const department = (index: number): string => `dept-${index % departments}`

/**
 * A realm of generated users: enabled, with names, an email address and a `department` attribute; no
 * password (password hashing would only slow down loading).
 *
 * @since 0.1.0
 * @category constructors
 */
export const realm = (spec: RealmSpec): Seed.SeedEncoded["realms"][number] => ({
  name: spec.name,
  users: Array.from({ length: spec.users }, (_, i) => ({
    id: userId(spec.name, i),
    username: username(i),
    firstName: `First${i}`,
    lastName: `Last${i}`,
    email: `${username(i)}@${spec.name}.example`,
    enabled: true,
    attributes: { department: [department(i)] }
  }))
})

/**
 * The default world plus realms of generated users.
 *
 * @since 0.1.0
 * @category constructors
 */
export const world = (realms: ReadonlyArray<RealmSpec> = []): Seed.SeedEncoded => ({
  realms: [...Seed.defaultSeed.realms, ...realms.map(realm)]
})
