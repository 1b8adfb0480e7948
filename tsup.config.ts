import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'stores/memory': 'src/stores/memory/index.ts',
    'stores/sqlite': 'src/stores/sqlite/index.ts',
    'stores/postgres': 'src/stores/postgres/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // better-sqlite3 and pg stay peer dependencies, each loaded only by its store's subpath.
  external: ['better-sqlite3', 'pg'],
});
