// The one suite every Store runs unchanged; each store's test file calls it and adds its own regressions.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  CustomerRecord,
  CustomerState,
  PackageVersionRecord,
  PromotionRecord,
  SubscriptionRecord,
} from '../src/core/records.js';
import { AllotError } from '../src/errors.js';
import type { Store, StoreTransaction } from '../src/stores/store.js';

/** What a store's test file hands the suite: a store not yet opened, and how to reach its data again. */
export interface StoreHarness {
  store: Store;
  /** A new store over the same data, not yet opened; only durable stores provide it. */
  reopen?: () => Promise<Store>;
  cleanup?: () => Promise<void>;
}

const FC_SEED = Number(process.env.FC_SEED ?? 20_261_121);
const T0 = Date.UTC(2026, 0, 1);

function customer(id: string, overrides: Partial<CustomerRecord> = {}): CustomerRecord {
  return {
    id,
    name: `Customer ${id}`,
    email: `${id}@example.com`,
    billingId: null,
    couponId: null,
    metadata: { tier: 'gold', note: 'ünïcödé ✓' },
    createdAt: T0,
    updatedAt: T0,
    archivedAt: null,
    ...overrides,
  };
}

function subscription(id: string, customerId: string, overrides: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    id,
    customerId,
    resourceId: null,
    productId: 'product-main',
    planId: 'plan-pro',
    planVersion: 3,
    billingPeriod: 'MONTHLY',
    addons: [{ addonId: 'addon-seats', version: 1, quantity: 5 }],
    billableFeatures: [{ featureId: 'feature-seats', quantity: 12 }],
    entitlements: [
      {
        featureId: 'feature-api-calls',
        usageLimit: 1000.5,
        hasUnlimitedUsage: false,
        hasSoftLimit: true,
        resetPeriod: 'MONTH',
        accordingTo: 'StartOfTheMonth',
        enumValues: null,
      },
      {
        featureId: 'feature-region',
        usageLimit: null,
        hasUnlimitedUsage: false,
        hasSoftLimit: false,
        resetPeriod: null,
        accordingTo: null,
        enumValues: ['eu', 'us'],
      },
    ],
    metadata: { source: 'test' },
    startDate: T0,
    billingAnchor: T0,
    usageResetAt: T0,
    usageEpoch: `epoch-${id}`,
    trialEndDate: T0 + 14 * 86_400_000,
    trialEndBehavior: 'CONVERT_TO_PAID',
    endDate: null,
    cancellationDate: null,
    cancelReason: null,
    scheduledUpdates: [
      {
        subscriptionScheduleType: 'Plan',
        scheduledExecutionTime: T0 + 30 * 86_400_000,
        createdAt: T0,
        planId: 'plan-basic',
        planVersion: 1,
        addons: [],
        billingPeriod: 'ANNUALLY',
      },
    ],
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function promotion(id: string, customerId: string, overrides: Partial<PromotionRecord> = {}): PromotionRecord {
  return {
    id,
    customerId,
    featureId: 'feature-api-calls',
    period: 'ONE_MONTH',
    entitlement: {
      featureId: 'feature-api-calls',
      usageLimit: 50,
      hasUnlimitedUsage: false,
      hasSoftLimit: false,
      resetPeriod: 'DAY',
      accordingTo: null,
      enumValues: null,
    },
    isVisible: true,
    startDate: T0,
    endDate: T0 + 30 * 86_400_000,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function packageVersion(kind: 'plan' | 'addon', refId: string, version: number): PackageVersionRecord {
  return {
    kind,
    refId,
    version,
    hash: `${kind}-${refId}-${version}`,
    snapshot: { id: refId, version, features: [{ id: 'f', limit: 3 }], nested: { deep: [1, 'two', null] } },
    createdAt: T0 + version,
  };
}

const usageWrite = (customerId: string, featureId: string, window: string, resourceId: string | null = null) => ({
  customerId,
  resourceId,
  featureId,
  window,
  updatedAt: T0,
});

const byId = <T extends { id: string }>(rows: readonly T[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));

/** The state with its lists in a fixed order, so stores may return them in any order. */
function normalised(state: CustomerState | undefined) {
  if (state === undefined) return undefined;
  const usageKey = (u: CustomerState['usage'][number]) => `${u.featureId}\u0000${u.resourceId ?? ''}`;
  return {
    customer: state.customer,
    subscriptions: byId(state.subscriptions),
    promotions: byId(state.promotions),
    usage: [...state.usage].sort((a, b) => (usageKey(a) < usageKey(b) ? -1 : 1)),
  };
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(AllotError.is(error) ? error.code : error).toBe(code);
}

/**
 * Runs the store contract's behaviours against one backend. `factory` returns a store that is not
 * yet opened; give it `reopen` to also run the durability tests.
 */
/** `durable`: the store survives close and reopen, so the harness gives `reopen` and the durability group runs. */
export function describeStoreConformance(
  label: string,
  factory: () => Promise<StoreHarness>,
  { durable = false }: { durable?: boolean } = {},
): void {
  describe(`${label} store conformance`, () => {
    let harness: StoreHarness;
    let store: Store;
    const write = <T>(fn: (tx: StoreTransaction) => Promise<T>) => store.transaction(fn);

    beforeEach(async () => {
      harness = await factory();
      store = harness.store;
      await store.open();
    });

    afterEach(async () => {
      await store.close();
      await harness.cleanup?.();
    });

    describe('crud', () => {
      it('reads missing rows as undefined, never an error', async () => {
        await store.read(async (r) => {
          expect(await r.getCustomer('nobody')).toBeUndefined();
          expect(await r.getCustomerState('nobody')).toBeUndefined();
          expect(await r.getSubscription('nothing')).toBeUndefined();
          expect(await r.getIdempotencyResult('scope', 'key')).toBeUndefined();
          expect(await r.listSubscriptions({ limit: 10 })).toEqual([]);
          expect(await r.listPackageVersions()).toEqual([]);
        });
      });

      it('puts a customer, then replaces it by id', async () => {
        await write((tx) => tx.putCustomer(customer('c1')));
        expect(await store.read((r) => r.getCustomer('c1'))).toEqual(customer('c1'));
        const replaced = customer('c1', {
          name: null,
          email: null,
          metadata: {},
          archivedAt: T0 + 1,
          updatedAt: T0 + 1,
        });
        await write((tx) => tx.putCustomer(replaced));
        expect(await store.read((r) => r.getCustomer('c1'))).toEqual(replaced);
      });

      it('round-trips every subscription field exactly, nested JSON included', async () => {
        const ended = subscription('s2', 'c1', {
          resourceId: 'site-1',
          billingPeriod: 'ANNUALLY',
          trialEndDate: null,
          trialEndBehavior: null,
          endDate: T0 + 5,
          cancellationDate: T0 + 4,
          cancelReason: 'TrialConverted',
          endBeforeConversion: { endDate: T0 + 9, cancellationDate: T0 + 3, cancelReason: 'ScheduledCancellation' },
          addons: [],
          scheduledUpdates: [],
          metadata: { 'key with spaces': 'välue', empty: '' },
        });
        await write(async (tx) => {
          await tx.putSubscription(subscription('s1', 'c1'));
          await tx.putSubscription(ended);
        });
        await store.read(async (r) => {
          expect(await r.getSubscription('s1')).toStrictEqual(subscription('s1', 'c1'));
          expect(await r.getSubscription('s2')).toStrictEqual(ended);
        });
      });

      it('replaces a subscription by id', async () => {
        await write((tx) => tx.putSubscription(subscription('s1', 'c1')));
        const changed = subscription('s1', 'c1', { planId: 'plan-basic', planVersion: 4, updatedAt: T0 + 9 });
        await write((tx) => tx.putSubscription(changed));
        expect(await store.read((r) => r.getSubscription('s1'))).toEqual(changed);
      });

      it('puts, replaces and deletes promotions; deleting a missing one is a no-op', async () => {
        await write(async (tx) => {
          await tx.putCustomer(customer('c1'));
          await tx.putPromotion(promotion('p1', 'c1'));
          await tx.putPromotion(promotion('p2', 'c1', { isVisible: false, endDate: null, period: 'LIFETIME' }));
        });
        await write((tx) => tx.putPromotion(promotion('p1', 'c1', { featureId: 'feature-seats' })));
        await write(async (tx) => {
          await tx.deletePromotion('p2');
          await tx.deletePromotion('never-existed');
        });
        const state = await store.read((r) => r.getCustomerState('c1'));
        expect(state?.promotions).toEqual([promotion('p1', 'c1', { featureId: 'feature-seats' })]);
      });

      it('returns subscriptions and promotions ordered by id, whatever the order they were written in', async () => {
        await write(async (tx) => {
          await tx.putCustomer(customer('c1'));
          for (const id of ['s-c', 's-a', 's-b']) await tx.putSubscription(subscription(id, 'c1'));
          for (const id of ['p-b', 'p-c', 'p-a']) await tx.putPromotion(promotion(id, 'c1'));
        });
        const state = await store.read((r) => r.getCustomerState('c1'));
        expect(state?.subscriptions.map((x) => x.id)).toEqual(['s-a', 's-b', 's-c']);
        expect(state?.promotions.map((x) => x.id)).toEqual(['p-a', 'p-b', 'p-c']);
      });

      it("assembles a customer's state from that customer's rows only, history included", async () => {
        await write(async (tx) => {
          for (const id of ['c1', 'c2']) {
            await tx.putCustomer(customer(id));
            await tx.putSubscription(subscription(`${id}-s-old`, id, { endDate: T0 + 1 }));
            await tx.putSubscription(subscription(`${id}-s-new`, id));
            await tx.putPromotion(promotion(`${id}-p`, id));
            await tx.addUsage({ ...usageWrite(id, 'feature-api-calls', 'w1'), delta: 7 });
            await tx.addUsage({ ...usageWrite(id, 'feature-api-calls', 'w1', 'site-1'), delta: 2 });
          }
        });
        const state = normalised(await store.read((r) => r.getCustomerState('c1')));
        expect(state).toEqual({
          customer: customer('c1'),
          subscriptions: [subscription('c1-s-new', 'c1'), subscription('c1-s-old', 'c1', { endDate: T0 + 1 })],
          promotions: [promotion('c1-p', 'c1')],
          usage: [
            {
              customerId: 'c1',
              resourceId: null,
              featureId: 'feature-api-calls',
              value: 7,
              window: 'w1',
              updatedAt: T0,
            },
            {
              customerId: 'c1',
              resourceId: 'site-1',
              featureId: 'feature-api-calls',
              value: 2,
              window: 'w1',
              updatedAt: T0,
            },
          ],
        });
      });

      it('lists subscriptions by id, paged by an exclusive cursor, optionally for one customer', async () => {
        const owners: Record<string, string> = { s5: 'c1', s1: 'c2', s3: 'c1', s7: 'c2', s2: 'c1', s6: 'c1', s4: 'c2' };
        await write(async (tx) => {
          for (const [id, owner] of Object.entries(owners)) await tx.putSubscription(subscription(id, owner));
        });
        const ids = (rows: readonly SubscriptionRecord[]) => rows.map((s) => s.id);
        await store.read(async (r) => {
          expect(ids(await r.listSubscriptions({ limit: 3 }))).toEqual(['s1', 's2', 's3']);
          expect(ids(await r.listSubscriptions({ limit: 3, afterId: 's3' }))).toEqual(['s4', 's5', 's6']);
          expect(ids(await r.listSubscriptions({ limit: 3, afterId: 's6' }))).toEqual(['s7']);
          expect(ids(await r.listSubscriptions({ limit: 10, customerId: 'c1' }))).toEqual(['s2', 's3', 's5', 's6']);
          expect(ids(await r.listSubscriptions({ limit: 2, customerId: 'c1', afterId: 's3' }))).toEqual(['s5', 's6']);
          expect(await r.listSubscriptions({ limit: 10, customerId: 'nobody' })).toEqual([]);
        });
      });

      it('lists package versions by kind, id and version; a put replaces the same version', async () => {
        await write(async (tx) => {
          await tx.putPackageVersion(packageVersion('plan', 'pro', 2));
          await tx.putPackageVersion(packageVersion('plan', 'basic', 1));
          await tx.putPackageVersion(packageVersion('addon', 'seats', 1));
          await tx.putPackageVersion(packageVersion('plan', 'pro', 1));
        });
        const replacement = { ...packageVersion('plan', 'pro', 2), hash: 'rehashed', snapshot: ['replaced'] };
        await write((tx) => tx.putPackageVersion(replacement));
        expect(await store.read((r) => r.listPackageVersions())).toEqual([
          packageVersion('addon', 'seats', 1),
          packageVersion('plan', 'basic', 1),
          packageVersion('plan', 'pro', 1),
          replacement,
        ]);
      });

      it('hands out fresh arrays, so a caller mutating them cannot change the store', async () => {
        await write(async (tx) => {
          await tx.putCustomer(customer('c1'));
          await tx.putSubscription(subscription('s1', 'c1'));
          await tx.putPackageVersion(packageVersion('plan', 'pro', 1));
        });
        await store.read(async (r) => {
          const state = await r.getCustomerState('c1');
          (state?.subscriptions as SubscriptionRecord[]).length = 0;
          (await r.listSubscriptions({ limit: 5 })).length = 0;
          (await r.listPackageVersions()).length = 0;
        });
        await store.read(async (r) => {
          expect((await r.getCustomerState('c1'))?.subscriptions).toHaveLength(1);
          expect(await r.listSubscriptions({ limit: 5 })).toHaveLength(1);
          expect(await r.listPackageVersions()).toHaveLength(1);
        });
      });
    });

    describe('transactions', () => {
      it('a throw rolls back every write of the transaction and rethrows the same error', async () => {
        await write(async (tx) => {
          await tx.putCustomer(customer('c1'));
          await tx.putSubscription(subscription('s1', 'c1'));
          await tx.putPromotion(promotion('p1', 'c1'));
          await tx.addUsage({ ...usageWrite('c1', 'f1', 'w1'), delta: 5 });
          await tx.putPackageVersion(packageVersion('plan', 'pro', 1));
        });
        const snapshot = () =>
          store.read(async (r) => ({
            state: normalised(await r.getCustomerState('c1')),
            other: await r.getCustomer('c2'),
            idempotency: await r.getIdempotencyResult('scope', 'k1'),
            packages: await r.listPackageVersions(),
          }));
        const before = await snapshot();
        const failure = new Error('boom');
        const attempt = write(async (tx) => {
          await tx.putCustomer(customer('c1', { name: 'changed' }));
          await tx.putCustomer(customer('c2'));
          await tx.putSubscription(subscription('s1', 'c1', { planId: 'changed' }));
          await tx.putSubscription(subscription('s2', 'c1'));
          await tx.deletePromotion('p1');
          await tx.putPromotion(promotion('p2', 'c1'));
          await tx.addUsage({ ...usageWrite('c1', 'f1', 'w1'), delta: 10 });
          await tx.addUsage({ ...usageWrite('c1', 'f2', 'w1'), delta: 1 });
          await tx.setUsage({ ...usageWrite('c1', 'f1', 'w2'), value: 99 });
          await tx.putIdempotencyResult('scope', 'k1', { ok: true }, T0);
          await tx.putPackageVersion(packageVersion('plan', 'pro', 2));
          throw failure;
        });
        await expect(attempt).rejects.toBe(failure);
        expect(await snapshot()).toEqual(before);
      });

      it('a transaction reads its own writes before it commits', async () => {
        await write(async (tx) => {
          await tx.putCustomer(customer('c1'));
          await tx.putSubscription(subscription('s1', 'c1'));
          await tx.addUsage({ ...usageWrite('c1', 'f1', 'w1'), delta: 3 });
          const state = await tx.getCustomerState('c1');
          expect(state?.subscriptions.map((s) => s.id)).toEqual(['s1']);
          expect(state?.usage.map((u) => u.value)).toEqual([3]);
        });
      });

      it('returns the callback result once committed', async () => {
        const result = await write(async (tx) => {
          await tx.putCustomer(customer('c1'));
          return { done: 1 };
        });
        expect(result).toEqual({ done: 1 });
        expect(await store.read((r) => r.getCustomer('c1'))).toBeDefined();
      });

      it('serialises transactions started together: 50 read-modify-write increments lose none', async () => {
        await write((tx) => tx.putCustomer(customer('c1', { metadata: { count: '0' } })));
        const increment = () =>
          write(async (tx) => {
            const current = await tx.getCustomer('c1');
            // Yield to the event loop, giving any other transaction the chance to interleave.
            await new Promise((resolve) => setTimeout(resolve, 0));
            const count = Number(current?.metadata.count) + 1;
            await tx.putCustomer(customer('c1', { metadata: { count: String(count) } }));
          });
        await Promise.all(Array.from({ length: 50 }, increment));
        expect((await store.read((r) => r.getCustomer('c1')))?.metadata.count).toBe('50');
      });

      it('a read never observes half of a transaction', async () => {
        let release = () => {};
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        let halfWritten = () => {};
        const reachedGate = new Promise<void>((resolve) => {
          halfWritten = resolve;
        });
        const tx = write(async (t) => {
          await t.putCustomer(customer('a'));
          halfWritten();
          await gate;
          await t.putCustomer(customer('b'));
        });
        await reachedGate;
        const seen = store.read(async (r) => [await r.getCustomer('a'), await r.getCustomer('b')]);
        release();
        const [a, b] = await seen;
        await tx;
        expect(a === undefined).toBe(b === undefined);
      });

      it('rejects a transaction object used after its transaction ended', async () => {
        let leaked: StoreTransaction | undefined;
        await write(async (tx) => {
          leaked = tx;
        });
        await expectCode(leaked?.putCustomer(customer('c1')) ?? Promise.resolve(), 'INVALID_OPERATION');
        expect(await store.read((r) => r.getCustomer('c1'))).toBeUndefined();
      });
    });

    describe('idempotency', () => {
      it('stores a key once per scope: the first result wins', async () => {
        await write((tx) => tx.putIdempotencyResult('usage:c1', 'k1', { value: 1 }, T0));
        await write((tx) => tx.putIdempotencyResult('usage:c1', 'k1', { value: 2 }, T0 + 1));
        expect(await store.read((r) => r.getIdempotencyResult('usage:c1', 'k1'))).toEqual({ value: 1 });
      });

      it('keeps the same key in another scope independent', async () => {
        await write(async (tx) => {
          await tx.putIdempotencyResult('usage:c1', 'k1', 'first', T0);
          await tx.putIdempotencyResult('usage:c2', 'k1', 'second', T0);
        });
        await store.read(async (r) => {
          expect(await r.getIdempotencyResult('usage:c1', 'k1')).toBe('first');
          expect(await r.getIdempotencyResult('usage:c2', 'k1')).toBe('second');
          expect(await r.getIdempotencyResult('usage:c3', 'k1')).toBeUndefined();
        });
      });

      it('round-trips results as JSON data; an undefined result reads back as null, still "stored"', async () => {
        const result = { id: 'm1', nested: [1, 2.5, 'three', null, { deep: true }], currentUsage: 0, note: 'ü' };
        await write(async (tx) => {
          await tx.putIdempotencyResult('s', 'json', result, T0);
          await tx.putIdempotencyResult('s', 'undefined', undefined, T0);
        });
        await store.read(async (r) => {
          expect(await r.getIdempotencyResult('s', 'json')).toEqual(result);
          expect(await r.getIdempotencyResult('s', 'undefined')).toBeNull();
        });
      });
    });

    describe('counters', () => {
      const add = (delta: number, window = 'w1', featureId = 'f1', resourceId: string | null = null) =>
        write((tx) => tx.addUsage({ ...usageWrite('c1', featureId, window, resourceId), delta }));
      const set = (value: number, window = 'w1') =>
        write((tx) => tx.setUsage({ ...usageWrite('c1', 'f1', window), value }));
      const stored = async () => (await store.read((r) => r.getCustomerState('c1')))?.usage ?? [];

      beforeEach(() => write((tx) => tx.putCustomer(customer('c1'))));

      it('addUsage adds within a window and floors at 0, never going negative', async () => {
        expect(await add(5)).toBe(5);
        expect(await add(2.5)).toBe(7.5);
        expect(await add(-10)).toBe(0);
        expect(await add(3)).toBe(3);
        expect(await add(-1, 'w1', 'f2')).toBe(0);
      });

      it('a write in a new window restarts the counter at zero', async () => {
        await add(40, 'w1');
        expect(await add(3, 'w2')).toBe(3);
        expect(await add(-5, 'w3')).toBe(0);
        expect(await add(1, 'w1')).toBe(1);
        expect((await stored()).map((u) => [u.window, u.value])).toEqual([['w1', 1]]);
      });

      it('setUsage sets the value and window, floored at 0', async () => {
        await add(10, 'w1');
        expect(await set(4, 'w1')).toBe(4);
        expect(await set(-4, 'w2')).toBe(0);
        expect((await stored()).map((u) => [u.window, u.value])).toEqual([['w2', 0]]);
        expect(await add(6, 'w2')).toBe(6);
      });

      it('a customer-wide counter and a resource counter are separate', async () => {
        await add(1, 'w1', 'f1', null);
        await add(2, 'w1', 'f1', 'site-1');
        await add(3, 'w1', 'f1', 'site-2');
        const values = (await stored()).map((u) => `${u.resourceId}=${u.value}`).sort();
        expect(values).toEqual(['null=1', 'site-1=2', 'site-2=3']);
      });

      describe('properties', () => {
        type Op = { kind: 'add' | 'set'; key: readonly [string, string | null]; window: string; amount: number };
        const op: fc.Arbitrary<Op> = fc.record({
          kind: fc.constantFrom('add' as const, 'set' as const),
          key: fc.constantFrom(['f1', null] as const, ['f1', 'r1'] as const, ['f2', null] as const),
          window: fc.constantFrom('w1', 'w2', 'w3'),
          // Quarters add exactly in binary floating point, so the model and the store agree to the bit.
          amount: fc.integer({ min: -40, max: 40 }).map((n) => n / 4),
        });
        let run = 0;

        it('for any sequence of adds and sets, the counters equal a simple model', async () => {
          await fc.assert(
            fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
              run += 1;
              const customerId = `model-${run}`;
              const model = new Map<string, { value: number; window: string }>();
              await write((tx) => tx.putCustomer(customer(customerId)));
              for (const o of ops) {
                const [featureId, resourceId] = o.key;
                const key = `${featureId}/${resourceId}`;
                const previous = model.get(key);
                const base = o.kind === 'add' && previous?.window === o.window ? previous.value : 0;
                const expected = Math.max(0, base + o.amount);
                model.set(key, { value: expected, window: o.window });
                const w = usageWrite(customerId, featureId, o.window, resourceId);
                const value = await write((tx) =>
                  o.kind === 'add' ? tx.addUsage({ ...w, delta: o.amount }) : tx.setUsage({ ...w, value: o.amount }),
                );
                expect(value).toBe(expected);
              }
              const usage = (await store.read((r) => r.getCustomerState(customerId)))?.usage ?? [];
              const actual = Object.fromEntries(usage.map((u) => [`${u.featureId}/${u.resourceId}`, u]));
              expect(Object.keys(actual).sort()).toEqual([...model.keys()].sort());
              for (const [key, m] of model)
                expect([actual[key]?.value, actual[key]?.window]).toEqual([m.value, m.window]);
            }),
            { seed: FC_SEED, numRuns: 60 },
          );
        });
      });
    });

    describe('lifecycle', () => {
      it('open is idempotent', async () => {
        await store.open();
        await write((tx) => tx.putCustomer(customer('c1')));
        expect(await store.read((r) => r.getCustomer('c1'))).toBeDefined();
      });

      it('refuses work before open with NOT_INITIALIZED and after close with CLOSED', async () => {
        const fresh = await factory();
        try {
          await expectCode(
            fresh.store.read((r) => r.getCustomer('c1')),
            'NOT_INITIALIZED',
          );
        } finally {
          await fresh.store.close();
          await fresh.cleanup?.();
        }
        await store.close();
        await expectCode(
          write((tx) => tx.putCustomer(customer('c1'))),
          'CLOSED',
        );
        await store.close();
      });
    });

    if (durable)
      describe('durability', () => {
        it('every acknowledged write is visible after close and reopen', async () => {
          const reopen = harness.reopen;
          if (reopen === undefined) throw new Error('a durable store harness must give reopen');
          await write(async (tx) => {
            await tx.putCustomer(customer('c1'));
            await tx.putSubscription(subscription('s1', 'c1'));
            await tx.putPromotion(promotion('p1', 'c1'));
            await tx.putPromotion(promotion('p2', 'c1'));
            await tx.putIdempotencyResult('scope', 'k1', { acked: [1, 2] }, T0);
            await tx.putPackageVersion(packageVersion('plan', 'pro', 1));
          });
          await write((tx) => tx.deletePromotion('p2'));
          for (let i = 0; i < 20; i++) await write((tx) => tx.addUsage({ ...usageWrite('c1', 'f1', 'w1'), delta: 1 }));
          const snapshot = () =>
            store.read(async (r) => ({
              state: normalised(await r.getCustomerState('c1')),
              subscriptions: await r.listSubscriptions({ limit: 10 }),
              idempotency: await r.getIdempotencyResult('scope', 'k1'),
              packages: await r.listPackageVersions(),
            }));
          const before = await snapshot();
          expect(before.state?.usage[0]?.value).toBe(20);
          await store.close();
          store = await reopen();
          await store.open();
          expect(await snapshot()).toEqual(before);
        });
      });
  });
}
