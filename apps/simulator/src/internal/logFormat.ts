/**
 * The command line's log lines: pino's JSON (already redacted by the logger) turned into one readable line,
 * `12:03:04.567 DEBUG GET /api/master/user/user 200 3 ms reqId=req-1`, with an error's stack below it.
 *
 * @internal
 */

const levels: Readonly<Record<number, string>> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL"
}

/** Fields every pino line has, or that the line's head already shows. */
const shown = new Set(["level", "time", "pid", "hostname", "msg", "err"])

const value = (field: unknown): string =>
  typeof field === "string" && /^[^\s"=]+$/.test(field) ? field : JSON.stringify(field)

/**
 * One pino JSON line as a readable line (ending with a newline); a line that is not JSON is passed through.
 *
 * @internal
 */
export const formatLogLine = (line: string): string => {
  let entry: Record<string, unknown>
  try {
    entry = JSON.parse(line) as Record<string, unknown>
  } catch {
    return line.endsWith("\n") ? line : `${line}\n`
  }
  const time = typeof entry.time === "number" ? new Date(entry.time).toISOString().slice(11, 23) : "--:--:--.---"
  const level = levels[entry.level as number] ?? String(entry.level)
  const fields = Object.entries(entry).filter(([key]) => !shown.has(key)).map(([key, field]) =>
    `${key}=${value(field)}`
  )
  const head = [time, level.padEnd(5), String(entry.msg ?? ""), ...fields].join(" ")
  const error = entry.err as { readonly stack?: unknown; readonly message?: unknown } | undefined
  const detail = error === undefined ? "" : `\n  ${String(error.stack ?? error.message).replaceAll("\n", "\n  ")}`
  return `${head}${detail}\n`
}
