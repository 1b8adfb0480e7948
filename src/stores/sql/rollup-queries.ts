// Usage rollups, shared by the SQL stores: per counter, window and bucket (an hour and a day), the
// order-free summary of the entries in it (core/usage-summary.ts). The SQLite fold and the
// PostgreSQL write add entries to them, pruning rebuilds the buckets it cut into, and a summary
// query reads whole buckets from them and sums the rest from the journal (`rollupPlan`).
import {
  type Expression,
  type ExpressionBuilder,
  type OnConflictBuilder,
  type QueryCreator,
  type SqlBool,
  sql,
} from 'kysely';
import type { SummaryKind } from '../../core/usage-summary.js';
import { inStretches } from './journal-queries.js';
import { ROLLUP_SPANS, type RollupCellParams } from './rollup-plan.js';
import type { Database, UsageRollupsTable } from './schema.js';
import type { Db } from './sql-rows.js';

/** A rollup row's columns, in the order the rollup inserts take them. */
export const ROLLUP_COLUMNS = [
  'customer_id',
  'resource_id',
  'feature_id',
  'span',
  'bucket',
  'window_key',
  'count',
  'total',
  'high',
  'low',
  'kind',
] as const;

/** A parameter as an SQL integer: better-sqlite3 binds every number as a real, and bucket arithmetic must divide exactly. */
const int = (value: number) => sql<number>`cast(${value} as bigint)`;

/** An entry's summary kind, as `summaryKind` says it. */
export const entryKind = sql<SummaryKind>`case when op in ('add', 'avg') and amount >= 0 and amount = round(amount) then 'sum' when op in ('max', 'min') then op else 'ordered' end`;

/** The kind of a group of summaries: theirs if they all agree, else 'ordered' (as `mergeSummaries`). */
export const groupKind = (kind: Expression<string>) =>
  sql<SummaryKind>`case when min(${kind}) = max(${kind}) then min(${kind}) else 'ordered' end`;

/** Adds a summary to the stored one of its bucket, as `mergeSummaries` does. */
export function mergeRollups(oc: OnConflictBuilder<Database, 'usage_rollups'>) {
  return oc.columns(['customer_id', 'resource_id', 'feature_id', 'span', 'bucket', 'window_key']).doUpdateSet((eb) => ({
    count: eb('usage_rollups.count', '+', eb.ref('excluded.count')),
    total: eb('usage_rollups.total', '+', eb.ref('excluded.total')),
    high: eb
      .case()
      .when('excluded.high', '>', eb.ref('usage_rollups.high'))
      .then(eb.ref('excluded.high'))
      .else(eb.ref('usage_rollups.high'))
      .end(),
    low: eb
      .case()
      .when('excluded.low', '<', eb.ref('usage_rollups.low'))
      .then(eb.ref('excluded.low'))
      .else(eb.ref('usage_rollups.low'))
      .end(),
    kind: eb
      .case()
      .when('excluded.kind', '=', eb.ref('usage_rollups.kind'))
      .then(eb.ref('excluded.kind'))
      .else(sql.lit('ordered'))
      .end(),
  }));
}

/**
 * Adds the journal entries `where` picks to the rollups of every span (only to buckets starting
 * before `bucketsBefore`, if given), one statement for the lot.
 */
function insertJournalRollups(
  db: Db,
  where: (eb: ExpressionBuilder<Database, 'journal'>) => Expression<SqlBool>,
  bucketsBefore?: number,
) {
  const spans = ROLLUP_SPANS.map((span) => db.selectNoFrom(sql.lit(span).as('span'))).reduce((all, span) =>
    all.unionAll(span),
  );
  const entries = db
    .selectFrom(['journal', spans.as('s')])
    .select([
      'customer_id',
      'resource_id',
      'feature_id',
      'window_key',
      'amount',
      's.span',
      // Floored for instants before 1970 too: SQL's % keeps the dividend's sign.
      sql<number>`at - ((at % s.span) + s.span) % s.span`.as('bucket'),
      entryKind.as('kind'),
    ])
    .where(where)
    .as('e');
  const grouped = db
    .selectFrom(entries)
    .select((eb) => [
      'e.customer_id',
      'e.resource_id',
      'e.feature_id',
      'e.span',
      'e.bucket',
      'e.window_key',
      eb.fn.countAll<number>().as('count'),
      eb.fn.sum<number>('e.amount').as('total'),
      eb.fn.max('e.amount').as('high'),
      eb.fn.min('e.amount').as('low'),
      groupKind(sql.ref('e.kind')).as('kind'),
    ])
    .groupBy(['e.customer_id', 'e.resource_id', 'e.feature_id', 'e.span', 'e.bucket', 'e.window_key']);
  return db
    .insertInto('usage_rollups')
    .columns(ROLLUP_COLUMNS)
    .expression(bucketsBefore === undefined ? grouped : grouped.where('e.bucket', '<', bucketsBefore))
    .onConflict(mergeRollups);
}

/** Forgets the rollups of buckets starting before `before`: a prune took some or all of their entries. */
export function deleteRollupsBefore(db: Db, p: { before: number }) {
  return db.deleteFrom('usage_rollups').where('bucket', '<', p.before);
}

/**
 * Rebuilds the rollups of buckets starting before `before` from the entries left, after
 * `deleteRollupsBefore`: those entries happened before `until`, a day's bucket boundary past `before`.
 */
export function rebuildRollups(db: Db, p: { before: number; until: number }) {
  return insertJournalRollups(
    db,
    (eb) => eb.and([eb('folded', 'is not', null), eb('feature_id', 'is not', null), eb('at', '<', p.until)]),
    p.before,
  );
}

/**
 * Adds the rollup rows `source` selects, in the columns' order (each bucket's once: a statement
 * may not update a row twice): the PostgreSQL write.
 */
export function upsertRollups(db: QueryCreator<Database>, source: Expression<UsageRollupsTable>) {
  return db.insertInto('usage_rollups').columns(ROLLUP_COLUMNS).expression(source).onConflict(mergeRollups);
}

/**
 * The rollups of a plan's pieces summed up per window and cell (`cell` counts cells from the
 * origin), each piece an index range scan; `start_at` and `end_at` bound the buckets read.
 */
export function selectRollupCells(db: Db, p: RollupCellParams) {
  const pieces = p.spans
    .map((span, i) => {
      const piece = db
        .selectFrom('usage_rollups')
        .select(['window_key', 'count', 'total', 'high', 'low', 'kind', 'bucket', 'span'])
        .select(sql<number>`(bucket - ${int(p.origin)}) / ${int(p.width)}`.as('cell'))
        .where('customer_id', '=', p.customerId)
        .where('resource_id', '=', p.resourceId)
        .where('feature_id', '=', p.featureId)
        .where('span', '=', span)
        // One bound per span, by construction.
        .where('bucket', '>=', p.froms[i] as number)
        .where('bucket', '<', p.befores[i] as number);
      return p.skipFrom === undefined
        ? piece
        : piece.where(sql<number>`(bucket - ${int(p.skipFrom)}) % ${int(p.width)}`, '<>', 0);
    })
    .reduce((all, piece) => all.unionAll(piece));
  return db
    .selectFrom(pieces.as('r'))
    .select((eb) => [
      'r.window_key',
      'r.cell',
      eb.fn.sum<number>('r.count').as('count'),
      eb.fn.sum<number>('r.total').as('total'),
      eb.fn.max('r.high').as('high'),
      eb.fn.min('r.low').as('low'),
      groupKind(sql.ref('r.kind')).as('kind'),
      eb.fn.min('r.bucket').as('start_at'),
      eb.fn.max(eb('r.bucket', '+', eb.ref('r.span'))).as('end_at'),
    ])
    .groupBy(['r.window_key', 'r.cell']);
}

/**
 * Journal entries of one counter in the stretches `[froms[i], befores[i])` (in order, not
 * overlapping) summed up per window and cell as `selectRollupCells` sums rollups: the folded ones,
 * through the history index, or with `afterSeq` the ones after it (not folded yet).
 */
export function selectJournalCells(
  db: Db,
  p: {
    customerId: string;
    resourceId: string;
    featureId: string;
    froms: number[];
    befores: number[];
    origin: number;
    width: number;
    afterSeq?: number;
  },
) {
  return db
    .selectFrom('journal')
    .select([
      sql<string>`window_key`.as('window_key'),
      sql<number>`(at - ${int(p.origin)}) / ${int(p.width)}`.as('cell'),
      sql<number>`count(*)`.as('count'),
      sql<number>`sum(amount)`.as('total'),
      sql<number>`max(amount)`.as('high'),
      sql<number>`min(amount)`.as('low'),
      groupKind(entryKind).as('kind'),
      sql<number>`min(at)`.as('start_at'),
      sql<number>`max(at) + 1`.as('end_at'),
    ])
    .where('customer_id', '=', p.customerId)
    .where('feature_id', '=', p.featureId)
    .where((eb) => (p.afterSeq === undefined ? eb('folded', 'is not', null) : eb('seq', '>', p.afterSeq)))
    .where((eb) => inStretches(eb, p.froms, p.befores))
    .where('resource_id', '=', p.resourceId)
    .groupBy([sql`window_key`, sql`cell`]);
}
