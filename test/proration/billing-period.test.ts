import { describe, expect, it } from 'vitest';
import type { BillingPeriod } from '../../src/model/enums.js';
import { billingPeriodMonths, billingPeriodRange, periodStartingAt } from '../../src/proration/billing-period.js';
import { at, expectAllotError, fc } from '../pricing/helpers.js';

const iso = (ms: number) => new Date(ms).toISOString();
const range = (r: { start: number; end: number }) => [iso(r.start), iso(r.end)];

describe('billingPeriodRange', () => {
  it('counts monthly periods from the anchor, month-end clamped without drift', () => {
    const jan31 = at('2024-01-31T10:00:00Z');
    expect(range(billingPeriodRange('MONTHLY', jan31, at('2024-02-10T00:00:00Z')))).toEqual([
      '2024-01-31T10:00:00.000Z',
      '2024-02-29T10:00:00.000Z',
    ]);
    expect(range(billingPeriodRange('MONTHLY', jan31, at('2024-03-05T00:00:00Z')))).toEqual([
      '2024-02-29T10:00:00.000Z',
      '2024-03-31T10:00:00.000Z',
    ]);
  });

  it('counts annual periods from the anchor, Feb 29 clamped to Feb 28', () => {
    const leap = at('2024-02-29T00:00:00Z');
    expect(range(billingPeriodRange('ANNUALLY', leap, at('2025-06-01T00:00:00Z')))).toEqual([
      '2025-02-28T00:00:00.000Z',
      '2026-02-28T00:00:00.000Z',
    ]);
  });

  it('a period is half-open: its end belongs to the next one', () => {
    const anchor = at('2024-01-01T00:00:00Z');
    expect(billingPeriodRange('MONTHLY', anchor, at('2024-02-01T00:00:00Z')).start).toBe(at('2024-02-01T00:00:00Z'));
  });

  it('refuses an unknown billing period', () => {
    expectAllotError(() => billingPeriodRange('WEEKLY' as BillingPeriod, 0, 0), 'INVALID_INPUT');
    expectAllotError(() => billingPeriodMonths('DAILY' as BillingPeriod), 'INVALID_INPUT');
  });
});

describe('periodStartingAt', () => {
  it('opens a period at the given instant', () => {
    expect(range(periodStartingAt('MONTHLY', at('2024-01-31T00:00:00Z')))).toEqual([
      '2024-01-31T00:00:00.000Z',
      '2024-02-29T00:00:00.000Z',
    ]);
    expect(range(periodStartingAt('ANNUALLY', at('2024-03-15T12:00:00Z')))).toEqual([
      '2024-03-15T12:00:00.000Z',
      '2025-03-15T12:00:00.000Z',
    ]);
  });
});

describe('properties', () => {
  const instant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) });
  const period = fc.constantFrom<BillingPeriod>('MONTHLY', 'ANNUALLY');

  it('the period contains the instant and the next period starts where it ends', () => {
    fc.assert(
      fc.property(period, instant, instant, (p, anchor, now) => {
        const r = billingPeriodRange(p, anchor, now);
        expect(r.start <= now && now < r.end).toBe(true);
        expect(billingPeriodRange(p, anchor, r.end).start).toBe(r.end);
      }),
    );
  });

  it('periods keep the time of day of the anchor, in UTC', () => {
    fc.assert(
      fc.property(period, instant, instant, (p, anchor, now) => {
        const r = billingPeriodRange(p, anchor, now);
        const timeOfDay = (ms: number) => ms % 86_400_000;
        expect(timeOfDay(r.start)).toBe(timeOfDay(anchor));
        expect(timeOfDay(r.end)).toBe(timeOfDay(anchor));
      }),
    );
  });
});
