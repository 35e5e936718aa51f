/**
 * `npm start`'s process (dist/main.js, built by `tsc -b`): a failure is the typed error in one readable line and
 * exit code 1, never a `FiberFailure` dump and never exit 0.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url))

const run = (env: Readonly<Record<string, string>>) =>
  new Promise<{ readonly code: number | null; readonly stderr: string }>((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("OPENREMOTE_")))
    const child = spawn(process.execPath, [main], { env: { ...clean, ...env }, stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("exit", (code) => resolve({ code, stderr }))
  })

describe("npm start's process", () => {
  it("exits 1 with the typed error when sign-in is refused, and when a setting is missing", async () => {
    const keycloak = http.createServer((_request, response) => {
      response.writeHead(401, { "content-type": "application/json" })
      response.end(JSON.stringify({ error: "invalid_client", error_description: "Invalid client credentials" }))
    })
    await new Promise<void>((resolve) => keycloak.listen(0, "127.0.0.1", resolve))
    const url = `http://127.0.0.1:${(keycloak.address() as AddressInfo).port}/api/master`
    try {
      const refused = await run({
        OPENREMOTE_URL: url,
        OPENREMOTE_CLIENT_ID: "serviceuser",
        OPENREMOTE_CLIENT_SECRET: "wrong-secret-Zk27"
      })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/The flow failed\. AuthenticationError: .*status 401: invalid_client/)
      expect(refused.stderr).not.toContain("wrong-secret-Zk27")
      const missing = await run({ OPENREMOTE_URL: url })
      expect(missing.code).toBe(1)
      expect(missing.stderr).toContain("The flow failed. Error: (Missing data at OPENREMOTE_CLIENT_SECRET")
      for (const { stderr } of [refused, missing]) expect(stderr).not.toContain("FiberFailure")
    } finally {
      keycloak.close()
    }
  }, 30_000)
})
