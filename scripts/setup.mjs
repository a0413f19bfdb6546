#!/usr/bin/env node
// Installs what the tests need that npm does not provide, only when missing
// (Debian's Chromium, Firefox ESR and kcptun), checks the Go toolchain, then builds the Go peers from
// their modules: the kcp-go peer and the kcptun stand-in in interop/, the relay's WebTransport
// helper. Idempotent; run by `npm test` before the suites.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const log = (m) => console.log(`[setup] ${m}`);

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function aptInstall(packages) {
  if (packages.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${packages.join(' ')} — run: sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`);
  }
  log(`apt-get install ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  // Debian starts a service on install (nginx's default site on port 80); tests start their own, so keep it from starting.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
}

const GO_MIN = [1, 24];

/** The Go toolchain builds the peers from modules pinned in their go.mod (Go module proxy). */
function checkGo() {
  const v = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  const m = /^go(\d+)\.(\d+)/.exec(v.stdout ?? '');
  if (v.status !== 0 || !m) {
    throw new Error(`Go ${GO_MIN.join('.')} or newer is needed to build the kcp-go peers, and no \`go\` is on PATH (install it from go.dev/dl or your distribution)`);
  }
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < GO_MIN[0] || (major === GO_MIN[0] && minor < GO_MIN[1])) {
    throw new Error(`Go ${GO_MIN.join('.')} or newer is needed to build the kcp-go peers; found ${m[0]} (${spawnSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' }).stdout.trim()})`);
  }
}

const missing = [];
// Debian's Chromium for the browser suites (driven by playwright-core; no browser download).
if (!existsSync('/usr/bin/chromium')) missing.push('chromium');
// Debian's Firefox ESR for test/firefox.test.ts (driven by puppeteer-core over WebDriver BiDi).
if (!existsSync('/usr/bin/firefox-esr')) missing.push('firefox-esr');
// Debian's kcptun (kcptun-client / kcptun-server) as the real peer of kcp-web client / server.
if (!has('kcptun-server') || !has('kcptun-client')) missing.push('kcptun');
// nginx with its stream (UDP) module: the load balancer in front of test/fleet.test.ts's relays.
if (!existsSync('/usr/sbin/nginx') || !existsSync('/usr/lib/nginx/modules/ngx_stream_module.so')) missing.push('nginx', 'libnginx-mod-stream');
aptInstall(missing);
checkGo();

/**
 * Builds a Go module (its pinned dependencies through the Go module proxy)
 * when its binary is missing or older than any of its sources. `modfile`
 * selects an alternate go.mod (and its .sum) beside the default one; `tags`
 * picks the files written for that version's API.
 */
function goBuild(dir, bin, what, { modfile, tags } = {}) {
  const src = join(root, dir);
  const out = join(root, bin);
  const inputs = readdirSync(src).filter((f) => f.endsWith('.go') || f.endsWith('.mod') || f.endsWith('.sum'));
  const newest = Math.max(...inputs.map((f) => statSync(join(src, f)).mtimeMs));
  if (existsSync(out) && statSync(out).mtimeMs >= newest) return;
  log(`building ${bin} (${what})`);
  const args = ['build', '-o', out];
  if (modfile) args.push(`-modfile=${modfile}`);
  if (tags) args.push(`-tags=${tags}`);
  execFileSync('go', [...args, '.'], { cwd: src, stdio: 'inherit' });
}

// kcp-go as the reference: the newest v5 (go.mod) and v5.6.1 for old
// deployments (Debian's kcptun era), from one source tree.
goBuild('interop/kcppeer', 'interop/bin/kcppeer', 'kcp-go peer, go.mod');
goBuild('interop/kcppeer', 'interop/bin/kcppeer-v5.6.1', 'kcp-go peer, go-v5.6.1.mod', { modfile: 'go-v5.6.1.mod', tags: 'kcpgo561' });
// kcptun's last release (aes-128-gcm, smux v2 defaults, QPP) rebuilt from its modules.
goBuild('interop/kcptun2026', 'interop/bin/kcptun2026', 'kcptun 2026 stand-in, go.mod');
goBuild('webtransport-go', 'webtransport-go/bin/kcp-web-wt', 'the relay WebTransport ingress');
log('ready: interop/bin/kcppeer, interop/bin/kcppeer-v5.6.1, interop/bin/kcptun2026, webtransport-go/bin/kcp-web-wt');
