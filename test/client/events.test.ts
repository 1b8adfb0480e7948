import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EntitlementsUpdatedEvent, SubscriptionUpdatedEvent, UsageUpdatedEvent } from '../../src/index.js';
import { errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';

describe.each(stores)('events ($name)', (fixture) => {
  let h: Harness;
  const seen: {
    entitlements: EntitlementsUpdatedEvent[];
    usage: UsageUpdatedEvent[];
    subscriptions: SubscriptionUpdatedEvent[];
  } = {
    entitlements: [],
    usage: [],
    subscriptions: [],
  };
  const onEntitlements = (e: EntitlementsUpdatedEvent) => seen.entitlements.push(e);
  const onUsage = (e: UsageUpdatedEvent) => seen.usage.push(e);
  const onSubscription = (e: SubscriptionUpdatedEvent) => seen.subscriptions.push(e);
  beforeEach(async () => {
    h = await harness(fixture);
    seen.entitlements = [];
    seen.usage = [];
    seen.subscriptions = [];
    h.allot.addListener('entitlementsUpdated', onEntitlements);
    h.allot.addListener('usageUpdated', onUsage);
    h.allot.addListener('subscriptionUpdated', onSubscription);
  });
  afterEach(() => h.close());

  it('emits entitlementsUpdated and subscriptionUpdated after a subscription change', async () => {
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
    expect(seen.subscriptions.map((e) => e.subscription.planId)).toEqual(['free']);
    const last = seen.entitlements.at(-1);
    expect(last).toMatchObject({ customerId: 'acme', resourceId: null, accessDeniedReason: null });
    expect(last?.entitlements.map((e) => e.feature?.id).sort()).toEqual([
      'api-calls',
      'max-projects',
      'region',
      'seats',
    ]);
  });

  it('emits usageUpdated with the usage and the metered entitlement', async () => {
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 30 });
    expect(seen.usage).toHaveLength(1);
    expect(seen.usage[0]).toMatchObject({
      usage: { customerId: 'acme', featureId: 'api-calls', currentUsage: 30, resourceId: null },
      entitlement: { type: 'METERED', usageLimit: 100, currentUsage: 30, hasAccess: true },
    });
    expect(seen.usage[0]?.usage.usagePeriodEnd?.toISOString()).toBe('2025-02-28T10:00:00.000Z');
  });

  it('emits nothing for a rejected write, and stops after removeListener', async () => {
    expect(
      await errorCode(h.allot.provisionCustomer({ customerId: 'x', subscriptionParams: { planId: 'nope' } })),
    ).toBe('PLAN_NOT_FOUND');
    expect(seen.subscriptions).toEqual([]);
    expect(seen.entitlements).toEqual([]);
    h.allot.removeListener('usageUpdated', onUsage);
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 1 });
    expect(seen.usage).toEqual([]);
  });

  it('a throwing listener does not fail the committed write', async () => {
    h.allot.addListener('subscriptionUpdated', () => {
      throw new Error('listener bug');
    });
    const quiet = console.error;
    console.error = () => {};
    try {
      const result = await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
      expect(result.subscription?.planId).toBe('free');
    } finally {
      console.error = quiet;
    }
  });
});
