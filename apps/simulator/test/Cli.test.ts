import { describe, expect, it } from "@effect/vitest"
import * as jose from "jose"
import { spawn } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
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

const quiet = ["--port", "0", "--log-level", "silent"]

/** The ready line of `--ready-json`, once printed. */
const readyJson = async (out: () => string): Promise<Record<string, string | number | null>> => {
  for (let i = 0; i < 1000; i++) {
    const line = out().split("\n").find((text) => text.startsWith("{"))
    if (line !== undefined) return JSON.parse(line) as Record<string, string | number | null>
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`no ready line:\n${out()}`)
}

const portOf = (url: unknown) => Number(new URL(String(url)).port)

/** True when nothing listens on the port any more. */
const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer()
    server.once("error", () => resolve(false))
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)))
  })

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

  it("--version prints the package's version and exits 0", async () => {
    const { io, out } = testIo()
    expect(await main(["--version"], io)).toBe(0)
    const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
    expect(out()).toBe(`${version}\n`)
    expect(await main(["-v"], io)).toBe(0)
  })

  it("--port 0 picks a free port for every port not given; --auth-port off serves Keycloak on the API port", async () => {
    const free = testIo()
    const exit = main(["--port", "0", "--ready-json", "--log-level", "silent"], free.io)
    const ready = await readyJson(free.out)
    const [api, auth] = [portOf(ready.api), portOf(ready.keycloak)]
    expect(api).not.toBe(8080)
    expect(auth).not.toBe(8081)
    expect(auth).not.toBe(api)
    expect((await fetch(`${ready.keycloak}/realms/master/.well-known/openid-configuration`)).status).toBe(200)
    free.stop()
    expect(await exit).toBe(0)

    const off = testIo()
    const exitOff = main(["--port", "0", "--auth-port", "off", "--ready-json", "--log-level", "silent"], off.io)
    const readyOff = await readyJson(off.out)
    expect(readyOff.keycloak).toBe(`${readyOff.origin}/auth`)
    off.stop()
    expect(await exitOff).toBe(0)
  })

  it("--ready-json prints one JSON line with the URLs on stdout once listening; people's text goes to stderr", async () => {
    const { err, io, out, stop } = testIo()
    const exit = main(["--port", "0", "--ready-json", "--log-level", "silent"], io)
    const ready = await readyJson(out)
    expect(out()).toBe(`${JSON.stringify(ready)}\n`)
    expect(ready).toMatchObject({ ready: true, pid: process.pid, version: expect.any(String) })
    expect(ready.api).toBe(`${ready.origin}/api/master`)
    expect(ready.control).toBe(`${ready.origin}/_simulator/`)
    expect((await fetch(String(ready.openapi))).status).toBe(200)
    const index = await fetch(String(ready.control))
    expect(index.status).toBe(200)
    expect(await index.text()).toContain("/_simulator/reset")
    expect(err()).toContain("OpenRemote simulator")
    expect(err()).toContain(`API base URL:  ${ready.api}`)
    stop()
    expect(await exit).toBe(0)
    expect(out()).toBe(`${JSON.stringify(ready)}\n`)
    expect(err()).toContain("Stopped")
  })

  it("logs no request at the default level, and one readable, redacted line per request with --log-level debug", async () => {
    const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.never-logged"
    const logsAt = async (level: ReadonlyArray<string>) => {
      const { err, io, out, stop } = testIo()
      const exit = main(["--port", "0", "--ready-json", ...level], io)
      const ready = await readyJson(out)
      const started = err().length
      await fetch(`${ready.api}/user/user?access_token=${token}`, { headers: { authorization: `Bearer ${token}` } })
      stop()
      expect(await exit).toBe(0)
      return err().slice(started).replace(/Received SIGTERM[\s\S]*/, "")
    }
    expect(await logsAt([])).toBe("")
    const debug = await logsAt(["--log-level", "debug"])
    expect(debug).toMatch(/^\d\d:\d\d:\d\d\.\d{3} DEBUG GET \/api\/master\/user\/user 401 [\d.]+ ms/m)
    expect(debug).not.toContain("{\"level\"")
    expect(debug).not.toContain(token)
    const trace = await logsAt(["--log-level", "trace"])
    expect(trace).toContain("incoming request")
    expect(trace).toContain("[Redacted]")
    expect(trace).not.toContain(token)
  })

  it("a bad flag or a bad value exits 2 with a clear message on stderr", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--colour"], "Unknown option '--colour'"],
      [["extra"], "Unexpected argument 'extra'"],
      [["--port", "http"], "--port: expected a whole number from 0 to 65535, got \"http\""],
      [["--port", "70000"], "--port: expected a whole number from 0 to 65535"],
      [["--auth-port=-1"], "--auth-port: expected a whole number from 0 to 65535, or off, got \"-1\""],
      [["--auth-port", "-1"], "--auth-port"],
      [["--mqtt-port", "none"], "--mqtt-port: expected a whole number from 0 to 65535, or off, got \"none\""],
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
    const mqttPort = Number(/MQTT broker: +mqtt:\/\/127\.0\.0\.1:(\d+)\n/.exec(out())?.[1])
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(mqttPort, "127.0.0.1", () => {
        socket.destroy()
        resolve()
      })
      socket.once("error", reject)
    })
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
    const exit = main(
      ["--seed", "lab.json", "--no-control", "--token-lifespan", "5", ...quiet, "--mqtt-port", "off"],
      io
    )
    const api = await started(out)
    expect(out()).toContain("Credentials: as in the seed file")
    expect(out()).toContain("Control plane: off")
    expect(out()).toContain("MQTT broker:   off")
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
      expect(await main(["--port", String(port), "--auth-port", "off", "--log-level", "silent"], io)).toBe(1)
      expect(err()).toContain("cannot start")
      expect(err()).toContain("EADDRINUSE")
    } finally {
      blocker.close()
    }
  })
})

/** The two built entry points: tsc's output, and the bundle that bin/openremote-simulator.js runs. */
const entryPoints = [
  ["dist/bin.js (built by tsc -b)", "../dist/bin.js"],
  ["dist/bin.bundle.js (bundled by scripts/bundle.mjs, run by the bin)", "../dist/bin.bundle.js"]
] as const

describe.each(entryPoints)("node %s", (_, file) => {
  const bin = fileURLToPath(new URL(file, import.meta.url))

  const run = (argv: ReadonlyArray<string>) => {
    const child = spawn(process.execPath, [bin, ...argv], { stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    return { child, exit, out: () => stdout, err: () => stderr }
  }

  it("is built", () => {
    expect(existsSync(bin), `${bin} is missing: run npm run build first`).toBe(true)
  })

  it("prints its version, and one readable line per request with --log-level debug", async () => {
    const version = run(["--version"])
    expect(await version.exit).toBe(0)
    expect(version.out().trim()).toBe(
      (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version
    )
    const process_ = run(["--port", "0", "--log-level", "debug"])
    const api = await started(process_.out)
    expect((await fetch(`${api}/user/user`)).status).toBe(403)
    process_.child.kill("SIGTERM")
    expect(await process_.exit).toBe(0)
    expect(process_.err()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} DEBUG GET \/api\/master\/user\/user 403 [\d.]+ ms/m)
    expect(process_.err()).not.toContain("{\"level\"")
  }, 20_000)

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

describe("the README's CI recipe (examples/with-simulator.sh)", () => {
  const recipe = fileURLToPath(new URL("../examples/with-simulator.sh", import.meta.url))
  // A project where `openremote-simulator` is installed (the example app depends on the simulator).
  const project = fileURLToPath(new URL("../../example", import.meta.url))
  const probe = [
    "const api = process.env.OPENREMOTE_URL, keycloak = process.env.OPENREMOTE_KEYCLOAK_URL",
    "const token = await fetch(keycloak + '/realms/master/protocol/openid-connect/token', { method: 'POST',",
    "  body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'serviceuser', client_secret: 'your_secret' }) })",
    "const me = await fetch(api + '/user/user', { headers: { authorization: 'Bearer ' + (await token.json()).access_token } })",
    "const index = await fetch(process.env.OPENREMOTE_SIMULATOR_CONTROL)",
    "console.log(JSON.stringify({ api, keycloak, me: (await me.json()).username, index: index.status }))",
    "process.exit(Number(process.env.EXIT_CODE ?? 0))"
  ].join("\n")

  const runRecipe = (exitCode: number) =>
    new Promise<{ readonly code: number | null; readonly stdout: string }>((resolve) => {
      const child = spawn("bash", [recipe, process.execPath, "--input-type=module", "-e", probe], {
        cwd: project,
        env: { ...process.env, EXIT_CODE: String(exitCode) },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let stdout = ""
      child.stdout.on("data", (chunk) => (stdout += chunk))
      child.on("exit", (code) => resolve({ code, stdout }))
    })

  it(
    "starts the simulator, gives the command its URLs, and stops it afterwards, also when the command fails",
    async () => {
      for (const exitCode of [0, 3]) {
        const { code, stdout } = await runRecipe(exitCode)
        expect(code).toBe(exitCode)
        const seen = JSON.parse(stdout) as { api: string; keycloak: string; me: string; index: number }
        expect(seen).toMatchObject({ me: "serviceuser", index: 200 })
        expect(await Promise.all([portOf(seen.api), portOf(seen.keycloak)].map(isFree))).toEqual([true, true])
      }
    },
    60_000
  )
})

describe("npm run simulator (the root script)", () => {
  it("stops the simulator and frees its ports when npm is sent SIGTERM", async () => {
    const root = fileURLToPath(new URL("../../..", import.meta.url))
    const npm = spawn("npm", ["run", "--silent", "simulator", "--", "--ready-json", ...quiet], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    npm.stdout.on("data", (chunk) => (stdout += chunk))
    const exit = new Promise<number | null>((resolve) => npm.on("exit", (code) => resolve(code)))
    const ready = await readyJson(() => stdout)
    const ports = [portOf(ready.api), portOf(ready.keycloak)]
    expect(await Promise.all(ports.map(isFree))).toEqual([false, false])
    npm.kill("SIGTERM")
    await exit
    try {
      expect(await Promise.all(ports.map(isFree))).toEqual([true, true])
    } finally {
      // Never leave an orphan behind when the check fails.
      if (!(await isFree(ports[0]!))) process.kill(Number(ready.pid), "SIGKILL")
    }
  }, 60_000)
})
