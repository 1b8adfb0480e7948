// Every schema here is z.lazy, built on its first parse, so importing allot builds none.
import { z } from 'zod';
import { BillingModel, BillingPeriod, enumValues, TiersMode } from '../model/enums.js';
import { currencyCode, decimalAmount } from '../money/amount-schema.js';

/**
 * A percentage price (Lago's percentage charge model): `rate` percent of each transaction's amount
 * (the amount an event carries), plus `fixedFeePerTransaction`; the first `freeTransactions`
 * transactions, or the first `freeAmount` of amount, whichever runs out first, are free; each
 * paying transaction costs at least `minPerTransaction` and at most `maxPerTransaction`.
 */
const percentageSchema = z.lazy(() =>
  z
    .strictObject({
      rate: decimalAmount.refine((r) => Number(r) <= 100, 'a percentage of at most 100'),
      fixedFeePerTransaction: decimalAmount.optional(),
      freeTransactions: z.number().int().nonnegative().optional(),
      freeAmount: decimalAmount.optional(),
      minPerTransaction: decimalAmount.optional(),
      maxPerTransaction: decimalAmount.optional(),
    })
    .refine(
      (p) =>
        p.minPerTransaction === undefined ||
        p.maxPerTransaction === undefined ||
        Number(p.minPerTransaction) <= Number(p.maxPerTransaction),
      { path: ['minPerTransaction'], message: 'minPerTransaction exceeds maxPerTransaction' },
    ),
);

const tierSchema = z.lazy(() =>
  z.strictObject({
    upTo: z.number().positive().optional(),
    unitPrice: decimalAmount.optional(),
    flatPrice: decimalAmount.optional(),
  }),
);

/**
 * A price point of a plan or add-on, per billing period and optionally per country.
 * Prices are validated and versioned with the catalog now; pricing and proration use them.
 */
export const priceSchema = z.lazy(() =>
  z
    .strictObject({
      billingPeriod: z.enum(enumValues(BillingPeriod)),
      billingModel: z.enum(enumValues(BillingModel)).default('FLAT_FEE'),
      currency: currencyCode,
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
      // Options beyond the reference's price; each absent by default, which keeps the behaviour
      // (and the content hash) of prices written before them.
      /** Tiered prices: charge the first tier's flat price at quantity 0 (else 0 costs nothing). */
      flatPriceAtZero: z.boolean().optional(),
      /** Package prices: whole blocks are charged rounding a partial block UP (default) or DOWN. */
      blockRounding: z.enum(['UP', 'DOWN']).optional(),
      /** Package prices: units free before the blocks are counted. */
      freeUnits: z.number().nonnegative().optional(),
      /** PER_UNIT prices: take a fractional quantity (2.5 GB) instead of refusing it. */
      fractionalQuantity: z.boolean().optional(),
      /** A cap on what the price charges in one billing period. */
      maximumAmount: decimalAmount.optional(),
      /** USAGE_BASED prices: a percentage of the amounts events carry (see `percentageSchema`). */
      percentage: percentageSchema.optional(),
      /** USAGE_BASED prices: price a negative net usage as a CREDIT line, or FLOOR_AT_ZERO (else refused). */
      negativeUsage: z.enum(['CREDIT', 'FLOOR_AT_ZERO']).optional(),
    })
    .superRefine((price, ctx) => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
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
      } else if (price.amount === undefined && !price.percentage) {
        ctx.addIssue({ code: 'custom', path: ['amount'], message: 'a price needs an amount or tiers' });
      }
      const fixedAmount = price.billingModel === 'FLAT_FEE' || price.billingModel === 'MINIMUM_SPEND';
      if (fixedAmount && price.tiers)
        ctx.addIssue({
          code: 'custom',
          path: ['tiers'],
          message: `${price.billingModel} prices take an amount, not tiers`,
        });
      // A block size on a tiered price would leave open whether upTo counts units or blocks.
      if (price.tiers && price.blockSize !== undefined)
        ctx.addIssue({ code: 'custom', path: ['blockSize'], message: 'a price has tiers or a blockSize, not both' });
      if (!fixedAmount && !price.featureId)
        ctx.addIssue({ code: 'custom', path: ['featureId'], message: `${price.billingModel} prices need a featureId` });
      if (
        price.minUnitQuantity !== undefined &&
        price.maxUnitQuantity !== undefined &&
        price.minUnitQuantity > price.maxUnitQuantity
      )
        ctx.addIssue({ code: 'custom', path: ['minUnitQuantity'], message: 'minUnitQuantity exceeds maxUnitQuantity' });
      refineOptions(price, issue);
    }),
);

/** Each price option is checked against the model it belongs to, so none is silently ignored. */
function refineOptions(
  price: {
    billingModel: string;
    amount?: string | undefined;
    tiers?: unknown[] | undefined;
    blockSize?: number | undefined;
    flatPriceAtZero?: boolean | undefined;
    blockRounding?: string | undefined;
    freeUnits?: number | undefined;
    fractionalQuantity?: boolean | undefined;
    maximumAmount?: string | undefined;
    percentage?: unknown;
    negativeUsage?: string | undefined;
  },
  issue: (path: string, message: string) => void,
): void {
  if (price.flatPriceAtZero !== undefined && !price.tiers)
    issue('flatPriceAtZero', 'only a tiered price has a first tier to charge');
  if (price.blockRounding !== undefined && price.blockSize === undefined)
    issue('blockRounding', 'only a package price (blockSize) rounds blocks');
  if (price.freeUnits !== undefined && price.blockSize === undefined)
    issue('freeUnits', 'free units belong to a package price (blockSize)');
  if (price.fractionalQuantity !== undefined && price.billingModel !== 'PER_UNIT')
    issue('fractionalQuantity', 'only a PER_UNIT price takes a quantity (usage may be fractional anyway)');
  const fixed = price.billingModel === 'FLAT_FEE' || price.billingModel === 'MINIMUM_SPEND';
  if (price.maximumAmount !== undefined && fixed)
    issue('maximumAmount', `a ${price.billingModel} price is its amount: it has no maximum`);
  const usage = price.billingModel === 'USAGE_BASED';
  if (price.negativeUsage !== undefined && !usage) issue('negativeUsage', 'only a USAGE_BASED price prices usage');
  if (price.percentage !== undefined) {
    if (!usage) issue('percentage', 'only a USAGE_BASED price is a percentage of what events carry');
    if (price.amount !== undefined || price.tiers || price.blockSize !== undefined)
      issue('percentage', 'a percentage price has no amount, tiers or blockSize');
  }
}

export type PriceInput = z.input<typeof priceSchema>;
export type Price = z.output<typeof priceSchema>;
/** One tier of a tiered price: units up to `upTo` (open-ended when absent) at `unitPrice`, plus `flatPrice`. */
export type PriceTier = NonNullable<Price['tiers']>[number];

const describePrice = (p: Price) =>
  `${p.billingPeriod} price for ${p.billingCountryCode ?? 'the default country'}${p.featureId ? ` of feature "${p.featureId}"` : ''}`;

/**
 * The prices of one plan or add-on: at most one price per (billing period, country, feature), and
 * one currency per (billing period, country), so that selecting prices is never ambiguous.
 *
 * @example priceListSchema.parse([{ billingPeriod: 'MONTHLY', currency: 'USD', amount: '10' }])
 */
export const priceListSchema = z.lazy(() =>
  z.array(priceSchema).superRefine((prices, ctx) => {
    const seen = new Set<string>();
    const currencies = new Map<string, string>();
    prices.forEach((price, i) => {
      const key = describePrice(price);
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i], message: `a second ${key}` });
      seen.add(key);
      const group = `${price.billingPeriod} ${price.billingCountryCode ?? 'default'}`;
      const currency = currencies.get(group) ?? price.currency;
      currencies.set(group, currency);
      if (currency !== price.currency)
        ctx.addIssue({
          code: 'custom',
          path: [i, 'currency'],
          message: `${group} prices are in ${currency}, not ${price.currency}`,
        });
    });
  }),
);
