#!/usr/bin/env node
// `npm test`: installs missing system packages, builds, then runs every suite
// (unit, vectors, interop with real kcp-go, build checks, and the Playwright
// specs in e2e/) through
// scripts/run-tests.mjs, which ends with one line: "N passed, N failed, N skipped"
// and exits non-zero if anything failed; see there for what is counted.
// `node scripts/test.mjs [--no-setup] [FILES]`: --no-setup skips setup and build;
// FILES may name test/*.test.ts files and e2e/*.spec.ts specs.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { report, runAll } from './run-tests.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status;

const args = process.argv.slice(2);
const noSetup = args.includes('--no-setup');
const only = args.filter((a) => a !== '--no-setup');

function prepare() {
  if (run(process.execPath, ['scripts/setup.mjs']) !== 0) return 'FAIL (setup): the interop peer cannot be built';
  if (run('npm', ['run', '--silent', 'build']) !== 0) return 'FAIL (build): npm run build failed';
  return undefined;
}

const broken = noSetup ? undefined : prepare();
if (broken) {
  console.log(`\n${broken}\n\n0 passed, 1 failed`);
  process.exitCode = 1;
} else {
  process.exitCode = report(runAll(only));
}
