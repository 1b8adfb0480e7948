import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  AutoRechargeSkippedEvent,
  CatalogInput,
  CreditBalanceUpdatedEvent,
  CreditEntitlementParams,
} from '../../src/index.js';
import { catalog, errorCode, type Harness, harness, START, stores } from '../helpers/fixtures.js';

const withCredits = {
  ...catalog,
  creditCurrencies: [
    {
      currencyId: 'ai-credits',
      displayName: 'AI credits',
      units: { singular: 'credit', plural: 'credits' },
      unitCost: { amount: '0.01', currency: 'USD' },
    },
    { currencyId: 'points', displayName: 'Points', units: { singular: 'point', plural: 'points' } },
  ],
} satisfies CatalogInput;

const DAY = 86_400_000;
const start = Date.parse(START);

describe.each(stores)('credits ($name)', (fixture) => {
  let h: Harness;
  const pool = { customerId: 'acme', currencyId: 'ai-credits' };
  const grant = (amount: number | string, extra: object = {}) =>
    h.allot.grantCredits({ ...pool, amount, displayName: 'Top-up', ...extra });
  const entitlement = async (extra: object = {}) => h.allot.getCreditEntitlement({ ...pool, ...extra });
  const ledgerSum = async () => {
    const { data: entries } = await h.allot.getCreditLedger({
      customerId: 'acme',
      currencyId: 'ai-credits',
      paging: { first: 1000 },
    });
    return entries.reduce((sum, e) => sum + e.amount, 0);
  };

  beforeEach(async () => {
    h = await harness(fixture, { catalog: withCredits });
    await h.allot.provisionCustomer({ customerId: 'acme' });
  });
  afterEach(() => h.close());

  it('burns in order: priority, then promotional before paid; the soonest-expiring lower priority waits', async () => {
    const a = await grant(50, { priority: 1, grantType: 'PAID' });
    const b = await grant(20, { priority: 1, grantType: 'PROMOTIONAL' });
    const c = await grant(100, { priority: 2, grantType: 'PROMOTIONAL', expireAt: start + DAY });
    const result = await h.allot.consumeCredits({ ...pool, amount: 60, idempotencyKey: 'k1' });
    expect(result.credit).toMatchObject({ currentUsage: 60, usageLimit: 170 });
    const grants = Object.fromEntries(
      (await h.allot.getCreditGrants({ customerId: 'acme' })).data.map((g) => [g.id, g]),
    );
    expect(grants[b.id]?.consumedAmount).toBe(20);
    expect(grants[a.id]?.consumedAmount).toBe(40);
    expect(grants[c.id]?.consumedAmount).toBe(0);
    const { data: entries } = await h.allot.getCreditLedger({ customerId: 'acme', eventType: 'CREDITS_CONSUMED' });
    expect(entries.map((e) => [e.grantId, e.amount])).toEqual([
      [b.id, -20],
      [a.id, -40],
    ]);
    expect((await entitlement()).currentBalance).toBe(110);
    expect(await ledgerSum()).toBe(110);
  });

  it('applies an idempotency key once: a repeated grant is the first one, a repeated consumption too', async () => {
    const first = await grant(10, { idempotencyKey: 'top-up-1' });
    const again = await grant(10, { idempotencyKey: 'top-up-1' });
    expect(again.id).toBe(first.id);
    await h.allot.consumeCredits({ ...pool, amount: 4, idempotencyKey: 'use-1' });
    const repeat = await h.allot.consumeCredits({ ...pool, amount: 4, idempotencyKey: 'use-1' });
    expect(repeat.credit.currentUsage).toBe(4);
    expect((await entitlement()).currentBalance).toBe(6);
    const reopened = await h.reopen();
    expect(
      (await reopened.grantCredits({ ...pool, amount: 10, displayName: 'x', idempotencyKey: 'top-up-1' })).id,
    ).toBe(first.id);
  });

  it('refuses more than the balance with INSUFFICIENT_CREDITS and writes nothing', async () => {
    await grant(5);
    const before = await h.allot.getCreditLedger({ customerId: 'acme' });
    expect(await errorCode(h.allot.consumeCredits({ ...pool, amount: 6, idempotencyKey: 'big' }))).toBe(
      'INSUFFICIENT_CREDITS',
    );
    expect(await h.allot.getCreditLedger({ customerId: 'acme' })).toEqual(before);
    const check = await entitlement({ options: { requestedUsage: 6 } });
    expect(check).toMatchObject({
      hasAccess: false,
      accessDeniedReason: 'InsufficientCredits',
      currentBalance: 5,
      remaining: 0,
    });
    expect((await entitlement({ options: { requestedUsage: 5 } })).hasAccess).toBe(true);
  });

  it('voids the rest of a grant once; a scheduled grant counts from its time; an expiry takes the rest', async () => {
    const g = await grant(30);
    await h.allot.consumeCredits({ ...pool, amount: 10, idempotencyKey: 'u' });
    const voided = await h.allot.voidCreditGrant({ id: g.id });
    expect(voided.status).toBe('VOIDED');
    expect((await entitlement()).currentBalance).toBe(0);
    expect(await errorCode(h.allot.voidCreditGrant({ id: g.id }))).toBe('CREDIT_GRANT_VOIDED');
    expect(await errorCode(h.allot.voidCreditGrant({ id: 'nope' }))).toBe('CREDIT_GRANT_NOT_FOUND');
    await grant(40, { effectiveAt: start + DAY, expireAt: start + 3 * DAY });
    expect((await entitlement()).currentBalance).toBe(0);
    h.clock.advance({ days: 2 });
    expect((await entitlement()).currentBalance).toBe(40);
    h.clock.advance({ days: 2 });
    expect((await entitlement()).currentBalance).toBe(0);
    await grant(1); // a write brings the pool to now: the expiry is in the ledger
    const { data: entries } = await h.allot.getCreditLedger({ customerId: 'acme', eventType: 'CREDITS_EXPIRED' });
    expect(entries.map((e) => e.amount)).toEqual([-40]);
    expect(await ledgerSum()).toBe(1);
  });

  it('a usage report naming no currency reads the first the customer holds credits in, else the catalog’s first', async () => {
    await h.allot.grantCredits({ customerId: 'acme', currencyId: 'points', amount: 10, displayName: 'Points' });
    await h.allot.consumeCredits({ customerId: 'acme', currencyId: 'points', amount: 4, idempotencyKey: 'p' });
    const usage = await h.allot.getCreditUsage({ customerId: 'acme', timeRange: 'LAST_DAY' });
    expect(usage.currency.currencyId).toBe('points');
    expect(usage.series.map((s) => s.totalCredits)).toEqual([4]);
    await h.allot.provisionCustomer({ customerId: 'globex' });
    expect((await h.allot.getCreditUsage({ customerId: 'globex' })).currency.currencyId).toBe('ai-credits');
  });

  it('keeps a resource pool apart from the customer-wide one', async () => {
    await grant(10);
    await grant(7, { resourceId: 'site-1' });
    await h.allot.consumeCredits({ ...pool, resourceId: 'site-1', amount: 7, idempotencyKey: 'r' });
    expect((await entitlement()).currentBalance).toBe(10);
    expect((await entitlement({ resourceId: 'site-1' })).currentBalance).toBe(0);
  });

  it('pages the ledger by cursor', async () => {
    for (let i = 0; i < 5; i++) await grant(1);
    const first = await h.allot.getCreditLedger({ customerId: 'acme', paging: { first: 3 } });
    expect(first.data).toHaveLength(3);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = await h.allot.getCreditLedger({
      customerId: 'acme',
      paging: { first: 3, after: first.pageInfo.endCursor ?? undefined },
    });
    expect(rest.data).toHaveLength(2);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it('pages grants by cursor with their total, and filters the ledger by several event types', async () => {
    for (let i = 0; i < 5; i++) await grant(1);
    await h.allot.consumeCredits({ ...pool, amount: 2, idempotencyKey: 'use' });
    const first = await h.allot.getCreditGrants({ customerId: 'acme', paging: { first: 2 } });
    expect([first.data.length, first.totalCount, first.pageInfo.hasNextPage]).toEqual([2, 5, true]);
    const rest = await h.allot.getCreditGrants({
      customerId: 'acme',
      paging: { first: 10, after: first.pageInfo.endCursor ?? '' },
    });
    expect([rest.data.length, rest.pageInfo.hasNextPage]).toEqual([3, false]);
    expect(new Set([...first.data, ...rest.data].map((g) => g.id)).size).toBe(5);
    expect(await errorCode(h.allot.getCreditGrants({ customerId: 'acme', paging: { after: 'nope' } }))).toBe(
      'INVALID_INPUT',
    );
    const typed = await h.allot.getCreditLedger({
      customerId: 'acme',
      eventType: ['CREDITS_CONSUMED', 'CREDITS_VOIDED'],
    });
    expect(typed.data.map((e) => e.eventType)).toEqual(['CREDITS_CONSUMED', 'CREDITS_CONSUMED']);
  });

  it('announces every balance change', async () => {
    const events: CreditBalanceUpdatedEvent[] = [];
    h.allot.addListener('creditBalanceUpdated', (e) => events.push(e));
    await grant(10);
    await h.allot.consumeCredits({ ...pool, amount: 3, idempotencyKey: 'e' });
    expect(events.map((e) => e.currentBalance)).toEqual([10, 7]);
  });

  it('refuses bad input with typed errors and writes nothing', async () => {
    expect(await errorCode(grant(0))).toBe('INVALID_INPUT');
    expect(await errorCode(grant(-5))).toBe('INVALID_INPUT');
    expect(await errorCode(grant('1e3'))).toBe('INVALID_INPUT');
    expect(await errorCode(h.allot.grantCredits({ ...pool, currencyId: 'gold', amount: 1, displayName: 'x' }))).toBe(
      'CURRENCY_NOT_FOUND',
    );
    expect(await errorCode(grant(1, { effectiveAt: start + 2 * DAY, expireAt: start + DAY }))).toBe('INVALID_INPUT');
    expect(await errorCode(h.allot.grantCredits({ ...pool, customerId: 'ghost', amount: 1, displayName: 'x' }))).toBe(
      'CUSTOMER_NOT_FOUND',
    );
    expect((await h.allot.getCreditGrants({ customerId: 'acme' })).data).toEqual([]);
    expect(await errorCode(h.allot.getCreditEntitlement({ ...pool, currencyId: 'gold' }))).toBe('CURRENCY_NOT_FOUND');
    // Malformed ids and options are INVALID_INPUT, on the fast path as through zod.
    for (const bad of [
      { currencyId: '  ' },
      { customerId: 'a\u0000b' },
      { options: { requestedUsage: -1 } },
      { options: [] },
    ])
      expect(await errorCode(h.allot.getCreditEntitlement({ ...pool, ...bad } as CreditEntitlementParams))).toBe(
        'INVALID_INPUT',
      );
  });
});

const recurring = {
  ...withCredits,
  plans: withCredits.plans.map((p) =>
    p.id === 'pro'
      ? { ...p, creditEntitlements: [{ currencyId: 'ai-credits', amount: '100', cadence: 'MONTH' as const }] }
      : p.id === 'enterprise'
        ? {
            ...p,
            creditEntitlements: [
              { currencyId: 'ai-credits', amount: '1000', cadence: 'MONTH' as const, rolloverCap: '50' },
            ],
          }
        : p,
  ),
} satisfies CatalogInput;

describe.each(stores)('recurring credits ($name)', (fixture) => {
  let h: Harness;
  const pool = { customerId: 'acme', currencyId: 'ai-credits' };
  const balance = async () => (await h.allot.getCreditEntitlement(pool)).currentBalance;
  beforeEach(async () => {
    h = await harness(fixture, { catalog: recurring });
    await h.allot.provisionCustomer({ customerId: 'acme' });
  });
  afterEach(() => h.close());

  it("grants a plan's credits each period from the billing anchor; the unused part expires", async () => {
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro', skipTrial: true });
    expect(await balance()).toBe(100);
    await h.allot.consumeCredits({ ...pool, amount: 30, idempotencyKey: 'u1' });
    expect(await balance()).toBe(70);
    h.clock.advance({ months: 1 });
    expect(await balance()).toBe(100);
    await h.allot.consumeCredits({ ...pool, amount: 1, idempotencyKey: 'u2' });
    const { data: entries } = await h.allot.getCreditLedger({ customerId: 'acme', paging: { first: 100 } });
    expect(entries.map((e) => [e.eventType, e.amount])).toEqual([
      ['CREDITS_GRANTED', 100],
      ['CREDITS_CONSUMED', -30],
      ['CREDITS_EXPIRED', -70],
      ['CREDITS_GRANTED', 100],
      ['CREDITS_CONSUMED', -1],
    ]);
  });

  it('inherits credits from the base plan and rolls unused credits over up to the cap', async () => {
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'enterprise' });
    expect(await balance()).toBe(1000);
    await h.allot.consumeCredits({ ...pool, amount: 900, idempotencyKey: 'big' });
    h.clock.advance({ months: 1 });
    expect(await balance()).toBe(1050);
  });

  it('stops refilling when the subscription ends', async () => {
    const { subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'pro',
      skipTrial: true,
    });
    await h.allot.cancelSubscription({ subscriptionId: subscription.id });
    h.clock.advance({ months: 1 });
    expect(await balance()).toBe(0);
  });

  it('rejects a credit entitlement in an unknown currency in the catalog', async () => {
    const broken = {
      ...recurring,
      plans: [
        ...recurring.plans,
        { id: 'x', productId: 'app', creditEntitlements: [{ currencyId: 'gold', amount: '1', cadence: 'MONTH' }] },
      ],
    };
    expect(await errorCode(h.reopen({ catalog: broken as CatalogInput }))).toBe('INVALID_CATALOG');
  });
});

describe.each(stores)('automatic recharge ($name)', (fixture) => {
  let h: Harness;
  const pool = { customerId: 'acme', currencyId: 'ai-credits' };
  const balance = async () => (await h.allot.getCreditEntitlement(pool)).currentBalance;
  const consume = (amount: number, key: string) => h.allot.consumeCredits({ ...pool, amount, idempotencyKey: key });
  const settings = {
    ...pool,
    isEnabled: true,
    thresholdType: 'CREDIT_AMOUNT',
    thresholdValue: 10,
    targetBalance: 100,
  } as const;
  beforeEach(async () => {
    h = await harness(fixture, { catalog: withCredits });
    await h.allot.provisionCustomer({ customerId: 'acme' });
    await h.allot.grantCredits({ ...pool, amount: 20, displayName: 'Starter' });
  });
  afterEach(() => h.close());

  it('tops the pool up to the target in the same transaction when a consumption falls below the threshold', async () => {
    expect(await h.allot.getAutomaticRechargeConfiguration(pool)).toBeNull();
    const saved = await h.allot.saveAutomaticRechargeConfiguration(settings);
    expect(saved).toMatchObject({
      isEnabled: true,
      thresholdValue: 10,
      targetBalance: 100,
      maxSpendLimit: null,
      currentMonthlySpend: 0,
    });
    await consume(5, 'a'); // 15 left: above the threshold
    expect(await balance()).toBe(15);
    await consume(10, 'b'); // 5 left: below, so 95 more
    expect(await balance()).toBe(100);
    const recharge = (await h.allot.getCreditGrants({ customerId: 'acme' })).data.find(
      (g) => g.displayName === 'Automatic recharge',
    );
    expect(recharge).toMatchObject({ grantType: 'PAID', amount: 95, cost: { amount: 0.95, currency: 'USD' } });
    expect((await h.allot.getAutomaticRechargeConfiguration(pool))?.currentMonthlySpend).toBe(0.95);
  });

  it('the configuration says when it was first saved and when last changed, in the SDK guide’s spellings', async () => {
    const first = await h.allot.saveAutomaticRechargeConfiguration({
      ...settings,
      thresholdType: 'CreditAmount',
      grantExpirationPeriod: 'OneMonth',
    });
    expect(first).toMatchObject({ thresholdType: 'CREDIT_AMOUNT', grantExpirationPeriod: 'ONE_MONTH' });
    expect(first.createdAt).toEqual(new Date(START));
    expect(first.updatedAt).toEqual(new Date(START));
    h.clock.advance({ days: 1 });
    await h.allot.saveAutomaticRechargeConfiguration({ ...settings, grantExpirationPeriod: 'SIX_MONTHS' });
    const read = await h.allot.getAutomaticRechargeConfiguration(pool);
    expect(read).toMatchObject({ grantExpirationPeriod: 'SIX_MONTHS', createdAt: new Date(START) });
    expect(read?.updatedAt).toEqual(new Date(start + DAY));
  });

  it("skips a recharge that would pass the month's spend limit, and says so", async () => {
    const skipped: AutoRechargeSkippedEvent[] = [];
    h.allot.addListener('autoRechargeSkipped', (e) => skipped.push(e));
    await h.allot.saveAutoRechargeSettings({ ...settings, maxSpendLimit: 1 });
    await consume(15, 'a'); // recharge 95 credits for 0.95
    await consume(95, 'b'); // another 95 would make 1.90 this month
    expect(await balance()).toBe(5);
    expect(skipped).toEqual([
      {
        customerId: 'acme',
        currencyId: 'ai-credits',
        reason: 'SPEND_LIMIT',
        amount: 95,
        cost: { amount: 0.95, currency: 'USD' },
        monthlySpend: 0.95,
        maxSpendLimit: 1,
      },
    ]);
    h.clock.advance({ months: 1 });
    await consume(1, 'c'); // a new month: the limit starts over
    expect(await balance()).toBe(100);
  });

  it('refuses settings it could not honour', async () => {
    expect(await errorCode(h.allot.saveAutomaticRechargeConfiguration({ ...settings, targetBalance: 10 }))).toBe(
      'INVALID_INPUT',
    );
    expect(
      await errorCode(
        h.allot.saveAutomaticRechargeConfiguration({ ...settings, currencyId: 'points', maxSpendLimit: 5 }),
      ),
    ).toBe('INVALID_INPUT');
    expect(await errorCode(h.allot.saveAutomaticRechargeConfiguration({ ...settings, currencyId: 'gold' }))).toBe(
      'CURRENCY_NOT_FOUND',
    );
    expect(await h.allot.getAutomaticRechargeConfiguration(pool)).toBeNull();
  });
});

describe.each(stores)('consumeCreditsAsync ($name)', (fixture) => {
  let h: Harness;
  const balance = async (customerId: string, currencyId = 'ai-credits') =>
    (await h.allot.getCreditEntitlement({ customerId, currencyId })).currentBalance;
  beforeEach(async () => {
    h = await harness(fixture, { catalog: withCredits });
    for (const customerId of ['acme', 'beta']) {
      await h.allot.provisionCustomer({ customerId });
      await h.allot.grantCredits({ customerId, currencyId: 'ai-credits', amount: 100, displayName: 'Top-up' });
    }
  });
  afterEach(() => h.close());

  it('applies every consumption, across customers and pools, durably before it resolves', async () => {
    const ack = await h.allot.consumeCreditsAsync({
      consumptions: [
        { customerId: 'acme', currencyId: 'ai-credits', amount: 10, idempotencyKey: 'a1' },
        { customerId: 'beta', currencyId: 'ai-credits', amount: '2.5', idempotencyKey: 'b1' },
        { customerId: 'acme', currencyId: 'ai-credits', amount: 5, idempotencyKey: 'a2', featureId: 'api-calls' },
      ],
    });
    expect(ack).toBeUndefined();
    expect([await balance('acme'), await balance('beta')]).toEqual([85, 97.5]);
    // Durable: another engine over the same data sees them.
    if (fixture.shared)
      expect(
        (await (await h.reopen()).getCreditEntitlement({ customerId: 'acme', currencyId: 'ai-credits' }))
          .currentBalance,
      ).toBe(85);
    const { data } = await h.allot.getCreditLedger({ customerId: 'acme', eventType: 'CREDITS_CONSUMED' });
    expect(data.map((e) => [e.amount, e.idempotencyKey])).toEqual([
      [-10, 'a1'],
      [-5, 'a2'],
    ]);
  });

  it('a repeated idempotency key counts once, within the batch and across calls', async () => {
    const once = { customerId: 'acme', currencyId: 'ai-credits', amount: 10, idempotencyKey: 'k' };
    await h.allot.consumeCreditsAsync({ consumptions: [once, once] });
    await h.allot.consumeCredits(once);
    await h.allot.consumeCreditsAsync({ consumptions: [once] });
    expect(await balance('acme')).toBe(90);
  });

  it('is all or nothing: a short balance fails the batch, names the item and consumes nothing', async () => {
    const e = await h.allot
      .consumeCreditsAsync({
        consumptions: [
          { customerId: 'beta', currencyId: 'ai-credits', amount: 1, idempotencyKey: 'ok' },
          { customerId: 'acme', currencyId: 'ai-credits', amount: 60, idempotencyKey: 'x1' },
          { customerId: 'acme', currencyId: 'ai-credits', amount: 60, idempotencyKey: 'x2' },
        ],
      })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'INSUFFICIENT_CREDITS', details: { index: 2 } });
    expect([await balance('acme'), await balance('beta')]).toEqual([100, 100]);
    expect(await errorCode(h.allot.consumeCreditsAsync({ consumptions: [] }))).toBe('INVALID_INPUT');
    expect(
      await errorCode(
        h.allot.consumeCreditsAsync({
          consumptions: [{ customerId: 'ghost', currencyId: 'ai-credits', amount: 1, idempotencyKey: 'g' }],
        }),
      ),
    ).toBe('CUSTOMER_NOT_FOUND');
  });
});
