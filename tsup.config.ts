import { defineConfig } from 'tsup';

// The command line's file, written by the second build: the library's build leaves it alone.
const cli = ['!cli.js'];

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
    sourcemap: true,
    clean: cli,
    target: 'node20',
    // better-sqlite3 and pg stay peer dependencies, each loaded only by its store's subpath.
    external: ['better-sqlite3', 'pg'],
  },
  {
    // The `allot` executable: one ESM file of its own (no chunks shared with the library, which
    // never loads it), started by node through its shebang; tsup makes it executable.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    splitting: false,
    clean: false,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    external: ['better-sqlite3', 'pg'],
  },
]);
