import { Decimal as DecimalJs } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import {
  addMoney,
  allocateMoney,
  Decimal,
  decimalOf,
  halfEven,
  halfUp,
  minorUnits,
  money,
  roundMoney,
  subtractMoney,
  sumMoney,
  toAmount,
  toRate,
} from '../../src/money/money.js';
import { amount, currency, expectAllotError, fc, minorUnit } from '../pricing/helpers.js';

describe('minorUnits', () => {
  it('follows ISO 4217: 2 by default, 0 for JPY and KRW, 3 for KWD and BHD', () => {
    expect(minorUnits('USD')).toBe(2);
    expect(minorUnits('EUR')).toBe(2);
    expect(minorUnits('JPY')).toBe(0);
    expect(minorUnits('KRW')).toBe(0);
    expect(minorUnits('VND')).toBe(0);
    expect(minorUnits('CLP')).toBe(0);
    expect(minorUnits('KWD')).toBe(3);
    expect(minorUnits('BHD')).toBe(3);
    expect(minorUnits('TND')).toBe(3);
    expect(minorUnits('CLF')).toBe(4);
  });

  it('accepts lower case and refuses what is not a currency code', () => {
    expect(minorUnits('jpy')).toBe(0);
    expectAllotError(() => minorUnits('US'), 'INVALID_INPUT');
    expectAllotError(() => minorUnits('US1'), 'INVALID_INPUT');
  });
});

describe('rounding', () => {
  it('rounds half-up (away from zero) to the minor unit by default', () => {
    expect(roundMoney('1.005', 'USD').toString()).toBe('1.01');
    expect(roundMoney('1.004', 'USD').toString()).toBe('1');
    expect(roundMoney('-1.005', 'USD').toString()).toBe('-1.01');
    expect(roundMoney('2.5', 'JPY').toString()).toBe('3');
    expect(roundMoney('0.0005', 'KWD').toString()).toBe('0.001');
  });

  it('JPY rounds to whole yen, KWD to 3 places', () => {
    expect(toAmount(money('1234.5', 'JPY'))).toEqual({ amount: 1235, currency: 'JPY' });
    expect(toAmount(money('1.23456', 'KWD'))).toEqual({ amount: 1.235, currency: 'KWD' });
    expect(toAmount(money('1.23456', 'USD'))).toEqual({ amount: 1.23, currency: 'USD' });
  });

  it('takes the rounding mode as a named function', () => {
    expect(roundMoney('0.125', 'USD', halfEven).toString()).toBe('0.12');
    expect(roundMoney('0.135', 'USD', halfEven).toString()).toBe('0.14');
    expect(roundMoney('0.125', 'USD', halfUp).toString()).toBe('0.13');
    expect(toAmount(money('2.5', 'JPY'), halfEven).amount).toBe(2);
  });

  it('is immune to a caller changing the global decimal.js configuration', () => {
    const saved = { precision: DecimalJs.precision, rounding: DecimalJs.rounding };
    DecimalJs.set({ precision: 2, rounding: DecimalJs.ROUND_DOWN });
    try {
      expect(roundMoney(new Decimal('10').div(3), 'USD').toString()).toBe('3.33');
      expect(toAmount(money('19.995', 'USD')).amount).toBe(20);
    } finally {
      DecimalJs.set(saved);
    }
  });
});

describe('toAmount', () => {
  it('produces the closest number to the rounded decimal, never a float artefact', () => {
    expect(toAmount(money('0.1', 'USD')).amount + toAmount(money('0.2', 'USD')).amount).not.toBe(0.3);
    expect(toAmount(sumMoney([money('0.1', 'USD'), money('0.2', 'USD')], 'USD')).amount).toBe(0.3);
    expect(toAmount(money('12.3', 'USD')).amount).toBe(12.3);
  });

  it('prints a zero that rounds from a negative amount as 0, not -0', () => {
    expect(Object.is(toAmount(money('-0.001', 'USD')).amount, 0)).toBe(true);
    expect(Object.is(toAmount(money(new Decimal(0).negated(), 'USD')).amount, 0)).toBe(true);
  });

  it('keeps a rate at its catalog precision', () => {
    expect(toRate(money('0.0015', 'USD'))).toEqual({ amount: 0.0015, currency: 'USD' });
  });
});

describe('arithmetic', () => {
  it('adds, subtracts and sums amounts of one currency', () => {
    expect(addMoney(money('0.1', 'USD'), money('0.2', 'usd')).amount.toString()).toBe('0.3');
    expect(subtractMoney(money('1', 'EUR'), money('0.3', 'EUR')).amount.toString()).toBe('0.7');
    expect(sumMoney([], 'JPY')).toEqual(money(0, 'JPY'));
  });

  it('refuses to mix currencies', () => {
    const e = expectAllotError(() => addMoney(money(1, 'USD'), money(1, 'EUR')), 'INVALID_INPUT');
    expect(e.message).toMatch(/USD with EUR/);
    expectAllotError(() => subtractMoney(money(1, 'USD'), money(1, 'JPY')), 'INVALID_INPUT');
    expectAllotError(() => sumMoney([money(1, 'USD')], 'EUR'), 'INVALID_INPUT');
  });

  it('refuses amounts that are not finite decimals', () => {
    expectAllotError(() => money('abc', 'USD'), 'INVALID_INPUT');
    expectAllotError(() => money(Number.NaN, 'USD'), 'INVALID_INPUT');
    expectAllotError(() => decimalOf(Number.POSITIVE_INFINITY, 'x'), 'INVALID_INPUT');
  });
});

describe('properties', () => {
  it('rounding is within half a minor unit and lands on the minor-unit grid', () => {
    fc.assert(
      fc.property(amount, currency, fc.boolean(), (a, c, negative) => {
        const x = negative ? a.negated() : a;
        const r = roundMoney(x, c);
        expect(r.minus(x).abs().lte(minorUnit(c).div(2))).toBe(true);
        expect(r.div(minorUnit(c)).isInteger()).toBe(true);
      }),
    );
  });

  it('half-up rounding is symmetric: round(-x) = -round(x)', () => {
    fc.assert(
      fc.property(amount, currency, (a, c) => {
        expect(roundMoney(a.negated(), c).eq(roundMoney(a, c).negated())).toBe(true);
      }),
    );
  });

  it('rounding is idempotent and toAmount agrees with the rounded decimal', () => {
    fc.assert(
      fc.property(amount, currency, (a, c) => {
        const r = roundMoney(a, c);
        expect(roundMoney(r, c).eq(r)).toBe(true);
        expect(new Decimal(toAmount(money(a, c)).amount).eq(r)).toBe(true);
      }),
    );
  });

  it('addition is exact: a sum of rounded amounts is rounded', () => {
    fc.assert(
      fc.property(fc.array(amount, { maxLength: 20 }), currency, (xs, c) => {
        const rounded = xs.map((x) => money(roundMoney(x, c), c));
        const total = sumMoney(rounded, c).amount;
        expect(roundMoney(total, c).eq(total)).toBe(true);
      }),
    );
  });
});

describe('allocateMoney', () => {
  it('splits in proportion, the remainder to the largest fractions', () => {
    const thirds = allocateMoney(money('0.10', 'USD'), [new Decimal(1), new Decimal(1), new Decimal(1)]);
    expect(thirds.map((m) => m.amount.toString())).toEqual(['0.04', '0.03', '0.03']);
    expect(
      allocateMoney(money('0.12', 'USD'), [new Decimal(2), new Decimal(1)]).map((m) => m.amount.toString()),
    ).toEqual(['0.08', '0.04']);
    expect(allocateMoney(money('-5', 'JPY'), [new Decimal(1), new Decimal(0)]).map((m) => m.amount.toString())).toEqual(
      ['-5', '0'],
    );
    expect(allocateMoney(money('1', 'USD'), [])).toEqual([]);
    expect(
      allocateMoney(money('0.03', 'USD'), [new Decimal(0), new Decimal(0)]).map((m) => m.amount.toString()),
    ).toEqual(['0.02', '0.01']);
  });

  it('the shares add up to the total exactly, each on the grid and within one minor unit of its exact share', () => {
    const weight = fc.integer({ min: -1000, max: 100_000 }).map((n) => new Decimal(n).div(100));
    fc.assert(
      fc.property(amount, currency, fc.array(weight, { minLength: 1, maxLength: 8 }), (a, c, weights) => {
        const total = money(roundMoney(a, c), c);
        const shares = allocateMoney(total, weights);
        expect(sumMoney(shares, c).amount.eq(total.amount)).toBe(true);
        for (const s of shares) expect(roundMoney(s.amount, c).eq(s.amount)).toBe(true);
        const positive = weights.map((w) => Decimal.max(0, w));
        const sum = positive.reduce((x, w) => x.plus(w), new Decimal(0));
        if (sum.gt(0))
          shares.forEach((s, i) => {
            const exact = total.amount.times(positive[i] ?? 0).div(sum);
            expect(s.amount.minus(exact).abs().lt(minorUnit(c))).toBe(true);
          });
      }),
    );
  });
});
