import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { packageDir } from "../src/internal/paths.js"

/** What Node answers when this package (a dependent of the three) imports `specifier`. */
const importFromDependent = (specifier: string): string =>
  execFileSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import(${JSON.stringify(specifier)}).then(() => console.log("exported"), (e) => console.log(e.code))`
    ],
    { cwd: packageDir, encoding: "utf8" }
  ).trim()

describe("package exports", () => {
  for (const name of ["model", "client", "simulator"]) {
    it(`@openremote-effect/${name}: internal/ is sealed, the public modules are not`, () => {
      expect(importFromDependent(`@openremote-effect/${name}/internal/anything`)).toBe(
        "ERR_PACKAGE_PATH_NOT_EXPORTED"
      )
      expect(importFromDependent(`@openremote-effect/${name}`)).toBe("exported")
    })
  }
  it("a module that exists in internal/ is sealed too", () => {
    expect(importFromDependent("@openremote-effect/client/internal/http")).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED")
    expect(importFromDependent("@openremote-effect/client/UserApi")).toBe("exported")
  })
  it("the simulator's store/ rooms are sealed: the records change only through Store", () => {
    expect(importFromDependent("@openremote-effect/simulator/store/Records")).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED")
    expect(importFromDependent("@openremote-effect/simulator/Store")).toBe("exported")
  })
})
