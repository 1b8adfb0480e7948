import { describe, expect, it } from 'vitest';
import {
  creditCurrenciesSchema,
  creditCurrencySchema,
  creditEntitlementSchema,
  creditEntitlementsSchema,
  featureCreditRateSchema,
} from '../../src/catalog/credit-schema.js';
import { creditDecimal, positiveCreditDecimal } from '../../src/money/amount-schema.js';
import { fc, nonNegativeDecimal } from '../credits/helpers.js';

const tokens = { currencyId: 'ai-tokens', displayName: 'AI tokens', units: { singular: 'token', plural: 'tokens' } };

describe('creditCurrencySchema', () => {
  it('accepts a currency and upper-cases the unit cost currency', () => {
    expect(
      creditCurrencySchema.parse({ ...tokens, symbol: '¤', unitCost: { amount: 0.001, currency: 'usd' } }),
    ).toEqual({
      ...tokens,
      symbol: '¤',
      unitCost: { amount: '0.001', currency: 'USD' },
    });
  });

  it('refuses missing units, unknown keys, a blank id and a bad unit cost', () => {
    expect(creditCurrencySchema.safeParse({ ...tokens, units: { singular: 'token' } }).success).toBe(false);
    expect(creditCurrencySchema.safeParse({ ...tokens, colour: 'red' }).success).toBe(false);
    expect(creditCurrencySchema.safeParse({ ...tokens, currencyId: '  ' }).success).toBe(false);
    expect(creditCurrencySchema.safeParse({ ...tokens, unitCost: { amount: '-1', currency: 'USD' } }).success).toBe(
      false,
    );
    expect(creditCurrencySchema.safeParse({ ...tokens, unitCost: { amount: '1', currency: 'dollar' } }).success).toBe(
      false,
    );
  });

  it('refuses duplicate currency ids in a catalog', () => {
    const r = creditCurrenciesSchema.safeParse([tokens, tokens]);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual([1, 'currencyId']);
  });
});

describe('creditEntitlementSchema', () => {
  it('accepts an amount, a cadence and an optional rollover cap', () => {
    expect(
      creditEntitlementSchema.parse({ currencyId: 'ai-tokens', amount: 1000, cadence: 'MONTH', rolloverCap: '250' }),
    ).toEqual({
      currencyId: 'ai-tokens',
      amount: '1000',
      cadence: 'MONTH',
      rolloverCap: '250',
    });
  });

  it('refuses a zero or negative amount, another cadence, and two entitlements of one currency', () => {
    const base = { currencyId: 'ai-tokens', amount: 1, cadence: 'YEAR' };
    expect(creditEntitlementSchema.safeParse({ ...base, amount: 0 }).success).toBe(false);
    expect(creditEntitlementSchema.safeParse({ ...base, amount: '0.000' }).success).toBe(false);
    expect(creditEntitlementSchema.safeParse({ ...base, amount: -5 }).success).toBe(false);
    expect(creditEntitlementSchema.safeParse({ ...base, cadence: 'WEEK' }).success).toBe(false);
    expect(creditEntitlementSchema.safeParse({ ...base, behavior: 'Replace' }).success).toBe(false);
    expect(creditEntitlementsSchema.safeParse([base, base]).success).toBe(false);
  });
});

describe('featureCreditRateSchema', () => {
  it('accepts a positive rate and refuses zero, floats that print with exponents and junk', () => {
    expect(featureCreditRateSchema.parse({ currencyId: 'ai-tokens', creditsPerUnit: 0.5 })).toEqual({
      currencyId: 'ai-tokens',
      creditsPerUnit: '0.5',
    });
    for (const creditsPerUnit of [0, '0', 1e-7, '1e3', 'abc', Number.NaN])
      expect(featureCreditRateSchema.safeParse({ currencyId: 'ai-tokens', creditsPerUnit }).success).toBe(false);
  });
});

describe('properties', () => {
  it('a decimal string survives parsing unchanged; positive ones exactly when above zero', () => {
    fc.assert(
      fc.property(nonNegativeDecimal, (d) => {
        expect(creditDecimal.parse(d)).toBe(d);
        expect(positiveCreditDecimal.safeParse(d).success).toBe(d !== '0');
      }),
    );
  });
});
