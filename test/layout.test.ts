/**
 * The layout rules a newcomer relies on: src/core imports nothing outside
 * src/core (no Node built-in, no package, no sibling folder), and no module
 * of src/ or demo/ imports itself back through others (type-only imports
 * count: a cycle reads as one tangle whatever the compiler erases).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Every module specifier a file names in import/export … from, or import('…'). */
function specifiers(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|[;\s])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[;\s])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push((m[1] ?? m[2] ?? m[3])!);
  }
  return found;
}

/** The repository path a relative specifier names (.js → .ts), or null for a package or built-in. */
function target(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  return relative(ROOT, resolve(ROOT, dirname(from), spec)).replace(/\.js$/, '.ts');
}

describe('layout', () => {
  it('src/core imports only from src/core', () => {
    const bad: string[] = [];
    for (const file of sources('src/core')) {
      for (const spec of specifiers(file)) {
        const to = target(file, spec);
        if (to === null || !to.startsWith('src/core/')) bad.push(`${file} → ${spec}`);
      }
    }
    assert.deepEqual(bad, [], 'the core must stay pure: move the import behind an interface in src/core');
  });

  it('no import cycles in src/ or demo/', () => {
    const files = [...sources('src'), ...sources('demo')];
    const edges = new Map(files.map((f) => [f, specifiers(f).map((s) => target(f, s)).filter((t): t is string => t !== null && t.endsWith('.ts'))]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 'open');
      stack.push(f);
      for (const t of edges.get(f) ?? []) {
        if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].join(' → '));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    assert.deepEqual(cycles, []);
  });

  it('every relative import in src/ names a file of src/', () => {
    const all = new Set(sources('src'));
    const missing: string[] = [];
    for (const file of all) {
      for (const spec of specifiers(file)) {
        const to = target(file, spec);
        if (to !== null && !all.has(to)) missing.push(`${file} → ${spec}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});
