/**
 * Browser library build of kcp-web's default entry. It fails if any Node
 * built-in creeps into the graph: the core must bundle for the browser with
 * no polyfills.
 */
import { defineConfig } from 'vite';
import { noNodeBuiltins } from './scripts/vite-plugins.js';

export default defineConfig({
  plugins: [noNodeBuiltins()],
  build: {
    outDir: 'dist-browser',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    lib: {
      // KCP_WEB_BUNDLE_ENTRY lets test/build.test.ts prove this guard fails a bad graph.
      entry: { 'kcp-web': process.env.KCP_WEB_BUNDLE_ENTRY ?? 'src/index.ts' },
      formats: ['es'],
    },
  },
});
