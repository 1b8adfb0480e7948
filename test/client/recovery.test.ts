import { describe, expect, it } from 'vitest';
import { Allot, ManualClock, type Store } from '../../src/index.js';
import { memoryStore } from '../../src/stores/memory/index.js';
import { catalog } from '../helpers/fixtures.js';

/** A store whose server is down until `up()`: opening it fails as an unreachable server would. */
function outage(): { store: Store; up(): void; opens(): number } {
  const inner = memoryStore();
  let down = true;
  let opens = 0;
  const store: Store = {
    ...inner,
    name: 'outage(memory)',
    capabilities: inner.capabilities,
    open: async () => {
      opens++;
      if (down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      return inner.open();
    },
    close: () => inner.close(),
    read: (fn) => inner.read(fn),
    transaction: (keys, fn) => inner.transaction(keys, fn),
  };
  return { store, up: () => (down = false), opens: () => opens };
}

describe('an engine initialized while its store is down', () => {
  it('reports the failure, answers checks from the fallback, then recovers without a restart', async () => {
    const { store, up, opens } = outage();
    const allot = Allot.initialize({
      catalog,
      store,
      clock: new ManualClock('2025-01-01T00:00:00Z'),
      entitlementsFallback: { sso: { hasAccess: true } },
    });
    await expect(allot.waitForInitialization()).rejects.toThrow('ECONNREFUSED');
    expect(await allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'sso' })).toMatchObject({
      hasAccess: true,
      isFallback: true,
    });
    // Still down: a write fails, and tried again rather than replaying the first failure.
    const before = opens();
    await expect(allot.provisionCustomer({ customerId: 'acme' })).rejects.toThrow('ECONNREFUSED');
    expect(opens()).toBeGreaterThan(before);

    up();
    await allot.waitForInitialization();
    await allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'pro', skipTrial: true } });
    const recovered = await allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'sso' });
    expect(recovered.hasAccess).toBe(true);
    expect(recovered.isFallback).not.toBe(true);
    await allot.close();
  });
});
