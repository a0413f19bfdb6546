#!/usr/bin/env node
// Runs test files with node's test runner and ends with one line:
// "N passed, N failed" or "N passed, N failed, N skipped"; exits 1 unless
// everything passed. `node scripts/run-tests.mjs [FILES]` (default: test/*.test.ts).
//
// The counts come from the runner's own events (scripts/test-reporter.mjs),
// never from text a test could print. What is counted:
// - each leaf test (an it()/test() with no subtests) as passed, failed
//   (cancelled included) or skipped (todo included, failing or not: node's
//   runner does not fail a run on a todo either);
// - a skipped describe as one skipped: its body never runs, so how many
//   tests it holds is unknown;
// - each failure outside a test as one failed, with a "FAIL <file>: …" line:
//   a describe body that throws, a failing hook, a test process that exits
//   non-zero or dies by a signal, a file with no tests at all, a file the
//   runner never reported on, and the runner itself ending abnormally.
// The spec reporter's human output still goes to stdout as the tests run.
//
// runPlaywright() runs the Playwright Test specs (playwright.config.ts, e2e/)
// and counts them from the JSON report it asks for: expected and flaky as
// passed, skipped as skipped, unexpected as failed with a FAIL line naming
// the spec; an error outside the tests, a missing or unreadable report, a
// runner killed or exiting non-zero with nothing failed are failures too.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const reporter = fileURLToPath(new URL('./test-reporter.mjs', import.meta.url));

export function defaultFiles() {
  return readdirSync(join(root, 'test')).filter((f) => f.endsWith('.test.ts')).sort().map((f) => `test/${f}`);
}

/** Runs `files` (paths relative to the repo root or absolute); returns the counts and what failed outside tests. */
export function runTests(files) {
  const dir = mkdtempSync(join(tmpdir(), 'kcp-web-test-'));
  const results = join(dir, 'results.jsonl');
  // Set when this runs inside a test: it would make the runner below act as a child and report only to its parent.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  try {
    const child = spawnSync(process.execPath, [
      '--import', 'tsx',
      '--test',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      `--test-reporter=${reporter}`, `--test-reporter-destination=${results}`,
      ...files,
    ], { cwd: root, stdio: 'inherit', env });
    let text = '';
    try { text = readFileSync(results, 'utf8'); } catch { /* the runner never started: reported below */ }
    const records = text.split('\n').filter(Boolean).flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });
    return tally(records, files.map((f) => resolve(root, f)), { status: child.status, signal: child.signal, error: child.error });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line, so each FAIL line stands alone. */
const oneLine = (text) => {
  const t = String(text).replace(/\s*\n\s*/g, ' ').trim();
  return t.length > 300 ? `${t.slice(0, 297)}...` : t;
};

const reason = (e) => {
  if (e.signal) return `the test process was killed by ${e.signal}`;
  if (typeof e.exitCode === 'number') return `the test process exited with code ${e.exitCode}`;
  if (e.failureType === 'hookFailed') return oneLine(e.cause && e.cause !== e.message ? `${e.message}: ${e.cause}` : `a hook failed: ${e.message}`);
  return `failed: ${oneLine(e.message)}`;
};

/** Counts results from the reporter's records; exported for reuse, pure. */
export function tally(records, files, runner) {
  let passed = 0, failed = 0, skipped = 0;
  const problems = [];
  const fail = (file, what) => { failed++; problems.push({ file, what }); };
  const state = new Map();
  const of = (file) => {
    if (!state.has(file)) state.set(file, { tests: 0, reported: false, ownErrors: new Map(), childSeen: [] });
    return state.get(file);
  };
  files.forEach(of);
  if (files.length === 0) fail(null, 'no test files were given');

  for (const r of records) {
    if (r.type === 'end' || !r.file) continue;
    const st = of(r.file);
    if (r.nesting === 0 && r.name === r.file) {
      // The runner's own entry for a whole file.
      st.reported = true;
      st.childSeen = [];
      if (r.error && r.error.failureType !== 'subtestsFailed') st.ownErrors.set(JSON.stringify(r.error), r.error);
      continue;
    }
    if (r.type === 'test:complete') continue; // test:pass / test:fail carry the same result
    // Children are reported before their parent, so a test with subtests is recognised when it ends.
    const hasChildren = st.childSeen[r.nesting + 1] === true;
    st.childSeen[r.nesting + 1] = false;
    st.childSeen[r.nesting] = true;
    const failedHere = r.type === 'test:fail';
    if (!r.suite && !hasChildren) {
      st.tests++;
      if (failedHere && !r.todo) fail(r.file, `test "${r.name}" ${reason(r.error ?? {})}`);
      else if (r.skip || r.todo) skipped++;
      else passed++;
    } else if (failedHere && r.error?.failureType !== 'subtestsFailed') {
      fail(r.file, `${r.suite ? 'describe' : 'test'} "${r.name}" ${reason(r.error ?? {})}`);
    } else if (!failedHere && (r.skip || r.todo)) {
      st.tests++;
      skipped++;
    }
  }

  for (const [file, st] of state) {
    if (!st.reported) fail(file, 'the test runner never reported this file');
    for (const e of st.ownErrors.values()) fail(file, reason(e));
    if (st.reported && st.ownErrors.size === 0 && st.tests === 0) fail(file, 'no tests ran in this file');
  }
  if (runner.error) fail(null, `the test runner could not start: ${runner.error.message}`);
  else if (runner.signal) fail(null, `the test runner was killed by ${runner.signal}`);
  if (!records.some((r) => r.type === 'end')) fail(null, 'the test runner stopped before reporting every result');
  if (runner.status !== 0 && runner.status !== null && failed === 0) fail(null, `the test runner exited with code ${runner.status} though no test failed`);
  return { passed, failed, skipped, problems };
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** Runs `npx playwright test [args]` (every spec by default); returns the counts as runTests does. */
export function runPlaywright(args = []) {
  const dir = mkdtempSync(join(tmpdir(), 'kcp-web-playwright-'));
  const output = join(dir, 'report.json');
  try {
    const child = spawnSync(process.execPath, [join(root, 'node_modules/@playwright/test/cli.js'), 'test', ...args], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, KCP_WEB_PW_JSON: output },
    });
    let report;
    try { report = JSON.parse(readFileSync(output, 'utf8')); } catch { /* counted as a failure below */ }
    return tallyPlaywright(report, { status: child.status, signal: child.signal, error: child.error });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Counts a Playwright JSON report (undefined when none was written); exported for reuse, pure. */
export function tallyPlaywright(report, runner) {
  let passed = 0, failed = 0, skipped = 0;
  const problems = [];
  const config = join(root, 'playwright.config.ts');
  const fail = (file, what) => { failed++; problems.push({ file, what }); };
  const exit = runner.error ? `could not start: ${runner.error.message}` : runner.signal ? `was killed by ${runner.signal}` : `exited with code ${runner.status}`;
  if (!report || !Array.isArray(report.suites)) {
    fail(config, `playwright test wrote no readable JSON report (it ${exit})`);
    return { passed, failed, skipped, problems };
  }
  const rootDir = report.config?.rootDir ?? root;
  const walk = (suite, titles) => {
    const here = suite.title && !suite.title.endsWith('.ts') ? [...titles, suite.title] : titles;
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status === 'expected' || t.status === 'flaky') passed++;
        else if (t.status === 'skipped') skipped++;
        else {
          const error = (t.results ?? []).map((r) => r.error?.message).find(Boolean) ?? (t.results ?? []).at(-1)?.status ?? 'no result';
          fail(resolve(rootDir, spec.file ?? suite.file ?? ''), `test "${[...here, spec.title].join(' › ')}" [${t.projectName}] failed: ${oneLine(String(error).replace(ANSI, ''))}`);
        }
      }
    }
    for (const child of suite.suites ?? []) walk(child, here);
  };
  for (const suite of report.suites) walk(suite, []);
  for (const e of report.errors ?? []) fail(e.location?.file ?? config, `outside any test: ${oneLine(String(e.message ?? e.value ?? '').replace(ANSI, ''))}`);
  if (passed + failed + skipped === 0) fail(config, 'no Playwright tests ran');
  if (runner.error || runner.signal) fail(config, `playwright test ${exit}`);
  else if (runner.status !== 0 && failed === 0) fail(config, `playwright test ${exit} though no test failed`);
  return { passed, failed, skipped, problems };
}

/** Adds counts up. */
export function sum(...all) {
  return all.reduce((a, b) => ({ passed: a.passed + b.passed, failed: a.failed + b.failed, skipped: a.skipped + b.skipped, problems: [...a.problems, ...b.problems] }), { passed: 0, failed: 0, skipped: 0, problems: [] });
}

/** Prints the problems and the final line; returns the exit code. */
export function report({ passed, failed, skipped, problems }) {
  if (problems.length) console.log('');
  for (const { file, what } of problems) console.log(`FAIL ${file ? relative(root, file) : '(runner)'}: ${what}`);
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return failed > 0 ? 1 : 0;
}

/** Node test files (test/…) and Playwright specs (….spec.ts) from `args`; both all when `args` is empty. */
export function runAll(args) {
  const specs = args.filter((f) => f.endsWith('.spec.ts'));
  const files = args.filter((f) => !f.endsWith('.spec.ts'));
  if (args.length === 0) return sum(runTests(defaultFiles()), runPlaywright());
  return sum(...(files.length ? [runTests(files)] : []), ...(specs.length ? [runPlaywright(specs)] : []));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = report(runAll(process.argv.slice(2)));
}
