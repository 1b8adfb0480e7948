import { describe, expect, it } from 'vitest';
import type { PriceTier } from '../../src/catalog/price-schema.js';
import { Decimal } from '../../src/money/money.js';
import { graduatedCharge, volumeCharge } from '../../src/pricing/tiers.js';
import { expectAllotError, fc } from './helpers.js';

// Stripe's documented example: 1-5 at 5, 6-10 at 4, 11+ at 3.
const tiers: PriceTier[] = [{ upTo: 5, unitPrice: '5' }, { upTo: 10, unitPrice: '4' }, { unitPrice: '3' }];

describe('volumeCharge', () => {
  it('charges the whole quantity at the tier it falls in', () => {
    expect(volumeCharge(tiers, 5).toString()).toBe('25');
    expect(volumeCharge(tiers, 6).toString()).toBe('24');
    expect(volumeCharge(tiers, 12).toString()).toBe('36');
  });

  it("adds that tier's flat price, and nothing for zero units", () => {
    const flat: PriceTier[] = [
      { upTo: 10, flatPrice: '100' },
      { unitPrice: '2', flatPrice: '50' },
    ];
    expect(volumeCharge(flat, 3).toString()).toBe('100');
    expect(volumeCharge(flat, 11).toString()).toBe('72');
    expect(volumeCharge(flat, 0).toString()).toBe('0');
  });

  it('refuses a quantity above a bounded last tier', () => {
    expectAllotError(() => volumeCharge([{ upTo: 10, unitPrice: '1' }], 11), 'INVALID_INPUT');
  });
});

describe('graduatedCharge', () => {
  it("charges each tier's slice at its own price", () => {
    expect(graduatedCharge(tiers, 5).toString()).toBe('25');
    expect(graduatedCharge(tiers, 6).toString()).toBe('29');
    expect(graduatedCharge(tiers, 12).toString()).toBe('51');
  });

  it('adds the flat price of every tier reached, and nothing for zero units', () => {
    const flat: PriceTier[] = [
      { upTo: 10, unitPrice: '1', flatPrice: '100' },
      { unitPrice: '2', flatPrice: '50' },
    ];
    expect(graduatedCharge(flat, 10).toString()).toBe('110');
    expect(graduatedCharge(flat, 11).toString()).toBe('162');
    expect(graduatedCharge(flat, 0).toString()).toBe('0');
  });

  it('refuses a quantity above a bounded last tier', () => {
    expectAllotError(() => graduatedCharge([{ upTo: 10, unitPrice: '1' }], 10.5), 'INVALID_INPUT');
    expect(graduatedCharge([{ upTo: 10, unitPrice: '1' }], 10).toString()).toBe('10');
  });
});

const cents = fc.integer({ min: 0, max: 100_000 }).map((n) => new Decimal(n).div(100).toString());
const tierList = fc
  .tuple(fc.uniqueArray(fc.integer({ min: 1, max: 500 }), { maxLength: 5 }), fc.array(fc.tuple(cents, cents)))
  .map(([bounds, prices]) => {
    const ups = [...bounds.sort((a, b) => a - b), undefined];
    return ups.map((upTo, i): PriceTier => {
      const [unitPrice, flatPrice] = prices[i] ?? ['1', '0'];
      return upTo === undefined ? { unitPrice, flatPrice } : { upTo, unitPrice, flatPrice };
    });
  });
const quantity = fc.integer({ min: 0, max: 2000 });

describe('properties', () => {
  it('VOLUME and GRADUATED agree on a single-tier price list', () => {
    fc.assert(
      fc.property(cents, cents, quantity, (unitPrice, flatPrice, q) => {
        const single: PriceTier[] = [{ unitPrice, flatPrice }];
        expect(volumeCharge(single, q).eq(graduatedCharge(single, q))).toBe(true);
      }),
    );
  });

  it('VOLUME and GRADUATED agree within the first tier', () => {
    fc.assert(
      fc.property(tierList, quantity, (list, q) => {
        const first = list[0]?.upTo ?? Number.POSITIVE_INFINITY;
        fc.pre(q <= first);
        expect(volumeCharge(list, q).eq(graduatedCharge(list, q))).toBe(true);
      }),
    );
  });

  it('GRADUATED is the sum of every slice: an independent per-unit walk agrees', () => {
    fc.assert(
      fc.property(tierList, quantity, (list, q) => {
        let expected = new Decimal(0);
        const reached = new Set<number>();
        for (let unit = 1; unit <= q; unit++) {
          const i = list.findIndex((t) => t.upTo === undefined || unit <= t.upTo);
          const tier = list[i];
          if (!tier) throw new Error('unreachable: the last tier is open');
          expected = expected.plus(tier.unitPrice ?? 0);
          if (!reached.has(i)) expected = expected.plus(tier.flatPrice ?? 0);
          reached.add(i);
        }
        expect(graduatedCharge(list, q).toString()).toBe(expected.toString());
      }),
      { numRuns: 100 },
    );
  });

  it('GRADUATED is monotone in the quantity for non-negative prices', () => {
    fc.assert(
      fc.property(tierList, quantity, quantity, (list, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(graduatedCharge(list, lo).lte(graduatedCharge(list, hi))).toBe(true);
      }),
    );
  });
});
