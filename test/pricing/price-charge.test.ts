import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/money/money.js';
import { priceCharge, quantityCharge, unitCharge } from '../../src/pricing/price-charge.js';
import { expectAllotError, fc, priceOf } from './helpers.js';

const seats = (extra: Parameters<typeof priceOf>[0] = {}) =>
  priceOf({ billingModel: 'PER_UNIT', featureId: 'seats', amount: '3', ...extra });

describe('priceCharge', () => {
  it('FLAT_FEE charges its amount up front, whatever the quantity', () => {
    expect(priceCharge(priceOf({ amount: '49.99' }), 7)).toEqual({
      kind: 'UPFRONT',
      amount: new Decimal('49.99'),
      quantity: undefined,
    });
  });

  it('PER_UNIT charges the amount per unit', () => {
    expect(priceCharge(seats(), 4)).toMatchObject({ kind: 'UPFRONT', amount: new Decimal(12), quantity: 4 });
    expect(priceCharge(seats(), 0).amount.toString()).toBe('0');
  });

  it('PER_UNIT charges a quantity below the minimum at the minimum', () => {
    expect(priceCharge(seats({ minUnitQuantity: 5 }), 2)).toMatchObject({
      kind: 'UPFRONT',
      amount: new Decimal(15),
      quantity: 5,
    });
    expect(priceCharge(seats({ minUnitQuantity: 5 }), 6)).toMatchObject({ quantity: 6 });
  });

  it('PER_UNIT refuses a quantity above the maximum', () => {
    const e = expectAllotError(() => priceCharge(seats({ maxUnitQuantity: 10 }), 11), 'INVALID_INPUT');
    expect(e.message).toMatch(/PER_UNIT price of feature "seats": quantity 11 exceeds the maximum of 10/);
    expect(priceCharge(seats({ maxUnitQuantity: 10 }), 10).amount.toString()).toBe('30');
  });

  it('PER_UNIT refuses a missing, negative or fractional quantity', () => {
    expectAllotError(() => priceCharge(seats()), 'INVALID_INPUT');
    expectAllotError(() => priceCharge(seats(), -1), 'INVALID_INPUT');
    expectAllotError(() => priceCharge(seats(), 1.5), 'INVALID_INPUT');
    expectAllotError(() => priceCharge(seats(), Number.NaN), 'INVALID_INPUT');
  });

  it('package pricing rounds partial blocks up', () => {
    const pack = seats({ amount: '20', blockSize: 10 });
    expect(priceCharge(pack, 0).amount.toString()).toBe('0');
    expect(priceCharge(pack, 1).amount.toString()).toBe('20');
    expect(priceCharge(pack, 10).amount.toString()).toBe('20');
    expect(priceCharge(pack, 11).amount.toString()).toBe('40');
  });

  it('tiered PER_UNIT prices follow their mode', () => {
    const tiers = [{ upTo: 5, unitPrice: '5' }, { upTo: 10, unitPrice: '4' }, { unitPrice: '3' }];
    const volume = seats({ amount: undefined, tiersMode: 'VOLUME', tiers });
    const graduated = seats({ amount: undefined, tiersMode: 'GRADUATED', tiers });
    expect(priceCharge(volume, 12).amount.toString()).toBe('36');
    expect(priceCharge(graduated, 12).amount.toString()).toBe('51');
  });

  it('USAGE_BASED is billed in arrears: no charge, a unit price for display', () => {
    const usage = priceOf({ billingModel: 'USAGE_BASED', featureId: 'calls', amount: '0.0015' });
    expect(priceCharge(usage, 1000)).toEqual({
      kind: 'IN_ARREARS',
      amount: new Decimal(0),
      unitPrice: new Decimal('0.0015'),
    });
    const tiered = priceOf({
      billingModel: 'USAGE_BASED',
      featureId: 'calls',
      amount: undefined,
      tiersMode: 'GRADUATED',
      tiers: [{ upTo: 1000, unitPrice: '0.002' }, { unitPrice: '0.001' }],
    });
    expect(priceCharge(tiered)).toMatchObject({ kind: 'IN_ARREARS', unitPrice: new Decimal('0.002') });
  });

  it('MINIMUM_SPEND is a floor, not a charge', () => {
    expect(priceCharge(priceOf({ billingModel: 'MINIMUM_SPEND', amount: '100' }))).toEqual({
      kind: 'MINIMUM_SPEND',
      amount: new Decimal(0),
      minimum: new Decimal(100),
    });
  });
});

describe('quantityCharge', () => {
  it('prices metered usage, fractional quantities included', () => {
    const usage = priceOf({ billingModel: 'USAGE_BASED', featureId: 'gb', amount: '0.1' });
    expect(quantityCharge(usage, 2.5).toString()).toBe('0.25');
    const pack = priceOf({ billingModel: 'USAGE_BASED', featureId: 'calls', amount: '1', blockSize: 1000 });
    expect(quantityCharge(pack, 1001).toString()).toBe('2');
  });

  it('refuses negative or non-finite usage', () => {
    const usage = priceOf({ billingModel: 'USAGE_BASED', featureId: 'gb', amount: '0.1' });
    expectAllotError(() => quantityCharge(usage, -1), 'INVALID_INPUT');
    expectAllotError(() => quantityCharge(usage, Number.POSITIVE_INFINITY), 'INVALID_INPUT');
  });
});

describe('price options', () => {
  it('rounds package blocks up by default and down on request (Stripe transform_quantity)', () => {
    // Stripe, "Quantity transformation" (billing/subscriptions/quantity-transformation): 10 USD for
    // every 5 users, divide_by 5, round up: 1, 3 and 5 users cost 10; 6 and 7 cost 20.
    const perFive = seats({ amount: '10', blockSize: 5 });
    expect([1, 3, 5, 6, 7].map((n) => priceCharge(perFive, n).amount.toNumber())).toEqual([10, 10, 10, 20, 20]);
    // Stripe, "Transform quantities" (usage-based/transform-quantities): 10 USD per hour reported
    // in minutes, divide_by 60 rounded up: 150 minutes cost 30; rounded down, whole hours only: 20.
    const hourly = priceOf({ billingModel: 'USAGE_BASED', featureId: 'minutes', amount: '10', blockSize: 60 });
    expect(quantityCharge(hourly, 150).toString()).toBe('30');
    expect(quantityCharge({ ...hourly, blockRounding: 'DOWN' }, 150).toString()).toBe('20');
    expect(unitCharge({ ...hourly, blockRounding: 'DOWN' }, 150).units.toString()).toBe('2');
  });

  it('counts package blocks after the free units (Lago package free_units)', () => {
    // Lago, spec/services/charge_models/package_service_spec.rb: 100 per package of 10, 121 units:
    // 1300; with 10 free units 1200; with 200 free units 0.
    const pack = priceOf({ billingModel: 'USAGE_BASED', featureId: 'calls', amount: '100', blockSize: 10 });
    expect(quantityCharge(pack, 121).toString()).toBe('1300');
    expect(quantityCharge({ ...pack, freeUnits: 10 }, 121).toString()).toBe('1200');
    expect(quantityCharge({ ...pack, freeUnits: 200 }, 121).toString()).toBe('0');
  });

  it('caps a price at its maximumAmount (OpenMeter maximum spend)', () => {
    // OpenMeter, tieredvolume_test.go "usage above max spend, max spend is not at tier boundary":
    // 7 units reach the tier with a flat 150; a maximum of 125 takes 25 off.
    const tiers = [
      { upTo: 5, flatPrice: '100' },
      { upTo: 10, flatPrice: '150' },
      { upTo: 15, unitPrice: '10' },
      { unitPrice: '5' },
    ];
    const volume = priceOf({
      billingModel: 'USAGE_BASED',
      featureId: 'calls',
      amount: undefined,
      tiersMode: 'VOLUME',
      tiers,
      maximumAmount: '125',
    });
    const charge = unitCharge(volume, 7);
    expect([charge.amount.toNumber(), charge.aboveMaximum.toNumber()]).toEqual([125, 25]);
    expect(unitCharge(volume, 5).amount.toString()).toBe('100');
    expect(priceCharge(seats({ maximumAmount: '20' }), 10).amount.toString()).toBe('20');
  });

  it('takes a fractional PER_UNIT quantity when the price says so', () => {
    const storage = seats({ featureId: 'gb', amount: '0.2', fractionalQuantity: true });
    expect(priceCharge(storage, 2.38).amount.toString()).toBe('0.476');
    expectAllotError(() => priceCharge(seats(), 2.5), 'INVALID_INPUT');
    expectAllotError(() => priceCharge(storage, -0.5), 'INVALID_INPUT');
  });

  it('prices usage when it is given, and negative usage only as the price says', () => {
    const calls = priceOf({ billingModel: 'USAGE_BASED', featureId: 'calls', amount: '0.5' });
    expect(priceCharge(calls, undefined, { quantity: 10 })).toMatchObject({
      amount: new Decimal(5),
      usage: new Decimal(10),
    });
    expectAllotError(() => priceCharge(calls, undefined, { quantity: -4 }), 'INVALID_INPUT');
    const credit = priceCharge({ ...calls, negativeUsage: 'CREDIT' }, undefined, { quantity: -4 });
    expect(credit.amount.toString()).toBe('-2');
    const floor = priceCharge({ ...calls, negativeUsage: 'FLOOR_AT_ZERO' }, undefined, { quantity: -4 });
    expect(floor.amount.toString()).toBe('0');
    expectAllotError(() => priceCharge(calls, undefined, { transactions: [1] }), 'INVALID_INPUT');
    const pct = priceOf({
      billingModel: 'USAGE_BASED',
      featureId: 'payments',
      amount: undefined,
      percentage: { rate: 1 },
    });
    expectAllotError(() => priceCharge(pct, undefined, { quantity: 5 }), 'INVALID_INPUT');
    expect(priceCharge(pct, undefined, { transactions: [500] }).amount.toString()).toBe('5');
  });
});

describe('properties', () => {
  const unitPrice = fc.integer({ min: 0, max: 100_000 }).map((n) => new Decimal(n).div(100).toString());
  const q = fc.integer({ min: 0, max: 10_000 });

  it('PER_UNIT charge is unit price × max(quantity, minimum), exactly', () => {
    fc.assert(
      fc.property(unitPrice, q, fc.integer({ min: 0, max: 100 }), (amount, quantity, min) => {
        const charge = priceCharge(seats({ amount, minUnitQuantity: min }), quantity);
        expect(charge.amount.eq(new Decimal(amount).times(Math.max(quantity, min)))).toBe(true);
      }),
    );
  });

  it('package pricing charges ceil(quantity / block) blocks and never less than per-unit-of-block pricing', () => {
    fc.assert(
      fc.property(unitPrice, q, fc.integer({ min: 1, max: 500 }), (amount, quantity, blockSize) => {
        const charge = priceCharge(seats({ amount, blockSize }), quantity).amount;
        const blocks = Math.ceil(quantity / blockSize);
        expect(charge.eq(new Decimal(amount).times(blocks))).toBe(true);
        expect(charge.gte(new Decimal(amount).times(quantity).div(blockSize))).toBe(true);
      }),
    );
  });

  it('VOLUME and GRADUATED agree on a single-tier PER_UNIT price', () => {
    fc.assert(
      fc.property(unitPrice, unitPrice, q, (u, f, quantity) => {
        const tiers = [{ unitPrice: u, flatPrice: f }];
        const volume = seats({ amount: undefined, tiersMode: 'VOLUME', tiers });
        const graduated = seats({ amount: undefined, tiersMode: 'GRADUATED', tiers });
        expect(priceCharge(volume, quantity).amount.eq(priceCharge(graduated, quantity).amount)).toBe(true);
      }),
    );
  });

  const cap = fc.integer({ min: 0, max: 1_000_000 }).map((n) => new Decimal(n).div(100).toString());

  it('a maximumAmount is never exceeded, and takes off exactly the excess', () => {
    fc.assert(
      fc.property(unitPrice, q, cap, fc.integer({ min: 1, max: 50 }), (amount, quantity, maximumAmount, blockSize) => {
        for (const price of [seats({ amount, maximumAmount }), seats({ amount, maximumAmount, blockSize })]) {
          const capped = unitCharge(price, quantity);
          const uncapped = unitCharge({ ...price, maximumAmount: undefined }, quantity);
          expect(capped.amount.lte(maximumAmount)).toBe(true);
          expect(capped.amount.plus(capped.aboveMaximum).eq(uncapped.amount)).toBe(true);
        }
      }),
    );
  });

  it('rounding blocks down never charges more than rounding up, nor more than one block less', () => {
    fc.assert(
      fc.property(
        unitPrice,
        q,
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 100 }),
        (amount, quantity, blockSize, freeUnits) => {
          const up = quantityCharge(seats({ amount, blockSize, freeUnits }), quantity);
          const down = quantityCharge(seats({ amount, blockSize, freeUnits, blockRounding: 'DOWN' }), quantity);
          expect(down.lte(up)).toBe(true);
          expect(up.minus(down).lte(amount)).toBe(true);
        },
      ),
    );
  });

  it('a CREDIT for negative usage mirrors the charge of the same positive usage', () => {
    fc.assert(
      fc.property(unitPrice, q, (amount, quantity) => {
        const price = priceOf({ billingModel: 'USAGE_BASED', featureId: 'calls', amount, negativeUsage: 'CREDIT' });
        const credit = priceCharge(price, undefined, { quantity: -quantity }).amount;
        expect(credit.negated().eq(priceCharge(price, undefined, { quantity }).amount)).toBe(true);
      }),
    );
  });
});
