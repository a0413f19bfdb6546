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

  it('the package exports resolve for Node', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', `import * as k from 'kcp-web'; console.log(typeof k.dialUdp, typeof k.dial, typeof k.listen)`], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(out.trim(), 'function function function');
  });
});
