// getUsageHistory reads summaries of a store's rollups, and entries one by one only where summaries
// cannot stand for them: for any entries (ops, amounts, dimensions, windows, counters), resets and
// ranges, on every store, before and after a prune, that must give exactly what folding every
// entry gives.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistory } from '../../src/client/services/history.js';
import type { UsageOp } from '../../src/core/usage-aggregate.js';
import { historyCounters, type UsageSegment, usageHistory } from '../../src/core/usage-history.js';
import type { Store, StoreReader, UsageEntry } from '../../src/stores/store.js';
import { propertyRuns, type StoreFixture, stores } from '../helpers/fixtures.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 0, 10);
const WINDOWS = ['w1', 'w2', 'unentitled'];
const FEATURE = 'f';

// Instants on or near hour marks within a day and a half of T0, so entries share minutes, hours and days.
const instant = fc
  .tuple(
    fc.integer({ min: -36, max: 36 }),
    fc.oneof(fc.constant(0), fc.integer({ min: -3, max: 3 })),
    fc.oneof(fc.constant(0), fc.integer({ min: -30_000, max: 30_000 })),
  )
  .map(([hours, minutes, ms]) => T0 + hours * HOUR + minutes * MINUTE + ms);

const entry = fc.record({
  at: instant,
  window: fc.constantFrom(...WINDOWS),
  scope: fc.constantFrom(null, 'r1'),
  op: fc.constantFrom<UsageOp>('add', 'add', 'add', 'add', 'avg', 'max', 'min', 'set'),
  // Mostly whole amounts; some negative or fractional ones; some so large that sums pass 2^53.
  amount: fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 20 }) },
    { weight: 2, arbitrary: fc.integer({ min: -80, max: 80 }).map((n) => n / 10) },
    { weight: 1, arbitrary: fc.constant(2 ** 52) },
  ),
  dimensions: fc.option(fc.record({ model: fc.constantFrom('a', 'b') }), { nil: null }),
});

const segment = fc.record({
  window: fc.constantFrom(...WINDOWS),
  scope: fc.constantFrom(null, 'r1'),
  periodBack: fc.option(fc.integer({ min: 0, max: 3 * DAY }), { nil: null }),
  epoch: fc.constantFrom('e1', 'e2', null),
});

/** A range of minutes, hours or days as points, from an instant that may sit on a minute, hour or day. */
const range = fc
  .record({
    from: instant,
    align: fc.constantFrom(1, MINUTE, HOUR, DAY),
    length: fc.oneof(
      fc.integer({ min: 1, max: DAY }),
      fc.integer({ min: DAY + 1, max: 60 * DAY }),
      fc.integer({ min: 60 * DAY + 1, max: 90 * DAY }),
    ),
    resets: fc.array(instant, { maxLength: 4 }),
    segments: fc.array(segment, { minLength: 5, maxLength: 5 }),
    reading: fc.constantFrom<UsageOp>('add', 'max', 'min', 'avg'),
  })
  .map(({ from: at, align, length, resets, segments, reading }) => {
    const from = Math.floor(at / align) * align;
    const to = from + length;
    const starts = [from, ...new Set(resets.filter((t) => t > from && t < to))].sort((a, b) => a - b);
    return {
      from,
      to,
      reading,
      segments: starts.map(
        (start, i): UsageSegment => ({
          start,
          end: starts[i + 1] ?? to,
          window: segments[i]?.window ?? 'w1',
          scope: segments[i]?.scope ?? null,
          periodStart: segments[i]?.periodBack == null ? null : start - (segments[i]?.periodBack ?? 0),
          epoch: segments[i]?.epoch ?? null,
        }),
      ),
    };
  });

/** The reference: every entry of the counters shown, by time, folded by `usageHistory`. */
async function foldedHistory(
  r: StoreReader,
  customerId: string,
  h: Parameters<typeof readHistory>[2],
  groupBy: readonly string[],
) {
  const lists: UsageEntry[][] = [];
  for (const c of historyCounters(h.segments))
    lists.push(
      await r.listUsageEntries({
        customerId,
        resourceId: c.scope,
        featureId: FEATURE,
        ranges: [{ from: c.from, before: h.to }],
      }),
    );
  return usageHistory({ ...h, groupBy, entries: lists.flat().sort((a, b) => a.at - b.at) });
}

describe.each(stores)('usage history from summaries ($name)', (fixture: StoreFixture) => {
  let store: Store;
  let cleanup: () => void | Promise<void>;
  let run = 0;

  beforeAll(async () => {
    const created = fixture.create();
    store = created.store;
    cleanup = created.cleanup;
    await store.open();
  });

  afterAll(async () => {
    await store.close();
    await cleanup();
  });

  const append = (entries: UsageEntry[]) =>
    store.transaction([`customer:${entries[0]?.customerId}`], (tx) => tx.appendUsage(entries));
  /** As many entries of another customer as any store batches before folding them into its rollups. */
  const pastBatching = () =>
    append(
      Array.from({ length: 2100 }, () => ({
        customerId: 'filler',
        resourceId: null,
        featureId: FEATURE,
        window: 'w1',
        periodStart: null,
        periodEnd: null,
        op: 'add' as const,
        amount: 1,
        at: T0,
        dimensions: null,
      })),
    );

  it('reads an ungrouped history of whole adds from summaries alone, whatever its range', async () => {
    const entries = Array.from({ length: 3000 }, (_, i) => ({
      customerId: 'adds',
      resourceId: null,
      featureId: FEATURE,
      window: 'w1',
      periodStart: null,
      periodEnd: null,
      op: 'add' as const,
      amount: i % 4,
      at: T0 - 5 * DAY + i * 4 * MINUTE + (i % 7) * 1_000,
      dimensions: null,
    }));
    await append(entries.slice(0, 2500));
    await pastBatching();
    await append(entries.slice(2500));
    for (const [from, to] of [
      [T0 + 12_345, T0 + 3 * HOUR + 777],
      [T0 - 2 * DAY + 54_321, T0 + 3 * DAY],
      [T0 - DAY, T0 + 70 * DAY + 1],
    ] as const) {
      const segments = [{ start: from, end: to, window: 'w1', scope: null, periodStart: T0 - 5 * DAY, epoch: 'e' }];
      const h = { segments, from, to, reading: 'add' as const };
      await store.read(async (r) => {
        let listed = 0;
        const counted = new Proxy(r, {
          get(target, name) {
            if (name === 'listUsageEntries') listed += 1;
            const value = Reflect.get(target, name);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
        expect(await readHistory(counted, { customerId: 'adds', featureId: FEATURE }, h, [])).toEqual(
          await foldedHistory(r, 'adds', h, []),
        );
        expect(listed).toBe(0);
      });
    }
  });

  it('equals folding every entry, for any entries, resets and ranges, before and after a prune', {
    timeout: 300_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        // Each transaction's entries, and whether a store's batching then takes them in.
        fc.array(fc.tuple(fc.array(entry, { minLength: 1, maxLength: 30, size: 'max' }), fc.boolean()), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.array(range, { minLength: 1, maxLength: 3 }),
        fc.constantFrom<[] | ['model']>([], [], [], ['model']),
        instant,
        async (txs, ranges, groupBy, pruneBefore) => {
          run += 1;
          const customerId = `h${run}`;
          for (const [list, batched] of txs) {
            await append(
              list.map((e) => ({
                customerId,
                resourceId: e.scope,
                featureId: FEATURE,
                window: e.window,
                periodStart: null,
                periodEnd: null,
                op: e.op,
                amount: e.amount,
                at: e.at,
                dimensions: e.dimensions,
              })),
            );
            if (batched) await pastBatching();
          }
          const agree = () =>
            store.read(async (r) => {
              for (const h of ranges)
                expect(await readHistory(r, { customerId, featureId: FEATURE }, h, groupBy)).toEqual(
                  await foldedHistory(r, customerId, h, groupBy),
                );
            });
          await agree();
          await store.transaction([], (tx) => tx.pruneUsageHistory(pruneBefore));
          await agree();
        },
      ),
      { seed: Number(process.env.FC_SEED ?? 20261121), numRuns: propertyRuns(fixture, 60) },
    );
  });
});
