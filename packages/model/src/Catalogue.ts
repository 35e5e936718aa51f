/**
 * The 24 operations of OpenRemote's user API as data: the only place a method, path, body, result, status or
 * role of the API is written. Behaviour as the real server shows it (`reference/spec/USER-API.md` §3); where
 * the published documents differ, see {@link SpecDifferences}.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Credential } from "./Credential.js"
import * as Operation from "./Operation.js"
import { Role } from "./Role.js"
import { User } from "./User.js"
import { UserQuery } from "./UserQuery.js"
import { UserSession } from "./UserSession.js"

const invalidToken = "the bearer token is invalid: bad signature, expired, wrong issuer, realm or client"
const realmNotAccessible = "the realm is not the caller's and the caller is not a super user"
const anonymousForbidden = "anonymous caller"
const readUserResponses = {
  401: `anonymous caller, or ${invalidToken}`,
  403: "the target is not the caller and the caller lacks the `openremote` role read:admin",
  405: `${realmNotAccessible}, or the user does not exist in the realm (also when it does not exist at all)`
}
const roleDefinitionResponses = {
  204: "the role definitions were replaced",
  401: invalidToken,
  403: "the caller lacks write:admin",
  404:
    "any other failure: unknown client, unknown role id, bad composite role id, an existing composite role sent without `compositeRoleIds`",
  405: realmNotAccessible,
  409: "a new role (no `id`) has the name of an existing role; nothing is added"
}
const noUsername = "the body has no `username` (the server reads its length before checking it is there)"

/**
 * @since 0.1.0
 * @category operations
 */
export const createUser = Operation.make({
  name: "createUser",
  summary: "Create a new user in a realm",
  method: "POST",
  path: "/user/{realm}/users",
  body: Operation.body("user", User),
  result: Operation.json(User),
  success: 200,
  role: "write:admin",
  retrySafe: false,
  responses: {
    200: "the created user, with `realm` set and without `createdOn`, `realmId` or `secret`",
    400:
      "the username is missing or invalid, or a service user's name is taken by a client that is not a service user's (e.g. `admin-cli`)",
    401: invalidToken,
    403:
      "the caller lacks write:admin, or a user with that username, or that id (whatever the username), already exists (not 409)",
    405: realmNotAccessible
  }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const deleteUser = Operation.make({
  name: "deleteUser",
  summary: "Delete a user from a realm",
  method: "DELETE",
  path: "/user/{realm}/users/{userId}",
  result: Operation.noContent,
  success: 204,
  role: "write:admin",
  responses: {
    204: "the user was deleted, or did not exist",
    401: invalidToken,
    403: "the caller lacks write:admin",
    405: `${realmNotAccessible}, or the user is master's \`admin\``,
    500:
      "the id is a user of another realm than `{realm}` (found in any realm, then deleted in `{realm}`); the user survives"
  }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const disconnectUserSession = Operation.make({
  name: "disconnectUserSession",
  summary: "Disconnect a user session using a session ID",
  method: "GET",
  path: "/user/{realm}/disconnect/{sessionID}",
  result: Operation.noContent,
  success: 204,
  responses: {
    204: "the session was disconnected (no authentication or realm check; `{realm}` is ignored)",
    401: invalidToken,
    404: "no session has that id"
  }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const getClientRoles = Operation.make({
  name: "getClientRoles",
  summary: "Retrieve client roles for a realm and client",
  method: "GET",
  path: "/user/{realm}/{clientId}/roles",
  result: Operation.json(Schema.Array(Role)),
  success: 200,
  role: "read:admin",
  responses: {
    200: "the client's role definitions",
    401: invalidToken,
    403: "the caller lacks read:admin",
    405: realmNotAccessible,
    500: "the client does not exist"
  }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const getCurrentUser = Operation.make({
  name: "getCurrentUser",
  summary: "Retrieve the currently authenticated user",
  method: "GET",
  path: "/user/user",
  result: Operation.json(User),
  success: 200,
  responses: {
    200: "the caller",
    401: invalidToken,
    403: anonymousForbidden
  }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const getCurrentUserClientRoles = Operation.make({
  name: "getCurrentUserClientRoles",
  summary: "Retrieve client roles for the currently authenticated user using a client ID",
  method: "GET",
  path: "/user/userRoles/{clientId}",
  result: Operation.json(Schema.Array(Schema.String)),
  success: 200,
  responses: {
    200: "the caller's effective role names of the client (`[]` for an unknown client)",
    401: invalidToken,
    403: anonymousForbidden
  }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const getCurrentUserRealmRoles = Operation.make({
  name: "getCurrentUserRealmRoles",
  summary: "Retrieve realm roles for the currently authenticated user",
  method: "GET",
  path: "/user/userRealmRoles",
  result: Operation.json(Schema.Array(Schema.String)),
  success: 200,
  responses: {
    200: "the caller's effective realm role names, built-in roles left out",
    401: invalidToken,
    403: anonymousForbidden
  }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const getUser = Operation.make({
  name: "getUser",
  summary: "Retrieve a user in a realm",
  method: "GET",
  path: "/user/{realm}/{userId}",
  result: Operation.json(User),
  success: 200,
  responses: { 200: "the user, every field", ...readUserResponses }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const getUserClientRoles = Operation.make({
  name: "getUserClientRoles",
  summary: "Retrieve client roles for a user using a client ID in a realm",
  method: "GET",
  path: "/user/{realm}/userRoles/{userId}/{clientId}",
  result: Operation.json(Schema.Array(Schema.String)),
  success: 200,
  responses: { 200: "the user's effective role names of the client (`[]` for an unknown client)", ...readUserResponses }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const getUserRealmRoles = Operation.make({
  name: "getUserRealmRoles",
  summary: "Retrieve realm roles for a user in a realm",
  method: "GET",
  path: "/user/{realm}/userRealmRoles/{userId}",
  result: Operation.json(Schema.Array(Schema.String)),
  success: 200,
  responses: { 200: "the user's effective realm role names, built-in roles left out", ...readUserResponses }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const getUserSessions = Operation.make({
  name: "getUserSessions",
  summary: "Retrieve sessions for a user in a realm",
  method: "GET",
  path: "/user/{realm}/userSessions/{userId}",
  result: Operation.json(Schema.Array(UserSession)),
  success: 200,
  responses: { 200: "the user's live sessions (`[]` if none)", ...readUserResponses }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const queryUsers = Operation.make({
  name: "queryUsers",
  summary: "Query users based on criteria",
  method: "POST",
  path: "/user/query",
  body: Operation.body("query", UserQuery, { optional: true }),
  result: Operation.json(Schema.Array(User)),
  success: 200,
  responses: {
    200: "the matching users (basic results for callers with read:users but not read:admin)",
    401: invalidToken,
    403: "the caller lacks the `openremote` roles read:admin and read:users (also anonymous callers)",
    500: "ordering by CREATED_ON (inferred)"
  }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const requestPasswordReset = Operation.make({
  name: "requestPasswordReset",
  summary: "Request a password reset for the currently authenticated user",
  method: "PUT",
  path: "/user/request-password-reset",
  result: Operation.noContent,
  success: 204,
  role: "write:user",
  responses: {
    204: "a password-reset mail was sent",
    400: "the caller has no email address, or is disabled (inferred)",
    401: invalidToken,
    403: "the caller lacks write:user",
    500: "the realm has no mail server"
  }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const requestUserPasswordReset = Operation.make({
  name: "requestUserPasswordReset",
  summary: "Request a password reset for a user in a realm",
  method: "PUT",
  path: "/user/{realm}/request-password-reset/{userId}",
  result: Operation.noContent,
  success: 204,
  role: "write:admin",
  responses: {
    204: "a password-reset mail was sent",
    400: "the user has no email address, or is disabled (inferred)",
    401: invalidToken,
    403: "the caller lacks write:admin",
    404: "the user is not in the realm",
    405: `${realmNotAccessible}, or the same-realm check failed`,
    500: "the realm has no mail server"
  }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const resetSecret = Operation.make({
  name: "resetSecret",
  summary: "Reset the secret for a user in a realm",
  method: "GET",
  path: "/user/{realm}/reset-secret/{userId}",
  result: Operation.text(Schema.Redacted(Schema.String)),
  success: 200,
  role: "write:admin",
  responses: {
    200: "the new secret as raw text, without JSON quotes",
    204:
      "the user does not exist, or no client is named by its username after the first 16 characters (a regular user of 16 or more characters)",
    401: invalidToken,
    403: "the caller lacks write:admin",
    405: realmNotAccessible,
    500: "a regular user whose username is shorter than 16 characters (the server's `substring(16)` of the prefix)"
  }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const updateClientRoles = Operation.make({
  name: "updateClientRoles",
  summary: "Update client roles for a realm and client",
  method: "PUT",
  path: "/user/{realm}/{clientId}/roles",
  body: Operation.body("roles", Schema.Array(Role)),
  result: Operation.noContent,
  success: 204,
  role: "write:admin",
  responses: roleDefinitionResponses
})

/**
 * @since 0.1.0
 * @category operations
 */
export const updateCurrentUserLocale = Operation.make({
  name: "updateCurrentUserLocale",
  summary: "Update locale for the current user in a realm",
  method: "PUT",
  path: "/user/locale",
  body: Operation.body("locale", Schema.String),
  result: Operation.noContent,
  success: 204,
  responses: {
    204: "the locale was stored as the caller's `locale` attribute (every `\"` stripped from the body)",
    400: "the locale is empty (checked before anything else)",
    401: invalidToken,
    403: anonymousForbidden
  }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const updateOwnPassword = Operation.make({
  name: "updateOwnPassword",
  summary: "Update the password for the currently authenticated user",
  method: "PUT",
  path: "/user/reset-password",
  body: Operation.body("credential", Credential),
  result: Operation.noContent,
  success: 204,
  role: "write:user",
  responses: {
    204: "the password was replaced",
    400: "the password does not meet the realm's policy",
    401: invalidToken,
    403: "the caller lacks write:user"
  }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const updatePassword = Operation.make({
  name: "updatePassword",
  summary: "Update the password for a user in a realm",
  method: "PUT",
  path: "/user/{realm}/reset-password/{userId}",
  body: Operation.body("credential", Credential),
  result: Operation.noContent,
  success: 204,
  role: "write:admin",
  responses: {
    204: "the password was replaced",
    400: "the password is missing or does not meet the realm's policy (inferred)",
    401: invalidToken,
    403: "the caller lacks write:admin",
    404: "the user does not exist in the realm",
    405: `${realmNotAccessible}, or the same-realm check failed`
  }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const updateRoles = Operation.make({
  name: "updateRoles",
  summary: "Update roles for a realm",
  method: "PUT",
  path: "/user/{realm}/roles",
  body: Operation.body("roles", Schema.Array(Role)),
  result: Operation.noContent,
  success: 204,
  role: "write:admin",
  responses: roleDefinitionResponses
})

/**
 * @since 0.1.0
 * @category operations
 */
export const updateSelf = Operation.make({
  name: "updateSelf",
  summary: "Update the currently authenticated user",
  method: "PUT",
  path: "/user/update",
  body: Operation.body("user", User),
  result: Operation.json(User),
  success: 200,
  role: "write:user",
  responses: {
    200: "the updated caller",
    400: "the username or another field is invalid",
    401: invalidToken,
    403: "the caller lacks write:user, or the body's `id` is not the caller's",
    405: "the update changes the service-user flag or a service user's username",
    500: noUsername
  }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const updateUser = Operation.make({
  name: "updateUser",
  summary: "Update a user in a realm",
  method: "PUT",
  path: "/user/{realm}/users",
  body: Operation.body("user", User),
  result: Operation.json(User),
  success: 200,
  role: "write:admin",
  responses: {
    200: "the updated (or, when not found, created) user",
    400: "the user is invalid",
    401: invalidToken,
    403: "the caller lacks write:admin",
    405:
      `${realmNotAccessible}, the same-realm check failed, or the update disables master's \`admin\`, changes the service-user flag or a service user's username`,
    500: noUsername
  }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const updateUserClientRoles = Operation.make({
  name: "updateUserClientRoles",
  summary: "Update client roles for a user in a realm using a client ID",
  method: "PUT",
  path: "/user/{realm}/userRoles/{userId}/{clientId}",
  body: Operation.body("roles", Schema.Array(Schema.String)),
  result: Operation.noContent,
  success: 204,
  role: "write:admin",
  responses: {
    204: "the user's roles of the client were replaced (unknown names ignored)",
    401: invalidToken,
    403: "the caller lacks write:admin",
    404: "the user does not exist",
    405: realmNotAccessible,
    500: "the client does not exist"
  }
})

/**
 * @since 0.1.0
 * @category operations
 */
export const updateUserRealmRoles = Operation.make({
  name: "updateUserRealmRoles",
  summary: "Update realm roles for a user in a realm",
  method: "PUT",
  path: "/user/{realm}/userRealmRoles/{userId}",
  body: Operation.body("roles", Schema.Array(Schema.String)),
  result: Operation.noContent,
  success: 204,
  role: "write:admin",
  responses: {
    204: "the user's realm roles were replaced (unknown names ignored, built-in roles kept)",
    401: invalidToken,
    403: "the caller lacks write:admin",
    404: "the user does not exist",
    405: realmNotAccessible
  }
})

/**
 * The 24 operations by name, in the seed's order.
 *
 * @since 0.1.0
 * @category catalogue
 */
export const operations = {
  createUser,
  deleteUser,
  disconnectUserSession,
  getClientRoles,
  getCurrentUser,
  getCurrentUserClientRoles,
  getCurrentUserRealmRoles,
  getUser,
  getUserClientRoles,
  getUserRealmRoles,
  getUserSessions,
  queryUsers,
  requestPasswordReset,
  requestUserPasswordReset,
  resetSecret,
  updateClientRoles,
  updateCurrentUserLocale,
  updateOwnPassword,
  updatePassword,
  updateRoles,
  updateSelf,
  updateUser,
  updateUserClientRoles,
  updateUserRealmRoles
} as const

/**
 * @since 0.1.0
 * @category catalogue
 */
export type Operations = typeof operations

/**
 * The name of one of the 24 operations.
 *
 * @since 0.1.0
 * @category catalogue
 */
export type OperationName = keyof Operations

/**
 * The 24 operations as a list, in the seed's order.
 *
 * @since 0.1.0
 * @category catalogue
 */
export const all: ReadonlyArray<Operations[OperationName]> = Object.values(operations)

/**
 * The headers every operation accepts besides `Authorization`; they only influence URLs the server builds.
 *
 * @since 0.1.0
 * @category catalogue
 */
export const forwardedHeaders = ["X-Forwarded-Proto", "X-Forwarded-Host"] as const

/**
 * The prefix of every operation's path: `/api/{realm}` on the server's origin, where `{realm}` is the
 * request realm (the realm of the caller's token).
 *
 * @since 0.1.0
 * @category catalogue
 */
export const apiPrefix = "/api/{requestRealm}" as const

/**
 * The API base URL of a request realm on a server's origin: `{origin}/api/{requestRealm}`, the realm
 * percent-encoded and trailing slashes of `origin` dropped (`""` as the origin gives the path alone). The
 * one place this URL is built: the client's configuration, the simulator, the contract tests, the
 * benchmarks and the example all use it.
 *
 * @example
 * ```ts
 * import { Catalogue } from "@openremote-effect/model"
 *
 * Catalogue.apiBaseUrl("http://localhost:8080", "master") // "http://localhost:8080/api/master"
 * ```
 *
 * @since 0.1.0
 * @category catalogue
 */
export const apiBaseUrl = (origin: string, requestRealm: string): string =>
  origin.replace(/\/+$/, "") + apiPrefix.replace("{requestRealm}", encodeURIComponent(requestRealm))
