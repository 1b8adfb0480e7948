// Usage reports append one journal row each, the cheapest durable write SQLite has; a fold every
// few hundred rows applies them to the per-window counters and adds them to the history index in
// one batch. Readers add the few unfolded rows to what they read from the counters.
import type { Selectable } from 'kysely';
import type { UsageRecord } from '../../core/records.js';
import { applyUsageOp, EMPTY_AGGREGATE, type UsageAggregate } from '../../core/usage-aggregate.js';
import { rowToUsage, rowToUsageEntry, usageKeyToRow } from '../sql/queries.js';
import type { JournalTable, UsageEntryRow } from '../sql/schema.js';
import type { ChangeSet, UsageEntry, UsageEntryQuery, UsageWindowKey } from '../store.js';
import type { SqliteStatements } from './sqlite-statements.js';

/** Unfolded entries that trigger a fold. Readers scan at most about this many rows per customer load. */
export const FOLD_AT = 2048;
/** Change-only rows kept for processes reading the feed; one further behind reloads every cached customer. */
const CHANGES_KEPT = 10_000;
/** Change rows pruned at once, so pruning runs once per this many commits rather than at every one. */
const PRUNE_BATCH = 1_000;
/** Journal position up to which entries are in the counters. */
const FOLDED = 'journal_folded_seq';
/** Feed positions at or before this one may miss changes (their rows were pruned). */
const FEED_FLOOR = 'journal_feed_floor';

/** The store's fold position and feed floor, in one read. */
function positions(q: SqliteStatements): { folded: number; floor: number } {
  let folded = 0;
  let floor = 0;
  for (const { name, value } of q.selectStoreStates.all({})) {
    if (name === FOLDED) folded = value;
    else if (name === FEED_FLOOR) floor = value;
  }
  return { folded, floor };
}

/** Journal rows without a feature only mark a changed customer; the others hold usage entries. */
const entries = (rows: Selectable<JournalTable>[]): UsageEntry[] =>
  rows.filter((r) => r.feature_id !== null).map((r) => rowToUsageEntry(r as UsageEntryRow));

/** A customer's unfolded usage entries, in log order. */
function unfolded(q: SqliteStatements, customerId: string): UsageEntry[] {
  return entries(q.selectCustomerJournal.all({ afterSeq: positions(q).folded, customerId }));
}

const windowId = (k: UsageWindowKey) => `${k.resourceId ?? ''}\u0000${k.featureId}\u0000${k.window}`;

/** The customer's counters of windows not ended by `now`, with the unfolded entries applied. */
export function customerUsage(q: SqliteStatements, customerId: string, now: number): UsageRecord[] {
  const counters = new Map<string, UsageRecord>();
  for (const row of q.selectCustomerUsage.all({ customerId, now })) {
    const record = rowToUsage(row);
    counters.set(windowId(record), record);
  }
  for (const e of unfolded(q, customerId)) {
    if (e.periodEnd !== null && e.periodEnd <= now) continue;
    const id = windowId(e);
    const next = applyUsageOp(counters.get(id) ?? EMPTY_AGGREGATE, e.op, e.amount);
    counters.set(id, {
      customerId,
      resourceId: e.resourceId,
      featureId: e.featureId,
      window: e.window,
      periodStart: e.periodStart,
      periodEnd: e.periodEnd,
      value: next.value,
      count: next.count,
      updatedAt: e.at,
    });
  }
  return [...counters.values()];
}

/** One window's aggregate: the folded counter plus the unfolded entries. */
export function windowUsage(q: SqliteStatements, key: UsageWindowKey): UsageAggregate | undefined {
  const row = q.selectUsageCounter.get(usageKeyToRow(key));
  let aggregate: UsageAggregate | undefined = row && { value: row.value, count: row.count };
  const id = windowId(key);
  for (const e of unfolded(q, key.customerId))
    if (windowId(e) === id) aggregate = applyUsageOp(aggregate ?? EMPTY_AGGREGATE, e.op, e.amount);
  return aggregate;
}

/** A counter's entries in `[from, before)`: the folded ones through the history index, then the unfolded ones. */
export function counterEntries(q: SqliteStatements, key: UsageEntryQuery): UsageEntry[] {
  const resourceId = key.resourceId ?? '';
  const folded = entries(q.selectUsageHistory.all({ ...key, resourceId }));
  const recent = unfolded(q, key.customerId).filter(
    (e) =>
      e.featureId === key.featureId && (e.resourceId ?? '') === resourceId && e.at >= key.from && e.at < key.before,
  );
  // Unfolded entries can be late (an earlier `at` than folded ones): merge by time, stable.
  return [...folded, ...recent].sort((a, b) => a.at - b.at);
}

/**
 * Run before every commit that wrote. Folds the journal once enough entries wait, and prunes
 * old change-only rows in batches, keeping the recent ones for processes reading the feed.
 */
export function maintainJournal(q: SqliteStatements): void {
  const last = q.selectJournalLast.get({})?.seq ?? 0;
  const { folded, floor } = positions(q);
  if (last - folded >= FOLD_AT) fold(q, folded, last);
  if (last - CHANGES_KEPT > floor + PRUNE_BATCH) {
    q.deleteJournalChanges.run({ afterSeq: floor, throughSeq: last - CHANGES_KEPT });
    q.upsertStoreState.run({ name: FEED_FLOOR, value: last - CHANGES_KEPT });
  }
}

/** Folds every waiting entry, so the history index holds them all (before pruning it). */
export function foldAll(q: SqliteStatements): void {
  const last = q.selectJournalLast.get({})?.seq ?? 0;
  const { folded } = positions(q);
  if (last > folded) fold(q, folded, last);
}

/** Deleting history may remove rows a lagging feed reader has not seen: move the floor past them. */
export function raiseFeedFloor(q: SqliteStatements): void {
  const { folded, floor } = positions(q);
  q.upsertStoreState.run({ name: FEED_FLOOR, value: Math.max(floor, folded) });
}

/**
 * Applies the entries in `(folded, last]` to their counters, in the caller's transaction: one
 * statement when they only add non-negative amounts (the usual case), else each window's
 * entries in log order through `applyUsageOp`. Marking them folded adds them to history.
 */
function fold(q: SqliteStatements, folded: number, last: number): void {
  const range = { afterSeq: folded, throughSeq: last };
  if (q.selectJournalComplexEntry.get(range) === undefined) q.foldJournalSums.run(range);
  else foldEach(q, entries(q.selectJournalEntries.all(range)));
  q.markJournalFolded.run(range);
  q.upsertStoreState.run({ name: FOLDED, value: last });
}

function foldEach(q: SqliteStatements, list: readonly UsageEntry[]): void {
  const windows = new Map<string, { entry: UsageEntry; aggregate: UsageAggregate }>();
  for (const entry of list) {
    const id = `${entry.customerId}\u0000${windowId(entry)}`;
    let slot = windows.get(id);
    if (slot === undefined) {
      const stored = q.selectUsageCounter.get(usageKeyToRow(entry));
      slot = { entry, aggregate: stored ? { value: stored.value, count: stored.count } : EMPTY_AGGREGATE };
      windows.set(id, slot);
    }
    slot.aggregate = applyUsageOp(slot.aggregate, entry.op, entry.amount);
    slot.entry = entry;
  }
  for (const { entry, aggregate } of windows.values())
    q.upsertUsageCounter.run({
      ...usageKeyToRow(entry),
      period_start: entry.periodStart,
      period_end: entry.periodEnd,
      value: aggregate.value,
      count: aggregate.count,
      updated_at: entry.at,
    });
}

/**
 * Which customers other store instances changed after `seq`. Seq 0 means "since the beginning";
 * a position behind the feed floor (pruned) or ahead of the journal (another file) means
 * unknown: null.
 */
export function changesAfter(q: SqliteStatements, seq: number, origin: string): ChangeSet {
  const last = q.selectJournalLast.get({})?.seq ?? 0;
  const { floor } = positions(q);
  if (seq > last || (floor > 0 && seq < floor)) return { seq: last, customerIds: null };
  if (seq === last) return { seq, customerIds: [] };
  return { seq: last, customerIds: q.selectChangedCustomers.all({ afterSeq: seq, origin }).map((r) => r.customer_id) };
}
