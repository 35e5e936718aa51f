/**
 * Which catalogue operation an HTTP request is: the request's method and URL matched against the path
 * templates of `Catalogue.all`, under `/api/{requestRealm}`. Nothing about the API's paths is written here;
 * the templates come from the catalogue.
 *
 * When more than one template matches (`GET /user/userRoles/x` fits both `/user/userRoles/{clientId}` and
 * `/user/{realm}/{userId}`), the template with the most literal segments wins, as JAX-RS and the simulator's
 * router both pick it.
 *
 * @since 0.1.0
 */
import { Catalogue } from "@openremote-effect/model"

/**
 * A matched request: the operation and its path parameters (decoded).
 *
 * @since 0.1.0
 * @category models
 */
export interface Match {
  readonly operation: Catalogue.OperationName
  /** The realm after `/api/`. */
  readonly requestRealm: string
  readonly parameters: Readonly<Record<string, string>>
}

interface Template {
  readonly operation: Catalogue.OperationName
  readonly method: string
  /** The segments after the leading `/`: a literal, or `undefined` with the parameter name for `{x}`. */
  readonly segments: ReadonlyArray<{ readonly literal: string } | { readonly parameter: string }>
  readonly literals: number
}

const templates: ReadonlyArray<Template> = Catalogue.all.map((operation) => {
  const segments = operation.path.split("/").slice(1).map((segment) => {
    const parameter = /^\{([^{}]+)\}$/.exec(segment)?.[1]
    return parameter === undefined ? { literal: segment } : { parameter }
  })
  return {
    operation: operation.name,
    method: operation.method,
    segments,
    literals: segments.filter((segment) => "literal" in segment).length
  }
})

const decode = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

/**
 * The path of a request URL after `/api/{requestRealm}`, and that realm; `undefined` when the URL has no
 * `/api/{realm}/` part.
 *
 * @since 0.1.0
 * @category matching
 */
export const split = (url: string): { readonly requestRealm: string; readonly path: string } | undefined => {
  let pathname: string
  try {
    pathname = new URL(url).pathname
  } catch {
    return undefined
  }
  const found = /\/api\/([^/]+)(\/.*)$/.exec(pathname)
  const realm = found === null ? undefined : decode(found[1]!)
  return found === null || realm === undefined ? undefined : { requestRealm: realm, path: found[2]! }
}

/**
 * The catalogue operation a request is, or `undefined` when no operation has that method and path.
 *
 * @example
 * ```ts
 * import { Routes } from "@openremote-effect/contract-tests"
 *
 * Routes.match("GET", "http://127.0.0.1:8080/api/master/user/smartcity/u%2F1")
 * // { operation: "getUser", requestRealm: "master", parameters: { realm: "smartcity", userId: "u/1" } }
 * ```
 *
 * @since 0.1.0
 * @category matching
 */
export const match = (method: string, url: string): Match | undefined => {
  const parts = split(url)
  if (parts === undefined) return undefined
  const segments = parts.path.split("/").slice(1)
  let best: { readonly template: Template; readonly parameters: Record<string, string> } | undefined
  for (const template of templates) {
    if (template.method !== method.toUpperCase() || template.segments.length !== segments.length) continue
    const parameters: Record<string, string> = {}
    const fits = template.segments.every((segment, i) => {
      const actual = segments[i]!
      if ("literal" in segment) return segment.literal === actual
      const value = decode(actual)
      if (value === undefined || value === "") return false
      parameters[segment.parameter] = value
      return true
    })
    if (fits && (best === undefined || template.literals > best.template.literals)) {
      best = { template, parameters }
    }
  }
  return best === undefined
    ? undefined
    : { operation: best.template.operation, requestRealm: parts.requestRealm, parameters: best.parameters }
}
