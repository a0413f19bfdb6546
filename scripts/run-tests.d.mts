export interface Problem { file: string | null; what: string }
export interface Counts { passed: number; failed: number; skipped: number; problems: Problem[] }
/** One line of scripts/test-reporter.mjs output. */
export interface ResultRecord {
  type: 'test:pass' | 'test:fail' | 'test:complete' | 'end';
  name?: string;
  nesting?: number;
  file?: string;
  suite?: boolean;
  skip?: boolean;
  todo?: boolean;
  error?: { message: string; failureType?: string; cause?: string; exitCode?: number | null; signal?: string | null };
}
export function defaultFiles(): string[];
export function runTests(files: string[]): Counts;
export function tally(records: ResultRecord[], files: string[], runner: { status: number | null; signal: string | null; error?: Error }): Counts;
export function report(counts: Counts): number;
/** The parts of Playwright's JSON report that are counted. */
export interface PlaywrightReport {
  config?: { rootDir?: string };
  suites: PlaywrightSuite[];
  errors?: Array<{ message?: string; value?: string; location?: { file: string } }>;
}
export interface PlaywrightSuite {
  title: string;
  file?: string;
  specs?: Array<{ title: string; file?: string; tests?: Array<{ projectName: string; status: 'expected' | 'unexpected' | 'flaky' | 'skipped'; results?: Array<{ status?: string; error?: { message?: string } }> }> }>;
  suites?: PlaywrightSuite[];
}
export function runPlaywright(args?: string[]): Counts;
export function tallyPlaywright(report: PlaywrightReport | undefined, runner: { status: number | null; signal: string | null; error?: Error }): Counts;
export function sum(...all: Counts[]): Counts;
export function runAll(args: string[]): Counts;
