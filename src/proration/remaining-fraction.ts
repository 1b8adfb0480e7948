import { addMonthsUtc } from '../core/reset-period.js';
import { AllotError } from '../errors.js';
import { Decimal } from '../money/money.js';
import type { PeriodRange } from './billing-period.js';

/**
 * How the unused part of a billing period is measured:
 * - `SECOND` (default): continuous time, the whole billing period as denominator;
 * - `ACTUAL_DAYS`: whole days remaining over the days in the period;
 * - `THIRTY_DAY_MONTH`: every month of the period counts as 30 days.
 * In the day conventions the day of the change counts as used, at the old price.
 */
export const ProrationConvention = {
  Second: 'SECOND',
  ActualDays: 'ACTUAL_DAYS',
  ThirtyDayMonth: 'THIRTY_DAY_MONTH',
} as const;
export type ProrationConvention = (typeof ProrationConvention)[keyof typeof ProrationConvention];

const DAY_MS = 86_400_000;

function checkInstant(period: PeriodRange, at: number): void {
  if (!(Number.isFinite(period.start) && Number.isFinite(period.end) && period.start < period.end))
    throw new AllotError('INVALID_INPUT', 'a billing period must start before it ends', { details: { period } });
  if (!(at >= period.start && at <= period.end))
    throw new AllotError('INVALID_INPUT', 'the change must fall within the billing period', {
      details: { period, at },
    });
}

// Whole days elapsed, a started day counting as a whole one.
const daysSince = (from: number, at: number) => Math.ceil((at - from) / DAY_MS);

function actualDays(period: PeriodRange, at: number): Decimal {
  const total = new Decimal(period.end - period.start).div(DAY_MS);
  const used = Decimal.min(daysSince(period.start, at), total);
  return total.minus(used).div(total);
}

function thirtyDayMonths(period: PeriodRange, at: number): Decimal {
  let months = 1;
  while (addMonthsUtc(period.start, months + 1) <= period.end) months++;
  // The period's own end closes its last month, so an anchor clamped at a month's end never drifts.
  const boundary = (k: number) => (k === months ? period.end : addMonthsUtc(period.start, k));
  let whole = 0;
  while (whole < months && boundary(whole + 1) <= at) whole++;
  const used = whole === months ? 30 * months : 30 * whole + Math.min(30, daysSince(boundary(whole), at));
  return new Decimal(30 * months - used).div(30 * months);
}

/**
 * The unused fraction (0 to 1) of `period` at the instant `at`, under a proration convention.
 * `at` must lie within `[start, end]` (INVALID_INPUT otherwise): 1 at the start, 0 at the end.
 *
 * @example remainingFraction({ start: jan1, end: jan31 }, jan16) // 0.5
 */
export function remainingFraction(
  period: PeriodRange,
  at: number,
  convention: ProrationConvention = 'SECOND',
): Decimal {
  checkInstant(period, at);
  switch (convention) {
    case 'SECOND':
      return new Decimal(period.end - at).div(period.end - period.start);
    case 'ACTUAL_DAYS':
      return actualDays(period, at);
    case 'THIRTY_DAY_MONTH':
      return thirtyDayMonths(period, at);
    default:
      throw new AllotError('INVALID_INPUT', `unknown proration convention "${String(convention)}"`, {
        details: { convention, allowed: Object.values(ProrationConvention) },
      });
  }
}
