import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalog, errorCode, type Harness, harness, START, stores } from '../helpers/fixtures.js';

describe.each(stores)('subscriptions ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture);
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
  });
  afterEach(() => h.close());

  const active = async () =>
    (await h.allot.getActiveSubscriptions({ customerId: 'acme' })).map((s) => `${s.planId}:${s.status}`);
  const limit = async (featureId = 'api-calls') =>
    (await h.allot.getMeteredEntitlement({ customerId: 'acme', featureId })).usageLimit;

  it('an upgrade replaces the current subscription at once', async () => {
    const [free] = await h.allot.getActiveSubscriptions({ customerId: 'acme' });
    h.clock.advance({ days: 3 });
    const { provisionStatus, subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'pro',
      skipTrial: true,
      addons: [{ addonId: 'extra-calls', quantity: 2 }],
      billingPeriod: 'MONTHLY',
    });
    expect(provisionStatus).toBe('SUCCESS');
    expect(subscription).toMatchObject({ planId: 'pro', status: 'ACTIVE', addonIds: ['extra-calls'] });
    expect(await active()).toEqual(['pro:ACTIVE']);
    expect(await limit()).toBe(1200);
    const old = await h.allot.getSubscription({ subscriptionId: free?.id ?? '' });
    expect(old).toMatchObject({ status: 'CANCELED', cancelReason: 'UpgradeOrDowngrade' });
    // The billing cycle is kept by default.
    expect(subscription.currentBillingPeriodStart.toISOString()).toBe(START);
  });

  it('starts the plan trial, converts it on a paid subscription to the same plan', async () => {
    const trial = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro' });
    expect(trial.subscription).toMatchObject({ status: 'IN_TRIAL', trialEndBehavior: 'CONVERT_TO_PAID' });
    expect(trial.subscription.trialEndDate?.toISOString()).toBe('2025-02-14T10:00:00.000Z');
    // The trial runs beside the free plan until it converts.
    expect((await active()).sort()).toEqual(['free:ACTIVE', 'pro:IN_TRIAL']);
    expect(await limit()).toBe(1000);
    h.clock.advance({ days: 2 });
    const paid = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro' });
    expect(paid.subscription.status).toBe('ACTIVE');
    expect(await active()).toEqual(['pro:ACTIVE']);
    const old = await h.allot.getSubscription({ subscriptionId: trial.subscription.id });
    expect(old.cancelReason).toBe('TrialConverted');
  });

  it('a trial converts to paid by itself when it ends', async () => {
    const trial = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro' });
    h.clock.set(trial.subscription.trialEndDate ?? 0);
    expect(await active()).toEqual(['pro:ACTIVE']);
    expect(await limit()).toBe(1000);
  });

  it('a trial that cancels at its end falls back to the running plan', async () => {
    await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'pro',
      trialOverrideConfiguration: {
        isTrial: true,
        trialEndDate: '2025-02-05T00:00:00Z',
        trialEndBehavior: 'CANCEL_SUBSCRIPTION',
      },
    });
    h.clock.set('2025-02-05T00:00:00Z');
    expect(await active()).toEqual(['free:ACTIVE']);
    expect(await limit()).toBe(100);
  });

  it('grants one trial per product', async () => {
    const trial = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro' });
    await h.allot.cancelSubscription({ subscriptionId: trial.subscription.id });
    expect(await active()).toEqual(['free:ACTIVE']);
    const again = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro' });
    expect(again.subscription.status).toBe('ACTIVE');
    expect(await active()).toEqual(['pro:ACTIVE']);
  });

  it('a downgrade can wait for the end of the billing period, and a newer change replaces it', async () => {
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'enterprise' });
    const scheduled = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'free',
      scheduleStrategy: 'END_OF_BILLING_PERIOD',
    });
    expect(scheduled.subscription.planId).toBe('enterprise');
    expect(scheduled.subscription.futureUpdates).toMatchObject([
      { subscriptionScheduleType: 'Downgrade', scheduleStatus: 'Scheduled', targetPackage: { id: 'free' } },
    ]);
    expect(scheduled.subscription.futureUpdates[0]?.scheduledExecutionTime.toISOString()).toBe(
      '2025-02-28T10:00:00.000Z',
    );
    const replaced = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'pro',
      scheduleStrategy: 'END_OF_BILLING_PERIOD',
    });
    expect(replaced.subscription.futureUpdates.map((u) => u.targetPackage?.id)).toEqual(['pro']);
    expect(await limit()).toBeUndefined(); // enterprise: unlimited
    h.clock.set('2025-02-28T10:00:00.000Z');
    expect(await active()).toEqual(['pro:ACTIVE']);
    expect(await limit()).toBe(1000);
    await h.allot.cancelSubscriptionScheduledUpdates({ subscriptionId: replaced.subscription.id });
  });

  it('cancelScheduledUpdates keeps the current plan', async () => {
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro', skipTrial: true });
    const { subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'free',
      scheduleStrategy: 'END_OF_BILLING_PERIOD',
    });
    expect(await h.allot.cancelSubscriptionScheduledUpdates({ subscriptionId: subscription.id })).toEqual({
      subscriptionId: subscription.id,
    });
    h.clock.advance({ months: 2 });
    expect(await active()).toEqual(['pro:ACTIVE']);
  });

  it('cancels at the end of the billing period onto the downgrade plan', async () => {
    const { subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'pro',
      skipTrial: true,
    });
    h.clock.advance({ days: 10 });
    const canceled = await h.allot.cancelSubscription({
      subscriptionId: subscription.id,
      subscriptionCancellationTime: 'END_OF_BILLING_PERIOD',
    });
    expect(canceled.status).toBe('ACTIVE');
    expect(canceled.endDate?.toISOString()).toBe('2025-02-28T10:00:00.000Z');
    expect(await active()).toEqual(['pro:ACTIVE']);
    h.clock.set('2025-02-28T10:00:00.000Z');
    expect(await active()).toEqual(['free:ACTIVE']);
    expect((await h.allot.getSubscription({ subscriptionId: subscription.id })).status).toBe('CANCELED');
  });

  it('cancels immediately and on a specific date', async () => {
    const [free] = await h.allot.getActiveSubscriptions({ customerId: 'acme' });
    const { subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'bucket',
      resourceId: 'b1',
    });
    const now = await h.allot.cancelSubscription({ subscriptionId: subscription.id });
    expect(now.status).toBe('CANCELED');
    const later = await h.allot.cancelSubscription({
      subscriptionId: free?.id ?? '',
      subscriptionCancellationTime: 'SPECIFIC_DATE',
      endDate: '2025-03-15T00:00:00Z',
    });
    expect(later.endDate?.toISOString()).toBe('2025-03-15T00:00:00.000Z');
    expect(await errorCode(h.allot.cancelSubscription({ subscriptionId: subscription.id }))).toBe(
      'SUBSCRIPTION_NOT_ACTIVE',
    );
    expect(await errorCode(h.allot.cancelSubscription({ subscriptionId: 'nope' }))).toBe('SUBSCRIPTION_NOT_FOUND');
  });

  it('updates add-ons (replacing the list), quantities and metadata in place', async () => {
    const { subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'pro',
      skipTrial: true,
    });
    const updated = await h.allot.updateSubscription({
      subscriptionId: subscription.id,
      addons: [{ addonId: 'extra-seats', quantity: 3 }],
      billableFeatures: [{ featureId: 'seats', quantity: 4 }],
      metadata: { po: '42' },
    });
    expect(updated).toMatchObject({ id: subscription.id, addonIds: ['extra-seats'], metadata: { po: '42' } });
    expect(updated.billableFeatures).toEqual([{ featureId: 'seats', quantity: 4 }]);
    expect(await limit('seats')).toBe(25);
    const overridden = await h.allot.updateSubscription({
      subscriptionId: subscription.id,
      addons: [{ addonId: 'unlimited-calls' }],
    });
    expect(overridden.addonIds).toEqual(['unlimited-calls']);
    expect((await h.allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' })).isUnlimited).toBe(
      true,
    );
    expect(await limit('seats')).toBe(10);
  });

  it('rejects unknown, incompatible and excessive add-ons', async () => {
    expect(
      await errorCode(
        h.allot.provisionSubscription({ customerId: 'acme', planId: 'free', addons: [{ addonId: 'nope' }] }),
      ),
    ).toBe('ADDON_NOT_FOUND');
    expect(
      await errorCode(
        h.allot.provisionSubscription({ customerId: 'acme', planId: 'free', addons: [{ addonId: 'extra-seats' }] }),
      ),
    ).toBe('ADDON_NOT_COMPATIBLE');
    expect(
      await errorCode(
        h.allot.provisionSubscription({
          customerId: 'acme',
          planId: 'free',
          addons: [{ addonId: 'extra-calls', quantity: 6 }],
        }),
      ),
    ).toBe('ADDON_QUANTITY_EXCEEDED');
    expect(await active()).toEqual(['free:ACTIVE']);
  });

  it('keeps one subscription per resource for multi-subscription products, and transfers', async () => {
    const b1 = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'bucket', resourceId: 'b1' });
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'bucket', resourceId: 'b2' });
    const both = await h.allot.getActiveSubscriptions({ customerId: 'acme', resourceId: ['b1', 'b2'] });
    expect(both).toHaveLength(2);
    expect(
      await errorCode(
        h.allot.transferSubscriptionToResource({ subscriptionId: b1.subscription.id, destinationResourceId: 'b2' }),
      ),
    ).toBe('INVALID_OPERATION');
    const moved = await h.allot.transferSubscriptionToResource({
      subscriptionId: b1.subscription.id,
      destinationResourceId: 'b3',
    });
    expect(moved.resourceId).toBe('b3');
    expect(
      (await h.allot.getNumericEntitlement({ customerId: 'acme', featureId: 'max-projects', resourceId: 'b3' })).value,
    ).toBe(50);
  });

  it('lists subscriptions with filters and cursor pagination', async () => {
    await h.allot.provisionCustomer({ customerId: 'beta', subscriptionParams: { planId: 'pro' } });
    for (const r of ['r1', 'r2', 'r3'])
      await h.allot.provisionSubscription({ customerId: 'acme', planId: 'bucket', resourceId: r });
    const all = await h.allot.getSubscriptions();
    expect(all.totalCount).toBe(5);
    const acme = await h.allot.getSubscriptions({ customerId: 'acme', productId: 'storage', pagination: { limit: 2 } });
    expect(acme.totalCount).toBe(3);
    expect(acme.data).toHaveLength(2);
    expect(acme.pageInfo.hasNextPage).toBe(true);
    const next = await h.allot.getSubscriptions({
      customerId: 'acme',
      productId: 'storage',
      pagination: { limit: 2, startingAfter: acme.pageInfo.endCursor ?? '' },
    });
    expect(next.data).toHaveLength(1);
    expect(next.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(new Set([...acme.data, ...next.data].map((s) => s.resourceId))).toEqual(new Set(['r1', 'r2', 'r3']));
    const previous = await h.allot.getSubscriptions({
      customerId: 'acme',
      productId: 'storage',
      pagination: { limit: 2, endingBefore: next.data[0]?.id ?? '' },
    });
    expect(previous.data.map((s) => s.id)).toEqual(acme.data.map((s) => s.id));
    expect(previous.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    expect(await errorCode(h.allot.getSubscriptions({ pagination: { startingAfter: 'a', endingBefore: 'b' } }))).toBe(
      'INVALID_INPUT',
    );
    const trials = await h.allot.getSubscriptions({ status: 'IN_TRIAL' });
    expect(trials.data.map((s) => s.customerId)).toEqual(['beta']);
  });

  it('returns the slim list shape of the reference', async () => {
    const [slim] = await h.allot.getActiveSubscriptionsList({ customerId: 'acme' });
    expect(slim).toMatchObject({
      status: 'ACTIVE',
      billingPeriod: 'MONTHLY',
      customer: { customerId: 'acme' },
      plan: { refId: 'free', displayName: 'Free', product: { refId: 'app', downgradePlan: { refId: 'free' } } },
      addons: [],
      trialEndDate: null,
    });
    expect(slim?.currentBillingPeriodEnd.toISOString()).toBe('2025-02-28T10:00:00.000Z');
    expect(slim).toMatchObject({ prices: [], totalPrice: null });
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro', skipTrial: true });
    const [paid] = await h.allot.getActiveSubscriptionsList({ customerId: 'acme' });
    const [full] = await h.allot.getActiveSubscriptions({ customerId: 'acme' });
    expect(paid?.prices).toEqual(full?.prices.map(({ billingModel, ...price }) => ({ billingModel, price })));
    expect(paid).toMatchObject({
      prices: [
        { billingModel: 'FLAT_FEE', price: { billingPeriod: 'MONTHLY', price: { amount: 49, currency: 'USD' } } },
      ],
      totalPrice: { subTotal: { amount: 49, currency: 'USD' }, total: { amount: 49, currency: 'USD' } },
    });
  });

  it('a downgrade scheduled after an end-of-period cancellation replaces the cancellation', async () => {
    const { subscription } = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'enterprise' });
    await h.allot.cancelSubscription({
      subscriptionId: subscription.id,
      subscriptionCancellationTime: 'END_OF_BILLING_PERIOD',
    });
    const scheduled = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'pro',
      scheduleStrategy: 'END_OF_BILLING_PERIOD',
    });
    expect(scheduled.subscription).toMatchObject({ id: subscription.id, endDate: null, cancelReason: null });
    h.clock.set('2025-02-28T10:00:00.000Z');
    expect(await active()).toEqual(['pro:ACTIVE']);
  });

  it('REVOKE_ENTITLEMENTS ends access at once, whatever the cancellation time', async () => {
    const { subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'pro',
      skipTrial: true,
    });
    const canceled = await h.allot.cancelSubscription({
      subscriptionId: subscription.id,
      subscriptionCancellationTime: 'END_OF_BILLING_PERIOD',
      subscriptionCancellationAction: 'REVOKE_ENTITLEMENTS',
    });
    expect(canceled.status).toBe('CANCELED');
    expect(await active()).toEqual(['free:ACTIVE']);
  });

  it('a product without multiple subscriptions rejects resource scoping', async () => {
    expect(
      await errorCode(h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro', resourceId: 'r1' })),
    ).toBe('INVALID_OPERATION');
    const [free] = await h.allot.getActiveSubscriptions({ customerId: 'acme' });
    expect(
      await errorCode(
        h.allot.transferSubscriptionToResource({ subscriptionId: free?.id ?? '', destinationResourceId: 'r1' }),
      ),
    ).toBe('INVALID_OPERATION');
  });
});

// README "Differences from the Stigg SDK" → Trials: a conversion keeps the trial's usage, and the
// usage a customer sees never jumps back to an older count when a trial ends or the plan beside
// it goes. Under both reset rules: a conversion keeps the plan, so no rule resets it.
describe.each(stores)('usage across a trial ($name)', (fixture) => {
  const withRule = (rule: 'ALWAYS_RESET' | 'NEVER_RESET') => ({
    ...catalog,
    products: catalog.products.map((p) => (p.id === 'app' ? { ...p, usageResetCutoffRule: rule } : p)),
  });
  const scenario = (name: string, run: (h: Harness) => Promise<void>) =>
    it.each(['ALWAYS_RESET', 'NEVER_RESET'] as const)(`${name} (%s)`, async (rule) => {
      const h = await harness(fixture, { catalog: withRule(rule) });
      try {
        await run(h);
      } finally {
        await h.close();
      }
    });
  const metered = async (h: Harness, customerId: string) => {
    const e = await h.allot.getMeteredEntitlement({ customerId, featureId: 'api-calls' });
    return { usage: e.currentUsage, periodStart: e.usagePeriodStart?.toISOString() };
  };
  const report = (h: Harness, customerId: string, value: number) =>
    h.allot.reportUsage({ customerId, featureId: 'api-calls', value });
  const active = async (h: Harness, customerId: string) =>
    (await h.allot.getActiveSubscriptions({ customerId })).map((s) => `${s.planId}:${s.status}`).sort();

  scenario('a paid subscription to the plan in trial keeps the trial’s usage and usage period', async (h) => {
    await h.allot.provisionCustomer({ customerId: 'solo', subscriptionParams: { planId: 'pro' } });
    await report(h, 'solo', 30);
    h.clock.advance({ days: 2 });
    await h.allot.provisionSubscription({ customerId: 'solo', planId: 'pro' });
    expect(await active(h, 'solo')).toEqual(['pro:ACTIVE']);
    expect(await metered(h, 'solo')).toEqual({ usage: 30, periodStart: START });
    expect((await report(h, 'solo', 1)).currentUsage).toBe(31);

    // Beside the free plan the trial counted on free's counter: the conversion carries that on.
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro' });
    await report(h, 'acme', 30);
    const before = await metered(h, 'acme');
    h.clock.advance({ days: 2 });
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro' });
    expect(await active(h, 'acme')).toEqual(['pro:ACTIVE']);
    expect(await metered(h, 'acme')).toEqual(before);
  });

  scenario('the usage shown goes on when the trial ends or the plan beside it goes', async (h) => {
    const { subscription: trial } = await h.allot.provisionCustomer({
      customerId: 'solo',
      subscriptionParams: { planId: 'pro' },
    });
    const trialEnd = trial?.trialEndDate ?? new Date(0);
    await report(h, 'solo', 30);
    h.clock.advance({ days: 1 });
    // A plan starting beside the trial joins its count.
    await h.allot.provisionSubscription({ customerId: 'solo', planId: 'free' });
    expect(await metered(h, 'solo')).toEqual({ usage: 30, periodStart: START });
    await report(h, 'solo', 5);
    h.clock.set(trialEnd);
    expect(await active(h, 'solo')).toEqual(['pro:ACTIVE']);
    expect(await metered(h, 'solo')).toEqual({ usage: 35, periodStart: START });
    const history = await h.allot.getUsageHistory({
      customerId: 'solo',
      featureId: 'api-calls',
      startDate: new Date(START),
      endDate: new Date(trialEnd.getTime() + 1000),
    });
    expect(history.markers).toEqual([]);

    // The plan beside a trial cancelled: the trial goes on with its count, through its end.
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
    const { subscription: second } = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro' });
    await report(h, 'acme', 20);
    const [free] = (await h.allot.getActiveSubscriptions({ customerId: 'acme' })).filter((s) => s.planId === 'free');
    await h.allot.cancelSubscription({ subscriptionId: free?.id ?? '' });
    expect(await active(h, 'acme')).toEqual(['pro:IN_TRIAL']);
    expect((await metered(h, 'acme')).usage).toBe(20);
    h.clock.set(second.trialEndDate ?? new Date(0));
    expect((await metered(h, 'acme')).usage).toBe(20);
  });
});

describe.each(stores)('subscriptions: the reference’s other subscription methods ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture);
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
  });
  afterEach(() => h.close());

  const plans = async (resourceId?: string) =>
    (await h.allot.getActiveSubscriptions({ customerId: 'acme', ...(resourceId ? { resourceId } : {}) })).map(
      (s) => `${s.planId}:${s.status}`,
    );

  it('applySubscription provisions as provisionSubscription does and answers {subscription}', async () => {
    const applied = await h.allot.applySubscription({
      customerId: 'acme',
      planId: 'pro',
      skipTrial: true,
      paymentMethodId: 'pm_123',
    });
    expect(Object.keys(applied)).toEqual(['subscription']);
    expect(applied.subscription).toMatchObject({ planId: 'pro', status: 'ACTIVE', customerId: 'acme' });
    expect(await plans()).toEqual(['pro:ACTIVE']);
    expect((await h.allot.getSubscription({ subscriptionId: applied.subscription.id })).planId).toBe('pro');
    expect(await errorCode(h.allot.applySubscription({ customerId: 'acme', planId: 'nope' }))).toBe('PLAN_NOT_FOUND');
    expect(
      await errorCode(h.allot.applySubscription({ customerId: 'acme', planId: 'pro', checkout: true } as never)),
    ).toBe('INVALID_INPUT');
  });

  it('createSubscription (deprecated) provisions and answers the subscription itself', async () => {
    const created = await h.allot.createSubscription({ customerId: 'acme', planId: 'pro' });
    expect(created).toMatchObject({ planId: 'pro', status: 'IN_TRIAL' });
    expect(await plans()).toEqual(['free:ACTIVE', 'pro:IN_TRIAL']);
    const e = await h.allot.createSubscription({ customerId: 'acme', planId: 7 } as never).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'INVALID_INPUT' });
    expect(String((e as Error).message)).toContain('createSubscription');
  });

  it('transferSubscription (deprecated) moves the customer’s subscriptions on one resource to another', async () => {
    const site1 = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'bucket', resourceId: 'site-1' });
    const moved = await h.allot.transferSubscription({
      customerId: 'acme',
      sourceResourceId: 'site-1',
      destinationResourceId: 'site-2',
    });
    expect(moved).toMatchObject({ id: site1.subscription.id, resourceId: 'site-2', planId: 'bucket' });
    expect(await plans('site-1')).toEqual([]);
    expect(await plans('site-2')).toEqual(['bucket:ACTIVE']);
    expect(
      (await h.allot.getEntitlement({ customerId: 'acme', featureId: 'audit-log', resourceId: 'site-2' })).hasAccess,
    ).toBe(true);
    expect(
      await errorCode(
        h.allot.transferSubscription({ customerId: 'acme', sourceResourceId: 'site-1', destinationResourceId: 'x' }),
      ),
    ).toBe('SUBSCRIPTION_NOT_FOUND');
  });
});
