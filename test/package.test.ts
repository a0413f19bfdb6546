/**
 * The package as a user installs it: `npm pack`, the tarball installed into
 * a fresh project (no peers: a browser-only install), every ```ts block of
 * the README typechecked there as it stands (strict, nodenext, DOM lib, no
 * skipLibCheck), the `node` blocks run against the real kcp-go, and the
 * install's footprint and a lite + aes page's bundle size printed.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { ROOT, hasKcpPeer, startGoEcho, type ServerProcess } from './helpers/kcppeer.js';

/** The figures the package issue started from: 58 MB installed, 21.5 kB gzip for a lite + aes page. */
const BEFORE = { installMB: 58, pageGzipKB: 21.5 };

interface Block {
  line: number;
  kind: 'node' | 'browser' | 'playwright';
  code: string;
}

function readmeBlocks(): Block[] {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks: Block[] = [];
  for (const m of text.matchAll(/^```ts(?: (\w+))?\n([\s\S]*?)^```$/gm)) {
    const kind = m[1];
    // `ts playwright` blocks are Playwright specs: test/testing.test.ts runs them in a project with @playwright/test.
    assert.ok(kind === 'node' || kind === 'browser' || kind === 'playwright', `README block at offset ${m.index}: say where it runs: \`\`\`ts node, \`\`\`ts browser or \`\`\`ts playwright`);
    if (kind === 'playwright') continue;
    blocks.push({ line: text.slice(0, m.index).split('\n').length, kind, code: m[2]! });
  }
  return blocks;
}

function du(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += du(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

const npm = (cwd: string, ...args: string[]) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const devVersion = (name: string): string => (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies[name]!;

describe('the packed package, installed into a fresh project', { timeout: 600_000 }, () => {
  let work: string;
  let project: string;
  let tarball: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'kcp-web-pkg-'));
    // What `npm pack` would run as prepare, apart, so that --json prints only the listing.
    npm(ROOT, 'run', 'build');
    const packed = JSON.parse(npm(ROOT, 'pack', '--ignore-scripts', '--json', '--pack-destination', work)) as Array<{ filename: string }>;
    tarball = join(work, packed[0]!.filename);
    project = join(work, 'app');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    npm(project, 'install', tarball);
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('carries what the relay and the CLI need, and no sources or maps', () => {
    const pkg = join(project, 'node_modules/kcp-web');
    for (const f of ['LICENSE', 'README.md', 'bin/kcp-web.js', 'dist/index.node.d.ts', 'dist/relay/index.js', 'webtransport-go/main.go', 'webtransport-go/go.mod', 'webtransport-go/go.sum']) {
      assert.ok(statSync(join(pkg, f)).isFile(), `${f} is in the package`);
    }
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
    assert.doesNotMatch(listing, /\.map\n|package\/src\/|package\/demo\/|dist-demo/);
    const meta = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const field of ['license', 'repository', 'homepage', 'bugs', 'engines']) assert.ok(meta[field], `package.json has ${field}`);
  });

  it('a browser-only install pulls no Node servers; footprint and page size printed', async () => {
    const modules = readdirSync(join(project, 'node_modules')).filter((n) => !n.startsWith('.'));
    for (const server of ['werift', 'ws', 'mediabunny', '@fails-components', '@peculiar']) assert.ok(!modules.includes(server), `${server} installed: ${modules.join(' ')}`);
    const installMB = du(join(project, 'node_modules')) / 1e6;
    writeFileSync(join(project, 'index.html'), '<script type="module" src="./page.ts"></script>');
    writeFileSync(join(project, 'page.ts'), "import { connect, dial } from 'kcp-web/lite';\nimport { aes } from 'kcp-web/ciphers';\nconst { transport } = await connect(location.href);\ndial(transport, { crypt: aes, key: 'k' }).send(new Uint8Array(1));\n");
    await build({ root: project, configFile: false, logLevel: 'silent', build: { outDir: join(project, 'out'), target: 'es2022' } });
    const js = readdirSync(join(project, 'out/assets')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(project, 'out/assets', f)));
    const gzipKB = js.reduce((n, b) => n + gzipSync(b).length, 0) / 1000;
    console.log(`browser-only install: ${installMB.toFixed(2)} MB (was ${BEFORE.installMB} MB); lite + aes page: ${gzipKB.toFixed(1)} kB gzip (was ${BEFORE.pageGzipKB} kB)`);
    assert.ok(installMB < 5, `${installMB} MB installed`);
  });

  it("kcp-web/worker bundles its session worker as a chunk of its own (Vite, from the installed package)", async () => {
    const app = join(project, 'worker-app');
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'index.html'), '<script type="module" src="./page.ts"></script>');
    writeFileSync(join(app, 'page.ts'), "import { connectInWorker } from 'kcp-web/worker';\nconst s = await connectInWorker(location.href, { crypt: 'aes', key: 'k' });\ns.send(new Uint8Array(1));\n");
    await build({ root: app, configFile: false, logLevel: 'silent', build: { outDir: join(app, 'out'), target: 'es2022' } });
    const assets = readdirSync(join(app, 'out/assets'));
    const worker = assets.find((f) => /^session-worker.*\.js$/.test(f));
    assert.ok(worker, `a session-worker chunk among ${assets.join(' ')}`);
    const page = assets.filter((f) => f.endsWith('.js') && f !== worker).reduce((n, f) => n + gzipSync(readFileSync(join(app, 'out/assets', f))).length, 0) / 1000;
    const inWorker = gzipSync(readFileSync(join(app, 'out/assets', worker))).length / 1000;
    console.log(`kcp-web/worker page: ${page.toFixed(1)} kB gzip on the page, ${inWorker.toFixed(1)} kB gzip in the worker`);
  });

  describe('every README example', () => {
    let go: ServerProcess | undefined;
    before(() => {
      // The compiler and Node's types, as a TypeScript user would have them.
      npm(project, 'install', `typescript@${devVersion('typescript')}`, `@types/node@${devVersion('@types/node')}`);
    });
    after(() => go?.stop());

    const blocks = readmeBlocks();
    it('the README has examples to check', () => assert.ok(blocks.length >= 3));
    for (const [i, block] of blocks.entries()) {
      // Every block as a Node project sees it (nodenext: the "node" condition); a browser block also as a page's bundler does.
      const setups = [
        { name: 'nodenext', module: 'nodenext', moduleResolution: 'nodenext', types: ['node'] },
        ...(block.kind === 'browser' ? [{ name: 'bundler', module: 'esnext', moduleResolution: 'bundler', types: [] }] : []),
      ];
      for (const { name, ...resolution } of setups) {
        it(`README line ${block.line} (${block.kind}) typechecks as it stands (${name}, strict, DOM lib, no skipLibCheck)`, () => {
          const dir = join(project, `example-${i}-${name}`);
          mkdirSync(dir, { recursive: true });
          writeFileSync(join(dir, 'example.ts'), block.code);
          const compilerOptions = { strict: true, target: 'es2022', lib: ['ES2022', 'DOM'], ...resolution, noEmit: block.kind !== 'node', outDir: '.', skipLibCheck: false };
          writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['example.ts'] }));
          const r = spawnSync(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: project, encoding: 'utf8' });
          assert.equal(r.status, 0, `README line ${block.line}:\n${r.stdout}${r.stderr}`);
        });
      }
      if (block.kind !== 'node') continue;
      it(`README line ${block.line} runs against kcp-go`, { skip: hasKcpPeer ? false : 'interop/bin/kcppeer missing' }, async () => {
        go ??= await startGoEcho(['--crypt', 'aes', '--key', 'secret', '--mode', 'fast', '--datashard', '10', '--parityshard', '3', '--sndwnd', '1024', '--rcvwnd', '1024']);
        const t0 = Date.now();
        const r = spawnSync(process.execPath, [join(project, `example-${i}-nodenext`, 'example.js')], { cwd: project, encoding: 'utf8', timeout: 30_000, env: { ...process.env, KCP_SERVER: go.address } });
        assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
        console.log(`README line ${block.line}: ${r.stdout.trim()}; the process exited ${Date.now() - t0} ms after start`);
      });
    }
  });

  it('npx kcp-web --version and a usage error from the install', () => {
    const v = spawnSync('npx', ['--no-install', 'kcp-web', '--version'], { cwd: project, encoding: 'utf8' });
    assert.equal(v.stdout.trim(), (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version, v.stderr);
    const bad = spawnSync('npx', ['--no-install', 'kcp-web', 'relay', '--upstream', '127.0.0.1:99999'], { cwd: project, encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^kcp-web relay: --upstream port must be from 0 to 65535/m);
  });

  /** What `npx kcp-web relay` from the install prints until it has started (its cache in the test's directory); the relay is stopped then. */
  async function installedRelayStart(): Promise<string> {
    const child = spawn('npx', ['--no-install', 'kcp-web', 'relay', '--upstream', '127.0.0.1:29900', '--listen', '127.0.0.1:0', '--webtransport', 'off'], {
      cwd: project,
      env: { ...process.env, XDG_CACHE_HOME: join(work, 'cache') },
      detached: true,
    });
    let out = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const seen = (d: Buffer) => {
          out += d;
          if (/kcp-web relay on http:[\s\S]*WebTransport: /.test(out)) resolve();
        };
        child.stdout.on('data', seen);
        child.stderr.on('data', seen);
        child.on('exit', (code) => reject(new Error(`relay exited ${code}: ${out}`)));
      });
      return out;
    } finally {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
  }

  it('npx kcp-web relay from the install fetches its servers (werift, ws, node-datachannel) once and starts with node-datachannel', { timeout: 300_000 }, async () => {
    const out = await installedRelayStart();
    assert.match(out, /installing its servers' dependencies \(werift, ws, node-datachannel\) once/);
    // The preferred stack: its prebuilt installs and loads on this platform.
    assert.match(out, /WebRTC: node-datachannel \(libdatachannel/);
  });

  it('a reinstall of the same version is what npx kcp-web relay runs: the cached copy of its code is renewed, its servers are not installed again', { timeout: 300_000 }, async () => {
    // As a new install of the same version would: a file of the package changes.
    const file = join(project, 'node_modules/kcp-web/dist/relay/index.js');
    const line = `\n// reinstalled ${Date.now()}\n`;
    writeFileSync(file, readFileSync(file, 'utf8') + line);
    const out = await installedRelayStart();
    assert.doesNotMatch(out, /installing its servers' dependencies/);
    const cached = join(work, 'cache/kcp-web', `relay-${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}`, 'dist/relay/index.js');
    assert.ok(readFileSync(cached, 'utf8').endsWith(line), 'the relay ran the reinstalled code');
  });
});
