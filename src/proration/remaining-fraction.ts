import { addMonthsUtc } from '../core/reset-period.js';
import { AllotError } from '../errors.js';
import { Decimal } from '../money/money.js';
import type { PeriodRange } from './billing-period.js';

/**
 * How the unused part of a billing period is measured:
 * - `SECOND` (default): continuous time, the whole billing period as denominator;
 * - `ACTUAL_DAYS`: whole days remaining over the days in the period;
 * - `ACTUAL_DAYS_CHANGE_DAY_TO_BOTH`: as ACTUAL_DAYS for what is credited, but the new price is
 *   also charged for the day of the change, so that day is paid under both plans;
 * - `THIRTY_DAY_MONTH`: each month of the period (counted from its start) is 30 days, its actual
 *   days capped at 30;
 * - `THIRTY_360`: every calendar month is 30 days: a date counts as day min(D, 30) of its month,
 *   so a 31st adds nothing and the end of February adds the missing days (30/360);
 * - `TWENTY_EIGHT_DAY_MONTH`: the same with every calendar month as 28 days.
 * In the day conventions a started day counts as used, at the old price.
 */
export const ProrationConvention = {
  Second: 'SECOND',
  ActualDays: 'ACTUAL_DAYS',
  ActualDaysChangeDayToBoth: 'ACTUAL_DAYS_CHANGE_DAY_TO_BOTH',
  ThirtyDayMonth: 'THIRTY_DAY_MONTH',
  Thirty360: 'THIRTY_360',
  TwentyEightDayMonth: 'TWENTY_EIGHT_DAY_MONTH',
} as const;
export type ProrationConvention = (typeof ProrationConvention)[keyof typeof ProrationConvention];

/** The shares of a billing period left at a change: of the old price (credited) and the new one (debited). */
export interface RemainingShares {
  readonly old: Decimal;
  readonly new: Decimal;
}

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

function actualDays(period: PeriodRange, at: number, elapsed: (from: number, at: number) => number): Decimal {
  const total = new Decimal(period.end - period.start).div(DAY_MS);
  const used = Decimal.min(elapsed(period.start, at), total);
  return total.minus(used).div(total);
}

/** Days from `from` to `to` with every calendar month `n` days long (30/360 for n = 30). */
function fixedMonthDays(from: number, to: number, n: number): number {
  const position = (t: number) => {
    const d = new Date(t);
    return n * (12 * d.getUTCFullYear() + d.getUTCMonth()) + Math.min(d.getUTCDate(), n);
  };
  return position(to) - position(from);
}

/**
 * The period split into its months from its start (its own end closing the last, so an anchor
 * clamped at a month's end never drifts), each `n` days long; `daysIn(boundary, at)` counts the
 * days used of the month that starts at `boundary`, capped at `n`.
 */
function monthsOf(period: PeriodRange, at: number, n: number, daysIn: (boundary: number, at: number) => number) {
  let months = 1;
  while (addMonthsUtc(period.start, months + 1) <= period.end) months++;
  const boundary = (k: number) => (k === months ? period.end : addMonthsUtc(period.start, k));
  let whole = 0;
  while (whole < months && boundary(whole + 1) <= at) whole++;
  const used = whole === months ? n * months : n * whole + Math.min(n, daysIn(boundary(whole), at));
  return new Decimal(n * months - used).div(n * months);
}

// The calendar days of a month from `boundary` to the end of the started day of `at`.
const calendarDays = (n: number) => (boundary: number, at: number) =>
  fixedMonthDays(boundary, boundary + daysSince(boundary, at) * DAY_MS, n);

/**
 * The unused shares (0 to 1) of `period` at the instant `at` under a proration convention: of the
 * old price, credited, and of the new one, debited. They are equal except under
 * ACTUAL_DAYS_CHANGE_DAY_TO_BOTH, where the new share also holds the started day of the change.
 * `at` must lie within `[start, end]` (INVALID_INPUT otherwise): 1 at the start, 0 at the end.
 *
 * @example remainingShares({ start: jan1, end: feb1 }, jan16noon, 'ACTUAL_DAYS_CHANGE_DAY_TO_BOTH')
 *   // { old: 15/31, new: 16/31 }
 */
export function remainingShares(
  period: PeriodRange,
  at: number,
  convention: ProrationConvention = 'SECOND',
): RemainingShares {
  checkInstant(period, at);
  const same = (share: Decimal) => ({ old: share, new: share });
  switch (convention) {
    case 'SECOND':
      return same(new Decimal(period.end - at).div(period.end - period.start));
    case 'ACTUAL_DAYS':
      return same(actualDays(period, at, daysSince));
    case 'ACTUAL_DAYS_CHANGE_DAY_TO_BOTH':
      return {
        old: actualDays(period, at, daysSince),
        new: actualDays(period, at, (from, t) => Math.floor((t - from) / DAY_MS)),
      };
    case 'THIRTY_DAY_MONTH':
      return same(monthsOf(period, at, 30, daysSince));
    case 'THIRTY_360':
      return same(monthsOf(period, at, 30, calendarDays(30)));
    case 'TWENTY_EIGHT_DAY_MONTH':
      return same(monthsOf(period, at, 28, calendarDays(28)));
    default:
      throw new AllotError('INVALID_INPUT', `unknown proration convention "${String(convention)}"`, {
        details: { convention, allowed: Object.values(ProrationConvention) },
      });
  }
}

/**
 * The unused fraction (0 to 1) of `period` at the instant `at`, under a proration convention: the
 * share of the old price a change credits (see {@link remainingShares}).
 *
 * @example remainingFraction({ start: jan1, end: jan31 }, jan16) // 0.5
 */
export function remainingFraction(
  period: PeriodRange,
  at: number,
  convention: ProrationConvention = 'SECOND',
): Decimal {
  return remainingShares(period, at, convention).old;
}
