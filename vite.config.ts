/**
 * Browser library build of kcp-web's default entry. It fails if any Node
 * built-in creeps into the graph: the core must bundle for the browser with
 * no polyfills.
 */
import { builtinModules } from 'node:module';
import { defineConfig, type Plugin } from 'vite';

const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function noNodeBuiltins(): Plugin {
  return {
    name: 'kcp-web:no-node-builtins',
    enforce: 'pre',
    resolveId(id, importer) {
      if (id.startsWith('node:') || nodeBuiltins.has(id)) {
        this.error(`browser bundle must not import Node built-in "${id}" (imported from ${importer ?? 'entry'})`);
      }
      return null;
    },
  };
}

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
