import { describe, expect, it } from 'vitest';
import type { FeatureDefinition } from '../../src/catalog/catalog-schema.js';
import {
  type CustomerEntitlements,
  type EffectiveEntitlement,
  resolveEntitlements,
} from '../../src/core/effective-entitlements.js';
import type { Entitlement, EntitlementType } from '../../src/core/entitlement-results.js';
import {
  type CheckOptions,
  deniedEntitlement,
  entitlementFeature,
  entitlementType,
  evaluateEntitlement,
  type UsageSource,
} from '../../src/core/evaluate-entitlement.js';
import { resetConfiguration, type UsageWindowSource, usageWindow } from '../../src/core/usage-windows.js';
import type { EntitlementsStateAccessDeniedReason } from '../../src/model/enums.js';
import { at, customerState, must, promotion, standardCatalog, subscription } from './factories.js';
import { fc } from './fc-setup.js';

const catalog = standardCatalog();
const NOW = at('2024-02-10T12:00:00Z');
const ANCHOR = at('2024-01-05T00:00:00Z');

const feature = (id: string): FeatureDefinition => must(catalog.features.get(id), `feature ${id}`);

/** A usage source reporting fixed usage per feature, with the period taken from the set's windows. */
function usageOf(set: CustomerEntitlements, usage: Record<string, number> = {}): UsageSource {
  return {
    usageView(featureId, now) {
      const w = usageWindow(set.windows.get(featureId) ?? noReset, now);
      return {
        currentUsage: usage[featureId] ?? 0,
        periodAnchor: w.anchor,
        periodStart: w.periodStart,
        periodEnd: w.periodEnd,
      };
    },
  };
}

const noReset: UsageWindowSource = {
  resetPeriod: null,
  accordingTo: null,
  intervalCount: 1,
  keyedByBounds: false,
  anchor: ANCHOR,
  epoch: 'e',
  scope: null,
};

/** An entitlement with the usage window its set will carry for it. */
type Entry = EffectiveEntitlement & { window: UsageWindowSource };

function effective(
  featureId: string,
  overrides: Partial<EffectiveEntitlement> & { window?: UsageWindowSource } = {},
): Entry {
  const window = overrides.window ?? noReset;
  return {
    feature: feature(featureId),
    usageLimit: null,
    hasUnlimitedUsage: false,
    hasSoftLimit: false,
    enumValues: null,
    resetPeriod: window.resetPeriod,
    resetIntervalCount: window.intervalCount,
    resetPeriodConfiguration: resetConfiguration(window),
    creditRate: null,
    ...overrides,
    window,
  };
}

function entitlementSet(
  entries: readonly Entry[],
  parts: { reason?: EntitlementsStateAccessDeniedReason | null; unknownResource?: boolean } = {},
): CustomerEntitlements {
  return {
    customerId: 'cus-1',
    resourceId: null,
    accessDeniedReason: parts.reason ?? null,
    unknownResource: parts.unknownResource ?? false,
    entitlements: new Map(entries.map((e) => [e.feature.id, e])),
    windows: new Map(entries.map((e) => [e.feature.id, e.window])),
    validUntil: Number.POSITIVE_INFINITY,
  };
}

function check(
  set: CustomerEntitlements,
  featureId: string,
  options: CheckOptions = {},
  expected?: EntitlementType,
  usage: Record<string, number> = {},
): Entitlement {
  const def = catalog.features.get(featureId);
  return evaluateEntitlement(
    set,
    featureId,
    def,
    def ? entitlementFeature(def) : undefined,
    expected,
    options,
    usageOf(set, usage),
    NOW,
  );
}

function metered(
  limit: number | null,
  current: number,
  options: CheckOptions = {},
  extra: Partial<EffectiveEntitlement> & { window?: UsageWindowSource } = {},
) {
  const set = entitlementSet([effective('api-calls', { usageLimit: limit, ...extra })]);
  const result = check(set, 'api-calls', options, 'METERED', { 'api-calls': current });
  if (result.type !== 'METERED') throw new Error(`expected METERED, got ${result.type}`);
  return result;
}

describe('entitlementType and entitlementFeature', () => {
  it('maps features to result types', () => {
    expect(entitlementType(feature('sso'))).toBe('BOOLEAN');
    expect(entitlementType(feature('projects'))).toBe('NUMERIC');
    expect(entitlementType(feature('seats'))).toBe('METERED');
    expect(entitlementType(feature('api-calls'))).toBe('METERED');
    expect(entitlementType(feature('region'))).toBe('ENUM');
  });

  it('builds a frozen feature object without undefined keys', () => {
    const seats = entitlementFeature(feature('seats'));
    expect(seats).toEqual({
      id: 'seats',
      featureType: 'NUMBER',
      meterType: 'Fluctuating',
      isMetered: true,
      units: 'seat',
      unitsPlural: 'seats',
    });
    expect(Object.isFrozen(seats)).toBe(true);
    const sso = entitlementFeature(feature('sso'));
    expect(sso.isMetered).toBe(false);
    expect('units' in sso).toBe(false);
    expect('displayName' in sso).toBe(false);
  });
});

describe('decision order', () => {
  const full = entitlementSet([effective('sso'), effective('api-calls', { usageLimit: 5 })]);

  it('customer-level CustomerNotFound / CustomerIsArchived come first, even for unknown features', () => {
    for (const reason of ['CustomerNotFound', 'CustomerIsArchived'] as const) {
      const set = entitlementSet([effective('sso')], { reason });
      expect(check(set, 'sso')).toMatchObject({ hasAccess: false, accessDeniedReason: reason, isFallback: false });
      expect(check(set, 'no-such-feature')).toMatchObject({ hasAccess: false, accessDeniedReason: reason });
      expect(check(set, 'api-calls', {}, 'BOOLEAN')).toMatchObject({ type: 'BOOLEAN', accessDeniedReason: reason });
    }
  });

  it('FeatureNotFound for a feature the catalog does not have', () => {
    const result = check(full, 'no-such-feature');
    expect(result).toMatchObject({ hasAccess: false, accessDeniedReason: 'FeatureNotFound', isFallback: false });
    expect(result.feature).toBeUndefined();
  });

  it('NoFeatureEntitlementInSubscription when the customer has no entitlement to the feature', () => {
    const result = check(full, 'region');
    expect(result).toMatchObject({
      type: 'ENUM',
      hasAccess: false,
      isFallback: false,
      accessDeniedReason: 'NoFeatureEntitlementInSubscription',
      enumValues: [],
    });
    expect(result.feature?.id).toBe('region');
  });

  it('NoActiveSubscription propagates when that is why there is no entitlement', () => {
    const set = entitlementSet([], { reason: 'NoActiveSubscription' });
    expect(check(set, 'sso')).toMatchObject({ hasAccess: false, accessDeniedReason: 'NoActiveSubscription' });
  });

  it('CustomerResourceNotFound for an unknown resource without the entitlement', () => {
    const set = entitlementSet([effective('sso')], { unknownResource: true });
    expect(check(set, 'api-calls')).toMatchObject({ hasAccess: false, accessDeniedReason: 'CustomerResourceNotFound' });
    // A customer-wide entitlement still answers for the unknown resource.
    expect(check(set, 'sso')).toMatchObject({ hasAccess: true });
  });

  it('FeatureTypeMismatch comes after the entitlement check and is flagged as a fallback', () => {
    const mismatch = check(full, 'sso', { requestedUsage: 3 }, 'METERED');
    expect(mismatch).toEqual({
      type: 'METERED',
      hasAccess: false,
      isFallback: true,
      accessDeniedReason: 'FeatureTypeMismatch',
      feature: entitlementFeature(feature('sso')),
      isUnlimited: false,
      hasSoftLimit: false,
      currentUsage: 0,
      requestedUsage: 3,
    });
    expect(check(full, 'api-calls', {}, 'BOOLEAN')).toMatchObject({
      type: 'BOOLEAN',
      accessDeniedReason: 'FeatureTypeMismatch',
      isFallback: true,
    });
    // No entitlement: the mismatch is never reached.
    expect(check(full, 'projects', {}, 'BOOLEAN')).toMatchObject({
      accessDeniedReason: 'NoFeatureEntitlementInSubscription',
      isFallback: false,
    });
  });

  it('the generic getter (no expected type) answers with the feature type', () => {
    expect(check(full, 'api-calls')).toMatchObject({ type: 'METERED', hasAccess: true });
    expect(check(full, 'sso')).toMatchObject({ type: 'BOOLEAN', hasAccess: true });
  });

  it('with a real resolved set: a live subscription without the feature gives NoFeatureEntitlementInSubscription', () => {
    const set = resolveEntitlements(
      catalog,
      customerState({ subscriptions: [subscription({ planId: 'free' })] }),
      null,
      NOW,
    );
    expect(check(set, 'sso')).toMatchObject({ accessDeniedReason: 'NoFeatureEntitlementInSubscription' });
    expect(check(resolveEntitlements(catalog, undefined, null, NOW), 'sso')).toMatchObject({
      accessDeniedReason: 'CustomerNotFound',
    });
    const promoOnly = resolveEntitlements(catalog, customerState({ promotions: [promotion('sso', {})] }), null, NOW);
    expect(check(promoOnly, 'sso')).toMatchObject({ hasAccess: true });
    expect(check(promoOnly, 'projects')).toMatchObject({ accessDeniedReason: 'NoActiveSubscription' });
  });
});

describe('by type', () => {
  it('boolean grants, with no accessDeniedReason key', () => {
    const result = check(entitlementSet([effective('sso')]), 'sso');
    expect(result).toEqual({
      type: 'BOOLEAN',
      hasAccess: true,
      isFallback: false,
      feature: entitlementFeature(feature('sso')),
    });
    expect('accessDeniedReason' in result).toBe(false);
  });

  it('numeric returns its value, or isUnlimited without a value', () => {
    const limited = check(entitlementSet([effective('projects', { usageLimit: 7 })]), 'projects');
    expect(limited).toMatchObject({ type: 'NUMERIC', hasAccess: true, value: 7, isUnlimited: false });
    expect('accessDeniedReason' in limited).toBe(false);
    const unlimited = check(entitlementSet([effective('projects', { hasUnlimitedUsage: true })]), 'projects');
    expect(unlimited).toMatchObject({ type: 'NUMERIC', hasAccess: true, isUnlimited: true });
    expect('value' in unlimited).toBe(false);
    const zero = check(entitlementSet([effective('projects', { usageLimit: 0 })]), 'projects');
    expect(zero).toMatchObject({ hasAccess: true, value: 0 });
  });

  it('metered: requestedUsage defaults to 0 and the comparison is <=', () => {
    const atLimit = metered(10, 10);
    expect(atLimit).toMatchObject({ hasAccess: true, currentUsage: 10, requestedUsage: 0, usageLimit: 10 });
    expect('accessDeniedReason' in atLimit).toBe(false);
    expect(metered(10, 10, { requestedUsage: 1 })).toMatchObject({
      hasAccess: false,
      accessDeniedReason: 'RequestedUsageExceedingLimit',
      requestedUsage: 1,
    });
    expect(metered(10, 9, { requestedUsage: 1 }).hasAccess).toBe(true);
    expect(metered(10, 11).hasAccess).toBe(false);
  });

  it('metered: the reference example (limit 2, requested 10, usage 0) is denied', () => {
    const result = metered(2, 0, { requestedUsage: 10 });
    expect(result).toMatchObject({
      hasAccess: false,
      accessDeniedReason: 'RequestedUsageExceedingLimit',
      requestedUsage: 10,
      currentUsage: 0,
      usageLimit: 2,
      isUnlimited: false,
      isFallback: false,
    });
  });

  it('metered: a soft limit grants far over the limit; unlimited grants anything', () => {
    expect(metered(10, 50, {}, { hasSoftLimit: true })).toMatchObject({ hasAccess: true, hasSoftLimit: true });
    expect(metered(10, 50, { requestedUsage: 100 }, { hasSoftLimit: true }).hasAccess).toBe(true);
    const unlimited = metered(null, 1e9, { requestedUsage: 1e9 }, { hasUnlimitedUsage: true });
    expect(unlimited).toMatchObject({ hasAccess: true, isUnlimited: true });
    expect('usageLimit' in unlimited).toBe(false);
  });

  it('metered: a null hard limit counts as 0', () => {
    expect(metered(null, 0).hasAccess).toBe(true);
    expect(metered(null, 0, { requestedUsage: 1 }).hasAccess).toBe(false);
  });

  it('metered: carries the reset period, its configuration and the usage period as Dates', () => {
    const window: UsageWindowSource = {
      resetPeriod: 'MONTH',
      accordingTo: null,
      intervalCount: 1,
      keyedByBounds: false,
      anchor: ANCHOR,
      epoch: 'e',
      scope: null,
    };
    const result = metered(100, 3, {}, { window });
    expect(result.resetPeriod).toBe('MONTH');
    expect(result.resetPeriodConfiguration).toEqual({ monthlyAccordingTo: 'SubscriptionStart' });
    expect(result.usagePeriodAnchor).toEqual(new Date(ANCHOR));
    expect(result.usagePeriodStart).toEqual(new Date(at('2024-02-05T00:00:00Z')));
    expect(result.usagePeriodEnd).toEqual(new Date(at('2024-03-05T00:00:00Z')));
    expect(result.nextResetDate).toEqual(result.usagePeriodEnd);

    const weekly = metered(
      100,
      3,
      {},
      {
        window: {
          resetPeriod: 'WEEK',
          accordingTo: 'EveryMonday',
          intervalCount: 1,
          keyedByBounds: false,
          anchor: at('2024-01-01T00:00:00Z'),
          epoch: 'e',
          scope: null,
        },
      },
    );
    expect(weekly.resetPeriodConfiguration).toEqual({ weeklyAccordingTo: 'EveryMonday' });
    expect(weekly.usagePeriodStart).toEqual(new Date(at('2024-02-05T00:00:00Z')));
    const yearly = metered(100, 3, {}, { window: { ...window, resetPeriod: 'YEAR' } });
    expect(yearly.resetPeriodConfiguration).toEqual({ yearlyAccordingTo: 'SubscriptionStart' });
    const daily = metered(100, 3, {}, { window: { ...window, resetPeriod: 'DAY' } });
    expect(daily.resetPeriod).toBe('DAY');
    expect('resetPeriodConfiguration' in daily).toBe(false);
  });

  it('metered without a reset period has no period fields', () => {
    const result = metered(100, 3);
    for (const key of [
      'resetPeriod',
      'resetPeriodConfiguration',
      'usagePeriodStart',
      'usagePeriodEnd',
      'nextResetDate',
    ])
      expect(key in result).toBe(false);
  });

  it('enum: granted when every requested value is allowed, RequestedValuesMismatch otherwise', () => {
    const set = entitlementSet([effective('region', { enumValues: ['us', 'eu'] })]);
    const allIn = check(set, 'region', { requestedValues: ['eu', 'us'] });
    expect(allIn).toMatchObject({
      type: 'ENUM',
      hasAccess: true,
      enumValues: ['us', 'eu'],
      requestedValues: ['eu', 'us'],
    });
    expect('accessDeniedReason' in allIn).toBe(false);
    expect(check(set, 'region', { requestedValues: ['us', 'ap'] })).toMatchObject({
      hasAccess: false,
      accessDeniedReason: 'RequestedValuesMismatch',
      requestedValues: ['us', 'ap'],
    });
    const empty = check(set, 'region', { requestedValues: [] });
    expect(empty).toMatchObject({ hasAccess: true, requestedValues: [] });
    const none = check(set, 'region');
    expect(none.hasAccess).toBe(true);
    expect('requestedValues' in none).toBe(false);
  });

  it('enum results copy arrays rather than sharing the caller or entitlement arrays', () => {
    const values = ['us'];
    const requested = ['us'];
    const result = check(entitlementSet([effective('region', { enumValues: values })]), 'region', {
      requestedValues: requested,
    });
    if (result.type !== 'ENUM') throw new Error('expected ENUM');
    expect(result.enumValues).not.toBe(values);
    expect(result.requestedValues).not.toBe(requested);
  });
});

describe('deniedEntitlement', () => {
  it('returns the neutral shape of each type', () => {
    expect(deniedEntitlement('NUMERIC', 'Unknown', {})).toEqual({
      type: 'NUMERIC',
      hasAccess: false,
      isFallback: false,
      accessDeniedReason: 'Unknown',
      isUnlimited: false,
    });
    expect(deniedEntitlement('ENUM', 'Unknown', { requestedValues: ['x'] })).toEqual({
      type: 'ENUM',
      hasAccess: false,
      isFallback: false,
      accessDeniedReason: 'Unknown',
      enumValues: [],
      requestedValues: ['x'],
    });
    expect(deniedEntitlement('METERED', 'Unknown', {})).toMatchObject({ currentUsage: 0, requestedUsage: 0 });
  });
});

describe('properties', () => {
  it('metered hasAccess === (unlimited || soft || usage + requested <= limit)', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 1000 }), { nil: null }),
        fc.integer({ min: 0, max: 1200 }),
        fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
        fc.boolean(),
        fc.boolean(),
        (limit, usage, requested, unlimited, soft) => {
          const result = metered(
            unlimited ? null : limit,
            usage,
            requested === undefined ? {} : { requestedUsage: requested },
            {
              hasUnlimitedUsage: unlimited,
              hasSoftLimit: soft,
            },
          );
          const expected = unlimited || soft || usage + (requested ?? 0) <= (limit ?? 0);
          expect(result.hasAccess).toBe(expected);
          expect(result.requestedUsage).toBe(requested ?? 0);
          expect(result.currentUsage).toBe(usage);
          if (expected) expect('accessDeniedReason' in result).toBe(false);
          else expect(result.accessDeniedReason).toBe('RequestedUsageExceedingLimit');
        },
      ),
    );
  });

  it('a granted result of any type never carries accessDeniedReason; a denied one always does', () => {
    const featureIds = ['sso', 'projects', 'seats', 'api-calls', 'region', 'no-such-feature'];
    fc.assert(
      fc.property(
        fc.constantFrom(...featureIds),
        fc.subarray(['us', 'eu', 'ap']),
        fc.option(fc.subarray(['us', 'eu', 'ap', 'zz']), { nil: undefined }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 20 }),
        fc.option(fc.constantFrom<EntitlementType>('BOOLEAN', 'NUMERIC', 'METERED', 'ENUM'), { nil: undefined }),
        fc.option(fc.constantFrom<EntitlementsStateAccessDeniedReason>('CustomerNotFound', 'NoActiveSubscription'), {
          nil: null,
        }),
        (featureId, enumValues, requestedValues, limit, usage, expected, reason) => {
          const entries = ['sso', 'projects', 'seats', 'api-calls', 'region'].map((id) =>
            effective(id, { usageLimit: limit, enumValues: id === 'region' ? enumValues : null }),
          );
          const set = entitlementSet(reason === 'CustomerNotFound' ? [] : entries, { reason });
          const options: CheckOptions = { requestedUsage: 1, ...(requestedValues ? { requestedValues } : {}) };
          const result = check(set, featureId, options, expected, { seats: usage, 'api-calls': usage });
          expect(result.type).toBe(expected ?? (featureId === 'no-such-feature' ? 'BOOLEAN' : result.type));
          if (result.hasAccess) expect('accessDeniedReason' in result).toBe(false);
          else expect(typeof result.accessDeniedReason).toBe('string');
          expect(result.isFallback).toBe(result.accessDeniedReason === 'FeatureTypeMismatch');
        },
      ),
    );
  });

  it('enum hasAccess === every requested value is among the entitlement values', () => {
    fc.assert(
      fc.property(
        fc.subarray(['us', 'eu', 'ap']),
        fc.array(fc.constantFrom('us', 'eu', 'ap', 'zz')),
        (values, requested) => {
          const result = check(entitlementSet([effective('region', { enumValues: values })]), 'region', {
            requestedValues: requested,
          });
          expect(result.hasAccess).toBe(requested.every((v) => values.includes(v)));
        },
      ),
    );
  });
});
