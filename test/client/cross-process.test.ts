import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Allot } from '../../src/index.js';
import { catalog, type Harness, harness, stores } from '../helpers/fixtures.js';

const sqlite = stores.filter((s) => s.name === 'sqlite');

describe.each(sqlite)('two engines on one database ($name)', (fixture) => {
  let h: Harness;
  let other: Allot;
  beforeEach(async () => {
    h = await harness(fixture);
    other = await h.reopen();
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
  });
  afterEach(() => h.close());

  const calls = async (allot: Allot) =>
    (await allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' })).currentUsage;

  it("sees the other engine's writes at its next check", async () => {
    expect(await calls(other)).toBe(0); // warms the other engine's cache
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 5 });
    expect(await calls(other)).toBe(5);
    await other.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 2 });
    expect(await calls(h.allot)).toBe(7);
    await other.provisionSubscription({ customerId: 'acme', planId: 'pro', skipTrial: true });
    expect((await h.allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'sso' })).hasAccess).toBe(true);
  });

  it('writes on top of the latest state, never a stale cache', async () => {
    expect(await calls(h.allot)).toBe(0);
    await other.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 10, updateBehavior: 'SET' });
    const ack = await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 1 });
    expect(ack.currentUsage).toBe(11);
    await other.provisionSubscription({ customerId: 'acme', planId: 'pro', skipTrial: true });
    // The first engine's cache still holds the free plan; the write must see pro.
    const [pro] = await other.getActiveSubscriptions({ customerId: 'acme' });
    const canceled = await h.allot.cancelSubscription({ subscriptionId: pro?.id ?? '' });
    expect(canceled.planId).toBe('pro');
    expect((await other.getActiveSubscriptions({ customerId: 'acme' })).map((s) => s.planId)).toEqual(['free']);
  });

  it('with changeCheckIntervalMs, sees the change once the interval has passed', async () => {
    const throttled = await h.reopen({ changeCheckIntervalMs: 5 });
    expect(await calls(throttled)).toBe(0);
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 3 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    // The sync check answers from memory at once: it notices the commit and catches up in the
    // background, answers from the fallback while the changed customer reloads, then sees it.
    const sync = () => throttled.getEntitlementSync({ customerId: 'acme', featureId: 'api-calls' }, 'METERED');
    const tick = () => new Promise((resolve) => setTimeout(resolve, 10));
    expect(sync()).toMatchObject({ currentUsage: 0, isFallback: false });
    await tick();
    expect(sync()).toMatchObject({ isFallback: true });
    await tick();
    expect(sync()).toMatchObject({ currentUsage: 3, isFallback: false });
    expect(await calls(throttled)).toBe(3);
  });

  it('learns plan versions another process published and subscribed customers to', async () => {
    const raised = {
      ...catalog,
      plans: catalog.plans.map((p) =>
        p.id === 'pro' ? { ...p, entitlements: [...p.entitlements, { featureId: 'audit-log' }] } : p,
      ),
    };
    const newer = await h.reopen({ catalog: raised });
    expect(await calls(h.allot)).toBe(0); // warm
    const { subscription } = await newer.provisionSubscription({ customerId: 'acme', planId: 'pro', skipTrial: true });
    // Read directly, before any check has loaded the customer again.
    expect(await h.allot.getSubscription({ subscriptionId: subscription.id })).toMatchObject({
      planVersion: 2,
      pricingType: 'PAID',
      plan: { displayName: 'Pro' },
    });
    const audit = await h.allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'audit-log' });
    expect(audit.hasAccess).toBe(true);
    const [sub] = await h.allot.getActiveSubscriptions({ customerId: 'acme' });
    expect(sub).toMatchObject({ planId: 'pro', planVersion: 2, pricingType: 'PAID' });
  });
});
