// The inputs of the client's methods. Every schema is z.lazy (and every piece shared between them
// a function called inside one), built on its first parse: importing allot builds none, and a
// process pays only for the inputs it validates. Building them all at import took ~15 ms.
import { z } from 'zod';
import { entitlementValueShape, metadataSchema, refineResetConfiguration } from '../catalog/catalog-schema.js';
import { prorationConventionSchema } from '../catalog/proration-schema.js';
import { AllotError } from '../errors.js';
import {
  BillingPeriod,
  enumValues,
  PromotionalEntitlementPeriod,
  PublishMigrationType,
  ScheduleStrategy,
  SubscriptionBillingCycleAnchor,
  SubscriptionCancellationAction,
  SubscriptionCancellationTime,
  SubscriptionScheduleStatus,
  SubscriptionStatus,
  TrialEndBehavior,
  UsageUpdateBehavior,
} from '../model/enums.js';
import { id } from '../model/id-schema.js';
import { instant } from '../model/instant.js';
import { positiveCreditDecimal } from '../money/amount-schema.js';
import {
  appliedCouponSchema,
  budgetSchema,
  checkoutOptionsSchema,
  customerBillingInfoSchema,
  minimumSpendSchema,
  paymentCollectionMethodSchema,
  priceOverrideSchema,
  subscriptionBillingInfoSchema,
} from './billing-schemas.js';
import { creditFallbackSchema } from './credit-input-schemas.js';
import { dimensions, idempotencyKey, resourceId, usageValue } from './input-primitives.js';
import { LogLevel } from './logger.js';
import type { ProgressListener } from './progress.js';

const quantity = () => z.number().int('must be a whole number').nonnegative();
const oneOrMany = <T extends z.ZodType>(schema: T) => z.union([schema, z.array(schema)]);
/** A filter's values: one, or a list short enough for one indexed query. */
const filterList = <T extends z.ZodType>(schema: T) => z.union([schema, z.array(schema).max(1000)]);

const addon = z.lazy(() => z.strictObject({ addonId: id, quantity: quantity().positive().default(1) }));
const billableFeature = z.lazy(() => z.strictObject({ featureId: id, quantity: quantity() }));

/**
 * The reference takes one reset configuration field per period (`monthlyResetPeriodConfiguration`,
 * ...); allot's form is `resetPeriodConfiguration`. Both are accepted and folded into the latter.
 */
const periodConfigurations = () => ({
  monthlyResetPeriodConfiguration: z.strictObject({ accordingTo: z.string() }).optional(),
  weeklyResetPeriodConfiguration: z.strictObject({ accordingTo: z.string() }).optional(),
  yearlyResetPeriodConfiguration: z.strictObject({ accordingTo: z.string() }).optional(),
});
function foldPeriodConfigurations<
  T extends {
    resetPeriodConfiguration?: { accordingTo: string } | null | undefined;
    monthlyResetPeriodConfiguration?: { accordingTo: string } | undefined;
    weeklyResetPeriodConfiguration?: { accordingTo: string } | undefined;
    yearlyResetPeriodConfiguration?: { accordingTo: string } | undefined;
  },
>({ monthlyResetPeriodConfiguration, weeklyResetPeriodConfiguration, yearlyResetPeriodConfiguration, ...e }: T) {
  return {
    ...e,
    resetPeriodConfiguration:
      e.resetPeriodConfiguration ??
      monthlyResetPeriodConfiguration ??
      weeklyResetPeriodConfiguration ??
      yearlyResetPeriodConfiguration,
  };
}

/**
 * Where one entitlement's usage periods count from (an allot extension, as OpenMeter's per-entitlement
 * `usagePeriod.anchor`): any instant, before or after now.
 */
const entitlementAnchor = () => ({ usagePeriodAnchor: instant.optional() });

/**
 * A custom entitlement on one subscription, in the reference's `{featureId, usageLimit, ...}` form
 * (`subscriptionEntitlements`, and `feature` of the V2 `entitlements`). Its `description`, the
 * entitlement `id` an update names and a `featureGroupId` are accepted and not kept.
 */
const subscriptionEntitlement = z.lazy(() =>
  z
    .strictObject({
      featureId: id,
      ...entitlementValueShape(),
      ...entitlementAnchor(),
      ...periodConfigurations(),
      description: z.string().max(1000).optional(),
      id: id.optional(),
      featureGroupId: id.optional(),
    })
    .transform(({ description: _, id: __, featureGroupId: ___, ...e }) => foldPeriodConfigurations(e))
    .superRefine(refineResetConfiguration),
);

/**
 * The reference's V2 `entitlements`: a feature entitlement (as `subscriptionEntitlements`) or a
 * recurring credit entitlement of a custom currency, one per item.
 */
const subscriptionEntitlementV2 = z.lazy(() =>
  z
    .strictObject({
      feature: subscriptionEntitlement.optional(),
      credit: z
        .strictObject({
          customCurrencyId: id,
          amount: positiveCreditDecimal,
          cadence: z.enum(['MONTH', 'YEAR']),
          hasSoftLimit: z.boolean().optional(),
        })
        .optional(),
    })
    .refine((e) => (e.feature === undefined) !== (e.credit === undefined), 'give one of feature or credit'),
);

/** A country for localized prices: an ISO 3166-1 alpha-2 code, upper-cased. */
const countryCode = z.lazy(() => {
  // ICU knows the ISO 3166-1 regions; `fallback: 'none'` answers undefined for a code it does not
  // know. Made here, on first use, since loading ICU's region names takes ~10 ms.
  const regions = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  return z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 country code')
    .transform((c) => c.toUpperCase())
    .refine((c) => c !== 'ZZ' && regions.of(c) !== undefined, 'not a known ISO 3166-1 country code');
});
const promotionCode = z.lazy(() => z.string().min(1).max(255));
/** The legacy single quantity of a plan's per-unit price (see `billableFeatures`). */
const unitQuantity = () => quantity().max(1e9);

const trialOverride = () =>
  z.strictObject({
    isTrial: z.boolean(),
    trialEndDate: instant.optional(),
    trialEndBehavior: z.enum(enumValues(TrialEndBehavior)).optional(),
  });
/** An allot extension: the day of the month (1-31, 00:00 UTC) a new subscription bills on. */
const billingCycleDay = z.lazy(() => z.number().int().min(1).max(31));

const subscriptionParamsShape = () => ({
  planId: id,
  resourceId,
  billingPeriod: z.enum(enumValues(BillingPeriod)).optional(),
  billableFeatures: z.array(billableFeature).optional(),
  addons: z.array(addon).optional(),
  startDate: instant.optional(),
  skipTrial: z.boolean().optional(),
  trialOverrideConfiguration: trialOverride().optional(),
  metadata: metadataSchema.optional(),
  subscriptionEntitlements: z.array(subscriptionEntitlement).optional(),
  scheduleStrategy: z.enum(enumValues(ScheduleStrategy)).optional(),
  billingCycleAnchor: z.enum(enumValues(SubscriptionBillingCycleAnchor)).optional(),
  /**
   * An allot extension: the instant the subscription's usage periods count from, in place of its
   * start (billing periods keep theirs); any instant, before or after now.
   */
  usagePeriodAnchor: instant.optional(),
  billingCycleDay: billingCycleDay.optional(),
  /** Applies the code's coupon to the customer (their `couponId`). */
  promotionCode: promotionCode.optional(),
  /** A coupon for this subscription alone. */
  appliedCoupon: appliedCouponSchema.optional(),
  billingCountryCode: countryCode.optional(),
  unitQuantity: unitQuantity().optional(),
  priceOverrides: z.array(priceOverrideSchema).max(100).optional(),
  minimumSpend: minimumSpendSchema.optional(),
  entitlements: z.array(subscriptionEntitlementV2).max(1000).optional(),
  /** The subscription's id; generated when omitted. */
  id: id.optional(),
  payingCustomerId: id.optional(),
  billingId: z.string().min(1).max(255).optional(),
  salesforceId: z.string().min(1).max(255).optional(),
  billingInformation: subscriptionBillingInfoSchema.optional(),
  paymentCollectionMethod: paymentCollectionMethodSchema.optional(),
  budget: budgetSchema.optional(),
  /** Accepted and ignored: without a payment provider nothing waits for a payment or a checkout. */
  awaitPaymentConfirmation: z.boolean().optional(),
  checkoutOptions: checkoutOptionsSchema.optional(),
});

export const subscriptionParamsSchema = z.lazy(() => z.strictObject(subscriptionParamsShape()));

const customerFields = () => ({
  name: z.string().nullish(),
  email: z.email().nullish(),
  billingId: z.string().nullish(),
  couponId: id.nullish(),
  metadata: metadataSchema.optional(),
  /** Kept on the customer and returned; on update it replaces the whole object (null removes it). */
  billingInfo: customerBillingInfoSchema.nullish(),
  salesforceId: z.string().min(1).max(255).nullish(),
  awsMarketplaceCustomerId: z.string().min(1).max(255).nullish(),
});

export const provisionCustomerSchema = z.lazy(() =>
  z.strictObject({
    customerId: id.optional(),
    ...customerFields(),
    subscriptionParams: subscriptionParamsSchema.nullish(),
    /** Accepted and ignored: allot runs no experiments. */
    excludeFromExperiment: z.boolean().optional(),
  }),
);

export const updateCustomerSchema = z.lazy(() =>
  z.strictObject({
    customerId: id,
    ...customerFields(),
    /** Accepted and ignored: every write returns once it is stored. */
    shouldWaitSync: z.boolean().optional(),
  }),
);

export const provisionSubscriptionSchema = z.lazy(() =>
  z.strictObject({ ...subscriptionParamsShape(), customerId: id }),
);

export const updateSubscriptionSchema = z.lazy(() =>
  z.strictObject({
    subscriptionId: id,
    addons: z.array(addon).optional(),
    billableFeatures: z.array(billableFeature).optional(),
    metadata: metadataSchema.optional(),
    billingPeriod: z.enum(enumValues(BillingPeriod)).optional(),
    trialEndDate: instant.optional(),
    scheduleStrategy: z.enum(enumValues(ScheduleStrategy)).optional(),
    subscriptionEntitlements: z.array(subscriptionEntitlement).optional(),
    unitQuantity: unitQuantity().optional(),
    /** UNCHANGED (default) keeps the billing period; NOW starts a new one at the update. */
    billingCycleAnchor: z.enum(enumValues(SubscriptionBillingCycleAnchor)).optional(),
    /** Applies the code's coupon to the customer (their `couponId`). */
    promotionCode: promotionCode.optional(),
    /** A coupon for this subscription alone; replaces the one it has. */
    appliedCoupon: appliedCouponSchema.optional(),
    /** Replace the subscription's; fields left out keep theirs. */
    priceOverrides: z.array(priceOverrideSchema).max(100).optional(),
    minimumSpend: minimumSpendSchema.optional(),
    billingInformation: subscriptionBillingInfoSchema.optional(),
    budget: budgetSchema.optional(),
    /** Accepted and ignored: without a payment provider nothing waits for a payment. */
    awaitPaymentConfirmation: z.boolean().optional(),
    /** An allot extension: moves the usage periods' anchor at once; null goes back to the billing anchor. */
    usagePeriodAnchor: instant.nullable().optional(),
  }),
);

export const cancelSubscriptionSchema = z.lazy(() =>
  z.strictObject({
    subscriptionId: id,
    subscriptionCancellationTime: z.enum(enumValues(SubscriptionCancellationTime)).optional(),
    subscriptionCancellationAction: z.enum(enumValues(SubscriptionCancellationAction)).optional(),
    endDate: instant.optional(),
    /** Accepted and ignored: allot issues no invoices to prorate, and cancels before it returns. */
    prorate: z.boolean().optional(),
    awaitSubscriptionCancellation: z.boolean().optional(),
  }),
);

export const cancelScheduledUpdatesSchema = z.lazy(() =>
  z.strictObject({
    subscriptionId: id,
    status: z.enum(enumValues(SubscriptionScheduleStatus)).optional(),
  }),
);

export const subscriptionIdSchema = z.lazy(() => z.strictObject({ subscriptionId: id }));

const proration = () => ({
  prorationConvention: prorationConventionSchema.optional(),
});

/**
 * What estimates take beyond the reference: quantities may be fractional (priced only by prices
 * that take them, `fractionalQuantity`), and `usage` prices a period's usage of usage-based
 * features in the `subscription` block (never what is due now: usage is billed in arrears).
 */
const estimateExtras = () => ({
  billableFeatures: z
    .array(z.strictObject({ featureId: id, quantity: z.number().finite().nonnegative().max(1e12) }))
    .optional(),
  usage: z
    .array(
      z
        .strictObject({
          featureId: id,
          quantity: z.number().finite().min(-1e12).max(1e12).optional(),
          transactions: z.array(z.number().finite().nonnegative().max(1e12)).max(10_000).optional(),
        })
        .refine((u) => (u.quantity === undefined) !== (u.transactions === undefined), {
          message: 'give a quantity, or the transactions of a percentage price',
        }),
    )
    .max(1000)
    .optional(),
});

export const estimateSubscriptionSchema = z.lazy(() =>
  z.strictObject({
    customerId: id,
    planId: id,
    resourceId,
    billingPeriod: z.enum(enumValues(BillingPeriod)).optional(),
    addons: z.array(addon).optional(),
    promotionCode: promotionCode.optional(),
    appliedCoupon: appliedCouponSchema.optional(),
    startDate: instant.optional(),
    billingCountryCode: countryCode.optional(),
    billingInformation: subscriptionBillingInfoSchema.optional(),
    skipTrial: z.boolean().optional(),
    trialOverrideConfiguration: trialOverride().optional(),
    billingCycleAnchor: z.enum(enumValues(SubscriptionBillingCycleAnchor)).optional(),
    unitQuantity: unitQuantity().optional(),
    /** Accepted and ignored: who pays does not change the price. */
    payingCustomerId: id.optional(),
    billingCycleDay: billingCycleDay.optional(),
    ...proration(),
    ...estimateExtras(),
  }),
);

export const estimateSubscriptionUpdateSchema = z.lazy(() =>
  z.strictObject({
    subscriptionId: id,
    addons: z.array(addon).optional(),
    unitQuantity: unitQuantity().optional(),
    promotionCode: promotionCode.optional(),
    appliedCoupon: appliedCouponSchema.optional(),
    /** Default to the subscription's own. */
    billingCountryCode: countryCode.optional(),
    billingInformation: subscriptionBillingInfoSchema.optional(),
    ...proration(),
    ...estimateExtras(),
  }),
);

export const paywallSchema = z.lazy(() =>
  z
    .strictObject({
      productId: id.optional(),
      customerId: id.optional(),
      resourceId,
      billingCountryCode: countryCode.optional(),
      fetchAllCountriesPrices: z.boolean().optional(),
      includeHiddenPlans: z.boolean().optional(),
    })
    .default({}),
);

export const migrationTime = () => z.enum(['IMMEDIATE', 'END_OF_BILLING_PERIOD']);

export const migrateSubscriptionSchema = z.lazy(() =>
  z.strictObject({ subscriptionId: id, subscriptionMigrationTime: migrationTime().default('IMMEDIATE') }),
);

export const transferSubscriptionSchema = z.lazy(() =>
  z.strictObject({ subscriptionId: id, destinationResourceId: resourceId }),
);

export const getSubscriptionsSchema = z.lazy(() =>
  z
    .strictObject({
      customerId: id.optional(),
      resourceId: filterList(id).optional(),
      status: filterList(z.enum(enumValues(SubscriptionStatus))).optional(),
      productId: filterList(id).optional(),
      pagination: z
        .strictObject({
          limit: z.number().int().min(1).max(1000).optional(),
          startingAfter: id.optional(),
          endingBefore: id.optional(),
        })
        .refine((p) => p.startingAfter === undefined || p.endingBefore === undefined, {
          message: 'give startingAfter or endingBefore, not both',
        })
        .optional(),
    })
    .default({}),
);

export const activeSubscriptionsSchema = z.lazy(() =>
  z.strictObject({ customerId: id, resourceId: oneOrMany(id).optional() }),
);

const fallbackSchema = z.lazy(() =>
  z.strictObject({
    hasAccess: z.boolean(),
    value: z.number().finite().optional(),
    usageLimit: z.number().finite().nonnegative().optional(),
    isUnlimited: z.boolean().optional(),
    hasSoftLimit: z.boolean().optional(),
    currentUsage: z.number().finite().nonnegative().optional(),
    enumValues: z.array(z.string()).optional(),
  }),
);

const hasMethods = (...names: string[]) =>
  z.custom<object>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      names.every((n) => typeof (v as Record<string, unknown>)[n] === 'function'),
    `must have the methods ${names.join(', ')}`,
  );

/** The reference SDK's connection options: accepted with the SDK's types, and ignored. */
const stiggConnectionOptions = () => ({
  apiKey: z.string().optional(),
  baseUri: z.string().optional(),
  baseEdgeUri: z.string().optional(),
  wsUrl: z.string().optional(),
  realtimeUpdatesEnabled: z.boolean().optional(),
  enableEdge: z.boolean().optional(),
  redis: z.record(z.string(), z.unknown()).optional(),
  memoryCacheMaxSizeBytes: z.number().nonnegative().optional(),
  clientName: z.string().optional(),
  clientVersion: z.string().optional(),
  enableRemoteConfig: z.boolean().optional(),
  timeout: z.number().nonnegative().optional(),
  entitlementsTimeout: z.number().nonnegative().optional(),
  offline: z.boolean().optional(),
});
const progressListener = () =>
  z.custom<ProgressListener>((v) => typeof v === 'function', 'onProgress must be a function');

/** `Allot.initialize`'s options other than the catalog, which the catalog compiler checks itself. */
export const allotOptionsSchema = z.lazy(() =>
  z.strictObject({
    catalog: z.unknown(),
    store: hasMethods('open', 'close', 'transaction', 'read').optional(),
    clock: hasMethods('now').optional(),
    entitlementsFallback: z.record(id, fallbackSchema).optional(),
    creditEntitlementsFallback: z.record(id, creditFallbackSchema).optional(),
    logConfiguration: z
      .strictObject({
        logger: hasMethods('log', 'debug', 'error').optional(),
        logLevel: z.enum(enumValues(LogLevel)).optional(),
      })
      .optional(),
    changeCheckIntervalMs: z.number().finite().nonnegative().optional(),
    maxCachedCustomers: z.number().int().positive().optional(),
    usageHistoryRetentionMs: z.number().int().positive().optional(),
    catalogMigration: z.enum(enumValues(PublishMigrationType)).optional(),
    onProgress: progressListener().optional(),
    ...stiggConnectionOptions(),
  }),
);

export const listenerSchema = z.lazy(() =>
  z.tuple([
    z.enum([
      'entitlementsUpdated',
      'usageUpdated',
      'subscriptionUpdated',
      'packagePublished',
      'creditBalanceUpdated',
      'autoRechargeSkipped',
    ]),
    z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'a listener must be a function'),
  ]),
);

const checkBase = () => ({ customerId: id, featureId: id, resourceId });

export const entitlementCheckSchema = z.lazy(() =>
  z.strictObject({
    ...checkBase(),
    options: z
      .strictObject({
        requestedUsage: z.number().finite().nonnegative().optional(),
        requestedValues: z.array(z.string()).optional(),
        fallback: fallbackSchema.optional(),
        shouldTrack: z.boolean().optional(),
      })
      .optional(),
  }),
);

export const explainEntitlementSchema = z.lazy(() => z.strictObject(checkBase()));

export const customerResourceSchema = z.lazy(() => z.tuple([id, resourceId]));

// Bounded so counters stay exact in a double and never overflow.

export const reportUsageSchema = z.lazy(() =>
  z.strictObject({
    customerId: id,
    featureId: id,
    value: usageValue(),
    resourceId,
    updateBehavior: z.enum(enumValues(UsageUpdateBehavior)).default('DELTA'),
    createdAt: instant.optional(),
    dimensions: dimensions.optional(),
    idempotencyKey: idempotencyKey.optional(),
  }),
);

export const reportUsageBulkSchema = z.lazy(() =>
  z.strictObject({ usages: z.array(reportUsageSchema).min(1).max(1000) }),
);

export const checkAndReportUsageSchema = z.lazy(() =>
  z.strictObject({
    customerId: id,
    featureId: id,
    value: usageValue().nonnegative(),
    resourceId,
    dimensions: dimensions.optional(),
    idempotencyKey: idempotencyKey.optional(),
  }),
);

export const reportEventSchema = z.lazy(() =>
  z.strictObject({
    customerId: id,
    eventName: z.string().min(1).max(255),
    idempotencyKey,
    resourceId,
    dimensions: dimensions.optional(),
    timestamp: instant.optional(),
  }),
);

/** One event or up to 1,000, applied in one transaction. */
export const reportEventsSchema = z.lazy(() =>
  z.union([reportEventSchema, z.array(reportEventSchema).min(1).max(1000)]),
);

export const pruneHistorySchema = z.lazy(() =>
  z.strictObject({ before: instant, onProgress: progressListener().optional() }),
);

export const usageHistorySchema = z.lazy(() =>
  z.strictObject({
    customerId: id,
    featureId: id,
    resourceId,
    startDate: instant,
    endDate: instant.optional(),
    groupBy: z.array(z.string().min(1)).max(3).optional(),
  }),
);

const promotionalEntitlement = z.lazy(() =>
  z
    .strictObject({
      featureId: id,
      period: z.enum(enumValues(PromotionalEntitlementPeriod)),
      customEndDate: instant.optional(),
      ...entitlementValueShape(),
      ...entitlementAnchor(),
      isVisible: z.boolean().optional(),
      ...periodConfigurations(),
    })
    .transform(foldPeriodConfigurations)
    .superRefine(refineResetConfiguration)
    .superRefine((e, ctx) => {
      if (e.period === 'CUSTOM' && e.customEndDate === undefined)
        ctx.addIssue({ code: 'custom', path: ['customEndDate'], message: 'a CUSTOM period needs customEndDate' });
    }),
);

export const grantPromotionsSchema = z.lazy(() =>
  z.strictObject({
    customerId: id,
    promotionalEntitlements: z.array(promotionalEntitlement).min(1),
  }),
);

export const revokePromotionSchema = z.lazy(() => z.strictObject({ customerId: id, featureId: id }));

export const customerIdSchema = id;

/**
 * Parses with zod; a failure becomes `INVALID_INPUT` carrying zod's issues intact. `once` for an
 * input parsed once per process, where zod's compiled fast path would cost more than it saves.
 */
export function parse<T extends z.ZodType>(schema: T, value: unknown, method: string, once = false): z.output<T> {
  const result = schema.safeParse(value, { jitless: once });
  if (result.success) return result.data;
  throw new AllotError('INVALID_INPUT', `${method}: ${z.prettifyError(result.error).replaceAll('\n', '; ')}`, {
    details: result.error.issues,
    cause: result.error,
  });
}
