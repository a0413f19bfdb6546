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
