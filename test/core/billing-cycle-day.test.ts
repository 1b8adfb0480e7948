import { describe, expect, it } from 'vitest';
import { billingCycleDayAnchor } from '../../src/core/billing-cycle-day.js';
import { usagePeriod } from '../../src/core/reset-period.js';
import { expectAllotError } from '../helpers/expect-allot-error.js';
import { at, iso } from './factories.js';
import { fc } from './fc-setup.js';

const grid = (billingPeriod: 'MONTHLY' | 'ANNUALLY', anchor: number, from: number, n: number) => {
  const step = billingPeriod === 'MONTHLY' ? 'MONTH' : 'YEAR';
  const out: string[] = [];
  let t = from;
  for (let i = 0; i < n; i++) {
    t = usagePeriod(step, anchor, t).end;
    out.push(iso(t).slice(0, 10));
  }
  return out;
};

describe('billingCycleDayAnchor', () => {
  it('bills on the 1st: the first period runs from the start to the 1st, then whole months', () => {
    // Lago calendar billing (docs.getlago.com, Assign a plan): a monthly plan assigned on July 14
    // is invoiced for July 14 to July 31, then August 1 to 31, then full calendar months.
    const start = at('2024-07-14T09:30:00Z');
    const anchor = billingCycleDayAnchor('MONTHLY', 1, start);
    expect(anchor).toBeLessThanOrEqual(start);
    expect(usagePeriod('MONTH', anchor, start)).toMatchObject({ end: at('2024-08-01T00:00:00Z') });
    expect(grid('MONTHLY', anchor, start, 3)).toEqual(['2024-08-01', '2024-09-01', '2024-10-01']);
  });

  it('a day past the month end bills on its last day, never drifting', () => {
    // Stripe (Set the subscription billing renewal date): an anchor of January 31 bills February 28
    // (29 in a leap year), then March 31, April 30, and so on.
    const anchor = billingCycleDayAnchor('MONTHLY', 31, at('2024-01-20T00:00:00Z'));
    expect(grid('MONTHLY', anchor, at('2024-01-20T00:00:00Z'), 4)).toEqual([
      '2024-01-31',
      '2024-02-29',
      '2024-03-31',
      '2024-04-30',
    ]);
    // Starting in a short month: the first boundary is its last day, and the 31st comes back after.
    const fromApril = billingCycleDayAnchor('MONTHLY', 31, at('2023-02-10T00:00:00Z'));
    expect(grid('MONTHLY', fromApril, at('2023-02-10T00:00:00Z'), 3)).toEqual([
      '2023-02-28',
      '2023-03-31',
      '2023-04-30',
    ]);
  });

  it('a start on the day itself at midnight opens a whole period', () => {
    const start = at('2024-03-15T00:00:00Z');
    const anchor = billingCycleDayAnchor('MONTHLY', 15, start);
    expect(usagePeriod('MONTH', anchor, start)).toMatchObject({ start, end: at('2024-04-15T00:00:00Z') });
  });

  it('annually: the first full year starts at the next day N (Stripe: the next occurrence of day_of_month)', () => {
    const start = at('2024-03-20T08:00:00Z');
    const anchor = billingCycleDayAnchor('ANNUALLY', 5, start);
    expect(anchor).toBeLessThanOrEqual(start);
    expect(grid('ANNUALLY', anchor, start, 2)).toEqual(['2024-04-05', '2025-04-05']);
  });

  it('refuses a day outside 1..31', () => {
    for (const day of [0, 32, 1.5, Number.NaN])
      expectAllotError(() => billingCycleDayAnchor('MONTHLY', day, 0), 'INVALID_INPUT');
  });
});

describe('properties', () => {
  const input = fc.record({
    billingPeriod: fc.constantFrom('MONTHLY' as const, 'ANNUALLY' as const),
    day: fc.integer({ min: 1, max: 31 }),
    start: fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }),
  });

  it('the anchor is on or before the start; the first boundary after it is the next day N; every later one too', () => {
    fc.assert(
      fc.property(input, ({ billingPeriod, day, start }) => {
        const anchor = billingCycleDayAnchor(billingPeriod, day, start);
        expect(anchor).toBeLessThanOrEqual(start);
        const step = billingPeriod === 'MONTHLY' ? 'MONTH' : 'YEAR';
        const first = usagePeriod(step, anchor, start);
        expect(first.start).toBeLessThanOrEqual(start);
        // The next boundary is within one period and falls on day N (or the month's last day) at 00:00 UTC.
        expect(first.end).toBeGreaterThan(start);
        expect(first.end - start).toBeLessThanOrEqual(31 * 86_400_000);
        let t = first.end;
        for (let i = 0; i < 14; i++) {
          const d = new Date(t);
          const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
          expect(d.getUTCDate()).toBe(Math.min(day, last));
          expect(t % 86_400_000).toBe(0);
          t = usagePeriod(step, anchor, t).end;
        }
      }),
    );
  });
});
