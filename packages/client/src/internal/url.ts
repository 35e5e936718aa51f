/**
 * URL helpers: joining the base URL and an operation path, the request realm of a base URL, the token
 * endpoint of a Keycloak realm, and URLs fit to be shown in errors.
 *
 * @internal
 */

/**
 * `url` without trailing slashes.
 *
 * @internal
 */
export const trimTrailingSlashes = (url: string): string => url.replace(/\/+$/, "")

/**
 * Whether `url` is an absolute `http:` or `https:` URL.
 *
 * @internal
 */
export const isHttpUrl = (url: string): boolean => {
  try {
    const parsed = new URL(url)
    return parsed.protocol === "http:" || parsed.protocol === "https:"
  } catch {
    return false
  }
}

/**
 * The request realm of a base URL such as `http://localhost:8080/api/master`: the path segment after
 * `/api`, or `undefined` when there is none.
 *
 * @internal
 */
export const requestRealmOf = (baseUrl: string): string | undefined => {
  try {
    const match = /\/api\/([^/]+)/.exec(new URL(baseUrl).pathname)
    return match === null ? undefined : decodeURIComponent(match[1]!)
  } catch {
    return undefined
  }
}

/**
 * `url` without user name or password, so that it can be shown in an error or a log line.
 *
 * @internal
 */
export const withoutUserInfo = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.username === "" && parsed.password === "") {
      return url
    }
    parsed.username = ""
    parsed.password = ""
    return parsed.toString()
  } catch {
    return url
  }
}

/**
 * The OpenID Connect token endpoint of a Keycloak realm: `{keycloakUrl}/realms/{realm}/protocol/openid-connect/token`.
 *
 * @internal
 */
export const tokenUrl = (keycloakUrl: string, realm: string): string =>
  `${trimTrailingSlashes(keycloakUrl)}/realms/${encodeURIComponent(realm)}/protocol/openid-connect/token`
