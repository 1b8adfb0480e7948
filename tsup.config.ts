import { relative, resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';

/** The library's entries, source and built: the command line loads them as any user does. */
const entries: Record<string, string> = {
  'src/index': './index.js',
  'src/stores/memory/index': './stores/memory.js',
  'src/stores/sqlite/index': './stores/sqlite.js',
  'src/stores/postgres/index': './stores/postgres.js',
};

/** Points the command line's imports of the library's entries at their builds beside it in dist/. */
const builtEntries: Plugin = {
  name: 'built-entries',
  setup(build) {
    build.onResolve({ filter: /index\.js$/ }, (args) => {
      const source = relative(process.cwd(), resolve(args.resolveDir, args.path)).replace(/\.js$/, '');
      const built = entries[source];
      return built === undefined ? undefined : { path: built, external: true };
    });
  },
};

/**
 * zod's runtime is bundled, English only: its package entry loads all 64 locales, which cost more
 * than a third of `import 'allot'` (the bench's cold start fell by ~40 ms, for ~150 kB packed).
 * allot's messages are its own, so only zod's English default is used. zod stays a dependency for
 * the declaration files' types.
 */
const englishOnlyZod: Plugin = {
  name: 'english-only-zod',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes('/node_modules/zod/') ? { path: 'zod-locales', namespace: 'english-only-zod' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'english-only-zod' }, () => ({
      contents: `export { default as en } from ${JSON.stringify(resolve('node_modules/zod/v4/locales/en.js'))};`,
      resolveDir: process.cwd(),
    }));
  },
};

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      'stores/memory': 'src/stores/memory/index.ts',
      'stores/sqlite': 'src/stores/sqlite/index.ts',
      'stores/postgres': 'src/stores/postgres/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    // No source maps: the output is unminified, so stack traces already read as the source does, and
    // maps (with their sources inlined) nearly tripled the packed size.
    sourcemap: false,
    // The command line's file is the second build's: this one leaves it alone.
    clean: ['!cli.js'],
    target: 'node20',
    // better-sqlite3 and pg stay peer dependencies, each loaded only by its store's subpath.
    external: ['better-sqlite3', 'pg'],
    noExternal: ['zod'],
    esbuildPlugins: [englishOnlyZod],
  },
  {
    // The `allot` executable: one ESM file (the library, which never loads it, stays apart),
    // started by node through its shebang; tsup makes it executable.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    splitting: false,
    clean: false,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    external: ['better-sqlite3', 'pg'],
    esbuildPlugins: [builtEntries],
  },
]);
