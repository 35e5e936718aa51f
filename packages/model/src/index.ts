/**
 * `@openremote-effect/model`: the one source of truth for OpenRemote's user API. Effect Schemas of the wire
 * models and the catalogue of the 24 operations, from which the client and the simulator are both built.
 *
 * @since 0.1.0
 */

/**
 * The 24 operations as data.
 *
 * @since 0.1.0
 */
export * as Catalogue from "./Catalogue.js"

/**
 * The `Credential` wire model.
 *
 * @since 0.1.0
 */
export * as Credential from "./Credential.js"

/**
 * The shape of one operation, its constructors and its type-level helpers.
 *
 * @since 0.1.0
 */
export * as Operation from "./Operation.js"

/**
 * Plain-text descriptions of decoding failures.
 *
 * @since 0.1.0
 */
export * as ParseMessage from "./ParseMessage.js"

/**
 * The `Role` wire model.
 *
 * @since 0.1.0
 */
export * as Role from "./Role.js"

/**
 * Where the published documents and the server disagree.
 *
 * @since 0.1.0
 */
export * as SpecDifferences from "./SpecDifferences.js"

/**
 * The standard role names of every OpenRemote realm.
 *
 * @since 0.1.0
 */
export * as StandardRoles from "./StandardRoles.js"

/**
 * Timestamps: epoch milliseconds on the wire.
 *
 * @since 0.1.0
 */
export * as Timestamp from "./Timestamp.js"

/**
 * The `User` wire model and the username rules.
 *
 * @since 0.1.0
 */
export * as User from "./User.js"

/**
 * The `UserQuery` wire model and its predicates.
 *
 * @since 0.1.0
 */
export * as UserQuery from "./UserQuery.js"

/**
 * The `UserSession` wire model.
 *
 * @since 0.1.0
 */
export * as UserSession from "./UserSession.js"
