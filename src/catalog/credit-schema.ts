// Every schema here is z.lazy, built on its first parse, so importing allot builds none.
import { z } from 'zod';
import { id } from '../model/id-schema.js';
import { intervalCount } from '../model/interval-count.js';
import {
  creditDecimal,
  currencyCode,
  decimalAmount,
  positiveCreditDecimal,
  positiveRate,
} from '../money/amount-schema.js';

/** The two refill cadences of a recurring credit entitlement. */
export const CreditCadence = { Month: 'MONTH', Year: 'YEAR' } as const;
export type CreditCadence = (typeof CreditCadence)[keyof typeof CreditCadence];

/** A list of `item` in which no two share `key`. */
function uniqueBy<T extends z.ZodType, K extends keyof z.output<T> & string>(item: T, key: K, what: string) {
  return z.array(item).superRefine((items, ctx) => {
    const seen = new Set<unknown>();
    items.forEach((it, i) => {
      const value = (it as z.output<T>)[key];
      if (seen.has(value))
        ctx.addIssue({ code: 'custom', path: [i, key], message: `duplicate ${what} ${String(value)}` });
      seen.add(value);
    });
  });
}

/**
 * A credit currency of the catalog: a consumption unit (tokens, credits), not a billing currency.
 * `unitCost` prices one credit in money; auto-recharge needs it to price the grants it buys.
 *
 * @example
 * creditCurrencySchema.parse({
 *   currencyId: 'ai-tokens', displayName: 'AI tokens', units: { singular: 'token', plural: 'tokens' },
 *   unitCost: { amount: '0.001', currency: 'usd' },
 * }) // unitCost.currency is 'USD'
 */
export const creditCurrencySchema = z.lazy(() =>
  z.strictObject({
    currencyId: id,
    displayName: z.string().min(1),
    description: z.string().optional(),
    units: z.strictObject({ singular: z.string().min(1), plural: z.string().min(1) }),
    symbol: z.string().min(1).optional(),
    // A price per credit, not a credit amount: it keeps every decimal place (0.00002 USD a token).
    unitCost: z.strictObject({ amount: decimalAmount, currency: currencyCode }).optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  }),
);
export type CreditCurrencyInput = z.input<typeof creditCurrencySchema>;
export type CreditCurrency = z.output<typeof creditCurrencySchema>;

/**
 * The catalog's credit currencies: currency ids are unique.
 *
 * @example creditCurrenciesSchema.parse([tokens, tokens]) // throws: duplicate currencyId
 */
export const creditCurrenciesSchema = z.lazy(() => uniqueBy(creditCurrencySchema, 'currencyId', 'credit currency'));

/**
 * A recurring credit entitlement of a plan or an add-on: `amount` credits of `currencyId` every
 * `cadence` (every `cadenceIntervalCount` of them, 1 by default: 3 with MONTH refills quarterly),
 * refilled from the subscription's anchor. Unused credits expire at each boundary unless
 * `rolloverCap` lets up to that many carry into the next period. On an add-on, `behavior`
 * `Increment` (the default) adds `amount × quantity` to the plan's; `Override` replaces the plan's
 * amount (the largest override wins, quantity ignored), as for feature entitlements.
 *
 * @example creditEntitlementSchema.parse({ currencyId: 'ai-tokens', amount: 1000, cadence: 'MONTH' })
 */
export const creditEntitlementSchema = z.lazy(() =>
  z.strictObject({
    currencyId: id,
    amount: positiveCreditDecimal,
    cadence: z.enum([CreditCadence.Month, CreditCadence.Year]),
    /** An allot extension: one refill period spans this many cadences. */
    cadenceIntervalCount: intervalCount.optional(),
    rolloverCap: creditDecimal.optional(),
    behavior: z.enum(['Increment', 'Override']).optional(),
  }),
);
export type CreditEntitlementInput = z.input<typeof creditEntitlementSchema>;
export type CreditEntitlement = z.output<typeof creditEntitlementSchema>;

/**
 * The credit entitlements of one plan or add-on: at most one per currency.
 *
 * @example creditEntitlementsSchema.parse([{ currencyId: 'a', amount: 1, cadence: 'MONTH' }])
 */
export const creditEntitlementsSchema = z.lazy(() =>
  uniqueBy(creditEntitlementSchema, 'currencyId', 'credit entitlement'),
);

const creditRateShape = () => ({ currencyId: id, creditsPerUnit: positiveRate });

/**
 * A feature's credit rate: each unit of usage costs `creditsPerUnit` credits of `currencyId`.
 *
 * @example featureCreditRateSchema.parse({ currencyId: 'ai-tokens', creditsPerUnit: '0.5' })
 */
export const featureCreditRateSchema = z.lazy(() => z.strictObject(creditRateShape()));
export type FeatureCreditRateInput = z.input<typeof featureCreditRateSchema>;
export type FeatureCreditRate = z.output<typeof featureCreditRateSchema>;

/**
 * A plan's credit rate for one of its metered features: it replaces the feature's own rate for
 * the plan's subscribers, so a plan can price usage differently or make a feature credit-backed.
 *
 * @example planCreditRateSchema.parse({ featureId: 'gpt-calls', currencyId: 'ai-tokens', creditsPerUnit: 2 })
 */
export const planCreditRateSchema = z.lazy(() => z.strictObject({ ...creditRateShape(), featureId: id }));
export type PlanCreditRate = z.output<typeof planCreditRateSchema>;

/**
 * A plan's credit rates: at most one per feature.
 *
 * @example planCreditRatesSchema.parse([rate, rate]) // throws: duplicate featureId
 */
export const planCreditRatesSchema = z.lazy(() => uniqueBy(planCreditRateSchema, 'featureId', 'credit rate for'));
