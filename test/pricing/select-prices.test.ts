import { describe, expect, it } from 'vitest';
import type { BillingPeriod } from '../../src/model/enums.js';
import { selectPrices } from '../../src/pricing/select-prices.js';
import { expectAllotError, fc, priceOf } from './helpers.js';

const monthly = priceOf({ amount: '10' });
const monthlySeats = priceOf({ billingModel: 'PER_UNIT', featureId: 'seats', amount: '2' });
const annual = priceOf({ billingPeriod: 'ANNUALLY', amount: '100' });
const monthlyDe = priceOf({ currency: 'EUR', billingCountryCode: 'DE', amount: '9' });
const prices = [monthly, monthlySeats, annual, monthlyDe];

describe('selectPrices', () => {
  it('picks the default prices of the billing period', () => {
    expect(selectPrices(prices, 'MONTHLY')).toEqual([monthly, monthlySeats]);
    expect(selectPrices(prices, 'ANNUALLY')).toEqual([annual]);
  });

  it('picks the localized prices of a country, case-insensitively', () => {
    expect(selectPrices(prices, 'MONTHLY', 'de')).toEqual([monthlyDe]);
  });

  it('falls back to the default prices for a country without its own', () => {
    expect(selectPrices(prices, 'MONTHLY', 'FR')).toEqual([monthly, monthlySeats]);
    expect(selectPrices(prices, 'ANNUALLY', 'DE')).toEqual([annual]);
    expect(selectPrices(prices, 'MONTHLY', null)).toEqual([monthly, monthlySeats]);
  });

  it('treats a package without prices as free', () => {
    expect(selectPrices([], 'ANNUALLY', 'US')).toEqual([]);
  });

  it('refuses an unknown billing period or a malformed country', () => {
    expectAllotError(() => selectPrices(prices, 'WEEKLY' as BillingPeriod), 'INVALID_INPUT');
    expectAllotError(() => selectPrices(prices, 'MONTHLY', 'DEU'), 'INVALID_INPUT');
  });

  it('refuses a period the package has no price for with PRICE_NOT_FOUND, naming the owner', () => {
    const e = expectAllotError(
      () => selectPrices([monthly], 'ANNUALLY', undefined, { planId: 'pro' }),
      'PRICE_NOT_FOUND',
    );
    expect(e.message).toMatch(/"pro": no ANNUALLY price; available: MONTHLY/);
    expect(e.details).toEqual({ planId: 'pro', billingPeriod: 'ANNUALLY', billingCountryCode: null });
  });

  it('refuses a country without prices when there is no default with PRICE_NOT_FOUND', () => {
    const e = expectAllotError(() => selectPrices([monthlyDe], 'MONTHLY', 'fr'), 'PRICE_NOT_FOUND');
    expect(e.details).toEqual({ billingPeriod: 'MONTHLY', billingCountryCode: 'FR' });
    expectAllotError(() => selectPrices([monthlyDe], 'MONTHLY'), 'PRICE_NOT_FOUND');
  });
});

describe('properties', () => {
  it('every selected price has the period, and one country: the requested one or none', () => {
    const country = fc.constantFrom(undefined, 'DE', 'FR', 'US');
    const period = fc.constantFrom<BillingPeriod>('MONTHLY', 'ANNUALLY');
    const price = fc
      .record({ billingPeriod: period, billingCountryCode: country, featureId: fc.constantFrom(undefined, 'seats') })
      .map(({ featureId, ...p }) =>
        priceOf(featureId ? { ...p, featureId, billingModel: 'PER_UNIT' } : { ...p, billingModel: 'FLAT_FEE' }),
      );
    fc.assert(
      fc.property(fc.array(price, { maxLength: 8 }), period, country, (list, p, c) => {
        let chosen: ReturnType<typeof selectPrices>;
        try {
          chosen = selectPrices(list, p, c);
        } catch (e) {
          expect((e as { code?: string }).code).toBe('PRICE_NOT_FOUND');
          expect(list.some((x) => x.billingPeriod === p && (x.billingCountryCode ?? c) === c)).toBe(false);
          return;
        }
        expect(chosen.length > 0 || list.length === 0).toBe(true);
        expect(chosen.every((x) => x.billingPeriod === p)).toBe(true);
        expect(new Set(chosen.map((x) => x.billingCountryCode)).size).toBeLessThanOrEqual(1);
        expect(chosen.every((x) => x.billingCountryCode === undefined || x.billingCountryCode === c)).toBe(true);
      }),
    );
  });
});
