#!/usr/bin/env node
// Makes the README's two commands (`npm start`, `npm test`) work on a fresh clone with only Node.js and npm:
// when the locked dependencies are missing or stale, installs them with the pnpm version that package.json
// pins (through npx when that pnpm is not on the PATH), from the frozen lockfile. Otherwise does nothing.
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { pinnedPnpm } from "./pinned-pnpm.mjs"

const root = fileURLToPath(new URL("..", import.meta.url))
const read = (file) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8")

const installed = "node_modules/.pnpm/lock.yaml"
if (existsSync(new URL(`../${installed}`, import.meta.url)) && read(installed) === read("pnpm-lock.yaml")) {
  process.exit(0)
}

const { command, prefix, packageManager } = pinnedPnpm(new URL("../", import.meta.url))

console.error(`Installing the locked dependencies with ${packageManager}…`)
const result = spawnSync(command, [...prefix, "install", "--frozen-lockfile"], {
  cwd: root,
  stdio: "inherit",
  shell: process.platform === "win32"
})
process.exit(result.status ?? 1)
