import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { ViteUserConfig } from "vitest/config"

const root = path.dirname(fileURLToPath(import.meta.url))

/**
 * Workspace packages resolve to their TypeScript sources in tests, so `vitest` needs no build first.
 */
const alias = (name: string, dir: string) => ({
  [`@openremote-effect/${name}`]: path.join(root, dir, "src", "index.ts")
})

const config: ViteUserConfig = {
  esbuild: { target: "es2022" },
  test: {
    include: ["test/**/*.test.ts"],
    alias: [
      // `@openremote-effect/model/User` → packages/model/src/User.ts
      { find: /^@openremote-effect\/(model|client)\/(.+)$/, replacement: path.join(root, "packages/$1/src/$2.ts") },
      { find: /^@openremote-effect\/simulator\/(.+)$/, replacement: path.join(root, "apps/simulator/src/$1.ts") },
      ...Object.entries({
        ...alias("model", "packages/model"),
        ...alias("client", "packages/client"),
        ...alias("simulator", "apps/simulator")
      }).map(([find, replacement]) => ({ find: new RegExp(`^${find}$`), replacement }))
    ]
  }
}

export default config
