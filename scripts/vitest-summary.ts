import type { Reporter, TestModule, Vitest } from 'vitest/node';

/**
 * Ends every run with one plain line, `N passed, N failed, N skipped`, which any CI can read
 * without knowing vitest. A file that failed to load, or whose hooks threw, counts as a failure.
 */
export default class SummaryLine implements Reporter {
  private coverage = false;
  private line: string | undefined;

  onInit(vitest: Vitest): void {
    this.coverage = vitest.config.coverage.enabled;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const m of testModules) {
      if (m.errors().length > 0) failed++;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    this.line = `\n${passed} passed, ${failed} failed, ${skipped} skipped\n`;
    // The coverage report comes after this hook, and only when every test passed: then the line
    // waits for it, so it stays the last one.
    if (!this.coverage || failed > 0) this.print();
  }

  onFinishedReportCoverage(): void {
    this.print();
  }

  private print(): void {
    if (this.line !== undefined) process.stdout.write(this.line);
    this.line = undefined;
  }
}
