/** `kcp-web client` / `kcp-web server` flags: kcptun's names, aliases and defaults; unsupported flags exit 2. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { normalizeArgs, parseTunnelFlags } from '../src/cli/tunnel-flags.js';
import { sessionOptionsFromFlags } from '../src/cli/kcp-flags.js';

async function run(...argv: string[]): Promise<{ code: number; stderr: string }> {
  const orig = console.error;
  let stderr = '';
  console.error = (...a: unknown[]) => void (stderr += a.join(' ') + '\n');
  try {
    return { code: await main(argv), stderr };
  } finally {
    console.error = orig;
  }
}

describe('kcp-web client / server flags', () => {
  it("defaults are kcptun's last release", () => {
    const c = parseTunnelFlags('client', [], '')!;
    const s = parseTunnelFlags('server', [], '')!;
    assert.equal(c.values.localaddr, ':12948');
    assert.equal(c.values.remoteaddr, 'vps:29900');
    assert.equal(s.values.listen, ':29900');
    assert.equal(s.values.target, '127.0.0.1:12948');
    assert.deepEqual([c.values.sndwnd, c.values.rcvwnd, s.values.sndwnd, s.values.rcvwnd], ['128', '512', '1024', '1024']);
    assert.deepEqual([c.closeWait, s.closeWait], [0, 30]);
    for (const f of [c, s]) {
      assert.deepEqual(f.smux, { Version: 2, KeepAliveDisabled: false, KeepAliveInterval: 10_000, KeepAliveTimeout: 30_000, MaxFrameSize: 8192, MaxReceiveBuffer: 4194304, MaxStreamBuffer: 2097152 });
      assert.equal(f.compress, true);
      const o = sessionOptionsFromFlags(f.values);
      assert.deepEqual([o.crypt, o.key, o.mode, o.mtu, o.dataShards, o.parityShards, o.streamMode], ['aes', "it's a secrect", 'fast', 1350, 10, 3, true]);
    }
  });

  it('takes -name as --name, and kcptun short names', () => {
    assert.deepEqual(normalizeArgs(['-l', ':1', '-r', 'h:2', '-ds', '5', '-ps=2', '-mode', 'fast3', '--nocomp'], 'client'), ['--localaddr', ':1', '--remoteaddr', 'h:2', '--datashard', '5', '--parityshard=2', '--mode', 'fast3', '--nocomp']);
    assert.deepEqual(normalizeArgs(['-l', ':1', '-t', 'h:2'], 'server'), ['--listen', ':1', '--target', 'h:2']);
    const f = parseTunnelFlags('server', ['-smuxver', '1', '-streambuf', '65536', '-keepalive', '5', '-nocomp'], '')!;
    assert.equal(f.smux.Version, 1);
    assert.equal(f.smux.MaxStreamBuffer, 65536);
    assert.equal(f.smux.KeepAliveInterval, 5000);
    assert.equal(f.compress, false);
  });

  it('reads kcptun JSON configs (-c), which override the flags', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kcp-web-cfg-')), 'local.json');
    writeFileSync(file, JSON.stringify({ localaddr: '127.0.0.1:1234', remoteaddr: '10.0.0.1:29900', key: 'k', crypt: 'salsa20', mode: 'fast2', nocomp: true, smuxver: 1, sndwnd: 256, qpp: false }));
    const f = parseTunnelFlags('client', ['-c', file, '--crypt', 'aes'], '')!;
    assert.deepEqual([f.values.localaddr, f.values.crypt, f.values.sndwnd, f.compress, f.smux.Version], ['127.0.0.1:1234', 'salsa20', '256', false, 1]);
  });

  it('takes --QPP / --QPPCount and JSON qpp / qpp-count; the count counts only with QPP on', () => {
    assert.equal(parseTunnelFlags('client', [], '')!.qppCount, null);
    assert.equal(parseTunnelFlags('client', ['--QPPCount', '0'], '')!.qppCount, null);
    assert.equal(parseTunnelFlags('client', ['-QPP'], '')!.qppCount, 61);
    assert.equal(parseTunnelFlags('server', ['--QPP', '-QPPCount', '7'], '')!.qppCount, 7);
    const file = join(mkdtempSync(join(tmpdir(), 'kcp-web-cfg-')), 'server.json');
    writeFileSync(file, JSON.stringify({ qpp: true, 'qpp-count': 13 }));
    assert.equal(parseTunnelFlags('server', ['-c', file], '')!.qppCount, 13);
  });

  const bad: Array<[string[], RegExp]> = [
    [['client', '--tcp'], /^kcp-web client: --tcp is not supported \(kcptun's TCP emulation/],
    [['server', '--QPP', '--QPPCount', '0'], /^kcp-web server: --QPPCount must be an integer from 1 to 65535; got "0"/],
    [['client', '--ratelimit', '1000'], /^kcp-web client: --ratelimit is not supported/],
    [['server', '--dscp', '46'], /^kcp-web server: --dscp is not supported/],
    [['client', '--smuxver', '3'], /^kcp-web client: --smuxver must be an integer from 1 to 2; got "3"/],
    [['client', '--keepalive', '60'], /^kcp-web client: --keepalive must be an integer from 1 to 30/],
    [['server', '--streambuf', '8388608'], /^kcp-web server: --streambuf must be an integer from 1 to 4194304; got 8388608/],
    [['client', '--framesize', '70000'], /^kcp-web client: --framesize must be an integer from 1 to 65535/],
    [['client', '--remoteaddr', 'nowhere'], /^kcp-web client: --remoteaddr must be HOST:PORT or HOST:MINPORT-MAXPORT/],
    [['server', '--crypt', 'rot13'], /^kcp-web server: --crypt must be one of/],
    [['client', '--bogus'], /^kcp-web client: Unknown option '--bogus'/],
  ];
  for (const [argv, re] of bad) {
    it(`exits 2 for ${argv.join(' ')}`, async () => {
      const r = await run(...argv);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
    });
  }
});
