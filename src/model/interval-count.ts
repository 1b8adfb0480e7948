// Every schema here is z.lazy, built on its first parse, so importing allot builds none.
import { z } from 'zod';

/** The most intervals one period may span (1000 hours to 1000 years): bounds keep every boundary in Date range. */
export const MAX_INTERVAL_COUNT = 1000;

/**
 * How many intervals one reset period spans (`resetPeriod: 'MONTH'` with 3: every three months),
 * as Stripe's `interval_count`: a whole number from 1 to {@link MAX_INTERVAL_COUNT}.
 */
export const intervalCount = z.lazy(() => z.number().int('must be a whole number').min(1).max(MAX_INTERVAL_COUNT));

/** The same rule without zod, for the pure core's own checks. */
export function isIntervalCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_INTERVAL_COUNT;
}
