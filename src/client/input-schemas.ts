// The inputs of the client's methods. Every schema is z.lazy (and every piece shared between them
// a function called inside one), built on its first parse: importing allot builds none, and a
// process pays only for the inputs it validates. Building them all at import took ~15 ms.
import { z } from 'zod';
import { entitlementValueShape, metadataSchema, refineResetConfiguration } from '../catalog/catalog-schema.js';
import { grantExpirationPeriodSchema, thresholdTypeSchema } from '../credits/auto-recharge-schema.js';
import { MAX_INTERVAL_COUNT } from '../credits/recurrence.js';
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
  SubscriptionMigrationTime,
  SubscriptionScheduleStatus,
  SubscriptionStatus,
  TrialEndBehavior,
  UsageUpdateBehavior,
} from '../model/enums.js';
import { id } from '../model/id-schema.js';
import { instant } from '../model/instant.js';
import { creditDecimal, positiveCreditDecimal } from '../money/amount-schema.js';
import { LogLevel } from './logger.js';

const quantity = () => z.number().int('must be a whole number').nonnegative();
const resourceId = z.lazy(() => id.nullish());
const oneOrMany = <T extends z.ZodType>(schema: T) => z.union([schema, z.array(schema)]);
/** A filter's values: one, or a list short enough for one indexed query. */
const filterList = <T extends z.ZodType>(schema: T) => z.union([schema, z.array(schema).max(1000)]);

const addon = z.lazy(() => z.strictObject({ addonId: id, quantity: quantity().positive().default(1) }));
const billableFeature = z.lazy(() => z.strictObject({ featureId: id, quantity: quantity() }));

/** A custom entitlement on one subscription, in the reference's `{featureId, usageLimit, ...}` form. */
const subscriptionEntitlement = z.lazy(() =>
  z.strictObject({ featureId: id, ...entitlementValueShape() }).superRefine(refineResetConfiguration),
);

const subscriptionParamsShape = () => ({
  planId: id,
  resourceId,
  billingPeriod: z.enum(enumValues(BillingPeriod)).optional(),
  billableFeatures: z.array(billableFeature).optional(),
  addons: z.array(addon).optional(),
  startDate: instant.optional(),
  skipTrial: z.boolean().optional(),
  trialOverrideConfiguration: z
    .strictObject({
      isTrial: z.boolean(),
      trialEndDate: instant.optional(),
      trialEndBehavior: z.enum(enumValues(TrialEndBehavior)).optional(),
    })
    .optional(),
  metadata: metadataSchema.optional(),
  subscriptionEntitlements: z.array(subscriptionEntitlement).optional(),
  scheduleStrategy: z.enum(enumValues(ScheduleStrategy)).optional(),
  billingCycleAnchor: z.enum(enumValues(SubscriptionBillingCycleAnchor)).optional(),
  /** Applies the code's coupon to the customer (their `couponId`). */
  promotionCode: z.string().min(1).max(255).optional(),
});

export const subscriptionParamsSchema = z.lazy(() => z.strictObject(subscriptionParamsShape()));

const customerFields = () => ({
  name: z.string().nullish(),
  email: z.email().nullish(),
  billingId: z.string().nullish(),
  couponId: id.nullish(),
  metadata: metadataSchema.optional(),
});

export const provisionCustomerSchema = z.lazy(() =>
  z.strictObject({
    customerId: id.optional(),
    ...customerFields(),
    subscriptionParams: subscriptionParamsSchema.nullish(),
  }),
);

export const updateCustomerSchema = z.lazy(() => z.strictObject({ customerId: id, ...customerFields() }));

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
  }),
);

export const cancelSubscriptionSchema = z.lazy(() =>
  z.strictObject({
    subscriptionId: id,
    subscriptionCancellationTime: z.enum(enumValues(SubscriptionCancellationTime)).optional(),
    subscriptionCancellationAction: z.enum(enumValues(SubscriptionCancellationAction)).optional(),
    endDate: instant.optional(),
  }),
);

export const cancelScheduledUpdatesSchema = z.lazy(() =>
  z.strictObject({
    subscriptionId: id,
    status: z.enum(enumValues(SubscriptionScheduleStatus)).optional(),
  }),
);

export const subscriptionIdSchema = z.lazy(() => z.strictObject({ subscriptionId: id }));

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
const billingInformation = z.lazy(() => z.strictObject({ taxPercentage: z.number().min(0).max(100).optional() }));
const proration = () => ({
  prorationConvention: z.enum(['SECOND', 'ACTUAL_DAYS', 'THIRTY_DAY_MONTH']).optional(),
});

export const estimateSubscriptionSchema = z.lazy(() =>
  z.strictObject({
    customerId: id,
    planId: id,
    resourceId,
    billingPeriod: z.enum(enumValues(BillingPeriod)).optional(),
    billableFeatures: z.array(billableFeature).optional(),
    addons: z.array(addon).optional(),
    promotionCode: promotionCode.optional(),
    startDate: instant.optional(),
    billingCountryCode: countryCode.optional(),
    billingInformation: billingInformation.optional(),
    skipTrial: z.boolean().optional(),
    billingCycleAnchor: z.enum(enumValues(SubscriptionBillingCycleAnchor)).optional(),
    ...proration(),
  }),
);

export const estimateSubscriptionUpdateSchema = z.lazy(() =>
  z.strictObject({
    subscriptionId: id,
    billableFeatures: z.array(billableFeature).optional(),
    addons: z.array(addon).optional(),
    promotionCode: promotionCode.optional(),
    billingCountryCode: countryCode.optional(),
    billingInformation: billingInformation.optional(),
    ...proration(),
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

export const migrateSubscriptionSchema = z.lazy(() =>
  z.strictObject({
    subscriptionId: id,
    subscriptionMigrationTime: z.enum(enumValues(SubscriptionMigrationTime)).default('IMMEDIATE'),
  }),
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

const creditFallbackSchema = z.lazy(() =>
  z.strictObject({
    hasAccess: z.boolean(),
    usageLimit: z.number().finite().nonnegative().optional(),
    currentUsage: z.number().finite().nonnegative().optional(),
  }),
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

export const customerResourceSchema = z.lazy(() => z.tuple([id, resourceId]));

const dimensions = z.lazy(() => z.record(z.string(), z.union([z.string(), z.number().finite(), z.boolean()])));
const idempotencyKey = z.lazy(() => z.string().min(1).max(255));
// Bounded so counters stay exact in a double and never overflow.
const usageValue = () => z.number().min(-1e15).max(1e15);

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

export const pruneHistorySchema = z.lazy(() => z.strictObject({ before: instant }));

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
      isVisible: z.boolean().optional(),
      monthlyResetPeriodConfiguration: z.strictObject({ accordingTo: z.string() }).optional(),
      weeklyResetPeriodConfiguration: z.strictObject({ accordingTo: z.string() }).optional(),
      yearlyResetPeriodConfiguration: z.strictObject({ accordingTo: z.string() }).optional(),
    })
    // The reference takes one configuration field per period; fold them into the common form.
    .transform(
      ({ monthlyResetPeriodConfiguration, weeklyResetPeriodConfiguration, yearlyResetPeriodConfiguration, ...e }) => ({
        ...e,
        resetPeriodConfiguration:
          e.resetPeriodConfiguration ??
          monthlyResetPeriodConfiguration ??
          weeklyResetPeriodConfiguration ??
          yearlyResetPeriodConfiguration,
      }),
    )
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

const creditPool = () => ({ customerId: id, currencyId: id, resourceId });

/** Every `intervalCount` × `interval` from `anchor` (an allot extension; defaults: 1, and the call's instant). */
const recurrenceShape = () => ({
  interval: z.enum(['HOUR', 'DAY', 'WEEK', 'MONTH', 'YEAR']),
  intervalCount: z.number().int('must be a whole number').min(1).max(MAX_INTERVAL_COUNT).default(1),
  anchor: instant.optional(),
});

/** What a pool reset lets a grant keep (an allot extension). */
const rolloverInput = z.lazy(() =>
  z
    .strictObject({
      maxAmount: creditDecimal.optional(),
      minAmount: creditDecimal.optional(),
      percentage: creditDecimal.refine((v) => Number(v) <= 100, 'a percentage from 0 to 100').optional(),
    })
    .refine(
      (r) => r.minAmount === undefined || r.maxAmount === undefined || Number(r.minAmount) <= Number(r.maxAmount),
      {
        path: ['minAmount'],
        message: 'minAmount must not be above maxAmount',
      },
    ),
);

const overageInput = z.lazy(() => z.enum(['CARRY', 'FORGIVE']));

export const grantCreditsSchema = z.lazy(() =>
  z.strictObject({
    ...creditPool(),
    amount: positiveCreditDecimal,
    displayName: z.string().min(1).max(255),
    grantType: z.enum(['PAID', 'PROMOTIONAL']).default('PAID'),
    effectiveAt: instant.optional(),
    expireAt: instant.nullish(),
    priority: z.number().int().nonnegative().optional(),
    cost: z.strictObject({ amount: positiveCreditDecimal, currency: z.string().regex(/^[A-Za-z]{3}$/) }).optional(),
    comment: z.string().max(10_000).optional(),
    metadata: metadataSchema.optional(),
    idempotencyKey: idempotencyKey.optional(),
    recurrence: z.strictObject(recurrenceShape()).optional(),
    rollover: rolloverInput.optional(),
  }),
);

export const resetCreditPoolSchema = z.lazy(() =>
  z.strictObject({
    ...creditPool(),
    rollover: rolloverInput.optional(),
    overage: overageInput.optional(),
    moveAnchor: z.boolean().optional(),
    idempotencyKey: idempotencyKey.optional(),
  }),
);

export const saveCreditResetScheduleSchema = z.lazy(() =>
  z.strictObject({
    ...creditPool(),
    schedule: z
      .strictObject({
        ...recurrenceShape(),
        rollover: rolloverInput.optional(),
        overage: overageInput.default('CARRY'),
      })
      .nullable(),
  }),
);

export const creditPoolSchema = z.lazy(() => z.strictObject(creditPool()));

export const voidCreditGrantSchema = z.lazy(() => z.strictObject({ id }));

export const consumeCreditsSchema = z.lazy(() =>
  z.strictObject({
    ...creditPool(),
    amount: positiveCreditDecimal,
    idempotencyKey,
    featureId: id.optional(),
    dimensions: dimensions.optional(),
  }),
);

export const creditEntitlementSchema = z.lazy(() =>
  z.strictObject({
    ...creditPool(),
    options: z
      .strictObject({
        requestedUsage: z.number().finite().nonnegative().optional(),
        fallback: creditFallbackSchema.optional(),
      })
      .optional(),
  }),
);

/** Cursor paging: `first` items after the cursor a previous page ended on. */
const paging = (cursor: z.ZodString) =>
  z
    .strictObject({ first: z.number().int().min(1).max(1000).default(100), after: cursor.optional() })
    .default({ first: 100 });

export const creditGrantsSchema = z.lazy(() =>
  z.strictObject({
    customerId: id,
    currencyId: id.optional(),
    resourceId,
    paging: paging(z.string().min(1)),
  }),
);

const ledgerEventType = z.lazy(() =>
  z.enum([
    'CREDITS_GRANTED',
    'CREDITS_CONSUMED',
    'CREDITS_EXPIRED',
    'CREDITS_VOIDED',
    'CREDITS_UPDATED',
    'CREDITS_REFILLED',
    'CREDITS_RESET',
    'DEBT_CREATED',
    'DEBT_SETTLED',
    'DEBT_FORGIVEN',
  ]),
);

export const creditLedgerSchema = z.lazy(() =>
  z.strictObject({
    customerId: id,
    currencyId: id.optional(),
    resourceId,
    /** One type or several, as the reference takes them. */
    eventType: z
      .union([ledgerEventType, z.array(ledgerEventType).min(1)])
      .transform((t) => (Array.isArray(t) ? t : [t]))
      .optional(),
    paging: paging(z.string().regex(/^\d+$/)),
  }),
);

export const saveAutoRechargeSchema = z.lazy(() =>
  z
    .strictObject({
      customerId: id,
      currencyId: id,
      isEnabled: z.boolean(),
      thresholdType: thresholdTypeSchema,
      thresholdValue: z.union([z.number().finite().nonnegative(), z.string()]),
      targetBalance: z.union([z.number().finite().positive(), z.string()]).optional(),
      maxSpendLimit: z.union([z.number().finite().nonnegative(), z.string()]).nullish(),
      grantExpirationPeriod: grantExpirationPeriodSchema.nullish(),
      // allot extensions, validated with the rest by the configuration's own schema.
      rechargeMethod: z.unknown().optional(),
      rechargeAmount: z.unknown().optional(),
      minimumPurchase: z.unknown().optional(),
      bonusCredits: z.unknown().optional(),
      grantType: z.unknown().optional(),
    })
    .transform(({ customerId, currencyId, ...config }) => ({ customerId, currencyId, config })),
);

export const autoRechargeKeySchema = z.lazy(() => z.strictObject({ customerId: id, currencyId: id }));

export const creditUsageSchema = z.lazy(() =>
  z.strictObject({
    customerId: id,
    currencyId: id.optional(),
    resourceId,
    timeRange: z.enum(['LAST_DAY', 'LAST_WEEK', 'LAST_MONTH', 'LAST_YEAR']).optional(),
    startDate: instant.optional(),
    endDate: instant.optional(),
    groupBy: z.array(z.string().min(1)).max(3).optional(),
  }),
);

export const creditEventsFieldsSchema = z.lazy(() =>
  z.strictObject({
    customerId: id,
    currencyId: id.optional(),
    search: z.string().optional(),
  }),
);

export const estimateUsageCostSchema = z.lazy(() =>
  z.strictObject({
    customerId: id,
    featureId: id,
    value: usageValue(),
    resourceId,
    updateBehavior: z.enum(enumValues(UsageUpdateBehavior)).default('DELTA'),
    dimensions: dimensions.optional(),
  }),
);

export const estimateEventCostSchema = z.lazy(() =>
  z.strictObject({
    customerId: id,
    eventName: z.string().min(1).max(255),
    resourceId,
    dimensions: dimensions.optional(),
  }),
);
