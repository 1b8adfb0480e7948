// The usage queries of the SQL stores (counters, UNIQUE sets, raw event keys, folded history), and
// the usage row mappers.
import type { UsageOp } from '../../core/usage-aggregate.js';
import type { TimeRange } from '../../core/usage-summary.js';
import type { Dimensions } from '../../model/meters.js';
import type { UsageRecord } from '../../model/records.js';
import type { EventKey, UniqueMember, UsageEntry, UsageKey, UsageWindowKey } from '../store.js';
import { inStretches } from './journal-queries.js';
import type { EventsTable, UsageCountersTable, UsageEntryColumns, UsageUniqueTable } from './schema.js';
import type { Db } from './sql-rows.js';

/** The counters of one customer's windows that have not ended by `now`, in key order. */
export function selectCustomerUsage(db: Db, p: { customerId: string; now: number }) {
  return db
    .selectFrom('usage_counters')
    .selectAll()
    .where('customer_id', '=', p.customerId)
    .where((eb) => eb.or([eb('period_end', 'is', null), eb('period_end', '>', p.now)]))
    .orderBy('resource_id')
    .orderBy('feature_id')
    .orderBy('window_key');
}

/** The folded counter of one window. */
export function selectUsageCounter(db: Db, p: UsageKeyColumns) {
  return db
    .selectFrom('usage_counters')
    .selectAll()
    .where('customer_id', '=', p.customer_id)
    .where('resource_id', '=', p.resource_id)
    .where('feature_id', '=', p.feature_id)
    .where('window_key', '=', p.window_key);
}

/** Writes a folded counter. */
export function upsertUsageCounter(db: Db, row: UsageCountersTable) {
  const { customer_id, resource_id, feature_id, window_key, ...rest } = row;
  return db
    .insertInto('usage_counters')
    .values(row)
    .onConflict((oc) => oc.columns(['customer_id', 'resource_id', 'feature_id', 'window_key']).doUpdateSet(rest));
}

/** The identifying columns of a usage window. */
export type UsageKeyColumns = Pick<UsageCountersTable, 'customer_id' | 'resource_id' | 'feature_id' | 'window_key'>;

/** Adds a member to a UNIQUE window's set, or nothing when it is there: the changed-row count tells which. */
export function insertUniqueMember(db: Db, row: UsageUniqueTable) {
  return db
    .insertInto('usage_unique')
    .values(row)
    .onConflict((oc) => oc.doNothing());
}

/** Stores a raw event unless its (customer, idempotency key) is taken. */
export function insertEvent(db: Db, row: EventsTable) {
  return db
    .insertInto('events')
    .values(row)
    .onConflict((oc) => oc.doNothing());
}

/** A page of a customer's event keys after `afterKey` ('' for the first page), by key. */
export function selectEventKeys(db: Db, p: { customerId: string; afterKey: string; limit: number }) {
  return db
    .selectFrom('events')
    .selectAll()
    .where('customer_id', '=', p.customerId)
    .where('idempotency_key', '>', p.afterKey)
    .orderBy('idempotency_key')
    .limit(p.limit);
}

/** The event key a row holds. */
export function rowToEventKey(r: EventsTable): EventKey {
  return { customerId: r.customer_id, idempotencyKey: r.idempotency_key, createdAt: r.at };
}

/** A page of a customer's UNIQUE members after the given one (all '' for the first page), in key order. */
export function selectUniqueMembers(
  db: Db,
  p: Omit<UsageUniqueTable, 'customer_id'> & { customerId: string; limit: number },
) {
  return db
    .selectFrom('usage_unique')
    .selectAll()
    .where('customer_id', '=', p.customerId)
    .where((eb) =>
      eb(
        eb.refTuple('resource_id', 'feature_id', 'window_key', 'member'),
        '>',
        eb.tuple(p.resource_id, p.feature_id, p.window_key, p.member),
      ),
    )
    .orderBy('resource_id')
    .orderBy('feature_id')
    .orderBy('window_key')
    .orderBy('member')
    .limit(p.limit);
}

/** The member a row holds. */
export function rowToUniqueMember(r: UsageUniqueTable): UniqueMember {
  return {
    customerId: r.customer_id,
    resourceId: r.resource_id === '' ? null : r.resource_id,
    featureId: r.feature_id,
    window: r.window_key,
    member: r.member,
  };
}

/** A page of every usage entry in the journal after `afterSeq`, folded or not, by seq. */
export function selectUsageLog(db: Db, p: { afterSeq: number; limit: number }) {
  return db
    .selectFrom('journal')
    .selectAll()
    .where('seq', '>', p.afterSeq)
    .where('feature_id', 'is not', null)
    .orderBy('seq')
    .limit(p.limit);
}

/** Forgets the keys of raw events that arrived before `before`. */
export function deleteEventsBefore(db: Db, p: { before: number }) {
  return db.deleteFrom('events').where('at', '<', p.before);
}

/** `selectUsageHistory`'s parameters for a counter's stretches (in order, not overlapping). */
export function historyParams(key: UsageKey, ranges: readonly TimeRange[]) {
  return {
    customerId: key.customerId,
    featureId: key.featureId,
    resourceId: key.resourceId ?? '',
    froms: ranges.map((r) => r.from),
    befores: ranges.map((r) => r.before),
  };
}

/**
 * Folded usage entries of one counter in the stretches `[froms[i], befores[i])` (in order, not
 * overlapping), oldest first, through the history index.
 */
export function selectUsageHistory(
  db: Db,
  p: { customerId: string; featureId: string; resourceId: string; froms: number[]; befores: number[] },
) {
  return db
    .selectFrom('journal')
    .selectAll()
    .where('customer_id', '=', p.customerId)
    .where('feature_id', '=', p.featureId)
    .where('folded', 'is not', null)
    .where((eb) => inStretches(eb, p.froms, p.befores))
    .where('resource_id', '=', p.resourceId)
    .orderBy('at')
    .orderBy('seq');
}

/**
 * Forgets folded entries that happened before `before` (the rows in the history index), except
 * the journal's newest row: SQLite would hand its seq out again, and the fold position and feed
 * readers count on seqs only growing.
 */
export function deleteUsageHistoryBefore(db: Db, p: { before: number; lastSeq: number }) {
  return db
    .deleteFrom('journal')
    .where('folded', 'is not', null)
    .where('at', '<', p.before)
    .where('seq', '<', p.lastSeq);
}

/** The newest seq `deleteUsageHistoryBefore` would delete, so the feed floor can move past it. */
export function selectUsageHistoryPruneEnd(db: Db, p: { before: number; lastSeq: number }) {
  return db
    .selectFrom('journal')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('folded', 'is not', null)
    .where('at', '<', p.before)
    .where('seq', '<', p.lastSeq);
}

/** The usage key columns; a null resource is stored as ''. */
export function usageKeyToRow(k: UsageWindowKey): UsageKeyColumns {
  return { customer_id: k.customerId, resource_id: k.resourceId ?? '', feature_id: k.featureId, window_key: k.window };
}

/** Columns of a counter. */
export function usageRecordToRow(u: UsageRecord): UsageCountersTable {
  return {
    ...usageKeyToRow(u),
    period_start: u.periodStart,
    period_end: u.periodEnd,
    value: u.value,
    count: u.count,
    updated_at: u.updatedAt,
  };
}

/** The counter a row holds. */
export function rowToUsage(r: UsageCountersTable): UsageRecord {
  return {
    customerId: r.customer_id,
    resourceId: r.resource_id === '' ? null : r.resource_id,
    featureId: r.feature_id,
    window: r.window_key,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    value: r.value,
    count: r.count,
    updatedAt: r.updated_at,
  };
}

/** Columns of a usage entry. */
export function usageEntryToRow(e: UsageEntry): UsageEntryColumns & { customer_id: string } {
  return {
    customer_id: e.customerId,
    resource_id: e.resourceId ?? '',
    feature_id: e.featureId,
    window_key: e.window,
    period_start: e.periodStart,
    period_end: e.periodEnd,
    op: e.op,
    amount: e.amount,
    at: e.at,
    dimensions: e.dimensions === null ? null : JSON.stringify(e.dimensions),
  };
}

/** The usage entry a journal row holds; only rows with a feature are entries. */
export function rowToUsageEntry(r: UsageEntryColumns & { customer_id: string }): UsageEntry {
  return {
    customerId: r.customer_id,
    resourceId: r.resource_id === '' ? null : r.resource_id,
    featureId: r.feature_id,
    window: r.window_key,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    op: r.op as UsageOp,
    amount: r.amount,
    at: r.at,
    dimensions: r.dimensions === null ? null : (JSON.parse(r.dimensions) as Dimensions),
  };
}

/** Columns of a raw event's key. */
export function eventToRow(e: EventKey): EventsTable {
  // Kept by arrival, not by the event's own time: a backfilled event's key must outlive its retries.
  return { customer_id: e.customerId, idempotency_key: e.idempotencyKey, at: e.createdAt };
}
