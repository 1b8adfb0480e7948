// The idempotency queries of the SQL stores, and the result's text.
import type { IdempotencyRecord } from '../store.js';
import type { IdempotencyTable } from './schema.js';
import type { Db } from './sql-rows.js';

/** The stored result for an idempotency key. */
export function selectIdempotencyResult(db: Db, p: { scope: string; key: string }) {
  return db.selectFrom('idempotency').select('result').where('scope', '=', p.scope).where('key', '=', p.key);
}

/** A page of stored results after (`scope`, `key`) ('' and '' for the first page), by scope then key. */
export function selectIdempotencyPage(db: Db, p: { scope: string; key: string; limit: number }) {
  return db
    .selectFrom('idempotency')
    .selectAll()
    .where((eb) => eb(eb.refTuple('scope', 'key'), '>', eb.tuple(p.scope, p.key)))
    .orderBy('scope')
    .orderBy('key')
    .limit(p.limit);
}

/** The stored result a row holds. */
export function rowToIdempotency(r: IdempotencyTable): IdempotencyRecord {
  return { scope: r.scope, key: r.key, result: JSON.parse(r.result), createdAt: r.created_at };
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
