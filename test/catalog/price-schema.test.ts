import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { type PriceInput, priceListSchema, priceSchema } from '../../src/catalog/price-schema.js';
import { fc } from '../pricing/helpers.js';

const base: PriceInput = { billingPeriod: 'MONTHLY', currency: 'usd', amount: '10' };
const messages = (input: unknown, schema: z.ZodType = priceSchema) =>
  schema.safeParse(input).error?.issues.map((i) => i.message) ?? [];

describe('priceSchema', () => {
  it('keeps amounts as decimal strings and upper-cases codes', () => {
    expect(priceSchema.parse({ ...base, amount: 12.5, billingCountryCode: 'de' })).toMatchObject({
      amount: '12.5',
      currency: 'USD',
      billingCountryCode: 'DE',
      billingModel: 'FLAT_FEE',
    });
  });

  it('refuses a tier list that is not increasing', () => {
    const tiers = [{ upTo: 10, unitPrice: '1' }, { upTo: 10, unitPrice: '2' }, { unitPrice: '3' }];
    expect(messages({ ...base, billingModel: 'PER_UNIT', featureId: 'seats', tiersMode: 'VOLUME', tiers })).toContain(
      'tiers must be strictly increasing',
    );
  });

  it('refuses tiers on a flat fee or a minimum spend, and tiers with a block size', () => {
    const tiers = [{ unitPrice: '1' }];
    expect(messages({ ...base, tiersMode: 'VOLUME', tiers })).toContain('FLAT_FEE prices take an amount, not tiers');
    expect(messages({ ...base, billingModel: 'MINIMUM_SPEND', tiersMode: 'VOLUME', tiers })).toContain(
      'MINIMUM_SPEND prices take an amount, not tiers',
    );
    expect(
      messages({ ...base, billingModel: 'PER_UNIT', featureId: 'f', tiersMode: 'GRADUATED', tiers, blockSize: 10 }),
    ).toContain('a price has tiers or a blockSize, not both');
  });

  it('refuses negative or exponent amounts', () => {
    expect(priceSchema.safeParse({ ...base, amount: '-1' }).success).toBe(false);
    expect(priceSchema.safeParse({ ...base, amount: 1e21 }).success).toBe(false);
  });
});

describe('priceListSchema', () => {
  it('accepts one price per period, country and feature', () => {
    const list = [
      base,
      { ...base, billingPeriod: 'ANNUALLY' },
      { ...base, billingCountryCode: 'DE', currency: 'EUR' },
      { ...base, billingModel: 'PER_UNIT', featureId: 'seats' },
    ];
    expect(priceListSchema.parse(list)).toHaveLength(4);
  });

  it('refuses a second price for the same period, country and feature', () => {
    expect(messages([base, { ...base, amount: '20' }], priceListSchema)).toEqual([
      'a second MONTHLY price for the default country',
    ]);
    const seat = { ...base, billingModel: 'PER_UNIT', featureId: 'seats', billingCountryCode: 'DE' } as const;
    expect(messages([seat, seat], priceListSchema)).toEqual(['a second MONTHLY price for DE of feature "seats"']);
  });

  it('refuses two currencies in one period and country', () => {
    const list = [base, { ...base, currency: 'EUR', billingModel: 'PER_UNIT', featureId: 'seats' }];
    expect(messages(list, priceListSchema)).toEqual(['MONTHLY default prices are in USD, not EUR']);
  });
});

describe('properties', () => {
  it('any strictly increasing tier list with an open last tier is accepted', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 1000 }), { maxLength: 6 }), (bounds) => {
        const tiers = [...bounds.sort((a, b) => a - b).map((upTo) => ({ upTo, unitPrice: '1' })), { unitPrice: '1' }];
        const input = { ...base, billingModel: 'PER_UNIT', featureId: 'f', tiersMode: 'GRADUATED', tiers };
        expect(priceSchema.safeParse(input).success).toBe(true);
      }),
    );
  });
});
