/**
 * Where the package's files are, whether the code runs compiled (`dist/`) or from its TypeScript sources
 * (`src/`, under vitest).
 *
 * @internal
 */
import { existsSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))

/**
 * The package directory (`packages/bench`): two levels above this file, in `src/internal` or `dist/internal`.
 *
 * @internal
 */
export const packageDir: string = path.resolve(here, "..", "..")

/**
 * The repository root.
 *
 * @internal
 */
export const repositoryRoot: string = path.resolve(packageDir, "..", "..")

/**
 * The results directory: `packages/bench/results`.
 *
 * @internal
 */
export const resultsDir: string = path.join(packageDir, "results")

/**
 * A compiled file of this package (`dist/<name>`). Child processes run compiled JavaScript, also when the
 * code that starts them runs from the TypeScript sources under vitest; a missing file means the package
 * was not built.
 *
 * @internal
 */
export const distFile = (name: string): string => {
  const file = path.join(packageDir, "dist", name)
  if (!existsSync(file)) {
    throw new Error(`${file} does not exist: build the workspace first (npx tsc -b)`)
  }
  return file
}

/**
 * The simulator's command-line entry point (`apps/simulator/bin/openremote-simulator.js`), as the
 * `openremote-simulator` command runs it: it runs the bundled CLI (`dist/bin.bundle.js`), which must be built,
 * so that the start-up benchmark measures what a user runs.
 *
 * @internal
 */
export const simulatorCli = (): string => {
  const file = path.join(repositoryRoot, "apps", "simulator", "bin", "openremote-simulator.js")
  const built = path.join(repositoryRoot, "apps", "simulator", "dist", "bin.bundle.js")
  if (!existsSync(file) || !existsSync(built)) {
    throw new Error(`${built} does not exist: build the workspace first (npm run build)`)
  }
  return file
}
