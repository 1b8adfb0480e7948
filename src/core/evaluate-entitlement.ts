import type { FeatureDefinition } from '../catalog/catalog-schema.js';
import type { AccessDeniedReason } from '../model/enums.js';
import { Decimal } from '../money/money.js';
import type { CustomerEntitlements, EffectiveEntitlement } from './effective-entitlements.js';
import type {
  Entitlement,
  EntitlementFeature,
  EntitlementType,
  EnumEntitlement,
  MeteredEntitlement,
} from './entitlement-results.js';
import { type PeriodDates, periodDates } from './period-dates.js';

/** Which result type a feature produces. */
export function entitlementType(feature: FeatureDefinition): EntitlementType {
  if (feature.featureType === 'BOOLEAN') return 'BOOLEAN';
  if (feature.featureType === 'ENUM') return 'ENUM';
  return feature.meterType === 'None' ? 'NUMERIC' : 'METERED';
}

/** The result's `feature` object, built once per catalog and shared by every result. */
export function entitlementFeature(feature: FeatureDefinition): EntitlementFeature {
  return Object.freeze({
    id: feature.id,
    featureType: feature.featureType,
    meterType: feature.meterType,
    isMetered: feature.meterType !== 'None',
    ...(feature.units === undefined ? {} : { units: feature.units }),
    ...(feature.unitsPlural === undefined ? {} : { unitsPlural: feature.unitsPlural }),
    ...(feature.displayName === undefined ? {} : { displayName: feature.displayName }),
  });
}

/** Usage of a metered entitlement at the instant of the check (period bounds in epoch ms). */
export interface UsageView {
  readonly currentUsage: number;
  readonly periodAnchor: number | null;
  readonly periodStart: number | null;
  readonly periodEnd: number | null;
  /** The period's bounds as result dates, made once per window by a source that caches them. */
  periodDates?(): PeriodDates | undefined;
}

/** Supplies current usage to the evaluator; the client's cache implements it without allocating. */
export interface UsageSource {
  usageView(featureId: string, now: number): UsageView;
  /**
   * The balance at `now` of the credit pool a credit-backed feature draws from. A source without
   * it (a simulation) leaves credits unchecked.
   */
  creditBalance?(featureId: string, currencyId: string, now: number): Decimal;
}

export interface CheckOptions {
  readonly requestedUsage?: number;
  readonly requestedValues?: readonly string[];
}

/** No options: a check of what is, asking for nothing more. */
export const NO_CHECK_OPTIONS: CheckOptions = Object.freeze({});

/** A denied result of `type` with the type's neutral values: what every denial before evaluation returns. */
export function deniedEntitlement(
  type: EntitlementType,
  reason: AccessDeniedReason,
  options: CheckOptions,
  feature?: EntitlementFeature,
): Entitlement {
  const base = { hasAccess: false, isFallback: false, accessDeniedReason: reason, ...(feature ? { feature } : {}) };
  switch (type) {
    case 'BOOLEAN':
      return { type, ...base };
    case 'NUMERIC':
      return { type, ...base, isUnlimited: false };
    case 'METERED':
      return {
        type,
        ...base,
        isUnlimited: false,
        hasSoftLimit: false,
        currentUsage: 0,
        requestedUsage: options.requestedUsage ?? 0,
      };
    case 'ENUM':
      return {
        type,
        ...base,
        enumValues: [],
        ...(options.requestedValues ? { requestedValues: [...options.requestedValues] } : {}),
      };
  }
}

function metered(
  ent: EffectiveEntitlement,
  feature: EntitlementFeature,
  source: UsageSource,
  requestedUsage: number,
  now: number,
): MeteredEntitlement {
  const usage = source.usageView(feature.id, now);
  const withinLimit =
    ent.hasUnlimitedUsage || ent.hasSoftLimit || usage.currentUsage + requestedUsage <= (ent.usageLimit ?? 0);
  const rate = ent.creditRate;
  const covered = !withinLimit || rate === null || creditsCover(source, feature.id, rate, requestedUsage, now);
  const granted = withinLimit && covered;
  const result: MeteredEntitlement = {
    type: 'METERED',
    hasAccess: granted,
    isFallback: false,
    feature,
    isUnlimited: ent.hasUnlimitedUsage,
    hasSoftLimit: ent.hasSoftLimit,
    currentUsage: usage.currentUsage,
    requestedUsage,
  };
  if (!withinLimit) result.accessDeniedReason = 'RequestedUsageExceedingLimit';
  else if (!covered) result.accessDeniedReason = 'InsufficientCredits';
  if (ent.usageLimit !== null) result.usageLimit = ent.usageLimit;
  if (rate !== null) result.creditRate = { currencyId: rate.currencyId, amount: perUnit(rate).amount };
  if (ent.resetPeriod) result.resetPeriod = ent.resetPeriod;
  if (ent.resetPeriodConfiguration) result.resetPeriodConfiguration = ent.resetPeriodConfiguration;
  if (ent.resetPeriod && ent.resetIntervalCount !== 1) result.resetIntervalCount = ent.resetIntervalCount;
  if (usage.periodStart !== null && usage.periodEnd !== null && usage.periodAnchor !== null) {
    const dates = usage.periodDates?.() ?? periodDates(usage.periodAnchor, usage.periodStart, usage.periodEnd);
    result.usagePeriodAnchor = dates.anchor;
    result.usagePeriodStart = dates.start;
    result.usagePeriodEnd = dates.end;
    result.nextResetDate = dates.end;
  }
  return result;
}

/**
 * Whether the pool can pay for `requestedUsage`: a positive balance that covers its cost. With
 * nothing requested any positive balance will do, as in the reference, and no Decimal is made.
 */
function creditsCover(
  source: UsageSource,
  featureId: string,
  rate: CreditRate,
  requestedUsage: number,
  now: number,
): boolean {
  const balance = source.creditBalance?.(featureId, rate.currencyId, now);
  if (balance === undefined) return true;
  if (!balance.isPositive() || balance.isZero()) return false;
  return requestedUsage <= 0 || balance.gte(new Decimal(requestedUsage).times(perUnit(rate).decimal));
}

type CreditRate = NonNullable<EffectiveEntitlement['creditRate']>;

/** A rate's credits per unit, parsed once per resolved entitlement rather than on every check. */
function perUnit(rate: CreditRate): { readonly decimal: Decimal; readonly amount: number } {
  let parsed = parsedRates.get(rate);
  if (parsed === undefined) {
    const decimal = new Decimal(rate.creditsPerUnit);
    parsed = { decimal, amount: decimal.toNumber() };
    parsedRates.set(rate, parsed);
  }
  return parsed;
}

const parsedRates = new WeakMap<CreditRate, { readonly decimal: Decimal; readonly amount: number }>();

function enumResult(
  ent: EffectiveEntitlement,
  feature: EntitlementFeature,
  requested?: readonly string[],
): EnumEntitlement {
  const values = ent.enumValues ?? [];
  const granted = !requested || requested.every((v) => values.includes(v));
  const result: EnumEntitlement = {
    type: 'ENUM',
    hasAccess: granted,
    isFallback: false,
    feature,
    enumValues: [...values],
  };
  if (requested) result.requestedValues = [...requested];
  if (!granted) result.accessDeniedReason = 'RequestedValuesMismatch';
  return result;
}

/**
 * The decision function. Order: customer unknown or archived → no entitlement (with no active
 * subscription as the reason when that is why) → feature type mismatch → by type. `expected` is
 * the type the caller asked for (`undefined` for the generic getter); a mismatch is flagged with
 * `FeatureTypeMismatch` so the caller can answer from its fallback.
 */
export function evaluateEntitlement(
  set: Pick<CustomerEntitlements, 'accessDeniedReason' | 'unknownResource' | 'entitlements'>,
  featureId: string,
  feature: FeatureDefinition | undefined,
  featureInfo: EntitlementFeature | undefined,
  expected: EntitlementType | undefined,
  options: CheckOptions,
  usage: UsageSource,
  now: number,
): Entitlement {
  const actual = feature ? entitlementType(feature) : undefined;
  const type = expected ?? actual ?? 'BOOLEAN';
  if (set.accessDeniedReason === 'CustomerNotFound' || set.accessDeniedReason === 'CustomerIsArchived')
    return deniedEntitlement(type, set.accessDeniedReason, options, featureInfo);
  if (!feature || !featureInfo) return deniedEntitlement(type, 'FeatureNotFound', options);
  const ent = set.entitlements.get(featureId);
  if (!ent) {
    const reason: AccessDeniedReason = set.unknownResource
      ? 'CustomerResourceNotFound'
      : (set.accessDeniedReason ?? 'NoFeatureEntitlementInSubscription');
    return deniedEntitlement(type, reason, options, featureInfo);
  }
  if (actual !== type)
    return { ...deniedEntitlement(type, 'FeatureTypeMismatch', options, featureInfo), isFallback: true };
  switch (type) {
    case 'BOOLEAN':
      return { type, hasAccess: true, isFallback: false, feature: featureInfo };
    case 'NUMERIC': {
      const result: Entitlement = {
        type,
        hasAccess: true,
        isFallback: false,
        feature: featureInfo,
        isUnlimited: ent.hasUnlimitedUsage,
      };
      if (ent.usageLimit !== null) result.value = ent.usageLimit;
      return result;
    }
    case 'METERED':
      return metered(ent, featureInfo, usage, options.requestedUsage ?? 0, now);
    case 'ENUM':
      return enumResult(ent, featureInfo, options.requestedValues);
  }
}
