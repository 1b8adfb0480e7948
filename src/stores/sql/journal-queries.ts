// The journal queries of the SQL stores: usage entries not yet folded, the change feed, and the
// store's own state (fold position, feed floor).
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Database, JournalTable, StoreStateTable } from './schema.js';
import type { Db } from './sql-rows.js';

/** A range of journal positions, `(afterSeq, throughSeq]`. */
export interface JournalRange {
  afterSeq: number;
  throughSeq: number;
}

/** The usage entries (rows with a feature; the others only mark a changed customer) in a range. */
export function entriesIn(eb: ExpressionBuilder<Database, 'journal'>, p: JournalRange) {
  return eb.and([eb('seq', '>', p.afterSeq), eb('seq', '<=', p.throughSeq), eb('feature_id', 'is not', null)]);
}

/**
 * Entries in any of the stretches `[froms[i], befores[i])`, one bound per stretch. The ORs nest as
 * a balanced tree: as a flat list, thousands of stretches (a long history read a day at a time)
 * nest as deep as they are many and overflow the query builder's stack.
 */
export function inStretches(
  eb: ExpressionBuilder<Database, 'journal'>,
  froms: readonly number[],
  befores: readonly number[],
): Expression<SqlBool> {
  const stretch = (i: number) => eb.and([eb('at', '>=', froms[i] as number), eb('at', '<', befores[i] as number)]);
  const any = (lo: number, hi: number): Expression<SqlBool> => {
    if (hi - lo === 1) return stretch(lo);
    const mid = Math.floor((lo + hi) / 2);
    return eb.or([any(lo, mid), any(mid, hi)]);
  };
  return froms.length === 0 ? eb.or([]) : any(0, froms.length);
}

/** Appends a usage entry. */
export function insertJournalEntry(db: Db, row: Omit<JournalTable, 'seq' | 'folded'>) {
  return db.insertInto('journal').values(row);
}

/** Records that a committed write changed a customer. */
export function insertJournalChange(db: Db, p: { origin: string; customerId: string }) {
  return db.insertInto('journal').values({ origin: p.origin, customer_id: p.customerId });
}

/** The newest journal sequence number, read from the end of the rowid b-tree. */
export function selectJournalLast(db: Db) {
  return db.selectFrom('journal').select('seq').orderBy('seq', 'desc').limit(1);
}

/** The distinct customers that other store instances changed after `seq`. */
export function selectChangedCustomers(db: Db, p: { afterSeq: number; origin: string }) {
  return db
    .selectFrom('journal')
    .select('customer_id')
    .distinct()
    .where('seq', '>', p.afterSeq)
    .where('origin', '<>', p.origin);
}

/** Whether any entry in `(afterSeq, throughSeq]` needs more than a sum: a SET, a MAX / MIN / AVG, a negative or fractional amount. */
export function selectJournalComplexEntry(db: Db, p: JournalRange) {
  return (
    db
      .selectFrom('journal')
      .select('seq')
      .where((eb) => entriesIn(eb, p))
      // A fraction too: SQL's sum() rounds differently from adding one entry at a time.
      .where((eb) =>
        eb.or([eb('op', '<>', 'add'), eb('amount', '<', 0), eb('amount', '<>', eb.fn<number>('round', ['amount']))]),
      )
      .limit(1)
  );
}

/** Usage entries in `(afterSeq, throughSeq]`, in log order: what a fold of anything but sums reads. */
export function selectJournalEntries(db: Db, p: JournalRange) {
  return db
    .selectFrom('journal')
    .selectAll()
    .where((eb) => entriesIn(eb, p))
    .orderBy('seq');
}

/** Marks entries folded, which adds them to the history index. */
export function markJournalFolded(db: Db, p: JournalRange) {
  return db
    .updateTable('journal')
    .set({ folded: 1 })
    .where((eb) => entriesIn(eb, p));
}

/** Forgets change-only rows (not usage entries) in `(afterSeq, throughSeq]`. */
export function deleteJournalChanges(db: Db, p: JournalRange) {
  return db
    .deleteFrom('journal')
    .where('seq', '>', p.afterSeq)
    .where('seq', '<=', p.throughSeq)
    .where('feature_id', 'is', null);
}

/** One customer's usage entries after `afterSeq` (not folded yet), in log order. */
export function selectCustomerJournal(db: Db, p: { afterSeq: number; customerId: string }) {
  return db
    .selectFrom('journal')
    .selectAll()
    .where('seq', '>', p.afterSeq)
    .where('customer_id', '=', p.customerId)
    .where('feature_id', 'is not', null)
    .orderBy('seq');
}

/** Every named integer of the store's own state (a handful of rows). */
export function selectStoreStates(db: Db) {
  return db.selectFrom('store_state').select(['name', 'value']);
}

export function upsertStoreState(db: Db, row: StoreStateTable) {
  return db
    .insertInto('store_state')
    .values(row)
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: row.value }));
}
