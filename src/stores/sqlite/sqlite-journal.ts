// Usage reports append one journal row each, the cheapest durable write SQLite has; a fold every
// `foldEvery` rows (a store option) applies them to the per-window counters and the rollups and
// adds them to the history index in one batch. Readers add the unfolded rows to what they read
// from those.
import type { Selectable } from 'kysely';
import { applyUsageOp, EMPTY_AGGREGATE, type UsageAggregate } from '../../core/usage-aggregate.js';
import type { CellSummary, TimeRange } from '../../core/usage-summary.js';
import type { UsageRecord } from '../../model/records.js';
import { cellSummaries, rebuildBefore, rollupCellParams, rollupPlan } from '../sql/rollup-plan.js';
import type { JournalTable, UsageEntryRow } from '../sql/schema.js';
import {
  historyParams,
  rowToUsage,
  rowToUsageEntry,
  usageEntryToRow,
  usageKeyToRow,
  usageRecordToRow,
} from '../sql/usage-queries.js';
import type { ChangeSet, UsageEntry, UsageEntryQuery, UsageKey, UsageSummaryQuery, UsageWindowKey } from '../store.js';
import type { SqliteStatements } from './sqlite-statements.js';

/** Change-only rows kept for processes reading the feed; one further behind reloads every cached customer. */
const CHANGES_KEPT = 10_000;
/** Change rows pruned at once, so pruning runs once per this many commits rather than at every one. */
const PRUNE_BATCH = 1_000;
/** Journal position up to which entries are in the counters. */
const FOLDED = 'journal_folded_seq';
/** Feed positions before this one may miss changes (rows after them were pruned). */
const FEED_FLOOR = 'journal_feed_floor';
/** 1 once a fractional amount was folded: from then on every fold adds entry by entry (see `fold`). */
const FRACTIONAL = 'journal_fractional';

/** The store's fold position, feed floor and fractional flag, in one read. */
function positions(q: SqliteStatements): { folded: number; floor: number; fractional: boolean } {
  let folded = 0;
  let floor = 0;
  let fractional = false;
  for (const { name, value } of q.selectStoreStates.all({})) {
    if (name === FOLDED) folded = value;
    else if (name === FEED_FLOOR) floor = value;
    else if (name === FRACTIONAL) fractional = value === 1;
  }
  return { folded, floor, fractional };
}

/** The later of two period ends; null (never ends) wins. */
const laterEnd = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.max(a, b));

/** Journal rows without a feature only mark a changed customer; the others hold usage entries. */
const entries = (rows: Selectable<JournalTable>[]): UsageEntry[] =>
  rows.filter((r) => r.feature_id !== null).map((r) => rowToUsageEntry(r as UsageEntryRow));

/** A customer's unfolded usage entries, in log order. */
function unfolded(q: SqliteStatements, customerId: string): UsageEntry[] {
  return entries(q.selectCustomerJournal.all({ afterSeq: positions(q).folded, customerId }));
}

/** A counter's unfolded entries that happened in one of `ranges`, in log order. */
function unfoldedIn(q: SqliteStatements, key: UsageKey, ranges: readonly TimeRange[]): UsageEntry[] {
  return unfolded(q, key.customerId).filter(
    (e) =>
      e.featureId === key.featureId &&
      e.resourceId === key.resourceId &&
      ranges.some((r) => e.at >= r.from && e.at < r.before),
  );
}

/** A counter's folded entries in `ranges`, by time (then log order), through the history index. */
function foldedIn(q: SqliteStatements, key: UsageKey, ranges: readonly TimeRange[]): UsageEntry[] {
  return ranges.flatMap((r) => entries(q.selectUsageHistory.all(historyParams(key, [r]))));
}

const windowId = (k: UsageWindowKey) => `${k.resourceId ?? ''}\u0000${k.featureId}\u0000${k.window}`;

/**
 * The customer's counters of windows not ended by `now`, with the unfolded entries applied. A
 * window's period is the latest its entries gave (a plan change can keep a window's key and
 * lengthen its period), so a window with unfolded entries is read whatever its stored period.
 */
export function customerUsage(q: SqliteStatements, customerId: string, now: number): UsageRecord[] {
  const counters = new Map<string, UsageRecord>();
  for (const row of q.selectCustomerUsage.all({ customerId, now })) {
    const record = rowToUsage(row);
    counters.set(windowId(record), record);
  }
  for (const e of unfolded(q, customerId)) {
    const id = windowId(e);
    let before = counters.get(id);
    if (before === undefined) {
      const row = q.selectUsageCounter.get(usageKeyToRow(e));
      before = row && rowToUsage(row);
    }
    const next = applyUsageOp(before ?? EMPTY_AGGREGATE, e.op, e.amount);
    counters.set(id, {
      customerId,
      resourceId: e.resourceId,
      featureId: e.featureId,
      window: e.window,
      periodStart: e.periodStart,
      periodEnd: before ? laterEnd(before.periodEnd, e.periodEnd) : e.periodEnd,
      value: next.value,
      count: next.count,
      updatedAt: e.at,
    });
  }
  return [...counters.values()].filter((u) => u.periodEnd === null || u.periodEnd > now);
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

/** A counter's entries in the query's ranges: the folded ones through the history index, then the unfolded ones. */
export function counterEntries(q: SqliteStatements, query: UsageEntryQuery): UsageEntry[] {
  // Unfolded entries can be late (an earlier `at` than folded ones): merge by time, stable.
  return [...foldedIn(q, query, query.ranges), ...unfoldedIn(q, query, query.ranges)].sort((a, b) => a.at - b.at);
}

/**
 * A counter's summaries: the rollups of whole buckets, the folded entries of the rest (a stretch
 * per statement, for the index), and the unfolded entries, which no rollup holds yet, wherever
 * they fall. SQL sums them all up, so only a row per window and cell comes back.
 */
export async function counterSummaries(q: SqliteStatements, query: UsageSummaryQuery): Promise<CellSummary[]> {
  const plan = rollupPlan(query);
  const grid = { origin: query.origin, width: query.width };
  // The rollup read's text depends on how many buckets it spans: compiled per shape, on first use.
  const rollups = plan.pieces.length === 0 ? [] : await q.selectRollupCells.all(rollupCellParams(query, plan));
  const rows = [
    ...rollups,
    ...plan.raw.flatMap((r) => q.selectJournalCells.all({ ...historyParams(query, [r]), ...grid })),
    ...q.selectUnfoldedCells.all({ ...historyParams(query, [query]), ...grid, afterSeq: positions(q).folded }),
  ];
  return cellSummaries(query, rows);
}

/** Where the journal stands: its last row, and the fold position, feed floor and fractional flag. */
export interface JournalPositions {
  readonly last: number;
  readonly folded: number;
  readonly floor: number;
  readonly fractional: boolean;
}

function journalPositions(q: SqliteStatements): JournalPositions {
  return { last: q.selectJournalLast.get({})?.seq ?? 0, ...positions(q) };
}

/**
 * Run before every commit that wrote. Folds the journal once `foldEvery` entries wait (readers
 * scan at most about that many rows per customer load), and prunes
 * old change-only rows in batches, keeping the recent ones for processes reading the feed.
 * `known` is where the journal stood after this connection's last commit, when nobody wrote since:
 * then the `added` rows of this transaction moved only its end (a rowid table without
 * AUTOINCREMENT numbers each row one past the last), and the hot commit reads nothing. Returns
 * where it stands now.
 */
export function maintainJournal(
  q: SqliteStatements,
  known: JournalPositions | undefined,
  added: number,
  foldEvery: number,
): JournalPositions {
  const at = known === undefined ? journalPositions(q) : { ...known, last: known.last + added };
  const { last, folded, floor, fractional } = at;
  const folding = last - folded >= foldEvery;
  const pruning = last - CHANGES_KEPT > floor + PRUNE_BATCH;
  if (folding) fold(q, folded, last, fractional);
  if (pruning) {
    q.deleteJournalChanges.run({ afterSeq: floor, throughSeq: last - CHANGES_KEPT });
    q.upsertStoreState.run({ name: FEED_FLOOR, value: last - CHANGES_KEPT });
  }
  return folding || pruning ? journalPositions(q) : at;
}

/** Folds every waiting entry, so the history index holds them all (before pruning it, or writing past it). */
function foldAll(q: SqliteStatements): void {
  const last = q.selectJournalLast.get({})?.seq ?? 0;
  const { folded, fractional } = positions(q);
  if (last > folded) fold(q, folded, last, fractional);
}

/**
 * Logs entries for history only: journaled and marked folded at once, with their rollups, so no
 * counter ever adds them. What waits to be folded is folded first, as the fold position moves past it.
 */
export function appendHistory(q: SqliteStatements, origin: string, list: readonly UsageEntry[]): void {
  if (list.length === 0) return;
  foldAll(q);
  const afterSeq = q.selectJournalLast.get({})?.seq ?? 0;
  for (const e of list) q.insertJournalEntry.run({ ...usageEntryToRow(e), origin });
  const range = { afterSeq, throughSeq: q.selectJournalLast.get({})?.seq ?? afterSeq };
  groupEntries(q, range);
  foldRollups(q);
  q.markJournalFolded.run(range);
  q.upsertStoreState.run({ name: FOLDED, value: range.throughSeq });
}

/** Sets window aggregates as given, once what waits to be folded is in them (it would add on top). */
export function putCounters(q: SqliteStatements, counters: readonly UsageRecord[]): void {
  foldAll(q);
  for (const counter of counters) q.upsertUsageCounter.run(usageRecordToRow(counter));
}

/**
 * Forgets folded entries that happened before `before`; returns how many. A feed reader behind
 * the newest of them may miss those customers' changes, so the feed floor moves past it (and
 * only that far: a prune of old history leaves readers of recent changes alone).
 */
export function pruneHistory(q: SqliteStatements, before: number): number {
  foldAll(q);
  const lastSeq = q.selectJournalLast.get({})?.seq ?? 0;
  const end = q.selectUsageHistoryPruneEnd.get({ before, lastSeq })?.seq ?? null;
  if (end === null) return 0;
  const pruned = q.deleteUsageHistoryBefore.run({ before, lastSeq });
  q.deleteRollupsBefore.run({ before });
  q.rebuildRollups.run(rebuildBefore(before));
  const { floor } = positions(q);
  if (end > floor) q.upsertStoreState.run({ name: FEED_FLOOR, value: end });
  return pruned;
}

/**
 * Applies the entries in `(folded, last]` to their counters, in the caller's transaction: one
 * statement when they only add whole non-negative amounts (the usual case), else each window's
 * entries in log order through `applyUsageOp`, as the cache does. SQL's sum() adds a batch then
 * the counter, so once any fraction was folded every later fold goes entry by entry: a fraction
 * in a counter makes the order of additions matter. Marking entries folded adds them to history.
 */
function fold(q: SqliteStatements, folded: number, last: number, fractional: boolean): void {
  const range = { afterSeq: folded, throughSeq: last };
  groupEntries(q, range);
  if (!fractional && q.selectJournalComplexEntry.get(range) === undefined) q.foldGroupCounters.run({});
  else {
    const list = entries(q.selectJournalEntries.all(range));
    foldEach(q, list);
    if (!fractional && list.some((e) => !Number.isInteger(e.amount)))
      q.upsertStoreState.run({ name: FRACTIONAL, value: 1 });
  }
  foldRollups(q);
  q.markJournalFolded.run(range);
  q.upsertStoreState.run({ name: FOLDED, value: last });
}

/** Groups a fold's entries by counter and hour, once, for the counters and rollups to read (sqlite-fold-queries.ts). */
function groupEntries(q: SqliteStatements, range: { afterSeq: number; throughSeq: number }): void {
  q.createFoldGroups.run({});
  q.insertFoldGroups.run(range);
}

/** Adds the grouped entries to the hour and day rollups, and empties the groups. */
function foldRollups(q: SqliteStatements): void {
  q.foldGroupHours.run({});
  q.foldGroupDays.run({});
  q.clearFoldGroups.run({});
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
 * Which customers other store instances changed after `seq`. A position behind the feed floor
 * (pruned), ahead of the journal (another file) or 0 (a reader starting, with nothing cached to
 * check: not worth scanning the whole journal) means unknown: null.
 */
export function changesAfter(q: SqliteStatements, seq: number, origin: string): ChangeSet {
  const last = q.selectJournalLast.get({})?.seq ?? 0;
  const { floor } = positions(q);
  if (seq === 0 || seq > last || (floor > 0 && seq < floor)) return { seq: last, customerIds: null };
  if (seq === last) return { seq, customerIds: [] };
  return { seq: last, customerIds: q.selectChangedCustomers.all({ afterSeq: seq, origin }).map((r) => r.customer_id) };
}
