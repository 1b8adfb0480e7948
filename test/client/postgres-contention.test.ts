// Atomic operations across processes on one PostgreSQL schema: four child processes, each a separate
// app instance with its own pool and its own warm cache, race on one customer, all released at once
// (see helpers/contention.ts). The children live for the whole file (starting one costs seconds); each
// test uses customers of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Allot, type CatalogInput, ManualClock } from '../../src/index.js';
import { ContentionChildren, range } from '../helpers/contention.js';
import {
  dropSchema,
  freshSchema,
  postgresTestStore,
  requirePostgresUrl,
  skipWithoutPostgres,
} from '../helpers/postgres.js';

const NOW = '2025-03-10T12:00:00.000Z';
const FEATURE = 'tokens';
const CURRENCY = 'ai-credits';
const PROCESSES = 4;

const contentionCatalog = {
  features: [{ id: FEATURE, featureType: 'NUMBER', meterType: 'Incremental' }],
  creditCurrencies: [
    { currencyId: CURRENCY, displayName: 'AI credits', units: { singular: 'credit', plural: 'credits' } },
  ],
  products: [{ id: 'app' }],
  plans: [
    {
      id: 'hard',
      productId: 'app',
      entitlements: [{ featureId: FEATURE, usageLimit: 5000, resetPeriod: 'MONTH' }],
    },
  ],
} satisfies CatalogInput;

describe.skipIf(skipWithoutPostgres)('atomic operations across processes on one PostgreSQL schema', () => {
  const schema = freshSchema('allot_contention');
  let children: ContentionChildren;
  /** An instance in this process: provisions before a race, stays open through it, reads after. */
  let parent: Allot;
  const engines: Allot[] = [];
  const open = () => {
    const allot = Allot.initialize({
      catalog: contentionCatalog,
      store: postgresTestStore({ connectionString: requirePostgresUrl(), schema, poolSize: 2 }),
      clock: new ManualClock(NOW),
    });
    engines.push(allot);
    return allot;
  };

  beforeAll(async () => {
    parent = open();
    await parent.waitForInitialization(); // the schema is created and migrated before the children open it
    children = new ContentionChildren(PROCESSES, {
      CONTENTION_STORE: 'postgres',
      CONTENTION_POSTGRES_URL: requirePostgresUrl(),
      CONTENTION_SCHEMA: schema,
      CONTENTION_CATALOG: JSON.stringify(contentionCatalog),
      CONTENTION_NOW: NOW,
    });
  });
  afterAll(async () => {
    await children?.close();
    for (const allot of engines) await allot.close();
    await dropSchema(schema);
  }, 60_000);

  it('grants exactly up to a hard limit: 4 processes × 2,500 checkAndReportUsage of 1 against 5,000', async () => {
    await parent.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'hard' } });

    const results = await children.race({
      op: 'checkAndReport',
      customerId: 'acme',
      featureId: FEATURE,
      attempts: 2500,
      amount: 1,
    });

    for (const r of results) expect(r.granted + r.denied).toBe(2500);
    expect(results.reduce((sum, r) => sum + r.granted, 0)).toBe(5000);
    // Each grant was acknowledged at a distinct usage: the calls were serialised, none lost or stale.
    expect(results.flatMap((r) => r.usages).sort((a, b) => a - b)).toEqual(range(5000));

    // What the store holds, read by an instance that took no part.
    const fresh = open();
    expect(await fresh.getMeteredEntitlement({ customerId: 'acme', featureId: FEATURE })).toMatchObject({
      currentUsage: 5000,
      usageLimit: 5000,
    });
    expect((await fresh.checkAndReportUsage({ customerId: 'acme', featureId: FEATURE, value: 1 })).hasAccess).toBe(
      false,
    );
    // The bystander's next write decides under the lock from the store, not from its stale cache.
    expect((await parent.checkAndReportUsage({ customerId: 'acme', featureId: FEATURE, value: 1 })).hasAccess).toBe(
      false,
    );
  }, 120_000);

  it('consumes a pool exactly once per credit: 4 processes × 25 consumeCredits of 20 against 1,000', async () => {
    await parent.provisionCustomer({ customerId: 'globex' });
    await parent.grantCredits({ customerId: 'globex', currencyId: CURRENCY, amount: 1000, displayName: 'Top-up' });

    const results = await children.race({
      op: 'consumeCredits',
      customerId: 'globex',
      featureId: CURRENCY,
      attempts: 25,
      amount: 20,
    });

    expect(results.reduce((sum, r) => sum + r.granted, 0)).toBe(50);
    expect(results.reduce((sum, r) => sum + r.denied, 0)).toBe(50);
    expect(results.flatMap((r) => r.usages).sort((a, b) => a - b)).toEqual(range(50).map((i) => i * 20));

    const fresh = open();
    const balance = await fresh.getCreditEntitlement({ customerId: 'globex', currencyId: CURRENCY });
    expect(balance.currentBalance).toBe(0);
    const { data: ledger, pageInfo } = await fresh.getCreditLedger({
      customerId: 'globex',
      currencyId: CURRENCY,
      paging: { first: 1000 },
    });
    expect(pageInfo.hasNextPage).toBe(false);
    expect(ledger.filter((e) => e.eventType === 'CREDITS_CONSUMED')).toHaveLength(50);
    expect(ledger.reduce((sum, e) => sum + e.amount, 0)).toBe(balance.currentBalance);
  }, 120_000);

  it('applies an idempotency key once, however many processes send it at once', async () => {
    await parent.provisionCustomer({ customerId: 'initech', subscriptionParams: { planId: 'hard' } });
    const report = { op: 'reportIdempotent', customerId: 'initech', featureId: FEATURE } as const;
    const usage = async () =>
      (await open().getMeteredEntitlement({ customerId: 'initech', featureId: FEATURE })).currentUsage;

    // One key sent by 4 processes at the same instant: applied once, and every sender gets its ack.
    const once = await children.race({ ...report, attempts: 1, amount: 7, key: 'once' });
    expect(once.map((r) => r.usages)).toEqual([[7], [7], [7], [7]]);
    expect(await usage()).toBe(7);

    // 100 keys, each sent by all 4: 100 applications, each acknowledged alike to every sender.
    const many = await children.race({ ...report, attempts: 100, amount: 1, key: 'many' });
    for (const r of many) expect([...r.usages].sort((a, b) => a - b)).toEqual(range(100).map((i) => 7 + i));
    expect(await usage()).toBe(107);
  }, 120_000);
});
