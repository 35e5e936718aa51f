/**
 * Decoding failures as plain text that names the field, without the offending value: a value that fails
 * to decode may be a password or a secret in the wrong place, so `actual …` parts are left out. The
 * alternatives of one field are merged (`limit: Expected an integer | null`), and `null` (which stands for
 * an absent optional field) is named only when nothing else is expected there. At most
 * {@link maxLines} lines.
 *
 * @internal
 */
import { ParseMessage } from "@openremote-effect/model"
import type * as ParseResult from "effect/ParseResult"

const expected = /^(?:(.*?): )?Expected (.*)$/

/**
 * The most lines a message has; the rest are counted.
 *
 * @internal
 */
export const maxLines = 20

interface Line {
  readonly at: string
  /** The alternatives of an "Expected …" line; undefined for any other message. */
  readonly alternatives: Array<string> | undefined
  readonly text: string
}

/** Every proper prefix of a path (`a`, `a.b` and `a.b[0]` for `a.b[0].c`), and "" for the top level. */
const prefixes = (at: string): Array<string> => {
  const result = [""]
  for (let i = 0; i < at.length; i++) {
    if (at[i] === "." || at[i] === "[") result.push(at.slice(0, i))
  }
  return result
}

/**
 * `ParseMessage.format` without the actual values, one line per field.
 *
 * @internal
 */
export const formatSafely = (error: ParseResult.ParseError): string => {
  const lines: Array<Line> = []
  const seen = new Set<string>()
  const byPath = new Map<string, Line>()
  const parents = new Set<string>()
  for (const raw of ParseMessage.format(error).split("\n")) {
    const text = raw.replace(/, actual .*$/, "")
    const match = expected.exec(text)
    const at = match?.[1] ?? (match === null ? text.slice(0, Math.max(0, text.indexOf(": "))) : "")
    for (const prefix of prefixes(at)) parents.add(prefix)
    if (match === null) {
      if (!seen.has(text)) lines.push({ at, alternatives: undefined, text })
      seen.add(text)
      continue
    }
    const found = byPath.get(at)
    if (found === undefined) {
      const line: Line = { at, alternatives: [match[2]!], text }
      byPath.set(at, line)
      lines.push(line)
    } else if (!found.alternatives!.includes(match[2]!)) {
      found.alternatives!.push(match[2]!)
    }
  }
  const rendered = lines.flatMap((line) => {
    if (line.alternatives === undefined) return [line.text]
    const named = line.alternatives.length > 1 || parents.has(line.at)
      ? line.alternatives.filter((alternative) => alternative !== "null")
      : line.alternatives
    if (named.length === 0) return []
    const message = `Expected ${named.join(" | ")}`
    return [line.at === "" ? message : `${line.at}: ${message}`]
  })
  return rendered.length > maxLines
    ? [...rendered.slice(0, maxLines), `… and ${rendered.length - maxLines} more problems`].join("\n")
    : rendered.join("\n")
}
