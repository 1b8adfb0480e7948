import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PackagePublishedEvent } from '../../src/index.js';
import { Allot } from '../../src/index.js';
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

  describe('migration to the latest version', () => {
    const limitOf = async (allot: Allot, customerId = 'old') =>
      (await allot.getMeteredEntitlement({ customerId, featureId: 'api-calls' })).usageLimit;
    const usageOf = async (allot: Allot, customerId = 'old') =>
      (await allot.getMeteredEntitlement({ customerId, featureId: 'api-calls' })).currentUsage;
    beforeEach(async () => {
      await h.allot.provisionCustomer({ customerId: 'old', subscriptionParams: { planId: 'free' } });
      await h.allot.reportUsage({ customerId: 'old', featureId: 'api-calls', value: 42 });
    });

    it('migrates at once, keeping usage; a second migration changes nothing', async () => {
      const changed = await h.reopen({ catalog: raised });
      const [sub] = await changed.getActiveSubscriptions({ customerId: 'old' });
      expect(await limitOf(changed)).toBe(100);
      expect(await changed.migrateSubscriptionToLatest({ subscriptionId: sub?.id ?? '' })).toEqual({
        subscriptionId: sub?.id,
      });
      expect(await limitOf(changed)).toBe(500);
      expect(await usageOf(changed)).toBe(42);
      const [after] = await changed.getActiveSubscriptions({ customerId: 'old' });
      expect(after?.planVersion).toBe(2);
      await changed.migrateSubscriptionToLatest({ subscriptionId: sub?.id ?? '' });
      expect((await changed.getActiveSubscriptions({ customerId: 'old' }))[0]?.planVersion).toBe(2);
    });

    it('migrates at the end of the billing period when asked', async () => {
      const changed = await h.reopen({ catalog: raised });
      const [sub] = await changed.getActiveSubscriptions({ customerId: 'old' });
      await changed.migrateSubscriptionToLatest({
        subscriptionId: sub?.id ?? '',
        subscriptionMigrationTime: 'END_OF_BILLING_PERIOD',
      });
      expect(await limitOf(changed)).toBe(100);
      const [scheduled] = await changed.getActiveSubscriptions({ customerId: 'old' });
      expect(scheduled?.futureUpdates?.[0]).toMatchObject({ subscriptionScheduleType: 'MigrateToLatest' });
      h.clock.advance({ months: 1 });
      expect(await limitOf(changed)).toBe(500);
    });

    it('takes the id and time as arguments, as the reference guide calls it', async () => {
      const changed = await h.reopen({ catalog: raised });
      const [sub] = await changed.getActiveSubscriptions({ customerId: 'old' });
      const id = sub?.id ?? '';
      expect(await changed.migrateSubscriptionToLatest(id, 'END_OF_BILLING_PERIOD')).toEqual({ subscriptionId: id });
      expect(await limitOf(changed)).toBe(100);
      h.clock.advance({ months: 1 });
      expect(await limitOf(changed)).toBe(500);
      // The id alone migrates at once; an object with a time beside it is neither form.
      expect(await errorCode(changed.migrateSubscriptionToLatest('nope'))).toBe('SUBSCRIPTION_NOT_FOUND');
      expect(await errorCode(changed.migrateSubscriptionToLatest(id, 'LATER' as never))).toBe('INVALID_INPUT');
      expect(
        await errorCode(changed.migrateSubscriptionToLatest({ subscriptionId: id }, 'END_OF_BILLING_PERIOD')),
      ).toBe('INVALID_INPUT');
    });

    it('migrates at once when given only the id', async () => {
      const changed = await h.reopen({ catalog: raised });
      const [sub] = await changed.getActiveSubscriptions({ customerId: 'old' });
      await changed.migrateSubscriptionToLatest(sub?.id ?? '');
      expect(await limitOf(changed)).toBe(500);
      expect(await usageOf(changed)).toBe(42);
    });

    it('rejects an unknown subscription and bad input with typed errors', async () => {
      const changed = await h.reopen({ catalog: raised });
      expect(await errorCode(changed.migrateSubscriptionToLatest({ subscriptionId: 'nope' }))).toBe(
        'SUBSCRIPTION_NOT_FOUND',
      );
      expect(
        await errorCode(
          changed.migrateSubscriptionToLatest({ subscriptionId: 'x', subscriptionMigrationTime: 'LATER' as never }),
        ),
      ).toBe('INVALID_INPUT');
    });

    it('publishes new versions as events, migrating every open subscription with ALL_CUSTOMERS', async () => {
      await h.allot.provisionCustomer({ customerId: 'other', subscriptionParams: { planId: 'pro' } });
      const events: PackagePublishedEvent[] = [];
      const fresh = await h.reopen({ catalog: raised, catalogMigration: 'ALL_CUSTOMERS' });
      // Events go out during initialize: a listener added before awaiting it sees them.
      const late = Allot.initialize({
        catalog: { ...raised, plans: raised.plans.map((p) => (p.id === 'pro' ? { ...p, displayName: 'Pro 2' } : p)) },
        store: h.store,
        clock: h.clock,
        catalogMigration: 'ALL_CUSTOMERS',
      });
      late.addListener('packagePublished', (e) => events.push(e));
      await late.waitForInitialization();
      expect(await limitOf(fresh)).toBe(500);
      expect(await usageOf(fresh)).toBe(42);
      expect(events).toEqual([
        { packageType: 'PLAN', packageRefId: 'pro', packageVersion: 2, migrationType: 'ALL_CUSTOMERS' },
      ]);
      expect((await late.getActiveSubscriptions({ customerId: 'other' }))[0]?.planVersion).toBe(2);
      await late.close();
    });
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
