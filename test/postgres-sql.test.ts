// The array literals the PostgreSQL store sends for its `$n::type[]` parameters: exact text for the
// tricky elements, and, on a server, any array read back as it was sent.
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { arrayLiteral } from '../src/stores/postgres/postgres-sql.js';
import { postgresUrl, skipWithoutPostgres } from './helpers/postgres.js';

describe('arrayLiteral', () => {
  it('quotes every string, escaping only quotes and backslashes, and writes null as NULL', () => {
    expect(arrayLiteral(['a', '', 'NULL', 'x,y', '{}', ' s ', 'q"q', 'b\\s', '\\"'])).toBe(
      '{"a","","NULL","x,y","{}"," s ","q\\"q","b\\\\s","\\\\\\""}',
    );
    expect(arrayLiteral([1, -2.5, 1e21, null, 2 ** 53])).toBe('{1,-2.5,1e+21,NULL,9007199254740992}');
    expect(arrayLiteral([])).toBe('{}');
  });
});

describe.skipIf(skipWithoutPostgres)('arrayLiteral on a server', () => {
  const pool = new pg.Pool({ connectionString: postgresUrl(), max: 1 });
  afterAll(() => pool.end());
  // PostgreSQL's text holds no NUL; the store's ids and keys never reach it with one.
  const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string()).filter((s) => !s.includes('\u0000'));
  // -0 is written "0" (as pg writes it): the store never holds one.
  const double = fc.double().map((d) => (Object.is(d, -0) ? 0 : d));

  it('for any strings, doubles and safe integers (with nulls), the server reads what was sent', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(text, { nil: null })),
        fc.array(fc.option(double, { nil: null })),
        fc.array(fc.option(fc.maxSafeInteger(), { nil: null })),
        async (strings, doubles, integers) => {
          const { rows } = await pool.query('select $1::text[] as t, $2::float8[] as f, $3::bigint[]::text[] as b', [
            arrayLiteral(strings),
            arrayLiteral(doubles),
            arrayLiteral(integers),
          ]);
          expect(rows[0]).toEqual({ t: strings, f: doubles, b: integers.map((i) => (i === null ? null : String(i))) });
        },
      ),
      { numRuns: 200 },
    );
  });
});
