/**
 * OpenAPI conformance: whether a response the suite saw is what the OpenAPI document says the server answers.
 *
 * The document is the published one (`reference/spec/openremote-1.27-user-api.openapi.json`) with
 * `SpecDifferences.applyToOpenApi` of the model applied: the differences of USER-API.md §7 are applied there
 * and nowhere else, and this module patches nothing. Bodies are validated with ajv (draft-07, strict) and
 * ajv-formats.
 *
 * The document's one `pattern` (the username rule) is written in Java's regular-expression dialect, as the
 * server is a Java program: `\p{IsLatin}`, `\h`, `\v`, `\p{Cntrl}`. JavaScript reads those differently or
 * not at all, so ajv gets a regular-expression engine ({@link javaRegExp}) that translates the Java
 * constructs into their JavaScript equivalents; the document itself is not changed.
 *
 * A response conforms when:
 * - a 2xx status is one the document lists for the operation; a response with `content` has a body of that
 *   media type that validates against its schema; a response without `content` has an empty body;
 * - an error status the document lists has an empty or non-JSON body (USER-API.md §1: no error body is JSON).
 *   Error statuses the document does not list (e.g. a 503 injected by the simulator) are not judged.
 *
 * @since 0.1.0
 */
import { Catalogue, SpecDifferences } from "@openremote-effect/model"
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv"
import addFormatsModule from "ajv-formats"
import { readFileSync } from "node:fs"

const addFormats = addFormatsModule.default

/**
 * Where the published OpenAPI document is: the repository's reference copy.
 *
 * @since 0.1.0
 * @category constants
 */
export const publishedPath: URL = new URL(
  "../../../reference/spec/openremote-1.27-user-api.openapi.json",
  import.meta.url
)

/**
 * Reads the published OpenAPI document (the 1.27 document, unchanged).
 *
 * @since 0.1.0
 * @category documents
 */
export const readPublished = (path: URL | string = publishedPath): SpecDifferences.OpenApiDocument =>
  JSON.parse(readFileSync(path, "utf8")) as SpecDifferences.OpenApiDocument

/**
 * The document the suite validates against: the published one with `SpecDifferences.applyToOpenApi`
 * applied.
 *
 * @since 0.1.0
 * @category documents
 */
export const serverDocument = (
  published: SpecDifferences.OpenApiDocument = readPublished()
): SpecDifferences.OpenApiDocument => SpecDifferences.applyToOpenApi(published)

// -------------------------------------------------------------------------------------------------------------
// Java regular expressions

const javaClassContent: Readonly<Record<string, string>> = {
  // \s: [ \t\n\x0B\f\r] in Java (JavaScript's \s is wider)
  s: " \\t\\n\\x0B\\f\\r",
  // \h: horizontal whitespace
  h: " \\t\\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000",
  // \v: vertical whitespace (JavaScript's \v is only \x0B)
  v: "\\n\\x0B\\f\\r\\x85\\u2028\\u2029",
  // \p{Cntrl}: the POSIX class, [\x00-\x1F\x7F]
  "p{Cntrl}": "\\x00-\\x1F\\x7F"
}

/**
 * A Java regular expression in JavaScript's dialect (with the `u` flag): `\p{IsX}` becomes
 * `\p{Script=X}`, and `\s`, `\h`, `\v` and `\p{Cntrl}` become the character sets Java gives them. Throws
 * for a nested character class (Java's class union), which JavaScript cannot express the same way.
 *
 * @example
 * ```ts
 * import { Conformance } from "@openremote-effect/contract-tests"
 *
 * Conformance.javaToJavaScript("^[\\p{IsLatin}]+$") // "^[\\p{Script=Latin}]+$"
 * ```
 *
 * @since 0.1.0
 * @category regular expressions
 */
export const javaToJavaScript = (pattern: string): string => {
  let out = ""
  let inClass = false
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === "\\") {
      const next = pattern[i + 1]
      if (next === undefined) throw new Error(`the pattern ends with a lone backslash: ${pattern}`)
      const braced = next === "p" || next === "P" ? /^\{([^{}]*)\}/.exec(pattern.slice(i + 2)) : null
      const key = braced === null ? next : `${next}{${braced[1]}}`
      const set = javaClassContent[key]
      if (set !== undefined) {
        out += inClass ? set : `[${set}]`
      } else if (braced !== null && braced[1]!.startsWith("Is")) {
        out += `\\${next}{Script=${braced[1]!.slice(2)}}`
      } else {
        out += braced === null ? `\\${next}` : `\\${key}`
      }
      i += braced === null ? 1 : 1 + braced[0].length
    } else if (c === "[") {
      if (inClass) throw new Error(`nested character classes are not supported: ${pattern}`)
      inClass = true
      out += c
      if (pattern[i + 1] === "^") {
        out += "^"
        i += 1
      }
      if (pattern[i + 1] === "]") {
        out += "\\]"
        i += 1
      }
    } else if (c === "]" && inClass) {
      inClass = false
      out += c
    } else {
      out += c
    }
  }
  return out
}

/**
 * The regular-expression engine ajv is given: Java patterns, translated by {@link javaToJavaScript}.
 *
 * @since 0.1.0
 * @category regular expressions
 */
export const javaRegExp = Object.assign(
  (pattern: string, flags: string): RegExp => new RegExp(javaToJavaScript(pattern), flags),
  { code: "javaRegExp" }
)

// -------------------------------------------------------------------------------------------------------------
// validation

/**
 * One HTTP exchange as the suite saw it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Response {
  readonly operation: Catalogue.OperationName
  /** The HTTP status; 0 when there was no response. */
  readonly status: number
  /** The `Content-Type` header, if any. */
  readonly contentType: string | undefined
  /** The raw body text; `undefined` when it could not be read. */
  readonly body: string | undefined
}

/**
 * Judges responses against an OpenAPI document.
 *
 * @since 0.1.0
 * @category models
 */
export interface Validator {
  /** The document responses are judged against. */
  readonly document: SpecDifferences.OpenApiDocument
  /** What is wrong with a response (never its values, which may be secrets); empty when it conforms. */
  readonly problems: (response: Response) => ReadonlyArray<string>
  /** Whether the document lists `status` for `operation`. */
  readonly lists: (operation: Catalogue.OperationName, status: number) => boolean
}

/**
 * The OpenAPI keywords that are not JSON Schema keywords (ajv ignores them; declaring them keeps ajv strict
 * about everything else), and the two containers the response schemas are reached through.
 */
const openApiKeywords = ["discriminator", "example", "xml", "externalDocs", "paths", "components"]

type JsonObject = { readonly [key: string]: unknown }

const isObject = (u: unknown): u is JsonObject => typeof u === "object" && u !== null && !Array.isArray(u)

const pointer = (...parts: ReadonlyArray<string>) =>
  "#/" + parts.map((part) => encodeURIComponent(part.replace(/~/g, "~0").replace(/\//g, "~1"))).join("/")

const describe = (errors: ReadonlyArray<ErrorObject> | null | undefined): ReadonlyArray<string> =>
  (errors ?? []).map((error) => `${error.instancePath === "" ? "(body)" : error.instancePath} ${error.message ?? ""}`)

const mediaType = (contentType: string | undefined) => contentType?.split(";")[0]!.trim().toLowerCase()

const looksLikeJson = (body: string) => {
  const trimmed = body.trim()
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[") && !trimmed.startsWith("\"")) return false
  try {
    JSON.parse(trimmed)
    return true
  } catch {
    return false
  }
}

/**
 * A validator of responses against `document` (by default {@link serverDocument}). Schemas are compiled on
 * first use, and every `$ref` resolves inside the document.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (document: SpecDifferences.OpenApiDocument = serverDocument()): Validator => {
  const ajv = new Ajv({ strict: true, allErrors: true, code: { regExp: javaRegExp } })
  addFormats(ajv)
  ajv.addVocabulary(openApiKeywords)
  const documentId = "openapi.json"
  ajv.addSchema({ $id: documentId, paths: document.paths, components: document.components })

  const responseOf = (operation: Catalogue.OperationName, status: number): JsonObject | undefined => {
    const { method, path } = Catalogue.operations[operation]
    const entry = document.paths[path]?.[method.toLowerCase()]
    const responses = isObject(entry) ? entry.responses : undefined
    const response = isObject(responses) ? responses[String(status)] : undefined
    return isObject(response) ? response : undefined
  }

  const compiled = new Map<string, ValidateFunction>()
  const schemaValidator = (operation: Catalogue.OperationName, status: number, media: string) => {
    const key = `${operation} ${status} ${media}`
    let validate = compiled.get(key)
    if (validate === undefined) {
      const { method, path } = Catalogue.operations[operation]
      const ref = documentId +
        pointer("paths", path, method.toLowerCase(), "responses", String(status), "content", media, "schema")
      validate = ajv.compile({ $ref: ref })
      compiled.set(key, validate)
    }
    return validate
  }

  const problems = (response: Response): ReadonlyArray<string> => {
    const { body, operation, status } = response
    if (status === 0) return []
    const documented = responseOf(operation, status)
    if (status >= 200 && status < 300) {
      if (documented === undefined) return [`answered ${status}, which the document does not list`]
      if (body === undefined) return ["the body could not be read"]
      const content = documented.content
      if (!isObject(content) || Object.keys(content).length === 0) {
        return body === "" ? [] : ["has a body where the document says there is none"]
      }
      const media = mediaType(response.contentType)
      if (media === undefined || !isObject(content[media])) {
        return [`has content type ${media ?? "(none)"}, the document says ${Object.keys(content).join(" or ")}`]
      }
      const hasSchema = isObject((content[media] as JsonObject).schema)
      if (!hasSchema) return []
      let value: unknown = body
      if (media === "application/json") {
        try {
          value = JSON.parse(body)
        } catch {
          return ["the body is not JSON"]
        }
      }
      const validate = schemaValidator(operation, status, media)
      return validate(value) ? [] : describe(validate.errors)
    }
    if (documented !== undefined && body !== undefined && body !== "") {
      if (mediaType(response.contentType) === "application/json" || looksLikeJson(body)) {
        return [`the ${status} error body is JSON; the server's error bodies are empty or plain text`]
      }
    }
    return []
  }

  return {
    document,
    problems,
    lists: (operation, status) => responseOf(operation, status) !== undefined
  }
}

/**
 * Whether an operation answers a body on success (a JSON or text result), so that the suite must have
 * validated one.
 *
 * @since 0.1.0
 * @category catalogue
 */
export const hasSuccessBody = (operation: Catalogue.OperationName): boolean =>
  Catalogue.operations[operation].result._tag !== "Void"
