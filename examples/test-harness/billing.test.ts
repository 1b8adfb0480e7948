// A test harness for your own billing logic: the memory store keeps each test apart and fast, and a
// ManualClock moves time, so a 14-day trial or a month's reset is one line. `npm run example:test-harness`
// (it also runs with `npm test`).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Allot, type CatalogInput, ManualClock } from '../../src/index.js'; // in your app: from 'allot'
import { memoryStore } from '../../src/stores/memory/index.js'; // from 'allot/stores/memory'

const catalog: CatalogInput = {
  features: [
    { id: 'api-calls', featureType: 'NUMBER', meterType: 'Incremental' },
    { id: 'sso', featureType: 'BOOLEAN' },
  ],
  products: [{ id: 'app', downgradePlanId: 'free' }],
  plans: [
    {
      id: 'free',
      productId: 'app',
      order: 0,
      entitlements: [{ featureId: 'api-calls', usageLimit: 100, resetPeriod: 'MONTH' }],
    },
    {
      id: 'pro',
      productId: 'app',
      order: 1,
      pricingType: 'PAID',
      defaultTrialConfig: { duration: 14, units: 'DAY' }, // converts to paid at its end by default
      entitlements: [{ featureId: 'api-calls', usageLimit: 10_000, resetPeriod: 'MONTH' }, { featureId: 'sso' }],
    },
  ],
};

describe('billing', () => {
  let clock: ManualClock;
  let allot: Allot;
  beforeEach(async () => {
    clock = new ManualClock('2025-01-10T12:00:00Z');
    allot = Allot.initialize({ catalog, store: memoryStore(), clock });
    await allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
  });
  afterEach(() => allot.close());

  const plans = async () =>
    (await allot.getActiveSubscriptions({ customerId: 'acme' })).map((s) => `${s.planId}:${s.status}`).sort();
  const calls = (requestedUsage = 0) =>
    allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls', options: { requestedUsage } });

  it('a trial grants the plan at once and converts to paid when it ends', async () => {
    const { subscription } = await allot.provisionSubscription({ customerId: 'acme', planId: 'pro' });
    expect(subscription.status).toBe('IN_TRIAL');
    expect(subscription.trialEndDate).toEqual(new Date('2025-01-24T12:00:00Z'));
    expect(await plans()).toEqual(['free:ACTIVE', 'pro:IN_TRIAL']);
    expect((await allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'sso' })).hasAccess).toBe(true);

    clock.set('2025-01-24T11:59:59Z'); // the last second of the trial
    expect(await plans()).toEqual(['free:ACTIVE', 'pro:IN_TRIAL']);
    clock.advance({ seconds: 1 }); // nothing runs on a timer: the next read sees the conversion
    expect(await plans()).toEqual(['pro:ACTIVE']);
    expect((await calls()).usageLimit).toBe(10_000);
    expect((await allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'sso' })).hasAccess).toBe(true);
  });

  it('monthly usage resets on the anniversary of the subscription', async () => {
    await allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 100 });
    expect(await calls(1)).toMatchObject({
      hasAccess: false,
      accessDeniedReason: 'RequestedUsageExceedingLimit',
      currentUsage: 100,
      usagePeriodEnd: new Date('2025-02-10T12:00:00Z'),
    });

    clock.set('2025-02-10T11:59:59Z');
    expect((await calls()).currentUsage).toBe(100);
    clock.advance({ seconds: 1 }); // periods are half-open: the boundary belongs to the next one
    expect(await calls(1)).toMatchObject({
      hasAccess: true,
      currentUsage: 0,
      usagePeriodStart: new Date('2025-02-10T12:00:00Z'),
      usagePeriodEnd: new Date('2025-03-10T12:00:00Z'),
    });
  });
});
