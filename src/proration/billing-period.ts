import { addMonthsUtc, usagePeriod } from '../core/reset-period.js';
import { AllotError } from '../errors.js';
import { BillingPeriod, enumValues } from '../model/enums.js';

/** A half-open billing period `[start, end)` in epoch ms. */
export interface PeriodRange {
  readonly start: number;
  readonly end: number;
}

const MONTHS: Readonly<Record<BillingPeriod, number>> = { MONTHLY: 1, ANNUALLY: 12 };

/**
 * The length of a billing period in months; an unknown period throws INVALID_INPUT.
 *
 * @example billingPeriodMonths('ANNUALLY') // 12
 */
export function billingPeriodMonths(billingPeriod: BillingPeriod): number {
  const months = MONTHS[billingPeriod];
  if (months === undefined)
    throw new AllotError('INVALID_INPUT', `unknown billing period "${billingPeriod}"`, {
      details: { billingPeriod, allowed: enumValues(BillingPeriod) },
    });
  return months;
}

/**
 * The billing period that contains `at`, counted in whole periods from `anchor` (the subscription's
 * billing anchor), month-end clamped and in UTC: a Jan 31 anchor gives Feb 28/29, then Mar 31.
 *
 * @example billingPeriodRange('MONTHLY', Date.UTC(2024, 0, 31), Date.UTC(2024, 1, 10))
 *   // { start: 2024-01-31, end: 2024-02-29 }
 */
export function billingPeriodRange(billingPeriod: BillingPeriod, anchor: number, at: number): PeriodRange {
  const { start, end } = usagePeriod(billingPeriodMonths(billingPeriod) === 1 ? 'MONTH' : 'YEAR', anchor, at);
  return { start, end };
}

/**
 * The billing period that starts at `start`: what `billingCycleAnchor: 'NOW'` opens at a change.
 *
 * @example periodStartingAt('MONTHLY', Date.UTC(2024, 0, 31)) // { start: 2024-01-31, end: 2024-02-29 }
 */
export function periodStartingAt(billingPeriod: BillingPeriod, start: number): PeriodRange {
  return { start, end: addMonthsUtc(start, billingPeriodMonths(billingPeriod)) };
}
