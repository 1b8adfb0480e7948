// Every schema here is z.lazy, built on its first parse, so importing allot builds none.
import { z } from 'zod';
import {
  EntitlementBehavior,
  EntitlementResetPeriod,
  enumValues,
  FeatureType,
  MeterType,
  MonthlyAccordingTo,
  PricingType,
  ScheduleStrategy,
  SubscriptionUpdateUsageCutoffBehavior,
  TrialEndBehavior,
  TrialPeriodUnits,
  WeeklyAccordingTo,
  YearlyAccordingTo,
} from '../model/enums.js';
import { id } from '../model/id-schema.js';
import { intervalCount } from '../model/interval-count.js';
import { meterSchema } from '../model/meters.js';
import { decimalAmount } from '../money/amount-schema.js';
import { couponListSchema } from './coupon-schema.js';
import {
  creditCurrenciesSchema,
  creditEntitlementsSchema,
  featureCreditRateSchema,
  planCreditRatesSchema,
} from './credit-schema.js';
import { priceListSchema } from './price-schema.js';
import { prorationConventionSchema, prorationSettingsSchema } from './proration-schema.js';

export const metadataSchema = z.lazy(() => z.record(z.string(), z.string()));

/** `{accordingTo}`, the reference's input form; which values are allowed depends on the period. */
const resetPeriodConfigurationSchema = z.lazy(() =>
  z.strictObject({
    accordingTo: z.enum([
      ...new Set([
        ...enumValues(MonthlyAccordingTo),
        ...enumValues(WeeklyAccordingTo),
        ...enumValues(YearlyAccordingTo),
      ]),
    ] as [string, ...string[]]),
  }),
);

/** The limit part of an entitlement, shared by plans, add-ons, promotions and custom entitlements. */
export const entitlementValueShape = () => ({
  usageLimit: z.number().finite().nonnegative().nullish(),
  hasUnlimitedUsage: z.boolean().optional(),
  hasSoftLimit: z.boolean().optional(),
  resetPeriod: z.enum(enumValues(EntitlementResetPeriod)).nullish(),
  resetPeriodConfiguration: resetPeriodConfigurationSchema.nullish(),
  /** An allot extension: one period spans this many `resetPeriod`s (3 with MONTH: quarterly). */
  resetIntervalCount: intervalCount.optional(),
  enumValues: z.array(z.string().min(1)).optional(),
});

const accordingToByPeriod: Record<string, readonly string[]> = {
  MONTH: enumValues(MonthlyAccordingTo),
  WEEK: enumValues(WeeklyAccordingTo),
  YEAR: enumValues(YearlyAccordingTo),
};

/**
 * Rejects an `accordingTo` that does not belong to the reset period (e.g. EveryMonday on MONTH),
 * and an interval count without a reset period.
 */
export function refineResetConfiguration(
  value: {
    resetPeriod?: string | null;
    resetPeriodConfiguration?: { accordingTo: string } | null;
    resetIntervalCount?: number | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if (value.resetIntervalCount !== undefined && !value.resetPeriod)
    ctx.addIssue({
      code: 'custom',
      path: ['resetIntervalCount'],
      message: 'resetIntervalCount counts reset periods: give a resetPeriod',
    });
  const according = value.resetPeriodConfiguration?.accordingTo;
  if (according === undefined) return;
  const allowed = value.resetPeriod ? accordingToByPeriod[value.resetPeriod] : undefined;
  if (!allowed?.includes(according)) {
    ctx.addIssue({
      code: 'custom',
      path: ['resetPeriodConfiguration', 'accordingTo'],
      message: `${according} is not a valid configuration for reset period ${value.resetPeriod ?? '(none)'}`,
    });
  }
}

const featureSchema = z.lazy(() =>
  z
    .strictObject({
      id,
      displayName: z.string().optional(),
      description: z.string().optional(),
      featureType: z.enum(enumValues(FeatureType)),
      meterType: z.enum(enumValues(MeterType)).default('None'),
      units: z.string().optional(),
      unitsPlural: z.string().optional(),
      enumConfiguration: z
        .array(z.strictObject({ value: z.string().min(1), displayName: z.string().optional() }))
        .optional(),
      metadata: metadataSchema.optional(),
      /** Counts raw events (`reportEvent`) instead of reported usage. */
      meter: meterSchema.optional(),
      /** Makes usage draw credits: each unit costs `creditsPerUnit` of `currencyId` (a plan may set its own rate). */
      creditRate: featureCreditRateSchema.optional(),
    })
    .superRefine((f, ctx) => {
      if (f.meter && f.meterType === 'None')
        ctx.addIssue({
          code: 'custom',
          path: ['meter'],
          message: 'only a metered feature (meterType other than None) has a meter',
        });
      if (f.creditRate && f.meterType === 'None')
        ctx.addIssue({
          code: 'custom',
          path: ['creditRate'],
          message: 'only a metered feature (meterType other than None) has a credit rate',
        });
      if (f.featureType !== 'NUMBER' && f.meterType !== 'None')
        ctx.addIssue({ code: 'custom', path: ['meterType'], message: `a ${f.featureType} feature cannot be metered` });
      if (f.featureType === 'ENUM' && !f.enumConfiguration?.length)
        ctx.addIssue({ code: 'custom', path: ['enumConfiguration'], message: 'an ENUM feature needs its values' });
    }),
);

const productSchema = z.lazy(() =>
  z.strictObject({
    id,
    displayName: z.string().optional(),
    description: z.string().optional(),
    metadata: metadataSchema.optional(),
    downgradePlanId: id.optional(),
    multipleSubscriptions: z.boolean().default(false),
    downgradeScheduleStrategy: z.enum(enumValues(ScheduleStrategy)).default('IMMEDIATE'),
    usageResetCutoffRule: z.enum(enumValues(SubscriptionUpdateUsageCutoffBehavior)).default('ALWAYS_RESET'),
  }),
);

const planEntitlementSchema = z.lazy(() =>
  z
    .strictObject({
      featureId: id,
      ...entitlementValueShape(),
      displayNameOverride: z.string().optional(),
      hiddenFromWidgets: z.array(z.string()).optional(),
    })
    .superRefine(refineResetConfiguration),
);

const addonEntitlementSchema = z.lazy(() =>
  z
    .strictObject({
      featureId: id,
      ...entitlementValueShape(),
      behavior: z.enum(enumValues(EntitlementBehavior)).default('Increment'),
      displayNameOverride: z.string().optional(),
    })
    .superRefine(refineResetConfiguration),
);

/**
 * Progressive billing thresholds (Lago's usage thresholds): amounts of a period's usage charges in
 * the plan's currency, at most one of them `recurring` (repeating after the largest fixed one).
 */
const usageThresholdsSchema = z.lazy(() =>
  z
    .array(
      z.strictObject({
        amount: decimalAmount.refine((a) => Number(a) > 0, 'an amount above 0'),
        recurring: z.boolean().optional(),
        displayName: z.string().optional(),
      }),
    )
    .min(1)
    .superRefine((thresholds, ctx) => {
      if (thresholds.filter((t) => t.recurring).length > 1)
        ctx.addIssue({ code: 'custom', message: 'at most one recurring threshold' });
      const fixed = thresholds.filter((t) => !t.recurring).map((t) => Number(t.amount));
      if (new Set(fixed).size !== fixed.length) ctx.addIssue({ code: 'custom', message: 'a threshold amount twice' });
    }),
);

const planSchema = z.lazy(() =>
  z.strictObject({
    id,
    productId: id,
    displayName: z.string().optional(),
    description: z.string().optional(),
    order: z.number().int().optional(),
    basePlanId: id.optional(),
    pricingType: z.enum(enumValues(PricingType)).default('FREE'),
    entitlements: z.array(planEntitlementSchema).default([]),
    defaultTrialConfig: z
      .strictObject({
        duration: z.number().int().positive(),
        units: z.enum(enumValues(TrialPeriodUnits)),
        trialEndBehavior: z.enum(enumValues(TrialEndBehavior)).default('CONVERT_TO_PAID'),
      })
      .optional(),
    compatibleAddonIds: z.array(id).default([]),
    prices: priceListSchema.default([]),
    hidden: z.boolean().default(false),
    metadata: metadataSchema.optional(),
    /** Credits granted every cadence period to a subscriber, per credit currency. */
    creditEntitlements: creditEntitlementsSchema.optional(),
    /** What usage of metered features costs in credits for this plan's subscribers (base plans' too). */
    creditRates: planCreditRatesSchema.optional(),
    /** This plan's proration settings, over the catalog's `proration`. */
    proration: prorationSettingsSchema.optional(),
    /** Progressive billing thresholds on a period's usage amount, shown by estimates (not inherited). */
    usageThresholds: usageThresholdsSchema.optional(),
  }),
);

const addonSchema = z.lazy(() =>
  z.strictObject({
    id,
    productId: id,
    displayName: z.string().optional(),
    description: z.string().optional(),
    entitlements: z.array(addonEntitlementSchema).default([]),
    maxQuantity: z.number().int().positive().optional(),
    prices: priceListSchema.default([]),
    metadata: metadataSchema.optional(),
    /** Credits per cadence period, × quantity (Increment) or replacing the plan's (Override). */
    creditEntitlements: creditEntitlementsSchema.optional(),
  }),
);

/** The declarative catalog handed to `Allot.initialize`. */
export const catalogSchema = z.lazy(() =>
  z.strictObject({
    features: z.array(featureSchema).default([]),
    products: z.array(productSchema).default([]),
    plans: z.array(planSchema).default([]),
    addons: z.array(addonSchema).default([]),
    /** Discounts, applied by `couponId` on a customer or by one of their promotion codes. */
    coupons: couponListSchema.default([]),
    /** Where estimates round: each line (PER_LINE, the default) or only the total (TOTAL). */
    priceRounding: z.enum(['PER_LINE', 'TOTAL']).default('PER_LINE'),
    /**
     * How a change within a billing period is prorated unless a plan or a call says otherwise: by
     * the SECOND over the whole period (default), by ACTUAL_DAYS, ...; `proration.convention` wins.
     */
    prorationConvention: prorationConventionSchema.default('SECOND'),
    /** Proration settings of every plan that has none of its own (see the README's Pricing). */
    proration: prorationSettingsSchema.optional(),
    /** Credit currencies (tokens, credits): consumption units with their own pools and ledgers. */
    creditCurrencies: creditCurrenciesSchema.default([]),
  }),
);

/** The catalog as written by users: features, products, plans and add-ons (see the README). */
export type CatalogInput = z.input<typeof catalogSchema>;
export type CatalogDefinition = z.output<typeof catalogSchema>;
export type FeatureDefinition = CatalogDefinition['features'][number];
export type ProductDefinition = CatalogDefinition['products'][number];
export type PlanDefinition = CatalogDefinition['plans'][number];
export type AddonDefinition = CatalogDefinition['addons'][number];
export type PlanEntitlementDefinition = PlanDefinition['entitlements'][number];
export type AddonEntitlementDefinition = AddonDefinition['entitlements'][number];
export type UsageThresholdDefinition = NonNullable<PlanDefinition['usageThresholds']>[number];
