import { describe, expect, it } from 'vitest';
import type { PriceTier } from '../../src/catalog/price-schema.js';
import { Decimal } from '../../src/money/money.js';
import { graduatedCharge, tierSlices, volumeCharge } from '../../src/pricing/tiers.js';
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

describe('flatPriceAtZero', () => {
  // Lago, spec/services/charge_models/graduated_service_spec.rb "when aggregation is 0": ranges
  // 0-10 at 10 + flat 2, 11-20 at 5 + flat 3, 21+ at 5 + flat 3 charge the first tier's flat 2 for
  // 0 units, and 12 for 1 unit.
  const lago: PriceTier[] = [
    { upTo: 10, unitPrice: '10', flatPrice: '2' },
    { upTo: 20, unitPrice: '5', flatPrice: '3' },
    { unitPrice: '5', flatPrice: '3' },
  ];

  it("charges the first tier's flat price at zero, as Lago does for graduated and volume tiers", () => {
    expect(graduatedCharge(lago, 0, { flatPriceAtZero: true }).toString()).toBe('2');
    expect(graduatedCharge(lago, 1, { flatPriceAtZero: true }).toString()).toBe('12');
    expect(graduatedCharge(lago, 0).toString()).toBe('0');
    // Lago, spec/services/charge_models/volume_service_spec.rb "when aggregation is 0": 0-100 at 2
    // + flat 10 charges 10 for 0 units.
    const volume: PriceTier[] = [
      { upTo: 100, unitPrice: '2', flatPrice: '10' },
      { upTo: 200, unitPrice: '1', flatPrice: '0' },
      { unitPrice: '0.5', flatPrice: '50' },
    ];
    expect(volumeCharge(volume, 0, { flatPriceAtZero: true }).toString()).toBe('10');
    expect(volumeCharge(volume, 0).toString()).toBe('0');
  });

  it("matches OpenMeter's volume tiers with no usage: the first tier's flat 100", () => {
    // OpenMeter, openmeter/billing/rating/service/rate/tieredvolume_test.go "tiered volume, last
    // price, no usage": tiers up to 5 flat 100, up to 10 flat 150, up to 15 at 10, then 5.
    const om: PriceTier[] = [
      { upTo: 5, flatPrice: '100' },
      { upTo: 10, flatPrice: '150' },
      { upTo: 15, unitPrice: '10' },
      { unitPrice: '5' },
    ];
    expect(volumeCharge(om, 0, { flatPriceAtZero: true }).toString()).toBe('100');
    expect(volumeCharge(om, 7).toString()).toBe('150');
  });
});

describe('tierSlices', () => {
  it("breaks a graduated charge into OpenMeter's per-tier lines", () => {
    // OpenMeter, tieredgraduated_test.go "single period multiple tier usage": 22 units over tiers
    // up to 5 (flat 100, 0 per unit), up to 10 (flat 50), up to 15 (5 per unit), then 1 per unit:
    // 100 + 50 + 5 × 5 + 7 × 1 = 182.
    const om: PriceTier[] = [
      { upTo: 5, unitPrice: '0', flatPrice: '100' },
      { upTo: 10, flatPrice: '50' },
      { upTo: 15, unitPrice: '5' },
      { unitPrice: '1' },
    ];
    const slices = tierSlices(om, 'GRADUATED', 22);
    expect(slices.map((s) => [s.index, s.quantity.toNumber(), s.amount.toNumber()])).toEqual([
      [0, 5, 100],
      [1, 5, 50],
      [2, 5, 25],
      [3, 7, 7],
    ]);
    expect(graduatedCharge(om, 22).toString()).toBe('182');
  });

  it('takes fractional quantities, and refuses negative ones', () => {
    expect(graduatedCharge(tiers, 5.5).toString()).toBe('27');
    expect(volumeCharge(tiers, 2.5).toString()).toBe('12.5');
    expectAllotError(() => tierSlices(tiers, 'GRADUATED', -1), 'INVALID_INPUT');
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

  // Quantities with up to 3 decimals, so fractional ones are covered too.
  const fractional = fc.integer({ min: 0, max: 2_000_000 }).map((n) => new Decimal(n).div(1000));

  it('GRADUATED never prices a larger quantity lower, fractional or at zero with flatPriceAtZero', () => {
    fc.assert(
      fc.property(tierList, fractional, fractional, fc.boolean(), (list, a, b, flatPriceAtZero) => {
        const [lo, hi] = a.lte(b) ? [a, b] : [b, a];
        const options = { flatPriceAtZero };
        expect(graduatedCharge(list, lo, options).lte(graduatedCharge(list, hi, options))).toBe(true);
      }),
    );
  });

  it("the slices' quantities add up to the quantity and their amounts to the charge", () => {
    fc.assert(
      fc.property(
        tierList,
        fractional,
        fc.constantFrom('VOLUME', 'GRADUATED') as fc.Arbitrary<'VOLUME' | 'GRADUATED'>,
        (list, q, mode) => {
          const slices = tierSlices(list, mode, q);
          const units = slices.reduce((sum, s) => sum.plus(s.quantity), new Decimal(0));
          expect(units.eq(q)).toBe(true);
          const charge = mode === 'VOLUME' ? volumeCharge(list, q) : graduatedCharge(list, q);
          expect(slices.reduce((sum, s) => sum.plus(s.amount), new Decimal(0)).eq(charge)).toBe(true);
        },
      ),
    );
  });

  it('flatPriceAtZero changes only the charge at zero', () => {
    fc.assert(
      fc.property(tierList, fractional, (list, q) => {
        fc.pre(q.gt(0));
        expect(graduatedCharge(list, q, { flatPriceAtZero: true }).eq(graduatedCharge(list, q))).toBe(true);
        expect(volumeCharge(list, q, { flatPriceAtZero: true }).eq(volumeCharge(list, q))).toBe(true);
      }),
    );
  });
});
