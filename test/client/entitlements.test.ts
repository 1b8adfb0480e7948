import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectAllotError } from '../helpers/expect-allot-error.js';
import { errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';

describe.each(stores)('entitlement checks ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture, { entitlementsFallback: { 'audit-log': { hasAccess: true } } });
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
  });
  afterEach(() => h.close());

  it('answers each feature type with the reference shapes', async () => {
    const bool = await h.allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'sso' });
    expect(bool).toMatchObject({ type: 'BOOLEAN', hasAccess: false, isFallback: false });
    expect(bool.accessDeniedReason).toBe('NoFeatureEntitlementInSubscription');

    const numeric = await h.allot.getNumericEntitlement({ customerId: 'acme', featureId: 'max-projects' });
    expect(numeric).toMatchObject({ type: 'NUMERIC', hasAccess: true, value: 3, isUnlimited: false });
    expect(numeric).not.toHaveProperty('accessDeniedReason');

    const metered = await h.allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' });
    expect(metered).toMatchObject({
      type: 'METERED',
      hasAccess: true,
      usageLimit: 100,
      currentUsage: 0,
      requestedUsage: 0,
      isUnlimited: false,
      hasSoftLimit: false,
      resetPeriod: 'MONTH',
      resetPeriodConfiguration: { monthlyAccordingTo: 'SubscriptionStart' },
      feature: { id: 'api-calls', featureType: 'NUMBER', meterType: 'Incremental', isMetered: true, units: 'call' },
    });
    expect(metered.usagePeriodAnchor?.toISOString()).toBe('2025-01-31T10:00:00.000Z');
    expect(metered.usagePeriodStart?.toISOString()).toBe('2025-01-31T10:00:00.000Z');
    expect(metered.usagePeriodEnd?.toISOString()).toBe('2025-02-28T10:00:00.000Z');
    expect(metered.nextResetDate).toEqual(metered.usagePeriodEnd);

    const region = await h.allot.getEnumEntitlement({
      customerId: 'acme',
      featureId: 'region',
      options: { requestedValues: ['eu', 'us'] },
    });
    expect(region).toMatchObject({ type: 'ENUM', hasAccess: false, accessDeniedReason: 'RequestedValuesMismatch' });
    expect(region.enumValues).toEqual(['eu']);

    const generic = await h.allot.getEntitlement({ customerId: 'acme', featureId: 'max-projects' });
    expect(generic.type).toBe('NUMERIC');
  });

  it('denies a metered check with limit 2 and requestedUsage 10 (the reference example)', async () => {
    await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'free',
      subscriptionEntitlements: [{ featureId: 'daily-exports', usageLimit: 2 }],
    });
    const result = await h.allot.getMeteredEntitlement({
      customerId: 'acme',
      featureId: 'daily-exports',
      options: { requestedUsage: 10 },
    });
    expect(result).toMatchObject({
      hasAccess: false,
      accessDeniedReason: 'RequestedUsageExceedingLimit',
      usageLimit: 2,
      currentUsage: 0,
      requestedUsage: 10,
    });
  });

  it('grants at exactly the limit with no requested usage and denies one more', async () => {
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 100 });
    const atLimit = await h.allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' });
    expect(atLimit.hasAccess).toBe(true);
    const oneMore = await h.allot.getMeteredEntitlement({
      customerId: 'acme',
      featureId: 'api-calls',
      options: { requestedUsage: 1 },
    });
    expect(oneMore).toMatchObject({ hasAccess: false, accessDeniedReason: 'RequestedUsageExceedingLimit' });
  });

  it('never throws for an unknown customer or feature', async () => {
    expect(await h.allot.getBooleanEntitlement({ customerId: 'nobody', featureId: 'sso' })).toMatchObject({
      hasAccess: false,
      accessDeniedReason: 'CustomerNotFound',
      isFallback: false,
    });
    expect(await h.allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'nope' })).toMatchObject({
      type: 'METERED',
      hasAccess: false,
      accessDeniedReason: 'FeatureNotFound',
      currentUsage: 0,
    });
  });

  it('denies everything with NoActiveSubscription when the customer has none', async () => {
    await h.allot.provisionCustomer({ customerId: 'bare', subscriptionParams: null });
    const result = await h.allot.getNumericEntitlement({ customerId: 'bare', featureId: 'max-projects' });
    expect(result).toMatchObject({ hasAccess: false, accessDeniedReason: 'NoActiveSubscription' });
    expect(await h.allot.getEntitlementsState('bare')).toEqual({
      entitlements: [],
      accessDeniedReason: 'NoActiveSubscription',
    });
  });

  it('answers a feature type mismatch from the fallback', async () => {
    const mismatch = await h.allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'max-projects' });
    expect(mismatch).toMatchObject({ hasAccess: false, isFallback: true, accessDeniedReason: 'FeatureTypeMismatch' });
    const withFallback = await h.allot.getBooleanEntitlement({
      customerId: 'acme',
      featureId: 'max-projects',
      options: { fallback: { hasAccess: true } },
    });
    expect(withFallback).toMatchObject({ hasAccess: true, isFallback: true });
    expect(withFallback).not.toHaveProperty('accessDeniedReason');
  });

  it('answers from entitlementsFallback once the store cannot be read', async () => {
    await h.allot.close();
    const configured = await h.allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'audit-log' });
    expect(configured).toEqual({ type: 'BOOLEAN', hasAccess: true, isFallback: true });
    const unconfigured = await h.allot.getMeteredEntitlement({
      customerId: 'acme',
      featureId: 'api-calls',
      options: { requestedUsage: 3 },
    });
    expect(unconfigured).toMatchObject({
      hasAccess: false,
      isFallback: true,
      accessDeniedReason: 'Unknown',
      requestedUsage: 3,
    });
    expect(await errorCode(h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 1 }))).toBe(
      'CLOSED',
    );
  });

  it('lists the whole entitlement set, inherited entitlements included', async () => {
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro', skipTrial: true });
    const state = await h.allot.getEntitlementsState('acme');
    expect(state.accessDeniedReason).toBeNull();
    const byId = new Map(state.entitlements.map((e) => [e.feature?.id, e]));
    expect([...byId.keys()].sort()).toEqual(
      ['api-calls', 'daily-exports', 'max-projects', 'region', 'seats', 'sso'].sort(),
    );
    expect(byId.get('max-projects')).toMatchObject({ type: 'NUMERIC', value: 3 });
    expect(await h.allot.getEntitlements('acme')).toEqual(state.entitlements);
  });

  it('serves the sync variant from memory and falls back for a cold customer', async () => {
    const cold = h.allot.getEntitlementSync({ customerId: 'cold', featureId: 'sso' }, 'BOOLEAN');
    expect(cold).toMatchObject({ isFallback: true, hasAccess: false });
    await h.allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'sso' });
    const warm = h.allot.getEntitlementSync(
      { customerId: 'acme', featureId: 'api-calls', options: { requestedUsage: 101 } },
      'METERED',
    );
    expect(warm).toMatchObject({ isFallback: false, hasAccess: false, usageLimit: 100 });
  });

  it('the sync variant throws INVALID_INPUT for a type that is not an entitlement type, as for bad params', async () => {
    await h.allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'sso' });
    for (const customerId of ['acme', 'cold'])
      for (const type of ['BOGUS', 'boolean', null, 1])
        expectAllotError(
          () => h.allot.getEntitlementSync({ customerId, featureId: 'sso' }, type as unknown as 'BOOLEAN'),
          'INVALID_INPUT',
        );
  });

  it('reloadEntitlements reports whether the customer, or the resource, exists', async () => {
    expect(await h.allot.reloadEntitlements('acme')).toEqual({ entitledEntityExists: true });
    expect(await h.allot.reloadEntitlements('ghost')).toEqual({ entitledEntityExists: false });
    expect(await h.allot.reloadEntitlements('acme', 'made-up')).toEqual({ entitledEntityExists: false });
  });

  it('scopes checks to a resource: its own subscriptions plus customer-wide ones', async () => {
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'bucket', resourceId: 'bucket-1' });
    const scoped = await h.allot.getNumericEntitlement({
      customerId: 'acme',
      featureId: 'max-projects',
      resourceId: 'bucket-1',
    });
    expect(scoped.value).toBe(50);
    const global = await h.allot.getNumericEntitlement({ customerId: 'acme', featureId: 'max-projects' });
    expect(global.value).toBe(3);
    const unknown = await h.allot.getBooleanEntitlement({
      customerId: 'acme',
      featureId: 'audit-log',
      resourceId: 'x',
    });
    expect(unknown.accessDeniedReason).toBe('CustomerResourceNotFound');
  });

  it('gives an archived customer CustomerIsArchived', async () => {
    await h.allot.archiveCustomer('acme');
    const result = await h.allot.getNumericEntitlement({ customerId: 'acme', featureId: 'max-projects' });
    expect(result).toMatchObject({ hasAccess: false, accessDeniedReason: 'CustomerIsArchived' });
  });
});
