// Every schema here is z.lazy, built on its first parse, so importing allot builds none.
import { z } from 'zod';
import { CreditCadence } from '../catalog/credit-schema.js';
import { creditDecimal, positiveCreditDecimal } from '../money/amount-schema.js';
import { Decimal } from '../money/money.js';

/** What auto-recharge compares with its threshold: the balance in credits, or its value in money. */
export const ThresholdType = { CreditAmount: 'CREDIT_AMOUNT', DollarAmount: 'DOLLAR_AMOUNT' } as const;
export type ThresholdType = (typeof ThresholdType)[keyof typeof ThresholdType];

/**
 * An automatic recharge configuration of one (customer, currency). `thresholdValue` is in credits
 * for `CREDIT_AMOUNT` and in the currency's unit-cost money for `DOLLAR_AMOUNT`; `targetBalance`
 * is always in credits; `maxSpendLimit` is money per UTC calendar month (null: unlimited);
 * `grantExpirationPeriod` makes each recharge grant expire that long after it is bought.
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
      thresholdType: z.enum([ThresholdType.CreditAmount, ThresholdType.DollarAmount]),
      thresholdValue: creditDecimal,
      targetBalance: positiveCreditDecimal,
      maxSpendLimit: creditDecimal.nullable().default(null),
      grantExpirationPeriod: z.enum([CreditCadence.Month, CreditCadence.Year]).nullable().default(null),
    })
    .refine(
      (config) =>
        config.thresholdType !== 'CREDIT_AMOUNT' || new Decimal(config.targetBalance).gt(config.thresholdValue),
      {
        path: ['targetBalance'],
        message: 'targetBalance must be above thresholdValue, or every recharge would trigger the next',
        // Only on fields that passed: zod runs an object's refinement after a field failed too, and
        // a targetBalance such as "free" would make decimal.js throw its own error.
        when: (payload) => payload.issues.length === 0,
      },
    ),
);
export type AutoRechargeConfigInput = z.input<typeof autoRechargeConfigSchema>;
/** Saved settings, with when they were first and last saved (epoch ms; absent on settings saved before allot kept them). */
export type AutoRechargeConfig = z.output<typeof autoRechargeConfigSchema> & {
  readonly createdAt?: number;
  readonly updatedAt?: number;
};
