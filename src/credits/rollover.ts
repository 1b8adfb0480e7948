// What a pool reset keeps: each grant's rollover rule, what becomes of debt, and the schedule of a
// pool that resets by itself.
import { AllotError } from '../errors.js';
import { dec, nonNegativeAmount } from '../money/amount.js';
import { CREDIT_SCALE } from '../money/amount-schema.js';
import { Decimal, type DecimalValue, down } from '../money/money.js';
import { type Recurrence, requireRecurrence } from './recurrence.js';

/**
 * How much of a grant's remainder a reset keeps: `percentage` of the grant's amount (all of the
 * remainder without it), raised to `minAmount` and capped at `maxAmount`, and never more than is
 * left, so a reset never creates credits. Decimal strings; `minAmount` at most `maxAmount`.
 */
export interface RolloverRule {
  readonly maxAmount?: string;
  readonly minAmount?: string;
  /** From 0 to 100. */
  readonly percentage?: string;
}

/** What a reset does with the pool's debt: keeps it, to be repaid by the next credits, or forgives it. */
export const OverageAtReset = { Carry: 'CARRY', Forgive: 'FORGIVE' } as const;
export type OverageAtReset = (typeof OverageAtReset)[keyof typeof OverageAtReset];

/** A pool that resets by itself at every boundary of `recurrence`. */
export interface CreditResetSchedule {
  readonly recurrence: Recurrence;
  /** For grants without a rule of their own; null: nothing of theirs rolls over. */
  readonly rollover: RolloverRule | null;
  readonly overage: OverageAtReset;
  /** The boundaries after this instant are still to reset the pool: when the schedule was saved, or the last reset. */
  readonly resetAfter: number;
}

/**
 * A rollover rule checked and normalised (decimal strings, amounts of at least 0, a percentage
 * from 0 to 100, `minAmount` not above `maxAmount`); INVALID_INPUT otherwise.
 *
 * @example requireRolloverRule({ maxAmount: 50 }) // { maxAmount: '50' }
 */
export function requireRolloverRule(rule: {
  readonly maxAmount?: DecimalValue | undefined;
  readonly minAmount?: DecimalValue | undefined;
  readonly percentage?: DecimalValue | undefined;
}): RolloverRule {
  const amount = (value: DecimalValue | undefined, what: string) =>
    value === undefined ? undefined : nonNegativeAmount(value, `rollover.${what}`);
  const max = amount(rule.maxAmount, 'maxAmount');
  const min = amount(rule.minAmount, 'minAmount');
  const percentage = amount(rule.percentage, 'percentage');
  if (percentage?.gt(100))
    throw new AllotError('INVALID_INPUT', 'rollover.percentage must be from 0 to 100', {
      details: { percentage: percentage.toFixed() },
    });
  if (min !== undefined && max !== undefined && min.gt(max))
    throw new AllotError('INVALID_INPUT', 'rollover.minAmount must not be above rollover.maxAmount', {
      details: { minAmount: min.toFixed(), maxAmount: max.toFixed() },
    });
  return {
    ...(max === undefined ? {} : { maxAmount: max.toFixed() }),
    ...(min === undefined ? {} : { minAmount: min.toFixed() }),
    ...(percentage === undefined ? {} : { percentage: percentage.toFixed() }),
  };
}

/**
 * What a reset leaves of a grant of `amount` with `remainder` left under `rule` (null: nothing).
 * The percentage's share is rounded down to the credit scale, so the kept part stays a credit amount.
 *
 * @example keptAtReset({ percentage: '25', minAmount: '10' }, '20', new Decimal(15)) // 10: 25% of 20 is 5, raised to 10
 */
export function keptAtReset(rule: RolloverRule | null, amount: DecimalValue, remainder: Decimal): Decimal {
  if (rule === null || !remainder.gt(0)) return new Decimal(0);
  let cap: Decimal | null =
    rule.percentage === undefined ? null : down(dec(amount).times(rule.percentage).div(100), CREDIT_SCALE);
  if (rule.minAmount !== undefined) cap = cap === null ? null : Decimal.max(cap, rule.minAmount);
  if (rule.maxAmount !== undefined) cap = cap === null ? dec(rule.maxAmount) : Decimal.min(cap, rule.maxAmount);
  return cap === null ? remainder : Decimal.min(remainder, cap);
}

/**
 * A reset schedule checked: its recurrence, its rollover rule, a known overage choice.
 *
 * @example requireResetSchedule({ recurrence, rollover: null, overage: 'FORGIVE', resetAfter: now })
 */
export function requireResetSchedule(schedule: CreditResetSchedule): CreditResetSchedule {
  if (!Object.values(OverageAtReset).includes(schedule.overage))
    throw new AllotError('INVALID_INPUT', 'overage must be CARRY or FORGIVE', {
      details: { overage: schedule.overage },
    });
  return {
    recurrence: requireRecurrence(schedule.recurrence),
    rollover: schedule.rollover === null ? null : requireRolloverRule(schedule.rollover),
    overage: schedule.overage,
    resetAfter: schedule.resetAfter,
  };
}
