import { describe, expect, it } from 'vitest';
import { Allot, ManualClock, type Store, type StoreReader } from '../../src/index.js';
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
