/**
 * WebTransport servers and clients beyond the browser: the relay's choice of
 * HTTP/3 server (@fails-components/webtransport in Node when its binding is
 * installed, else the quic-go helper), the certificate the Node server makes,
 * and Node's connect() — WebTransport through @fails-components when it can,
 * else WebRTC through werift — against the real kcp-go echo server.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect, dial } from '../src/index.node.js';
import { startRelay, type Relay } from '../src/relay/index.js';
import { certificateFromPem, selfSignedCertificate } from '../src/relay/certificate.js';
import { loadFailsWebTransport } from '../src/adapter/node/webtransport.js';
import { HELPER_BINARY } from '../src/relay/webtransport/go.js';
import { hasKcpPeer, startGoEcho, type ServerProcess } from './helpers/kcppeer.js';
import { echoChecked } from './helpers/echo.js';

const fails = await loadFailsWebTransport();
const failsMissing = 'reason' in fails ? `@fails-components/webtransport unusable here: ${fails.reason}` : false;
const SESSION = { crypt: 'aes', key: 'wt', mode: 'fast', streamMode: true, mtu: 1200, sndwnd: 256, rcvwnd: 256 } as const;

describe('the Node WebTransport server certificate', () => {
  it('is ECDSA P-256, valid at most 14 days, for the relay host, pinned by its SHA-256', async () => {
    const c = await selfSignedCertificate(['127.0.0.1', 'localhost']);
    const x = new X509Certificate(c.certPem);
    assert.equal(x.publicKey.asymmetricKeyType, 'ec');
    assert.equal(x.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    const days = (Date.parse(x.validTo) - Date.parse(x.validFrom)) / 86_400_000;
    assert.ok(days > 1 && days <= 14, `valid ${days} days`);
    assert.match(x.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.match(x.subjectAltName ?? '', /DNS:localhost/);
    assert.equal(c.sha256, x.fingerprint256.replaceAll(':', '').toLowerCase());
    assert.equal(c.pinnableHash, c.sha256);
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const [a, b] = await Promise.all([selfSignedCertificate(['127.0.0.1']), selfSignedCertificate(['127.0.0.1'])]);
    assert.throws(() => certificateFromPem(a.certPem, b.keyPem), /does not belong to the certificate/);
  });
});

describe('the relay says which WebTransport server carries it', () => {
  it("'node' without a usable @fails-components binding: off, with the reason", { skip: failsMissing ? false : 'the binding is installed here: the e2e cases run through it instead' }, async () => {
    const relay = await startRelay({ upstream: '127.0.0.1:9', listen: '127.0.0.1:0', webtransportServer: 'node' });
    try {
      assert.match(relay.webtransport, /^off \(@fails-components\/webtransport: .*(not installed|failed to load)/);
      const config = (await (await fetch(`${relay.url}kcp-web/config`)).json()) as { transports: string[] };
      assert.deepEqual(config.transports, ['webrtc']);
    } finally {
      await relay.close();
    }
  });

  it("'auto' names the server it started, and why it passed over the other", { skip: existsSync(HELPER_BINARY) || !failsMissing ? false : `no WebTransport server here: ${HELPER_BINARY} not built` }, async () => {
    const relay = await startRelay({ upstream: '127.0.0.1:9', listen: '127.0.0.1:0' });
    try {
      if (failsMissing) assert.match(relay.webtransport, /^quic-go helper .* at https:\/\/127\.0\.0\.1:\d+\/kcp-web\/wt \(@fails-components\/webtransport not used: /);
      else assert.match(relay.webtransport, /^@fails-components\/webtransport \(HTTP\/3 in Node\) at https:/);
    } finally {
      await relay.close();
    }
  });
});

describe('Node connect() → relay → kcp-go', { skip: hasKcpPeer ? false : 'interop/bin/kcppeer missing: run `node scripts/setup.mjs`' }, () => {
  let go: ServerProcess;
  let relay: Relay;
  before(async () => {
    go = await startGoEcho(['--crypt', 'aes', '--key', 'wt', '--datashard', '0', '--parityshard', '0', '--mtu', '1200']);
    relay = await startRelay({ upstream: go.address, listen: '127.0.0.1:0' });
  });
  after(async () => {
    await relay?.close();
    go?.stop();
  });

  it('takes the best transport Node has, says why it skipped the others, and echoes 256 KiB', { timeout: 60_000 }, async () => {
    const c = await connect(relay.url);
    const session = dial(c.transport, SESSION);
    try {
      if (failsMissing) {
        assert.equal(c.kind, 'webrtc');
        assert.match(c.fallbacks.join('\n'), /^webtransport: no WebTransport in Node: .*not installed/m);
      } else {
        assert.equal(c.kind, 'webtransport');
      }
      assert.ok(await echoChecked(session, 256 << 10), 'sha256 equal');
    } finally {
      session.close();
    }
  });

  it('asked for WebTransport only, rejects with what to install', { skip: failsMissing ? false : 'the binding is installed here: the next case runs instead' }, async () => {
    await assert.rejects(connect(relay.url, { transports: ['webtransport'] }), /could not connect to the kcp-web relay .*no WebTransport in Node: .*@fails-components\/webtransport-transport-http3-quiche/);
  });

  it('WebTransport client in Node (@fails-components) echoes 1 MiB through the relay', { timeout: 60_000, skip: failsMissing }, async () => {
    const c = await connect(relay.url, { transports: ['webtransport'] });
    const session = dial(c.transport, SESSION);
    try {
      assert.ok(await echoChecked(session, 1 << 20), 'sha256 equal');
    } finally {
      session.close();
    }
  });
});
