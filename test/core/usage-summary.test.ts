import { describe, expect, it } from 'vitest';
import { SummaryHistory } from '../../src/core/summary-history.js';
import { applyUsageOp, EMPTY_AGGREGATE, type UsageAggregate, type UsageOp } from '../../src/core/usage-aggregate.js';
import { type HistoryEntry, type UsageSegment, usageHistory } from '../../src/core/usage-history.js';
import { applySummary, CellSummaries, entrySummary, mergeSummaries } from '../../src/core/usage-summary.js';
import { fc } from './fc-setup.js';

const OPS: readonly UsageOp[] = ['add', 'set', 'max', 'min', 'avg'];
const contribution = fc.record({
  op: fc.constantFrom(...OPS),
  // Tenths do not add exactly in binary: an order that matters shows.
  amount: fc.oneof(
    fc.integer({ min: -5, max: 30 }),
    fc.integer({ min: -50, max: 300 }).map((n) => n / 10),
  ),
});

const fold = (from: UsageAggregate, list: readonly { op: UsageOp; amount: number }[]) =>
  list.reduce((a, c) => applyUsageOp(a, c.op, c.amount), from);

describe('applySummary', () => {
  it('for any aggregate and entries, gives what folding them gives in any order, or nothing', () => {
    fc.assert(
      fc.property(
        fc.array(contribution, { maxLength: 6 }),
        fc.array(contribution, { minLength: 1, maxLength: 6 }),
        (before, batch) => {
          const start = fold(EMPTY_AGGREGATE, before);
          const summary = batch.map((c) => entrySummary(c.op, c.amount)).reduce(mergeSummaries);
          const applied = applySummary(start, summary);
          if (applied === undefined) return;
          expect(applied).toEqual(fold(start, batch));
          expect(applied).toEqual(fold(start, [...batch].reverse()));
        },
      ),
    );
  });

  it('applies sums of whole non-negative amounts onto a whole non-negative value, up to 2^53', () => {
    const sum = [entrySummary('add', 3), entrySummary('avg', 4)].reduce(mergeSummaries);
    expect(sum.kind).toBe('sum');
    expect(applySummary({ value: 5, count: 2 }, sum)).toEqual({ value: 12, count: 4 });
    expect(applySummary({ value: 0.5, count: 1 }, sum)).toBeUndefined();
    expect(applySummary({ value: Number.MAX_SAFE_INTEGER - 6, count: 1 }, sum)).toBeUndefined();
    expect(entrySummary('add', -1).kind).toBe('ordered');
    expect(entrySummary('add', 0.5).kind).toBe('ordered');
    expect(entrySummary('set', 1).kind).toBe('ordered');
    expect(mergeSummaries(entrySummary('max', 1), entrySummary('min', 1)).kind).toBe('ordered');
  });
});

describe('SummaryHistory', () => {
  const T = Date.UTC(2025, 0, 10);
  const MINUTE = 60_000;
  const segment = (start: number, end: number, window: string): UsageSegment => ({
    start,
    end,
    window,
    scope: null,
    periodStart: T,
    epoch: 'e',
  });
  const entry = (window: string, at: number, amount: number, op: UsageOp = 'add'): HistoryEntry => ({
    window,
    at,
    op,
    amount,
    dimensions: null,
  });
  const counter = { scope: null, from: T };

  /** History from the entries' own summaries (tight stretches), reading those of the cells it replays. */
  function fromSummaries(range: ConstructorParameters<typeof SummaryHistory>[0], entries: readonly HistoryEntry[]) {
    const history = new SummaryHistory(range);
    const cells = history.requests(counter).flatMap((q) => {
      const summaries = new CellSummaries();
      for (const e of entries) if (e.at >= q.from && e.at < q.before) summaries.addEntry(e, q.origin, q.width);
      return summaries.list();
    });
    history.replay(cells);
    const replayed = history.replayRanges(counter);
    const read = entries.filter((e) => replayed.some((r) => e.at >= r.from && e.at < r.before));
    return { replayed, result: history.history(read) };
  }

  const range = { from: T + 10 * MINUTE, to: T + 20 * MINUTE, reading: 'add' as const };

  it('replays a minute where two windows take turns, and not one where they follow each other', () => {
    const segments = [segment(range.from, T + 15 * MINUTE, 'a'), segment(T + 15 * MINUTE, range.to, 'b')];
    // Window b's entry between two of a's: which window the point shows depends on their order.
    const interleaved = [
      entry('a', T + 11 * MINUTE, 1),
      entry('b', T + 11 * MINUTE + 5, 7),
      entry('a', T + 11 * MINUTE + 9, 1),
    ];
    const turns = fromSummaries({ ...range, segments }, interleaved);
    expect(turns.replayed).toEqual([{ from: T + 11 * MINUTE, before: T + 12 * MINUTE }]);
    expect(turns.result).toEqual(usageHistory({ ...range, segments, entries: interleaved, groupBy: [] }));
    const sequence = [
      entry('a', T + 11 * MINUTE, 1),
      entry('a', T + 11 * MINUTE + 3, 1),
      entry('b', T + 11 * MINUTE + 5, 7),
    ];
    const follows = fromSummaries({ ...range, segments }, sequence);
    expect(follows.replayed).toEqual([]);
    expect(follows.result).toEqual(usageHistory({ ...range, segments, entries: sequence, groupBy: [] }));
  });

  it('replays a minute a reset cuts through when its entries do not show which side they are on', () => {
    const reset = T + 12 * MINUTE + 30_000;
    const segments = [segment(range.from, reset, 'a'), segment(reset, range.to, 'a')];
    const entries = [entry('a', reset - 10, 2), entry('a', reset + 10, 3)];
    const { replayed, result } = fromSummaries({ ...range, segments }, entries);
    expect(replayed).toEqual([{ from: T + 12 * MINUTE, before: T + 13 * MINUTE }]);
    expect(result).toEqual(usageHistory({ ...range, segments, entries, groupBy: [] }));
  });

  it('replays a day before the range with an entry whose order matters, and gives up on a sum onto a fraction', () => {
    const segments = [segment(range.from, range.to, 'a')];
    const entries = [entry('a', T + MINUTE, 0.5, 'set'), entry('a', T + 11 * MINUTE, 2)];
    const { replayed, result } = fromSummaries({ ...range, segments }, entries);
    expect(replayed).toEqual([{ from: T, before: range.from }]);
    expect(result).toBeUndefined();
  });
});
