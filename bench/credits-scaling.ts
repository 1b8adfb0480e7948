// How credit writes scale with a pool's history, on SQLite: the time to grant and then consume
// whole n grants in one pool, and the heap under a steady load of such grants over many customers.
// A pool should cost by its live grants, so both stay flat as used-up grants pile up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Allot, ManualClock } from '../src/index.js';
import { sqliteStore } from '../src/stores/sqlite/index.js';
import { catalog } from './catalog.js';

const CURRENCY = 'ai-credits';

/** An engine on a fresh SQLite file in a temporary directory, with customers c0.. provisioned. */
interface CreditBench {
  /** Grants 10 credits to the customer and consumes all 10, a second later than the last write. */
  grantThenConsume(customerId: string): Promise<void>;
  /** Closes the engine and removes the directory. */
  close(): Promise<void>;
}

async function creditBench(customers: number): Promise<CreditBench> {
  const dir = mkdtempSync(join(tmpdir(), 'allot-credits-'));
  const clock = new ManualClock('2025-01-15T00:00:00Z');
  const allot = Allot.initialize({ catalog, store: sqliteStore({ filename: join(dir, 'credits.db') }), clock });
  await allot.waitForInitialization();
  for (let i = 0; i < customers; i++) await allot.provisionCustomer({ customerId: `c${i}` });
  let writes = 0;
  return {
    async grantThenConsume(customerId) {
      clock.advance(1000);
      const pool = { customerId, currencyId: CURRENCY };
      await allot.grantCredits({ ...pool, amount: 10, displayName: 'Top-up' });
      await allot.consumeCredits({ ...pool, amount: 10, idempotencyKey: `use-${++writes}` });
    },
    async close() {
      await allot.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For each n, on a fresh SQLite store: the seconds taken to grant n grants one by one to one
 * customer's pool, each consumed whole right after it is granted.
 *
 * @example await creditScaling([2_000, 20_000]) // [{ n: 2000, seconds: 1.1 }, { n: 20000, seconds: 11 }]
 */
export async function creditScaling(sizes: readonly number[]): Promise<{ n: number; seconds: number }[]> {
  const results: { n: number; seconds: number }[] = [];
  for (const n of sizes) {
    const bench = await creditBench(1);
    try {
      const begin = performance.now();
      for (let i = 0; i < n; i++) await bench.grantThenConsume('c0');
      results.push({ n, seconds: (performance.now() - begin) / 1000 });
    } finally {
      await bench.close();
    }
  }
  return results;
}
