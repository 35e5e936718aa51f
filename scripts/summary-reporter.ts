import type { Reporter, TestModule } from "vitest/node"

/**
 * Ends a run with one plain line, `N passed, N failed, N skipped`, after vitest's own summary, so that a CI log
 * says at a glance how many tests ran.
 */
export default class SummaryReporter implements Reporter {
  private line = ""

  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const counts = { passed: 0, failed: 0, skipped: 0 }
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state
        if (state === "passed") counts.passed++
        else if (state === "failed") counts.failed++
        else counts.skipped++
      }
    }
    this.line = `vitest: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`
  }

  // Printed here, after the default reporter's summary (which it prints in this hook).
  onFinished() {
    console.log(`\n${this.line}`)
  }
}
