#!/usr/bin/env node
// Installs the published packages like a user, from their packed tarballs (run by .ci/run, after `npm test` built
// them; about a minute, most of it npm downloading fastify, effect and typescript):
//
// 1. packs @openremote-effect/model, client and simulator with `pnpm pack` (which rewrites `workspace:*`);
// 2. checks every tarball: no `workspace:` version left, every file its package.json points to is in it (and the
//    simulator's bundled CLI, dist/*.bundle.js, which its bin runs), LICENSE,
//    README.md and CHANGELOG.md shipped, every relative link of its README to a shipped file; then `publint`
//    (warnings fail too) and `@arethetypeswrong/cli` with the ESM-only profile;
// 3. installs the three tarballs with plain npm into a fresh temporary project, with effect@^3.22 and
//    @effect/platform@^0.97 as the README's install section says;
// 4. type-checks scripts/package-consumer/consumer.ts there under NodeNext and under bundler resolution (strict,
//    exactOptionalPropertyTypes, library checking on) and server-only.ts with lib ES2022 alone, runs the consumer
//    against the simulator started in-process, then through the installed `openremote-simulator` bin with the
//    simulator README's CI recipe (with-simulator.sh).
//
// Before that it proves that the tarball check can fail: a tarball packed by `npm pack` (which leaves
// `workspace:*`) and a tarball with a missing file must both be refused.
import { execFileSync } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { publint } from "publint"
import { formatMessage } from "publint/utils"
import { pinnedPnpm } from "./pinned-pnpm.mjs"

const root = fileURLToPath(new URL("..", import.meta.url))
const packages = ["packages/model", "packages/client", "apps/simulator"]
const bin = (name) => path.join(root, "node_modules", ".bin", name)
const run = (command, args, cwd, env = process.env) =>
  execFileSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
const step = (text) => console.log(`\n== ${text}`)

const pnpm = pinnedPnpm(new URL("../", import.meta.url))

/** Packs a package folder into `dest` with the pinned pnpm (or npm); the tarball's path. */
const pack = (dir, dest, tool = "pnpm") => {
  const before = new Set(readdirSync(dest))
  const [command, prefix] = tool === "pnpm" ? [pnpm.command, pnpm.prefix] : [tool, []]
  run(
    command,
    [...prefix, "pack", "--pack-destination", dest, ...(tool === "npm" ? ["--silent"] : [])],
    path.join(root, dir)
  )
  const made = readdirSync(dest).filter((file) => !before.has(file) && file.endsWith(".tgz"))
  if (made.length !== 1) throw new Error(`${tool} pack in ${dir} made ${made.length} tarballs`)
  return path.join(dest, made[0])
}

const tarFiles = (tarball) =>
  new Set(run("tar", ["-tzf", tarball], root).split("\n").filter(Boolean).map((file) => file.replace(/^package\//, "")))

/** Every file a package.json points to (exports without wildcards, bin, main, types). */
const pointedTo = (manifest) => {
  const targets = []
  const walk = (value) => {
    if (typeof value === "string") targets.push(value)
    else if (value !== null && typeof value === "object") Object.values(value).forEach(walk)
  }
  walk(manifest.exports)
  walk(manifest.bin)
  walk(manifest.main)
  walk(manifest.types)
  return targets.filter((target) => !target.includes("*")).map((target) => target.replace(/^\.\//, ""))
}

/** Files a package needs that its package.json does not point to: the simulator's bin runs the bundled CLI. */
const alsoNeeded = {
  "@openremote-effect/simulator": ["dist/bin.bundle.js", "dist/chunk.bundle.js", "dist/cli.bundle.js"]
}

/** The problems of one tarball (empty when it is fine). */
export const inspectTarball = async (tarball) => {
  const problems = []
  const files = tarFiles(tarball)
  const manifest = JSON.parse(run("tar", ["-xzOf", tarball, "package/package.json"], root))
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith("workspace:")) problems.push(`${field}.${name} is "${range}"`)
    }
  }
  for (
    const file of ["LICENSE", "README.md", "CHANGELOG.md", ...pointedTo(manifest), ...(alsoNeeded[manifest.name] ?? [])]
  ) {
    if (!files.has(file)) problems.push(`${file} is not in the tarball`)
  }
  if (files.has("README.md")) {
    const readme = run("tar", ["-xzOf", tarball, "package/README.md"], root)
    for (const [, target] of readme.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue
      if (!files.has(path.posix.normalize(target))) problems.push(`README.md links to ${target}, which is not shipped`)
    }
  }
  const { messages, pkg } = await publint({ pack: { tarball: readFileSync(tarball).buffer }, strict: true })
  for (const message of messages) {
    if (message.type !== "suggestion") problems.push(`publint: ${formatMessage(message, pkg, { color: false })}`)
  }
  return problems
}

const tmp = mkdtempSync(path.join(tmpdir(), "openremote-effect-packages-"))
try {
  step("the check refuses broken tarballs")
  const broken = path.join(tmp, "broken")
  mkdirSync(broken)
  const npmPacked = await inspectTarball(pack("packages/client", broken, "npm"))
  if (!npmPacked.some((problem) => problem.includes("\"workspace:"))) {
    throw new Error(`a tarball with workspace:* left in it passed the check: ${npmPacked.join("; ")}`)
  }
  const unpacked = path.join(broken, "unpacked")
  mkdirSync(unpacked)
  run("tar", ["-xzf", pack("packages/model", broken), "-C", unpacked], root)
  rmSync(path.join(unpacked, "package", "dist", "index.js"))
  const missing = path.join(broken, "missing.tgz")
  run("tar", ["-czf", missing, "-C", unpacked, "package"], root)
  const missingProblems = await inspectTarball(missing)
  if (!missingProblems.some((problem) => problem.includes("dist/index.js"))) {
    throw new Error(`a tarball without dist/index.js passed the check: ${missingProblems.join("; ")}`)
  }
  console.log(`refused: ${npmPacked[0]}; ${missingProblems[0]}`)

  step("pack and check the tarballs")
  const tarballs = path.join(tmp, "tarballs")
  mkdirSync(tarballs)
  const packed = packages.map((dir) => pack(dir, tarballs))
  for (const tarball of packed) {
    const problems = await inspectTarball(tarball)
    if (problems.length > 0) throw new Error(`${path.basename(tarball)}:\n  ${problems.join("\n  ")}`)
    console.log(`${path.basename(tarball)}: fine (publint included)`)
    run(bin("attw"), [tarball, "--profile", "esm-only", "--format", "table-flipped"], root)
    console.log(`${path.basename(tarball)}: attw (esm-only) fine`)
  }

  step("install them with npm into a fresh project")
  const project = path.join(tmp, "project")
  mkdirSync(project)
  writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2)
  )
  const started = Date.now()
  run("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    ...packed,
    "effect@^3.22",
    "@effect/platform@^0.97",
    "typescript@5.9.3",
    "@types/node@20"
  ], project)
  const effect = JSON.parse(readFileSync(path.join(project, "node_modules/effect/package.json"), "utf8")).version
  if (!effect.startsWith("3.")) throw new Error(`npm installed effect ${effect}`)
  console.log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s (effect ${effect})`)

  step("type-check a consumer under NodeNext and bundler resolution")
  for (const file of ["consumer.ts", "server-only.ts"]) {
    copyFileSync(path.join(root, "scripts/package-consumer", file), path.join(project, file))
  }
  const strict = {
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    target: "ES2022",
    types: ["node"],
    verbatimModuleSyntax: true
  }
  const nodeNext = { module: "NodeNext", moduleResolution: "NodeNext" }
  const configs = {
    "tsconfig.nodenext.json": [["consumer.ts"], { ...strict, ...nodeNext, lib: ["ES2022", "DOM"], outDir: "dist" }],
    "tsconfig.bundler.json": [
      ["consumer.ts"],
      { ...strict, module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022", "DOM"], noEmit: true }
    ],
    "tsconfig.es2022.json": [["server-only.ts"], { ...strict, ...nodeNext, lib: ["ES2022"], noEmit: true }]
  }
  for (const [file, [files, compilerOptions]] of Object.entries(configs)) {
    writeFileSync(path.join(project, file), JSON.stringify({ compilerOptions, files }, null, 2))
    run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", file], project)
    console.log(`${file} (${files.join(", ")}): no errors`)
  }

  step("run it against the simulator in-process, then through its bin")
  const env = { ...process.env }
  delete env.OPENREMOTE_URL
  delete env.OPENREMOTE_KEYCLOAK_URL
  process.stdout.write(run(process.execPath, ["dist/consumer.js"], project, env))
  const recipe = path.join(root, "apps/simulator/examples/with-simulator.sh")
  process.stdout.write(run("bash", [recipe, process.execPath, "dist/consumer.js"], project, env))
  console.log("\nThe packages install and work like a user's.")
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
