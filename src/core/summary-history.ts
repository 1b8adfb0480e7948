// Usage history from summaries: a store's rollups give each window's usage per stretch of time, so
// a history reads about as many rows as it shows points, plus the entries of the few stretches a
// summary cannot stand for. The result is exactly `usageHistory`'s over every entry; when it
// cannot be (a sum past 2^53, or onto a fraction), `history` says so and the caller reads them all.
import {
  foldHistory,
  type HistoryCounter,
  type HistoryEntry,
  type HistoryRange,
  historyBucket,
  type SummaryStep,
  type UsageHistoryResult,
} from './usage-history.js';
import { appendRange, CellSummaries, type CellSummary, cellOf, type TimeRange } from './usage-summary.js';

const DAY = 86_400_000;

/** A stretch of a counter's entries to summarize, per window and per cell of `width` ms from `origin`. */
export interface SummaryRequest extends TimeRange {
  readonly origin: number;
  readonly width: number;
}

/**
 * An ungrouped history read in two rounds: `requests` says what to summarize of each counter,
 * `replay` takes the summaries and says which stretches to read entry by entry, and `history`
 * folds the two together.
 */
export class SummaryHistory {
  readonly #range: HistoryRange;
  readonly #bucket: number;
  readonly #windows: ReadonlySet<string>;
  /** The summaries of the windows shown, per cell (by its start), in time order. */
  readonly #cells = new Map<number, CellSummary[]>();
  /** Cells whose entries are read one by one instead. */
  readonly #replayed = new Set<number>();

  constructor(range: HistoryRange) {
    this.#range = range;
    this.#bucket = range.bucket ?? historyBucket(range.from, range.to);
    this.#windows = new Set(range.segments.map((s) => s.window));
  }

  /**
   * What to summarize of a counter: what it read before the range by day (the usage the range
   * starts with; a day holding an entry that needs the fold is read one by one), then the range
   * by point bucket.
   */
  requests(counter: HistoryCounter): SummaryRequest[] {
    const { from, to } = this.#range;
    const requests: SummaryRequest[] = [];
    if (counter.from < from)
      requests.push({ from: counter.from, before: from, origin: cellOf(counter.from, 0, DAY), width: DAY });
    const start = Math.max(from, counter.from);
    if (start < to) requests.push({ from: start, before: to, origin: from, width: this.#bucket });
    return requests;
  }

  /**
   * Takes every counter's summaries and picks the cells to read entry by entry: one with a
   * summary only a fold in order gets right and, within the range, one where the point's value
   * cannot be told from summaries: two windows' stretches overlap (which was used last?) or one
   * crosses a reset (which side is it on?).
   */
  replay(summaries: readonly CellSummary[]): void {
    const merged = new CellSummaries();
    for (const s of summaries) if (this.#windows.has(s.window)) merged.add(s);
    for (const s of merged.list()) {
      const cell = this.#cells.get(s.cell);
      if (cell === undefined) this.#cells.set(s.cell, [s]);
      else cell.push(s);
    }
    for (const [start, cell] of this.#cells) {
      cell.sort((a, b) => a.start - b.start);
      const unordered = cell.some((s) => s.kind === 'ordered');
      const unclear =
        start >= this.#range.from &&
        cell.some(
          (s, i) => this.#segmentAt(s.start) !== this.#segmentAt(s.end - 1) || (cell[i - 1]?.end ?? s.start) > s.start,
        );
      if (unordered || unclear) this.#replayed.add(start);
    }
  }

  /** The stretches of a counter to read entry by entry, in order: its part of the replayed cells. */
  replayRanges(counter: HistoryCounter): TimeRange[] {
    const { from, to } = this.#range;
    const ranges: TimeRange[] = [];
    for (const cell of [...this.#replayed].sort((a, b) => a - b))
      appendRange(ranges, {
        from: Math.max(cell, counter.from),
        before: cell < from ? Math.min(cell + DAY, from) : Math.min(cell + this.#bucket, to),
      });
    return ranges;
  }

  /**
   * The history, from the summaries of the cells not replayed and `entries`, those of the replayed
   * ones (every counter's, by time); undefined when a summary could not apply exactly.
   */
  history(entries: readonly HistoryEntry[]): UsageHistoryResult | undefined {
    const steps: (HistoryEntry | SummaryStep)[] = [...entries];
    for (const [start, cell] of this.#cells)
      if (!this.#replayed.has(start)) for (const s of cell) steps.push({ window: s.window, at: s.start, summary: s });
    // Stable: entries keep their order; a cell is summaries or entries, never both.
    steps.sort((a, b) => a.at - b.at);
    return foldHistory({ ...this.#range, bucket: this.#bucket }, steps, []);
  }

  /** The index of the segment holding `at` (within the range). */
  #segmentAt(at: number): number {
    const { segments } = this.#range;
    let low = 0;
    let high = segments.length - 1;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if ((segments[mid]?.start ?? 0) <= at) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}
