// The pnpm version that package.json pins (`packageManager`): the one on the PATH when its version matches,
// otherwise through npx (a fresh machine, CI's included, has only Node.js and npm). Used by bootstrap.mjs and
// check-packages.mjs.
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"

/**
 * How to run the pinned pnpm from `root` (the repository's folder): `{ command, prefix, packageManager }`, to
 * be run as `command ...prefix ...args`.
 */
export const pinnedPnpm = (root) => {
  const packageManager = JSON.parse(readFileSync(new URL("package.json", root), "utf8")).packageManager // "pnpm@10.34.9"
  const onPath = spawnSync("pnpm", ["--version"], { encoding: "utf8", shell: process.platform === "win32" })
  return onPath.status === 0 && onPath.stdout.trim() === packageManager.split("@")[1]
    ? { command: "pnpm", prefix: [], packageManager }
    : { command: "npx", prefix: ["--yes", packageManager], packageManager }
}
