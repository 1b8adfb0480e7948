import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';
import { pricedCatalog } from '../helpers/priced-catalog.js';

describe.each(stores)('pricing ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture, { catalog: pricedCatalog });
  });
  afterEach(() => h.close());

  it('lists the catalog coupons', async () => {
    const coupons = await h.allot.getCoupons();
    expect(coupons.map((c) => c.id)).toEqual(['half', 'five', 'gone']);
    expect(coupons[0]).toMatchObject({
      type: 'PERCENTAGE',
      discountValue: 50,
      percentOff: 50,
      durationType: 'REPEATING',
      durationInMonths: 3,
    });
    expect(coupons[1]).toMatchObject({
      type: 'FIXED',
      discountValue: 5,
      percentOff: null,
      amountsOff: [{ amount: 5, currency: 'USD' }],
    });
  });

  it('gives a customer a coupon only if it exists and is active', async () => {
    const customer = await h.allot.provisionCustomer({ customerId: 'acme', couponId: 'half' });
    expect(customer.customer.couponId).toBe('half');
    expect(await errorCode(h.allot.provisionCustomer({ customerId: 'b', couponId: 'nope' }))).toBe('COUPON_NOT_FOUND');
    expect(await errorCode(h.allot.updateCustomer({ customerId: 'acme', couponId: 'gone' }))).toBe('INVALID_OPERATION');
    expect((await h.allot.updateCustomer({ customerId: 'acme', couponId: null })).couponId).toBeNull();
  });
});

describe.each(stores)('promotion codes ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture, { catalog: pricedCatalog });
  });
  afterEach(() => h.close());

  it('applies a promotion code given with a subscription to the customer, case-insensitively', async () => {
    const { customer } = await h.allot.provisionCustomer({
      customerId: 'acme',
      subscriptionParams: { planId: 'basic', promotionCode: 'stigg50' },
    });
    expect(customer.couponId).toBe('half');
    await h.allot.provisionCustomer({ customerId: 'b' });
    await h.allot.provisionSubscription({ customerId: 'b', planId: 'basic', promotionCode: 'STIGG50' });
    expect((await h.allot.getCustomer('b')).couponId).toBe('half');
  });

  it('rejects an unknown or unusable code and writes nothing', async () => {
    expect(
      await errorCode(
        h.allot.provisionCustomer({ customerId: 'x', subscriptionParams: { planId: 'basic', promotionCode: 'NOPE' } }),
      ),
    ).toBe('PROMOTION_CODE_NOT_FOUND');
    expect(await errorCode(h.allot.getCustomer('x'))).toBe('CUSTOMER_NOT_FOUND');
    await h.allot.provisionCustomer({ customerId: 'y' });
    expect(
      await errorCode(h.allot.provisionSubscription({ customerId: 'y', planId: 'basic', promotionCode: 'OLD50' })),
    ).toBe('PROMOTION_CODE_NOT_APPLICABLE');
    expect(await h.allot.getActiveSubscriptions({ customerId: 'y' })).toEqual([]);
  });
});

describe.each(stores)('estimates and paywall ($name)', (fixture) => {
  let h: Harness;
  const usd = (amount: number) => ({ amount, currency: 'USD' });
  beforeEach(async () => {
    h = await harness(fixture, { catalog: pricedCatalog });
    await h.allot.provisionCustomer({ customerId: 'acme' });
  });
  afterEach(() => h.close());

  it('estimates a first subscription: the first period due now, nothing stored', async () => {
    const estimate = await h.allot.estimateSubscription({ customerId: 'acme', planId: 'basic' });
    expect(estimate.total).toEqual(usd(10));
    expect(estimate.subTotal).toEqual(usd(10));
    expect(estimate.subscription.total).toEqual(usd(10));
    expect(estimate.proration).toBeUndefined();
    expect(estimate.billingPeriodRange).toEqual({
      start: new Date('2025-01-31T10:00:00.000Z'),
      end: new Date('2025-02-28T10:00:00.000Z'),
    });
    expect(await h.allot.getActiveSubscriptions({ customerId: 'acme' })).toEqual([]);
  });

  it('applies a promotion code and tax, exclusive by default', async () => {
    const estimate = await h.allot.estimateSubscription({
      customerId: 'acme',
      planId: 'basic',
      promotionCode: 'STIGG50',
      billingInformation: { taxPercentage: 20 },
    });
    expect(estimate.discount).toEqual({
      type: 'PERCENTAGE',
      value: 50,
      durationType: 'REPEATING',
      durationInMonths: 3,
    });
    expect(estimate.subTotal).toEqual(usd(10));
    expect(estimate.totalExcludingTax).toEqual(usd(5));
    expect(estimate.tax).toEqual(usd(1));
    expect(estimate.total).toEqual(usd(6));
    expect(estimate.taxDetails).toEqual({ displayName: 'Tax', inclusive: false, percentage: 20 });
  });

  it('prorates an upgrade halfway through the period: credit -5, debit +10, net +5', async () => {
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'basic' });
    h.clock.advance({ days: 14 }); // the period Jan 31 10:00 → Feb 28 10:00 has 28 days
    const estimate = await h.allot.estimateSubscription({ customerId: 'acme', planId: 'team', skipTrial: true });
    expect(estimate.proration).toEqual({
      prorationDate: new Date('2025-02-14T10:00:00.000Z'),
      credit: usd(-5),
      debit: usd(10),
      netAmount: usd(5),
      lines: [
        { kind: 'PLAN', id: 'basic', credit: usd(-5), debit: usd(0) },
        { kind: 'PLAN', id: 'team', credit: usd(0), debit: usd(10) },
      ],
    });
    expect(estimate.total).toEqual(usd(5));
    expect(estimate.subscription.subTotal).toEqual(usd(20));
    const [still] = await h.allot.getActiveSubscriptions({ customerId: 'acme' });
    expect(still?.planId).toBe('basic');
  });

  it('charges nothing now for a plan with a trial', async () => {
    const estimate = await h.allot.estimateSubscription({ customerId: 'acme', planId: 'team' });
    expect(estimate.total).toEqual(usd(0));
    expect(estimate.subscription.total).toEqual(usd(20));
  });

  it('prices by country, and refuses a period the plan has no price for', async () => {
    const jp = await h.allot.estimateSubscription({ customerId: 'acme', planId: 'basic', billingCountryCode: 'jp' });
    expect(jp.total).toEqual({ amount: 1500, currency: 'JPY' });
    expect(
      await errorCode(h.allot.estimateSubscription({ customerId: 'acme', planId: 'team', billingPeriod: 'ANNUALLY' })),
    ).toBe('PRICE_NOT_FOUND');
    expect(
      await errorCode(h.allot.estimateSubscription({ customerId: 'acme', planId: 'basic', promotionCode: 'NOPE' })),
    ).toBe('PROMOTION_CODE_NOT_FOUND');
    expect(await errorCode(h.allot.estimateSubscription({ customerId: 'ghost', planId: 'basic' }))).toBe(
      'CUSTOMER_NOT_FOUND',
    );
    for (const billingCountryCode of ['USA', 'XX'])
      expect(
        await errorCode(h.allot.estimateSubscription({ customerId: 'acme', planId: 'basic', billingCountryCode })),
      ).toBe('INVALID_INPUT');
  });

  it('estimates an update: adding an add-on halfway debits half of it', async () => {
    const { subscription } = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'basic' });
    h.clock.advance({ days: 14 });
    const estimate = await h.allot.estimateSubscriptionUpdate({
      subscriptionId: subscription.id,
      addons: [{ addonId: 'support', quantity: 1 }],
    });
    expect(estimate.proration?.netAmount).toEqual(usd(2.5));
    expect(estimate.subscription.subTotal).toEqual(usd(14.99));
    const [still] = await h.allot.getActiveSubscriptions({ customerId: 'acme' });
    expect(still?.addons).toEqual([]);
    expect(await errorCode(h.allot.estimateSubscriptionUpdate({ subscriptionId: 'nope' }))).toBe(
      'SUBSCRIPTION_NOT_FOUND',
    );
    expect(
      await errorCode(
        h.allot.estimateSubscriptionUpdate({
          subscriptionId: subscription.id,
          addons: [{ addonId: 'support', quantity: 9 }],
        }),
      ),
    ).toBe('ADDON_QUANTITY_EXCEEDED');
  });

  it('prorates by actual days or 30-day months, per call or as the catalog says', async () => {
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'basic' });
    h.clock.advance({ days: 7 }); // 21 of the period's 28 days remain
    const net = async (allot = h.allot, prorationConvention?: 'ACTUAL_DAYS' | 'THIRTY_DAY_MONTH') =>
      (
        await allot.estimateSubscription({
          customerId: 'acme',
          planId: 'team',
          skipTrial: true,
          ...(prorationConvention ? { prorationConvention } : {}),
        })
      ).proration?.netAmount.amount;
    expect(await net()).toBe(7.5); // 10 × 21/28
    expect(await net(h.allot, 'ACTUAL_DAYS')).toBe(7.5);
    const thirty = await h.reopen({ catalog: { ...pricedCatalog, prorationConvention: 'THIRTY_DAY_MONTH' } });
    expect(await net(thirty)).not.toBe(7.5);
    expect(await net(thirty, 'ACTUAL_DAYS')).toBe(7.5);
  });

  it('refuses a fractional or negative quantity and a fixed coupon in another currency', async () => {
    const base = { customerId: 'acme', planId: 'team', skipTrial: true } as const;
    expect(
      await errorCode(
        h.allot.estimateSubscription({ ...base, billableFeatures: [{ featureId: 'seats', quantity: 1.5 }] }),
      ),
    ).toBe('INVALID_INPUT');
    expect(
      await errorCode(
        h.allot.estimateSubscription({ ...base, billableFeatures: [{ featureId: 'seats', quantity: -1 }] }),
      ),
    ).toBe('INVALID_INPUT');
    await h.allot.updateCustomer({ customerId: 'acme', couponId: 'five' });
    expect((await h.allot.estimateSubscription({ customerId: 'acme', planId: 'basic' })).total).toEqual(usd(5));
    expect(
      await errorCode(h.allot.estimateSubscription({ customerId: 'acme', planId: 'basic', billingCountryCode: 'JP' })),
    ).toBe('INVALID_INPUT');
  });

  it('shows a subscription its recurring prices and totals', async () => {
    const { subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'team',
      skipTrial: true,
      billableFeatures: [{ featureId: 'seats', quantity: 3 }],
    });
    expect(subscription.pricingType).toBe('PAID');
    expect(subscription.totalPrice).toEqual({ subTotal: usd(35), total: usd(35) });
    expect(subscription.prices.map((p) => [p.billingModel, p.price.amount, p.featureId ?? null])).toEqual([
      ['FLAT_FEE', 20, null],
      ['PER_UNIT', 5, 'seats'],
    ]);
  });

  it('builds the paywall: plans in order, hidden ones on request, prices by country, the customer', async () => {
    const wall = await h.allot.getPaywall();
    expect(wall.plans.map((p) => p.id)).toEqual(['free', 'basic', 'team']);
    expect(wall.customer).toBeNull();
    const team = wall.plans[2];
    expect(team?.entitlements.some((e) => e.featureId === 'api-calls' && e.inherited)).toBe(true);
    expect(team?.defaultTrialConfig).toMatchObject({ duration: 14, units: 'DAY' });
    expect(team?.compatibleAddons.map((a) => a.id)).toEqual(['support']);
    expect((await h.allot.getPaywall({ includeHiddenPlans: true })).plans.map((p) => p.id)).toContain('secret');
    const jp = await h.allot.getPaywall({ billingCountryCode: 'JP' });
    // Per billing period: the country's price where it has one, else the default.
    expect(jp.plans[1]?.pricePoints).toEqual([
      { billingPeriod: 'ANNUALLY', billingModel: 'FLAT_FEE', amount: 100, currency: 'USD' },
      { billingPeriod: 'MONTHLY', billingModel: 'FLAT_FEE', amount: 1500, currency: 'JPY', billingCountryCode: 'JP' },
    ]);
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'basic' });
    const mine = await h.allot.getPaywall({ customerId: 'acme' });
    expect(mine.customer?.id).toBe('acme');
    expect(mine.activeSubscriptions?.map((s) => s.planId)).toEqual(['basic']);
    expect(await errorCode(h.allot.getPaywall({ customerId: 'ghost' }))).toBe('CUSTOMER_NOT_FOUND');
  });
});
