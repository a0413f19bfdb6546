/**
 * kcp-web/testing as a user meets it: the package packed and installed into
 * a fresh project beside @playwright/test (and werift and ws for the
 * relay), the README's `ts playwright` spec copied there as it stands,
 * typechecked, and run with `npx playwright test` in Debian's Chromium
 * against the real kcp-go echo server.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, hasKcpPeer, startGoEcho, stopWithCounters, type ServerProcess } from './helpers/kcppeer.js';
import { CHROMIUM, CHROMIUM_ARGS, hasChromium } from './helpers/browser.js';

const npm = (cwd: string, ...args: string[]) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string>; peerDependencies: Record<string, string> };

/** The README's one `ts playwright` block. */
function readmeSpec(): string {
  const blocks = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/^```ts playwright\n([\s\S]*?)^```$/gm)];
  assert.equal(blocks.length, 1, 'the README has one Playwright spec');
  return blocks[0]![1]!;
}

const skip = !hasChromium ? `${CHROMIUM} missing: run \`node scripts/setup.mjs\`` : !hasKcpPeer ? 'interop/bin/kcppeer missing: run `node scripts/setup.mjs`' : false;

describe('kcp-web/testing from the packed package, in a fresh Playwright project', { skip, timeout: 600_000 }, () => {
  let work: string;
  let project: string;
  let go: ServerProcess | undefined;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'kcp-web-testing-'));
    // What `npm pack` would run as prepare, apart, so that --json prints only the listing.
    npm(ROOT, 'run', 'build');
    const packed = JSON.parse(npm(ROOT, 'pack', '--ignore-scripts', '--json', '--pack-destination', work)) as Array<{ filename: string }>;
    project = join(work, 'app');
    mkdirSync(join(project, 'tests'), { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    const dev = (name: string) => `${name}@${manifest.devDependencies[name] ?? manifest.peerDependencies[name]}`;
    npm(project, 'install', join(work, packed[0]!.filename), dev('@playwright/test'), dev('playwright-core'), dev('werift'), dev('ws'), dev('typescript'), dev('@types/node'));
    // The machine's browser instead of a Playwright download: the only line a user with `npx playwright install` leaves out.
    writeFileSync(
      join(project, 'playwright.config.ts'),
      `import { defineConfig } from '@playwright/test';\nexport default defineConfig({ workers: 1, timeout: 120_000, use: { launchOptions: { executablePath: ${JSON.stringify(CHROMIUM)}, args: ${JSON.stringify(CHROMIUM_ARGS)} } } });\n`,
    );
    writeFileSync(join(project, 'tests/kcp.spec.ts'), readmeSpec());
  });
  after(() => {
    go?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the README spec typechecks as it stands (strict, nodenext)', () => {
    const compilerOptions = { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['ES2022', 'DOM'], types: ['node'], noEmit: true, skipLibCheck: false };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['tests/kcp.spec.ts'] }));
    const r = spawnSync(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: project, encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });

  it('npx playwright test runs the README spec against kcp-go', { timeout: 300_000 }, async () => {
    go = await startGoEcho(['--crypt', 'aes', '--key', 'secret', '--mode', 'fast', '--datashard', '10', '--parityshard', '3']);
    const r = spawnSync('npx', ['--no-install', 'playwright', 'test', '--reporter=line'], {
      cwd: project,
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, KCP_SERVER: go.address, CI: '1' },
    });
    const snmp = await stopWithCounters(go);
    go = undefined;
    const out = `${r.stdout}${r.stderr}`;
    assert.equal(r.status, 0, out);
    assert.match(out, /1 passed/);
    // kcp-go itself echoed it: its counters saw the mebibyte both ways.
    assert.ok((snmp.BytesReceived ?? 0) >= 1 << 20, `kcp-go counters: ${JSON.stringify(snmp)}`);
    assert.ok(!existsSync(join(project, 'test-results', '.last-run.json')) || /"passed"/.test(readFileSync(join(project, 'test-results', '.last-run.json'), 'utf8')));
  });
});
