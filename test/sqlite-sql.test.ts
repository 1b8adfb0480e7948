import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSqliteSql } from '../src/stores/sqlite/sqlite-sql.js';

describe('the SQLite SQL compiled ahead', () => {
  it('is what the kysely builders compile to today (else run `npm run compile-sql`)', () => {
    const generated = readFileSync(new URL('../src/stores/sqlite/sqlite-sql.generated.ts', import.meta.url), 'utf8');
    expect(generated, 'sqlite-sql.generated.ts is stale: run `npm run compile-sql`').toBe(renderSqliteSql());
  });
});
