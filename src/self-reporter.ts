// Closes `npm test` with the one line CI reads: `N passed, N failed, N skipped`, after any tables the
// self-tests attached (the defect matrix, catalogue coverage).
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export default class SelfReporter implements Reporter {
  private passed = 0;
  private failed = 0;
  private skipped = 0;
  private readonly tables: { title: string; text: string }[] = [];

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status === 'passed') this.passed++;
    else if (result.status === 'skipped') this.skipped++;
    else this.failed++;
    for (const a of result.attachments) {
      if (a.name.startsWith('table:') && a.body) this.tables.push({ title: a.name.slice(6), text: a.body.toString('utf8') });
    }
    void test;
  }

  onEnd(result: FullResult): void {
    // A file that fails to load runs no test but must still count as a failure.
    if (result.status !== 'passed' && this.failed === 0) this.failed = 1;
    for (const t of this.tables.sort((a, b) => a.title.localeCompare(b.title))) process.stdout.write(`\n${t.text.trimEnd()}\n`);
    process.stdout.write(`\n${this.passed} passed, ${this.failed} failed, ${this.skipped} skipped\n`);
  }

  printsToStdio(): boolean {
    return true;
  }
}
