import { AllotError } from '../errors.js';
import {
  type Decimal,
  type DecimalValue,
  decimalOf,
  halfUp,
  type Money,
  type RoundingMode,
  roundMoney,
} from '../money/money.js';

/** A tax rate: a percentage out of 100, exclusive unless `inclusive`, with a display name ('Tax'). */
export interface TaxRate {
  readonly percentage: DecimalValue;
  readonly inclusive?: boolean;
  readonly displayName?: string;
}

/** The reference's `taxDetails` of an estimate. */
export interface TaxDetails {
  readonly displayName: string;
  readonly inclusive: boolean;
  readonly percentage: number;
}

/**
 * An amount split into tax and the rest, all rounded to the minor unit, with
 * `total = totalExcludingTax + tax` exactly.
 */
export interface TaxSplit {
  readonly tax: Money;
  readonly totalExcludingTax: Money;
  readonly total: Money;
}

function percentageOf(rate: TaxRate): Decimal {
  const pct = decimalOf(rate.percentage, 'taxPercentage');
  if (pct.lt(0) || pct.gt(100))
    throw new AllotError('INVALID_INPUT', `tax percentage must be between 0 and 100, got ${String(rate.percentage)}`, {
      details: { taxPercentage: rate.percentage },
    });
  return pct;
}

/**
 * Applies a tax rate to an amount (already discounted). Exclusive: the amount excludes tax, and
 * tax = amount × pct / 100 is added on top. Inclusive: the amount already contains tax, and
 * tax = amount × pct / (100 + pct) is extracted from it. The tax is rounded once; the other
 * pieces follow from it, so they always add up.
 *
 * @example applyTax(money('100', 'USD'), { percentage: 17 }) // tax 17, totalExcludingTax 100, total 117
 * @example applyTax(money('117', 'USD'), { percentage: 17, inclusive: true }) // tax 17, totalExcludingTax 100, total 117
 */
export function applyTax(amount: Money, rate: TaxRate, mode: RoundingMode = halfUp): TaxSplit {
  const pct = percentageOf(rate);
  const base = roundMoney(amount.amount, amount.currency, mode);
  const of = (value: Decimal): Money => ({ amount: value, currency: amount.currency });
  if (rate.inclusive) {
    const tax = roundMoney(base.times(pct).div(pct.plus(100)), amount.currency, mode);
    return { tax: of(tax), totalExcludingTax: of(base.minus(tax)), total: of(base) };
  }
  const tax = roundMoney(base.times(pct).div(100), amount.currency, mode);
  return { tax: of(tax), totalExcludingTax: of(base), total: of(base.plus(tax)) };
}

/**
 * The reference's `taxDetails` for a rate.
 *
 * @example taxDetails({ percentage: '17' }) // { displayName: 'Tax', inclusive: false, percentage: 17 }
 */
export function taxDetails(rate: TaxRate): TaxDetails {
  return {
    displayName: rate.displayName ?? 'Tax',
    inclusive: rate.inclusive ?? false,
    percentage: percentageOf(rate).toNumber(),
  };
}
