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
  // No source maps: the output is unminified, so stack traces already read as the source does, and
  // maps (with their sources inlined) nearly tripled the packed size.
  sourcemap: false,
  clean: true,
  target: 'node20',
  // better-sqlite3 and pg stay peer dependencies, each loaded only by its store's subpath.
  external: ['better-sqlite3', 'pg'],
});
