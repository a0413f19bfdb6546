/**
 * kcp-web/testing's fixtures on their quick-start path: no upstream given,
 * so the relay fronts an in-process kcp-web echo; admission by token, the
 * package's browser build in kcpPage, netem changed at run time, and the
 * relay's, the echo's and the page session's counters read back.
 */
import { test, expect, sessionStats } from '../src/testing/index.js';
import type * as KcpWeb from '../src/index.js';

const settings = { crypt: 'salsa20', key: 'quick', dataShards: 4, parityShards: 2, streamMode: true, mode: 'fast' } as const;
test.use({ kcpRelayOptions: { echo: settings, admission: 'token' } });

test('quick start: page → relay → in-process kcp-web echo, counters on every side', async ({ kcpPage, kcpRelay }) => {
  expect(kcpRelay.echo).not.toBeNull();
  expect(kcpRelay.connectOptions().token).toBeTruthy();
  expect(await kcpRelay.netem({ delay: 20 })).toEqual({ loss: 0, delay: 20 });
  const session = await kcpPage.evaluateHandle(async ({ url, options, settings }) => {
    const { connect, dial } = (globalThis as unknown as { kcpWeb: typeof KcpWeb }).kcpWeb;
    const { transport } = await connect(url, options);
    return dial(transport, settings);
  }, { url: kcpRelay.url, options: kcpRelay.connectOptions(), settings });
  const got = await session.evaluate(async (s) => {
    await s.write(new TextEncoder().encode('hello kcp'));
    let text = '';
    while (text.length < 9) text += new TextDecoder().decode((await s.read()) ?? new Uint8Array());
    return text;
  });
  expect(got).toBe('hello kcp');
  const page = await sessionStats(session);
  expect(page.BytesSent).toBe(9);
  expect(page.srtt).toBeGreaterThanOrEqual(20);
  expect(kcpRelay.stats().sessionsOpened).toBe(1);
  expect(kcpRelay.echo!.stats().BytesReceived).toBe(9);
  expect(kcpRelay.log.join('\n')).toMatch(/netem loss 0, delay 20 ms/);
});

test.describe('admission', () => {
  test.use({ kcpRelayOptions: { echo: settings, admission: 'ticket' } });
  test('a page without its ticket is refused', async ({ kcpPage, kcpRelay }) => {
    const error = await kcpPage.evaluate(async (url) => {
      const { connect } = (globalThis as unknown as { kcpWeb: typeof KcpWeb }).kcpWeb;
      return connect(url).then(() => 'connected', (e: Error) => e.message);
    }, kcpRelay.url);
    expect(error).not.toBe('connected');
    expect(kcpRelay.stats().refused).toBeGreaterThan(0);
    expect(kcpRelay.ticket()).toMatch(/\S/);
  });
});
