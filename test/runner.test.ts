/**
 * scripts/run-tests.mjs, the runner behind `npm test`: every way a suite can
 * fail outside a test must turn the final line and the exit code red and
 * name the file; an all-green file must pass with its exact count.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './helpers/kcppeer.js';
import { runPlaywright, tally, tallyPlaywright, type PlaywrightReport, type ResultRecord } from '../scripts/run-tests.mjs';

const FINAL = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/;

interface Run { code: number; lines: string[]; last: string }

function runner(fixture: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['scripts/run-tests.mjs', `test/fixtures/runner/${fixture}`], { cwd: ROOT, maxBuffer: 16 << 20 }, (err, stdout) => {
      if (err && typeof err.code !== 'number') return reject(err);
      const lines = stdout.trimEnd().split('\n');
      resolve({ code: typeof err?.code === 'number' ? err.code : 0, lines, last: lines.at(-1) ?? '' });
    });
  });
}

describe('npm test runner: failures outside tests fail the run and name the file', () => {
  const red: Array<[fixture: string, why: RegExp]> = [
    ['describe-throws.fixture.ts', /describe "vectors" failed: test vectors cut short/],
    ['after-fails.fixture.ts', /describe "with cleanup" failed running after hook: cleanup failed/],
    ['top-after-fails.fixture.ts', /a hook failed: top-level cleanup failed/],
    ['killed.fixture.ts', /the test process was killed by SIGKILL/],
    ['fake-summary.fixture.ts', /test "fails" failed: a real failure/],
    ['empty.fixture.ts', /no tests ran in this file/],
  ];
  for (const [fixture, why] of red) {
    it(fixture, { timeout: 60_000 }, async () => {
      const run = await runner(fixture);
      const m = FINAL.exec(run.last);
      assert.ok(m, `last line is the summary: ${JSON.stringify(run.last)}`);
      assert.ok(Number(m[2]) >= 1, `final line counts the failure: ${run.last}`);
      assert.equal(run.code, 1);
      const named = run.lines.filter((l) => l.startsWith(`FAIL test/fixtures/runner/${fixture}: `));
      assert.ok(named.some((l) => why.test(l)), `a FAIL line names ${fixture} and says ${why}; got:\n${named.join('\n')}`);
    });
  }

  it('the fake summary lines a test prints do not change the count', { timeout: 60_000 }, async () => {
    const run = await runner('fake-summary.fixture.ts');
    assert.equal(run.last, '1 passed, 1 failed');
  });

  it('an all-green file passes with its exact count (subtests counted, a skipped describe as one skipped, a failing todo as skipped)', { timeout: 60_000 }, async () => {
    const run = await runner('green.fixture.ts');
    assert.deepEqual(run.lines.filter((l) => l.startsWith('FAIL ')), []);
    assert.equal(run.last, '4 passed, 0 failed, 3 skipped');
    assert.equal(run.code, 0);
  });
});

describe('npm test runner: the runner itself ending abnormally', () => {
  const file = join(ROOT, 'test/a.test.ts');
  const green: ResultRecord[] = [
    { type: 'test:pass', name: 'ok', nesting: 0, file },
    { type: 'test:pass', name: file, nesting: 0, file },
  ];
  const end: ResultRecord = { type: 'end' };

  it('counts a clean run as clean', () => {
    assert.deepEqual(tally([...green, end], [file], { status: 0, signal: null }), { passed: 1, failed: 0, skipped: 0, problems: [] });
  });
  it('a runner killed by a signal, with no summary, fails', () => {
    const r = tally(green, [file], { status: null, signal: 'SIGKILL' });
    assert.ok(r.failed >= 1);
    assert.ok(r.problems.some((p) => /killed by SIGKILL/.test(p.what)));
    assert.ok(r.problems.some((p) => /stopped before reporting every result/.test(p.what)));
  });
  it('a runner exiting non-zero with every test passed fails', () => {
    const r = tally([...green, end], [file], { status: 1, signal: null });
    assert.equal(r.failed, 1);
  });
  it('a file the runner never reported on fails, naming it', () => {
    const other = join(ROOT, 'test/b.test.ts');
    const r = tally([...green, end], [file, other], { status: 0, signal: null });
    assert.deepEqual(r.problems, [{ file: other, what: 'the test runner never reported this file' }]);
  });
  it('no files at all is a failure, not "0 passed, 0 failed" and success', () => {
    assert.equal(tally([end], [], { status: 0, signal: null }).failed, 1);
  });
});

describe('npm test runner: the Playwright specs are counted from their JSON report', () => {
  const spec = (title: string, status: 'expected' | 'unexpected' | 'flaky' | 'skipped', message?: string) => ({
    title,
    file: 'echo.spec.ts',
    tests: [{ projectName: 'chromium', status, results: [{ status: status === 'unexpected' ? 'failed' : 'passed', ...(message ? { error: { message } } : {}) }] }],
  });
  const report = (...specs: ReturnType<typeof spec>[]): PlaywrightReport => ({
    config: { rootDir: join(ROOT, 'e2e') },
    suites: [{ title: 'echo.spec.ts', file: 'echo.spec.ts', specs: [], suites: [{ title: 'crypt=aes', specs }] }],
    errors: [],
  });
  const clean = { status: 0, signal: null };

  it('expected and flaky as passed, skipped as skipped', () => {
    assert.deepEqual(tallyPlaywright(report(spec('a', 'expected'), spec('b', 'flaky'), spec('c', 'skipped')), clean), { passed: 2, failed: 0, skipped: 1, problems: [] });
  });
  it('an unexpected result fails, naming the spec file, the titles and the message without colour codes', () => {
    const r = tallyPlaywright(report(spec('a', 'unexpected', '\u001b[31mexpect(received).toBe(expected)\u001b[39m\n\nExpected: true')), { status: 1, signal: null });
    assert.equal(r.failed, 1);
    assert.deepEqual(r.problems, [{ file: join(ROOT, 'e2e/echo.spec.ts'), what: 'test "crypt=aes › a" [chromium] failed: expect(received).toBe(expected) Expected: true' }]);
  });
  it('no report (a crash, a config that does not load) is a failure naming the config', () => {
    const r = tallyPlaywright(undefined, { status: 1, signal: null });
    assert.deepEqual(r.problems, [{ file: join(ROOT, 'playwright.config.ts'), what: 'playwright test wrote no readable JSON report (it exited with code 1)' }]);
  });
  it('an error outside the tests, a kill, a non-zero exit with nothing failed, or no tests at all fail the run', () => {
    assert.equal(tallyPlaywright({ ...report(spec('a', 'expected')), errors: [{ message: 'globalSetup threw' }] }, { status: 1, signal: null }).failed, 1);
    assert.equal(tallyPlaywright(report(spec('a', 'expected')), { status: null, signal: 'SIGKILL' }).failed, 1);
    assert.equal(tallyPlaywright(report(spec('a', 'expected')), { status: 1, signal: null }).failed, 1);
    assert.equal(tallyPlaywright(report(), clean).failed, 1);
  });
  it('a real run: one spec through playwright test, read back from its report', { timeout: 120_000 }, () => {
    assert.deepEqual(runPlaywright(['-g', 'the page bundle is small']), { passed: 1, failed: 0, skipped: 0, problems: [] });
  });
});
