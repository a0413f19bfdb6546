/**
 * WebTransport in every install: the Go helper ships prebuilt as a
 * per-platform npm package (@kcp-web/wt-linux-x64, an optional dependency
 * of kcp-web), and a relay installed from the two packed tarballs into a
 * fresh project runs it from there — no Go, no clone — and offers
 * WebTransport and WebRTC (node-datachannel, which the CLI installs into its
 * cache beside werift and ws): a Chromium page it serves echoes 1 MiB
 * through each to a real kcp-go server.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { hasKcpPeer, ROOT, startGoEcho, type ServerProcess } from './helpers/kcppeer.js';
import { bundleEchoPage, hasChromium, launchChromium } from './helpers/browser.js';

const npm = (cwd: string, ...args: string[]) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const hasGo = (() => {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skip = process.platform !== 'linux' || process.arch !== 'x64' ? 'the packaged helper in this repo is linux-x64' : !hasGo ? 'Go is needed to build the helper package' : !hasKcpPeer ? 'interop/bin/kcppeer missing (node scripts/setup.mjs)' : false;

describe('kcp-web + @kcp-web/wt-linux-x64, packed and installed into a fresh project', { skip, timeout: 600_000 }, () => {
  let work: string;
  let project: string;
  let echo: ServerProcess;
  let relay: ChildProcess | undefined;
  let relayUrl: string | undefined;
  let pageDir: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'kcp-web-wt-pkg-'));
    const wtTarball = execFileSync(process.execPath, [join(ROOT, 'scripts/wt-package.mjs'), 'linux-x64', '--pack', work], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
    // What `npm pack` would run as prepare, apart, so that --json prints only the listing.
    npm(ROOT, 'run', 'build');
    const [packed] = JSON.parse(npm(ROOT, 'pack', '--ignore-scripts', '--json', '--pack-destination', work)) as Array<{ filename: string }>;
    project = join(work, 'app');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    npm(project, 'install', join(work, packed!.filename), wtTarball);
    echo = await startGoEcho(['--crypt', 'aes', '--key', 'pkg', '--mtu', '1200']);
    // The e2e echo page, for the relay to serve (--static): same origin as its signaling.
    pageDir = join(work, 'page');
    await bundleEchoPage(pageDir);
  });
  after(() => {
    // npx, the CLI and the helper are three processes: end the whole group.
    if (relay?.pid) try { process.kill(-relay.pid, 'SIGKILL'); } catch { /* already gone */ }
    echo?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the helper package holds a static binary for linux x64 and the licenses of what it is built from, and nothing else', () => {
    const installed = join(project, 'node_modules/@kcp-web/wt-linux-x64');
    const bin = join(installed, 'bin/kcp-web-wt');
    assert.ok(existsSync(bin));
    assert.match(execFileSync('file', [bin], { encoding: 'utf8' }), /ELF 64-bit.*x86-64.*statically linked/);
    // Every module linked into the binary (as Go records them in it) has its license text in LICENSES.md.
    const licenses = readFileSync(join(installed, 'LICENSES.md'), 'utf8');
    const linked = execFileSync('go', ['version', '-m', bin], { encoding: 'utf8' }).split('\n').filter((l) => /^\s+dep\s/.test(l)).map((l) => l.trim().split(/\s+/).slice(1, 3).join(' '));
    assert.ok(linked.length >= 5, `modules linked: ${linked.join(', ')}`);
    for (const m of ['Go (runtime and standard library)', ...linked]) assert.ok(licenses.includes(`## ${m}`), `LICENSES.md names ${m}`);
    assert.deepEqual(readdirSync(installed).sort(), ['LICENSES.md', 'README.md', 'bin', 'package.json']);
    assert.ok(!existsSync(join(project, 'node_modules/kcp-web/webtransport-go/bin')), 'nothing was built from sources in the installed kcp-web');
  });

  it('`npx kcp-web relay` runs the packaged helper, says so at start-up, and offers WebTransport and WebRTC (node-datachannel)', { timeout: 300_000 }, async () => {
    // PATH without Go: the helper must come from the package, not from a build on first use.
    // A cache of its own: the CLI may copy kcp-web there to add werift and ws, and must still find the package.
    const path = (process.env.PATH ?? '').split(':').filter((d) => !existsSync(join(d, 'go'))).join(':');
    relay = spawn('npx', ['--no-install', 'kcp-web', 'relay', '--upstream', echo.address, '--listen', '127.0.0.1:0', '--static', pageDir], { cwd: project, env: { ...process.env, PATH: path, XDG_CACHE_HOME: join(work, 'cache') }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    relay.stderr!.on('data', (d) => (stderr += d));
    const lines: string[] = [];
    const started = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 240_000);
      relay!.once('exit', () => (clearTimeout(t), resolve(false)));
      createInterface({ input: relay!.stdout! }).on('line', (l) => {
        lines.push(l);
        if (/WebTransport: /.test(l)) (clearTimeout(t), resolve(true));
      });
    });
    assert.ok(started, `relay start-up: ${lines.join('\n')}\n${stderr}`);
    const wtLine = lines.find((l) => /WebTransport: /.test(l))!;
    assert.match(wtLine, /WebTransport: quic-go helper \(@kcp-web\/wt-linux-x64\) at https:\/\/127\.0\.0\.1:\d+\/kcp-web\/wt/, lines.join('\n'));
    const url = /relay on (http:\/\/\S+)/.exec(lines.join('\n'))![1]!;
    const config = (await (await fetch(`${url}kcp-web/config`)).json()) as { transports: string[]; webtransport?: { port: number; certificateHashes?: string[] } };
    assert.deepEqual(config.transports, ['webtransport', 'webrtc']);
    assert.equal(config.webtransport?.certificateHashes?.length, 2, 'served and next certificate published');
    // The preferred WebRTC stack: the CLI's cache holds node-datachannel, whose prebuilt loads on linux-x64.
    const rtcLine = lines.find((l) => /WebRTC: /.test(l)) ?? '';
    assert.match(rtcLine, /WebRTC: node-datachannel \(libdatachannel \d/, lines.join('\n'));
    console.log(`# packaged helper: ${wtLine.trim()}`);
    console.log(`# installed relay's WebRTC: ${rtcLine.trim()}`);
    relayUrl = url;
  });

  for (const transport of ['webtransport', 'webrtc'] as const) {
    it(`a Chromium page echoes 1 MiB through the installed relay over ${transport} to kcp-go`, { timeout: 180_000, skip: hasChromium ? false : '/usr/bin/chromium missing' }, async () => {
      assert.ok(relayUrl, 'the relay started');
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const consoleLines: string[] = [];
        page.on('console', (m) => consoleLines.push(m.text()));
        await page.goto(relayUrl);
        await page.waitForFunction(() => typeof (globalThis as { runEcho?: unknown }).runEcho === 'function');
        const bytes = 1 << 20;
        const r = await page.evaluate(
          (c) => (globalThis as unknown as { runEcho(c: object): Promise<{ ok: boolean; kind?: string; received: number; error?: string }> }).runEcho(c),
          { relay: relayUrl, transport, crypt: 'aes', key: 'pkg', fec: true, bytes },
        );
        assert.equal(r.error, undefined, `${r.error} ${consoleLines.join('\n')}`);
        assert.equal(r.kind, transport);
        assert.equal(r.received, bytes);
        assert.ok(r.ok, 'sha256 equal');
      } finally {
        await browser.close();
      }
    });
  }
});
