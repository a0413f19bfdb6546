/** The demo page, bundled as a user would bundle kcp-web (the alias stands in for the installed package). */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { noNodeBuiltins } from '../scripts/vite-plugins.js';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [noNodeBuiltins()],
  resolve: {
    alias: [
      { find: /^kcp-web$/, replacement: fileURLToPath(new URL('../src/index.ts', import.meta.url)) },
      { find: /^kcp-web\/lite$/, replacement: fileURLToPath(new URL('../src/lite.ts', import.meta.url)) },
      { find: /^kcp-web\/ciphers$/, replacement: fileURLToPath(new URL('../src/core/crypt/ciphers.ts', import.meta.url)) },
    ],
  },
  build: { outDir: fileURLToPath(new URL('../dist-demo', import.meta.url)), emptyOutDir: true, target: 'es2022' },
});
