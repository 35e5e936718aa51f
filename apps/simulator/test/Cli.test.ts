import { describe, expect, it } from "@effect/vitest"
import * as jose from "jose"
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, writeFile } from "node:fs/promises"
import * as net from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { Io } from "../src/cli.js"
import { main, usage } from "../src/cli.js"
import * as Tokens from "../src/Tokens.js"

/** An in-process Io: collected output, files from a map, and a stop signal the test sends. */
const testIo = (files: Readonly<Record<string, string>> = {}) => {
  const out: Array<string> = []
  const err: Array<string> = []
  let stop: (signal: string) => void = () => undefined
  const stopped = new Promise<string>((resolve) => {
    stop = resolve
  })
  const io: Io = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    readFile: async (file) => {
      const text = files[file]
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: "ENOENT" })
      return text
    },
    waitForStop: () => stopped
  }
  return { io, out: () => out.join(""), err: () => err.join(""), stop: (signal = "SIGTERM") => stop(signal) }
}

/** Waits until the banner is printed and returns the API base URL from it. */
const started = async (out: () => string): Promise<string> => {
  for (let i = 0; i < 500; i++) {
    const match = /API base URL: +(\S+)/.exec(out())
    if (match !== null) return match[1]!
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`the simulator did not start:\n${out()}`)
}

const quiet = ["--port", "0", "--auth-port", "0", "--log-level", "silent"]

/** The modulus of the signing key a started simulator's `certs` endpoint serves. */
const servedModulus = async (out: () => string): Promise<string> => {
  await started(out)
  const keycloak = /Keycloak URL: +(\S+)/.exec(out())![1]!
  const certs = await fetch(`${keycloak}/realms/master/protocol/openid-connect/certs`)
  const { keys } = (await certs.json()) as { readonly keys: ReadonlyArray<{ readonly n: string }> }
  return keys[0]!.n
}

describe("main (in-process)", () => {
  it("--help prints the usage and exits 0 (also after the `--` pnpm passes on)", async () => {
    const { err, io, out } = testIo()
    expect(await main(["--help"], io)).toBe(0)
    expect(out()).toBe(usage)
    expect(await main(["--", "-h"], io)).toBe(0)
    expect(out()).toContain("--token-lifespan SECONDS")
    expect(err()).toBe("")
  })

  it("a bad flag or a bad value exits 2 with a clear message on stderr", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--colour"], "Unknown option '--colour'"],
      [["extra"], "Unexpected argument 'extra'"],
      [["--port", "http"], "--port: expected a whole number from 0 to 65535, got \"http\""],
      [["--port", "70000"], "--port: expected a whole number from 0 to 65535"],
      [["--auth-port=-1"], "--auth-port: expected a whole number"],
      [["--auth-port", "-1"], "--auth-port"],
      [["--token-lifespan", "0"], "--token-lifespan: expected a whole number from 1"],
      [["--log-level", "loud"], "--log-level: expected one of fatal, error, warn, info, debug, trace, silent"],
      [["--host", ""], "--host: expected a host name or address"],
      [["--port"], "Option '--port <value>' argument missing"]
    ]
    for (const [argv, message] of cases) {
      const { err, io, out } = testIo()
      expect(await main(argv, io), argv.join(" ")).toBe(2)
      expect(err()).toContain(message)
      expect(err()).toContain("--help")
      expect(out()).toBe("")
    }
  })

  it("a bad seed file exits 2 naming the file and the field, never a password", async () => {
    const files = {
      "broken.json": "{ not json",
      "invalid.json": JSON.stringify({
        realms: [{ name: "x", users: [{ username: "a!", password: "file-password-1" }] }]
      })
    }
    const cases = [
      ["missing.json", "--seed: cannot read \"missing.json\" (ENOENT)"],
      ["broken.json", "--seed: \"broken.json\" is not valid JSON"],
      ["invalid.json", "realms[0].users[0].username: username must be 3 to 255 characters long, got 2"]
    ] as const
    for (const [file, message] of cases) {
      const { err, io } = testIo(files)
      expect(await main(["--seed", file, ...quiet], io)).toBe(2)
      expect(err()).toContain(message)
      expect(err()).not.toContain("file-password-1")
    }
  })

  it("starts, prints its URLs and the default credentials, serves, and stops on a signal with exit 0", async () => {
    const { io, out, stop } = testIo()
    const exit = main(quiet, io)
    const api = await started(out)
    expect(api).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/master$/)
    expect(out()).toMatch(/Keycloak URL: +http:\/\/127\.0\.0\.1:\d+\/auth/)
    expect(out()).toContain("super user admin / secret")
    expect(out()).toContain("client_id serviceuser / client_secret your_secret")
    expect(out()).toContain("regular user smartcity / smartcity")
    expect((await fetch(`${api}/openapi.json`)).status).toBe(200)
    stop("SIGINT")
    expect(await exit).toBe(0)
    expect(out()).toContain("Received SIGINT, stopping")
    expect(out()).toContain("Stopped")
    await expect(fetch(`${api}/openapi.json`)).rejects.toThrow()
  })

  it("signs with the key pair it is given (the executable starts generating one before loading the simulator)", async () => {
    const keyPair = Tokens.generateKeyPair()
    const given = testIo()
    const exit = main(quiet, given.io, { keyPair })
    const { n } = await jose.exportJWK((await keyPair).publicKey)
    expect(await servedModulus(given.out)).toBe(n)
    given.stop()
    expect(await exit).toBe(0)
    const fresh = testIo()
    const freshExit = main(quiet, fresh.io)
    expect(await servedModulus(fresh.out)).not.toBe(n)
    fresh.stop()
    expect(await freshExit).toBe(0)
  })

  it("starts from a seed file, and --no-control turns the control plane off", async () => {
    const seed = JSON.stringify({ realms: [{ name: "lab", users: [{ username: "tester", password: "tester-pw" }] }] })
    const { io, out, stop } = testIo({ "lab.json": seed })
    const exit = main(["--seed", "lab.json", "--no-control", "--token-lifespan", "5", ...quiet], io)
    const api = await started(out)
    expect(out()).toContain("Credentials: as in the seed file")
    expect(out()).toContain("Control plane: off")
    const origin = api.replace(/\/api\/master$/, "")
    const token = await fetch(`${origin}/auth/realms/lab/protocol/openid-connect/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "password",
        client_id: "openremote",
        username: "tester",
        password: "tester-pw"
      })
    })
    expect(((await token.json()) as { expires_in: number }).expires_in).toBe(5)
    expect((await fetch(`${origin}/_simulator/state`)).status).toBe(404)
    stop()
    expect(await exit).toBe(0)
  })

  it("exits 1 when the port is taken", async () => {
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve))
    const port = (blocker.address() as net.AddressInfo).port
    try {
      const { err, io } = testIo()
      expect(await main(["--port", String(port), "--auth-port", "0", "--log-level", "silent"], io)).toBe(1)
      expect(err()).toContain("cannot start")
      expect(err()).toContain("EADDRINUSE")
    } finally {
      blocker.close()
    }
  })
})

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))

const run = (argv: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [bin, ...argv], { stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk) => (stdout += chunk))
  child.stderr.on("data", (chunk) => (stderr += chunk))
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, exit, out: () => stdout, err: () => stderr }
}

describe("node dist/bin.js (built by tsc -b)", () => {
  it("is built", () => {
    expect(existsSync(bin), `${bin} is missing: run npx tsc -b first`).toBe(true)
  })

  it("starts, serves, and exits 0 on SIGTERM", async () => {
    const process_ = run(quiet)
    const api = await started(process_.out)
    expect((await fetch(`${api}/user/user`)).status).toBe(403)
    process_.child.kill("SIGTERM")
    expect(await process_.exit).toBe(0)
    expect(process_.out()).toContain("Stopped")
  }, 20_000)

  it("generates a new key pair on every start", async () => {
    const first = run(quiet)
    const second = run(quiet)
    const [a, b] = await Promise.all([servedModulus(first.out), servedModulus(second.out)])
    expect(a).not.toBe(b)
    first.child.kill("SIGTERM")
    second.child.kill("SIGTERM")
    expect(await first.exit).toBe(0)
    expect(await second.exit).toBe(0)
  }, 20_000)

  it("exits 2 with a message for a bad flag, and for a bad seed file", async () => {
    const flag = run(["--nope"])
    expect(await flag.exit).toBe(2)
    expect(flag.err()).toContain("Unknown option '--nope'")
    const dir = await mkdtemp(path.join(tmpdir(), "simulator-cli-"))
    const file = path.join(dir, "seed.json")
    await writeFile(file, JSON.stringify({ realms: [{ name: "x", users: [{ username: "ok-user", colour: "red" }] }] }))
    const seed = run(["--seed", file, ...quiet])
    expect(await seed.exit).toBe(2)
    expect(seed.err()).toContain("realms[0].users[0].colour: is unexpected")
  }, 20_000)
})
