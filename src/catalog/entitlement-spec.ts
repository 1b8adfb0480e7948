import type { EntitlementSpec } from '../model/records.js';

/** An entitlement value in any of its input forms: plan, add-on, promotion or custom. */
export interface EntitlementInput {
  readonly featureId: string;
  readonly usageLimit?: number | null | undefined;
  readonly hasUnlimitedUsage?: boolean | undefined;
  readonly hasSoftLimit?: boolean | undefined;
  readonly resetPeriod?: EntitlementSpec['resetPeriod'] | undefined;
  readonly resetPeriodConfiguration?: { readonly accordingTo: string } | null | undefined;
  readonly resetIntervalCount?: number | undefined;
  /** Custom and promotional entitlements only: where this entitlement's periods count from. */
  readonly usagePeriodAnchor?: number | undefined;
  readonly enumValues?: readonly string[] | undefined;
}

/** Normalises an entitlement value from any input form into the spec every source shares. */
export function toEntitlementSpec(e: EntitlementInput): EntitlementSpec {
  const unlimited = e.hasUnlimitedUsage === true;
  return {
    featureId: e.featureId,
    usageLimit: unlimited ? null : (e.usageLimit ?? null),
    hasUnlimitedUsage: unlimited,
    hasSoftLimit: e.hasSoftLimit === true,
    resetPeriod: e.resetPeriod ?? null,
    accordingTo: e.resetPeriod ? (e.resetPeriodConfiguration?.accordingTo ?? null) : null,
    // Absent unless set, so a catalog written before these options keeps its content hashes.
    ...(e.resetPeriod && e.resetIntervalCount !== undefined && e.resetIntervalCount !== 1
      ? { resetIntervalCount: e.resetIntervalCount }
      : {}),
    // Kept without a reset period too: a custom entitlement inheriting its plan's period anchors it.
    ...(e.usagePeriodAnchor === undefined ? {} : { usagePeriodAnchor: e.usagePeriodAnchor }),
    enumValues: e.enumValues ? [...e.enumValues] : null,
  };
}
