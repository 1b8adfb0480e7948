// The SQLite fold's statements. A fold groups its entries once, by counter, day and hour, into a
// temporary table whose key orders them so that the counters and both rollup spans each read it
// in order: SQLite sorts the entries once instead of once per counter and twice per rollup (an
// hour and a day row per entry), which was most of a fold's cost.
import { type Kysely, sql } from 'kysely';
import { entriesIn, type JournalRange } from '../sql/journal-queries.js';
import { ROLLUP_SPANS } from '../sql/rollup-plan.js';
import { entryKind, groupKind, mergeRollups, ROLLUP_COLUMNS } from '../sql/rollup-queries.js';
import type { Database } from '../sql/schema.js';

/** One counter's entries of one hour in a fold: their summary, and what the counter takes from them. */
export interface FoldGroupsTable {
  customer_id: string;
  resource_id: string;
  feature_id: string;
  window_key: string;
  day: number;
  hour: number;
  count: number;
  total: number;
  high: number;
  low: number;
  kind: string;
  period_start: number | null;
  period_end: number | null;
  last_at: number;
}

type FoldDb = Kysely<Database & { fold_groups: FoldGroupsTable }>;
const foldDb = (db: Kysely<Database>): FoldDb => db.withTables<{ fold_groups: FoldGroupsTable }>();

const [HOUR, DAY] = ROLLUP_SPANS as [number, number];
/** An instant's bucket of `span` ms, floored for instants before 1970 too (SQL's % keeps the dividend's sign). */
const bucketOf = (span: number) => sql<number>`at - ((at % ${sql.lit(span)}) + ${sql.lit(span)}) % ${sql.lit(span)}`;

/** Per connection, so each process folds in its own; emptied by every fold before it commits. */
export function createFoldGroups(db: Kysely<Database>) {
  return db.schema
    .createTable('fold_groups')
    .temporary()
    .ifNotExists()
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('feature_id', 'text', (c) => c.notNull())
    .addColumn('window_key', 'text', (c) => c.notNull())
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('hour', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('total', 'double precision', (c) => c.notNull())
    .addColumn('high', 'double precision', (c) => c.notNull())
    .addColumn('low', 'double precision', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('period_start', 'bigint')
    .addColumn('period_end', 'bigint')
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('fold_groups_pk', [
      'customer_id',
      'resource_id',
      'feature_id',
      'window_key',
      'day',
      'hour',
    ])
    .modifyEnd(sql`without rowid`);
}

/** Groups the entries in `(afterSeq, throughSeq]` by counter and hour: the fold's one sort. */
export function insertFoldGroups(db: Kysely<Database>, p: JournalRange) {
  return foldDb(db)
    .insertInto('fold_groups')
    .columns([
      'customer_id',
      'resource_id',
      'feature_id',
      'window_key',
      'day',
      'hour',
      'count',
      'total',
      'high',
      'low',
      'kind',
      'period_start',
      'period_end',
      'last_at',
    ])
    .expression((db) =>
      db
        .selectFrom('journal')
        .select((eb) => [
          eb.fn.coalesce('customer_id', eb.val('')).as('customer_id'),
          eb.fn.coalesce('resource_id', eb.val('')).as('resource_id'),
          eb.fn.coalesce('feature_id', eb.val('')).as('feature_id'),
          eb.fn.coalesce('window_key', eb.val('')).as('window_key'),
          bucketOf(DAY).as('day'),
          bucketOf(HOUR).as('hour'),
          eb.fn.countAll<number>().as('count'),
          eb.fn.sum<number>('amount').as('total'),
          eb.fn.max('amount').as('high'),
          eb.fn.min('amount').as('low'),
          groupKind(entryKind).as('kind'),
          eb.fn.max('period_start').as('period_start'),
          eb.fn.max('period_end').as('period_end'),
          eb.fn.max('at').as('last_at'),
        ])
        .where((eb) => entriesIn(eb, p))
        .groupBy(['customer_id', 'resource_id', 'feature_id', 'window_key', 'hour']),
    );
}

/**
 * Adds the fold's groups to their counters, in one statement: only when every entry adds a whole
 * non-negative amount (see `fold` in sqlite-journal.ts), so the sums are exact in any order and no
 * floor can apply to them. Per window, the sum and the count add to the counter.
 */
export function foldGroupCounters(db: Kysely<Database>) {
  return db
    .insertInto('usage_counters')
    .columns([
      'customer_id',
      'resource_id',
      'feature_id',
      'window_key',
      'period_start',
      'period_end',
      'value',
      'count',
      'updated_at',
    ])
    .expression(
      foldDb(db)
        .selectFrom('fold_groups')
        .select((eb) => [
          'customer_id',
          'resource_id',
          'feature_id',
          'window_key',
          eb.fn.max('period_start').as('period_start'),
          eb.fn.max('period_end').as('period_end'),
          eb.fn.sum<number>('total').as('value'),
          eb.fn.sum<number>('count').as('count'),
          eb.fn.max('last_at').as('updated_at'),
        ])
        .groupBy(['customer_id', 'resource_id', 'feature_id', 'window_key']),
    )
    .onConflict((oc) =>
      oc.columns(['customer_id', 'resource_id', 'feature_id', 'window_key']).doUpdateSet((eb) => ({
        value: eb('usage_counters.value', '+', eb.ref('excluded.value')),
        count: eb('usage_counters.count', '+', eb.ref('excluded.count')),
        // The newest entries say the window's period (a plan change may keep the key, not the period).
        period_start: eb.ref('excluded.period_start'),
        period_end: eb.ref('excluded.period_end'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    );
}

/** Adds the fold's groups to the hour rollups. */
export function foldGroupHours(db: Kysely<Database>) {
  const rows = foldDb(db)
    .selectFrom('fold_groups')
    .select([
      'customer_id',
      'resource_id',
      'feature_id',
      sql.lit(HOUR).as('span'),
      'hour as bucket',
      'window_key',
      'count',
      'total',
      'high',
      'low',
      'kind',
    ])
    // `where true` tells SQLite that ON CONFLICT is the upsert's, not a join's ON.
    .where(sql.lit(true));
  return db.insertInto('usage_rollups').columns(ROLLUP_COLUMNS).expression(rows).onConflict(mergeRollups);
}

/**
 * Adds the fold's groups, summed up by day, to the day rollups (the groups are in day order: no
 * sort). A day's kind is its hours' when they agree, else 'ordered', as it is of its entries.
 */
export function foldGroupDays(db: Kysely<Database>) {
  const rows = foldDb(db)
    .selectFrom('fold_groups')
    .select((eb) => [
      'customer_id',
      'resource_id',
      'feature_id',
      sql.lit(DAY).as('span'),
      'day as bucket',
      'window_key',
      eb.fn.sum<number>('count').as('count'),
      eb.fn.sum<number>('total').as('total'),
      eb.fn.max('high').as('high'),
      eb.fn.min('low').as('low'),
      groupKind(sql.ref('kind')).as('kind'),
    ])
    .groupBy(['customer_id', 'resource_id', 'feature_id', 'window_key', 'day']);
  return db.insertInto('usage_rollups').columns(ROLLUP_COLUMNS).expression(rows).onConflict(mergeRollups);
}

/** Empties the fold's groups. */
export function clearFoldGroups(db: Kysely<Database>) {
  return foldDb(db).deleteFrom('fold_groups');
}
