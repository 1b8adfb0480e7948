import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'stores/memory': 'src/stores/memory/index.ts',
    'stores/sqlite': 'src/stores/sqlite/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // better-sqlite3 stays a peer dependency, loaded only by the sqlite subpath.
  external: ['better-sqlite3'],
});
