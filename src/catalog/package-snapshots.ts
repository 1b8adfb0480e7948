import type { EntitlementBehavior, PricingType, TrialEndBehavior, TrialPeriodUnits } from '../model/enums.js';
import type { EntitlementSpec } from '../model/records.js';
import type { AddonDefinition, PlanDefinition, UsageThresholdDefinition } from './catalog-schema.js';
import type { CreditEntitlement, PlanCreditRate } from './credit-schema.js';
import { toEntitlementSpec } from './entitlement-spec.js';
import type { Price } from './price-schema.js';
import type { ProrationSettings } from './proration-schema.js';

export interface EntitlementPresentation {
  readonly displayNameOverride: string | null;
  readonly hiddenFromWidgets: readonly string[];
}

export interface PlanEntitlement extends EntitlementSpec, EntitlementPresentation {
  /** True when it comes from the base plan chain rather than the plan itself. */
  readonly inherited: boolean;
}

export interface AddonEntitlement extends EntitlementSpec, EntitlementPresentation {
  readonly behavior: EntitlementBehavior;
}

export interface TrialConfig {
  readonly duration: number;
  readonly units: TrialPeriodUnits;
  readonly trialEndBehavior: TrialEndBehavior;
}

/** A plan as versioned: base-plan inheritance already flattened in, so a version stands alone. */
export interface PlanSnapshot {
  readonly id: string;
  readonly productId: string;
  readonly displayName: string | null;
  readonly description: string | null;
  readonly order: number;
  readonly basePlanId: string | null;
  readonly pricingType: PricingType;
  readonly entitlements: readonly PlanEntitlement[];
  readonly defaultTrialConfig: TrialConfig | null;
  readonly compatibleAddonIds: readonly string[];
  readonly prices: readonly Price[];
  readonly hidden: boolean;
  readonly metadata: Readonly<Record<string, string>>;
  /** Recurring credits, own and inherited; absent when none, so older versions hash the same. */
  readonly creditEntitlements?: readonly CreditEntitlement[];
  /** Credit rates of metered features, own and inherited; absent when none, for the same reason. */
  readonly creditRates?: readonly PlanCreditRate[];
  /** The plan's own proration settings, over the catalog's; absent when none, for the same reason. */
  readonly proration?: ProrationSettings;
  /** Progressive billing thresholds; absent when none, for the same reason. */
  readonly usageThresholds?: readonly UsageThresholdDefinition[];
}

export interface AddonSnapshot {
  readonly id: string;
  readonly productId: string;
  readonly displayName: string | null;
  readonly description: string | null;
  readonly entitlements: readonly AddonEntitlement[];
  readonly maxQuantity: number | null;
  readonly prices: readonly Price[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly creditEntitlements?: readonly CreditEntitlement[];
}

/** A plan as versioned, its base plans' entitlements, credits and credit rates flattened in under its own. */
export function planSnapshot(plan: PlanDefinition, plans: Map<string, PlanDefinition>): PlanSnapshot {
  const own = new Set(plan.entitlements.map((e) => e.featureId));
  const inherited: PlanEntitlement[] = [];
  const credits = [...(plan.creditEntitlements ?? [])];
  const rates = [...(plan.creditRates ?? [])];
  for (let base = plan.basePlanId ? plans.get(plan.basePlanId) : undefined; base; ) {
    for (const e of base.entitlements) {
      if (own.has(e.featureId)) continue;
      own.add(e.featureId);
      inherited.push({ ...presentation(e), ...toEntitlementSpec(e), inherited: true });
    }
    for (const c of base.creditEntitlements ?? [])
      if (!credits.some((own) => own.currencyId === c.currencyId)) credits.push(c);
    for (const r of base.creditRates ?? []) if (!rates.some((own) => own.featureId === r.featureId)) rates.push(r);
    base = base.basePlanId ? plans.get(base.basePlanId) : undefined;
  }
  return {
    id: plan.id,
    productId: plan.productId,
    displayName: plan.displayName ?? null,
    description: plan.description ?? null,
    order: plan.order ?? 0,
    basePlanId: plan.basePlanId ?? null,
    pricingType: plan.pricingType,
    entitlements: [
      ...plan.entitlements.map((e) => ({ ...presentation(e), ...toEntitlementSpec(e), inherited: false })),
      ...inherited,
    ],
    defaultTrialConfig: plan.defaultTrialConfig ?? null,
    compatibleAddonIds: plan.compatibleAddonIds,
    prices: plan.prices,
    hidden: plan.hidden,
    metadata: plan.metadata ?? {},
    ...(credits.length > 0 ? { creditEntitlements: credits } : {}),
    ...(rates.length > 0 ? { creditRates: rates } : {}),
    ...(plan.proration ? { proration: plan.proration } : {}),
    ...(plan.usageThresholds ? { usageThresholds: plan.usageThresholds } : {}),
  };
}

function presentation(e: { displayNameOverride?: string | undefined; hiddenFromWidgets?: string[] | undefined }) {
  return { displayNameOverride: e.displayNameOverride ?? null, hiddenFromWidgets: e.hiddenFromWidgets ?? [] };
}

/** An add-on as versioned. */
export function addonSnapshot(addon: AddonDefinition): AddonSnapshot {
  return {
    id: addon.id,
    productId: addon.productId,
    displayName: addon.displayName ?? null,
    description: addon.description ?? null,
    entitlements: addon.entitlements.map((e) => ({
      ...presentation(e),
      ...toEntitlementSpec(e),
      behavior: e.behavior,
    })),
    maxQuantity: addon.maxQuantity ?? null,
    prices: addon.prices,
    metadata: addon.metadata ?? {},
    ...(addon.creditEntitlements?.length ? { creditEntitlements: addon.creditEntitlements } : {}),
  };
}
