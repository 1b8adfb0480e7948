// Heap after GC under a steady mixed load on a fixed set of customers (checks, usage reports,
// events, credit grants each consumed whole), on SQLite: what stays in memory must not grow with
// the writes, only with the customers. Needs --expose-gc (npm run bench passes it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Allot, ManualClock } from '../src/index.js';
import { sqliteStore } from '../src/stores/sqlite/index.js';
import { catalog } from './catalog.js';

export interface HeapSoak {
  customers: number;
  seconds: number;
  /** Heap after GC, in MB, at each sample (every `seconds / 12`). */
  samplesMb: number[];
  /** Growth from the end of warm-up (the first quarter) to the end: 0.05 is 5%. */
  growth: number;
  operations: number;
}

export async function heapSoak(customers: number, seconds: number): Promise<HeapSoak> {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error('heapSoak needs node --expose-gc');
  const dir = mkdtempSync(join(tmpdir(), 'allot-soak-'));
  const clock = new ManualClock('2025-01-15T00:00:00Z');
  const allot = Allot.initialize({ catalog, store: sqliteStore({ filename: join(dir, 'soak.db') }), clock });
  try {
    await allot.waitForInitialization();
    for (let i = 0; i < customers; i++) {
      await allot.provisionCustomer({ customerId: `c${i}`, subscriptionParams: { planId: 'pro' } });
      await allot.provisionSubscription({ customerId: `c${i}`, planId: 'ai' });
    }
    const heapMb = () => {
      gc();
      return process.memoryUsage().heapUsed / 2 ** 20;
    };
    const samplesMb: number[] = [];
    const every = (seconds * 1000) / 12;
    const end = performance.now() + seconds * 1000;
    let nextSample = performance.now();
    let operations = 0;
    let key = 0;
    for (let round = 0; performance.now() < end; round++) {
      const customerId = `c${round % customers}`;
      for (let j = 0; j < 20; j++)
        await allot.getMeteredEntitlement({
          customerId: `c${(round * 20 + j) % customers}`,
          featureId: 'api-calls',
          options: { requestedUsage: 1 },
        });
      await allot.reportUsage({ customerId, featureId: 'api-calls', value: 1 });
      await allot.reportEvent(
        Array.from({ length: 5 }, () => ({
          customerId,
          eventName: 'llm.call',
          idempotencyKey: `e${key++}`,
          dimensions: { tokens: 10, model: 'small' },
        })),
      );
      await allot.grantCredits({ customerId, currencyId: 'ai-credits', amount: 10, displayName: 'soak' });
      await allot.consumeCredits({ customerId, currencyId: 'ai-credits', amount: 10, idempotencyKey: `k${key++}` });
      operations += 24;
      // Time moves too, so periods, expiries and retention behave as in production.
      clock.advance(1000);
      if (performance.now() >= nextSample) {
        samplesMb.push(heapMb());
        nextSample += every;
      }
    }
    samplesMb.push(heapMb());
    const warm = samplesMb[Math.floor(samplesMb.length / 4)] ?? samplesMb[0] ?? 0;
    const last = samplesMb.at(-1) ?? warm;
    return { customers, seconds, samplesMb, growth: last / warm - 1, operations };
  } finally {
    await allot.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
