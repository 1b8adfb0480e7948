// What the migrations that add usage rollups are tested with: entries across days, past any batching
// a store does, and the summaries a store gives of them, to compare before and after a backfill.
import type { Store, UsageEntry } from '../../src/stores/store.js';

const T = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;

/** 2,200 entries of one counter every seven minutes, with an occasional SET and fraction. */
export const backfillEntries: readonly UsageEntry[] = Array.from({ length: 2200 }, (_, i) => ({
  customerId: 'c1',
  resourceId: null,
  featureId: 'f',
  window: `w${Math.floor(i / 1000)}`,
  periodStart: null,
  periodEnd: null,
  op: i % 97 === 0 ? 'set' : 'add',
  amount: i % 89 === 0 ? 0.5 : i % 5,
  at: T + i * 7 * 60_000,
  dimensions: null,
}));

/** The counter's summaries by day and by hour, in a fixed order. */
export function backfillSummaries(store: Store) {
  return store.read(async (r) => {
    const key = { customerId: 'c1', resourceId: null, featureId: 'f', from: T - DAY, before: T + 20 * DAY };
    const cells = [
      ...(await r.summarizeUsage({ ...key, origin: T - DAY, width: DAY })),
      ...(await r.summarizeUsage({ ...key, origin: T - DAY, width: DAY / 24 })),
    ];
    return cells.map((c) => JSON.stringify(c)).sort();
  });
}
