// What a fresh process pays for `import 'allot'`: the packages each entry point reaches through
// static imports, which all load and run before the first check. Lazily loaded ones (the native
// drivers, kysely for the SQLite store's per-shape statements, immer for subscription writes, yaml
// and node:fs for loadCatalog) are left out: they load on first use.
// Built the way tsup builds (esbuild, dependencies external), so type-only imports do not count.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

async function bundled(entry: string) {
  const { metafile } = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  return metafile;
}

async function staticPackages(entry: string): Promise<string[]> {
  const metafile = await bundled(entry);
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const i of metafile.inputs[path]?.imports ?? []) {
      if (i.kind !== 'import-statement') continue;
      if (i.external) packages.add(i.path);
      else visit(i.path);
    }
  };
  visit(entry);
  return [...packages].sort();
}

// Per-function date-fns entry points: the package index would load all of date-fns (~90 ms).
const core = ['@date-fns/utc/date/mini', 'date-fns/addMonths', 'decimal.js', 'zod'];

describe('what importing allot loads', () => {
  it('the package entry: the core dependencies, no store driver and no kysely', async () => {
    expect(await staticPackages('src/index.ts')).toEqual(core);
  });

  // decimal.js, which the package entry loads anyway, decides which credit grants a pool holds.
  it('the SQLite store: its statements are compiled ahead, so neither kysely nor better-sqlite3 (loaded at open)', async () => {
    expect(await staticPackages('src/stores/sqlite/index.ts')).toEqual(['decimal.js']);
  });

  it('the PostgreSQL store: kysely compiles its statements; pg loads at open', async () => {
    expect(await staticPackages('src/stores/postgres/index.ts')).toEqual(['decimal.js', 'kysely']);
  });

  // Dynamic imports included: the command line is a program of its own, never part of the library.
  it.each(['src/index.ts', 'src/stores/memory/index.ts', 'src/stores/sqlite/index.ts', 'src/stores/postgres/index.ts'])(
    '%s never reaches the command line (src/cli)',
    async (entry) => {
      const inputs = Object.keys((await bundled(entry)).inputs);
      expect(inputs.some((path) => path.startsWith('src/index.ts') || path.startsWith('src/stores/'))).toBe(true);
      expect(inputs.filter((path) => path.startsWith('src/cli/'))).toEqual([]);
    },
  );
});
