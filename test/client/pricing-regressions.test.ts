// Regressions from the review of the pricing methods: each names the behaviour it pins.
import { afterEach, describe, expect, it } from 'vitest';
import type { AllotOptions, CatalogInput } from '../../src/index.js';
import { type Harness, harness, stores } from '../helpers/fixtures.js';
import { pricedCatalog } from '../helpers/priced-catalog.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const withProduct = (product: object) =>
  ({
    ...pricedCatalog,
    products: [{ id: 'app', downgradePlanId: 'free', ...product }],
  }) as CatalogInput & { plans: { id: string }[] };

describe.each(stores)('pricing regressions ($name)', (fixture) => {
  let h: Harness;
  const open = async (options: Partial<AllotOptions> = {}) => {
    h = await harness(fixture, { catalog: pricedCatalog, ...options });
    await h.allot.provisionCustomer({ customerId: 'acme' });
    return h;
  };
  afterEach(() => h.close());

  it('estimates a downgrade deferred to the end of the period: nothing due now, the next period', async () => {
    await open({ catalog: withProduct({ downgradeScheduleStrategy: 'END_OF_BILLING_PERIOD' }) });
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'team', skipTrial: true });
    h.clock.advance({ months: 3, days: 10 });
    const estimate = await h.allot.estimateSubscription({ customerId: 'acme', planId: 'basic' });
    expect(estimate.total).toEqual(usd(0));
    expect(estimate.billingPeriodRange.start.toISOString()).toBe('2025-05-31T10:00:00.000Z');
    expect(estimate.subscription.total).toEqual(usd(10));
  });

  it('estimates a trial that ends by cancelling at the trial plan, its first paid period after the trial', async () => {
    await open();
    const estimate = await h.allot.estimateSubscription({
      customerId: 'acme',
      planId: 'team',
      billableFeatures: [{ featureId: 'seats', quantity: 2 }],
    });
    expect(estimate.total).toEqual(usd(0));
    expect(estimate.subscription.total).toEqual(usd(30));
    expect(estimate.billingPeriodRange.start.toISOString()).toBe('2025-02-14T10:00:00.000Z');
  });

  it('charges nothing now for an update during a trial', async () => {
    await open();
    const { subscription } = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'team' });
    h.clock.advance({ days: 3 });
    const estimate = await h.allot.estimateSubscriptionUpdate({
      subscriptionId: subscription.id,
      addons: [{ addonId: 'support', quantity: 1 }],
    });
    expect(estimate.total).toEqual(usd(0));
  });

  it('estimates a billing period change as provisioning makes it: a new cycle from the change', async () => {
    await open();
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'basic' });
    h.clock.advance({ days: 14 });
    const estimate = await h.allot.estimateSubscription({
      customerId: 'acme',
      planId: 'basic',
      billingPeriod: 'ANNUALLY',
    });
    const { subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'basic',
      billingPeriod: 'ANNUALLY',
    });
    expect(estimate.billingPeriodRange).toEqual({
      start: subscription.currentBillingPeriodStart,
      end: subscription.currentBillingPeriodEnd,
    });
  });

  it("counts a customer's REPEATING coupon from when it was applied", async () => {
    await open();
    await h.allot.updateCustomer({ customerId: 'acme', couponId: 'half' });
    expect((await h.allot.estimateSubscription({ customerId: 'acme', planId: 'basic' })).total).toEqual(usd(5));
    h.clock.advance({ months: 6 });
    const later = await h.allot.estimateSubscription({ customerId: 'acme', planId: 'basic' });
    expect(later.total).toEqual(usd(10));
  });

  it('keeps a scheduled downgrade through a migration, and add-on changes made after scheduling one', async () => {
    await open({ catalog: withProduct({ downgradeScheduleStrategy: 'END_OF_BILLING_PERIOD' }) });
    const { subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'team',
      skipTrial: true,
    });
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'basic' }); // deferred to the period's end
    const raised = withProduct({ downgradeScheduleStrategy: 'END_OF_BILLING_PERIOD' });
    const team = raised.plans.find((p) => p.id === 'team');
    if (team) Object.assign(team, { displayName: 'Team 2' });
    const next = await h.reopen({ catalog: raised });
    await next.migrateSubscriptionToLatest({ subscriptionId: subscription.id });
    await next.migrateSubscriptionToLatest({
      subscriptionId: subscription.id,
      subscriptionMigrationTime: 'END_OF_BILLING_PERIOD',
    });
    h.clock.advance({ months: 1 });
    const [after] = await next.getActiveSubscriptions({ customerId: 'acme' });
    expect(after?.planId).toBe('basic');
  });

  it('a migration scheduled for the end of the period keeps add-on changes made since', async () => {
    await open();
    const { subscription } = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'basic' });
    const raised = {
      ...pricedCatalog,
      plans: pricedCatalog.plans.map((p) => (p.id === 'basic' ? { ...p, displayName: 'Basic 2' } : p)),
    };
    const next = await h.reopen({ catalog: raised });
    await next.migrateSubscriptionToLatest({
      subscriptionId: subscription.id,
      subscriptionMigrationTime: 'END_OF_BILLING_PERIOD',
    });
    await next.updateSubscription({ subscriptionId: subscription.id, addons: [{ addonId: 'support', quantity: 2 }] });
    h.clock.advance({ months: 1 });
    const [after] = await next.getActiveSubscriptions({ customerId: 'acme' });
    expect(after?.planVersion).toBe(2);
    expect(after?.addons.map((a) => a.quantity)).toEqual([2]);
  });

  it('ALL_CUSTOMERS migrates only subscriptions of the packages just published', async () => {
    await open();
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'basic' });
    await h.allot.provisionCustomer({ customerId: 'gratis', subscriptionParams: { planId: 'free' } });
    const basic2 = {
      ...pricedCatalog,
      plans: pricedCatalog.plans.map((p) => (p.id === 'basic' ? { ...p, displayName: 'Basic 2' } : p)),
    };
    await h.reopen({ catalog: basic2 }); // grandfathered: NEW_CUSTOMERS
    const free2 = {
      ...basic2,
      plans: basic2.plans.map((p) => (p.id === 'free' ? { ...p, displayName: 'Free 2' } : p)),
    };
    const last = await h.reopen({ catalog: free2, catalogMigration: 'ALL_CUSTOMERS' });
    const [basic] = await last.getActiveSubscriptions({ customerId: 'acme' });
    const [free] = await last.getActiveSubscriptions({ customerId: 'gratis' });
    expect(basic?.planVersion).toBe(1); // grandfathered earlier, not published now
    expect(free?.planVersion).toBe(2);
  });

  it('shows no totalPrice for a FREE plan', async () => {
    await open();
    const { subscription } = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'free' });
    expect(subscription.totalPrice).toBeNull();
    expect(subscription.prices).toEqual([]);
  });
});
