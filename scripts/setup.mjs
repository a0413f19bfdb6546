#!/usr/bin/env node
// Installs what the tests need that npm does not provide, only when missing:
// Debian's Go toolchain, kcp-go 5.6.1 source (the real peer) and Chromium, then builds
// the Go peer in interop/. Idempotent; run by `npm test` before the suites.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const GOCODE = '/usr/share/gocode';
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
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
}

const missing = [];
if (!has('go')) missing.push('golang-go');
if (!existsSync(`${GOCODE}/src/github.com/xtaci/kcp-go/kcp.go`)) missing.push('golang-github-xtaci-kcp-dev');
// quic-go 0.29 for the relay's HTTP/3 WebTransport ingress (webtransport-go/).
if (!existsSync(`${GOCODE}/src/github.com/lucas-clemente/quic-go/http3/server.go`)) missing.push('golang-github-lucas-clemente-quic-go-dev');
// Debian's Chromium for the browser suites (driven by playwright-core; no browser download).
if (!existsSync('/usr/bin/chromium')) missing.push('chromium');
aptInstall(missing);

/** Builds a Go program in GOPATH mode against Debian's sources (offline) when it is missing or stale. */
function goBuild(dir, bin, what) {
  const src = `${root}${dir}`;
  const out = `${root}${bin}`;
  const newest = Math.max(...readdirSync(src).filter((f) => f.endsWith(".go")).map((f) => statSync(`${src}/${f}`).mtimeMs));
  if (existsSync(out) && statSync(out).mtimeMs >= newest) return;
  log(`building ${bin} (${what}) against Debian's Go sources, offline`);
  execFileSync('go', ['build', '-o', out, `./${dir}`], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, GO111MODULE: 'off', GOPATH: GOCODE, GOPROXY: 'off' },
  });
}

goBuild('interop/kcppeer', 'interop/bin/kcppeer', 'the kcp-go peer');
goBuild('webtransport-go', 'webtransport-go/bin/kcp-web-wt', 'the relay WebTransport ingress');
log('ready: interop/bin/kcppeer, webtransport-go/bin/kcp-web-wt');
