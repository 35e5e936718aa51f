#!/usr/bin/env node
// The `openremote-simulator` command. A committed file (not dist/bin.js itself), so that package managers can
// link the command before the package is built; it runs the built CLI: dist/bin.bundle.js, the command bundled
// with its dependencies (scripts/bundle.mjs; it starts in about half the time of ~480 separate modules), or
// dist/bin.js when the bundle is missing or, in the repository, older than the last `tsc -b` of the simulator or
// of the model (so that a `tsc -b` without the bundle step never runs stale code).
import { statSync } from "node:fs"

const mtime = (file) => statSync(new URL(file, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1
const bundled = mtime("../dist/bin.bundle.js")
const stale = ["../build/tsbuildinfo/src.tsbuildinfo", "../../../packages/model/build/tsbuildinfo/src.tsbuildinfo"]
  .some((file) => mtime(file) > bundled)
await import(bundled >= 0 && !stale ? "../dist/bin.bundle.js" : "../dist/bin.js")
