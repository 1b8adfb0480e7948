import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/index.js';
import { memoryStore } from '../../src/stores/memory/index.js';
import { harness, stores } from '../helpers/fixtures.js';

/**
 * A store that keeps the contract but resolves each transaction a little after committing, as a
 * networked database would: the engine must not rely on its cache update winning a microtask race.
 */
function slowToAcknowledge(inner: Store): Store {
  return {
    name: `slow(${inner.name})`,
    capabilities: inner.capabilities,
    open: () => inner.open(),
    close: () => inner.close(),
    read: (fn) => inner.read(fn),
    transaction: async (keys, fn) => {
      const result = await inner.transaction(keys, fn);
      await new Promise((resolve) => setTimeout(resolve, 1));
      return result;
    },
  };
}

const slow = {
  name: 'slow memory',
  create: () => ({ store: slowToAcknowledge(memoryStore()), reopen: () => memoryStore(), cleanup: () => {} }),
};

describe.each([...stores, slow])('concurrent writes for one customer ($name)', (fixture) => {
  it('concurrent grants and provisions never lose an update', async () => {
    const h = await harness(fixture);
    try {
      await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
      await Promise.all([
        h.allot.grantPromotionalEntitlements({
          customerId: 'acme',
          promotionalEntitlements: [{ featureId: 'sso', period: 'ONE_MONTH' }],
        }),
        h.allot.grantPromotionalEntitlements({
          customerId: 'acme',
          promotionalEntitlements: [{ featureId: 'audit-log', period: 'ONE_MONTH' }],
        }),
        h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro', skipTrial: true }),
        h.allot.provisionSubscription({ customerId: 'acme', planId: 'enterprise' }),
        ...Array.from({ length: 10 }, () => h.allot.reportUsage({ customerId: 'acme', featureId: 'seats', value: 1 })),
      ]);
      const customer = await h.allot.getCustomer('acme');
      expect(customer.promotionalEntitlements.map((p) => p.featureId).sort()).toEqual(['audit-log', 'sso']);
      expect((await h.allot.getActiveSubscriptions({ customerId: 'acme' })).map((s) => s.planId)).toEqual([
        'enterprise',
      ]);
      expect((await h.allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'seats' })).currentUsage).toBe(10);
      // The cache agrees with a fresh read of the store.
      await h.allot.reloadEntitlements('acme');
      expect((await h.allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'seats' })).currentUsage).toBe(10);
      expect((await h.allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'sso' })).hasAccess).toBe(true);
    } finally {
      await h.close();
    }
  });
});
