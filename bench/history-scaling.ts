// How getUsageHistory scales with the reports stored: for each size, one customer's reports spread
// over the current period of a SQLite store, then a history of the last three minutes (a start
// point and up to three minute points), timed as the median of several calls.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Allot, ManualClock } from '../src/index.js';
import { sqliteStore } from '../src/stores/sqlite/index.js';
import { catalog } from './catalog.js';

const PERIOD_START = Date.parse('2025-01-01T00:00:00Z');
/** Near the end of the monthly period that starts with the subscription. */
const NOW = Date.parse('2025-01-31T00:00:00Z');
const CALLS = 15;
/** Reports per reportUsageBulk call, its most. */
const BULK = 1000;

export async function historyScaling(sizes: number[]): Promise<{ n: number; ms: number }[]> {
  const figures: { n: number; ms: number }[] = [];
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'allot-history-'));
    const clock = new ManualClock(PERIOD_START);
    const allot = Allot.initialize({ catalog, store: sqliteStore({ filename: join(dir, 'bench.db') }), clock });
    try {
      await allot.waitForInitialization();
      await allot.provisionCustomer({ customerId: 'c', subscriptionParams: { planId: 'pro' } });
      clock.set(NOW);
      const step = (NOW - PERIOD_START) / n;
      for (let i = 0; i < n; i += BULK)
        await allot.reportUsageBulk({
          usages: Array.from({ length: Math.min(BULK, n - i) }, (_, j) => ({
            customerId: 'c',
            featureId: 'api-calls',
            value: 1,
            createdAt: PERIOD_START + Math.floor((i + j) * step),
          })),
        });
      const history = () =>
        allot.getUsageHistory({ customerId: 'c', featureId: 'api-calls', startDate: NOW - 3 * 60_000 });
      await history();
      const times: number[] = [];
      for (let i = 0; i < CALLS; i++) {
        const start = process.hrtime.bigint();
        await history();
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      times.sort((a, b) => a - b);
      figures.push({ n, ms: times[Math.floor(CALLS / 2)] ?? 0 });
    } finally {
      await allot.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return figures;
}
