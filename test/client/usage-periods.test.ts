// Interval counts and usage period anchors through the public API, on every store. The numbers
// follow the peers' published behaviour; each example cites where they come from.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogInput } from '../../src/index.js';
import { AI_CREDITS, creditCatalog } from '../helpers/credit-fixtures.js';
import { catalog, errorCode, type Harness, harness, START, stores } from '../helpers/fixtures.js';

const free = catalog.plans.find((p) => p.id === 'free');
if (free === undefined) throw new Error('the shared catalog lost its free plan');

/** The shared catalog with quarterly exports and quarterly credits on the free plan. */
const periodic = creditCatalog({
  planChanges: {
    free: {
      entitlements: [
        ...free.entitlements,
        { featureId: 'daily-exports', usageLimit: 10, resetPeriod: 'MONTH', resetIntervalCount: 3 },
      ],
      creditEntitlements: [{ currencyId: AI_CREDITS, amount: 300, cadence: 'MONTH', cadenceIntervalCount: 3 }],
    },
  },
}) satisfies CatalogInput;

const iso = (d: Date | undefined) => d?.toISOString();

describe.each(stores)('usage periods ($name)', (fixture) => {
  let h: Harness;
  const metered = (featureId: string, requestedUsage = 0) =>
    h.allot.getMeteredEntitlement({ customerId: 'acme', featureId, options: { requestedUsage } });
  const period = async (featureId: string) => {
    const e = await metered(featureId);
    return [iso(e.usagePeriodStart), iso(e.usagePeriodEnd)];
  };
  const report = (featureId: string, value: number) => h.allot.reportUsage({ customerId: 'acme', featureId, value });
  const subscriptionOf = async () => {
    const [sub] = await h.allot.getActiveSubscriptions({ customerId: 'acme' });
    if (sub === undefined) throw new Error('acme has no active subscription');
    return sub.id;
  };

  beforeEach(async () => {
    h = await harness(fixture, { catalog: periodic });
    await h.allot.provisionCustomer({ customerId: 'acme' });
  });
  afterEach(() => h.close());

  describe('interval counts', () => {
    it('a plan entitlement reset every 3 months (Stripe interval_count=3, Lago quarterly)', async () => {
      // Stripe price.recurring.interval_count: "interval=month and interval_count=3 bills every 3
      // months"; Lago plan model: "Quarterly ... (every 3 months)". The Jan 31 start keeps its day,
      // clamped: Apr 30, then Jul 31 (Stripe billing cycle docs: Jan 31 bills on the month's last day).
      await h.allot.provisionSubscription({ customerId: 'acme', planId: 'free' });
      const first = await metered('daily-exports');
      expect(first).toMatchObject({ resetPeriod: 'MONTH', resetIntervalCount: 3, usageLimit: 10, currentUsage: 0 });
      expect(await period('daily-exports')).toEqual([START, '2025-04-30T10:00:00.000Z']);
      // A plain monthly entitlement reports no count: the reference's shape is unchanged.
      expect(await metered('api-calls')).not.toHaveProperty('resetIntervalCount');

      const ack = await report('daily-exports', 10);
      expect(iso(ack.usagePeriodEnd)).toBe('2025-04-30T10:00:00.000Z');
      h.clock.set('2025-03-31T10:00:00Z'); // two monthly boundaries later: still the same period
      expect(await metered('daily-exports', 1)).toMatchObject({ currentUsage: 10, hasAccess: false });
      h.clock.set('2025-04-30T10:00:00Z');
      expect(await metered('daily-exports', 1)).toMatchObject({ currentUsage: 0, hasAccess: true });
      expect(await period('daily-exports')).toEqual(['2025-04-30T10:00:00.000Z', '2025-07-31T10:00:00.000Z']);
    });

    it('plan credits refilled every 3 months, each grant expiring at the next boundary', async () => {
      await h.allot.provisionSubscription({ customerId: 'acme', planId: 'free' });
      const balance = async () =>
        (await h.allot.getCreditEntitlement({ customerId: 'acme', currencyId: AI_CREDITS })).currentBalance;
      const recurring = async () =>
        (await h.allot.getCreditGrants({ customerId: 'acme', currencyId: AI_CREDITS })).data
          .filter((g) => g.grantType === 'RECURRING')
          .map((g) => [iso(g.effectiveAt), iso(g.expireAt ?? undefined)]);
      expect(await balance()).toBe(300);
      await h.allot.consumeCredits({ customerId: 'acme', currencyId: AI_CREDITS, amount: 100, idempotencyKey: 'k1' });
      h.clock.set('2025-03-31T10:00:00Z');
      expect(await balance()).toBe(200); // no monthly refill
      h.clock.set('2025-04-30T10:00:00Z');
      expect(await balance()).toBe(300);
      expect(await recurring()).toEqual([
        [START, '2025-04-30T10:00:00.000Z'],
        ['2025-04-30T10:00:00.000Z', '2025-07-31T10:00:00.000Z'],
      ]);
    });

    it('a governance budget that resets every 2 weeks (OpenMeter usage period P2W)', async () => {
      const g = h.allot.governance;
      await g.upsertEntities('acme', { entities: [{ entityId: 'org' }] });
      // 2025-01-06 is a Monday: fortnights run Jan 6 – Jan 20, Jan 20 – Feb 3, ...
      await g.setBudgets('acme', {
        budgets: [
          {
            entityId: 'org',
            capabilityId: 'api-calls',
            limit: 100,
            resetPeriod: 'WEEK',
            resetIntervalCount: 2,
            anchor: '2025-01-06T00:00:00Z',
          },
        ],
      });
      await g.ingest('acme', { events: [{ entityIds: ['org'], capabilityId: 'api-calls', amount: 60 }] });
      const budget = async () => (await g.getEntity('acme', { entityId: 'org' })).budgets[0];
      expect(await budget()).toMatchObject({
        resetPeriod: 'WEEK',
        resetIntervalCount: 2,
        currentUsage: 60,
        periodStart: new Date('2025-01-20T00:00:00Z'),
        periodEnd: new Date('2025-02-03T00:00:00Z'),
      });
      h.clock.set('2025-02-02T23:59:59.999Z'); // a weekly budget would have reset on Jan 27
      expect(
        (await g.check('acme', { entityIds: ['org'], capabilityId: 'api-calls', requestedAmount: 41 })).hasAccess,
      ).toBe(false);
      h.clock.set('2025-02-03T00:00:00Z');
      expect(await budget()).toMatchObject({ currentUsage: 0, periodEnd: new Date('2025-02-17T00:00:00Z') });
    });
  });

  describe('usage period anchors', () => {
    it('an anchor after now: the current period is the one that ends on it (OpenMeter recurrence)', async () => {
      // openmeterio/openmeter pkg/timeutil/recurrence_test.go, TestPrevBefore "Should return prev if
      // anchor is in the future": the grid extends backwards from the anchor.
      const anchor = '2025-02-15T00:00:00.000Z';
      await h.allot.provisionSubscription({
        customerId: 'acme',
        planId: 'pro',
        skipTrial: true,
        usagePeriodAnchor: anchor,
      });
      const calls = await metered('api-calls');
      expect(iso(calls.usagePeriodAnchor)).toBe(anchor);
      expect(await period('api-calls')).toEqual(['2025-01-15T00:00:00.000Z', anchor]);
      // A daily entitlement of the same subscription counts from the same anchor: midnights.
      expect(await period('daily-exports')).toEqual(['2025-01-31T00:00:00.000Z', '2025-02-01T00:00:00.000Z']);

      await report('api-calls', 700);
      h.clock.set('2025-02-14T23:59:59.999Z');
      expect((await metered('api-calls')).currentUsage).toBe(700);
      h.clock.set(anchor);
      expect(await metered('api-calls')).toMatchObject({ currentUsage: 0 });
      expect(await period('api-calls')).toEqual([anchor, '2025-03-15T00:00:00.000Z']);
    });

    it('an anchor before the start counts the grid forward from it; billing periods keep the start', async () => {
      const sub = await h.allot.provisionSubscription({
        customerId: 'acme',
        planId: 'pro',
        skipTrial: true,
        usagePeriodAnchor: new Date('2024-12-10T00:00:00Z'),
      });
      expect(await period('api-calls')).toEqual(['2025-01-10T00:00:00.000Z', '2025-02-10T00:00:00.000Z']);
      expect(iso(sub.subscription?.currentBillingPeriodEnd ?? undefined)).toBe('2025-02-28T10:00:00.000Z');
    });

    it('updateSubscription moves the anchor at once, counting the new window from zero; null restores the default', async () => {
      await h.allot.provisionSubscription({ customerId: 'acme', planId: 'free' });
      const subscriptionId = await subscriptionOf();
      await report('api-calls', 30);
      h.clock.set('2025-02-05T00:00:00Z');
      await h.allot.updateSubscription({ subscriptionId, usagePeriodAnchor: '2025-01-20T00:00:00Z' });
      expect(await period('api-calls')).toEqual(['2025-01-20T00:00:00.000Z', '2025-02-20T00:00:00.000Z']);
      expect((await metered('api-calls')).currentUsage).toBe(0);
      expect((await report('api-calls', 5)).currentUsage).toBe(5);

      // Another update that leaves the anchor out keeps it.
      await h.allot.updateSubscription({ subscriptionId, metadata: { note: 'kept' } });
      expect(await metered('api-calls')).toMatchObject({ currentUsage: 5 });
      expect(iso((await metered('api-calls')).usagePeriodAnchor)).toBe('2025-01-20T00:00:00.000Z');

      await h.allot.updateSubscription({ subscriptionId, usagePeriodAnchor: null });
      expect(iso((await metered('api-calls')).usagePeriodAnchor)).toBe(START);
      expect(await period('api-calls')).toEqual([START, '2025-02-28T10:00:00.000Z']);
    });

    it('a plan change keeps the anchor unless the new subscription gives its own', async () => {
      await h.allot.provisionSubscription({
        customerId: 'acme',
        planId: 'free',
        usagePeriodAnchor: '2025-01-05T00:00:00Z',
      });
      await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro', skipTrial: true });
      expect(await period('api-calls')).toEqual(['2025-01-05T00:00:00.000Z', '2025-02-05T00:00:00.000Z']);
      await h.allot.provisionSubscription({
        customerId: 'acme',
        planId: 'enterprise',
        usagePeriodAnchor: '2025-01-25T00:00:00Z',
      });
      expect(await period('daily-exports')).toEqual(['2025-01-31T00:00:00.000Z', '2025-02-01T00:00:00.000Z']);
      expect(iso((await metered('daily-exports')).usagePeriodAnchor)).toBe('2025-01-25T00:00:00.000Z');
    });

    it("a custom entitlement's own anchor and interval count (OpenMeter per-entitlement usagePeriod)", async () => {
      await h.allot.provisionSubscription({
        customerId: 'acme',
        planId: 'pro',
        skipTrial: true,
        subscriptionEntitlements: [
          {
            featureId: 'daily-exports',
            usageLimit: 50,
            resetPeriod: 'WEEK',
            resetIntervalCount: 2,
            usagePeriodAnchor: '2025-01-06T00:00:00Z',
          },
        ],
      });
      expect(await metered('daily-exports')).toMatchObject({
        usageLimit: 50,
        resetPeriod: 'WEEK',
        resetIntervalCount: 2,
      });
      expect(await period('daily-exports')).toEqual(['2025-01-20T00:00:00.000Z', '2025-02-03T00:00:00.000Z']);
      // The plan's other metered features keep the subscription's own anchor.
      expect(await period('api-calls')).toEqual([START, '2025-02-28T10:00:00.000Z']);
    });

    it('a promotional entitlement with its own anchor and an interval count', async () => {
      // No subscription: the promotion's window is the only one (a plan's would be preferred).
      await h.allot.grantPromotionalEntitlements({
        customerId: 'acme',
        promotionalEntitlements: [
          {
            featureId: 'daily-exports',
            period: 'ONE_MONTH',
            usageLimit: 1000,
            resetPeriod: 'HOUR',
            resetIntervalCount: 6,
            usagePeriodAnchor: '2025-02-01T00:00:00Z',
          },
        ],
      });
      expect(await metered('daily-exports')).toMatchObject({
        usageLimit: 1000,
        resetPeriod: 'HOUR',
        resetIntervalCount: 6,
      });
      expect(await period('daily-exports')).toEqual(['2025-01-31T06:00:00.000Z', '2025-01-31T12:00:00.000Z']);
    });

    if (fixture.shared)
      it('anchors and interval counts survive a restart', async () => {
        await h.allot.provisionSubscription({
          customerId: 'acme',
          planId: 'pro',
          skipTrial: true,
          usagePeriodAnchor: '2025-02-15T00:00:00Z',
          subscriptionEntitlements: [
            { featureId: 'daily-exports', usageLimit: 50, resetPeriod: 'DAY', resetIntervalCount: 3 },
          ],
        });
        await report('api-calls', 7);
        await h.allot.governance.upsertEntities('acme', { entities: [{ entityId: 'org' }] });
        await h.allot.governance.setBudgets('acme', {
          budgets: [
            { entityId: 'org', capabilityId: 'api-calls', limit: 1, resetPeriod: 'DAY', resetIntervalCount: 4 },
          ],
        });
        const again = await h.reopen();
        const reread = await again.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' });
        expect([iso(reread.usagePeriodStart), iso(reread.usagePeriodEnd), reread.currentUsage]).toEqual([
          '2025-01-15T00:00:00.000Z',
          '2025-02-15T00:00:00.000Z',
          7,
        ]);
        const exports = await again.getMeteredEntitlement({ customerId: 'acme', featureId: 'daily-exports' });
        expect(exports.usagePeriodEnd).toEqual(new Date('2025-02-03T00:00:00Z'));
        const org = await again.governance.getEntity('acme', { entityId: 'org' });
        expect(org.budgets[0]).toMatchObject({ resetIntervalCount: 4, periodEnd: new Date('2025-02-04T10:00:00Z') });
      });
  });

  describe('bad input', () => {
    it('refuses an interval count that is not a whole number from 1 to 1000, or has no reset period', async () => {
      const withEntitlement = (e: object) =>
        h.allot.provisionSubscription({
          customerId: 'acme',
          planId: 'free',
          subscriptionEntitlements: [{ featureId: 'api-calls', usageLimit: 5, ...e }],
        });
      for (const resetIntervalCount of [0, -2, 2.5, 1001])
        expect(await errorCode(withEntitlement({ resetPeriod: 'DAY', resetIntervalCount }))).toBe('INVALID_INPUT');
      expect(await errorCode(withEntitlement({ resetIntervalCount: 2 }))).toBe('INVALID_INPUT');
      expect(
        await errorCode(
          h.allot.provisionSubscription({ customerId: 'acme', planId: 'free', usagePeriodAnchor: 'soon' }),
        ),
      ).toBe('INVALID_INPUT');
      await h.allot.governance.upsertEntities('acme', { entities: [{ entityId: 'org' }] });
      const budget = (extra: object) =>
        h.allot.governance.setBudgets('acme', {
          budgets: [{ entityId: 'org', capabilityId: 'api-calls', limit: 1, ...extra }],
        });
      expect(await errorCode(budget({ resetIntervalCount: 2 }))).toBe('INVALID_INPUT');
      expect(await errorCode(budget({ resetPeriod: 'DAY', resetIntervalCount: 0 }))).toBe('INVALID_INPUT');
      expect(await h.allot.getActiveSubscriptions({ customerId: 'acme' })).toEqual([]);
    });

    it('refuses a catalog whose interval count is out of range or has no reset period', async () => {
      const { Allot } = await import('../../src/index.js');
      const { memoryStore } = await import('../../src/stores/memory/index.js');
      const withPlan = async (entitlement: object) => {
        const allot = Allot.initialize({
          catalog: {
            ...catalog,
            plans: [
              ...catalog.plans,
              { id: 'p', productId: 'app', entitlements: [{ featureId: 'api-calls', ...entitlement }] },
            ],
          },
          store: memoryStore(),
        });
        try {
          await allot.waitForInitialization();
        } finally {
          await allot.close();
        }
      };
      await withPlan({ usageLimit: 1, resetPeriod: 'MONTH', resetIntervalCount: 1000 });
      expect(await errorCode(withPlan({ usageLimit: 1, resetPeriod: 'MONTH', resetIntervalCount: 0 }))).toBe(
        'INVALID_CATALOG',
      );
      expect(await errorCode(withPlan({ usageLimit: 1, resetIntervalCount: 3 }))).toBe('INVALID_CATALOG');
    });
  });
});
