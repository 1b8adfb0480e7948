// The credit methods' inputs: grants and their recurrences and rollover rules, consumptions, pool
// resets and schedules, balances, reports, automatic recharge and cost estimates.
import { z } from 'zod';
import { metadataSchema } from '../catalog/catalog-schema.js';
import { grantExpirationPeriodSchema, thresholdTypeSchema } from '../credits/auto-recharge-schema.js';
import { enumValues, UsageUpdateBehavior } from '../model/enums.js';
import { id } from '../model/id-schema.js';
import { instant } from '../model/instant.js';
import { MAX_INTERVAL_COUNT } from '../model/interval-count.js';
import { creditDecimal, positiveCreditDecimal } from '../money/amount-schema.js';
import { billingAddressSchema, paymentCollectionMethodSchema } from './billing-schemas.js';
import { dimensions, idempotencyKey, resourceId, usageValue } from './input-primitives.js';

/** What a credit check answers while the store cannot be read (`creditEntitlementsFallback`). */
export const creditFallbackSchema = z.lazy(() =>
  z.strictObject({
    hasAccess: z.boolean(),
    usageLimit: z.number().finite().nonnegative().optional(),
    currentUsage: z.number().finite().nonnegative().optional(),
  }),
);

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
    /** The reference's name for `metadata`; the two are merged. */
    additionalMetaData: metadataSchema.optional(),
    idempotencyKey: idempotencyKey.optional(),
    /** Accepted and ignored: a grant's cost is recorded, never collected. */
    paymentCollectionMethod: paymentCollectionMethodSchema.optional(),
    awaitPaymentConfirmation: z.boolean().optional(),
    billingInformation: z
      .strictObject({
        billingAddress: billingAddressSchema.optional(),
        invoiceDaysUntilDue: z.number().int().nonnegative().max(3650).optional(),
        isInvoicePaid: z.boolean().optional(),
      })
      .optional(),
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
    /** Accepted and ignored: credits are taken from the balance as it is when the call is made. */
    createdAt: instant.optional(),
  }),
);

/** `getCreditBalance`'s input: the reference's currency is optional (then the catalog's only one). */
export const creditBalanceSchema = z.lazy(() => z.strictObject({ ...creditPool(), currencyId: id.optional() }));

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

/** Cursor paging as the reference takes it: `first` items after `after`, `last` before `before`. */
const paging = (cursor: z.ZodString) =>
  z.strictObject({
    first: z.number().int().min(1).max(1000).optional(),
    after: cursor.optional(),
    last: z.number().int().min(1).max(1000).optional(),
    before: cursor.optional(),
  });
/** `paging`, 100 items at a time unless told. */
const pagingOf100 = (cursor: z.ZodString) =>
  paging(cursor)
    .transform((p) => (p.first === undefined && p.last === undefined ? { ...p, first: 100 } : p))
    .default({ first: 100 });

export const creditGrantsSchema = z.lazy(() =>
  z.strictObject({
    customerId: id,
    currencyId: id.optional(),
    resourceId,
    paging: pagingOf100(z.string().min(1)),
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
    paging: pagingOf100(z.string().regex(/^\d+$/)),
  }),
);

/** The environment an auto-recharge call names: accepted and ignored, a store is one environment. */
const environmentId = () => z.string().max(255).optional();

/**
 * A save of automatic recharge settings. Fields left out keep their saved values (a first save
 * defaults `thresholdType` to CREDIT_AMOUNT, as the SDK, and needs `thresholdValue` and
 * `targetBalance`). `thresholdType` and `grantExpirationPeriod` take the SDK's values
 * (`CreditAmount`, `OneMonth`) and the docs' (`CREDIT_AMOUNT`, `ONE_MONTH`, `MONTH`).
 */
export const saveAutoRechargeSchema = z.lazy(() =>
  z
    .strictObject({
      customerId: id,
      currencyId: id,
      environmentId: environmentId(),
      isEnabled: z.boolean(),
      thresholdType: thresholdTypeSchema.optional(),
      thresholdValue: z.union([z.number().finite().nonnegative(), z.string()]).optional(),
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
    .transform(({ customerId, currencyId, environmentId: _, ...config }) => ({ customerId, currencyId, config })),
);

export const autoRechargeKeySchema = z.lazy(() =>
  z
    .strictObject({ customerId: id, currencyId: id, environmentId: environmentId() })
    .transform(({ environmentId: _, ...key }) => key),
);

export const creditUsageSchema = z.lazy(() =>
  z.strictObject({
    customerId: id,
    currencyId: id.optional(),
    resourceId,
    timeRange: z.enum(['LAST_DAY', 'LAST_WEEK', 'LAST_MONTH', 'LAST_YEAR']).optional(),
    startDate: instant.optional(),
    endDate: instant.optional(),
    groupBy: z.array(z.string().min(1)).max(3).optional(),
    /** Pages the series; without it every series is returned. */
    paging: paging(z.string().min(1)).optional(),
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
