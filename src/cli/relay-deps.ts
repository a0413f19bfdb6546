/**
 * `npx kcp-web relay` stays one command although the relay's WebRTC and
 * WebSocket servers (werift, ws) are optional peers that a browser install
 * does not carry: when they are missing, the relay installs them once, next
 * to a copy of this package in the user's cache, and runs from there. The
 * cache also gets node-datachannel, the preferred WebRTC stack, where its
 * prebuilt binary installs; where it does not, werift answers. The copy is
 * renewed whenever this package's files change (a reinstall of the same
 * version included); the installed dependencies are kept.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPTIONAL_PEERS } from '../adapter/node/optional.js';
import { HELPER_BINARY_ENV, packagedHelper } from '../relay/webtransport/go.js';

const RUNNING_FROM_CACHE = 'KCP_WEB_RELAY_FROM_CACHE';
/** Installed into the cache when it can be, never required. */
const PREFERRED = 'node-datachannel';
/** What the cache was filled with: a cache from an older list is filled again. */
const MARKER = 'kcp-web-relay-deps.json';
/** The parts of this package the relay runs, copied into the cache, and what the copy was taken from. */
const CODE = ['bin', 'dist', 'webtransport-go'];
const CODE_MARKER = 'kcp-web-relay-code.txt';

/** Every file of CODE under `root` by path, size and modification time: another install of the package, even of the same version, reads differently. */
function codeFingerprint(root: string): string {
  const h = createHash('sha256');
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = join(rel, e.name);
      if (e.isDirectory()) walk(path);
      else {
        const s = statSync(join(root, path));
        h.update(`${path}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  for (const part of CODE) if (existsSync(join(root, part))) walk(part);
  return h.digest('hex');
}

function resolvable(name: string): boolean {
  try {
    import.meta.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Null when werift and ws load here; else the exit code of the relay run
 * from the cache with them installed.
 */
export async function relayFromCache(args: string[]): Promise<number | null> {
  if (OPTIONAL_PEERS.every(resolvable)) return null;
  if (process.env[RUNNING_FROM_CACHE]) throw new Error(`${OPTIONAL_PEERS.join(' and ')} are still missing after installing them into the cache`);
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string>; peerDependencies: Record<string, string> };
  const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kcp-web', `relay-${pkg.version}`);
  // The package's own dependencies too: the copy has no node_modules of its own.
  const specs = [...OPTIONAL_PEERS.map((n) => `${n}@${pkg.peerDependencies[n] ?? 'latest'}`), ...Object.entries(pkg.dependencies ?? {}).map(([n, r]) => `${n}@${r}`)];
  const preferred = `${PREFERRED}@${pkg.peerDependencies[PREFERRED] ?? 'latest'}`;
  const wanted = JSON.stringify([...specs, preferred]);
  const marker = join(cache, MARKER);
  const ready = OPTIONAL_PEERS.every((n) => existsSync(join(cache, 'node_modules', n, 'package.json'))) && existsSync(marker) && readFileSync(marker, 'utf8') === wanted;
  if (!ready) {
    console.error(`kcp-web relay: installing its servers' dependencies (${[...OPTIONAL_PEERS, PREFERRED].join(', ')}) once, into ${cache}`);
    rmSync(cache, { recursive: true, force: true });
    mkdirSync(cache, { recursive: true });
    writeManifest(root, cache);
    const install = (list: string[]) => spawnSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', ...list], { cwd: cache, stdio: ['ignore', 'ignore', 'inherit'] }).status;
    // node-datachannel's binary comes in a per-platform package: where there is none, install without it.
    if (install([...specs, preferred]) !== 0) {
      console.error(`kcp-web relay: ${preferred} did not install; WebRTC falls back to werift`);
      const status = install(specs);
      if (status !== 0) throw new Error(`npm install ${specs.join(' ')} failed in ${cache} (exit ${status}); install them next to kcp-web instead`);
    }
    writeFileSync(marker, wanted);
  }
  const fingerprint = codeFingerprint(root);
  const codeMarker = join(cache, CODE_MARKER);
  if (!existsSync(codeMarker) || readFileSync(codeMarker, 'utf8') !== fingerprint) {
    for (const part of CODE) {
      rmSync(join(cache, part), { recursive: true, force: true });
      if (existsSync(join(root, part))) cpSync(join(root, part), join(cache, part), { recursive: true });
    }
    writeManifest(root, cache);
    writeFileSync(codeMarker, fingerprint);
  }
  // The prebuilt WebTransport helper is installed next to this copy, not the cache's: say where.
  const helper = packagedHelper();
  const env = { ...process.env, [RUNNING_FROM_CACHE]: '1', ...(helper && !process.env[HELPER_BINARY_ENV] ? { [HELPER_BINARY_ENV]: helper } : {}) };
  const child = spawn(process.execPath, [join(cache, 'bin', 'kcp-web.js'), 'relay', ...args], { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

/** The cache's package.json: only what running needs (the package's own dependency lists would make npm install, or omit, the wrong things). */
function writeManifest(root: string, cache: string): void {
  const { name, version, type, exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(cache, 'package.json'), JSON.stringify({ name, version, type, exports, private: true }));
}
