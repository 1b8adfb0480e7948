import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalog, errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';

const raised = {
  ...catalog,
  plans: catalog.plans.map((p) =>
    p.id === 'free'
      ? { ...p, entitlements: p.entitlements.map((e) => (e.featureId === 'api-calls' ? { ...e, usageLimit: 500 } : e)) }
      : p,
  ),
};

describe.each(stores)('catalog versions ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture);
  });
  afterEach(() => h.close());

  it('keeps existing subscriptions on their version and gives new ones the latest', async () => {
    await h.allot.provisionCustomer({ customerId: 'old', subscriptionParams: { planId: 'free' } });
    const same = await h.reopen();
    expect(same.catalog.plans.get('free')?.version).toBe(1);
    const changed = await h.reopen({ catalog: raised });
    expect(changed.catalog.plans.get('free')?.version).toBe(2);
    expect(changed.catalog.plans.get('pro')?.version).toBe(1);
    await changed.provisionCustomer({ customerId: 'new', subscriptionParams: { planId: 'free' } });
    const limit = async (customerId: string) =>
      (await changed.getMeteredEntitlement({ customerId, featureId: 'api-calls' })).usageLimit;
    expect(await limit('old')).toBe(100);
    expect(await limit('new')).toBe(500);
    const [sub] = await changed.getActiveSubscriptions({ customerId: 'old' });
    expect(sub?.planVersion).toBe(1);
  });

  it('rejects an invalid catalog at initialize with every problem listed', async () => {
    const broken = {
      ...catalog,
      plans: [...catalog.plans, { id: 'loop', productId: 'app', basePlanId: 'loop' }],
      addons: [{ id: 'x', productId: 'nowhere' }],
    };
    const code = await errorCode(h.reopen({ catalog: broken }));
    expect(code).toBe('INVALID_CATALOG');
  });
});
