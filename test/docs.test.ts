/** The API reference builds from the doc comments with no warning: every public type it links to is itself public or marked internal. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers/kcppeer.js';

describe('API reference (TypeDoc)', () => {
  it('builds with warnings treated as errors', { timeout: 180_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'kcp-web-api-'));
    try {
      const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typedoc/bin/typedoc'), '--out', out, '--treatWarningsAsErrors'], { cwd: ROOT, encoding: 'utf8' });
      const log = `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
      assert.equal(r.status, 0, log);
      assert.doesNotMatch(log, /\[warning\]/, log);
      assert.ok(existsSync(join(out, 'index.html')));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
