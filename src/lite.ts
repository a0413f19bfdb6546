/**
 * kcp-web/lite: the browser entry for pages that count their bytes. It is
 * the default entry minus the cipher name table: `crypt` takes a descriptor
 * imported from 'kcp-web/ciphers' (`crypt: aes`) or 'null', so the bundle
 * carries only the ciphers the page names.
 *
 *   import { connect, dial } from 'kcp-web/lite';
 *   import { aes } from 'kcp-web/ciphers';
 *   const { transport } = await connect(relayUrl);
 *   const session = dial(transport, { crypt: aes, key: 'secret' });
 */
import { endpoint, type CipherLookup, type Endpoint } from './endpoint.js';
import { OptionError } from './core/options.js';

const descriptorsOnly: CipherLookup = (name) => {
  throw new OptionError('crypt', `a cipher from 'kcp-web/ciphers' (kcp-web/lite has no name table; import { ${name === '3des' ? 'tripleDes' : name.replace(/-/g, '')} } from 'kcp-web/ciphers', or use the 'kcp-web' entry for names)`, name);
};

const kcp = endpoint(descriptorsOnly);
/** As 'kcp-web' dial, with `crypt` a descriptor from 'kcp-web/ciphers' (or 'null'). */
export const dial: Endpoint['dial'] = kcp.dial;
/** As 'kcp-web' listen, with `crypt` a descriptor from 'kcp-web/ciphers' (or 'null'). */
export const listen: Endpoint['listen'] = kcp.listen;

export * from './public.js';
