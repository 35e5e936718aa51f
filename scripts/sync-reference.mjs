#!/usr/bin/env node
// `reference/` holds copies of the design documents the tests read (`../shared/spec`, `../shared/seed`), so a
// clone is self-contained. `node scripts/sync-reference.mjs` refreshes the copies from `../shared`;
// `--check` fails when they differ. Where `../shared` is not beside the clone, there is nothing to compare.
import { copyFileSync, existsSync, readFileSync } from "node:fs"

const files = ["spec/USER-API.md", "spec/openremote-1.27-user-api.openapi.json", "seed/UserApi.md"]
const shared = new URL("../../shared/", import.meta.url)
const reference = new URL("../reference/", import.meta.url)
const check = process.argv.includes("--check")

if (!existsSync(shared)) {
  console.log("reference: no ../shared beside this clone; nothing to compare")
  process.exit(0)
}
let stale = 0
for (const file of files) {
  const from = new URL(file, shared)
  const to = new URL(file, reference)
  if (readFileSync(from, "utf8") === readFileSync(to, "utf8")) continue
  if (check) {
    console.error(`reference/${file} differs from ../shared/${file}: run \`npm run reference:sync\``)
    stale++
  } else {
    copyFileSync(from, to)
    console.log(`reference/${file} updated`)
  }
}
if (stale === 0) console.log("reference: up to date with ../shared")
process.exit(stale === 0 ? 0 : 1)
