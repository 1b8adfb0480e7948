import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/money/money.js';
import { type PercentageTerms, percentageCharge } from '../../src/pricing/percentage-charge.js';
import { pricePoint } from '../../src/pricing/price-point.js';
import { expectAllotError, fc, priceOf } from './helpers.js';

// The cases of Lago's spec/services/charge_models/percentage_service_spec.rb. Its running totals
// [50, 150, 400] over 800 in 4 events are the transactions 50, 100, 250 and 400.
const lago = [50, 100, 250, 400];
const terms = (t: Partial<PercentageTerms> = {}): PercentageTerms => ({
  rate: '1.3',
  fixedFeePerTransaction: '2',
  freeTransactions: 3,
  freeAmount: '250',
  ...t,
});
const amount = (t: PercentageTerms, transactions: readonly number[]) =>
  percentageCharge(t, transactions).amount.toNumber();

describe('percentageCharge', () => {
  it("matches Lago's percentage charge model", () => {
    // The free amount (250) runs out first, in the third transaction: 150 × 1.3% + 2, then 400 × 1.3% + 2.
    expect(amount(terms(), lago)).toBe(11.15);
    expect(amount(terms({ freeTransactions: undefined }), lago)).toBe(11.15);
    // Three free transactions, then 400 × 1.3% + 2.
    expect(amount(terms({ freeAmount: undefined }), lago)).toBe(7.2);
    // No free allowance: 800 × 1.3% + 4 × 2.
    expect(amount(terms({ freeAmount: undefined, freeTransactions: undefined }), lago)).toBe(18.4);
    // The three free transactions run out before the free amount (500).
    expect(amount(terms({ freeAmount: '500' }), lago)).toBe(7.2);
    // Nothing used: nothing charged; a rate of 0 still charges the fees.
    expect(amount(terms(), [])).toBe(0);
    expect(amount(terms({ rate: '0', freeAmount: undefined, freeTransactions: undefined }), lago)).toBe(8);
    expect(amount({ rate: '2.9' }, [1, 1, 1, 1])).toBe(0.116);
    expect(amount(terms({ freeTransactions: 5, freeAmount: undefined }), [50, 100, 250])).toBe(0);
  });

  it("applies Lago's per-transaction minimum and maximum", () => {
    // The same spec, "when applying min / max amount per transaction": 10, 80 and 10,000 at 2.99%.
    const minMax = { rate: '2.99', minPerTransaction: '1.75', maxPerTransaction: '12' };
    const events = [10, 80, 10_000];
    expect(amount({ rate: '2.99' }, events)).toBe(301.691);
    expect(amount(minMax, events)).toBe(16.142);
    expect(amount({ ...minMax, fixedFeePerTransaction: '2' }, events)).toBe(18.691);
    expect(amount({ ...minMax, freeTransactions: 2 }, events)).toBe(12);
    expect(amount({ ...minMax, freeAmount: '30' }, events)).toBe(13.794);
    expect(amount({ ...minMax, freeTransactions: 3, freeAmount: '10000' }, events)).toBe(2.691);
    const c = percentageCharge(minMax, events);
    expect([c.transactions, c.freeTransactions, c.rateAmount.toNumber(), c.minMaxAdjustment.toNumber()]).toEqual([
      3, 0, 301.691, -285.549,
    ]);
  });

  it('refuses a negative transaction amount', () => {
    expectAllotError(() => percentageCharge(terms(), [10, -1]), 'INVALID_INPUT');
  });

  it('is a USAGE_BASED price option, with no amount or tiers', () => {
    const price = priceOf({
      billingModel: 'USAGE_BASED',
      featureId: 'payments',
      amount: undefined,
      percentage: { rate: 2.9, fixedFeePerTransaction: '0.30' },
    });
    expect(price.percentage).toEqual({ rate: '2.9', fixedFeePerTransaction: '0.30' });
    expect(pricePoint({ ...price, maximumAmount: '100' })).toMatchObject({
      amount: null,
      maximumAmount: 100,
      percentage: { rate: 2.9, fixedFeePerTransaction: 0.3 },
    });
    expect(pricePoint(price)).not.toHaveProperty('negativeUsage');
    expect(() => priceOf({ featureId: 'payments', percentage: { rate: 1 } })).toThrow(/USAGE_BASED/);
    expect(() =>
      priceOf({ billingModel: 'USAGE_BASED', featureId: 'payments', amount: '1', percentage: { rate: 1 } }),
    ).toThrow(/no amount/);
  });
});

describe('properties', () => {
  const money = fc.integer({ min: 0, max: 1_000_000 }).map((n) => new Decimal(n).div(100));
  const termsArb = fc.record({
    rate: fc.integer({ min: 0, max: 10_000 }).map((n) => new Decimal(n).div(100).toString()),
    fixedFeePerTransaction: fc.option(money.map(String), { nil: undefined }),
    freeTransactions: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    freeAmount: fc.option(money.map(String), { nil: undefined }),
  });

  it('every paying transaction costs between its minimum and maximum', () => {
    fc.assert(
      fc.property(termsArb, fc.array(money, { maxLength: 20 }), money, money, (t, txs, a, b) => {
        const [min, max] = a.lte(b) ? [a, b] : [b, a];
        const c = percentageCharge({ ...t, minPerTransaction: min.toString(), maxPerTransaction: max.toString() }, txs);
        const paying = c.transactions - c.freeTransactions;
        expect(c.amount.gte(min.times(paying))).toBe(true);
        expect(c.amount.lte(max.times(paying))).toBe(true);
      }),
    );
  });

  it('never charges more than with no free allowance, and more transactions never cost less', () => {
    fc.assert(
      fc.property(termsArb, fc.array(money, { maxLength: 20 }), money, (t, txs, extra) => {
        const full = percentageCharge({ rate: t.rate, fixedFeePerTransaction: t.fixedFeePerTransaction }, txs).amount;
        expect(percentageCharge(t, txs).amount.lte(full)).toBe(true);
        expect(percentageCharge(t, [...txs, extra]).amount.gte(percentageCharge(t, txs).amount)).toBe(true);
      }),
    );
  });
});
