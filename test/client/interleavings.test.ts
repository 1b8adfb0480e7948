import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Allot, ManualClock, type Store } from '../../src/index.js';
import { memoryStore } from '../../src/stores/memory/index.js';
import { catalog, START } from '../helpers/fixtures.js';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261121) });

/** The memory store with every transaction and read resolved when the scheduler says so. */
function scheduled(s: fc.Scheduler): Store {
  const inner = memoryStore();
  return {
    name: inner.name,
    capabilities: inner.capabilities,
    open: () => inner.open(),
    close: () => inner.close(),
    transaction: s.scheduleFunction((keys, fn) => inner.transaction(keys, fn)) as Store['transaction'],
    read: s.scheduleFunction((fn) => inner.read(fn)) as Store['read'],
  };
}

type Op = (allot: Allot, clock: ManualClock) => Promise<unknown>;
const customers = ['a', 'b'];
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ c: fc.constantFrom(...customers), plan: fc.constantFrom('free', 'pro', 'enterprise') }).map(
    ({ c, plan }) =>
      (a: Allot) =>
        a.provisionSubscription({ customerId: c, planId: plan }),
  ),
  fc.record({ c: fc.constantFrom(...customers), v: fc.integer({ min: -5, max: 20 }) }).map(
    ({ c, v }) =>
      (a: Allot) =>
        a.reportUsage({ customerId: c, featureId: 'api-calls', value: v }),
  ),
  fc.record({ c: fc.constantFrom(...customers), f: fc.constantFrom('sso', 'audit-log', 'max-projects') }).map(
    ({ c, f }) =>
      (a: Allot) =>
        a.grantPromotionalEntitlements({
          customerId: c,
          promotionalEntitlements: [{ featureId: f, period: 'ONE_MONTH' }],
        }),
  ),
  fc.constantFrom(...customers).map((c) => async (a: Allot) => {
    const [first] = await a.getActiveSubscriptions({ customerId: c });
    return first && a.cancelSubscription({ subscriptionId: first.id });
  }),
  fc.constantFrom(...customers).map((c) => (a: Allot) => a.getEntitlementsState(c)),
  fc.constantFrom(...customers).map((c) => (a: Allot) => a.reloadEntitlements(c)),
  fc.integer({ min: 1, max: 40 }).map((days) => async (_a: Allot, clock: ManualClock) => clock.advance({ days })),
);

describe('concurrent calls on one engine, in any interleaving', () => {
  it('leave the cache equal to the store and one live plan per product', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(op, { minLength: 2, maxLength: 8 }), async (s, ops) => {
        const clock = new ManualClock(START);
        const allot = Allot.initialize({ catalog, store: scheduled(s), clock });
        const setup = Promise.all(
          customers.map((c) => allot.provisionCustomer({ customerId: c, subscriptionParams: { planId: 'free' } })),
        );
        await s.waitFor(setup);
        const calls = Promise.allSettled(ops.map((run) => run(allot, clock)));
        await s.waitFor(calls);
        for (const c of customers) {
          const cached = await s.waitFor(allot.getEntitlementsState(c));
          const live = await s.waitFor(allot.getActiveSubscriptions({ customerId: c }));
          expect(live.filter((x) => x.productId === 'app' && x.status === 'ACTIVE').length).toBeLessThanOrEqual(1);
          await s.waitFor(allot.reloadEntitlements(c));
          expect(await s.waitFor(allot.getEntitlementsState(c))).toEqual(cached);
        }
        await s.waitFor(allot.close());
      }),
      { numRuns: 150 },
    );
  });
});
