import { describe, expect, it } from 'vitest';
import {
  combineCreditCosts,
  estimateCreditCost,
  usageCreditCost,
  usageIncrease,
} from '../../src/credits/credit-cost.js';
import { Decimal } from '../../src/money/money.js';
import { decimalUpTo, expectAllotError, fc, nonNegativeDecimal } from './helpers.js';

const rate = { currencyId: 'tokens', creditsPerUnit: '0.1' };

describe('usageCreditCost', () => {
  it('multiplies usage by the rate exactly', () => {
    expect(usageCreditCost('3', rate)).toEqual({ currencyId: 'tokens', credits: '0.3' });
    expect(usageCreditCost(0, rate)).toEqual({ currencyId: 'tokens', credits: '0' });
    expect(usageCreditCost('1234567890.123456789', { currencyId: 't', creditsPerUnit: '1000' }).credits).toBe(
      '1234567890123.456789',
    );
  });

  it('refuses negative or malformed usage', () => {
    for (const value of [-1, '-0.1', 'x', Number.NaN])
      expectAllotError(() => usageCreditCost(value, rate), 'INVALID_INPUT');
  });
});

describe('combineCreditCosts', () => {
  it('sums per currency in first-seen order', () => {
    expect(
      combineCreditCosts([
        { currencyId: 'b', credits: '0.1' },
        { currencyId: 'a', credits: '1' },
        { currencyId: 'b', credits: '0.2' },
      ]),
    ).toEqual([
      { currencyId: 'b', credits: '0.3' },
      { currencyId: 'a', credits: '1' },
    ]);
  });
});

describe('estimateCreditCost', () => {
  it('says what the balance would be and whether it overdrafts', () => {
    expect(estimateCreditCost({ currencyId: 't', credits: '30' }, '20')).toEqual({
      currencyId: 't',
      credits: '30',
      balanceBefore: '20',
      balanceAfter: '-10',
      wouldOverdraft: true,
      shortfall: '10',
    });
    expect(estimateCreditCost({ currencyId: 't', credits: '20' }, '20')).toMatchObject({
      balanceAfter: '0',
      wouldOverdraft: false,
      shortfall: '0',
    });
  });

  it('never calls a free usage an overdraft, even in debt', () => {
    expect(estimateCreditCost({ currencyId: 't', credits: '0' }, '-5')).toMatchObject({
      wouldOverdraft: false,
      shortfall: '0',
      balanceAfter: '-5',
    });
    expect(estimateCreditCost({ currencyId: 't', credits: '1' }, '-5')).toMatchObject({
      wouldOverdraft: true,
      shortfall: '1',
    });
  });

  it('refuses a negative cost or a malformed balance', () => {
    expectAllotError(() => estimateCreditCost({ currencyId: 't', credits: '-1' }, '0'), 'INVALID_INPUT');
    expectAllotError(() => estimateCreditCost({ currencyId: 't', credits: '1' }, 'lots'), 'INVALID_INPUT');
  });
});

describe('usageIncrease', () => {
  it('takes the binary noise of summed doubles off the difference', () => {
    expect(usageIncrease(0.1, 0.1 + 0.2).toString()).toBe('0.2');
    expect(usageIncrease(0.30000000000000004, 0.4).toString()).toBe('0.1');
    expect(usageIncrease(1_000_000, 1_000_000.1).toString()).toBe('0.1');
    expect(usageIncrease(5, 5).toString()).toBe('0');
    expect(usageIncrease(5, 3).toString()).toBe('0');
    expect(usageIncrease(0, 7).toString()).toBe('7');
    // Too small for 15 digits of a huge counter: it takes the digits it needs rather than vanish.
    expect(usageIncrease(1e11, 1e11 + 0.0004).toString()).toBe('0.0004');
  });

  it('is the reported decimal after any run of decimal reports summed in doubles', () => {
    // Amounts of up to 6 decimal places and sums below a billion: within a double's 15 digits.
    const amount = fc
      .integer({ min: 1, max: 10 ** 9 })
      .chain((units) => fc.integer({ min: 0, max: 6 }).map((dp) => new Decimal(units).div(10 ** dp).toNumber()));
    fc.assert(
      fc.property(fc.array(amount, { maxLength: 20 }), amount, (earlier, reported) => {
        const previous = earlier.reduce((sum, a) => sum + a, 0);
        fc.pre(previous + reported < 1e9);
        expect(usageIncrease(previous, previous + reported).toString()).toBe(new Decimal(reported).toString());
      }),
    );
  });
});

describe('properties', () => {
  const balanceArb = fc.oneof(
    nonNegativeDecimal,
    decimalUpTo(1000).map((d) => `-${d}`),
  );

  it('cost is value × rate, and the estimate balances exactly', () => {
    fc.assert(
      fc.property(nonNegativeDecimal, decimalUpTo(10), balanceArb, (value, perUnit, bal) => {
        const cost = usageCreditCost(value, { currencyId: 't', creditsPerUnit: perUnit });
        expect(new Decimal(cost.credits).eq(new Decimal(value).times(perUnit))).toBe(true);
        const e = estimateCreditCost(cost, bal);
        expect(new Decimal(e.balanceAfter).plus(e.credits).eq(bal)).toBe(true);
        expect(e.wouldOverdraft).toBe(new Decimal(e.shortfall).gt(0));
        expect(e.wouldOverdraft).toBe(new Decimal(cost.credits).gt(Decimal.max(bal, 0)));
      }),
    );
  });

  it('combining costs preserves each currency total', () => {
    const cost = fc.record({ currencyId: fc.constantFrom('a', 'b', 'c'), credits: nonNegativeDecimal });
    fc.assert(
      fc.property(fc.array(cost, { maxLength: 20 }), (costs) => {
        const combined = combineCreditCosts(costs);
        expect(new Set(combined.map((c) => c.currencyId)).size).toBe(combined.length);
        for (const { currencyId, credits } of combined) {
          const total = costs
            .filter((c) => c.currencyId === currencyId)
            .reduce((s, c) => s.plus(c.credits), new Decimal(0));
          expect(total.eq(credits)).toBe(true);
        }
      }),
    );
  });
});
