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

describe('price options', () => {
  const usage = { ...base, billingModel: 'USAGE_BASED', featureId: 'calls' } as const;
  const tiered = {
    ...usage,
    amount: undefined,
    tiersMode: 'VOLUME',
    tiers: [{ unitPrice: '1', flatPrice: '5' }],
  } as const;

  it('accepts each option on the model it belongs to, and leaves it absent otherwise', () => {
    expect(priceSchema.parse(base)).not.toHaveProperty('flatPriceAtZero');
    expect(priceSchema.parse({ ...tiered, flatPriceAtZero: true }).flatPriceAtZero).toBe(true);
    const pack = priceSchema.parse({
      ...usage,
      blockSize: 100,
      blockRounding: 'DOWN',
      freeUnits: 50,
      maximumAmount: 20,
    });
    expect(pack).toMatchObject({ blockRounding: 'DOWN', freeUnits: 50, maximumAmount: '20' });
    expect(priceSchema.parse({ ...usage, negativeUsage: 'CREDIT' }).negativeUsage).toBe('CREDIT');
    const seats = { ...base, billingModel: 'PER_UNIT', featureId: 'seats', fractionalQuantity: true };
    expect(priceSchema.parse(seats).fractionalQuantity).toBe(true);
  });

  it('refuses an option on a model it does not belong to', () => {
    expect(messages({ ...usage, flatPriceAtZero: true })).toContain('only a tiered price has a first tier to charge');
    expect(messages({ ...usage, blockRounding: 'UP' })).toContain('only a package price (blockSize) rounds blocks');
    expect(messages({ ...usage, freeUnits: 1 })).toContain('free units belong to a package price (blockSize)');
    expect(messages({ ...usage, fractionalQuantity: true })).toContain(
      'only a PER_UNIT price takes a quantity (usage may be fractional anyway)',
    );
    expect(messages({ ...base, maximumAmount: '5' })).toContain('a FLAT_FEE price is its amount: it has no maximum');
    expect(messages({ ...base, negativeUsage: 'CREDIT' })).toContain('only a USAGE_BASED price prices usage');
    expect(
      messages({
        ...usage,
        amount: undefined,
        percentage: { rate: 1, minPerTransaction: '5', maxPerTransaction: '1' },
      }),
    ).toContain('minPerTransaction exceeds maxPerTransaction');
    expect(messages({ ...usage, amount: undefined, percentage: { rate: 101 } })).toContain(
      'a percentage of at most 100',
    );
  });
});
