// The schedule of a recurring grant's refills and of a pool's resets: every `intervalCount`
// intervals from an anchor. The period math is reset-period.ts's; this module is its one caller
// for credits, so a change there is a change here in one line.
import { usagePeriod } from '../core/reset-period.js';
import { AllotError } from '../errors.js';
import { EntitlementResetPeriod } from '../model/enums.js';
import { MAX_INTERVAL_COUNT } from '../model/interval-count.js';

/**
 * Every `intervalCount` × `interval` from `anchor`: the boundaries are
 * `anchor + k × intervalCount × interval` for every whole k, before and after the anchor, month
 * ends clamped as for usage periods (a Jan 31 anchor every month: Feb 28/29, then Mar 31).
 */
export interface Recurrence {
  readonly interval: EntitlementResetPeriod;
  /** A whole number from 1 to {@link MAX_INTERVAL_COUNT}. */
  readonly intervalCount: number;
  /** Epoch ms. */
  readonly anchor: number;
}

const INTERVALS: readonly string[] = Object.values(EntitlementResetPeriod);

/**
 * A recurrence checked and copied: a known interval, a whole count from 1 to
 * {@link MAX_INTERVAL_COUNT}, a finite anchor; INVALID_INPUT otherwise.
 *
 * @example requireRecurrence({ interval: 'WEEK', intervalCount: 2, anchor: now }) // every other week from now
 */
export function requireRecurrence(value: Recurrence, what = 'recurrence'): Recurrence {
  const { interval, intervalCount, anchor } = value;
  if (!INTERVALS.includes(interval))
    throw new AllotError('INVALID_INPUT', `${what}.interval must be one of ${INTERVALS.join(', ')}`, {
      details: { interval },
    });
  if (!Number.isInteger(intervalCount) || intervalCount < 1 || intervalCount > MAX_INTERVAL_COUNT)
    throw new AllotError(
      'INVALID_INPUT',
      `${what}.intervalCount must be a whole number from 1 to ${MAX_INTERVAL_COUNT}, got ${String(intervalCount)}`,
      { details: { intervalCount } },
    );
  if (typeof anchor !== 'number' || !Number.isFinite(anchor))
    throw new AllotError('INVALID_INPUT', `${what}.anchor must be an instant`, { details: { anchor } });
  return { interval, intervalCount, anchor };
}

/**
 * The period `[start, end)` of the recurrence that contains `t`.
 *
 * @example recurrencePeriod({ interval: 'MONTH', intervalCount: 2, anchor: jan31 }, mar1) // Jan 31 .. Mar 31
 */
export function recurrencePeriod(r: Recurrence, t: number): { readonly start: number; readonly end: number } {
  const { start, end } = usagePeriod(r.interval, r.anchor, t, r.intervalCount);
  return { start, end };
}

/** The first boundary of `r` strictly after `t`. */
export function boundaryAfter(r: Recurrence, t: number): number {
  return recurrencePeriod(r, t).end;
}

/** The first boundary of `r` at or after `t`. */
export function boundaryFrom(r: Recurrence, t: number): number {
  const { start, end } = recurrencePeriod(r, t);
  return start === t ? t : end;
}
