import { z } from 'zod';
import { BillingModel, BillingPeriod, enumValues, TiersMode } from '../core/enums.js';

const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * A non-negative decimal amount given as a number or a string, kept as a string so no float ever
 * touches money. A number must print as plain decimal digits (1e-7 or 1e21 would not); pass a
 * string to be sure of the digits, since a float such as 0.1 + 0.2 prints as 0.30000000000000004.
 */
const decimalAmount = z
  .union([
    z
      .number()
      .refine(
        (n) => DECIMAL.test(String(n)),
        'a number that prints as plain decimal digits; use a string such as "12.50"',
      ),
    z.string().regex(DECIMAL, 'a non-negative decimal such as "12.50"'),
  ])
  .transform((v) => (typeof v === 'number' ? String(v) : v));

const tierSchema = z.strictObject({
  upTo: z.number().positive().optional(),
  unitPrice: decimalAmount.optional(),
  flatPrice: decimalAmount.optional(),
});

/**
 * A price point of a plan or add-on, per billing period and optionally per country.
 * Prices are validated and versioned with the catalog now; pricing and proration use them.
 */
export const priceSchema = z
  .strictObject({
    billingPeriod: z.enum(enumValues(BillingPeriod)),
    billingModel: z.enum(enumValues(BillingModel)).default('FLAT_FEE'),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'an ISO 4217 currency code')
      .transform((c) => c.toUpperCase()),
    amount: decimalAmount.optional(),
    billingCountryCode: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 country code')
      .transform((c) => c.toUpperCase())
      .optional(),
    featureId: z.string().min(1).optional(),
    tiersMode: z.enum(enumValues(TiersMode)).optional(),
    tiers: z.array(tierSchema).min(1).optional(),
    blockSize: z.number().int().positive().optional(),
    minUnitQuantity: z.number().int().nonnegative().optional(),
    maxUnitQuantity: z.number().int().positive().optional(),
    taxInclusive: z.boolean().optional(),
  })
  .superRefine((price, ctx) => {
    if (price.tiers) {
      let last = 0;
      price.tiers.forEach((tier, i) => {
        if (tier.upTo === undefined) {
          if (i !== (price.tiers?.length ?? 0) - 1)
            ctx.addIssue({
              code: 'custom',
              path: ['tiers', i, 'upTo'],
              message: 'only the last tier may be open-ended',
            });
          return;
        }
        if (tier.upTo <= last)
          ctx.addIssue({ code: 'custom', path: ['tiers', i, 'upTo'], message: 'tiers must be strictly increasing' });
        last = tier.upTo;
      });
      if (!price.tiersMode)
        ctx.addIssue({ code: 'custom', path: ['tiersMode'], message: 'tiered prices need a tiersMode' });
    } else if (price.amount === undefined) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: 'a price needs an amount or tiers' });
    }
    if (price.billingModel !== 'FLAT_FEE' && price.billingModel !== 'MINIMUM_SPEND' && !price.featureId)
      ctx.addIssue({ code: 'custom', path: ['featureId'], message: `${price.billingModel} prices need a featureId` });
    if (
      price.minUnitQuantity !== undefined &&
      price.maxUnitQuantity !== undefined &&
      price.minUnitQuantity > price.maxUnitQuantity
    )
      ctx.addIssue({ code: 'custom', path: ['minUnitQuantity'], message: 'minUnitQuantity exceeds maxUnitQuantity' });
  });

export type PriceInput = z.input<typeof priceSchema>;
export type Price = z.output<typeof priceSchema>;
