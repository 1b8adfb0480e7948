import type { Price } from '../catalog/price-schema.js';
import { AllotError } from '../errors.js';
import { Decimal, type DecimalValue, decimalOf } from '../money/money.js';

/** A percentage price's terms (the catalog's `percentage`), amounts as decimal strings. */
export type PercentageTerms = NonNullable<Price['percentage']>;

/** What a percentage price charges for a period's transactions, unrounded, with how it was made. */
export interface PercentageCharge {
  readonly amount: Decimal;
  readonly transactions: number;
  /** Transactions wholly within the free allowance: no rate, no fee, no minimum. */
  readonly freeTransactions: number;
  /** The amounts the rate applied to, summed (the transactions' amounts less the free amount). */
  readonly paidAmount: Decimal;
  /** `rate` percent of `paidAmount`. */
  readonly rateAmount: Decimal;
  /** The fixed fees of the paying transactions. */
  readonly fixedFees: Decimal;
  /** What the per-transaction minimum added and the maximum took off, net. */
  readonly minMaxAdjustment: Decimal;
}

const optional = (value: string | undefined) => (value === undefined ? undefined : new Decimal(value));

/**
 * Lago's percentage charge model, per transaction in order: while the free allowance lasts (the
 * first `freeTransactions` transactions and the first `freeAmount` of amount, ending when either
 * runs out) a transaction is free, or pays on what exceeds the free amount left; a paying
 * transaction costs `rate` percent of what it pays on plus `fixedFeePerTransaction`, raised to
 * `minPerTransaction` and lowered to `maxPerTransaction`. A negative or non-finite amount throws
 * INVALID_INPUT. Unrounded.
 *
 * @example percentageCharge({ rate: '1.3', fixedFeePerTransaction: '2', freeTransactions: 3,
 *   freeAmount: '250' }, [50, 100, 250, 400]).amount // 11.15: 150 × 1.3% + 2, then 400 × 1.3% + 2
 */
export function percentageCharge(terms: PercentageTerms, transactions: readonly DecimalValue[]): PercentageCharge {
  const rate = new Decimal(terms.rate).div(100);
  const fee = new Decimal(terms.fixedFeePerTransaction ?? 0);
  const min = optional(terms.minPerTransaction);
  const max = optional(terms.maxPerTransaction);
  const freeCount = terms.freeTransactions ?? 0;
  const freeAmount = new Decimal(terms.freeAmount ?? 0);
  let free = freeCount > 0 || freeAmount.gt(0);
  let usedCount = 0;
  let usedAmount = new Decimal(0);
  let freeTransactions = 0;
  let paidAmount = new Decimal(0);
  let fixedFees = new Decimal(0);
  let adjustment = new Decimal(0);
  let amount = new Decimal(0);
  transactions.forEach((value, index) => {
    const v = decimalOf(value, 'transaction amount');
    if (v.lt(0))
      throw new AllotError('INVALID_INPUT', `transaction ${index} has a negative amount (${v.toString()})`, {
        details: { index, amount: v.toString() },
      });
    let paid = v;
    const inAllowance = free;
    if (free) {
      usedCount += 1;
      if (freeAmount.gt(0)) {
        const covered = Decimal.min(v, freeAmount.minus(usedAmount));
        usedAmount = usedAmount.plus(covered);
        paid = v.minus(covered);
      } else paid = new Decimal(0);
      free = !((freeCount > 0 && usedCount >= freeCount) || (freeAmount.gt(0) && usedAmount.gte(freeAmount)));
    }
    if (inAllowance && paid.isZero()) {
      freeTransactions += 1;
      return;
    }
    const raw = paid.times(rate).plus(fee);
    let charge = raw;
    if (min && charge.lt(min)) charge = min;
    if (max && charge.gt(max)) charge = max;
    paidAmount = paidAmount.plus(paid);
    fixedFees = fixedFees.plus(fee);
    adjustment = adjustment.plus(charge.minus(raw));
    amount = amount.plus(charge);
  });
  return {
    amount,
    transactions: transactions.length,
    freeTransactions,
    paidAmount,
    rateAmount: paidAmount.times(rate),
    fixedFees,
    minMaxAdjustment: adjustment,
  };
}
