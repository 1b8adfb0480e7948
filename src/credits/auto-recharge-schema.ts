// Every schema here is z.lazy, built on its first parse, so importing allot builds none.
import { z } from 'zod';
import { creditDecimal, positiveCreditDecimal } from '../money/amount-schema.js';
import { Decimal } from '../money/money.js';

/** What auto-recharge compares with its threshold: the balance in credits, or its value in money. */
export const ThresholdType = { CreditAmount: 'CREDIT_AMOUNT', DollarAmount: 'DOLLAR_AMOUNT' } as const;
export type ThresholdType = (typeof ThresholdType)[keyof typeof ThresholdType];

/**
 * How a recharge sizes its purchase (an allot extension; Lago's `method`): `TARGET` buys what
 * brings the balance to `targetBalance` (the reference's only way), `FIXED` buys `rechargeAmount`.
 */
export const RechargeMethod = { Target: 'TARGET', Fixed: 'FIXED' } as const;
export type RechargeMethod = (typeof RechargeMethod)[keyof typeof RechargeMethod];

/** How long a grant bought by auto-recharge lasts, as the SDK guide names the periods. */
export const GrantExpirationPeriod = {
  OneMonth: 'ONE_MONTH',
  ThreeMonths: 'THREE_MONTHS',
  SixMonths: 'SIX_MONTHS',
  OneYear: 'ONE_YEAR',
} as const;
export type GrantExpirationPeriod = (typeof GrantExpirationPeriod)[keyof typeof GrantExpirationPeriod];

/** The months of each expiration period. */
export const GRANT_EXPIRATION_MONTHS: Readonly<Record<GrantExpirationPeriod, number>> = {
  ONE_MONTH: 1,
  THREE_MONTHS: 3,
  SIX_MONTHS: 6,
  ONE_YEAR: 12,
};

/**
 * Every spelling the reference documents use, read as the values above: the SDK guide's
 * (`CREDIT_AMOUNT`, `ONE_MONTH`), the GraphQL schema's, which the SDK's enums carry
 * (`CreditAmount`, `OneMonth`), the REST API's (`1_MONTH`) and the credits guide's (`MONTH`).
 */
const SPELLINGS = {
  thresholdType: {
    CREDIT_AMOUNT: 'CREDIT_AMOUNT',
    DOLLAR_AMOUNT: 'DOLLAR_AMOUNT',
    CreditAmount: 'CREDIT_AMOUNT',
    DollarAmount: 'DOLLAR_AMOUNT',
  },
  grantExpirationPeriod: {
    ONE_MONTH: 'ONE_MONTH',
    THREE_MONTHS: 'THREE_MONTHS',
    SIX_MONTHS: 'SIX_MONTHS',
    ONE_YEAR: 'ONE_YEAR',
    OneMonth: 'ONE_MONTH',
    ThreeMonths: 'THREE_MONTHS',
    SixMonths: 'SIX_MONTHS',
    OneYear: 'ONE_YEAR',
    '1_MONTH': 'ONE_MONTH',
    '1_YEAR': 'ONE_YEAR',
    MONTH: 'ONE_MONTH',
    YEAR: 'ONE_YEAR',
  },
} as const satisfies {
  thresholdType: Record<string, ThresholdType>;
  grantExpirationPeriod: Record<string, GrantExpirationPeriod>;
};

/** A value in any of its documented spellings, read as allot's. */
const spelled = <T extends Record<string, string>>(spellings: T) =>
  z
    .enum(Object.keys(spellings) as [keyof T & string, ...(keyof T & string)[]])
    .transform((v) => spellings[v] as T[keyof T]);

export const thresholdTypeSchema = z.lazy(() => spelled(SPELLINGS.thresholdType));
export const grantExpirationPeriodSchema = z.lazy(() => spelled(SPELLINGS.grantExpirationPeriod));

/**
 * An automatic recharge configuration of one (customer, currency). `thresholdValue` is in credits
 * for `CREDIT_AMOUNT` and in the currency's unit-cost money for `DOLLAR_AMOUNT`; `targetBalance`
 * is always in credits; `maxSpendLimit` is money per UTC calendar month (null: unlimited);
 * `grantExpirationPeriod` makes each recharge grant expire that long after it is bought.
 *
 * allot extensions, each absent by default (the reference's behaviour): `rechargeMethod` FIXED
 * buys `rechargeAmount` credits (targetBalance then unused); `minimumPurchase` is the fewest
 * credits one recharge buys; `bonusCredits` come with each recharge as a PROMOTIONAL grant of
 * their own; `grantType` PROMOTIONAL grants the top-up for free (no cost, no spend, no minimum).
 *
 * @example
 * autoRechargeConfigSchema.parse({
 *   isEnabled: true, thresholdType: 'CREDIT_AMOUNT', thresholdValue: 500, targetBalance: 5000,
 *   maxSpendLimit: 100,
 * })
 */
export const autoRechargeConfigSchema = z.lazy(() =>
  z
    .strictObject({
      isEnabled: z.boolean(),
      thresholdType: thresholdTypeSchema,
      thresholdValue: creditDecimal,
      targetBalance: positiveCreditDecimal.optional(),
      maxSpendLimit: creditDecimal.nullable().default(null),
      grantExpirationPeriod: grantExpirationPeriodSchema.nullable().default(null),
      rechargeMethod: z.enum([RechargeMethod.Target, RechargeMethod.Fixed]).optional(),
      rechargeAmount: positiveCreditDecimal.optional(),
      minimumPurchase: positiveCreditDecimal.optional(),
      bonusCredits: positiveCreditDecimal.optional(),
      grantType: z.enum(['PAID', 'PROMOTIONAL']).optional(),
    })
    // Only on fields that passed: zod runs an object's refinements after a field failed too, and
    // a targetBalance such as "free" would make decimal.js throw its own error.
    .refine((c) => c.rechargeMethod !== RechargeMethod.Fixed || c.rechargeAmount !== undefined, {
      path: ['rechargeAmount'],
      message: 'a FIXED recharge needs rechargeAmount',
      when: (payload) => payload.issues.length === 0,
    })
    .refine((c) => c.rechargeMethod === RechargeMethod.Fixed || c.targetBalance !== undefined, {
      path: ['targetBalance'],
      message: 'a TARGET recharge needs targetBalance',
      when: (payload) => payload.issues.length === 0,
    })
    .refine(
      (c) =>
        c.rechargeMethod === RechargeMethod.Fixed ||
        c.thresholdType !== ThresholdType.CreditAmount ||
        new Decimal(c.targetBalance ?? 0).gt(c.thresholdValue),
      {
        path: ['targetBalance'],
        message: 'targetBalance must be above thresholdValue, or every recharge would trigger the next',
        when: (payload) => payload.issues.length === 0,
      },
    ),
);
export type AutoRechargeConfigInput = z.input<typeof autoRechargeConfigSchema>;
/** A configuration as validated: what decides a recharge. */
export type AutoRechargeRule = z.output<typeof autoRechargeConfigSchema>;
/** A configuration as stored: its rule, and when it was first and last saved (epoch ms; absent on settings saved before allot kept them). */
export type AutoRechargeConfig = AutoRechargeRule & { readonly createdAt?: number; readonly updatedAt?: number };
