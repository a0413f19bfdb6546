/**
 * The `kcp-web` CLI: one error style (`kcp-web <command>: --flag …`, exit 2
 * for usage), every flag in its command's help, values range-checked.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ROOT } from './helpers/kcppeer.js';

function cli(...args: string[]) {
  return spawnSync(process.execPath, [`${ROOT}bin/kcp-web.js`, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
}

describe('kcp-web CLI', () => {
  it('runs as `npx kcp-web` from the repo root', () => {
    const r = spawnSync('npx', ['--no-install', 'kcp-web', 'echo', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /--listen HOST:PORT/);
    assert.match(r.stdout, /--crypt NAME .*aes, aes-128, aes-192, salsa20, blowfish, twofish, cast5, 3des, tea, xtea, xor, sm4, (aes-128-gcm, )?none, null/);
  });

  it('--version prints the package version', () => {
    const r = cli('--version');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version);
  });

  it('each command\'s help names every flag it accepts, and echo says it runs in stream mode', () => {
    for (const command of ['echo', 'relay']) {
      const help = cli(command, '--help').stdout;
      const accepted = /accepted flags: (.*)/.exec(cli(command, '--no-such-flag').stderr)![1]!.split(' ').filter((f) => f !== '--help');
      for (const flag of accepted) assert.match(help, new RegExp(`${flag}\\b`), `${command} --help omits ${flag}`);
    }
    assert.match(cli('echo', '--help').stdout, /stream mode/);
    assert.match(cli('relay', '--help').stdout, /WebTransport/);
  });

  const bad: Array<[string[], RegExp]> = [
    [['echo', '--crypt', 'rot13'], /^kcp-web echo: --crypt must be one of aes, aes-128.*null; got "rot13"/],
    [['echo', '--mode', 'turbo'], /^kcp-web echo: --mode must be one of normal, fast, fast2, fast3, manual; got "turbo"/],
    [['echo', '--mtu', '9000'], /^kcp-web echo: --mtu must be an integer from 50 to 1500; got "9000"/],
    [['echo', '--datashard', 'ten'], /^kcp-web echo: --datashard must be an integer/],
    [['echo', '--bogus'], /^kcp-web echo: Unknown option '--bogus'[\s\S]*accepted flags: --listen --crypt/],
    [['echo', '--listen', 'nowhere'], /^kcp-web echo: --listen must be HOST:PORT/],
    [['echo', '--listen', '127.0.0.1:70000'], /^kcp-web echo: --listen port must be from 0 to 65535; got 70000/],
    [['relay'], /^kcp-web relay: --upstream HOST:PORT is required/],
    [['relay', '--upstream', '127.0.0.1:99999'], /^kcp-web relay: --upstream port must be from 0 to 65535; got 99999/],
    [['relay', '--upstream', '127.0.0.1:0'], /^kcp-web relay: --upstream must name a port from 1 to 65535/],
    [['relay', '--upstream', '127.0.0.1:29900', '--static', '/nonexistent-kcp-web'], /^kcp-web relay: --static must name a directory/],
    [['relay', '--upstream', '127.0.0.1:29900', '--loss', '1.5'], /^kcp-web relay: --loss must be a fraction/],
    [['relay', '--upstream', '127.0.0.1:29900', '--idle-timeout', '10'], /^kcp-web relay: --idle-timeout must be an integer ≥ 1000/],
    [['relay', '--upstream', '127.0.0.1:29900', '--resume-ttl', '5s'], /^kcp-web relay: --resume-ttl must be an integer ≥ 10000/],
    [['relay', '--upstream', '127.0.0.1:29900', '--public-webtransport', 'relay2.example.net'], /^kcp-web relay: --public-webtransport must be HOST:PORT/],
    [['relay', '--upstream', '127.0.0.1:29900', '--public-webtransport', 'relay2.example.net:0'], /^kcp-web relay: --public-webtransport must name a port from 1 to 65535/],
    [['relay', '--upstream', '127.0.0.1:29900', '--trust-proxy', '10.0.0.0/33'], /^kcp-web relay: --trust-proxy: the prefix length must be 0 to 32; expected an address or CIDR/],
    [['relay', '--upstream', '127.0.0.1:29900', '--trust-proxy', '10.0.0.2', '--trust-proxy', 'nginx'], /^kcp-web relay: --trust-proxy: "nginx" is not an IP address/],
    [['ticket', 'mint'], /^kcp-web ticket: mint: --key SECRET is required/],
    [['frobnicate'], /^kcp-web: unknown command "frobnicate"; accepted: echo/],
    [['demo'], /^kcp-web: unknown command "demo" \(the demo runs from a clone of the repository: npm start\)/],
    [[], /^Usage: kcp-web <command>/],
  ];
  for (const [args, re] of bad) {
    it(`rejects ${args.join(' ') || '(no command)'} with exit 2`, () => {
      const r = cli(...args);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, re);
    });
  }
});
