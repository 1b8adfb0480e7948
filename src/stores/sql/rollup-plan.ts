// How a store answers a usage summary from rollups, and the rollup rows entries add to: the plain
// arithmetic of the rollups, apart from their SQL (rollup-queries.ts), so the SQLite store reads
// history without loading kysely.
import {
  appendRange,
  CellSummaries,
  type CellSummary,
  cellOf,
  entrySummary,
  mergeSummaries,
  type SummaryKind,
  type TimeRange,
} from '../../core/usage-summary.js';
import type { UsageEntry, UsageSummaryQuery } from '../store.js';
import type { UsageRollupsTable } from './schema.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/**
 * The bucket spans kept, smallest first; each divides the next. No minutes: for a counter with a
 * few entries a minute a minute's rollup is about one entry, so it would cost the fold a row per
 * entry and spare a read next to nothing; what is finer than an hour is summed from the journal.
 */
export const ROLLUP_SPANS: readonly number[] = [HOUR, DAY];

const floorTo = (at: number, span: number) => cellOf(at, 0, span);
/** The first bucket boundary of `span` ms at or after `at`. */
const ceilTo = (at: number, span: number) => -floorTo(-at, span);

/** The arguments of `rebuildRollups` after a prune before `before`. */
export const rebuildBefore = (before: number) => ({ before, until: ceilTo(before, DAY) });

/** The rollup rows `entries` add to, each bucket's entries summed up. */
export function entryRollups(entries: readonly UsageEntry[]): UsageRollupsTable[] {
  const rows = new Map<string, UsageRollupsTable>();
  for (const e of entries) {
    const resourceId = e.resourceId ?? '';
    const counter = `${e.customerId}\u0000${resourceId}\u0000${e.featureId}\u0000${e.window}`;
    const summary = entrySummary(e.op, e.amount);
    for (const span of ROLLUP_SPANS) {
      const bucket = floorTo(e.at, span);
      const id = `${counter}\u0000${span}\u0000${bucket}`;
      const had = rows.get(id);
      if (had === undefined)
        rows.set(id, {
          customer_id: e.customerId,
          resource_id: resourceId,
          feature_id: e.featureId,
          span,
          bucket,
          window_key: e.window,
          ...summary,
        });
      // The row is this function's own: merged in place.
      else Object.assign(had, mergeSummaries({ ...had, kind: had.kind as SummaryKind }, summary));
    }
  }
  return [...rows.values()];
}

/** The parameters of `selectRollupCells`: the query's counter and grid, and the plan's pieces. */
export interface RollupCellParams {
  customerId: string;
  resourceId: string;
  featureId: string;
  origin: number;
  width: number;
  /** Piece `i` is the buckets of `spans[i]` starting in `[froms[i], befores[i])`. */
  spans: number[];
  froms: number[];
  befores: number[];
  /** The hours `skipFrom + k * width` hold a cell boundary: left out here, read entry by entry. */
  skipFrom?: number;
}

/** A row of `selectRollupCells` or `selectJournalCells`: one window's summary in one cell. */
export interface CellRow {
  window_key: string;
  /** The cell's index from the origin. */
  cell: number;
  count: number;
  total: number;
  high: number;
  low: number;
  kind: SummaryKind;
  start_at: number;
  end_at: number;
}

/** How a store answers a summary query: whole buckets from the rollups, the rest entry by entry. */
export interface RollupPlan {
  /** Stretches of whole buckets of one span; no bucket read crosses a cell boundary. */
  readonly pieces: readonly { readonly span: number; readonly from: number; readonly before: number }[];
  /** See `RollupCellParams`; set when cell boundaries fall inside hours. */
  readonly skipFrom?: number;
  /** Stretches to read entry by entry, in order: the partial hours at the edges, and the skipped ones. */
  readonly raw: readonly TimeRange[];
}

/**
 * Splits a query's stretch into whole buckets of the largest spans whose buckets never cross a
 * cell boundary (at most three pieces: hours, days, hours), and what is left, read entry by entry:
 * the partial hours at its edges and, when cell boundaries fall inside hours, those hours (one per
 * cell; all of them when cells are not whole hours).
 */
export function rollupPlan(q: UsageSummaryQuery): RollupPlan {
  const aligned = ROLLUP_SPANS.filter((span) => floorTo(q.origin, span) === q.origin && q.width % span === 0);
  const skip = aligned.length === 0;
  const lo = ceilTo(q.from, HOUR);
  const hi = floorTo(q.before, HOUR);
  if (lo >= hi || (skip && (q.width === HOUR || q.width % HOUR !== 0)))
    return { pieces: [], raw: [{ from: q.from, before: q.before }] };
  const spans = skip ? [HOUR] : aligned;
  const pieces: { span: number; from: number; before: number }[] = [];
  let a = lo;
  let b = hi;
  for (const [i, span] of spans.entries()) {
    const next = spans[i + 1];
    if (next === undefined) {
      if (a < b) pieces.push({ span, from: a, before: b });
      break;
    }
    const a2 = Math.min(ceilTo(a, next), b);
    const b2 = Math.max(floorTo(b, next), a2);
    if (a < a2) pieces.push({ span, from: a, before: a2 });
    if (b2 < b) pieces.push({ span, from: b2, before: b });
    a = a2;
    b = b2;
  }
  const raw: TimeRange[] = [];
  appendRange(raw, { from: q.from, before: lo });
  const skipFrom = skip ? floorTo(q.origin, HOUR) : undefined;
  if (skipFrom !== undefined)
    for (let h = skipFrom + Math.ceil((lo - skipFrom) / q.width) * q.width; h < hi; h += q.width)
      appendRange(raw, { from: h, before: h + HOUR });
  appendRange(raw, { from: hi, before: q.before });
  return { pieces, raw, ...(skipFrom === undefined ? {} : { skipFrom }) };
}

/** `selectRollupCells`' parameters for a query's plan. */
export function rollupCellParams(q: UsageSummaryQuery, plan: RollupPlan): RollupCellParams {
  return {
    customerId: q.customerId,
    resourceId: q.resourceId ?? '',
    featureId: q.featureId,
    origin: q.origin,
    width: q.width,
    spans: plan.pieces.map((p) => p.span),
    froms: plan.pieces.map((p) => p.from),
    befores: plan.pieces.map((p) => p.before),
    ...(plan.skipFrom === undefined ? {} : { skipFrom: plan.skipFrom }),
  };
}

/** A query's summaries, from the cell rows read for it (rollups and entries, in any number of parts). */
export function cellSummaries(q: UsageSummaryQuery, rows: readonly CellRow[]): CellSummary[] {
  const summaries = new CellSummaries();
  for (const r of rows)
    summaries.add({
      window: r.window_key,
      cell: q.origin + r.cell * q.width,
      count: r.count,
      total: r.total,
      high: r.high,
      low: r.low,
      kind: r.kind,
      start: r.start_at,
      end: r.end_at,
    });
  return summaries.list();
}
