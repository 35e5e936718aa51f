/**
 * The quickstart as a process (`node` on its build, as `npx -y tsx examples/quickstart.ts` runs it): a failure
 * is a readable message and exit code 1, never a `FiberFailure` dump and never exit 0.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"

const quickstart = fileURLToPath(new URL("../build/test/examples/quickstart.js", import.meta.url))

const run = (env: Readonly<Record<string, string>>) =>
  new Promise<{ readonly code: number | null; readonly output: string }>((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("OPENREMOTE_")))
    const child = spawn(process.execPath, [quickstart], {
      env: { ...clean, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stdout.on("data", (chunk) => (output += chunk))
    child.stderr.on("data", (chunk) => (output += chunk))
    child.on("exit", (code) => resolve({ code, output }))
  })

describe("the quickstart as a process", () => {
  it("exits 1 naming the missing setting", async () => {
    const { code, output } = await run({})
    expect(code).toBe(1)
    expect(output).toContain("Missing data at OPENREMOTE_URL")
    expect(output).not.toContain("FiberFailure")
  }, 20_000)

  it("exits 1 explaining a refused sign-in, and never prints the secret", async () => {
    const keycloak = http.createServer((_request, response) => {
      response.writeHead(401, { "content-type": "application/json" })
      response.end(JSON.stringify({ error: "invalid_client", error_description: "Invalid client credentials" }))
    })
    await new Promise<void>((resolve) => keycloak.listen(0, "127.0.0.1", resolve))
    const origin = `http://127.0.0.1:${(keycloak.address() as AddressInfo).port}`
    try {
      const { code, output } = await run({
        OPENREMOTE_URL: `${origin}/api/master`,
        OPENREMOTE_CLIENT_ID: "serviceuser",
        OPENREMOTE_CLIENT_SECRET: "wrong-secret-Qx81"
      })
      expect(code).toBe(1)
      expect(output).toContain("Could not sign in: invalid_client Invalid client credentials")
      expect(output).toContain("AuthenticationError")
      expect(output).not.toContain("FiberFailure")
      expect(output).not.toContain("wrong-secret-Qx81")
    } finally {
      keycloak.close()
    }
  }, 20_000)
})
