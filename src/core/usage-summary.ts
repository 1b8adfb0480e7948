// Summaries of usage entries that do not depend on the entries' order: what a store's usage
// rollups keep per window and time bucket, so history can apply a stretch of entries in one step
// instead of folding them one by one, and still get exactly what the fold gives.
import type { UsageAggregate, UsageOp } from './usage-aggregate.js';

/**
 * How a summary's entries combine into an aggregate, whatever their order: 'sum' (adds and AVG
 * samples of whole non-negative amounts: no floor binds and whole numbers add exactly), 'max' or
 * 'min' (entries of that op only), or 'ordered': anything else (SET, a negative or fractional
 * amount, mixed ops), which only a fold in order gets right.
 */
export type SummaryKind = 'sum' | 'max' | 'min' | 'ordered';

/** What a stretch of one window's entries adds up to. */
export interface UsageSummary {
  readonly count: number;
  /** The amounts' sum; only read for the 'sum' kind, where it is exact. */
  readonly total: number;
  readonly high: number;
  readonly low: number;
  readonly kind: SummaryKind;
}

/** The kind of one entry; the SQL stores say the same in SQL (`rollupKind` in rollup-queries.ts). */
export function summaryKind(op: UsageOp, amount: number): SummaryKind {
  if (op === 'max' || op === 'min') return op;
  return (op === 'add' || op === 'avg') && amount >= 0 && Number.isInteger(amount) ? 'sum' : 'ordered';
}

export function entrySummary(op: UsageOp, amount: number): UsageSummary {
  return { count: 1, total: amount, high: amount, low: amount, kind: summaryKind(op, amount) };
}

export function mergeSummaries(a: UsageSummary, b: UsageSummary): UsageSummary {
  return {
    count: a.count + b.count,
    total: a.total + b.total,
    high: Math.max(a.high, b.high),
    low: Math.min(a.low, b.low),
    kind: a.kind === b.kind ? a.kind : 'ordered',
  };
}

/**
 * The aggregate after the summarized entries, exactly as `applyUsageOp` folding them gives it; or
 * undefined when only a fold in order knows: an 'ordered' summary, or a sum onto a value that is
 * not a whole non-negative number, or past 2^53, where doubles stop adding whole numbers exactly.
 */
export function applySummary(a: UsageAggregate, s: UsageSummary): UsageAggregate | undefined {
  const count = a.count + s.count;
  switch (s.kind) {
    case 'sum': {
      const value = a.value + s.total;
      return Number.isInteger(a.value) && a.value >= 0 && value <= Number.MAX_SAFE_INTEGER
        ? { value, count }
        : undefined;
    }
    // An empty aggregate's value is 0, which is where `applyUsageOp` starts MAX from.
    case 'max':
      return { value: Math.max(a.value, s.high), count };
    case 'min':
      return { value: Math.max(0, a.count === 0 ? s.low : Math.min(a.value, s.low)), count };
    case 'ordered':
      return undefined;
  }
}

/** A stretch of time `[from, before)`, in epoch ms. */
export interface TimeRange {
  readonly from: number;
  readonly before: number;
}

/** Appends a range to ranges in order, joined to the last one when they touch. */
export function appendRange(ranges: TimeRange[], range: TimeRange): void {
  if (range.from >= range.before) return;
  const last = ranges.at(-1);
  if (last !== undefined && last.before === range.from) ranges[ranges.length - 1] = { ...last, before: range.before };
  else ranges.push(range);
}

/** The entries of one window in one cell of a grid, summarized. */
export interface CellSummary extends UsageSummary {
  readonly window: string;
  /** Where its cell starts. */
  readonly cell: number;
  /** A stretch `[start, end)` within the cell holding every entry summarized; it may be wider than they span. */
  readonly start: number;
  readonly end: number;
}

/** Where the cell of a grid (cells `width` ms wide from `origin`) holding `at` starts. */
export function cellOf(at: number, origin: number, width: number): number {
  return origin + Math.floor((at - origin) / width) * width;
}

/** Cell summaries merged per window and cell as they are added. */
export class CellSummaries {
  readonly #cells = new Map<string, CellSummary>();

  add(s: CellSummary): void {
    // A cell's start is a number: the first NUL ends it, whatever the window's key holds.
    const id = `${s.cell}\u0000${s.window}`;
    const had = this.#cells.get(id);
    this.#cells.set(
      id,
      had === undefined
        ? s
        : {
            ...mergeSummaries(had, s),
            window: s.window,
            cell: s.cell,
            start: Math.min(had.start, s.start),
            end: Math.max(had.end, s.end),
          },
    );
  }

  /** Adds one entry to its cell of the grid. */
  addEntry(
    e: { readonly window: string; readonly at: number; readonly op: UsageOp; readonly amount: number },
    origin: number,
    width: number,
  ): void {
    this.add({
      ...entrySummary(e.op, e.amount),
      window: e.window,
      cell: cellOf(e.at, origin, width),
      start: e.at,
      end: e.at + 1,
    });
  }

  list(): CellSummary[] {
    return [...this.#cells.values()];
  }
}
