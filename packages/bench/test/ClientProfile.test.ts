import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { packageDir } from "../src/internal/paths.js"

const script = path.join(packageDir, "dist", "client-profile.js")

const run = (...args: ReadonlyArray<string>) =>
  spawnSync(process.execPath, [script, ...args], { encoding: "utf8", timeout: 60_000 })

describe("client-profile (the in-memory profile of the client's CPU per call)", () => {
  it("measures every variant at both concurrencies and writes the figures with their ratios", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "client-profile-"))
    try {
      const out = path.join(dir, "profile.json")
      const result = run("--calls", "40", "--repetitions", "1", "--out", out)
      expect(result.status, result.stderr).toBe(0)
      const written = JSON.parse(fs.readFileSync(out, "utf8")) as {
        readonly calls: number
        readonly figures: ReadonlyArray<
          {
            readonly concurrency: number
            readonly variant: string
            readonly cpuMicrosPerCall: number
            readonly ratio: number
          }
        >
      }
      expect(written.calls).toBe(40)
      const variants = [
        "bare-untraced",
        "bare",
        "bare+decode",
        "bare+decode+span",
        "client",
        "client-cached-token",
        "client-httpClientSpans"
      ]
      for (const concurrency of [1, 32]) {
        const figures = written.figures.filter((figure) => figure.concurrency === concurrency)
        expect(figures.map((figure) => figure.variant)).toEqual(variants)
        for (const figure of figures) expect(figure.cpuMicrosPerCall).toBeGreaterThan(0)
        expect(figures[0]!.ratio).toBe(1)
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("refuses bad options with the usage and writes nothing", () => {
    for (const args of [["--calls", "0"], ["--repetitions", "x"], ["--only", "nonsense"]]) {
      const result = run(...args, "--out", path.join(os.tmpdir(), "client-profile-never.json"))
      expect(result.status).toBe(1)
      expect(result.stderr).toContain("Usage:")
    }
    expect(fs.existsSync(path.join(os.tmpdir(), "client-profile-never.json"))).toBe(false)
  })
})
