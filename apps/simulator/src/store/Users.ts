/**
 * The rules a user must meet before the store creates or changes it: username (shared with the seed's
 * validation), names, email address, password policy; and how the store keeps attributes and email
 * addresses.
 *
 * @since 0.1.0
 */
import type { User } from "@openremote-effect/model"
import { User as UserModel } from "@openremote-effect/model"
import * as Either from "effect/Either"
import * as Usernames from "../internal/usernames.js"
import type { RealmRecord } from "./Records.js"

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
 * A password that does not meet the realm's policy.
 *
 * @since 0.1.0
 * @category models
 */
export interface PasswordFailure {
  readonly _tag: "InvalidPassword"
  readonly message: string
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
export const usernameFor = (user: User.User): Either.Either<Usernames.Normalized, string> => {
  if (user.username === undefined || user.username === "") {
    return Either.left("username: is missing")
  }
  const normalized = Usernames.normalize(user.username, user.serviceAccount)
  const problem = Usernames.problem(normalized)
  return problem === undefined ? Either.right(normalized) : Either.left(`username: ${problem}`)
}

/**
 * Why `input` would be refused as a user (username, then the other fields), or the normalized username.
 *
 * @since 0.1.0
 * @category validation
 */
export const checkUser = (input: User.User): Either.Either<Usernames.Normalized, UserFailure> => {
  const username = usernameFor(input)
  if (Either.isLeft(username)) return Either.left({ _tag: "InvalidUser", message: username.left })
  const problem = userFieldsProblem(input)
  if (problem !== undefined) return Either.left({ _tag: "InvalidUser", message: problem })
  return Either.right(username.right)
}

/**
 * `password` if it may be a new password of a user of `realm`; refused: a missing or blank password, or one
 * shorter than the realm's `passwordMinLength`.
 *
 * @since 0.1.0
 * @category validation
 */
export const checkPassword = (
  realm: RealmRecord,
  password: string | undefined
): Either.Either<string, PasswordFailure> => {
  if (password === undefined) return Either.left({ _tag: "InvalidPassword", message: "No password provided" })
  if (password.trim() === "") return Either.left({ _tag: "InvalidPassword", message: "Empty password" })
  if (realm.passwordMinLength !== undefined && [...password].length < realm.passwordMinLength) {
    return Either.left({
      _tag: "InvalidPassword",
      message: `Invalid password: minimum length ${realm.passwordMinLength}.`
    })
  }
  return Either.right(password)
}

/**
 * Attributes as the store keeps them: Keycloak keeps no attribute without values.
 *
 * @since 0.1.0
 * @category constructors
 */
export const attributesFrom = (
  attributes: Readonly<Record<string, ReadonlyArray<string>>> | undefined
): Map<string, ReadonlyArray<string>> => {
  const map = new Map<string, ReadonlyArray<string>>()
  for (const [name, values] of Object.entries(attributes ?? {})) {
    if (values.length > 0) map.set(name, [...values])
  }
  return map
}

/**
 * An email address as the store keeps it: lower-cased; an empty one is none.
 *
 * @since 0.1.0
 * @category constructors
 */
export const normalizeEmail = (email: string | undefined): string | undefined =>
  email === undefined || email === "" ? undefined : email.toLowerCase()
