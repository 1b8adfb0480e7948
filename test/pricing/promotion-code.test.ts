import { describe, expect, it } from 'vitest';
import { resolvePromotionCode } from '../../src/pricing/promotion-code.js';
import { at, couponOf, expectAllotError, fc } from './helpers.js';

const NOW = at('2024-06-01T00:00:00Z');
const half = couponOf({
  id: 'half',
  promotionCodes: [
    { code: 'STIGG50' },
    { code: 'OLD', expiresAt: '2024-06-01T00:00:00Z' },
    { code: 'OFF', active: false },
  ],
});
const archived = couponOf({ id: 'gone', status: 'ARCHIVED', promotionCodes: [{ code: 'GONE' }] });
const coupons = [half, archived];

describe('resolvePromotionCode', () => {
  it('finds the coupon of a code, case-insensitively', () => {
    const found = resolvePromotionCode(coupons, 'stigg50', NOW);
    expect(found.coupon.id).toBe('half');
    expect(found.promotionCode.code).toBe('STIGG50');
  });

  it('refuses an unknown code with PROMOTION_CODE_NOT_FOUND', () => {
    const e = expectAllotError(() => resolvePromotionCode(coupons, 'NOPE', NOW), 'PROMOTION_CODE_NOT_FOUND');
    expect(e.details).toEqual({ promotionCode: 'NOPE' });
  });

  it('refuses a code that cannot be applied, saying why', () => {
    const reason = (code: string) =>
      (
        expectAllotError(() => resolvePromotionCode(coupons, code, NOW), 'PROMOTION_CODE_NOT_APPLICABLE').details as {
          reason: string;
        }
      ).reason;
    expect(reason('OLD')).toBe('expired');
    expect(reason('OFF')).toBe('inactive');
    expect(reason('GONE')).toBe('coupon archived');
  });

  it('accepts a code just before it expires and below its redemption limit', () => {
    expect(resolvePromotionCode(coupons, 'OLD', NOW - 1).coupon.id).toBe('half');
  });
});

describe('properties', () => {
  it('a code resolves exactly when it exists, is active and unexpired', () => {
    const promo = fc.record({
      code: fc.constantFrom('A', 'B', 'C'),
      active: fc.boolean(),
      expiresAt: fc.option(fc.integer({ min: NOW - 10, max: NOW + 10 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.option(promo, { nil: undefined }), (p) => {
        const coupon = couponOf({ promotionCodes: p ? [p] : [] });
        const usable = p?.active === true && (p.expiresAt === undefined || NOW < p.expiresAt);
        if (p && usable) expect(resolvePromotionCode([coupon], p.code.toLowerCase(), NOW).coupon).toBe(coupon);
        else
          expectAllotError(
            () => resolvePromotionCode([coupon], p?.code ?? 'A', NOW),
            p ? 'PROMOTION_CODE_NOT_APPLICABLE' : 'PROMOTION_CODE_NOT_FOUND',
          );
      }),
    );
  });
});
