import { describe, expect, it } from 'vitest';
import { PRORATION_CONVENTIONS } from '../../src/catalog/proration-schema.js';
import { Decimal } from '../../src/money/money.js';
import { billingPeriodRange } from '../../src/proration/billing-period.js';
import { ProrationConvention, remainingFraction, remainingShares } from '../../src/proration/remaining-fraction.js';
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

  it('THIRTY_360: Kill Bill with org.killbill.invoice.proration.fixed.days=30', () => {
    // killbill/killbill invoice/src/test/java/org/killbill/billing/invoice/generator/
    // TestInvoiceDateUtilsWithFixedProration.java, testProRationBeforeFirstBillingPeriod1: from the
    // 23rd to the next billing day, the 15th, is 0.733333333 of a month in May, June, and February
    // of 2023 and of the leap year 2024 (22 days of 30). Here: the unused part after the 23rd of a
    // period from the 15th to the 15th.
    for (const [start, change, end] of [
      ['2023-05-15', '2023-05-23', '2023-06-15'],
      ['2023-06-15', '2023-06-23', '2023-07-15'],
      ['2023-02-15', '2023-02-23', '2023-03-15'],
      ['2024-02-15', '2024-02-23', '2024-03-15'],
    ] as const) {
      const period = { start: at(`${start}T00:00:00Z`), end: at(`${end}T00:00:00Z`) };
      expect(remainingFraction(period, at(`${change}T00:00:00Z`), 'THIRTY_360').toFixed(9)).toBe('0.733333333');
    }
    // testProRationBeforeFirstBillingPeriod2: from the 15th to the 23rd is 0.266666667 (8 of 30).
    const may = { start: at('2023-04-23T00:00:00Z'), end: at('2023-05-23T00:00:00Z') };
    expect(remainingFraction(may, at('2023-05-15T00:00:00Z'), 'THIRTY_360').toFixed(9)).toBe('0.266666667');
    // A 31st adds nothing: from the 30th to the month's end is one day; the end of February adds
    // the days it lacks (Feb 23 → Mar 1 2023 is 8 days, not 6).
    expect(f(jan, '2024-01-30T00:00:00Z', 'THIRTY_360')).toBe(new Decimal(1).div(30).toString());
    expect(f(jan, '2024-01-30T12:00:00Z', 'THIRTY_360')).toBe(new Decimal(1).div(30).toString());
    const febToMar = { start: at('2023-02-23T00:00:00Z'), end: at('2023-03-23T00:00:00Z') };
    expect(remainingFraction(febToMar, at('2023-03-01T00:00:00Z'), 'THIRTY_360').times(30).toString()).toBe('22');
  });

  it('TWENTY_EIGHT_DAY_MONTH: Kill Bill with org.killbill.invoice.proration.fixed.days=28', () => {
    // TestInvoiceDateUtilsWithFixedProration.java, testDaysBetweenWithFixedDaysInMonth28: May 23 →
    // June 15 (and the same days of June/July, February/March 2023 and 2024) is 20 days of 28.
    for (const [start, change, end] of [
      ['2023-05-15', '2023-05-23', '2023-06-15'],
      ['2023-06-15', '2023-06-23', '2023-07-15'],
      ['2023-02-15', '2023-02-23', '2023-03-15'],
      ['2024-02-15', '2024-02-23', '2024-03-15'],
    ] as const) {
      const period = { start: at(`${start}T00:00:00Z`), end: at(`${end}T00:00:00Z`) };
      const unused = remainingFraction(period, at(`${change}T00:00:00Z`), 'TWENTY_EIGHT_DAY_MONTH');
      expect(unused.times(28).toString()).toBe('20');
    }
    // The 29th to the 31st add nothing: from the 28th to the month's end is one day.
    expect(f(jan, '2024-01-28T00:00:00Z', 'TWENTY_EIGHT_DAY_MONTH')).toBe(new Decimal(1).div(28).toString());
    expect(f(jan, '2024-01-30T12:00:00Z', 'TWENTY_EIGHT_DAY_MONTH')).toBe(new Decimal(1).div(28).toString());
  });

  it('ACTUAL_DAYS_CHANGE_DAY_TO_BOTH: the day of the change is credited to neither and charged to the new plan', () => {
    // getlago/lago-api spec/services/credit_notes/create_from_termination_spec.rb, "creates a
    // credit note": a 31.00 monthly plan (calendar billing) terminated on Oct 15 at 10:00 credits
    // 16 days (16.00): the termination day counts as used. A subscription is charged from its
    // start day inclusive (docs.getlago.com, Assign a plan, calendar billing: starting Aug 10,
    // "22 days x $50 / 31 days"), so the new plan pays Oct 15 as well: 17 of 31.
    const oct = { start: at('2022-10-01T00:00:00Z'), end: at('2022-11-01T00:00:00Z') };
    const shares = remainingShares(oct, at('2022-10-15T10:00:00Z'), 'ACTUAL_DAYS_CHANGE_DAY_TO_BOTH');
    expect(shares.old.times(31).toString()).toBe('16');
    expect(shares.new.times(31).toString()).toBe('17');
    // A change at midnight starts no day: nothing is paid twice.
    const midnight = remainingShares(oct, at('2022-10-15T00:00:00Z'), 'ACTUAL_DAYS_CHANGE_DAY_TO_BOTH');
    expect(midnight.old.eq(midnight.new)).toBe(true);
    // ACTUAL_DAYS (today's rule) gives the day to the old plan only.
    const actual = remainingShares(oct, at('2022-10-15T10:00:00Z'), 'ACTUAL_DAYS');
    expect([actual.old.times(31).toString(), actual.new.times(31).toString()]).toEqual(['16', '16']);
  });

  it('the catalog lists the same conventions as the core', () => {
    expect([...PRORATION_CONVENTIONS].sort()).toEqual(Object.values(ProrationConvention).sort());
  });

  it('refuses an instant outside the period, an empty period and an unknown convention', () => {
    expectAllotError(() => remainingFraction(jan, jan.start - 1), 'INVALID_INPUT');
    expectAllotError(() => remainingFraction(jan, jan.end + 1), 'INVALID_INPUT');
    expectAllotError(() => remainingFraction({ start: 5, end: 5 }, 5), 'INVALID_INPUT');
    expectAllotError(() => remainingFraction(jan, jan.start, 'HOURLY' as ProrationConvention), 'INVALID_INPUT');
  });
});

describe('properties', () => {
  const CONVENTIONS = Object.values(ProrationConvention);
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

  it('the new share equals the old one, or under CHANGE_DAY_TO_BOTH exceeds it by at most one day', () => {
    fc.assert(
      fc.property(scenario, ({ period, early, convention }) => {
        const { old, new: next } = remainingShares(period, early, convention);
        const day = new Decimal(DAY).div(period.end - period.start);
        if (convention === 'ACTUAL_DAYS_CHANGE_DAY_TO_BOTH') {
          expect(next.gte(old) && next.minus(old).lte(day)).toBe(true);
          expect(old.eq(remainingFraction(period, early, 'ACTUAL_DAYS'))).toBe(true);
        } else expect(next.eq(old)).toBe(true);
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
        for (const c of ['THIRTY_DAY_MONTH', 'THIRTY_360'] as const)
          expect(remainingFraction(period, early, c).minus(exact).abs().lte(new Decimal(3).div(28))).toBe(true);
        // A 28-day month drops up to 3 days of 31 plus the started day.
        expect(
          remainingFraction(period, early, 'TWENTY_EIGHT_DAY_MONTH').minus(exact).abs().lte(new Decimal(4).div(28)),
        ).toBe(true);
      }),
    );
  });
});
