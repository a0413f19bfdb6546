/**
 * Build guarantees: strict types, a pure core, and a browser bundle with no
 * Node built-ins (the guard in vite.config.ts is itself tested).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ROOT } from './helpers/kcppeer.js';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('build', () => {
  it('typechecks under strict TypeScript', { timeout: 120_000 }, () => {
    for (const project of ['tsconfig.json', 'test/browser/tsconfig.json', 'e2e/tsconfig.json', 'bench/page/tsconfig.json', 'demo/tsconfig.json']) {
      const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project, '--noEmit'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(r.status, 0, `${project}: ${r.stdout}${r.stderr}`);
    }
  });

  it('src/core uses no Node or DOM API', () => {
    const forbidden = /from ['"]node:|\brequire\(|\b(Buffer|process|__dirname|window|document|TextEncoder|TextDecoder|navigator)\b/;
    for (const f of tsFiles(join(ROOT, 'src/core'))) {
      const code = readFileSync(f, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      const m = forbidden.exec(code);
      assert.equal(m, null, `${f} uses ${m?.[0]}`);
    }
  });

  it('the browser bundle (vite build of src/index.ts) has no Node built-ins', () => {
    const bundle = join(ROOT, 'dist-browser/kcp-web.js');
    assert.ok(existsSync(bundle), 'npm run build produced dist-browser/kcp-web.js');
    const code = readFileSync(bundle, 'utf8');
    assert.doesNotMatch(code, /from ["']node:|require\(["']/);
  });

  it('the bundle guard fails a build that pulls in a Node built-in', { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'kcp-web-guard-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, `import { createHash } from 'node:crypto';\nexport const h = createHash;\n`);
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', join(dir, 'out')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, KCP_WEB_BUNDLE_ENTRY: entry },
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /must not import Node built-in "node:crypto"/);
  });

  it('a page on kcp-web/lite bundles only the ciphers it imports', { timeout: 120_000 }, async () => {
    const { build } = await import('vite');
    const classes = ['AesBlock', 'Salsa20Block', 'BlowfishBlock', 'TwofishBlock', 'Cast5Block', 'TripleDesBlock', 'TeaBlock', 'XteaBlock', 'Sm4Block', 'SimpleXorBlock', 'AesGcmBlock', 'NoneBlock'];
    const bundle = async (name: string, code: string): Promise<string> => {
      const dir = mkdtempSync(join(tmpdir(), 'kcp-web-shake-'));
      writeFileSync(join(dir, 'index.html'), '<script type="module" src="./main.ts"></script>');
      writeFileSync(join(dir, 'main.ts'), code);
      await build({ root: dir, configFile: false, logLevel: 'silent', build: { outDir: join(dir, 'out'), minify: false, target: 'es2022' } });
      const js = readdirSync(join(dir, 'out/assets')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dir, 'out/assets', f), 'utf8')).join('\n');
      console.log(`${name}: ${(js.length / 1024).toFixed(1)} KiB unminified`);
      return js;
    };
    const declared = (js: string) => classes.filter((c) => new RegExp(`\\b${c} = class\\b`).test(js));
    const src = join(ROOT, 'src');
    const lite = await bundle('kcp-web/lite + aes', `import { dial } from '${src}/lite.ts';\nimport { aes } from '${src}/core/crypt/ciphers.ts';\nObject.assign(globalThis, { go: (t: never) => dial(t, { crypt: aes, key: 'k' }) });\n`);
    assert.deepEqual(declared(lite), ['AesBlock']);
    const liteGcm = await bundle('kcp-web/lite + aes128gcm', `import { dial } from '${src}/lite.ts';\nimport { aes128gcm } from '${src}/core/crypt/ciphers.ts';\nObject.assign(globalThis, { go: (t: never) => dial(t, { crypt: aes128gcm, key: 'k' }) });\n`);
    assert.deepEqual(declared(liteGcm), ['AesGcmBlock'], 'AES-GCM shares the AES key schedule and rounds, not the CFB cipher');
    // The check can fail: the default entry, which takes names, carries every cipher.
    const full = await bundle('kcp-web', `import { dial } from '${src}/index.ts';\nObject.assign(globalThis, { go: (t: never) => dial(t, { crypt: 'aes', key: 'k' }) });\n`);
    assert.deepEqual(declared(full), classes);
  });

  it('kcp-web/lite refuses a cipher name and says what to import instead', async () => {
    const { dial } = await import('../src/lite.js');
    const transport = { mtu: 1400, send() {}, receive() {}, close() {} };
    assert.throws(() => dial(transport, { crypt: 'salsa20', key: 'k' }), /crypt.*import \{ salsa20 \} from 'kcp-web\/ciphers'/s);
    assert.throws(() => dial(transport, { crypt: '3des', key: 'k' }), /tripleDes/);
    assert.throws(() => dial(transport, { crypt: 'aes-128-gcm', key: 'k' }), /import \{ aes128gcm \}/);
    dial(transport, { crypt: 'null' }).close();
  });

  it('the package exports resolve for Node', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', `import * as k from 'kcp-web'; import * as l from 'kcp-web/lite'; import { aes } from 'kcp-web/ciphers'; console.log(typeof k.dialUdp, typeof k.dial, typeof k.listen, typeof l.dial, aes.name)`], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(out.trim(), 'function function function function aes');
  });
});
