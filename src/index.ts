/**
 * kcp-web: kcp-go's KCP + FEC + packet crypto for browsers and Node.
 * This is the browser (and default) entry; Node resolves index.node.ts,
 * which adds node:crypto ciphers and UDP.
 *
 *   import { connect, dial } from 'kcp-web';
 *   const { transport } = await connect('https://relay.example/');
 *   const session = dial(transport, { crypt: 'aes', key: 'secret' });
 */
import { cipherByName } from './core/crypt/index.js';
import { endpoint, type Endpoint } from './endpoint.js';

const kcp = endpoint(cipherByName);
/** Opens a session to the peer at the other end of `transport` (kcp-go DialWithOptions); `crypt` may be any kcptun cipher name. */
export const dial: Endpoint['dial'] = kcp.dial;
/** Accepts sessions arriving on `transport` (kcp-go ServeConn); `crypt` may be any kcptun cipher name. */
export const listen: Endpoint['listen'] = kcp.listen;

export * from './public.js';
