// The idempotency queries of the SQL stores, and the result's text.
import type { IdempotencyTable } from './schema.js';
import type { Db } from './sql-rows.js';

/** The stored result for an idempotency key. */
export function selectIdempotencyResult(db: Db, p: { scope: string; key: string }) {
  return db.selectFrom('idempotency').select('result').where('scope', '=', p.scope).where('key', '=', p.key);
}

/** Stores a result unless the key already has one: the first write wins. */
export function insertIdempotencyResult(db: Db, row: IdempotencyTable) {
  return db
    .insertInto('idempotency')
    .values(row)
    .onConflict((oc) => oc.columns(['scope', 'key']).doNothing());
}

/** JSON text of an idempotency result; `undefined` is kept as null so a stored key still reads as stored. */
export function idempotencyResultToText(result: unknown): string {
  return JSON.stringify(result ?? null);
}
