// The billing inputs of customers and subscriptions, in the reference's forms: billing details,
// checkout options, price overrides, coupons, budgets and minimum spends. Every schema is z.lazy
// (or a function called inside one), built on its first parse, like input-schemas.ts.
import { z } from 'zod';
import { enumValues, PaymentCollectionMethod, SubscriptionProrationBehavior } from '../model/enums.js';
import { id } from '../model/id-schema.js';
import { instant } from '../model/instant.js';
import { currencyCode, decimalAmount } from '../money/amount-schema.js';

/** Free text a billing provider would hold: bounded, so a stored record stays small. */
const text = () => z.string().max(1000);
const jsonMap = () => z.record(z.string().max(255), z.union([text(), z.number().finite(), z.boolean(), z.null()]));
const taxIds = () => z.array(z.strictObject({ type: text(), value: text() })).max(100);

const address = () =>
  z.strictObject({
    addressLine1: text().optional(),
    addressLine2: text().optional(),
    city: text().optional(),
    country: text().optional(),
    phoneNumber: text().optional(),
    postalCode: text().optional(),
    state: text().optional(),
  });

/** A postal address in the reference's subscription form (`line1`, ...). */
export const billingAddressSchema = z.lazy(() =>
  z.strictObject({
    city: text().optional(),
    country: text().optional(),
    line1: text().optional(),
    line2: text().optional(),
    postalCode: text().optional(),
    state: text().optional(),
  }),
);

/** The reference's `CustomerBillingInfo`, stored on the customer as given (the currency upper-cased). */
export const customerBillingInfoSchema = z.lazy(() =>
  z.strictObject({
    billingAddress: address().optional(),
    shippingAddress: address().optional(),
    currency: currencyCode.optional(),
    customerName: text().optional(),
    integrationId: text().optional(),
    invoiceCustomFields: jsonMap().optional(),
    language: text().optional(),
    metadata: jsonMap().optional(),
    paymentMethodId: text().optional(),
    taxIds: taxIds().optional(),
    timezone: text().optional(),
  }),
);

/**
 * The reference's `SubscriptionBillingInfo`. One docs example spells `taxPercentage` as
 * `taxPerentage`; that spelling is taken as the same field.
 */
export const subscriptionBillingInfoSchema = z.lazy(() =>
  z
    .strictObject({
      billingAddress: billingAddressSchema.optional(),
      chargeOnBehalfOfAccount: text().optional(),
      couponId: text().optional(),
      integrationId: text().optional(),
      invoiceDaysUntilDue: z.number().int().nonnegative().max(3650).optional(),
      isBackdated: z.boolean().optional(),
      isInvoicePaid: z.boolean().optional(),
      metadata: jsonMap().optional(),
      prorationBehavior: z.enum(enumValues(SubscriptionProrationBehavior)).optional(),
      taxIds: taxIds().optional(),
      taxPercentage: z.number().min(0).max(100).optional(),
      taxPerentage: z.number().min(0).max(100).optional(),
      taxRateIds: z.array(text()).max(100).optional(),
    })
    .refine((b) => b.taxPerentage === undefined || b.taxPercentage === undefined, {
      path: ['taxPerentage'],
      message: 'taxPerentage is another spelling of taxPercentage: give one',
    })
    .transform(({ taxPerentage, ...b }) => (taxPerentage === undefined ? b : { ...b, taxPercentage: taxPerentage })),
);

/** A hosted checkout's options: accepted and ignored, since there is no checkout to host. */
export const checkoutOptionsSchema = z.lazy(() =>
  z.strictObject({
    successUrl: text(),
    cancelUrl: text(),
    allowPromoCodes: z.boolean().optional(),
    allowTaxIdCollection: z.boolean().optional(),
    collectBillingAddress: z.boolean().optional(),
    collectPhoneNumber: z.boolean().optional(),
    referenceId: text().optional(),
  }),
);

export const paymentCollectionMethodSchema = z.lazy(() => z.enum(enumValues(PaymentCollectionMethod)));

const moneyValue = () => z.strictObject({ amount: decimalAmount, currency: currencyCode.optional() });

/** The reference's `PriceOverrideInput` (see `PriceOverride`). */
export const priceOverrideSchema = z.lazy(() =>
  z
    .strictObject({
      addonId: id.optional(),
      featureId: id.optional(),
      baseCharge: z.boolean().optional(),
      price: moneyValue().optional(),
      tiers: z
        .array(
          z.strictObject({
            upTo: z.number().positive().optional(),
            unitPrice: moneyValue().optional(),
            flatPrice: moneyValue().optional(),
          }),
        )
        .min(1)
        .max(100)
        .optional(),
      blockSize: z.number().int().positive().optional(),
      currencyId: id.optional(),
      creditGrantCadence: z.enum(['BEGINNING_OF_BILLING_PERIOD', 'MONTHLY']).optional(),
      creditRate: z
        .strictObject({
          amount: z.number().finite().positive(),
          currencyId: id,
          costFormula: text().optional(),
          customCurrencyId: id.optional(),
        })
        .transform(({ customCurrencyId: _, ...rate }) => rate)
        .optional(),
    })
    .refine((o) => !(o.baseCharge === true && o.featureId !== undefined), {
      path: ['baseCharge'],
      message: 'a base charge belongs to no feature',
    })
    .refine((o) => o.price !== undefined || o.tiers !== undefined || o.blockSize !== undefined || o.creditRate, {
      message: 'a price override needs a price, tiers, a blockSize or a creditRate',
    }),
);

const inlineDiscount = () =>
  z
    .strictObject({
      name: text().optional(),
      description: text().optional(),
      percentOff: decimalAmount
        .refine((p) => Number(p) > 0 && Number(p) <= 100, 'a percentage above 0, at most 100')
        .optional(),
      amountsOff: z
        .array(z.strictObject({ amount: decimalAmount, currency: currencyCode }))
        .min(1)
        .max(200)
        .optional(),
      durationInMonths: z.number().int().positive().max(1200).optional(),
    })
    .refine((d) => (d.percentOff === undefined) !== (d.amountsOff === undefined), {
      message: 'a discount takes percentOff or amountsOff',
    });

/**
 * The reference's `SubscriptionCouponInput`: a catalog coupon (`couponId`), a promotion code, or
 * an inline `discount`, one of them; `billingCouponId` (the billing provider's) is kept.
 * `configuration.startDate` is when its periods start counting.
 */
export const appliedCouponSchema = z.lazy(() =>
  z
    .strictObject({
      couponId: id.optional(),
      promotionCode: z.string().min(1).max(255).optional(),
      discount: inlineDiscount().optional(),
      billingCouponId: text().optional(),
      configuration: z.strictObject({ startDate: instant.optional() }).optional(),
    })
    .refine(
      (c) => [c.couponId, c.promotionCode, c.discount].filter((v) => v !== undefined).length <= 1,
      'give one of couponId, promotionCode or discount',
    ),
);

/** The reference's `BudgetConfigurationInput`: kept, not enforced. */
export const budgetSchema = z.lazy(() =>
  z.strictObject({ limit: z.number().finite().nonnegative(), hasSoftLimit: z.boolean().default(false) }),
);

/** The reference's `SubscriptionMinimumSpendValueInput`: a floor on each billing period's charge. */
export const minimumSpendSchema = z.lazy(() =>
  z.strictObject({ minimum: moneyValue().optional() }).transform((m) => m.minimum),
);
