import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/money/money.js';
import { billingPeriodRange } from '../../src/proration/billing-period.js';
import { type ProrationConvention, remainingFraction } from '../../src/proration/remaining-fraction.js';
import { at, DAY, expectAllotError, fc } from '../pricing/helpers.js';

const jan = { start: at('2024-01-01T00:00:00Z'), end: at('2024-02-01T00:00:00Z') };
const feb = { start: at('2024-02-01T00:00:00Z'), end: at('2024-03-01T00:00:00Z') };
const f = (period: typeof jan, iso: string, c?: ProrationConvention) =>
  remainingFraction(period, at(iso), c).toString();

describe('remainingFraction', () => {
  it('SECOND: continuous time over the whole period', () => {
    expect(f(jan, '2024-01-01T00:00:00Z')).toBe('1');
    expect(f(jan, '2024-01-16T12:00:00Z')).toBe('0.5');
    expect(f(jan, '2024-02-01T00:00:00Z')).toBe('0');
    expect(f(feb, '2024-02-15T12:00:00Z', 'SECOND')).toBe('0.5');
  });

  it('ACTUAL_DAYS: whole days remaining over the days in the period; the day of the change is used', () => {
    expect(f(jan, '2024-01-01T00:00:00Z', 'ACTUAL_DAYS')).toBe('1');
    expect(f(feb, '2024-02-15T00:00:00Z', 'ACTUAL_DAYS')).toBe(new Decimal(15).div(29).toString());
    expect(f(feb, '2024-02-15T00:00:01Z', 'ACTUAL_DAYS')).toBe(new Decimal(14).div(29).toString());
    expect(f(feb, '2024-02-29T23:59:59Z', 'ACTUAL_DAYS')).toBe('0');
  });

  it('THIRTY_DAY_MONTH: every month counts as 30 days', () => {
    expect(f(feb, '2024-02-01T00:00:00Z', 'THIRTY_DAY_MONTH')).toBe('1');
    expect(f(feb, '2024-02-16T00:00:00Z', 'THIRTY_DAY_MONTH')).toBe('0.5');
    expect(f(jan, '2024-01-16T00:00:00Z', 'THIRTY_DAY_MONTH')).toBe('0.5');
    // Day 31 of a 31-day month counts as 30 days used: nothing left.
    expect(f(jan, '2024-01-31T00:00:01Z', 'THIRTY_DAY_MONTH')).toBe('0');
    expect(f(feb, '2024-03-01T00:00:00Z', 'THIRTY_DAY_MONTH')).toBe('0');
  });

  it('THIRTY_DAY_MONTH on a year: 360 days, month by month', () => {
    const year = { start: at('2024-01-01T00:00:00Z'), end: at('2025-01-01T00:00:00Z') };
    expect(f(year, '2024-07-01T00:00:00Z', 'THIRTY_DAY_MONTH')).toBe('0.5');
    expect(f(year, '2024-03-11T00:00:00Z', 'THIRTY_DAY_MONTH')).toBe(new Decimal(290).div(360).toString());
  });

  it('THIRTY_DAY_MONTH on a clamped month-end period ends exactly at the period end', () => {
    // Anchor Jan 31: the period Feb 29 → Mar 31 is one month of 31 days.
    const period = billingPeriodRange('MONTHLY', at('2024-01-31T00:00:00Z'), at('2024-03-10T00:00:00Z'));
    expect(f(period, '2024-02-29T00:00:00Z', 'THIRTY_DAY_MONTH')).toBe('1');
    expect(f(period, '2024-03-15T00:00:00Z', 'THIRTY_DAY_MONTH')).toBe('0.5');
    expect(f(period, '2024-03-31T00:00:00Z', 'THIRTY_DAY_MONTH')).toBe('0');
  });

  it('refuses an instant outside the period, an empty period and an unknown convention', () => {
    expectAllotError(() => remainingFraction(jan, jan.start - 1), 'INVALID_INPUT');
    expectAllotError(() => remainingFraction(jan, jan.end + 1), 'INVALID_INPUT');
    expectAllotError(() => remainingFraction({ start: 5, end: 5 }, 5), 'INVALID_INPUT');
    expectAllotError(() => remainingFraction(jan, jan.start, 'HOURLY' as ProrationConvention), 'INVALID_INPUT');
  });
});

describe('properties', () => {
  const CONVENTIONS: ProrationConvention[] = ['SECOND', 'ACTUAL_DAYS', 'THIRTY_DAY_MONTH'];
  const scenario = fc
    .record({
      anchor: fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }),
      billingPeriod: fc.constantFrom('MONTHLY' as const, 'ANNUALLY' as const),
      offset: fc.integer({ min: 0, max: 400 * DAY }),
      a: fc.double({ min: 0, max: 1, noNaN: true }),
      b: fc.double({ min: 0, max: 1, noNaN: true }),
      convention: fc.constantFrom(...CONVENTIONS),
    })
    .map((s) => {
      const period = billingPeriodRange(s.billingPeriod, s.anchor, s.anchor + s.offset);
      const t = (x: number) => period.start + Math.floor(x * (period.end - period.start));
      return { ...s, period, early: t(Math.min(s.a, s.b)), late: t(Math.max(s.a, s.b)) };
    });

  it('is 1 at the start, 0 at the end, within [0, 1] and non-increasing in between, for every convention', () => {
    fc.assert(
      fc.property(scenario, ({ period, early, late, convention }) => {
        expect(remainingFraction(period, period.start, convention).eq(1)).toBe(true);
        expect(remainingFraction(period, period.end, convention).eq(0)).toBe(true);
        const x = remainingFraction(period, early, convention);
        const y = remainingFraction(period, late, convention);
        expect(x.gte(0) && x.lte(1)).toBe(true);
        expect(y.lte(x)).toBe(true);
      }),
    );
  });

  it('SECOND is exactly the remaining share of the period', () => {
    fc.assert(
      fc.property(scenario, ({ period, early }) => {
        const expected = new Decimal(period.end - early).div(period.end - period.start);
        expect(remainingFraction(period, early).eq(expected)).toBe(true);
      }),
    );
  });

  it('the day conventions stay within a day (or 30-day month share) of SECOND', () => {
    fc.assert(
      fc.property(scenario, ({ period, early }) => {
        const exact = remainingFraction(period, early, 'SECOND');
        const days = new Decimal(period.end - period.start).div(DAY);
        expect(remainingFraction(period, early, 'ACTUAL_DAYS').minus(exact).abs().lte(new Decimal(1).div(days))).toBe(
          true,
        );
        // A 30-day month stretches or squeezes a month by at most 2 days (28 → 30, 31 → 30) plus the started day.
        expect(
          remainingFraction(period, early, 'THIRTY_DAY_MONTH').minus(exact).abs().lte(new Decimal(3).div(28)),
        ).toBe(true);
      }),
    );
  });
});
