import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';

describe.each(stores)('promotional entitlements ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture);
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
  });
  afterEach(() => h.close());

  const check = (featureId: string) => h.allot.getEntitlement({ customerId: 'acme', featureId });

  it('grants for a period and expires lazily at its end', async () => {
    const [granted] = await h.allot.grantPromotionalEntitlements({
      customerId: 'acme',
      promotionalEntitlements: [{ featureId: 'sso', period: 'ONE_MONTH' }],
    });
    expect(granted).toMatchObject({ featureId: 'sso', status: 'Active', period: 'ONE_MONTH' });
    expect(granted?.endDate?.toISOString()).toBe('2025-02-28T10:00:00.000Z');
    expect((await check('sso')).hasAccess).toBe(true);
    h.clock.set('2025-02-28T10:00:00.000Z');
    expect(await check('sso')).toMatchObject({
      hasAccess: false,
      accessDeniedReason: 'NoFeatureEntitlementInSubscription',
    });
    expect((await h.allot.getCustomer('acme')).promotionalEntitlements[0]?.status).toBe('Expired');
  });

  it('wins where more generous, with its own reset period when it is the only source', async () => {
    await h.allot.grantPromotionalEntitlements({
      customerId: 'acme',
      promotionalEntitlements: [
        { featureId: 'api-calls', period: 'LIFETIME', usageLimit: 5000 },
        {
          featureId: 'daily-exports',
          period: 'SIX_MONTH',
          usageLimit: 3,
          resetPeriod: 'WEEK',
          weeklyResetPeriodConfiguration: { accordingTo: 'EveryMonday' },
        },
      ],
    });
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 10 });
    const calls = await h.allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' });
    // The plan's monthly window keeps counting: a promotion does not restart usage.
    expect(calls).toMatchObject({ usageLimit: 5000, currentUsage: 10, resetPeriod: 'MONTH' });
    const exports = await h.allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'daily-exports' });
    expect(exports).toMatchObject({
      usageLimit: 3,
      resetPeriod: 'WEEK',
      resetPeriodConfiguration: { weeklyAccordingTo: 'EveryMonday' },
    });
    expect(exports.usagePeriodStart?.toISOString()).toBe('2025-01-27T00:00:00.000Z');
    expect(exports.usagePeriodStart?.getUTCDay()).toBe(1);
  });

  it('a new grant replaces the earlier one for the feature; revoke removes it', async () => {
    await h.allot.grantPromotionalEntitlements({
      customerId: 'acme',
      promotionalEntitlements: [{ featureId: 'max-projects', period: 'ONE_YEAR', usageLimit: 10 }],
    });
    await h.allot.grantPromotionalEntitlements({
      customerId: 'acme',
      promotionalEntitlements: [
        { featureId: 'max-projects', period: 'CUSTOM', customEndDate: '2025-03-01T00:00:00Z', usageLimit: 20 },
      ],
    });
    expect((await h.allot.getCustomer('acme')).promotionalEntitlements).toHaveLength(1);
    expect(await check('max-projects')).toMatchObject({ type: 'NUMERIC', value: 20 });
    await h.allot.revokePromotionalEntitlements({ customerId: 'acme', featureId: 'max-projects' });
    expect(await check('max-projects')).toMatchObject({ value: 3 });
    expect(
      await errorCode(h.allot.revokePromotionalEntitlements({ customerId: 'acme', featureId: 'max-projects' })),
    ).toBe('PROMOTIONAL_ENTITLEMENT_NOT_FOUND');
  });

  it('rejects unknown features and a CUSTOM period without an end, writing nothing', async () => {
    expect(
      await errorCode(
        h.allot.grantPromotionalEntitlements({
          customerId: 'acme',
          promotionalEntitlements: [
            { featureId: 'sso', period: 'ONE_WEEK' },
            { featureId: 'nope', period: 'ONE_WEEK' },
          ],
        }),
      ),
    ).toBe('FEATURE_NOT_FOUND');
    expect((await check('sso')).hasAccess).toBe(false);
    expect(
      await errorCode(
        h.allot.grantPromotionalEntitlements({
          customerId: 'acme',
          promotionalEntitlements: [{ featureId: 'sso', period: 'CUSTOM' }],
        }),
      ),
    ).toBe('INVALID_INPUT');
  });

  it('checks promotion values against the feature, as the catalog does', async () => {
    const grant = (e: object) =>
      errorCode(
        h.allot.grantPromotionalEntitlements({
          customerId: 'acme',
          promotionalEntitlements: [{ period: 'ONE_WEEK', ...e } as never],
        }),
      );
    expect(await grant({ featureId: 'region', enumValues: ['eu,us'] })).toBe('INVALID_INPUT');
    expect(await grant({ featureId: 'seats', usageLimit: 5, resetPeriod: 'MONTH' })).toBe('INVALID_INPUT');
    expect(await grant({ featureId: 'sso', usageLimit: 5 })).toBe('INVALID_INPUT');
  });
});

describe.each(stores)('promotional entitlement groups ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture);
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
  });
  afterEach(() => h.close());

  const access = async (...featureIds: string[]) =>
    Promise.all(
      featureIds.map(async (featureId) => (await h.allot.getEntitlement({ customerId: 'acme', featureId })).hasAccess),
    );
  const groups = async () =>
    Object.fromEntries(
      (await h.allot.getCustomer('acme')).promotionalEntitlements.map((p) => [p.featureId, p.featureGroupId]),
    );
  const grantLaunchPack = () =>
    h.allot.grantPromotionalEntitlementsGroup({
      customerId: 'acme',
      featureGroupId: 'launch-pack',
      promotionalEntitlements: [
        { featureId: 'sso', period: 'ONE_MONTH' },
        { featureId: 'audit-log', period: 'LIFETIME' },
      ],
    });

  it('grants a named set together and revokes it together, leaving promotions outside the group', async () => {
    const granted = await grantLaunchPack();
    expect(granted.map((p) => [p.featureId, p.featureGroupId, p.status])).toEqual([
      ['sso', 'launch-pack', 'Active'],
      ['audit-log', 'launch-pack', 'Active'],
    ]);
    await h.allot.grantPromotionalEntitlements({
      customerId: 'acme',
      promotionalEntitlements: [{ featureId: 'max-projects', period: 'ONE_WEEK', usageLimit: 9 }],
    });
    expect(await access('sso', 'audit-log')).toEqual([true, true]);

    const revoked = await h.allot.revokePromotionalEntitlementsGroup({
      customerId: 'acme',
      featureGroupId: 'launch-pack',
    });
    expect(revoked.map((p) => p.featureId).sort()).toEqual(['audit-log', 'sso']);
    expect(await access('sso', 'audit-log')).toEqual([false, false]);
    expect(await groups()).toEqual({ 'max-projects': null });
    expect(
      await errorCode(
        h.allot.revokePromotionalEntitlementsGroup({ customerId: 'acme', featureGroupId: 'launch-pack' }),
      ),
    ).toBe('PROMOTIONAL_ENTITLEMENT_NOT_FOUND');
  });

  it('granting the group again replaces its earlier grant whole', async () => {
    await grantLaunchPack();
    await h.allot.grantPromotionalEntitlementsGroup({
      customerId: 'acme',
      featureGroupId: 'launch-pack',
      promotionalEntitlements: [{ featureId: 'max-projects', period: 'ONE_WEEK', usageLimit: 9 }],
    });
    expect(await groups()).toEqual({ 'max-projects': 'launch-pack' });
    expect(await access('sso', 'audit-log')).toEqual([false, false]);
  });

  it('unlinking keeps the promotions granted, each now on its own', async () => {
    await grantLaunchPack();
    const unlinked = await h.allot.unlinkPromotionalEntitlementsGroup({
      customerId: 'acme',
      featureGroupId: 'launch-pack',
    });
    expect(unlinked.map((p) => [p.featureId, p.featureGroupId]).sort()).toEqual([
      ['audit-log', null],
      ['sso', null],
    ]);
    expect(await groups()).toEqual({ sso: null, 'audit-log': null });
    expect(await access('sso', 'audit-log')).toEqual([true, true]);
    // The group is gone, so revoking it finds nothing; the promotions are revoked one by one now.
    expect(
      await errorCode(
        h.allot.revokePromotionalEntitlementsGroup({ customerId: 'acme', featureGroupId: 'launch-pack' }),
      ),
    ).toBe('PROMOTIONAL_ENTITLEMENT_NOT_FOUND');
    await h.allot.revokePromotionalEntitlements({ customerId: 'acme', featureId: 'sso' });
    expect(await access('sso', 'audit-log')).toEqual([false, true]);
  });

  it.skipIf(!fixture.shared)('keeps the group across a restart of the engine on the same data', async () => {
    await grantLaunchPack();
    const again = await h.reopen();
    expect((await again.getCustomer('acme')).promotionalEntitlements.map((p) => p.featureGroupId)).toEqual([
      'launch-pack',
      'launch-pack',
    ]);
    expect(
      (await again.revokePromotionalEntitlementsGroup({ customerId: 'acme', featureGroupId: 'launch-pack' })).length,
    ).toBe(2);
  });
});
