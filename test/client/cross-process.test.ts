import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Allot } from '../../src/index.js';
import { catalog, type Harness, harness, seen, sharedStores } from '../helpers/fixtures.js';

describe.each(sharedStores)('two engines on one database ($name)', (fixture) => {
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

  // Within changeCheckIntervalMs on SQLite; within the store's bound on PostgreSQL (see `seen`).
  it("sees the other engine's writes at a check soon after", async () => {
    expect(await calls(other)).toBe(0); // warms the other engine's cache
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 5 });
    expect(await seen(fixture, () => calls(other), 5)).toBe(5);
    await other.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 2 });
    expect(await seen(fixture, () => calls(h.allot), 7)).toBe(7);
    await other.provisionSubscription({ customerId: 'acme', planId: 'pro', skipTrial: true });
    const sso = async () => (await h.allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'sso' })).hasAccess;
    expect(await seen(fixture, sso, true)).toBe(true);
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
    const plans = async () => (await other.getActiveSubscriptions({ customerId: 'acme' })).map((s) => s.planId);
    expect(await seen(fixture, plans, ['free'])).toEqual(['free']);
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
    if (fixture.crossInstanceDelayMs) {
      // PostgreSQL: the commit is noticed within the store's bound, not at a given tick; the answers
      // still go stale, then (while the customer reloads) the fallback, then fresh, never back.
      const answers: string[] = [];
      const deadline = Date.now() + fixture.crossInstanceDelayMs + 1_000;
      while (answers.at(-1) !== 'fresh' && Date.now() < deadline) {
        const e = sync();
        const answer = e.isFallback ? 'fallback' : e.currentUsage === 3 ? 'fresh' : `stale ${e.currentUsage}`;
        if (answers.at(-1) !== answer) answers.push(answer);
        await tick();
      }
      expect(answers.at(-1)).toBe('fresh');
      expect(['stale 0', 'fallback', 'fresh'].filter((a) => answers.includes(a))).toEqual(answers);
      expect(await calls(throttled)).toBe(3);
      return;
    }
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
    const audit = async () =>
      (await h.allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'audit-log' })).hasAccess;
    expect(await seen(fixture, audit, true)).toBe(true);
    const [sub] = await h.allot.getActiveSubscriptions({ customerId: 'acme' });
    expect(sub).toMatchObject({ planId: 'pro', planVersion: 2, pricingType: 'PAID' });
  });
});
