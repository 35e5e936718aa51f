/**
 * The README's examples are files the suite runs: the vitest example is test/ReadmeExample.test.ts, the CI recipe
 * is examples/with-simulator.sh (run by Cli.test.ts and by scripts/check-packages.mjs).
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8")
const readme = read("README.md")

/** The first code block of a README section, of the given language. */
const codeBlock = (heading: string, language: string) =>
  new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(readme.slice(readme.indexOf(heading)))?.[1]

describe("the README's examples", () => {
  it("the vitest example is test/ReadmeExample.test.ts, verbatim", () => {
    expect(codeBlock("## As a test double in your own vitest suite", "ts")).toBe(read("test/ReadmeExample.test.ts"))
  })

  it("the CI recipe is examples/with-simulator.sh, verbatim", () => {
    expect(codeBlock("## In CI", "bash")).toBe(read("examples/with-simulator.sh"))
  })
})
