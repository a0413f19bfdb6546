import { builtinModules } from 'node:module';
import type { Plugin } from 'vite';

const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Fails the build when a Node built-in enters a browser bundle's graph. */
export function noNodeBuiltins(): Plugin {
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
