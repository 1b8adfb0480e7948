// The credit cost of usage, for credit-backed features and for estimates that persist nothing.

import type { FeatureCreditRate } from '../catalog/credit-schema.js';
import { AllotError } from '../errors.js';
import { dec, decimalString, nonNegativeAmount } from '../money/amount.js';
import { Decimal, type DecimalValue, decimalOf } from '../money/money.js';

/** Credits of one currency; `credits` is a decimal string. */
export interface CreditCost {
  readonly currencyId: string;
  readonly credits: string;
}

/** What a cost would do to a balance. */
export interface CreditCostEstimate extends CreditCost {
  readonly balanceBefore: string;
  /** `balanceBefore − credits`; negative when the usage would leave the pool in debt. */
  readonly balanceAfter: string;
  /** True when the positive part of the balance cannot cover the cost: it would create or grow a debt. */
  readonly wouldOverdraft: boolean;
  /** The credits the balance lacks: `credits − max(balanceBefore, 0)`, at least 0. */
  readonly shortfall: string;
}

/**
 * How much usage grew from `previous` to `current`, as the decimal the caller reported: 0 when it
 * did not grow. Usage is kept in doubles, whose sums carry binary noise (0.1 + 0.2 is
 * 0.30000000000000004); a double holds 15 significant decimal digits, so the difference is rounded
 * at the 15th digit of the larger value, which takes the noise off and keeps every digit a caller
 * could have meant.
 *
 * @example usageIncrease(0.1, 0.1 + 0.2).toString() // '0.2'
 */
export function usageIncrease(previous: number, current: number): Decimal {
  if (!(current > previous)) return new Decimal(0);
  const raw = new Decimal(current).minus(previous);
  const integerDigits = Math.floor(Math.log10(Math.max(Math.abs(previous), Math.abs(current)))) + 1;
  // A growth too small for 15 digits (a tiny report on a huge counter) takes the digits it needs,
  // up to the 17 a double can hold, rather than rounding to nothing.
  for (let digits = DOUBLE_DIGITS; digits <= MAX_DOUBLE_DIGITS; digits++) {
    const rounded = raw.toDecimalPlaces(Math.max(0, digits - integerDigits), Decimal.ROUND_HALF_EVEN);
    if (!rounded.isZero()) return rounded;
  }
  return raw;
}

/** The significant decimal digits every double round-trips (DBL_DIG), and the most one holds. */
const DOUBLE_DIGITS = 15;
const MAX_DOUBLE_DIGITS = 17;

/**
 * The credits `value` units of a feature cost at its rate: `value × creditsPerUnit`, exactly.
 * `value` must be 0 or more (INVALID_INPUT otherwise): what negative usage gives back is the
 * caller's policy, not a cost.
 *
 * @example usageCreditCost('3', { currencyId: 'tokens', creditsPerUnit: '0.5' }) // { currencyId: 'tokens', credits: '1.5' }
 */
export function usageCreditCost(value: DecimalValue, rate: FeatureCreditRate): CreditCost {
  const units = nonNegativeAmount(value, 'value');
  return { currencyId: rate.currencyId, credits: decimalString(units.times(rate.creditsPerUnit)) };
}

/**
 * Costs summed per currency, in the order each currency first appears (an event can touch several
 * credit-backed features).
 *
 * @example combineCreditCosts([{ currencyId: 't', credits: '1' }, { currencyId: 't', credits: '2' }]) // [{ currencyId: 't', credits: '3' }]
 */
export function combineCreditCosts(costs: readonly CreditCost[]): CreditCost[] {
  const totals = new Map<string, Decimal>();
  for (const c of costs) totals.set(c.currencyId, (totals.get(c.currencyId) ?? new Decimal(0)).plus(c.credits));
  return [...totals].map(([currencyId, credits]) => ({ currencyId, credits: decimalString(credits) }));
}

/**
 * What `cost` would do to a pool whose balance is `balance`, changing nothing.
 *
 * @example estimateCreditCost({ currencyId: 't', credits: '30' }, '20') // balanceAfter '-10', wouldOverdraft true, shortfall '10'
 */
export function estimateCreditCost(cost: CreditCost, balance: DecimalValue): CreditCostEstimate {
  const before = decimalOf(balance, 'balance');
  const credits = dec(cost.credits);
  if (credits.isNegative() && !credits.isZero())
    throw new AllotError('INVALID_INPUT', `credits must not be negative, got ${cost.credits}`, {
      details: { credits: cost.credits },
    });
  const covered = Decimal.max(before, 0);
  return {
    currencyId: cost.currencyId,
    credits: decimalString(credits),
    balanceBefore: decimalString(before),
    balanceAfter: decimalString(before.minus(credits)),
    wouldOverdraft: credits.gt(covered),
    shortfall: decimalString(Decimal.max(credits.minus(covered), 0)),
  };
}
