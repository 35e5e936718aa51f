/**
 * Shared by the robustness tests: a server under test in a child process for a whole test file, and raw
 * HTTP requests that reach the simulator exactly as written.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as http from "node:http"
import * as ServerProcess from "../src/ServerProcess.js"

/** Forks a server (closed by `close`), for `beforeAll` / `afterAll`. */
export const startServer = async (
  config: ServerProcess.ServerConfig
): Promise<{ readonly server: ServerProcess.ServerProcess; readonly close: () => Promise<void> }> => {
  const scope = Effect.runSync(Scope.make())
  const server = await Effect.runPromise(Scope.extend(ServerProcess.fork(config), scope))
  return { server, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

/** A raw request: method, path and headers are sent as given (no URL normalisation). */
export interface RawRequest {
  readonly method: string
  /** The request target, characters U+0021 to U+00FF only (what Node's HTTP client sends). */
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string | undefined
}

/** A response, or the transport failure when there was none. */
export type RawResponse =
  | { readonly _tag: "Response"; readonly status: number; readonly contentType: string; readonly body: string }
  | { readonly _tag: "NoResponse"; readonly error: string }

/** Sends `request` to `origin` on a connection of its own (no keep-alive reuse after a refused request). */
export const send = (origin: string, request: RawRequest): Promise<RawResponse> =>
  new Promise((resolve) => {
    const url = new URL(origin)
    const outgoing = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        headers: request.headers,
        agent: false
      },
      (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("end", () =>
          resolve({
            _tag: "Response",
            status: response.statusCode ?? 0,
            contentType: String(response.headers["content-type"] ?? ""),
            body: Buffer.concat(chunks).toString("utf8")
          }))
        response.on("error", (error) => resolve({ _tag: "NoResponse", error: String(error) }))
      }
    )
    outgoing.on("error", (error) => resolve({ _tag: "NoResponse", error: String(error) }))
    outgoing.end(request.body)
  })
