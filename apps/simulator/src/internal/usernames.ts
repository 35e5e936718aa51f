/**
 * Usernames as the store keeps them: lower-cased, a service user's with the `service-account-` prefix. The
 * seed's validation and the store's share these rules, so a username the seed accepts is one the API accepts.
 *
 * @internal
 */
import { StandardRoles, User } from "@openremote-effect/model"

/**
 * A username as stored: `raw` is the lower-cased username (`service-account-<name>` for a service user),
 * `name` the service user's client id.
 *
 * @internal
 */
export interface Normalized {
  readonly raw: string
  readonly name: string
  readonly serviceAccount: boolean
}

/**
 * How a username is stored: a service user's (`serviceAccount`, or a username starting with
 * `service-account-`) raw username is `service-account-<name>`, every username is lower-cased.
 *
 * @internal
 */
export const normalize = (username: string, serviceAccount: boolean | undefined): Normalized => {
  const lower = username.toLowerCase()
  const service = serviceAccount === true || lower.startsWith(StandardRoles.serviceAccountPrefix)
  const name = service && lower.startsWith(StandardRoles.serviceAccountPrefix)
    ? lower.slice(StandardRoles.serviceAccountPrefix.length)
    : lower
  return { raw: service ? StandardRoles.serviceAccountPrefix + name : name, name, serviceAccount: service }
}

/**
 * Why a normalized username would be refused, or undefined: a service user without a name after the prefix,
 * else the server's rules (`User.usernameProblem`), the latter worded by `word` (e.g. `username ${problem}`).
 *
 * @internal
 */
export const problem = (
  username: Normalized,
  word: (problem: string) => string = (problem) => problem
): string | undefined => {
  if (username.serviceAccount && username.name === "") {
    return "a service user needs a name after \"service-account-\""
  }
  const problem = User.usernameProblem(username.raw)
  return problem === undefined ? undefined : word(problem)
}

/**
 * A stored username as the API shows it: without a service user's `service-account-` prefix.
 *
 * @internal
 */
export const stripPrefix = (username: string): string =>
  username.startsWith(StandardRoles.serviceAccountPrefix)
    ? username.slice(StandardRoles.serviceAccountPrefix.length)
    : username
