/** The `kcp-web` CLI: flag errors name the flag and the accepted values. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ROOT } from './helpers/kcppeer.js';

function cli(...args: string[]) {
  return spawnSync(process.execPath, [`${ROOT}bin/kcp-web.js`, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
}

describe('kcp-web CLI', () => {
  it('runs as `npx kcp-web` from the repo root', () => {
    const r = spawnSync('npx', ['--no-install', 'kcp-web', 'echo', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /--listen HOST:PORT/);
    assert.match(r.stdout, /--crypt NAME .*aes, aes-128, aes-192, salsa20, blowfish, twofish, cast5, 3des, tea, xtea, xor, sm4, none, null/);
  });

  const bad: Array<[string[], RegExp]> = [
    [['echo', '--crypt', 'rot13'], /--crypt must be one of aes, aes-128.*null; got "rot13"/],
    [['echo', '--mode', 'turbo'], /--mode must be one of normal, fast, fast2, fast3, manual; got "turbo"/],
    [['echo', '--mtu', '9000'], /--mtu must be an integer from 50 to 1500; got "9000"/],
    [['echo', '--datashard', 'ten'], /--datashard must be an integer/],
    [['echo', '--bogus'], /Unknown option '--bogus'[\s\S]*accepted flags: --listen --crypt/],
    [['echo', '--listen', 'nowhere'], /listen must be HOST:PORT/],
    [['frobnicate'], /unknown command "frobnicate"; accepted: echo/],
  ];
  for (const [args, re] of bad) {
    it(`rejects ${args.join(' ')}`, () => {
      const r = cli(...args);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, re);
    });
  }
});
