// Usage reports append one journal row each, the cheapest durable write SQLite has; a fold every
// few hundred rows applies them to the per-window counters and moves them to history in one
// batch. Readers add the few unfolded rows to what they read from the counters.

import type { Selectable } from 'kysely';
import type { UsageRecord } from '../../core/records.js';
import { applyUsageOp, EMPTY_AGGREGATE, type UsageAggregate } from '../../core/usage-aggregate.js';
import { rowToUsage, rowToUsageEntry, usageKeyToRow } from '../sql/queries.js';
import type { JournalTable, UsageHistoryTable } from '../sql/schema.js';
import type { ChangeSet, UsageEntry, UsageEntryQuery, UsageWindowKey } from '../store.js';
import type { SqliteStatements } from './sqlite-statements.js';

/** Unfolded entries that trigger a fold. Readers scan at most about this many rows per customer load. */
export const FOLD_AT = 512;
/** Journal rows kept for processes reading the feed; one further behind reloads every cached customer. */
const JOURNAL_KEPT = 10_000;
/** Rows pruned at once, so pruning runs once per this many commits rather than at every one. */
const PRUNE_BATCH = 1_000;
const FOLDED = 'journal_folded_seq';

/** The journal position up to which entries are in the counters and history. */
export function foldedSeq(q: SqliteStatements): number {
  return q.selectStoreState.get({ name: FOLDED })?.value ?? 0;
}

type JournalRow = Selectable<JournalTable>;
type EntryRow = UsageHistoryTable;

/** Journal rows without a feature only mark a changed customer; the others hold usage entries. */
const entryRows = (rows: JournalRow[]): EntryRow[] =>
  rows.filter((r) => r.feature_id !== null).map(({ origin: _origin, ...row }) => row as EntryRow);

/** A customer's unfolded usage entries, in log order. */
function unfolded(q: SqliteStatements, customerId: string, afterSeq: number): UsageEntry[] {
  return entryRows(q.selectCustomerJournal.all({ afterSeq, customerId })).map(rowToUsageEntry);
}

const windowId = (k: UsageWindowKey) => JSON.stringify([k.resourceId ?? '', k.featureId, k.window]);

/** The customer's counters of windows not ended by `now`, with the unfolded entries applied. */
export function customerUsage(q: SqliteStatements, customerId: string, now: number): UsageRecord[] {
  const counters = new Map<string, UsageRecord>();
  for (const row of q.selectCustomerUsage.all({ customerId, now })) {
    const record = rowToUsage(row);
    counters.set(windowId(record), record);
  }
  for (const e of unfolded(q, customerId, foldedSeq(q))) {
    if (e.periodEnd !== null && e.periodEnd <= now) continue;
    const id = windowId(e);
    const before = counters.get(id);
    const next = applyUsageOp(before ?? EMPTY_AGGREGATE, e.op, e.amount);
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
  for (const e of unfolded(q, key.customerId, foldedSeq(q)))
    if (windowId(e) === id) aggregate = applyUsageOp(aggregate ?? EMPTY_AGGREGATE, e.op, e.amount);
  return aggregate;
}

/** A counter's entries in `[from, before)`: the folded ones from history, then the unfolded ones. */
export function counterEntries(q: SqliteStatements, key: UsageEntryQuery): UsageEntry[] {
  const resourceId = key.resourceId ?? '';
  const folded = q.selectUsageHistory.all({ ...key, resourceId }).map(rowToUsageEntry);
  const recent = unfolded(q, key.customerId, foldedSeq(q)).filter(
    (e) =>
      e.featureId === key.featureId && (e.resourceId ?? '') === resourceId && e.at >= key.from && e.at < key.before,
  );
  // Unfolded entries can be late (an earlier `at` than folded ones): merge by time, stable.
  return [...folded, ...recent].sort((a, b) => a.at - b.at);
}

/**
 * Run before every commit that wrote. Folds the journal once enough entries wait: each window's
 * entries are applied in log order to its counter and copied to history, and the fold position
 * advances, all in the caller's transaction. Then prunes old journal rows in batches, keeping the
 * recent ones for processes reading the change feed.
 */
export function maintainJournal(q: SqliteStatements): void {
  const last = q.selectJournalLast.get({})?.seq ?? 0;
  let folded = foldedSeq(q);
  if (last - folded >= FOLD_AT) folded = fold(q, folded, last);
  const first = q.selectJournalFirst.get({})?.seq ?? last;
  if (first < last - JOURNAL_KEPT - PRUNE_BATCH)
    q.deleteJournalThrough.run({ throughSeq: Math.min(folded, last - JOURNAL_KEPT) });
}

/** Folds every waiting entry, so history holds them all (before pruning it). */
export function foldAll(q: SqliteStatements): void {
  const last = q.selectJournalLast.get({})?.seq ?? 0;
  const folded = foldedSeq(q);
  if (last > folded) fold(q, folded, last);
}

/** Folds the entries after `folded` through `last`; returns the new fold position. */
function fold(q: SqliteStatements, folded: number, last: number): number {
  const rows = entryRows(q.selectJournalEntries.all({ afterSeq: folded, throughSeq: last }));
  const windows = new Map<string, { entry: UsageEntry; aggregate: UsageAggregate }>();
  for (const row of rows) {
    const entry = rowToUsageEntry(row);
    const id = JSON.stringify([entry.customerId, windowId(entry)]);
    let slot = windows.get(id);
    if (slot === undefined) {
      const stored = q.selectUsageCounter.get(usageKeyToRow(entry));
      slot = { entry, aggregate: stored ? { value: stored.value, count: stored.count } : EMPTY_AGGREGATE };
      windows.set(id, slot);
    }
    slot.aggregate = applyUsageOp(slot.aggregate, entry.op, entry.amount);
    slot.entry = entry;
    q.insertUsageHistory.run(row);
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
  q.upsertStoreState.run({ name: FOLDED, value: last });
  return last;
}

/**
 * Which customers other store instances changed after `seq`. Seq 0 means "since the beginning";
 * a position the journal no longer holds (pruned, or another file) means unknown: null.
 */
export function changesAfter(q: SqliteStatements, seq: number, origin: string): ChangeSet {
  const first = q.selectJournalFirst.get({})?.seq ?? null;
  const last = q.selectJournalLast.get({})?.seq ?? 0;
  if (seq > last || (first !== null && seq < first - 1)) return { seq: last, customerIds: null };
  if (seq === last) return { seq, customerIds: [] };
  return { seq: last, customerIds: q.selectChangedCustomers.all({ afterSeq: seq, origin }).map((r) => r.customer_id) };
}
