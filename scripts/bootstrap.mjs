#!/usr/bin/env node
// Makes the README's two commands (`npm start`, `npm test`) work on a fresh clone with only Node.js and npm:
// when the locked dependencies are missing or stale, installs them with the pnpm version that package.json
// pins (through npx when that pnpm is not on the PATH), from the frozen lockfile. Otherwise does nothing.
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const read = (file) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8")

const installed = "node_modules/.pnpm/lock.yaml"
if (existsSync(new URL(`../${installed}`, import.meta.url)) && read(installed) === read("pnpm-lock.yaml")) {
  process.exit(0)
}

const packageManager = JSON.parse(read("package.json")).packageManager // "pnpm@10.34.9"
const version = packageManager.split("@")[1]
const onPath = spawnSync("pnpm", ["--version"], { encoding: "utf8", shell: process.platform === "win32" })
const [command, prefix] = onPath.status === 0 && onPath.stdout.trim() === version
  ? ["pnpm", []]
  : ["npx", ["--yes", packageManager]]

console.error(`Installing the locked dependencies with ${packageManager}…`)
const result = spawnSync(command, [...prefix, "install", "--frozen-lockfile"], {
  cwd: root,
  stdio: "inherit",
  shell: process.platform === "win32"
})
process.exit(result.status ?? 1)
