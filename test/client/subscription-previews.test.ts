// previewSubscription (what applying a subscription would do, in the reference's V2 preview shape)
// and previewNextInvoice (what a subscription's next billing period charges up front).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, type Harness, harness, START, stores } from '../helpers/fixtures.js';
import { pricedCatalog } from '../helpers/priced-catalog.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });

describe.each(stores)('previewSubscription ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture, { catalog: pricedCatalog });
    await h.allot.provisionCustomer({ customerId: 'acme' });
  });
  afterEach(() => h.close());

  it('prices a new subscription: due now and per period, as estimateSubscription does, persisting nothing', async () => {
    const request = { customerId: 'acme', planId: 'basic', promotionCode: 'STIGG50' };
    const preview = await h.allot.previewSubscription(request);
    expect(preview).toEqual({
      immediateInvoice: {
        total: usd(5),
        subTotal: usd(10),
        totalExcludingTax: usd(5),
        tax: usd(0),
        discount: usd(5),
        discountDetails: { type: 'PERCENTAGE', value: 50, durationType: 'REPEATING', durationInMonths: 3 },
      },
      recurringInvoice: {
        total: usd(5),
        subTotal: usd(10),
        totalExcludingTax: usd(5),
        tax: usd(0),
        discount: usd(5),
        discountDetails: { type: 'PERCENTAGE', value: 50, durationType: 'REPEATING', durationInMonths: 3 },
      },
      billingPeriodRange: { start: new Date(START), end: new Date('2025-02-28T10:00:00.000Z') },
      isPlanDowngrade: false,
      hasScheduledUpdates: false,
    });
    const estimate = await h.allot.estimateSubscription(request);
    expect([preview.immediateInvoice.total, preview.recurringInvoice.total]).toEqual([
      estimate.total,
      estimate.subscription.total,
    ]);
    expect(await h.allot.getActiveSubscriptions({ customerId: 'acme' })).toEqual([]);
    expect((await h.allot.getCustomer('acme')).couponId).toBeNull();
  });

  it('prorates a change in the middle of the period, with tax', async () => {
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'basic' });
    h.clock.set('2025-02-14T10:00:00.000Z'); // half of the 28-day period left
    const request = {
      customerId: 'acme',
      planId: 'team',
      skipTrial: true,
      billingInformation: { taxPercentage: 10 },
    };
    const { immediateInvoice, recurringInvoice, isPlanDowngrade } = await h.allot.previewSubscription(request);
    expect(immediateInvoice.proration).toEqual({
      prorationDate: new Date('2025-02-14T10:00:00.000Z'),
      hasProrations: true,
      credit: usd(-5),
      debit: usd(10),
      netAmount: usd(5),
    });
    expect([immediateInvoice.subTotal, immediateInvoice.tax, immediateInvoice.total]).toEqual([
      usd(5),
      usd(0.5),
      usd(5.5),
    ]);
    expect(immediateInvoice.taxDetails).toMatchObject({ percentage: 10, inclusive: false });
    expect([recurringInvoice.subTotal, recurringInvoice.total]).toEqual([usd(20), usd(22)]);
    expect(isPlanDowngrade).toBe(false);
    expect((await h.allot.estimateSubscription(request)).total).toEqual(immediateInvoice.total);
  });

  it('shows a downgrade deferred to the period’s end: scheduled, a downgrade, nothing due now', async () => {
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'team', skipTrial: true });
    const preview = await h.allot.previewSubscription({
      customerId: 'acme',
      planId: 'basic',
      scheduleStrategy: 'END_OF_BILLING_PERIOD',
    });
    expect(preview).toMatchObject({
      isPlanDowngrade: true,
      hasScheduledUpdates: true,
      immediateInvoice: { total: usd(0) },
      recurringInvoice: { total: usd(10) },
      billingPeriodRange: { start: new Date('2025-02-28T10:00:00.000Z') },
    });
    const [team] = await h.allot.getActiveSubscriptions({ customerId: 'acme' });
    expect(team?.futureUpdates).toEqual([]);
    // At once instead: a downgrade, not scheduled, and a credit for the unused time.
    const now = await h.allot.previewSubscription({
      customerId: 'acme',
      planId: 'basic',
      scheduleStrategy: 'IMMEDIATE',
    });
    expect([now.isPlanDowngrade, now.hasScheduledUpdates, now.immediateInvoice.total.amount < 0]).toEqual([
      true,
      false,
      true,
    ]);
  });

  it('refuses what estimateSubscription refuses, and fields it does not know', async () => {
    expect(await errorCode(h.allot.previewSubscription({ customerId: 'acme', planId: 'nope' }))).toBe('PLAN_NOT_FOUND');
    expect(await errorCode(h.allot.previewSubscription({ customerId: 'ghost', planId: 'basic' }))).toBe(
      'CUSTOMER_NOT_FOUND',
    );
    expect(
      await errorCode(h.allot.previewSubscription({ customerId: 'acme', planId: 'basic', when: 'now' } as never)),
    ).toBe('INVALID_INPUT');
  });
});

describe.each(stores)('previewNextInvoice ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture, { catalog: pricedCatalog });
    await h.allot.provisionCustomer({ customerId: 'acme' });
  });
  afterEach(() => h.close());

  const subscribe = async (params: object = {}) =>
    (await h.allot.provisionSubscription({ customerId: 'acme', planId: 'basic', ...params })).subscription.id;

  it('charges the next period’s plan and add-ons up front, line by line', async () => {
    const subscriptionId = await subscribe({ addons: [{ addonId: 'support', quantity: 2 }] });
    const invoice = await h.allot.previewNextInvoice({ subscriptionId });
    const period = { start: new Date('2025-02-28T10:00:00.000Z'), end: new Date('2025-03-31T10:00:00.000Z') };
    expect(invoice.lines).toEqual([
      {
        type: 'BaseCharge',
        description: 'basic',
        planId: 'basic',
        amount: usd(10),
        quantity: 1,
        unitPrice: usd(10),
        proration: false,
        period,
      },
      {
        type: 'AddonCharge',
        description: 'support',
        addonId: 'support',
        amount: usd(9.98),
        quantity: 2,
        unitPrice: usd(4.99),
        proration: false,
        period,
      },
    ]);
    expect(invoice).toMatchObject({
      subTotal: usd(19.98),
      discount: usd(0),
      tax: usd(0),
      total: usd(19.98),
      amountDue: usd(19.98),
      minimumSpendAdjustment: usd(0),
      lastUpdatedAt: new Date(START),
    });
  });

  it('discounts the period while the customer’s coupon still applies to it', async () => {
    await h.allot.updateCustomer({ customerId: 'acme', couponId: 'half' }); // 50% for three months from now
    const subscriptionId = await subscribe();
    expect((await h.allot.previewNextInvoice({ subscriptionId })).total).toEqual(usd(5));
    h.clock.set('2025-04-15T00:00:00.000Z'); // the next period starts on Apr 30, past the three months
    expect(await h.allot.previewNextInvoice({ subscriptionId })).toMatchObject({ discount: usd(0), total: usd(10) });
  });

  it('shows the plan a scheduled downgrade moves to, and the first paid period after a trial', async () => {
    const team = await subscribe({ planId: 'team', skipTrial: true });
    await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'basic',
      scheduleStrategy: 'END_OF_BILLING_PERIOD',
    });
    expect((await h.allot.previewNextInvoice({ subscriptionId: team })).lines.map((l) => l.planId)).toEqual(['basic']);

    await h.allot.provisionCustomer({ customerId: 'trialist' });
    const trial = (await h.allot.provisionSubscription({ customerId: 'trialist', planId: 'team' })).subscription;
    expect(trial.status).toBe('IN_TRIAL');
    const first = await h.allot.previewNextInvoice({ subscriptionId: trial.id });
    expect(first.lines[0]?.period).toEqual({ start: trial.trialEndDate, end: new Date('2025-03-14T10:00:00.000Z') });
    expect(first.total).toEqual(usd(20));
  });

  it('has no next invoice for a subscription that ends first, nor for an unknown one', async () => {
    const subscriptionId = await subscribe();
    await h.allot.cancelSubscription({ subscriptionId, subscriptionCancellationTime: 'END_OF_BILLING_PERIOD' });
    const [ending] = await h.allot.getActiveSubscriptions({ customerId: 'acme' });
    expect(ending?.endDate).toEqual(new Date('2025-02-28T10:00:00.000Z'));
    expect(await errorCode(h.allot.previewNextInvoice({ subscriptionId }))).toBe('SUBSCRIPTION_NOT_ACTIVE');
    expect(await errorCode(h.allot.previewNextInvoice({ subscriptionId: 'nope' }))).toBe('SUBSCRIPTION_NOT_FOUND');
  });
});
