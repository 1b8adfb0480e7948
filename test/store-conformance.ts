// The one suite every Store runs unchanged; each store's test file calls it and adds its own regressions.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { subscriptionStatus } from '../src/core/subscription-state.js';
import { applyUsageOp, EMPTY_AGGREGATE, type UsageOp } from '../src/core/usage-aggregate.js';
import { CellSummaries, type CellSummary } from '../src/core/usage-summary.js';
import type { CreditGrantRecord, CreditLedgerEntry } from '../src/credits/credit-records.js';
import type { CreditResetSchedule } from '../src/credits/rollover.js';
import { AllotError } from '../src/errors.js';
import type {
  GovernanceBudgetRecord,
  GovernanceEntityRecord,
  GovernanceUsageRecord,
} from '../src/governance/governance-records.js';
import type { SubscriptionStatus } from '../src/model/enums.js';
import type {
  CustomerRecord,
  CustomerState,
  PackageVersionRecord,
  PromotionRecord,
  SubscriptionRecord,
} from '../src/model/records.js';
import type {
  CreditConsumptionQuery,
  CreditLedgerQuery,
  Store,
  StoreTransaction,
  SubscriptionFilter,
  SubscriptionPageQuery,
  UsageEntry,
  UsageEventRecord,
} from '../src/stores/store.js';
import { describeExportConformance } from './store-conformance-export.js';

/** What a store's test file hands the suite: a store not yet opened, and how to reach its data again. */
export interface StoreHarness {
  store: Store;
  /** A new store over the same data, not yet opened; only durable stores provide it. */
  reopen?: () => Promise<Store>;
  cleanup?: () => Promise<void>;
}

const FC_SEED = Number(process.env.FC_SEED ?? 20_261_121);
const T0 = Date.UTC(2026, 0, 1);

export function customer(id: string, overrides: Partial<CustomerRecord> = {}): CustomerRecord {
  return {
    id,
    name: `Customer ${id}`,
    email: `${id}@example.com`,
    billingId: null,
    couponId: null,
    couponAppliedAt: null,
    metadata: { tier: 'gold', note: 'ünïcödé ✓' },
    createdAt: T0,
    updatedAt: T0,
    archivedAt: null,
    ...overrides,
  };
}

/** A subscription record with every kind of field filled (the export test stores one too). */
export function subscription(
  id: string,
  customerId: string,
  overrides: Partial<SubscriptionRecord> = {},
): SubscriptionRecord {
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

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A store's summaries against those of the entries themselves: the same cells and windows, counts,
 * kinds, extremes and (for sums) totals; a stretch that holds the entries' and stays in its cell.
 */
function expectSameSummaries(actual: readonly CellSummary[], expected: readonly CellSummary[], width: number): void {
  const id = (s: CellSummary) => `${s.cell}/${s.window}`;
  const values = (s: CellSummary) => ({
    count: s.count,
    kind: s.kind,
    high: s.high,
    low: s.low,
    total: s.kind === 'sum' ? s.total : undefined,
  });
  expect(actual.map(id).sort()).toEqual(expected.map(id).sort());
  const wanted = new Map(expected.map((s) => [id(s), s]));
  for (const s of actual) {
    const e = wanted.get(id(s));
    expect(values(s)).toEqual(e && values(e));
    expect(s.start).toBeLessThanOrEqual(e?.start ?? Number.NaN);
    expect(s.end).toBeGreaterThanOrEqual(e?.end ?? Number.NaN);
    expect(s.start).toBeGreaterThanOrEqual(s.cell);
    expect(s.end).toBeLessThanOrEqual(s.cell + width);
  }
}

/** A usage entry at T0 in window `window` (never ending, unless `periodEnd` says). */
/** One event through `putEvents`: whether it was new. */
const putEvent = async (tx: StoreTransaction, event: UsageEventRecord) => (await tx.putEvents([event]))[0];

export const usageEntry = (
  customerId: string,
  featureId: string,
  window: string,
  amount: number,
  { op = 'add', resourceId = null, at = T0, periodEnd = null, dimensions = null }: Partial<UsageEntry> = {},
): UsageEntry => ({
  customerId,
  resourceId,
  featureId,
  window,
  periodStart: periodEnd === null ? null : T0,
  periodEnd,
  op,
  amount,
  at,
  dimensions,
});

const usageEvent = (customerId: string, idempotencyKey: string) => ({
  customerId,
  idempotencyKey,
  eventName: 'tokens',
  resourceId: null,
  dimensions: { model: 'a', tokens: 3 },
  timestamp: T0,
  createdAt: T0,
});

const byId = <T extends { id: string }>(rows: readonly T[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));

/** The state with its lists in a fixed order, so stores may return them in any order. */
function normalised(state: CustomerState | undefined) {
  if (state === undefined) return undefined;
  const usageKey = (u: CustomerState['usage'][number]) => `${u.featureId}\u0000${u.resourceId ?? ''}\u0000${u.window}`;
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
    const write = <T>(fn: (tx: StoreTransaction) => Promise<T>) => store.transaction(['customer:c1'], fn);

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
          expect(await r.getCustomerState('nobody', T0)).toBeUndefined();
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
          usagePeriodAnchor: T0 + 7 * 86_400_000,
          entitlements: [
            {
              featureId: 'feature-api-calls',
              usageLimit: 10,
              hasUnlimitedUsage: false,
              hasSoftLimit: false,
              resetPeriod: 'WEEK',
              accordingTo: null,
              resetIntervalCount: 2,
              usagePeriodAnchor: T0 - 3,
              enumValues: null,
            },
          ],
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
        const state = await store.read((r) => r.getCustomerState('c1', T0));
        expect(state?.promotions).toEqual([promotion('p1', 'c1', { featureId: 'feature-seats' })]);
      });

      it('keeps a delegated subscription’s payer and a promotion’s group, and drops them when rewritten without', async () => {
        const delegated = subscription('s1', 'c1', { payingCustomerId: 'c0' });
        const grouped = promotion('p1', 'c1', { featureGroupId: 'launch-pack' });
        await write(async (tx) => {
          await tx.putCustomer(customer('c1'));
          await tx.putSubscription(delegated);
          await tx.putPromotion(grouped);
        });
        let state = await store.read((r) => r.getCustomerState('c1', T0));
        expect(state?.subscriptions).toStrictEqual([delegated]);
        expect(state?.promotions).toStrictEqual([grouped]);
        await write(async (tx) => {
          await tx.putSubscription(subscription('s1', 'c1'));
          await tx.putPromotion(promotion('p1', 'c1'));
        });
        state = await store.read((r) => r.getCustomerState('c1', T0));
        expect(state?.subscriptions).toStrictEqual([subscription('s1', 'c1')]);
        expect(state?.promotions).toStrictEqual([promotion('p1', 'c1')]);
      });

      it('returns subscriptions and promotions ordered by id, whatever the order they were written in', async () => {
        await write(async (tx) => {
          await tx.putCustomer(customer('c1'));
          for (const id of ['s-c', 's-a', 's-b']) await tx.putSubscription(subscription(id, 'c1'));
          for (const id of ['p-b', 'p-c', 'p-a']) await tx.putPromotion(promotion(id, 'c1'));
        });
        const state = await store.read((r) => r.getCustomerState('c1', T0));
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
            await tx.appendUsage([
              usageEntry(id, 'feature-api-calls', 'w1', 7),
              usageEntry(id, 'feature-api-calls', 'w1', 2, { resourceId: 'site-1' }),
            ]);
          }
        });
        const state = normalised(await store.read((r) => r.getCustomerState('c1', T0)));
        expect(state).toEqual({
          customer: customer('c1'),
          subscriptions: [subscription('c1-s-new', 'c1'), subscription('c1-s-old', 'c1', { endDate: T0 + 1 })],
          promotions: [promotion('c1-p', 'c1')],
          usage: [
            {
              customerId: 'c1',
              resourceId: null,
              featureId: 'feature-api-calls',
              window: 'w1',
              periodStart: null,
              periodEnd: null,
              value: 7,
              count: 1,
              updatedAt: T0,
            },
            {
              customerId: 'c1',
              resourceId: 'site-1',
              featureId: 'feature-api-calls',
              window: 'w1',
              periodStart: null,
              periodEnd: null,
              value: 2,
              count: 1,
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
          const state = await r.getCustomerState('c1', T0);
          (state?.subscriptions as SubscriptionRecord[]).length = 0;
          (await r.listSubscriptions({ limit: 5 })).length = 0;
          (await r.listPackageVersions()).length = 0;
        });
        await store.read(async (r) => {
          expect((await r.getCustomerState('c1', T0))?.subscriptions).toHaveLength(1);
          expect(await r.listSubscriptions({ limit: 5 })).toHaveLength(1);
          expect(await r.listPackageVersions()).toHaveLength(1);
        });
      });
    });

    describe('subscription queries', () => {
      const D = 86_400_000;
      /** Ids in order; each comment gives the status at T0. */
      const fixture: SubscriptionRecord[] = [
        // ACTIVE, customer-wide.
        subscription('a1', 'c1', { startDate: T0 - 10 * D, trialEndDate: null }),
        // IN_TRIAL until T0 + 5D.
        subscription('a2', 'c1', { resourceId: 'site-1', startDate: T0 - D, trialEndDate: T0 + 5 * D }),
        // NOT_STARTED until T0 + 3D, then ACTIVE.
        subscription('a3', 'c1', {
          resourceId: 'site-2',
          productId: 'product-addon',
          startDate: T0 + 3 * D,
          trialEndDate: null,
        }),
        // CANCELED since T0 - D.
        subscription('a4', 'c2', {
          resourceId: 'site-1',
          startDate: T0 - 20 * D,
          trialEndDate: null,
          endDate: T0 - D,
          cancellationDate: T0 - D,
          cancelReason: 'Immediate',
        }),
        // EXPIRED (a trial that ended unconverted), customer-wide.
        subscription('a5', 'c2', {
          productId: 'product-other',
          startDate: T0 - 20 * D,
          trialEndDate: T0 - 6 * D,
          endDate: T0 - 6 * D,
          cancelReason: 'TrialEnded',
        }),
        // ACTIVE until it is CANCELED at T0 + 10D.
        subscription('a6', 'c2', {
          resourceId: 'site-3',
          productId: 'product-other',
          startDate: T0 - 5 * D,
          trialEndDate: null,
          endDate: T0 + 10 * D,
          cancellationDate: T0,
          cancelReason: 'ScheduledCancellation',
        }),
        // ACTIVE: its trial ended long ago.
        subscription('a7', 'c3', { resourceId: 'site-1', startDate: T0 - 30 * D, trialEndDate: T0 - 16 * D }),
        // IN_TRIAL, then EXPIRED at T0 + 2D: the trial is set to end unconverted.
        subscription('a8', 'c3', {
          startDate: T0 - 2 * D,
          trialEndDate: T0 + 2 * D,
          endDate: T0 + 2 * D,
          cancelReason: 'TrialEnded',
        }),
      ];
      const ids = (rows: readonly SubscriptionRecord[]) => rows.map((s) => s.id);

      beforeEach(async () => {
        // Written out of order, in two transactions.
        await write(async (tx) => {
          for (const s of fixture.slice(4).reverse()) await tx.putSubscription(s);
        });
        await write(async (tx) => {
          for (const s of fixture.slice(0, 4)) await tx.putSubscription(s);
        });
      });

      /** The ids a filter lists (in one page) and its count, which must agree. */
      const matching = (filter: SubscriptionFilter) =>
        store.read(async (r) => {
          const listed = ids(await r.listSubscriptions({ ...filter, limit: 100 }));
          expect(await r.countSubscriptions(filter)).toBe(listed.length);
          return listed;
        });

      it('filters by customer, resources, products and statuses, each alone', async () => {
        expect(await matching({})).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8']);
        expect(await matching({ customerId: 'c2' })).toEqual(['a4', 'a5', 'a6']);
        expect(await matching({ customerId: 'nobody' })).toEqual([]);
        expect(await matching({ resourceIds: ['site-1'] })).toEqual(['a2', 'a4', 'a7']);
        expect(await matching({ resourceIds: ['site-2', 'site-3', 'site-2'] })).toEqual(['a3', 'a6']);
        expect(await matching({ resourceIds: ['site-9'] })).toEqual([]);
        expect(await matching({ productIds: ['product-other'] })).toEqual(['a5', 'a6']);
        expect(await matching({ productIds: ['product-addon', 'product-main'] })).toEqual([
          'a1',
          'a2',
          'a3',
          'a4',
          'a7',
          'a8',
        ]);
        expect(await matching({ statuses: ['ACTIVE'], now: T0 })).toEqual(['a1', 'a6', 'a7']);
        expect(await matching({ statuses: ['IN_TRIAL'], now: T0 })).toEqual(['a2', 'a8']);
        expect(await matching({ statuses: ['NOT_STARTED'], now: T0 })).toEqual(['a3']);
        expect(await matching({ statuses: ['CANCELED'], now: T0 })).toEqual(['a4']);
        expect(await matching({ statuses: ['EXPIRED'], now: T0 })).toEqual(['a5']);
        expect(await matching({ statuses: ['PAYMENT_PENDING'], now: T0 })).toEqual([]);
        expect(await matching({ statuses: ['CANCELED', 'EXPIRED', 'CANCELED'], now: T0 })).toEqual(['a4', 'a5']);
      });

      it('combines filters: a subscription must match every one given', async () => {
        expect(await matching({ customerId: 'c1', resourceIds: ['site-1', 'site-2'] })).toEqual(['a2', 'a3']);
        expect(await matching({ customerId: 'c2', productIds: ['product-main'] })).toEqual(['a4']);
        expect(await matching({ resourceIds: ['site-1'], statuses: ['ACTIVE', 'IN_TRIAL'], now: T0 })).toEqual([
          'a2',
          'a7',
        ]);
        expect(
          await matching({
            customerId: 'c2',
            resourceIds: ['site-1', 'site-3'],
            productIds: ['product-other'],
            statuses: ['ACTIVE'],
            now: T0,
          }),
        ).toEqual(['a6']);
        expect(
          await matching({ customerId: 'c1', productIds: ['product-other'], statuses: ['ACTIVE'], now: T0 }),
        ).toEqual([]);
        // `now` alone filters nothing.
        expect(await matching({ customerId: 'c3', now: T0 })).toEqual(['a7', 'a8']);
      });

      it('never matches a customer-wide subscription by resource; an empty list matches nothing', async () => {
        expect(await matching({ customerId: 'c1', resourceIds: ['site-1', 'site-2', 'site-3'] })).toEqual(['a2', 'a3']);
        expect(await matching({ resourceIds: [] })).toEqual([]);
        expect(await matching({ productIds: [] })).toEqual([]);
        expect(await matching({ statuses: [], now: T0 })).toEqual([]);
        expect(await matching({ customerId: 'c1', resourceIds: [], productIds: ['product-main'] })).toEqual([]);
      });

      it('takes statuses at the given instant, each boundary on the later side', async () => {
        const byStatus = async (now: number) => {
          const statuses = ['ACTIVE', 'IN_TRIAL', 'NOT_STARTED', 'CANCELED', 'EXPIRED'] as const;
          const entries = [];
          for (const status of statuses) entries.push([status, await matching({ statuses: [status], now })]);
          return Object.fromEntries(entries);
        };
        expect(await byStatus(T0 - 100 * D)).toEqual({
          ACTIVE: [],
          IN_TRIAL: [],
          NOT_STARTED: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8'],
          CANCELED: [],
          EXPIRED: [],
        });
        // a8's trial ends with the subscription at T0 + 2D: EXPIRED from that instant, IN_TRIAL just before.
        expect((await byStatus(T0 + 2 * D - 1)).IN_TRIAL).toEqual(['a2', 'a8']);
        expect(await byStatus(T0 + 2 * D)).toEqual({
          ACTIVE: ['a1', 'a6', 'a7'],
          IN_TRIAL: ['a2'],
          NOT_STARTED: ['a3'],
          CANCELED: ['a4'],
          EXPIRED: ['a5', 'a8'],
        });
        // a3 starts at T0 + 3D; a2's trial ends at T0 + 5D; a6 ends at T0 + 10D.
        expect((await byStatus(T0 + 3 * D - 1)).NOT_STARTED).toEqual(['a3']);
        expect((await byStatus(T0 + 3 * D)).ACTIVE).toEqual(['a1', 'a3', 'a6', 'a7']);
        expect((await byStatus(T0 + 5 * D)).IN_TRIAL).toEqual([]);
        expect(await byStatus(T0 + 10 * D)).toEqual({
          ACTIVE: ['a1', 'a2', 'a3', 'a7'],
          IN_TRIAL: [],
          NOT_STARTED: [],
          CANCELED: ['a4', 'a6'],
          EXPIRED: ['a5', 'a8'],
        });
      });

      it('pages after a cursor: the first `limit` matches past it', async () => {
        const page = (query: Omit<SubscriptionPageQuery, 'beforeId'>) =>
          store.read(async (r) => ids(await r.listSubscriptions(query)));
        expect(await page({ limit: 3 })).toEqual(['a1', 'a2', 'a3']);
        expect(await page({ limit: 3, afterId: 'a3' })).toEqual(['a4', 'a5', 'a6']);
        // Exactly `limit` left, then fewer, then none.
        expect(await page({ limit: 2, afterId: 'a6' })).toEqual(['a7', 'a8']);
        expect(await page({ limit: 5, afterId: 'a6' })).toEqual(['a7', 'a8']);
        expect(await page({ limit: 5, afterId: 'a8' })).toEqual([]);
        expect(await page({ limit: 0 })).toEqual([]);
        // A cursor need not be a stored id, nor match the filter.
        expect(await page({ limit: 2, afterId: 'a35' })).toEqual(['a4', 'a5']);
        expect(await page({ limit: 2, afterId: '' })).toEqual(['a1', 'a2']);
        expect(await page({ limit: 2, afterId: 'a1', resourceIds: ['site-1'] })).toEqual(['a2', 'a4']);
        expect(await page({ limit: 2, afterId: 'a2', resourceIds: ['site-1'] })).toEqual(['a4', 'a7']);
        expect(await page({ limit: 2, afterId: 'a4', customerId: 'c2', statuses: ['ACTIVE'], now: T0 })).toEqual([
          'a6',
        ]);
      });

      it('pages before a cursor: the last `limit` matches short of it, in ascending order', async () => {
        const page = (query: Omit<SubscriptionPageQuery, 'afterId'>) =>
          store.read(async (r) => ids(await r.listSubscriptions(query)));
        expect(await page({ limit: 3, beforeId: 'a9' })).toEqual(['a6', 'a7', 'a8']);
        expect(await page({ limit: 3, beforeId: 'a6' })).toEqual(['a3', 'a4', 'a5']);
        // Exactly `limit` left, then fewer, then none.
        expect(await page({ limit: 2, beforeId: 'a3' })).toEqual(['a1', 'a2']);
        expect(await page({ limit: 5, beforeId: 'a3' })).toEqual(['a1', 'a2']);
        expect(await page({ limit: 5, beforeId: 'a1' })).toEqual([]);
        expect(await page({ limit: 0, beforeId: 'a9' })).toEqual([]);
        expect(await page({ limit: 2, beforeId: 'a45' })).toEqual(['a3', 'a4']);
        expect(await page({ limit: 2, beforeId: 'a7', resourceIds: ['site-1'] })).toEqual(['a2', 'a4']);
        expect(
          await page({ limit: 5, beforeId: 'a8', customerId: 'c2', statuses: ['ACTIVE', 'CANCELED'], now: T0 }),
        ).toEqual(['a4', 'a6']);
        expect(
          await page({ limit: 1, beforeId: 'a8', customerId: 'c2', statuses: ['ACTIVE', 'CANCELED'], now: T0 }),
        ).toEqual(['a6']);
      });

      it('walks every match page by page in both directions, and counts them all', async () => {
        const filter: SubscriptionFilter = { statuses: ['ACTIVE', 'IN_TRIAL', 'NOT_STARTED'], now: T0 };
        const expected = ['a1', 'a2', 'a3', 'a6', 'a7', 'a8'];
        const forwards: string[][] = [];
        const backwards: string[][] = [];
        await store.read(async (r) => {
          for (let afterId: string | undefined; ; ) {
            const page = ids(await r.listSubscriptions({ ...filter, afterId, limit: 4 }));
            if (page.length === 0) break;
            forwards.push(page);
            afterId = page.at(-1);
          }
          for (let beforeId: string | undefined = '\u{10FFFF}'; ; ) {
            const page = ids(await r.listSubscriptions({ ...filter, beforeId, limit: 4 }));
            if (page.length === 0) break;
            backwards.push(page);
            beforeId = page[0];
          }
          // A page query's cursor and limit mean nothing to a count.
          expect(await r.countSubscriptions({ ...filter, afterId: 'a6', limit: 1 } as SubscriptionFilter)).toBe(6);
        });
        expect(forwards).toEqual([expected.slice(0, 4), expected.slice(4)]);
        expect(backwards).toEqual([expected.slice(2), expected.slice(0, 2)]);
      });

      it('sees a replaced subscription under its new customer, resource, product and dates only', async () => {
        const moved = subscription('a1', 'c3', {
          resourceId: 'site-1',
          productId: 'product-other',
          startDate: T0 + D,
          trialEndDate: null,
        });
        await write((tx) => tx.putSubscription(moved));
        expect(await matching({ customerId: 'c1' })).toEqual(['a2', 'a3']);
        expect(await matching({ customerId: 'c3' })).toEqual(['a1', 'a7', 'a8']);
        expect(await matching({ resourceIds: ['site-1'], productIds: ['product-other'] })).toEqual(['a1']);
        expect(await matching({ statuses: ['NOT_STARTED'], now: T0 })).toEqual(['a1', 'a3']);
      });

      it('rejects two cursors, statuses without `now` and a limit that is no count, as INVALID_INPUT', async () => {
        await store.read(async (r) => {
          await expectCode(r.listSubscriptions({ afterId: 'a1', beforeId: 'a5', limit: 2 }), 'INVALID_INPUT');
          await expectCode(r.listSubscriptions({ statuses: ['ACTIVE'], limit: 2 }), 'INVALID_INPUT');
          await expectCode(r.countSubscriptions({ statuses: ['ACTIVE'] }), 'INVALID_INPUT');
          await expectCode(r.countSubscriptions({ statuses: ['ACTIVE'], now: Number.NaN }), 'INVALID_INPUT');
          for (const limit of [-1, 1.5, Number.NaN]) await expectCode(r.listSubscriptions({ limit }), 'INVALID_INPUT');
        });
      });

      describe('properties', () => {
        const U = 1000;
        const STATUSES: readonly SubscriptionStatus[] = [
          'ACTIVE',
          'IN_TRIAL',
          'NOT_STARTED',
          'CANCELED',
          'EXPIRED',
          'PAYMENT_PENDING',
        ];
        // Ids of up to three characters, multi-byte ones included; all in the Basic Multilingual
        // Plane, where JavaScript's string order and SQLite's byte order agree.
        const id = fc.string({
          unit: fc.constantFrom('a', 'b', 'B', '0', '-', '_', 'é', '中'),
          minLength: 1,
          maxLength: 3,
        });
        // Instants on a coarse grid, so they often coincide with one another: every boundary is hit.
        const instant = fc.integer({ min: 0, max: 8 }).map((k) => T0 + k * U);
        const record = fc
          .record({
            id,
            customerId: fc.constantFrom('c1', 'c2', 'c3'),
            resourceId: fc.constantFrom(null, 'r1', 'r2', 'r3'),
            productId: fc.constantFrom('p1', 'p2', 'p3'),
            startDate: instant,
            trialEndDate: fc.option(instant),
            endDate: fc.option(instant),
            cancelReason: fc.constantFrom(null, 'TrialEnded' as const, 'Immediate' as const),
          })
          .map(({ id, customerId, ...fields }) => subscription(id, customerId, fields));
        // Each filter left out two times in three, so pages are often full and cursors cut through them.
        const sometimes = <T>(arbitrary: fc.Arbitrary<T>) =>
          fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary, weight: 1 });
        const subset = <T>(values: readonly T[]) => sometimes(fc.array(fc.constantFrom(...values), { maxLength: 4 }));
        const query = fc.record({
          customerId: sometimes(fc.constantFrom('c1', 'c2', 'c3', 'nobody')),
          resourceIds: subset(['r1', 'r2', 'r3', 'r-none', '']),
          productIds: subset(['p1', 'p2', 'p3', 'p-none']),
          statuses: subset(STATUSES),
          // Between grid points too.
          now: fc.integer({ min: -1, max: 18 }).map((k) => T0 + (k * U) / 2),
          cursor: fc.oneof(
            fc.constant({}),
            id.map((afterId) => ({ afterId })),
            id.map((beforeId) => ({ beforeId })),
          ),
          limit: fc.integer({ min: 0, max: 4 }),
        });

        /** The reference: every subscription written (the last write of an id wins), filtered and ordered here. */
        function expected(all: ReadonlyMap<string, SubscriptionRecord>, q: SubscriptionPageQuery & { now: number }) {
          const matches = [...all.values()]
            .filter(
              (s) =>
                (q.customerId === undefined || s.customerId === q.customerId) &&
                (q.resourceIds === undefined || q.resourceIds.some((r) => r === s.resourceId)) &&
                (q.productIds === undefined || q.productIds.includes(s.productId)) &&
                (q.statuses === undefined || q.statuses.includes(subscriptionStatus(s, q.now))),
            )
            .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
          const { afterId, beforeId, limit } = q;
          // The matches on the cursor's side, and the `limit` of them nearest to it (the first, without a cursor).
          const beyond = matches.filter(
            (s) => (afterId === undefined || s.id > afterId) && (beforeId === undefined || s.id < beforeId),
          );
          const page =
            beforeId === undefined ? beyond.slice(0, limit) : beyond.slice(Math.max(0, beyond.length - limit));
          return { page, count: matches.length, cut: page.length > 0 && page.length < beyond.length };
        }

        it('for any subscriptions and queries, pages and counts equal filtering and ordering them all', async () => {
          let pagesCut = 0;
          await fc.assert(
            fc.asyncProperty(
              fc.array(fc.array(record, { maxLength: 20, size: 'medium' }), { minLength: 1, maxLength: 3 }),
              fc.array(query, { minLength: 1, maxLength: 8 }),
              async (batches, queries) => {
                // A fresh store per run, so a shrunk counterexample is the whole story.
                const fresh = await factory();
                await fresh.store.open();
                try {
                  const all = new Map<string, SubscriptionRecord>();
                  for (const batch of batches) {
                    await fresh.store.transaction([], async (tx) => {
                      for (const s of batch) await tx.putSubscription(s);
                    });
                    for (const s of batch) all.set(s.id, s);
                  }
                  for (const { cursor, statuses, ...rest } of queries) {
                    const q = { ...rest, ...cursor, ...(statuses ? { statuses } : {}) };
                    const { cut, ...want } = expected(all, q);
                    const got = await fresh.store.read(async (r) => ({
                      page: await r.listSubscriptions(q),
                      count: await r.countSubscriptions(q),
                    }));
                    expect(got).toEqual(want);
                    if (cut) pagesCut += 1;
                  }
                } finally {
                  await fresh.store.close();
                  await fresh.cleanup?.();
                }
              },
            ),
            { seed: FC_SEED, numRuns: 80 },
          );
          // Not vacuous: many pages stopped at their limit with more matches beyond.
          expect(pagesCut).toBeGreaterThan(40);
        });
      });
    });

    describe('transactions', () => {
      it('serialises transactions that share a key: two read-then-write increments never lose one', async () => {
        await write((tx) => tx.putCustomer({ ...customer('c1'), name: '0' }));
        const increment = (keys: readonly string[]) =>
          store.transaction(keys, async (tx) => {
            const seen = Number((await tx.getCustomer('c1'))?.name);
            // A pause inside the transaction, so an interleaving store would let the other read the same value.
            await new Promise((resolve) => setTimeout(resolve, 5));
            await tx.putCustomer({ ...customer('c1'), name: String(seen + 1) });
          });
        await Promise.all([increment(['customer:c1']), increment(['customer:c0', 'customer:c1'])]);
        expect((await store.read((r) => r.getCustomer('c1')))?.name).toBe('2');
      });

      it('runs transactions with disjoint keys, in any order, to completion', async () => {
        const put = (id: string) => store.transaction([`customer:${id}`], (tx) => tx.putCustomer(customer(id)));
        await Promise.all([put('c1'), put('c2'), store.transaction([], (tx) => tx.pruneUsageHistory(T0))]);
        expect(await store.read(async (r) => [await r.getCustomer('c1'), await r.getCustomer('c2')])).toEqual([
          customer('c1'),
          customer('c2'),
        ]);
      });

      it('a throw rolls back every write of the transaction and rethrows the same error', async () => {
        await write(async (tx) => {
          await tx.putCustomer(customer('c1'));
          await tx.putSubscription(subscription('s1', 'c1'));
          await tx.putPromotion(promotion('p1', 'c1'));
          await tx.appendUsage([usageEntry('c1', 'f1', 'w1', 5)]);
          await putEvent(tx, usageEvent('c1', 'e1'));
          await tx.putPackageVersion(packageVersion('plan', 'pro', 1));
        });
        const snapshot = () =>
          store.read(async (r) => ({
            state: normalised(await r.getCustomerState('c1', T0)),
            other: await r.getCustomer('c2'),
            idempotency: await r.getIdempotencyResult('scope', 'k1'),
            packages: await r.listPackageVersions(),
            entries: await r.listUsageEntries({
              customerId: 'c1',
              resourceId: null,
              featureId: 'f1',
              ranges: [{ from: T0, before: T0 + 1 }],
            }),
            w2: await r.getUsage({ customerId: 'c1', resourceId: null, featureId: 'f1', window: 'w2' }),
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
          await tx.appendUsage([usageEntry('c1', 'f1', 'w1', 10), usageEntry('c1', 'f2', 'w1', 1)]);
          await tx.appendUsage([usageEntry('c1', 'f1', 'w2', 99, { op: 'set' })]);
          expect(
            await tx.addUniqueMember({ customerId: 'c1', resourceId: null, featureId: 'f3', window: 'w1' }, 'u1'),
          ).toBe(true);
          expect(await putEvent(tx, usageEvent('c1', 'e2'))).toBe(true);
          await tx.putIdempotencyResult('scope', 'k1', { ok: true }, T0);
          await tx.putPackageVersion(packageVersion('plan', 'pro', 2));
          throw failure;
        });
        await expect(attempt).rejects.toBe(failure);
        expect(await snapshot()).toEqual(before);
        // The rolled-back member and event are gone too: adding them again is new.
        await write(async (tx) => {
          expect(
            await tx.addUniqueMember({ customerId: 'c1', resourceId: null, featureId: 'f3', window: 'w1' }, 'u1'),
          ).toBe(true);
          expect(await putEvent(tx, usageEvent('c1', 'e2'))).toBe(true);
          expect(await putEvent(tx, usageEvent('c1', 'e1'))).toBe(false);
        });
      });

      it('a transaction reads its own writes before it commits', async () => {
        await write(async (tx) => {
          await tx.putCustomer(customer('c1'));
          await tx.putSubscription(subscription('s1', 'c1'));
          await tx.appendUsage([usageEntry('c1', 'f1', 'w1', 3)]);
          const state = await tx.getCustomerState('c1', T0);
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

      it("one transaction's throw never fails another started with it, nor keeps any of its own writes", async () => {
        // Started together, so a store with group commit runs several in one database transaction.
        const outcomes = await Promise.allSettled(
          Array.from({ length: 40 }, (_, i) =>
            store.transaction([`customer:c${i}`], async (tx) => {
              await tx.putCustomer(customer(`c${i}`));
              await tx.appendUsage([usageEntry(`c${i}`, 'f1', 'w1', i + 1)]);
              if (i % 7 === 3) throw new Error(`boom ${i}`);
              return i;
            }),
          ),
        );
        outcomes.forEach((outcome, i) => {
          if (i % 7 === 3) expect(outcome).toEqual({ status: 'rejected', reason: new Error(`boom ${i}`) });
          else expect(outcome).toEqual({ status: 'fulfilled', value: i });
        });
        const stored = await store.read(async (r) =>
          Promise.all(
            Array.from({ length: 40 }, async (_, i) => {
              const state = await r.getCustomerState(`c${i}`, T0);
              return state?.usage.map((u) => u.value);
            }),
          ),
        );
        expect(stored).toEqual(Array.from({ length: 40 }, (_, i) => (i % 7 === 3 ? undefined : [i + 1])));
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

    describe('usage', () => {
      const key = (featureId = 'f1', window = 'w1', resourceId: string | null = null) => ({
        customerId: 'c1',
        resourceId,
        featureId,
        window,
      });
      const append = (...entries: UsageEntry[]) => write((tx) => tx.appendUsage(entries));
      const aggregate = (k = key()) => store.read((r) => r.getUsage(k));
      const stored = async (now = T0) => (await store.read((r) => r.getCustomerState('c1', now)))?.usage ?? [];
      /** As many entries, of another customer, as any store batches before folding them where it reads from. */
      const pastBatching = () =>
        write((tx) => tx.appendUsage(Array.from({ length: 2100 }, () => usageEntry('filler', 'f1', 'w1', 1))));

      beforeEach(() => write((tx) => tx.putCustomer(customer('c1'))));

      it('folds each op into its window: add floors at 0, set replaces, max / min / avg track their samples', async () => {
        await append(
          usageEntry('c1', 'f1', 'w1', 5),
          usageEntry('c1', 'f1', 'w1', 2.5),
          usageEntry('c1', 'f1', 'w1', -10),
        );
        expect(await aggregate()).toEqual({ value: 0, count: 3 });
        await append(usageEntry('c1', 'f1', 'w1', 4, { op: 'set' }), usageEntry('c1', 'f1', 'w1', 3));
        expect(await aggregate()).toEqual({ value: 7, count: 5 });
        await append(
          usageEntry('c1', 'fmax', 'w1', 3, { op: 'max' }),
          usageEntry('c1', 'fmax', 'w1', 9, { op: 'max' }),
        );
        await append(
          usageEntry('c1', 'fmin', 'w1', 3, { op: 'min' }),
          usageEntry('c1', 'fmin', 'w1', 9, { op: 'min' }),
        );
        await append(
          usageEntry('c1', 'favg', 'w1', 3, { op: 'avg' }),
          usageEntry('c1', 'favg', 'w1', 9, { op: 'avg' }),
        );
        expect(await aggregate(key('fmax'))).toEqual({ value: 9, count: 2 });
        expect(await aggregate(key('fmin'))).toEqual({ value: 3, count: 2 });
        expect(await aggregate(key('favg'))).toEqual({ value: 12, count: 2 });
        expect(await aggregate(key('f1', 'w2'))).toBeUndefined();
      });

      it('keeps windows, counters and resources apart', async () => {
        await append(
          usageEntry('c1', 'f1', 'w1', 1),
          usageEntry('c1', 'f1', 'w2', 2),
          usageEntry('c1', 'f1', 'w1', 3, { resourceId: 'site-1' }),
          usageEntry('c1', 'f2', 'w1', 4),
        );
        const values = (await stored()).map((u) => `${u.featureId}/${u.resourceId}/${u.window}=${u.value}`).sort();
        expect(values).toEqual(['f1/null/w1=1', 'f1/null/w2=2', 'f1/site-1/w1=3', 'f2/null/w1=4']);
      });

      it('loads only the windows that have not ended by the given time; ended ones stay readable one by one', async () => {
        await append(
          usageEntry('c1', 'f1', 'old', 1, { periodEnd: T0 + 10 }),
          usageEntry('c1', 'f1', 'current', 2, { periodEnd: T0 + 20 }),
          usageEntry('c1', 'f1', 'lifetime', 3),
        );
        expect((await stored(T0 + 10)).map((u) => u.window).sort()).toEqual(['current', 'lifetime']);
        expect((await stored(T0)).map((u) => u.window).sort()).toEqual(['current', 'lifetime', 'old']);
        expect(await aggregate(key('f1', 'old'))).toEqual({ value: 1, count: 1 });
      });

      it("lists a counter's entries before an instant by time, late entries in their place", async () => {
        await append(
          usageEntry('c1', 'f1', 'w1', 1, { at: T0 + 5, dimensions: { model: 'a' } }),
          usageEntry('c1', 'f1', 'w1', 2, { at: T0 + 1 }),
          usageEntry('c1', 'f2', 'w1', 9, { at: T0 + 2 }),
          usageEntry('c1', 'f1', 'w1', 3, { at: T0 + 9, resourceId: 'r1' }),
          usageEntry('c1', 'f1', 'w1', 4, { at: T0 + 7 }),
        );
        const entries = await store.read((r) =>
          r.listUsageEntries({
            customerId: 'c1',
            resourceId: null,
            featureId: 'f1',
            ranges: [{ from: T0, before: T0 + 7 }],
          }),
        );
        expect(entries.map((e) => [e.at - T0, e.amount, e.dimensions])).toEqual([
          [1, 2, null],
          [5, 1, { model: 'a' }],
        ]);
      });

      it('lists entries in several stretches at once, by time then log order', async () => {
        await append(
          usageEntry('c1', 'f1', 'w1', 1, { at: T0 + 25 }),
          usageEntry('c1', 'f1', 'w1', 2, { at: T0 + 5 }),
          usageEntry('c1', 'f1', 'w2', 3, { at: T0 + 12 }),
          usageEntry('c1', 'f1', 'w1', 4, { at: T0 + 5 }),
          usageEntry('c1', 'f1', 'w1', 5, { at: T0 + 30 }),
        );
        const ranges = [
          { from: T0, before: T0 + 10 },
          { from: T0 + 20, before: T0 + 30 },
        ];
        const entries = await store.read((r) =>
          r.listUsageEntries({ customerId: 'c1', resourceId: null, featureId: 'f1', ranges }),
        );
        expect(entries.map((e) => [e.at - T0, e.amount])).toEqual([
          [5, 2],
          [5, 4],
          [25, 1],
        ]);
      });

      it('lists entries in thousands of stretches at once (a long history read a day at a time)', async () => {
        await append(
          usageEntry('c1', 'f1', 'w1', 1, { at: T0 + 5 }),
          usageEntry('c1', 'f1', 'w1', 2, { at: T0 + 10 * 5_000 + 5 }),
          usageEntry('c1', 'f1', 'w1', 3, { at: T0 + 10 * 9_999 + 7 }),
        );
        const ranges = Array.from({ length: 10_000 }, (_, i) => ({ from: T0 + 10 * i, before: T0 + 10 * i + 6 }));
        const entries = await store.read((r) =>
          r.listUsageEntries({ customerId: 'c1', resourceId: null, featureId: 'f1', ranges }),
        );
        expect(entries.map((e) => e.amount)).toEqual([1, 2]);
      });

      it('summarizes entries per window and cell: whole buckets, partial ones and entries of the last transactions', async () => {
        await append(
          usageEntry('c1', 'f1', 'w1', 2, { at: T0 + 10 }),
          usageEntry('c1', 'f1', 'w1', 3, { at: T0 + 3 * MINUTE }),
          usageEntry('c1', 'f1', 'w1', 4, { at: T0 + 3 * MINUTE + 30_000, op: 'avg' }),
          usageEntry('c1', 'f1', 'w2', 5, { at: T0 + 61 * MINUTE }),
          usageEntry('c1', 'f1', 'w2', 1.5, { at: T0 + 61 * MINUTE + 1 }),
          usageEntry('c1', 'f1', 'w1', 7, { at: T0 + 26 * HOUR, op: 'max' }),
          usageEntry('c1', 'f1', 'w1', 9, { at: T0 + 2 * MINUTE, resourceId: 'r1' }),
        );
        await pastBatching();
        await append(usageEntry('c1', 'f1', 'w1', 1, { at: T0 + 20 }));
        const cells = await store.read((r) =>
          r.summarizeUsage({
            customerId: 'c1',
            resourceId: null,
            featureId: 'f1',
            from: T0 + 5,
            before: T0 + 30 * HOUR,
            origin: T0,
            width: HOUR,
          }),
        );
        const shown = cells
          .map((c) => ({ cell: (c.cell - T0) / MINUTE, window: c.window, count: c.count, kind: c.kind, high: c.high }))
          .sort((a, b) => a.cell - b.cell);
        expect(shown).toEqual([
          { cell: 0, window: 'w1', count: 4, kind: 'sum', high: 4 },
          { cell: 60, window: 'w2', count: 2, kind: 'ordered', high: 5 },
          { cell: 1560, window: 'w1', count: 1, kind: 'max', high: 7 },
        ]);
        expect(cells.find((c) => c.window === 'w1' && c.kind === 'sum')?.total).toBe(10);
      });

      it('adds a UNIQUE member once per window', async () => {
        const results = await write(async (tx) => [
          await tx.addUniqueMember(key('u'), 'alice'),
          await tx.addUniqueMember(key('u'), 'alice'),
          await tx.addUniqueMember(key('u', 'w2'), 'alice'),
          await tx.addUniqueMember(key('u', 'w1', 'r1'), 'alice'),
        ]);
        expect(results).toEqual([true, false, true, true]);
        expect(await write((tx) => tx.addUniqueMember(key('u'), 'alice'))).toBe(false);
      });

      it('putEvents answers per event, in order: a key repeated in the list, or already stored, is not new', async () => {
        await write((tx) => tx.putEvents([usageEvent('c1', 'stored')]));
        const fresh = await write((tx) =>
          tx.putEvents([
            usageEvent('c1', 'a'),
            usageEvent('c1', 'stored'),
            usageEvent('c1', 'a'),
            usageEvent('c2', 'a'),
            usageEvent('c1', 'b'),
          ]),
        );
        expect(fresh).toEqual([true, false, false, true, true]);
        expect(await write((tx) => tx.putEvents([]))).toEqual([]);
        expect(await write((tx) => tx.putEvents([usageEvent('c1', 'b'), usageEvent('c1', 'c')]))).toEqual([
          false,
          true,
        ]);
      });

      it('stores an event once per customer and idempotency key', async () => {
        expect(await write((tx) => putEvent(tx, usageEvent('c1', 'k1')))).toBe(true);
        expect(await write((tx) => putEvent(tx, { ...usageEvent('c1', 'k1'), eventName: 'other' }))).toBe(false);
        expect(await write((tx) => putEvent(tx, usageEvent('c2', 'k1')))).toBe(true);
      });

      it('prunes history (by when it happened) and event keys (by when they arrived), leaving every aggregate as it was', async () => {
        const entries = Array.from({ length: 40 }, (_, i) => usageEntry('c1', 'f1', 'w1', 1, { at: T0 + i }));
        for (let i = 0; i < 40; i += 8) await append(...entries.slice(i, i + 8));
        await write(async (tx) => {
          // Keys go by arrival, not by the event's own time: the late one arrived recently.
          await putEvent(tx, { ...usageEvent('c1', 'old'), timestamp: T0, createdAt: T0 });
          await putEvent(tx, { ...usageEvent('c1', 'late'), timestamp: T0, createdAt: T0 + 30 });
        });
        const pruned = await write((tx) => tx.pruneUsageHistory(T0 + 30));
        expect(pruned).toBe(31);
        expect(await aggregate()).toEqual({ value: 40, count: 40 });
        const left = await store.read((r) =>
          r.listUsageEntries({
            customerId: 'c1',
            resourceId: null,
            featureId: 'f1',
            ranges: [{ from: T0, before: T0 + 100 }],
          }),
        );
        expect(left.map((e) => e.at - T0)).toEqual([30, 31, 32, 33, 34, 35, 36, 37, 38, 39]);
        expect(await write((tx) => putEvent(tx, usageEvent('c1', 'old')))).toBe(true);
        expect(await write((tx) => putEvent(tx, usageEvent('c1', 'late')))).toBe(false);
      });

      it('stays exact over thousands of entries in many transactions (past any batching a store does)', async () => {
        const model = new Map<string, { value: number; count: number }>();
        let at = T0;
        for (let t = 0; t < 90; t++) {
          const batch: UsageEntry[] = [];
          for (let i = 0; i < 50; i++) {
            const op: UsageOp = i % 7 === 0 ? 'set' : 'add';
            const window = `w${(t + i) % 3}`;
            const amount = ((t * 50 + i) % 11) - 3;
            batch.push(usageEntry('c1', 'f1', window, amount, { op, at: at++ }));
            model.set(window, applyUsageOp(model.get(window) ?? EMPTY_AGGREGATE, op, amount));
          }
          await append(...batch);
        }
        for (const [window, expected] of model) expect(await aggregate(key('f1', window))).toEqual(expected);
        const usage = await stored();
        expect(Object.fromEntries(usage.map((u) => [u.window, { value: u.value, count: u.count }]))).toEqual(
          Object.fromEntries(model),
        );
        const entries = await store.read((r) =>
          r.listUsageEntries({
            customerId: 'c1',
            resourceId: null,
            featureId: 'f1',
            ranges: [{ from: T0, before: at }],
          }),
        );
        expect(entries).toHaveLength(4500);
        expect(entries.every((e, i) => e.at === T0 + i)).toBe(true);
      });

      describe('properties', () => {
        const op = fc.record({
          op: fc.constantFrom<UsageOp>('add', 'set', 'max', 'min', 'avg'),
          key: fc.constantFrom(['f1', null] as const, ['f1', 'r1'] as const, ['f2', null] as const),
          window: fc.constantFrom('w1', 'w2', 'w3'),
          // Quarters add exactly in binary floating point, so the model and the store agree to the bit.
          amount: fc.integer({ min: -40, max: 40 }).map((n) => n / 4),
        });
        let run = 0;

        // Instants around hour marks within a day or so of T0, so entries share minutes, hours and days.
        const instant = fc
          .tuple(fc.integer({ min: -30, max: 30 }), fc.oneof(fc.constant(0), fc.integer({ min: -90_000, max: 90_000 })))
          .map(([hours, ms]) => T0 + hours * HOUR + ms);
        const summedEntry = fc.record({
          op: fc.constantFrom<UsageOp>('add', 'add', 'add', 'avg', 'max', 'min', 'set'),
          window: fc.constantFrom('w1', 'w2'),
          resourceId: fc.constantFrom(null, 'r1'),
          amount: fc.oneof(
            fc.integer({ min: 0, max: 20 }),
            fc.integer({ min: -8, max: 8 }).map((n) => n / 4),
          ),
          at: instant,
        });
        const summaryQuery = fc
          .record({
            from: instant,
            length: fc.integer({ min: 1, max: 4 * DAY }),
            width: fc.constantFrom(MINUTE, HOUR, DAY),
            back: fc.integer({ min: 0, max: 2 * DAY }),
            align: fc.constantFrom(1, MINUTE, HOUR, DAY),
          })
          .map(({ from, length, width, back, align }) => {
            const start = Math.floor(from / align) * align;
            return { from: start, before: start + length, origin: Math.floor((start - back) / align) * align, width };
          });

        it('for any entries, a summary equals summarizing the entries it covers, before and after a prune', async () => {
          await fc.assert(
            fc.asyncProperty(
              // Each transaction's entries, and whether a store's batching then takes them in.
              fc.array(fc.tuple(fc.array(summedEntry, { minLength: 1, maxLength: 12 }), fc.boolean()), {
                maxLength: 4,
              }),
              fc.array(summaryQuery, { minLength: 1, maxLength: 3 }),
              instant,
              async (txs, queries, pruneBefore) => {
                run += 1;
                const customerId = `summary-${run}`;
                await write((tx) => tx.putCustomer(customer(customerId)));
                for (const [list, batched] of txs) {
                  await write((tx) =>
                    tx.appendUsage(list.map((e) => ({ ...usageEntry(customerId, 'f1', e.window, e.amount, e), ...e }))),
                  );
                  if (batched) await pastBatching();
                }
                const agree = () =>
                  store.read(async (r) => {
                    for (const q of queries)
                      for (const resourceId of [null, 'r1']) {
                        const query = { customerId, resourceId, featureId: 'f1', ...q };
                        const expected = new CellSummaries();
                        const ranges = [{ from: q.from, before: q.before }];
                        for (const e of await r.listUsageEntries({ ...query, ranges }))
                          expected.addEntry(e, q.origin, q.width);
                        expectSameSummaries(await r.summarizeUsage(query), expected.list(), q.width);
                      }
                  });
                await agree();
                await write((tx) => tx.pruneUsageHistory(pruneBefore));
                await agree();
              },
            ),
            { seed: FC_SEED, numRuns: 40 },
          );
        });

        it('for any sequence of entries, every window aggregate equals folding them with applyUsageOp', async () => {
          await fc.assert(
            fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { maxLength: 12 }), async (txs) => {
              run += 1;
              const customerId = `model-${run}`;
              const model = new Map<string, { value: number; count: number }>();
              await write((tx) => tx.putCustomer(customer(customerId)));
              for (const ops of txs) {
                const entries = ops.map((o) => {
                  const [featureId, resourceId] = o.key as readonly [string, string | null];
                  const id = `${featureId}/${resourceId}/${o.window}`;
                  model.set(id, applyUsageOp(model.get(id) ?? EMPTY_AGGREGATE, o.op, o.amount));
                  return usageEntry(customerId, featureId, o.window, o.amount, { op: o.op, resourceId });
                });
                await write((tx) => tx.appendUsage(entries));
              }
              const usage = (await store.read((r) => r.getCustomerState(customerId, T0)))?.usage ?? [];
              const actual = Object.fromEntries(
                usage.map((u) => [`${u.featureId}/${u.resourceId}/${u.window}`, { value: u.value, count: u.count }]),
              );
              expect(actual).toEqual(Object.fromEntries(model));
            }),
            { seed: FC_SEED, numRuns: 60 },
          );
        });
      });
    });

    describe('credits', () => {
      const pool = { customerId: 'c1', currencyId: 'tokens', resourceId: null };
      const grant = (id: string, overrides: Partial<CreditGrantRecord> = {}): CreditGrantRecord => ({
        id,
        customerId: 'c1',
        currencyId: 'tokens',
        resourceId: null,
        grantType: 'PAID',
        amount: '50.5',
        consumed: '0',
        priority: 0,
        effectiveAt: T0,
        expireAt: null,
        cost: { amount: '9.99', currency: 'USD' },
        displayName: 'Top-up',
        comment: null,
        metadata: { order: '42' },
        source: null,
        recurrence: null,
        rollover: null,
        createdAt: T0,
        updatedAt: T0,
        activatedAt: T0,
        refilledAt: null,
        expiredAt: null,
        voidedAt: null,
        ...overrides,
      });
      const entry = (id: string, overrides: Partial<CreditLedgerEntry> = {}): CreditLedgerEntry => ({
        id,
        customerId: 'c1',
        currencyId: 'tokens',
        resourceId: null,
        grantId: 'g1',
        eventType: 'CREDITS_CONSUMED',
        amount: '-1.25',
        at: T0,
        ...overrides,
      });

      it("reads a pool's held grants by id and its totals, scoped by currency and resource", async () => {
        const voidedRecurring = grant('r-void', { grantType: 'RECURRING', voidedAt: T0, expireAt: T0 + 10 });
        const subscriptionSource = {
          kind: 'SUBSCRIPTION' as const,
          subscriptionId: 's1',
          cadence: 'MONTH' as const,
          periodStart: T0,
          periodEnd: T0 + 10,
          rolledOver: '0',
        };
        const spentRecurring = grant('r-spent', {
          grantType: 'RECURRING',
          consumed: '50.5',
          expireAt: T0 + 10,
          source: subscriptionSource,
        });
        await write((tx) =>
          tx.putCreditGrants([
            grant('g2'),
            grant('g1', { grantType: 'PROMOTIONAL', expireAt: T0 + 10 }),
            grant('void', { voidedAt: T0 }),
            grant('gone', { expiredAt: T0 }),
            voidedRecurring,
            grant('r-closed', { grantType: 'RECURRING', voidedAt: T0, expireAt: T0 + 10, expiredAt: T0 + 10 }),
            grant('spent', { consumed: '50.5' }),
            spentRecurring,
            grant('other-currency', { currencyId: 'minutes' }),
            grant('site', { resourceId: 'site-1' }),
            grant('not-mine', { customerId: 'c2' }),
          ]),
        );
        const read = await store.read((r) => r.getCreditPool(pool));
        expect(read).toEqual({
          ...pool,
          // A voided RECURRING grant stays until its period closes: it keeps the period from a refill;
          // a subscription's grant stays when used up too, a caller's goes.
          grants: [
            grant('g1', { grantType: 'PROMOTIONAL', expireAt: T0 + 10 }),
            grant('g2'),
            spentRecurring,
            voidedRecurring,
          ],
          debt: '0',
          spent: { total: '0', expiring: [], revision: 0 },
          schedule: null,
        });
        await write((tx) => tx.putCreditTotals(pool, { debt: '12.75', spent: '101', revision: 0, schedule: null }));
        expect(await store.read((r) => r.getCreditPool(pool))).toMatchObject({
          debt: '12.75',
          spent: { total: '101', expiring: [], revision: 0 },
        });
        // A spent grant is still read by id; a put moves a grant out of the pool and back in.
        expect(await store.read((r) => r.getCreditGrant('spent'))).toEqual(grant('spent', { consumed: '50.5' }));
        const recurring = grant('r-mine', { grantType: 'RECURRING', expireAt: T0 + 10 });
        await write((tx) => tx.putCreditGrants([recurring, grant('g2', { consumed: '50.5' })]));
        await write((tx) => tx.putCreditGrants([{ ...recurring, consumed: '50.5' }]));
        const held = async () => (await store.read((r) => r.getCreditPool(pool))).grants.map((g) => g.id);
        expect(await held()).toEqual(['g1', 'r-spent', 'r-void']);
        await write((tx) => tx.putCreditGrants([{ ...recurring, consumed: '50.5', voidedAt: T0 + 1 }]));
        expect(await held()).toEqual(['g1', 'r-mine', 'r-spent', 'r-void']);
        expect(
          (await store.read((r) => r.getCreditPool({ ...pool, resourceId: 'site-1' }))).grants.map((g) => g.id),
        ).toEqual(['site']);
        expect(await store.read((r) => r.getCreditGrant('void'))).toEqual(grant('void', { voidedAt: T0 }));
        expect(await store.read((r) => r.getCreditGrant('nope'))).toBeUndefined();
      });

      it("keeps a pool's spent expiries by instant, soonest first: set, replaced, removed by '0'", async () => {
        const site = { ...pool, resourceId: 'site-1' };
        await write(async (tx) => {
          await tx.putCreditTotals(pool, { debt: '0', spent: '12', revision: 1, schedule: null });
          await tx.putCreditExpiries(pool, [
            { at: T0 + 30, amount: '3' },
            { at: T0 + 10, amount: '1.5' },
            { at: T0 + 20, amount: '2' },
          ]);
          await tx.putCreditTotals(site, { debt: '0', spent: '4', revision: 1, schedule: null });
          await tx.putCreditExpiries(site, [{ at: T0 + 10, amount: '4' }]);
        });
        const first = (await store.read((r) => r.getCreditPool(pool))).spent;
        await write(async (tx) => {
          await tx.putCreditTotals(pool, { debt: '0', spent: '12', revision: 2, schedule: null });
          await tx.putCreditExpiries(pool, [
            { at: T0 + 20, amount: '0' },
            { at: T0 + 30, amount: '3.25' },
          ]);
        });
        const expected = {
          total: '12',
          expiring: [
            { at: T0 + 10, amount: '1.5' },
            { at: T0 + 30, amount: '3.25' },
          ],
          revision: 2,
        };
        expect((await store.read((r) => r.getCreditPool(pool))).spent).toEqual(expected);
        // Expiries read before are reused only at the stored revision.
        expect((await store.read((r) => r.getCreditPool(pool, first))).spent).toEqual(expected);
        const current = { ...expected, expiring: [{ at: T0 + 99, amount: 'known' }] };
        expect((await store.read((r) => r.getCreditPool(pool, current))).spent.expiring).toBe(current.expiring);
        expect((await store.read((r) => r.getCreditPool(site))).spent).toEqual({
          total: '4',
          expiring: [{ at: T0 + 10, amount: '4' }],
          revision: 1,
        });
        const listed = await store.read((r) => r.listCreditPools('c1'));
        expect(listed.find((p) => p.resourceId === null)?.spent).toEqual(expected);
      });

      it('lists grants oldest first, filtered by currency and scope, and replaces a grant by id', async () => {
        await write((tx) =>
          tx.putCreditGrants([
            grant('b', { createdAt: T0 + 1 }),
            grant('a', { createdAt: T0 + 2 }),
            grant('m', { currencyId: 'minutes' }),
          ]),
        );
        await write((tx) => tx.putCreditGrants([grant('b', { createdAt: T0 + 1, consumed: '3' })]));
        const all = await store.read((r) => r.listCreditGrants({ customerId: 'c1' }));
        expect(all.map((g) => g.id)).toEqual(['m', 'b', 'a']);
        expect(all[1]?.consumed).toBe('3');
        const tokens = await store.read((r) =>
          r.listCreditGrants({ customerId: 'c1', currencyId: 'tokens', resourceId: null }),
        );
        expect(tokens.map((g) => g.id)).toEqual(['b', 'a']);
      });

      it('appends the ledger in order and pages it by cursor, filtered by currency, scope and type', async () => {
        const entries = Array.from({ length: 7 }, (_, i) =>
          entry(`e${i}`, {
            eventType: i % 2 === 0 ? 'CREDITS_GRANTED' : 'CREDITS_CONSUMED',
            currencyId: i === 3 ? 'minutes' : 'tokens',
            resourceId: i === 5 ? 'site-1' : null,
            dimensions: { model: 'small', tokens: i },
          }),
        );
        await write((tx) => tx.appendCreditLedger(entries.slice(0, 4)));
        await write((tx) => tx.appendCreditLedger(entries.slice(4)));
        const page = (query: Partial<CreditLedgerQuery>) =>
          store.read((r) => r.listCreditLedger({ customerId: 'c1', limit: 100, ...query }));
        const all = await page({});
        expect(all.map((r) => r.entry)).toEqual(entries);
        expect(all.every((r, i) => i === 0 || r.seq > (all[i - 1]?.seq ?? 0))).toBe(true);
        const first = await page({ limit: 3 });
        const rest = await page({ afterSeq: first.at(-1)?.seq });
        expect([...first, ...rest].map((r) => r.entry.id)).toEqual(entries.map((e) => e.id));
        expect((await page({ currencyId: 'tokens', resourceId: null })).map((r) => r.entry.id)).toEqual([
          'e0',
          'e1',
          'e2',
          'e4',
          'e6',
        ]);
        expect((await page({ eventTypes: ['CREDITS_CONSUMED'], limit: 2 })).map((r) => r.entry.id)).toEqual([
          'e1',
          'e3',
        ]);
        expect(await page({ customerId: 'c2' })).toEqual([]);
      });

      it('keeps automatic recharge settings per customer and currency', async () => {
        const config = {
          isEnabled: true,
          thresholdType: 'CREDIT_AMOUNT' as const,
          thresholdValue: '10',
          targetBalance: '100',
          maxSpendLimit: null,
          grantExpirationPeriod: 'ONE_MONTH' as const,
          createdAt: 1,
          updatedAt: 2,
        };
        expect(await store.read((r) => r.getAutoRecharge('c1', 'tokens'))).toBeUndefined();
        await write((tx) => tx.putAutoRecharge('c1', 'tokens', config));
        await write((tx) => tx.putAutoRecharge('c1', 'minutes', { ...config, isEnabled: false }));
        expect(await store.read((r) => r.getAutoRecharge('c1', 'tokens'))).toEqual(config);
        expect((await store.read((r) => r.getAutoRecharge('c1', 'minutes')))?.isEnabled).toBe(false);
        await expect(
          write(async (tx) => {
            await tx.putAutoRecharge('c1', 'tokens', { ...config, targetBalance: '5' });
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await store.read((r) => r.getAutoRecharge('c1', 'tokens'))).toEqual(config);
      });

      it("lists every pool of a customer with a held grant or totals, and nobody else's", async () => {
        await write(async (tx) => {
          await tx.putCreditGrants([
            grant('g1'),
            grant('r-void', { currencyId: 'voided-recurring', grantType: 'RECURRING', voidedAt: T0 }),
            grant('g2', { currencyId: 'minutes' }),
            grant('site', { resourceId: 'site-1' }),
            grant('closed', { currencyId: 'closed', voidedAt: T0 }),
            grant('not-mine', { customerId: 'c2' }),
          ]);
          await tx.putCreditTotals(
            { ...pool, currencyId: 'debt-only' },
            { debt: '4', spent: '0', revision: 0, schedule: null },
          );
          await tx.putCreditTotals(
            { ...pool, currencyId: 'minutes' },
            { debt: '1.5', spent: '0', revision: 0, schedule: null },
          );
          await tx.putCreditTotals(
            { ...pool, currencyId: 'spent-only' },
            { debt: '0', spent: '20', revision: 1, schedule: null },
          );
          await tx.putCreditExpiries({ ...pool, currencyId: 'spent-only' }, [{ at: T0 + 5, amount: '5' }]);
        });
        const pools = await store.read((r) => r.listCreditPools('c1'));
        const byKey = (p: { currencyId: string; resourceId: string | null }) => `${p.currencyId}/${p.resourceId}`;
        expect(pools.map(byKey).sort()).toEqual([
          'debt-only/null',
          'minutes/null',
          'spent-only/null',
          'tokens/null',
          'tokens/site-1',
          'voided-recurring/null',
        ]);
        for (const p of pools) expect(p).toEqual(await store.read((r) => r.getCreditPool(p)));
        expect(await store.read((r) => r.listCreditPools('nobody'))).toEqual([]);
      });

      it('lists consumption in a time range by time, and the dimension keys consumptions carried', async () => {
        await write((tx) =>
          tx.appendCreditLedger([
            entry('late', { at: T0 + 20, dimensions: { model: 'big' } }),
            entry('early', { at: T0 + 10, eventType: 'DEBT_CREATED', grantId: null, dimensions: { region: 'eu' } }),
            entry('granted', { at: T0 + 15, eventType: 'CREDITS_GRANTED', amount: '5', dimensions: { ignored: 1 } }),
            entry('minutes', { at: T0 + 15, currencyId: 'minutes', dimensions: { seat: 'a' } }),
            entry('site', { at: T0 + 15, resourceId: 'site-1' }),
            entry('outside', { at: T0 + 30 }),
            entry('other', { at: T0 + 15, customerId: 'c2', dimensions: { theirs: 1 } }),
          ]),
        );
        const consumption = (q: Partial<CreditConsumptionQuery>) =>
          store.read((r) => r.listCreditConsumption({ customerId: 'c1', from: T0 + 10, before: T0 + 30, ...q }));
        expect((await consumption({})).map((e) => e.id)).toEqual(['early', 'minutes', 'site', 'late']);
        expect((await consumption({ currencyId: 'tokens', resourceId: null })).map((e) => e.id)).toEqual([
          'early',
          'late',
        ]);
        expect((await consumption({ from: T0 + 11, before: T0 + 20 })).map((e) => e.id)).toEqual(['minutes', 'site']);
        expect(await store.read((r) => r.listCreditEventFields({ customerId: 'c1' }))).toEqual([
          'model',
          'region',
          'seat',
        ]);
        expect(await store.read((r) => r.listCreditEventFields({ customerId: 'c1', currencyId: 'minutes' }))).toEqual([
          'seat',
        ]);
      });

      it('a throw rolls back grants, totals, expiries and ledger entries', async () => {
        const schedule: CreditResetSchedule = {
          recurrence: { interval: 'WEEK', intervalCount: 2, anchor: T0 },
          rollover: { percentage: '50' },
          overage: 'FORGIVE',
          resetAfter: T0,
        };
        const before = {
          ...pool,
          grants: [grant('g1')],
          debt: '1',
          spent: { total: '7', expiring: [{ at: T0 + 5, amount: '2' }], revision: 1 },
          schedule,
        };
        await write(async (tx) => {
          await tx.putCreditGrants([grant('g1')]);
          await tx.putCreditTotals(pool, { debt: '1', spent: '7', revision: 1, schedule });
          await tx.putCreditExpiries(pool, [{ at: T0 + 5, amount: '2' }]);
        });
        const failure = new Error('boom');
        await expect(
          write(async (tx) => {
            await tx.putCreditGrants([grant('g1', { consumed: '50.5' }), grant('g2')]);
            await tx.putCreditTotals(pool, { debt: '3', spent: '57.5', revision: 2, schedule: null });
            await tx.putCreditExpiries(pool, [
              { at: T0 + 5, amount: '0' },
              { at: T0 + 9, amount: '50.5' },
            ]);
            await tx.appendCreditLedger([entry('e1')]);
            throw failure;
          }),
        ).rejects.toBe(failure);
        expect(await store.read((r) => r.getCreditPool(pool))).toEqual(before);
        expect(await store.read((r) => r.listCreditLedger({ customerId: 'c1', limit: 10 }))).toEqual([]);
      });

      it("keeps a recurring grant's recurrence, rollover rule and refill mark, and a pool's reset schedule", async () => {
        const recurring = grant('monthly', {
          recurrence: { interval: 'MONTH', intervalCount: 3, anchor: T0 - 5 },
          rollover: { maxAmount: '10', minAmount: '2.5', percentage: '12.5' },
          refilledAt: T0 + 7,
          consumed: '50.5',
        });
        const schedule: CreditResetSchedule = {
          recurrence: { interval: 'HOUR', intervalCount: 6, anchor: T0 },
          rollover: null,
          overage: 'CARRY',
          resetAfter: T0 + 3,
        };
        const site = { ...pool, resourceId: 'site-1' };
        await write(async (tx) => {
          await tx.putCreditGrants([recurring]);
          await tx.putCreditTotals(site, { debt: '0', spent: '0', revision: 0, schedule });
        });
        // Used up, a recurring grant stays in its pool: it refills.
        expect(await store.read((r) => r.getCreditPool(pool))).toMatchObject({ grants: [recurring], schedule: null });
        expect(await store.read((r) => r.getCreditGrant('monthly'))).toEqual(recurring);
        expect(await store.read((r) => r.getCreditPool(site))).toMatchObject({ grants: [], schedule });
        const pools = await store.read((r) => r.listCreditPools('c1'));
        expect(pools.find((p) => p.resourceId === 'site-1')?.schedule).toEqual(schedule);
        await write((tx) => tx.putCreditTotals(site, { debt: '0', spent: '0', revision: 0, schedule: null }));
        expect((await store.read((r) => r.getCreditPool(site))).schedule).toBeNull();
      });
    });

    describe('governance', () => {
      const entity = (entityId: string, parentId: string | null, ownerId = 'c1'): GovernanceEntityRecord => ({
        ownerId,
        entityId,
        parentId,
        displayName: `Entity ${entityId}`,
        type: parentId === null ? 'ORGANIZATION' : 'TEAM',
        metadata: { cost_center: '7' },
        createdAt: T0,
        updatedAt: T0,
      });
      const budget = (entityId: string, capabilityId: string, limit = '100'): GovernanceBudgetRecord => ({
        ownerId: 'c1',
        entityId,
        capabilityId,
        limit,
        resetPeriod: 'MONTH',
        // Not the default, so the round trip shows the column is kept.
        resetIntervalCount: 3,
        anchor: T0,
        createdAt: T0,
        updatedAt: T0,
      });
      const used = (entityId: string, capabilityId: string, window: string, periodEnd: number | null, amount: string) =>
        ({ ownerId: 'c1', entityId, capabilityId, window, periodEnd, amount }) satisfies GovernanceUsageRecord;
      const sorted = <T>(rows: readonly T[]) =>
        [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

      it("keeps an owner's entities, budgets and open usage windows, and replaces each by key", async () => {
        await write(async (tx) => {
          await tx.putGovernanceEntities([entity('org', null), entity('eng', 'org'), entity('x', null, 'c2')]);
          await tx.putGovernanceBudgets([budget('org', 'tokens'), budget('eng', 'tokens', '40')]);
          await tx.putGovernanceUsage([
            used('eng', 'tokens', 'all', null, '3'),
            used('org', 'tokens', String(T0), T0 + 100, '2.5'),
            used('org', 'tokens', String(T0 - 100), T0, '9'),
          ]);
        });
        await write(async (tx) => {
          await tx.putGovernanceEntities([{ ...entity('eng', 'org'), displayName: 'Engineering', updatedAt: T0 + 1 }]);
          await tx.putGovernanceBudgets([budget('eng', 'tokens', '50')]);
          await tx.putGovernanceUsage([used('org', 'tokens', String(T0), T0 + 100, '7.25')]);
        });
        const read = await store.read((r) => r.getGovernance('c1', T0));
        expect(sorted(read.entities)).toEqual(
          sorted([entity('org', null), { ...entity('eng', 'org'), displayName: 'Engineering', updatedAt: T0 + 1 }]),
        );
        expect(sorted(read.budgets)).toEqual(sorted([budget('org', 'tokens'), budget('eng', 'tokens', '50')]));
        // The window that ended at T0 is not loaded.
        expect(sorted(read.usage)).toEqual(
          sorted([used('eng', 'tokens', 'all', null, '3'), used('org', 'tokens', String(T0), T0 + 100, '7.25')]),
        );
        expect((await store.read((r) => r.getGovernance('c2', T0))).entities).toEqual([entity('x', null, 'c2')]);
        expect(await store.read((r) => r.getGovernance('nobody', T0))).toEqual({
          entities: [],
          budgets: [],
          usage: [],
        });
      });

      it('deletes a budget with its usage, and an entity with its budgets and usage', async () => {
        await write(async (tx) => {
          await tx.putGovernanceEntities([entity('org', null), entity('eng', 'org')]);
          await tx.putGovernanceBudgets([budget('eng', 'tokens'), budget('eng', 'calls'), budget('org', 'tokens')]);
          await tx.putGovernanceUsage([
            used('eng', 'tokens', 'all', null, '1'),
            used('eng', 'calls', 'all', null, '2'),
            used('org', 'tokens', 'all', null, '3'),
          ]);
        });
        await write((tx) => tx.deleteGovernanceBudget('c1', 'eng', 'calls'));
        let read = await store.read((r) => r.getGovernance('c1', T0));
        expect(read.budgets.map((b) => `${b.entityId}/${b.capabilityId}`).sort()).toEqual(['eng/tokens', 'org/tokens']);
        expect(read.usage.map((u) => u.amount).sort()).toEqual(['1', '3']);
        await write((tx) => tx.deleteGovernanceEntity('c1', 'eng'));
        read = await store.read((r) => r.getGovernance('c1', T0));
        expect(read.entities.map((e) => e.entityId)).toEqual(['org']);
        expect(read.budgets.map((b) => b.entityId)).toEqual(['org']);
        expect(read.usage.map((u) => u.entityId)).toEqual(['org']);
      });

      it('a throw rolls back every governance write', async () => {
        await write((tx) => tx.putGovernanceEntities([entity('org', null)]));
        const before = await store.read((r) => r.getGovernance('c1', T0));
        await expect(
          write(async (tx) => {
            await tx.putGovernanceEntities([entity('eng', 'org')]);
            await tx.putGovernanceBudgets([budget('org', 'tokens')]);
            await tx.putGovernanceUsage([used('org', 'tokens', 'all', null, '1')]);
            await tx.deleteGovernanceEntity('c1', 'org');
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await store.read((r) => r.getGovernance('c1', T0))).toEqual(before);
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
          for (let i = 0; i < 20; i++) await write((tx) => tx.appendUsage([usageEntry('c1', 'f1', 'w1', 1)]));
          await write((tx) => putEvent(tx, usageEvent('c1', 'e1')));
          const snapshot = () =>
            store.read(async (r) => ({
              state: normalised(await r.getCustomerState('c1', T0)),
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
          expect(await write((tx) => putEvent(tx, usageEvent('c1', 'e1')))).toBe(false);
        });
      });
  });

  describe(`${label} store export and import`, () => describeExportConformance(factory));
}
