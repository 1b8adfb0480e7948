// Proration settings through the public API: bill-cycle days, free first periods, a plan's own
// convention, the anchor kept across a billing period change, prorated first credit grants.
import { afterEach, describe, expect, it } from 'vitest';
import type { CatalogInput } from '../../src/index.js';
import { AI_CREDITS, creditCatalog, monthlyCredits } from '../helpers/credit-fixtures.js';
import { errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';
import { pricedCatalog } from '../helpers/priced-catalog.js';

type Plan = NonNullable<CatalogInput['plans']>[number];
const withPlans = (extra: Plan[], changes: Record<string, Partial<Plan>> = {}): CatalogInput => ({
  ...pricedCatalog,
  plans: [...pricedCatalog.plans.map((p): Plan => ({ ...p, ...changes[p.id] })), ...extra],
});
// Lago's calendar-billing example plan: 50 a month.
const premium: Plan = {
  id: 'premium',
  productId: 'app',
  order: 5,
  pricingType: 'PAID',
  prices: [{ billingPeriod: 'MONTHLY', currency: 'USD', amount: '50.00' }],
};

describe.each(stores)('proration settings ($name)', (fixture) => {
  let h: Harness;
  afterEach(() => h.close());

  it('bills on a bill-cycle day and prorates the first, partial period (Lago calendar billing)', async () => {
    // docs.getlago.com, Assign a plan, calendar billing: the Premium plan, $50 monthly, from
    // August 10th: "22 days x $50 / 31 days = $35.48".
    h = await harness(fixture, { catalog: withPlans([premium]) });
    h.clock.set('2025-08-10T00:00:00Z');
    await h.allot.provisionCustomer({ customerId: 'acme' });
    const estimate = await h.allot.estimateSubscription({ customerId: 'acme', planId: 'premium', billingCycleDay: 1 });
    expect(estimate.total).toEqual({ amount: 35.48, currency: 'USD' });
    expect(estimate.billingPeriodRange.end).toEqual(new Date('2025-09-01T00:00:00Z'));
    expect(estimate.subscription.total).toEqual({ amount: 50, currency: 'USD' });
    const { subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'premium',
      billingCycleDay: 1,
    });
    expect(subscription.currentBillingPeriodEnd).toEqual(new Date('2025-09-01T00:00:00Z'));
    h.clock.set('2025-10-15T00:00:00Z');
    const later = await h.allot.getSubscription({ subscriptionId: subscription.id });
    expect([later.currentBillingPeriodStart, later.currentBillingPeriodEnd]).toEqual([
      new Date('2025-10-01T00:00:00Z'),
      new Date('2025-11-01T00:00:00Z'),
    ]);
    expect(
      await errorCode(h.allot.provisionSubscription({ customerId: 'acme', planId: 'premium', billingCycleDay: 32 })),
    ).toBe('INVALID_INPUT');
  });

  it("a plan's settings: its bill-cycle day, a FREE first period and its own convention", async () => {
    // Stripe (Checkout, Set the billing cycle date): with proration_behavior none, customers
    // receive the initial period up to the first full invoice date for free.
    h = await harness(fixture, {
      catalog: {
        ...withPlans([{ ...premium, proration: { billingCycleDay: 1, firstPartialPeriod: 'FREE' } }], {
          team: { proration: { convention: 'ACTUAL_DAYS_CHANGE_DAY_TO_BOTH' } },
        }),
        proration: { convention: 'ACTUAL_DAYS' },
      },
    });
    h.clock.set('2025-08-10T00:00:00Z');
    await h.allot.provisionCustomer({ customerId: 'acme' });
    const free = await h.allot.estimateSubscription({ customerId: 'acme', planId: 'premium' });
    expect(free.total).toEqual({ amount: 0, currency: 'USD' });
    expect(free.proration?.netAmount).toEqual({ amount: 0, currency: 'USD' });
    expect(free.billingPeriodRange.end).toEqual(new Date('2025-09-01T00:00:00Z'));

    // basic (10) from Aug 10; team (20) on Aug 17 at noon: 23 of the period's 31 days unused at the
    // old price, 24 charged at the new one: the day of the change is paid under both plans.
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'basic' });
    h.clock.set('2025-08-17T12:00:00Z');
    const up = await h.allot.estimateSubscription({ customerId: 'acme', planId: 'team', skipTrial: true });
    expect(up.proration?.credit).toEqual({ amount: -7.42, currency: 'USD' }); // 10 × 23/31
    expect(up.proration?.debit).toEqual({ amount: 15.48, currency: 'USD' }); // 20 × 24/31
    // A call's convention wins over the plan's.
    const perCall = await h.allot.estimateSubscription({
      customerId: 'acme',
      planId: 'team',
      skipTrial: true,
      prorationConvention: 'ACTUAL_DAYS',
    });
    expect(perCall.proration?.debit).toEqual({ amount: 14.84, currency: 'USD' }); // 20 × 23/31
  });

  it('keeps the billing anchor across a change of billing period when the plan says KEEP (Orb "unchanged")', async () => {
    // Orb's schedule-plan-change billing_cycle_alignment defaults to "unchanged": the existing
    // billing cycle alignment stays. By default allot (like Stripe) starts a new cycle instead.
    h = await harness(fixture, {
      catalog: withPlans([], { basic: { proration: { billingAnchorOnPeriodChange: 'KEEP' } } }),
    });
    h.clock.set('2025-01-01T00:00:00Z');
    await h.allot.provisionCustomer({ customerId: 'acme' });
    const { subscription } = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'basic' });
    h.clock.set('2025-07-02T12:00:00Z');
    const annual = await h.allot.estimateSubscription({
      customerId: 'acme',
      planId: 'basic',
      billingPeriod: 'ANNUALLY',
    });
    expect(annual.billingPeriodRange).toEqual({
      start: new Date('2025-01-01T00:00:00Z'),
      end: new Date('2026-01-01T00:00:00Z'),
    });
    // Credit 10 × 29.5/31 of July; debit 100 × 182.5/365 of the year from Jan 1.
    expect(annual.proration?.credit).toEqual({ amount: -9.52, currency: 'USD' });
    expect(annual.proration?.debit).toEqual({ amount: 50, currency: 'USD' });
    const yearly = await h.allot.updateSubscription({
      subscriptionId: subscription.id,
      billingPeriod: 'ANNUALLY',
    });
    expect([yearly.currentBillingPeriodStart, yearly.currentBillingPeriodEnd]).toEqual([
      new Date('2025-01-01T00:00:00Z'),
      new Date('2026-01-01T00:00:00Z'),
    ]);
  });

  it('prorates the first recurring credit grant of a subscription that starts off its anchor', async () => {
    h = await harness(fixture, {
      catalog: creditCatalog({
        planChanges: {
          pro: {
            creditEntitlements: monthlyCredits(310),
            proration: { billingCycleDay: 1, firstRecurringCreditGrant: 'PRORATED' },
          },
        },
      }),
    });
    h.clock.set('2025-08-10T00:00:00Z');
    await h.allot.provisionCustomer({ customerId: 'acme' });
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro', skipTrial: true });
    const balance = async () =>
      (await h.allot.getCreditEntitlement({ customerId: 'acme', currencyId: AI_CREDITS })).currentBalance;
    expect(await balance()).toBe(220); // 310 × 22/31: Aug 10 to Sep 1
    h.clock.set('2025-09-01T00:00:00Z');
    expect(await balance()).toBe(310); // every later period is whole
  });
});
