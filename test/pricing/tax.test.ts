import { describe, expect, it } from 'vitest';
import { addMoney, Decimal, halfEven, money, roundMoney } from '../../src/money/money.js';
import { applyTax, taxDetails } from '../../src/pricing/tax.js';
import { amount, currency, expectAllotError, fc, minorUnit, num } from './helpers.js';

describe('applyTax', () => {
  it('adds exclusive tax on top', () => {
    const split = applyTax(money('100', 'USD'), { percentage: 17 });
    expect([num(split.tax), num(split.totalExcludingTax), num(split.total)]).toEqual([17, 100, 117]);
  });

  it('extracts inclusive tax from the amount', () => {
    const split = applyTax(money('117', 'USD'), { percentage: 17, inclusive: true });
    expect([num(split.tax), num(split.totalExcludingTax), num(split.total)]).toEqual([17, 100, 117]);
    const odd = applyTax(money('10', 'USD'), { percentage: '7.5', inclusive: true });
    expect([num(odd.tax), num(odd.totalExcludingTax), num(odd.total)]).toEqual([0.7, 9.3, 10]);
  });

  it('rounds the tax once, to the currency minor unit', () => {
    expect(num(applyTax(money('999', 'JPY'), { percentage: 10 }).tax)).toBe(100);
    expect(num(applyTax(money('1.005', 'KWD'), { percentage: 5 }).tax)).toBe(0.05);
    expect(num(applyTax(money('0.5', 'USD'), { percentage: 5 }, halfEven).tax)).toBe(0.02);
  });

  it('a zero rate leaves the amount alone', () => {
    const split = applyTax(money('12.34', 'EUR'), { percentage: 0 });
    expect([num(split.tax), num(split.total)]).toEqual([0, 12.34]);
  });

  it('refuses a percentage outside 0..100 or not a number', () => {
    expectAllotError(() => applyTax(money(1, 'USD'), { percentage: -1 }), 'INVALID_INPUT');
    expectAllotError(() => applyTax(money(1, 'USD'), { percentage: 101 }), 'INVALID_INPUT');
    expectAllotError(() => applyTax(money(1, 'USD'), { percentage: 'ten' }), 'INVALID_INPUT');
  });
});

describe('taxDetails', () => {
  it("gives the reference's taxDetails, exclusive and named 'Tax' by default", () => {
    expect(taxDetails({ percentage: '17' })).toEqual({ displayName: 'Tax', inclusive: false, percentage: 17 });
    expect(taxDetails({ percentage: 20, inclusive: true, displayName: 'VAT' })).toEqual({
      displayName: 'VAT',
      inclusive: true,
      percentage: 20,
    });
  });
});

describe('properties', () => {
  const pct = fc.integer({ min: 0, max: 10_000 }).map((bp) => new Decimal(bp).div(100));

  it('every total equals the sum of its rounded pieces, inclusive or exclusive', () => {
    fc.assert(
      fc.property(amount, currency, pct, fc.boolean(), (a, c, p, inclusive) => {
        const split = applyTax(money(roundMoney(a, c), c), { percentage: p, inclusive });
        expect(addMoney(split.totalExcludingTax, split.tax).amount.eq(split.total.amount)).toBe(true);
        for (const piece of [split.tax, split.totalExcludingTax, split.total])
          expect(roundMoney(piece.amount, c).eq(piece.amount)).toBe(true);
      }),
    );
  });

  it('tax is within half a minor unit of the exact tax, and never negative', () => {
    fc.assert(
      fc.property(amount, currency, pct, fc.boolean(), (a, c, p, inclusive) => {
        const base = roundMoney(a, c);
        const exact = inclusive ? base.times(p).div(p.plus(100)) : base.times(p).div(100);
        const { tax } = applyTax(money(base, c), { percentage: p, inclusive });
        expect(tax.amount.gte(0)).toBe(true);
        expect(tax.amount.minus(exact).abs().lte(minorUnit(c).div(2))).toBe(true);
      }),
    );
  });

  it('extracting inclusive tax from a taxed total gives back the net within one minor unit', () => {
    fc.assert(
      fc.property(amount, currency, pct, (a, c, p) => {
        const net = money(roundMoney(a, c), c);
        const added = applyTax(net, { percentage: p });
        const extracted = applyTax(added.total, { percentage: p, inclusive: true });
        expect(extracted.totalExcludingTax.amount.minus(net.amount).abs().lte(minorUnit(c))).toBe(true);
      }),
    );
  });
});
