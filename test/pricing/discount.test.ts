import { describe, expect, it } from 'vitest';
import { addMonthsUtc } from '../../src/core/reset-period.js';
import { Decimal, halfEven, money, roundMoney } from '../../src/money/money.js';
import {
  couponAppliesToPeriod,
  couponRemaining,
  discountAmount,
  discountSummary,
  periodsBefore,
} from '../../src/pricing/discount.js';
import { amount, at, couponOf, currency, expectAllotError, fc, minorUnit, num } from './helpers.js';

const half = couponOf({ percentOff: 50, durationType: 'REPEATING', durationInMonths: 3 });
const five = couponOf({
  type: 'FIXED',
  percentOff: undefined,
  amountsOff: [
    { amount: '5', currency: 'USD' },
    { amount: '500', currency: 'JPY' },
  ],
});

describe('discountAmount', () => {
  it('takes a percentage of the subtotal, rounded to the minor unit', () => {
    expect(num(discountAmount(money('20', 'USD'), half))).toBe(10);
    expect(num(discountAmount(money('0.05', 'USD'), half))).toBe(0.03);
    expect(num(discountAmount(money('0.05', 'USD'), half, halfEven))).toBe(0.02);
    expect(num(discountAmount(money('101', 'JPY'), half))).toBe(51);
  });

  it('takes a fixed amount in the subtotal currency', () => {
    expect(num(discountAmount(money('20', 'USD'), five))).toBe(5);
    expect(num(discountAmount(money('2000', 'JPY'), five))).toBe(500);
  });

  it('never takes more than the subtotal', () => {
    expect(num(discountAmount(money('3', 'USD'), five))).toBe(3);
    expect(num(discountAmount(money('0', 'USD'), five))).toBe(0);
    expect(num(discountAmount(money('7.77', 'USD'), couponOf({ percentOff: 100 })))).toBe(7.77);
  });

  it('refuses a fixed coupon without an amount in the currency', () => {
    const e = expectAllotError(() => discountAmount(money('20', 'EUR'), five), 'INVALID_INPUT');
    expect(e.details).toMatchObject({ currency: 'EUR', currencies: ['USD', 'JPY'] });
  });
});

describe('discountSummary', () => {
  it("describes a coupon in the reference's shape", () => {
    expect(discountSummary(half, 'USD')).toEqual({
      type: 'PERCENTAGE',
      value: 50,
      durationType: 'REPEATING',
      durationInMonths: 3,
    });
    expect(discountSummary(five, 'JPY')).toEqual({
      type: 'FIXED',
      value: 500,
      durationType: 'FOREVER',
      durationInMonths: undefined,
    });
    expectAllotError(() => discountSummary(five, 'EUR'), 'INVALID_INPUT');
  });
});

describe('couponAppliesToPeriod', () => {
  const jan1 = at('2024-01-01T00:00:00Z');
  const month = (k: number) => ({ start: addMonthsUtc(jan1, k), end: addMonthsUtc(jan1, k + 1) });

  it('FOREVER discounts every period from the one it starts in', () => {
    const forever = couponOf();
    expect([0, 1, 24].map((k) => couponAppliesToPeriod(forever, jan1, month(k)))).toEqual([true, true, true]);
    expect(couponAppliesToPeriod(forever, jan1, month(-1))).toBe(false);
  });

  it('ONCE discounts only the period it starts in', () => {
    const once = couponOf({ durationType: 'ONCE' });
    const midJan = at('2024-01-15T00:00:00Z');
    expect([0, 1, 2].map((k) => couponAppliesToPeriod(once, midJan, month(k)))).toEqual([true, false, false]);
  });

  it('REPEATING discounts the periods that start within its months', () => {
    expect([0, 1, 2, 3, 4].map((k) => couponAppliesToPeriod(half, jan1, month(k)))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it('REPEATING for 3 months discounts the first year of an annual plan, not the second', () => {
    const year = (k: number) => ({ start: addMonthsUtc(jan1, 12 * k), end: addMonthsUtc(jan1, 12 * (k + 1)) });
    expect(couponAppliesToPeriod(half, jan1, year(0))).toBe(true);
    expect(couponAppliesToPeriod(half, jan1, year(1))).toBe(false);
  });

  it('a 1-month coupon started on Jan 31 ends on Feb 29 (month-end clamped)', () => {
    const jan31 = at('2024-01-31T00:00:00Z');
    const oneMonth = couponOf({ durationType: 'REPEATING', durationInMonths: 1 });
    const feb29 = at('2024-02-29T00:00:00Z');
    expect(couponAppliesToPeriod(oneMonth, jan31, { start: jan31, end: feb29 })).toBe(true);
    expect(couponAppliesToPeriod(oneMonth, jan31, { start: feb29, end: at('2024-03-31T00:00:00Z') })).toBe(false);
  });
});

describe('properties', () => {
  const coupon = fc.oneof(
    fc.integer({ min: 1, max: 10_000 }).map((bp) => couponOf({ percentOff: (bp / 100).toString() })),
    amount.map((off) =>
      couponOf({
        type: 'FIXED',
        percentOff: undefined,
        amountsOff: ['USD', 'EUR', 'JPY', 'KWD'].map((c) => ({ amount: off.toString(), currency: c })),
      }),
    ),
  );

  it('a discount never yields a negative total and is itself rounded and non-negative', () => {
    fc.assert(
      fc.property(amount, currency, coupon, (a, c, cp) => {
        const subtotal = money(roundMoney(a, c), c);
        const off = discountAmount(subtotal, cp);
        expect(off.amount.gte(0)).toBe(true);
        expect(subtotal.amount.minus(off.amount).gte(0)).toBe(true);
        expect(roundMoney(off.amount, c).eq(off.amount)).toBe(true);
      }),
    );
  });

  it('a percentage discount is within half a minor unit of the exact percentage', () => {
    fc.assert(
      fc.property(amount, currency, fc.integer({ min: 1, max: 10_000 }), (a, c, bp) => {
        const subtotal = money(roundMoney(a, c), c);
        const exact = subtotal.amount.times(bp).div(10_000);
        const off = discountAmount(subtotal, couponOf({ percentOff: (bp / 100).toString() })).amount;
        expect(off.minus(exact).abs().lte(minorUnit(c).div(2))).toBe(true);
      }),
    );
  });

  it('a REPEATING coupon discounts exactly durationInMonths consecutive monthly periods', () => {
    const startsAt = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
    fc.assert(
      fc.property(startsAt, fc.integer({ min: 1, max: 24 }), (anchor, months) => {
        const cp = couponOf({ durationType: 'REPEATING', durationInMonths: months });
        const periods = Array.from({ length: 36 }, (_, k) => ({
          start: addMonthsUtc(anchor, k),
          end: addMonthsUtc(anchor, k + 1),
        }));
        expect(periods.filter((p) => couponAppliesToPeriod(cp, anchor, p))).toHaveLength(months);
      }),
    );
  });

  it('a coupon that carries its remainder never gives more than its amount, nor more than a period charges', () => {
    fc.assert(
      fc.property(currency, fc.array(amount, { maxLength: 12 }), amount, (c, charges, off) => {
        const coupon = couponOf({
          type: 'FIXED',
          percentOff: undefined,
          durationType: 'ONCE',
          carryRemainder: true,
          amountsOff: [{ amount: off.toString(), currency: c }],
        });
        const subtotals = charges.map((a) => money(roundMoney(a, c), c));
        let given = new Decimal(0);
        subtotals.forEach((subtotal, i) => {
          const remaining = couponRemaining(coupon, subtotals.slice(0, i), undefined, c);
          const d = discountAmount(subtotal, coupon, undefined, remaining).amount;
          expect(d.lte(subtotal.amount)).toBe(true);
          given = given.plus(d);
        });
        expect(given.lte(roundMoney(off, c))).toBe(true);
        const left = couponRemaining(coupon, subtotals, undefined, c) ?? new Decimal(-1);
        expect(left.gte(0)).toBe(true);
        expect(given.plus(left).eq(roundMoney(off, c))).toBe(true);
      }),
    );
  });
});

describe('coupons that carry their remainder', () => {
  // Lago, spec/services/credits/applied_coupon_service_spec.rb: a 0.12 coupon on a 0.06 invoice
  // gives 0.06 and is not terminated ("when coupon amount is higher than invoice amount"); partly
  // used (0.06 applied), the next invoice gets the remaining 0.06 ("when coupon is partially used").
  const carry = couponOf({
    type: 'FIXED',
    percentOff: undefined,
    durationType: 'ONCE',
    carryRemainder: true,
    amountsOff: [{ amount: '0.12', currency: 'USD' }],
  });
  const usd = (a: string) => money(a, 'USD');

  it("matches Lago's once fixed-amount coupons", () => {
    expect(num(discountAmount(usd('0.06'), carry, undefined, couponRemaining(carry, [], undefined, 'USD')))).toBe(0.06);
    const remaining = couponRemaining(carry, [usd('0.06')]);
    expect(remaining?.toString()).toBe('0.06');
    expect(num(discountAmount(usd('3.00'), carry, undefined, remaining))).toBe(0.06);
    expect(couponRemaining(carry, [usd('0.06'), usd('3.00')])?.toString()).toBe('0');
  });

  it('discount later periods while something is left; other coupons carry nothing', () => {
    const jan = { start: at('2025-01-01T00:00:00Z'), end: at('2025-02-01T00:00:00Z') };
    const mar = { start: at('2025-03-01T00:00:00Z'), end: at('2025-04-01T00:00:00Z') };
    expect(couponAppliesToPeriod(carry, jan.start, mar)).toBe(true);
    expect(couponAppliesToPeriod(couponOf({ ...carry, carryRemainder: undefined }), jan.start, mar)).toBe(false);
    expect(couponRemaining(five, [usd('1')])).toBeUndefined();
  });

  it('is for ONCE FIXED coupons only', () => {
    expect(() => couponOf({ carryRemainder: true })).toThrow(/only a ONCE FIXED coupon/);
    expect(() =>
      couponOf({
        type: 'FIXED',
        percentOff: undefined,
        amountsOff: [{ amount: '1', currency: 'USD' }],
        carryRemainder: true,
      }),
    ).toThrow(/only a ONCE FIXED coupon/);
  });

  it('counts the periods a coupon discounted before a period', () => {
    const jan15 = at('2025-01-15T00:00:00Z');
    expect(periodsBefore(jan15, at('2025-04-01T00:00:00Z'), 1)).toBe(3);
    expect(periodsBefore(jan15, at('2025-01-01T00:00:00Z'), 1)).toBe(0);
    expect(periodsBefore(at('2025-01-01T00:00:00Z'), at('2025-01-01T00:00:00Z'), 1)).toBe(0);
    expect(periodsBefore(jan15, at('2027-01-01T00:00:00Z'), 12)).toBe(2);
  });
});
