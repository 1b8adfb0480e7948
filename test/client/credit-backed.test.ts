import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addMonthsUtc } from '../../src/core/reset-period.js';
import type { CatalogInput, CreditBalanceUpdatedEvent } from '../../src/index.js';
import { AI_CREDITS, creditCatalog, monthlyCredits } from '../helpers/credit-fixtures.js';
import { errorCode, type Harness, harness, START, stores } from '../helpers/fixtures.js';

// gpt-calls costs 2 credits a call (the feature's rate); the "lite" plan prices it at 0.5.
// tokens are counted from "completion" events and cost 0.01 credits each.
const aiCatalog = creditCatalog({
  features: [
    {
      id: 'gpt-calls',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      creditRate: { currencyId: AI_CREDITS, creditsPerUnit: 2 },
    },
    {
      id: 'tokens',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      creditRate: { currencyId: AI_CREDITS, creditsPerUnit: '0.01' },
      meter: { eventName: 'completion', aggregation: { function: 'SUM', field: 'tokens' } },
    },
  ],
  plans: [
    {
      id: 'ai-pro',
      productId: 'ai',
      entitlements: [
        { featureId: 'gpt-calls', hasUnlimitedUsage: true, resetPeriod: 'MONTH' },
        { featureId: 'tokens', hasUnlimitedUsage: true, resetPeriod: 'MONTH' },
      ],
      creditEntitlements: monthlyCredits(100),
    },
    {
      id: 'ai-lite',
      productId: 'ai',
      entitlements: [{ featureId: 'gpt-calls', usageLimit: 30, resetPeriod: 'MONTH' }],
      creditRates: [{ featureId: 'gpt-calls', currencyId: AI_CREDITS, creditsPerUnit: '0.5' }],
      creditEntitlements: monthlyCredits(10),
    },
  ],
});

// The pools refill monthly from the subscription's start.
const MONTH_LATER = addMonthsUtc(Date.parse(START), 1);

describe.each(stores)('credit-backed features ($name)', (fixture) => {
  let h: Harness;
  const customerId = 'acme';
  const balance = async (resourceId?: string) =>
    (
      await h.allot.getCreditEntitlement({
        customerId,
        currencyId: AI_CREDITS,
        ...(resourceId ? { resourceId } : {}),
      })
    ).currentBalance;
  const check = (featureId: string, requestedUsage?: number) =>
    h.allot.getMeteredEntitlement({
      customerId,
      featureId,
      ...(requestedUsage === undefined ? {} : { options: { requestedUsage } }),
    });
  const ledger = async () =>
    (await h.allot.getCreditLedger({ customerId, currencyId: AI_CREDITS, paging: { first: 1000 } })).data;

  beforeEach(async () => {
    h = await harness(fixture, { catalog: aiCatalog });
    await h.allot.provisionCustomer({ customerId });
    await h.allot.provisionSubscription({ customerId, planId: 'ai-pro' });
  });
  afterEach(() => h.close());

  it('draws usage × rate from the pool in the same write and says so in the ack', async () => {
    const ack = await h.allot.reportUsage({
      customerId,
      featureId: 'gpt-calls',
      value: 10,
      dimensions: { model: 'a' },
    });
    expect(ack.currentUsage).toBe(10);
    expect(ack.credit).toMatchObject({ currencyId: AI_CREDITS, consumed: 20, currentUsage: 20, usageLimit: 100 });
    expect(ack.credit?.usagePeriodEnd).toEqual(new Date(MONTH_LATER));
    expect(await balance()).toBe(80);
    const consumed = (await ledger()).filter((e) => e.eventType === 'CREDITS_CONSUMED');
    expect(consumed).toMatchObject([{ amount: -20, featureId: 'gpt-calls', dimensions: { model: 'a' } }]);
  });

  it('grants a check only while the balance covers the requested usage, with the rate on the result', async () => {
    await h.allot.reportUsage({ customerId, featureId: 'gpt-calls', value: 10 });
    expect(await check('gpt-calls', 40)).toMatchObject({
      hasAccess: true,
      creditRate: { currencyId: AI_CREDITS, amount: 2 },
    });
    const denied = await check('gpt-calls', 41);
    expect(denied).toMatchObject({ hasAccess: false, accessDeniedReason: 'InsufficientCredits' });
    expect(
      h.allot.getEntitlementSync({ customerId, featureId: 'gpt-calls', options: { requestedUsage: 41 } }),
    ).toMatchObject({
      accessDeniedReason: 'InsufficientCredits',
    });
  });

  it('lets reported usage overdraw the pool as debt, denies checks while in debt, and settles it from the next grant', async () => {
    await h.allot.reportUsage({ customerId, featureId: 'gpt-calls', value: 60 });
    expect(await balance()).toBe(-20);
    expect(await check('gpt-calls')).toMatchObject({ hasAccess: false, accessDeniedReason: 'InsufficientCredits' });
    await h.allot.grantCredits({ customerId, currencyId: AI_CREDITS, amount: 50, displayName: 'Top-up' });
    expect(await balance()).toBe(30);
    expect(await check('gpt-calls')).toMatchObject({ hasAccess: true });
    const entries = await ledger();
    expect(entries.filter((e) => e.eventType === 'DEBT_CREATED').map((e) => e.amount)).toEqual([-20]);
    expect(
      entries
        .filter((e) => e.eventType === 'DEBT_SETTLED')
        .map((e) => e.amount)
        .sort(),
    ).toEqual([-20, 20]);
    expect(entries.reduce((sum, e) => sum + e.amount, 0)).toBe(30);
  });

  it('refuses check-and-report beyond the balance and records nothing', async () => {
    const refused = await h.allot.checkAndReportUsage({ customerId, featureId: 'gpt-calls', value: 51 });
    expect(refused).toMatchObject({ hasAccess: false, entitlement: { accessDeniedReason: 'InsufficientCredits' } });
    expect(await balance()).toBe(100);
    expect((await check('gpt-calls')).currentUsage).toBe(0);
    const granted = await h.allot.checkAndReportUsage({ customerId, featureId: 'gpt-calls', value: 50 });
    expect(granted.hasAccess).toBe(true);
    expect(granted.usage?.credit).toMatchObject({ consumed: 100 });
    expect(await balance()).toBe(0);
  });

  it('charges only increases: SET charges the difference, a negative delta gives nothing back', async () => {
    await h.allot.reportUsage({ customerId, featureId: 'gpt-calls', value: 5 });
    const set = await h.allot.reportUsage({ customerId, featureId: 'gpt-calls', value: 8, updateBehavior: 'SET' });
    expect(set.credit?.consumed).toBe(6);
    const down = await h.allot.reportUsage({ customerId, featureId: 'gpt-calls', value: -3 });
    expect(down.credit?.consumed).toBe(0);
    expect(await balance()).toBe(84);
  });

  it('charges metered events by the increase they make, exactly in decimals, and says so per pool', async () => {
    const result = await h.allot.reportEvent([
      { customerId, eventName: 'completion', idempotencyKey: 'e1', dimensions: { tokens: 1234, model: 'b' } },
      { customerId, eventName: 'completion', idempotencyKey: 'e2', dimensions: { tokens: 10 } },
      { customerId, eventName: 'completion', idempotencyKey: 'e1', dimensions: { tokens: 1234 } },
    ]);
    expect(await balance()).toBe(87.56);
    expect(result).toMatchObject({
      accepted: 2,
      duplicates: 1,
      credits: [{ customerId, resourceId: null, currencyId: AI_CREDITS, consumed: 12.44, currentUsage: 12.44 }],
    });
    const consumed = (await ledger()).filter((e) => e.eventType === 'CREDITS_CONSUMED');
    expect(consumed.map((e) => [e.featureId, e.amount])).toEqual([
      ['tokens', -12.34],
      ['tokens', -0.1],
    ]);
  });

  it('replays a repeated idempotency key without charging again', async () => {
    const first = await h.allot.reportUsage({ customerId, featureId: 'gpt-calls', value: 3, idempotencyKey: 'k' });
    const again = await h.allot.reportUsage({ customerId, featureId: 'gpt-calls', value: 3, idempotencyKey: 'k' });
    expect(again).toEqual(first);
    expect(await balance()).toBe(94);
  });

  it("uses the plan's own rate over the feature's", async () => {
    await h.allot.provisionSubscription({ customerId, planId: 'ai-lite' });
    expect(await check('gpt-calls')).toMatchObject({ creditRate: { amount: 0.5 } });
    const ack = await h.allot.reportUsage({ customerId, featureId: 'gpt-calls', value: 4 });
    expect(ack.credit?.consumed).toBe(2);
  });

  it("charges a resource's own subscription to the resource's pool, never the customer's", async () => {
    await h.allot.cancelSubscription({
      subscriptionId: (await h.allot.getActiveSubscriptions({ customerId }))[0]?.id ?? '',
    });
    await h.allot.provisionSubscription({ customerId, planId: 'ai-pro', resourceId: 'site-1' });
    await h.allot.grantCredits({ customerId, currencyId: AI_CREDITS, amount: 7, displayName: 'Global' });
    await h.allot.reportUsage({ customerId, featureId: 'gpt-calls', value: 10, resourceId: 'site-1' });
    expect(await balance('site-1')).toBe(80);
    expect(await balance()).toBe(7);
  });

  it('answers balances and credit-backed checks of a warm customer without reading the store', async () => {
    await h.allot.reportUsage({ customerId, featureId: 'gpt-calls', value: 1 });
    await balance();
    const reads = vi.spyOn(h.store, 'read');
    expect(await balance()).toBe(98);
    expect((await check('gpt-calls', 49)).hasAccess).toBe(true);
    h.clock.set(MONTH_LATER + 1);
    // The monthly refill is applied from memory too: the unused 98 expired, 100 came in.
    expect(await balance()).toBe(100);
    expect(reads).not.toHaveBeenCalled();
  });

  it('reports credit usage per feature, or grouped by dimensions across features, and the keys seen', async () => {
    await h.allot.reportUsage({ customerId, featureId: 'gpt-calls', value: 3, dimensions: { model: 'a' } });
    h.clock.advance({ days: 1 });
    await h.allot.reportEvent({
      customerId,
      eventName: 'completion',
      idempotencyKey: 'e1',
      dimensions: { tokens: 500, model: 'a', region: 'eu' },
    });
    await h.allot.consumeCredits({ customerId, currencyId: AI_CREDITS, amount: 1, idempotencyKey: 'direct' });
    const byFeature = await h.allot.getCreditUsage({ customerId, timeRange: 'LAST_WEEK' });
    expect(byFeature.currency.currencyId).toBe(AI_CREDITS);
    expect(byFeature.series.map((s) => [s.featureId, s.totalCredits])).toEqual([
      ['gpt-calls', 6],
      ['tokens', 5],
      [null, 1],
    ]);
    expect(byFeature.series[0]?.points.filter((p) => p.value > 0)).toHaveLength(1);
    const byModel = await h.allot.getCreditUsage({ customerId, currencyId: AI_CREDITS, groupBy: ['model'] });
    expect(byModel.series.map((s) => [s.tags, s.totalCredits])).toEqual([
      [[{ key: 'model', value: 'a' }], 11],
      [[{ key: 'model', value: '' }], 1],
    ]);
    expect(await h.allot.getCreditEventsFields({ customerId })).toEqual({ fields: ['model', 'region', 'tokens'] });
    expect(await h.allot.getCreditEventsFields({ customerId, search: 'RE' })).toEqual({ fields: ['region'] });
    expect(await errorCode(h.allot.getCreditUsage({ customerId, currencyId: 'nope' }))).toBe('CURRENCY_NOT_FOUND');
  });

  it('estimates the cost of usage and of events without writing anything', async () => {
    await h.allot.reportUsage({ customerId, featureId: 'gpt-calls', value: 10 });
    const usage = await h.allot.estimateUsageCost({ customerId, featureId: 'gpt-calls', value: 50 });
    expect(usage).toEqual({
      estimates: [
        {
          currencyId: AI_CREDITS,
          estimatedCost: 100,
          currentBalance: 80,
          balanceAfterEstimate: -20,
          wouldOverdraft: true,
          breakdown: [{ featureId: 'gpt-calls', cost: 100, warningCode: null }],
        },
      ],
      warnings: [],
    });
    const set = await h.allot.estimateUsageCost({
      customerId,
      featureId: 'gpt-calls',
      value: 12,
      updateBehavior: 'SET',
    });
    expect(set.estimates[0]).toMatchObject({ estimatedCost: 4, wouldOverdraft: false });
    const event = await h.allot.estimateEventCost({ customerId, eventName: 'completion', dimensions: { tokens: 250 } });
    expect(event.estimates[0]).toMatchObject({ estimatedCost: 2.5, balanceAfterEstimate: 77.5 });
    expect(await h.allot.estimateUsageCost({ customerId, featureId: 'api-calls', value: 1 })).toEqual({
      estimates: [],
      warnings: ['FEATURE_NOT_CREDIT_BASED'],
    });
    expect((await h.allot.estimateUsageCost({ customerId, featureId: 'ghost', value: 1 })).warnings).toEqual([
      'FEATURE_NOT_FOUND',
    ]);
    expect((await h.allot.estimateEventCost({ customerId, eventName: 'nobody-meters-this' })).warnings).toEqual([
      'FEATURE_NOT_FOUND',
    ]);
    expect(await balance()).toBe(80);
    expect((await check('gpt-calls')).currentUsage).toBe(10);
  });

  it('announces the balance after every charged write', async () => {
    const seen: CreditBalanceUpdatedEvent[] = [];
    h.allot.addListener('creditBalanceUpdated', (e) => seen.push(e));
    await h.allot.reportUsage({ customerId, featureId: 'gpt-calls', value: 2 });
    expect(seen).toMatchObject([{ currencyId: AI_CREDITS, currentBalance: 96 }]);
  });
});

describe('credit rates in the catalog', () => {
  it('refuses a rate on an unmetered feature, in an unknown currency, or for an unknown feature', async () => {
    const { compileCatalog } = await import('../../src/catalog/catalog.js');
    const bad = (patch: object) => () => compileCatalog({ ...aiCatalog, ...patch } as CatalogInput);
    expect(
      bad({
        features: [
          ...aiCatalog.features,
          { id: 'flag', featureType: 'BOOLEAN', creditRate: { currencyId: AI_CREDITS, creditsPerUnit: 1 } },
        ],
      }),
    ).toThrow(/credit rate/);
    expect(
      bad({
        plans: [
          ...aiCatalog.plans,
          {
            entitlements: [],
            id: 'x',
            productId: 'ai',
            creditRates: [{ featureId: 'gpt-calls', currencyId: 'nope', creditsPerUnit: 1 }],
          },
        ],
      }),
    ).toThrow(/unknown credit currency/);
    expect(
      bad({
        plans: [
          ...aiCatalog.plans,
          {
            entitlements: [],
            id: 'x',
            productId: 'ai',
            creditRates: [{ featureId: 'sso', currencyId: AI_CREDITS, creditsPerUnit: 1 }],
          },
        ],
      }),
    ).toThrow(/not metered/);
  });
});
