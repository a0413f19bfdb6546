#!/usr/bin/env node
// `npm test`: installs missing system packages, builds, runs every suite
// (unit, vectors, interop with real kcp-go, build checks) with node's test
// runner, and ends with one line: "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts }).status;

function finish(passed, failed, skipped) {
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed > 0 ? 1 : 0);
}

if (run(process.execPath, ['scripts/setup.mjs']) !== 0) {
  console.error('setup failed: the interop peer cannot be built');
  finish(0, 1, 0);
}
if (run('npm', ['run', '--silent', 'build']) !== 0) {
  console.error('build failed');
  finish(0, 1, 0);
}

const only = process.argv.slice(2);
const files = (only.length ? only : readdirSync(join(root, 'test')).filter((f) => f.endsWith('.test.ts')).sort().map((f) => `test/${f}`));
const tap = join(mkdtempSync(join(tmpdir(), 'kcp-web-test-')), 'results.tap');
run(process.execPath, [
  '--import', 'tsx',
  '--test',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${tap}`,
  ...files,
]);
const summary = readFileSync(tap, 'utf8');
const count = (name) => Number((summary.match(new RegExp(`^# ${name} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
finish(count('pass'), count('fail') + count('cancelled'), count('skipped') + count('todo'));
