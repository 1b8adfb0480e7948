import { AllotError } from '../errors.js';
import type { BillingPeriod, SubscriptionBillingCycleAnchor } from '../model/enums.js';
import {
  addMoney,
  Decimal,
  type DecimalValue,
  decimalOf,
  down,
  halfUp,
  type Money,
  money,
  type RoundingMode,
  roundMoney,
  sumMoney,
} from '../money/money.js';
import { type PeriodRange, periodStartingAt } from './billing-period.js';
import { type ProrationConvention, remainingShares } from './remaining-fraction.js';

/**
 * What to do when earlier credits already exceed what was charged for an item: `ERROR` (default)
 * refuses it as INVALID_INPUT; `FLOOR_AT_ZERO` credits nothing more.
 */
export type ExcessCredit = 'ERROR' | 'FLOOR_AT_ZERO';

/**
 * One item a change replaces, adds or removes (a plan, an add-on, a per-unit feature), with its
 * charges for a whole billing period. Amounts are non-negative, in the proration's currency.
 */
export interface ProrationItem {
  readonly id?: string;
  /** The full-period charge of what is replaced; 0 (default) when the item is new. */
  readonly oldCharge?: DecimalValue;
  /** The full-period charge of what replaces it; 0 (default) when the item is removed. */
  readonly newCharge?: DecimalValue;
  /** What was invoiced for the old item in this period (it may have been prorated); defaults to `oldCharge`, rounded. */
  readonly charged?: DecimalValue;
  /** What earlier changes in this period already credited against `charged`; defaults to 0. */
  readonly previouslyCredited?: DecimalValue;
}

/** A change inside the current billing period `[period.start, period.end)` at `changeAt`. */
export interface ProrationInput {
  readonly currency: string;
  readonly period: PeriodRange;
  readonly changeAt: number;
  readonly items: readonly ProrationItem[];
  /** How unused time is measured; `SECOND` by default. */
  readonly convention?: ProrationConvention;
  /** `UNCHANGED` (default) keeps the period; `NOW` starts a new period at the change. */
  readonly billingCycleAnchor?: SubscriptionBillingCycleAnchor;
  /** The period's length, needed with `billingCycleAnchor: 'NOW'` to bound the new period. */
  readonly billingPeriod?: BillingPeriod;
  /**
   * The period the new charges run over when it is not `period`: a billing period of another
   * length kept on the same anchor (monthly → annual). It must contain `changeAt`; the debit is
   * its remaining share. Ignored with `billingCycleAnchor: 'NOW'`.
   */
  readonly nextPeriod?: PeriodRange;
  /** Earlier credits above the charge: `ERROR` (default) or `FLOOR_AT_ZERO`. */
  readonly excessCredit?: ExcessCredit;
  readonly rounding?: RoundingMode;
}

/** The rounded credit (≤ 0) and debit (≥ 0) of one item. */
export interface ProrationLine {
  readonly id: string | undefined;
  readonly credit: Money;
  readonly debit: Money;
}

/** The reference's `proration`, with its lines; `netAmount = debit + credit` of the rounded lines. */
export interface Proration {
  readonly prorationDate: number;
  /** The period the new charges run over: the current one, or with `NOW` the one starting at the change. */
  readonly billingPeriodRange: PeriodRange;
  readonly lines: readonly ProrationLine[];
  readonly credit: Money;
  readonly debit: Money;
  readonly netAmount: Money;
}

function amount(value: DecimalValue | undefined, field: string, item: ProrationItem): Decimal {
  const d = decimalOf(value ?? 0, field);
  if (d.lt(0))
    throw new AllotError('INVALID_INPUT', `${field} must be a non-negative amount, got ${String(value)}`, {
      details: { id: item.id, [field]: String(value) },
    });
  return d;
}

function newPeriod(input: ProrationInput): PeriodRange {
  if (input.billingCycleAnchor !== 'NOW') return input.nextPeriod ?? input.period;
  if (input.billingPeriod === undefined)
    throw new AllotError('INVALID_INPUT', 'billingCycleAnchor NOW needs the billingPeriod of the new period', {
      details: { billingCycleAnchor: input.billingCycleAnchor },
    });
  return periodStartingAt(input.billingPeriod, input.changeAt);
}

/**
 * Prorates a change inside a billing period. Per item, the credit is the unused share of the
 * old charge, capped at what was charged for the item minus what was already credited for it (an
 * excess is refused, or with `excessCredit: 'FLOOR_AT_ZERO'` credits 0); the debit is the
 * remaining share of the new charge (over `nextPeriod` when given), or with
 * `billingCycleAnchor: 'NOW'` the whole new charge for the new period that starts at the change.
 * The shares follow the convention (see `remainingShares`). Each line is rounded once (half-up
 * unless told); the totals are sums of the rounded lines.
 *
 * @example prorate({ currency: 'USD', period: { start: jan1, end: jan31 }, changeAt: jan16,
 *   items: [{ oldCharge: '10', newCharge: '20' }] }) // credit -5, debit 10, netAmount 5
 */
export function prorate(input: ProrationInput): Proration {
  const { currency, changeAt } = input;
  const mode = input.rounding ?? halfUp;
  const unused = remainingShares(input.period, changeAt, input.convention);
  const billingPeriodRange = newPeriod(input);
  const debitShare =
    input.billingCycleAnchor === 'NOW'
      ? new Decimal(1)
      : input.nextPeriod
        ? remainingShares(input.nextPeriod, changeAt, input.convention).new
        : unused.new;
  const round = (d: Decimal) => roundMoney(d, currency, mode);
  const lines = input.items.map((item): ProrationLine => {
    const oldCharge = amount(item.oldCharge, 'oldCharge', item);
    const newCharge = amount(item.newCharge, 'newCharge', item);
    const charged = item.charged === undefined ? round(oldCharge) : amount(item.charged, 'charged', item);
    const previouslyCredited = amount(item.previouslyCredited, 'previouslyCredited', item);
    if (previouslyCredited.gt(charged) && input.excessCredit !== 'FLOOR_AT_ZERO')
      throw new AllotError('INVALID_INPUT', 'previouslyCredited exceeds what was charged', {
        details: { id: item.id, charged: charged.toString(), previouslyCredited: previouslyCredited.toString() },
      });
    // The cap is truncated, not rounded, onto the minor-unit grid so the credit never exceeds it.
    const cap = roundMoney(Decimal.max(0, charged.minus(previouslyCredited)), currency, down);
    const credit = Decimal.min(round(oldCharge.times(unused.old)), cap);
    const debit = round(newCharge.times(debitShare));
    return { id: item.id, credit: money(credit.negated(), currency), debit: money(debit, currency) };
  });
  const credit = sumMoney(
    lines.map((l) => l.credit),
    currency,
  );
  const debit = sumMoney(
    lines.map((l) => l.debit),
    currency,
  );
  return { prorationDate: changeAt, billingPeriodRange, lines, credit, debit, netAmount: addMoney(debit, credit) };
}
