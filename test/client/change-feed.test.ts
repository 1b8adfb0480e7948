import { describe, expect, it } from 'vitest';
import { Allot, AllotError, ManualClock, type Store, type StoreReader } from '../../src/index.js';
import { memoryStore } from '../../src/stores/memory/index.js';
import { catalog } from '../helpers/fixtures.js';

/** A shared store whose change token is woken late (as PostgreSQL's NOTIFY is): it never moves here. */
function lateToken(exactChangeToken: boolean): { store: Store; feedReadsInWrites(): number } {
  const inner = memoryStore();
  let reads = 0;
  const changesSince = (inWrite: boolean) => async (seq: number) => {
    if (inWrite) reads++;
    return { seq, customerIds: [] };
  };
  // A proxy, not a prototype: the memory store's readers keep private fields.
  const withFeed = <R extends StoreReader>(r: R, inWrite: boolean): R =>
    new Proxy(r, {
      get(target, prop) {
        if (prop === 'changesSince') return changesSince(inWrite);
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  const store: Store = {
    name: 'late-token(memory)',
    capabilities: { durable: false, sharedAcrossProcesses: true, exactChangeToken },
    open: () => inner.open(),
    close: () => inner.close(),
    read: (fn) => inner.read((r) => fn(withFeed(r, false))),
    transaction: (keys, fn) => inner.transaction(keys, (tx) => fn(withFeed(tx, true))),
    changeToken: () => 1,
  };
  return { store, feedReadsInWrites: () => reads };
}

describe('a write catching up with other processes', () => {
  it('reads the change feed under its locks when the store cannot promise its token is exact', async () => {
    const { store, feedReadsInWrites } = lateToken(false);
    const allot = Allot.initialize({ catalog, store, clock: new ManualClock('2025-01-01T00:00:00Z') });
    await allot.waitForInitialization();
    const before = feedReadsInWrites();
    await allot.provisionCustomer({ customerId: 'acme' });
    await allot.updateCustomer({ customerId: 'acme', name: 'Acme' });
    expect(feedReadsInWrites() - before).toBe(2);
    await allot.close();
  });

  it('trusts an exact token that has not moved, and skips the feed', async () => {
    const { store, feedReadsInWrites } = lateToken(true);
    const allot = Allot.initialize({ catalog, store, clock: new ManualClock('2025-01-01T00:00:00Z') });
    await allot.waitForInitialization();
    const before = feedReadsInWrites();
    await allot.provisionCustomer({ customerId: 'acme' });
    expect(feedReadsInWrites() - before).toBe(0);
    await allot.close();
  });
});

describe('checks while the store is unreachable', () => {
  it('answer a warm customer from the cache, a cold one from the fallback, and stop asking the store meanwhile', async () => {
    const inner = memoryStore();
    let down = false;
    let token = 1;
    let reads = 0;
    const store: Store = {
      name: 'flaky(memory)',
      capabilities: { durable: false, sharedAcrossProcesses: true },
      open: () => inner.open(),
      close: () => inner.close(),
      read: async (fn) => {
        reads++;
        if (down) throw new AllotError('STORE_UNAVAILABLE', 'flaky(memory): connect ECONNREFUSED');
        return inner.read(fn);
      },
      transaction: (keys, fn) => inner.transaction(keys, fn),
      changeToken: () => token,
    };
    const allot = Allot.initialize({
      catalog,
      store,
      clock: new ManualClock('2025-01-01T00:00:00Z'),
      entitlementsFallback: { sso: { hasAccess: false } },
      logConfiguration: { logLevel: 'NONE' },
    });
    await allot.waitForInitialization();
    await allot.provisionCustomer({ customerId: 'warm', subscriptionParams: { planId: 'pro', skipTrial: true } });
    expect((await allot.getBooleanEntitlement({ customerId: 'warm', featureId: 'sso' })).hasAccess).toBe(true);

    // The server goes away, and the token says another instance may have committed.
    down = true;
    token++;
    const warm = await allot.getBooleanEntitlement({ customerId: 'warm', featureId: 'sso' });
    expect(warm).toMatchObject({ hasAccess: true });
    expect(warm.isFallback).not.toBe(true);
    const readsAfterFirst = reads;
    await allot.getBooleanEntitlement({ customerId: 'warm', featureId: 'sso' });
    expect(reads).toBe(readsAfterFirst); // failing fast: no second wait for the server
    expect(await allot.getBooleanEntitlement({ customerId: 'cold', featureId: 'sso' })).toMatchObject({
      hasAccess: false,
      isFallback: true,
    });
    await allot.close();
  });
});
