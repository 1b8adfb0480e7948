import { AllotError } from '../errors.js';
import type { BillingPeriod } from '../model/enums.js';
import { addMonthsUtc } from './reset-period.js';

/** Day `day` of the given UTC month at 00:00, clamped to the month's last day. */
function dayOfMonth(year: number, month: number, day: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(day, last));
}

/**
 * The billing anchor of a subscription that starts at `start` and bills on day `day` (1 to 31) of
 * the month at 00:00 UTC. Its first full period starts at the next such day at or after `start`
 * (a day past the month's end is its last day: 31 gives Feb 28/29, Mar 31); the time before it is
 * the first, partial, period. The anchor returned is on or before `start` and on the same grid
 * (boundaries `anchor + n × period`), with `day` itself as its day of the month whenever a month
 * allows, so month ends never drift. A day outside 1..31 throws INVALID_INPUT.
 *
 * @example billingCycleDayAnchor('MONTHLY', 1, Date.UTC(2024, 6, 14)) // 2024-07-01: periods Jul 1, Aug 1, ...
 */
export function billingCycleDayAnchor(billingPeriod: BillingPeriod, day: number, start: number): number {
  if (!Number.isSafeInteger(day) || day < 1 || day > 31)
    throw new AllotError('INVALID_INPUT', `billingCycleDay must be a whole day of the month from 1 to 31, got ${day}`, {
      details: { billingCycleDay: day },
    });
  const s = new Date(start);
  let next = dayOfMonth(s.getUTCFullYear(), s.getUTCMonth(), day);
  if (next < start) next = dayOfMonth(s.getUTCFullYear(), s.getUTCMonth() + 1, day);
  if (billingPeriod === 'ANNUALLY') return addMonthsUtc(next, -12);
  // The latest earlier month that has the day itself: its grid passes through `next`, clamped or not.
  const n = new Date(next);
  for (let back = 1; ; back++) {
    const candidate = Date.UTC(n.getUTCFullYear(), n.getUTCMonth() - back, day);
    if (new Date(candidate).getUTCDate() === day) return candidate;
  }
}
