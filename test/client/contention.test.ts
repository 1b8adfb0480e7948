import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Allot, type CatalogInput, ManualClock } from '../../src/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import { race, range } from '../helpers/contention.js';

const NOW = '2025-03-10T12:00:00.000Z';
const FEATURE = 'tokens';

const contentionCatalog = {
  features: [{ id: FEATURE, featureType: 'NUMBER', meterType: 'Incremental' }],
  products: [{ id: 'app' }],
  plans: [
    {
      id: 'hard',
      productId: 'app',
      entitlements: [{ featureId: FEATURE, usageLimit: 5000, resetPeriod: 'MONTH' }],
    },
    {
      id: 'soft',
      productId: 'app',
      entitlements: [{ featureId: FEATURE, usageLimit: 100, hasSoftLimit: true, resetPeriod: 'MONTH' }],
    },
  ],
} satisfies CatalogInput;

/** Runs `processes` children × `attempts` checkAndReportUsage of 1 against the file, all released at once. */
const raceOnFile = (filename: string, customerId: string, processes: number, attempts: number) =>
  race(
    processes,
    { CONTENTION_FILE: filename, CONTENTION_CATALOG: JSON.stringify(contentionCatalog), CONTENTION_NOW: NOW },
    { op: 'checkAndReport', customerId, featureId: FEATURE, attempts, amount: 1 },
  );

describe('checkAndReportUsage across processes sharing one SQLite file', () => {
  let dir: string;
  let filename: string;
  const open = () =>
    Allot.initialize({ catalog: contentionCatalog, store: sqliteStore({ filename }), clock: new ManualClock(NOW) });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'allot-contention-'));
    filename = join(dir, 'allot.db');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Provisions the customer, then closes the engine so only the children write. */
  const provision = async (customerId: string, planId: string) => {
    const allot = open();
    try {
      await allot.provisionCustomer({ customerId, subscriptionParams: { planId } });
    } finally {
      await allot.close();
    }
  };

  /** What a fresh engine sees afterwards, and the usage entries the store logged. */
  const settled = async (customerId: string) => {
    const allot = open();
    try {
      const entitlement = await allot.getMeteredEntitlement({ customerId, featureId: FEATURE });
      const oneMore = await allot.getMeteredEntitlement({
        customerId,
        featureId: FEATURE,
        options: { requestedUsage: 1 },
      });
      const store = sqliteStore({ filename });
      await store.open();
      try {
        const entries = await store.read((r) =>
          r.listUsageEntries({
            customerId,
            resourceId: null,
            featureId: FEATURE,
            ranges: [{ from: 0, before: Date.parse(NOW) + 1 }],
          }),
        );
        return { entitlement, oneMore, entries };
      } finally {
        await store.close();
      }
    } finally {
      await allot.close();
    }
  };

  it('grants exactly up to a hard limit: 4 processes × 2,500 attempts of 1 against 5,000', async () => {
    await provision('acme', 'hard');
    const results = await raceOnFile(filename, 'acme', 4, 2500);

    for (const r of results) expect(r.granted + r.denied).toBe(2500);
    const granted = results.reduce((sum, r) => sum + r.granted, 0);
    const denied = results.reduce((sum, r) => sum + r.denied, 0);
    expect({ granted, denied }).toEqual({ granted: 5000, denied: 5000 });
    // Each grant was acknowledged at a distinct usage: the calls were serialised, none lost.
    const usages = results.flatMap((r) => r.usages).sort((a, b) => a - b);
    expect(usages).toEqual(range(5000));

    const { entitlement, oneMore, entries } = await settled('acme');
    expect(entitlement).toMatchObject({ currentUsage: 5000, usageLimit: 5000, hasAccess: true });
    expect(oneMore.hasAccess).toBe(false);
    expect(entries).toHaveLength(5000);
    expect(entries.every((e) => e.op === 'add' && e.amount === 1)).toBe(true);
  }, 120_000);

  it('grants every attempt over a soft limit: 2 processes × 300 against 100', async () => {
    await provision('globex', 'soft');
    const results = await raceOnFile(filename, 'globex', 2, 300);

    expect(results.map((r) => r.granted)).toEqual([300, 300]);
    expect(results.map((r) => r.denied)).toEqual([0, 0]);
    const usages = results.flatMap((r) => r.usages).sort((a, b) => a - b);
    expect(usages).toEqual(range(600));

    const { entitlement, entries } = await settled('globex');
    expect(entitlement).toMatchObject({ currentUsage: 600, usageLimit: 100, hasSoftLimit: true, hasAccess: true });
    expect(entries).toHaveLength(600);
  }, 120_000);
});
