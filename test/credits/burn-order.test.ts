import { describe, expect, it } from 'vitest';
import { type BurnOrderKey, burnOrder, compareBurnOrder, GRANT_TYPE_BURN_RANK } from '../../src/credits/burn-order.js';
import type { CreditGrantType } from '../../src/credits/credit-records.js';
import { DAY, fc, T0 } from './helpers.js';

function key(id: string, extra: Partial<BurnOrderKey> = {}): BurnOrderKey {
  return { id, priority: 0, expireAt: null, grantType: 'PAID', effectiveAt: T0, createdAt: T0, ...extra };
}

const ids = (grants: readonly BurnOrderKey[]) => grants.map((g) => g.id);

describe('burnOrder', () => {
  it("follows the issue's example: priority wins over expiry, then promotional before paid", () => {
    const a = key('A', { priority: 1, grantType: 'PAID' });
    const b = key('B', { priority: 1, grantType: 'PROMOTIONAL' });
    const c = key('C', { priority: 2, grantType: 'PROMOTIONAL', expireAt: T0 + DAY });
    expect(ids(burnOrder([a, b, c]))).toEqual(['B', 'A', 'C']);
  });

  it('burns the soonest expiry first and grants without expiry last', () => {
    const never = key('never');
    const late = key('late', { expireAt: T0 + 10 * DAY });
    const soon = key('soon', { expireAt: T0 + DAY });
    expect(ids(burnOrder([never, late, soon]))).toEqual(['soon', 'late', 'never']);
  });

  it('ranks PROMOTIONAL, then RECURRING, then PAID on a tie of priority and expiry', () => {
    const types: CreditGrantType[] = ['PAID', 'RECURRING', 'PROMOTIONAL'];
    expect(ids(burnOrder(types.map((t) => key(t, { grantType: t }))))).toEqual(['PROMOTIONAL', 'RECURRING', 'PAID']);
    expect(GRANT_TYPE_BURN_RANK).toEqual({ PROMOTIONAL: 0, RECURRING: 1, PAID: 2 });
  });

  it('then burns the earliest effectiveAt, then the oldest, then by id', () => {
    expect(ids(burnOrder([key('x', { effectiveAt: T0 + 1 }), key('y', { effectiveAt: T0 })]))).toEqual(['y', 'x']);
    expect(ids(burnOrder([key('x', { createdAt: T0 + 1 }), key('y', { createdAt: T0 })]))).toEqual(['y', 'x']);
    expect(ids(burnOrder([key('b'), key('a'), key('B')]))).toEqual(['B', 'a', 'b']);
  });

  it('returns a sorted copy and leaves its input alone', () => {
    const input = Object.freeze([key('b'), key('a')]);
    expect(ids(burnOrder(input))).toEqual(['a', 'b']);
    expect(ids(input)).toEqual(['b', 'a']);
  });
});

describe('properties', () => {
  const grantKey = fc.record({
    id: fc.string({ minLength: 1, maxLength: 3 }),
    priority: fc.integer({ min: 0, max: 3 }),
    expireAt: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
    grantType: fc.constantFrom<CreditGrantType>('PAID', 'PROMOTIONAL', 'RECURRING'),
    effectiveAt: fc.integer({ min: 0, max: 3 }),
    createdAt: fc.integer({ min: 0, max: 3 }),
  });
  const distinctGrants = fc.uniqueArray(grantKey, { selector: (g) => g.id, maxLength: 12 });

  /** The burn order's key tuple, compared lexicographically as an independent oracle. */
  function tuple(g: BurnOrderKey): (number | string)[] {
    return [
      g.priority,
      g.expireAt ?? Number.POSITIVE_INFINITY,
      { PROMOTIONAL: 0, RECURRING: 1, PAID: 2 }[g.grantType],
      g.effectiveAt,
      g.createdAt,
      g.id,
    ];
  }
  function lexLess(a: (number | string)[], b: (number | string)[]): boolean {
    for (let i = 0; i < a.length; i++) {
      const x = a[i] as number | string;
      const y = b[i] as number | string;
      if (x < y) return true;
      if (x > y) return false;
    }
    return false;
  }

  it('orders by the key tuple, lexicographically', () => {
    fc.assert(
      fc.property(distinctGrants, (grants) => {
        const sorted = burnOrder(grants);
        for (let i = 1; i < sorted.length; i++)
          expect(lexLess(tuple(sorted[i - 1] as BurnOrderKey), tuple(sorted[i] as BurnOrderKey))).toBe(true);
      }),
    );
  });

  it('is a total order: the result does not depend on the input order', () => {
    fc.assert(
      fc.property(
        distinctGrants.chain((g) => fc.tuple(fc.constant(g), fc.shuffledSubarray(g, { minLength: g.length }))),
        ([grants, shuffled]) => {
          expect(ids(burnOrder(shuffled))).toEqual(ids(burnOrder(grants)));
        },
      ),
    );
  });

  it('is antisymmetric and never ties distinct grants', () => {
    fc.assert(
      fc.property(grantKey, grantKey, (a, b) => {
        expect(Math.sign(compareBurnOrder(a, b))).toBe(-Math.sign(compareBurnOrder(b, a)));
        if (a.id !== b.id) expect(compareBurnOrder(a, b)).not.toBe(0);
      }),
    );
  });
});
