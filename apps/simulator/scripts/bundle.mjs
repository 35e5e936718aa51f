#!/usr/bin/env node
// Bundles the built command line (dist/bin.js, from `tsc -b`) with its dependencies into three ES modules next
// to it, which bin/openremote-simulator.js runs when they are there: dist/bin.bundle.js (a few lines: it starts
// generating the key pair, then imports the rest), dist/cli.bundle.js (the simulator, fastify, pino, aedes, jose,
// effect) and dist/chunk.bundle.js (the key pair's code, which both use). Loading ~480 separate modules
// (effect/Schema alone pulls in effect/FastCheck) dominated the command's start-up; the tree-shaken bundle
// starts in about half the time (packages/bench `startup`). Split, so that the key pair's generation still
// starts before the big file is parsed. The library's modules stay unbundled.
import { build } from "esbuild"
import { fileURLToPath } from "node:url"

const dist = fileURLToPath(new URL("../dist", import.meta.url))

await build({
  entryPoints: [`${dist}/bin.js`],
  outdir: dist,
  // Next to tsc's output, so that `new URL("../package.json", import.meta.url)` in cli.ts still finds it.
  entryNames: "[name].bundle",
  chunkNames: "[name].bundle",
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  treeShaking: true,
  // fastify, pino and aedes are CommonJS and call `require`, which an ES module does not have.
  banner: {
    js:
      "import { createRequire as __createRequire } from \"node:module\"; const require = __createRequire(import.meta.url);"
  },
  logLevel: "warning"
})
