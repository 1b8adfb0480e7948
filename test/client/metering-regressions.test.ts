// Regressions from reviews of the metering work: each names the behaviour it pins.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Allot, type CatalogInput, type Store, type StoreTransaction } from '../../src/index.js';
import { type Harness, harness, START, stores } from '../helpers/fixtures.js';

const DAY = 86_400_000;
const start = Date.parse(START);

/** A store whose next transaction waits for `hold()`'s release: a write in flight while time moves. */
function gated(inner: Store) {
  let gate: Promise<void> | undefined;
  const store: Store = {
    name: `gated(${inner.name})`,
    capabilities: inner.capabilities,
    open: () => inner.open(),
    close: () => inner.close(),
    read: (fn) => inner.read(fn),
    transaction: async <T>(keys: readonly string[], fn: (tx: StoreTransaction) => Promise<T>) => {
      const waiting = gate;
      gate = undefined;
      if (waiting) await waiting;
      return inner.transaction(keys, fn);
    },
    ...(inner.changeToken ? { changeToken: () => inner.changeToken?.() ?? 0 } : {}),
  };
  const hold = () => {
    let release = () => {};
    gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return release;
  };
  return { store, hold };
}

const resettingCatalog = {
  features: [
    { id: 'calls', featureType: 'NUMBER', meterType: 'Incremental' },
    {
      id: 'tokens',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      meter: { eventName: 'call', aggregation: { function: 'SUM', field: 'tokens' } },
    },
  ],
  products: [{ id: 'app', usageResetCutoffRule: 'NEVER_RESET' }],
  plans: [
    {
      id: 'daily',
      productId: 'app',
      entitlements: [
        { featureId: 'calls', usageLimit: 100, resetPeriod: 'DAY' },
        { featureId: 'tokens', usageLimit: 1e9, resetPeriod: 'MONTH' },
      ],
    },
    { id: 'monthly', productId: 'app', entitlements: [{ featureId: 'calls', usageLimit: 100, resetPeriod: 'MONTH' }] },
  ],
} satisfies CatalogInput;

describe.each(stores)('metering regressions ($name)', (fixture) => {
  let h: Harness;
  const usage = async (allot = h.allot, featureId = 'calls') =>
    (await allot.getMeteredEntitlement({ customerId: 'acme', featureId })).currentUsage;
  const report = (value: number, extra: object = {}) =>
    h.allot.reportUsage({ customerId: 'acme', featureId: 'calls', value, ...extra });

  beforeEach(async () => {
    h = await harness(fixture, { catalog: resettingCatalog });
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'daily' } });
  });
  afterEach(() => h.close());

  it('a check keeps seeing writes after a write in flight crossed a period boundary', async () => {
    const { store, hold } = gated(h.store);
    const allot = Allot.initialize({ catalog: resettingCatalog, store, clock: h.clock });
    await allot.waitForInitialization();
    const check = async () =>
      (await allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'calls' })).currentUsage;
    h.clock.set(start + DAY - 1000);
    expect(await check()).toBe(0);
    const release = hold();
    const inFlight = allot.reportUsage({ customerId: 'acme', featureId: 'calls', value: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    h.clock.set(start + DAY + 1000);
    expect(await check()).toBe(0);
    release();
    await inFlight;
    for (let i = 0; i < 3; i++) await allot.reportUsage({ customerId: 'acme', featureId: 'calls', value: 40 });
    expect(await check()).toBe(120);
    const refused = await allot.checkAndReportUsage({ customerId: 'acme', featureId: 'calls', value: 50 });
    expect(refused.hasAccess).toBe(false);
    await allot.close();
  });

  it('a check sees a write made after the clock moved back past a failed batch', async () => {
    await report(5);
    h.clock.set(start + 1000);
    expect(await usage()).toBe(5);
    h.clock.set(start + 3 * DAY);
    await h.allot
      .reportUsageBulk({
        usages: [
          { customerId: 'acme', featureId: 'calls', value: 1 },
          { customerId: 'acme', featureId: 'nope', value: 1 },
        ],
      })
      .catch(() => undefined);
    h.clock.set(start + 2000);
    expect(await usage()).toBe(5);
    expect((await report(3)).currentUsage).toBe(8);
    expect(await usage()).toBe(8);
  });

  it('acknowledges successive late reports into an ended period with its running total', async () => {
    await report(5);
    h.clock.set(start + 3 * DAY);
    expect((await report(3, { createdAt: start + 60_000 })).currentUsage).toBe(8);
    expect((await report(3, { createdAt: start + 120_000 })).currentUsage).toBe(11);
  });

  it('keeps usage when a plan change keeps the window but lengthens its period, in a fresh engine too', async () => {
    await report(3);
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'monthly' });
    await report(2);
    h.clock.set(start + 2 * DAY);
    await report(1);
    expect(await usage()).toBe(6);
    expect(await usage(await h.reopen())).toBe(6);
  });

  it('never loses usage reported after pruning everything up to now, in a fresh engine too', async () => {
    for (let i = 0; i < 5; i++) await report(1);
    await h.allot.pruneUsageHistory({ before: h.clock.now() + 1 });
    for (let i = 0; i < 3; i++) await report(1);
    expect(await usage()).toBe(8);
    expect(await usage(await h.reopen())).toBe(8);
  });

  it('dedupes a retried backfilled event even when it is older than the retention', async () => {
    const kept = await harness(fixture, { catalog: resettingCatalog, usageHistoryRetentionMs: 30 * DAY });
    try {
      await kept.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'daily' } });
      kept.clock.set(start + 45 * DAY);
      const event = { customerId: 'acme', eventName: 'call', idempotencyKey: 'old', dimensions: { tokens: 1 } };
      // The write that stores it also starts the hourly prune, which must not take its key.
      expect(await kept.allot.reportEvent({ ...event, timestamp: start + DAY })).toEqual({
        accepted: 1,
        duplicates: 0,
      });
      expect(await kept.allot.reportEvent({ ...event, timestamp: start + DAY })).toEqual({
        accepted: 0,
        duplicates: 1,
      });
    } finally {
      await kept.close();
    }
  });

  it('agrees with a fresh engine on fractional usage across folds', async () => {
    h.clock.set(start + 1000);
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'monthly' });
    for (let i = 0; i < 30; i++)
      await h.allot.reportUsageBulk({
        usages: Array.from({ length: 100 }, () => ({ customerId: 'acme', featureId: 'calls', value: 0.1 })),
      });
    expect(await usage(await h.reopen())).toBe(await usage());
  });

  it('groups history by a dimension named like an Object property without reading the prototype', async () => {
    await h.allot.reportEvent({
      customerId: 'acme',
      eventName: 'call',
      idempotencyKey: 'e',
      dimensions: { tokens: 2 },
    });
    const history = await h.allot.getUsageHistory({
      customerId: 'acme',
      featureId: 'tokens',
      startDate: start - DAY,
      groupBy: ['constructor'],
    });
    expect(history.series.map((s) => s.tags)).toEqual([[{ key: 'constructor', value: '' }]]);
  });
});
