/**
 * The user query of `queryUsers` (USER-API.md §6), over the store.
 *
 * - Top-level filters are ANDed; `ids` and `realmPredicate.name` are exact.
 * - `usernames` form one OR group, always case-insensitive, matched against the raw username (with any
 *   `service-account-` prefix); `serviceUsers` adds a BEGIN `service-account-` predicate (negated for
 *   `false`) to that same group, so with other usernames it widens the result (the server's quirk).
 * - `clientRoles` and `realmRoles` form one OR group over direct mappings (no composite expansion), client
 *   roles of any client, case per predicate; `negate` means "has no such role".
 * - `attributes`: each predicate ANDed; `negated` means "has no matching attribute"; the value's column is
 *   upper-cased when the *name* predicate is case-insensitive, the value itself when the value predicate is
 *   (so with both flags equal the value compares as the name does).
 * - EXACT is equality; BEGIN, END and CONTAINS are SQL `LIKE` with `%` placed accordingly, so `%` and `_` in a
 *   value are wildcards, as on the server. A predicate without a value matches anything.
 * - `assets` / `pathPredicate`: the simulator has no assets, so a non-empty one matches nobody.
 * - `orderBy` as PostgreSQL orders (ascending: absent values last), by code point; `CREATED_ON` fails.
 * - `offset` and `limit` apply only when greater than 0.
 *
 * Exact-username and id filters use the realm indexes, so they do not grow with the number of users.
 *
 * @internal
 */
import type { UserQuery } from "@openremote-effect/model"
import { StandardRoles } from "@openremote-effect/model"
import * as Either from "effect/Either"
import type { RealmRecord, Store, UserRecord } from "../Store.js"
import { stripPrefix } from "./usernames.js"

interface Matcher {
  readonly test: (value: string) => boolean
  readonly negate: boolean
}

const escapeRegExp = (character: string) => character.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** A SQL `LIKE` pattern (`%`, `_`, `\` escapes) as a regular expression. */
const likePattern = (pattern: string): RegExp => {
  const characters = [...pattern]
  let source = ""
  for (let i = 0; i < characters.length; i++) {
    const c = characters[i]!
    if (c === "\\" && i + 1 < characters.length) {
      source += escapeRegExp(characters[++i]!)
    } else {
      source += c === "%" ? "[\\s\\S]*" : c === "_" ? "[\\s\\S]" : escapeRegExp(c)
    }
  }
  return new RegExp(`^${source}$`, "u")
}

/**
 * A predicate as the server's SQL builder writes it: the column side is upper-cased when `columnInsensitive`,
 * the value side (`upper(?)`) when the predicate itself is case-insensitive. The two agree except for an
 * attribute value, whose column side follows the attribute *name* predicate (USER-API.md §6).
 */
const compileSides = (predicate: UserQuery.StringPredicate, columnInsensitive: boolean): Matcher => {
  const negate = predicate.negate === true
  if (predicate.value === undefined) return { test: () => true, negate }
  const column = (candidate: string) => columnInsensitive ? candidate.toUpperCase() : candidate
  const value = predicate.caseSensitive === false ? predicate.value.toUpperCase() : predicate.value
  switch (predicate.match ?? "EXACT") {
    case "EXACT":
      return { test: (candidate) => column(candidate) === value, negate }
    case "BEGIN": {
      const pattern = likePattern(`${value}%`)
      return { test: (candidate) => pattern.test(column(candidate)), negate }
    }
    case "END": {
      const pattern = likePattern(`%${value}`)
      return { test: (candidate) => pattern.test(column(candidate)), negate }
    }
    case "CONTAINS": {
      const pattern = likePattern(`%${value}%`)
      return { test: (candidate) => pattern.test(column(candidate)), negate }
    }
  }
}

const compile = (predicate: UserQuery.StringPredicate, forceCaseInsensitive: boolean): Matcher =>
  compileSides(
    forceCaseInsensitive ? { ...predicate, caseSensitive: false } : predicate,
    forceCaseInsensitive || predicate.caseSensitive === false
  )

const passes = (matcher: Matcher, value: string) => matcher.test(value) !== matcher.negate

/**
 * Who asks: super users may query every realm and see system accounts; everyone else is confined to their
 * realm, without system accounts.
 *
 * @internal
 */
export interface Scope {
  readonly superUser: boolean
  readonly realm: string
}

/**
 * A user found by a query, with its realm.
 *
 * @internal
 */
export interface Found {
  readonly realm: RealmRecord
  readonly user: UserRecord
}

/**
 * Why a query failed on the real server.
 *
 * @internal
 */
export type QueryFailure = "OrderByCreatedOn"

const systemAccountAttribute = "systemAccount"

const orderKey = (property: UserQuery.OrderByProperty, user: UserRecord): string | undefined => {
  switch (property) {
    case "FIRST_NAME":
      return user.firstName
    case "LAST_NAME":
      return user.lastName
    case "EMAIL":
      return user.email
    default:
      return stripPrefix(user.username)
  }
}

/** Ascending with absent values last, as PostgreSQL orders; descending is its reverse. */
const compareAscending = (a: string | undefined, b: string | undefined): number =>
  a === b ? 0 : a === undefined ? 1 : b === undefined ? -1 : a < b ? -1 : 1

/**
 * Runs a query.
 *
 * @internal
 */
export const run = (
  store: Store,
  scope: Scope,
  query: UserQuery.UserQuery
): Either.Either<ReadonlyArray<Found>, QueryFailure> => {
  if (query.orderBy?.property === "CREATED_ON") return Either.left("OrderByCreatedOn")
  const realmName = scope.superUser ? query.realmPredicate?.name : scope.realm
  const realms: ReadonlyArray<RealmRecord> = realmName === undefined
    ? [...store.realms.values()]
    : [store.realm(realmName)].filter((realm) => realm !== undefined)

  const usernameMatchers = [
    ...(query.usernames ?? []).map((predicate) => compile(predicate, true)),
    ...(query.serviceUsers === undefined ? [] : [
      compile({ value: StandardRoles.serviceAccountPrefix, match: "BEGIN", negate: !query.serviceUsers }, true)
    ])
  ]
  const roleMatchers = [
    ...(query.clientRoles ?? []).map((predicate) => ({ kind: "client" as const, matcher: compile(predicate, false) })),
    ...(query.realmRoles ?? []).map((predicate) => ({ kind: "realm" as const, matcher: compile(predicate, false) }))
  ]
  const attributeMatchers = [
    ...(query.attributes ?? []).map((predicate) => ({
      negated: predicate.negated === true,
      name: predicate.name === undefined ? undefined : compile(predicate.name, false),
      // The value's column side follows the name predicate's case handling (the server's SQL builder).
      value: predicate.value === undefined
        ? undefined
        : compileSides(predicate.value, predicate.name?.caseSensitive === false)
    })),
    ...(scope.superUser ? [] : [{
      negated: true,
      name: compile({ value: systemAccountAttribute }, false),
      value: undefined
    }])
  ]
  const ids = query.ids !== undefined && query.ids.length > 0 ? new Set(query.ids) : undefined
  const noAssets = (query.assets?.length ?? 0) > 0 || (query.pathPredicate?.path?.length ?? 0) > 0

  const candidates = (realm: RealmRecord): Iterable<UserRecord> => {
    if (ids !== undefined) {
      return [...ids].flatMap((id) => {
        const user = realm.users.get(id)
        return user === undefined ? [] : [user]
      })
    }
    const usernames = query.usernames ?? []
    const exact = query.serviceUsers === undefined && usernames.length > 0 &&
      usernames.every((predicate) =>
        predicate.value !== undefined && (predicate.match ?? "EXACT") === "EXACT" && predicate.negate !== true
      )
    if (exact) {
      return [...new Set(usernames.map((predicate) => predicate.value!.toLowerCase()))].flatMap((username) => {
        const user = store.userByUsername(realm, username)
        return user === undefined ? [] : [user]
      })
    }
    return realm.users.values()
  }

  const matches = (realm: RealmRecord, user: UserRecord): boolean => {
    if (ids !== undefined && !ids.has(user.id)) return false
    if (usernameMatchers.length > 0 && !usernameMatchers.some((matcher) => passes(matcher, user.username))) {
      return false
    }
    for (const attribute of attributeMatchers) {
      let found = false
      for (const [name, values] of user.attributes) {
        if (
          (attribute.name === undefined || passes(attribute.name, name)) &&
          (attribute.value === undefined || values.some((value) => passes(attribute.value!, value)))
        ) {
          found = true
          break
        }
      }
      if (found === attribute.negated) return false
    }
    if (roleMatchers.length > 0) {
      const realmRoles = store.directRealmRoleNames(realm, user)
      const clientRoles = store.directClientRoleNames(realm, user)
      const any = roleMatchers.some(({ kind, matcher }) => {
        const has = (kind === "realm" ? realmRoles : clientRoles).some((name) => matcher.test(name))
        return has !== matcher.negate
      })
      if (!any) return false
    }
    return true
  }

  const orderBy = query.orderBy
  const offset = query.offset !== undefined && query.offset > 0 ? query.offset : 0
  // Without an order, results come in creation order: the scan can stop once the page is complete.
  const enough = orderBy?.property === undefined && query.limit !== undefined && query.limit > 0
    ? offset + query.limit
    : Number.POSITIVE_INFINITY
  let found: Array<Found> = []
  if (!noAssets) {
    scan: for (const realm of realms) {
      for (const user of candidates(realm)) {
        if (matches(realm, user)) found.push({ realm, user })
        if (found.length >= enough) break scan
      }
    }
  }
  if (orderBy?.property !== undefined) {
    const property = orderBy.property
    const direction = orderBy.descending === true ? -1 : 1
    found.sort((a, b) => direction * compareAscending(orderKey(property, a.user), orderKey(property, b.user)))
  }
  if (offset > 0) found = found.slice(offset)
  if (query.limit !== undefined && query.limit > 0) found = found.slice(0, query.limit)
  return Either.right(found)
}
