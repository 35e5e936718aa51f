/**
 * Short, plain-text descriptions of decoding failures that name the offending field, such as
 * `usernames[0].predicateType: is missing`. The simulator answers bad request bodies with them; the client
 * puts them in its decoding errors.
 *
 * @since 0.1.0
 */
import * as ParseResult from "effect/ParseResult"

/**
 * Options of {@link format}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Whether to show the offending values (`, actual "yes"`); true by default. Leave them out where the
   * value may be a secret in the wrong place (a password in a request body, say).
   */
  readonly values?: boolean | undefined
  /** The most lines to show; the rest are counted in a last line (20 by default). */
  readonly maxLines?: number | undefined
}

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (out, key) => typeof key === "number" ? `${out}[${key}]` : out === "" ? String(key) : `${out}.${String(key)}`,
    ""
  )

/** `Expected <what>, actual <value>`: the two parts. */
const expectedPattern = /^Expected (.*?)(, actual .*)?$/s

interface Line {
  readonly at: string
  /** The alternatives of an "Expected …" message; undefined for any other message. */
  readonly alternatives: Array<string> | undefined
  /** `, actual …` of the first "Expected …" message at this path. */
  readonly actual: string
  readonly message: string
}

/**
 * One line per field, `field.path: message` (just the message at the top level). The alternatives a field
 * was expected to be are merged into one line (`limit: Expected an integer | null`), and `null`, which stands
 * for an absent optional field, is named only when nothing else is expected there. Identical lines are shown
 * once; at most `maxLines` lines.
 *
 * @example
 * ```ts
 * import { ParseMessage, User } from "@openremote-effect/model"
 * import { Either, Schema } from "effect"
 *
 * const result = Schema.decodeUnknownEither(User.User)({ enabled: "yes" })
 * if (Either.isLeft(result)) {
 *   ParseMessage.format(result.left) // 'enabled: Expected boolean, actual "yes"'
 *   ParseMessage.format(result.left, { values: false }) // 'enabled: Expected boolean'
 * }
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const format = (error: ParseResult.ParseError, options: Options = {}): string => {
  const showValues = options.values ?? true
  const maxLines = options.maxLines ?? 20
  const lines: Array<Line> = []
  const seen = new Set<string>()
  const expectedAt = new Map<string, Line>()
  /** Every path that has a problem below it. */
  const parents = new Set<string>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const at = formatPath(issue.path)
    for (let i = 0; i < at.length; i++) {
      if (at[i] === "." || at[i] === "[") parents.add(at.slice(0, i))
    }
    if (at !== "") parents.add("")
    const match = expectedPattern.exec(issue.message)
    if (match === null) {
      const key = `${at}\u0000${issue.message}`
      if (!seen.has(key)) lines.push({ at, alternatives: undefined, actual: "", message: issue.message })
      seen.add(key)
      continue
    }
    const found = expectedAt.get(at)
    if (found === undefined) {
      const line: Line = { at, alternatives: [match[1]!], actual: match[2] ?? "", message: issue.message }
      expectedAt.set(at, line)
      lines.push(line)
    } else if (!found.alternatives!.includes(match[1]!)) {
      found.alternatives!.push(match[1]!)
    }
  }
  const rendered = lines.flatMap((line) => {
    let message = line.message
    if (line.alternatives !== undefined) {
      const named = line.alternatives.length > 1 || parents.has(line.at)
        ? line.alternatives.filter((alternative) => alternative !== "null")
        : line.alternatives
      if (named.length === 0) return []
      message = `Expected ${named.join(" | ")}${showValues ? line.actual : ""}`
    } else if (!showValues) {
      message = message.replace(/, actual .*$/s, "")
    }
    return [line.at === "" ? message : `${line.at}: ${message}`]
  })
  return rendered.length > maxLines
    ? [...rendered.slice(0, maxLines), `… and ${rendered.length - maxLines} more problems`].join("\n")
    : rendered.join("\n")
}
