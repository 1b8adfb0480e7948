import type { Coupon, PromotionCode } from '../catalog/coupon-schema.js';
import { AllotError } from '../errors.js';

/** A promotion code found in the catalog, with the coupon it applies. */
export interface ResolvedPromotionCode {
  readonly coupon: Coupon;
  readonly promotionCode: PromotionCode;
}

function unusableReason(coupon: Coupon, code: PromotionCode, now: number): string | undefined {
  if (!code.active) return 'inactive';
  if (code.expiresAt !== undefined && now >= code.expiresAt) return 'expired';
  if (coupon.status === 'ARCHIVED') return 'coupon archived';
  return undefined;
}

/**
 * The coupon a promotion code applies at `now`, matching the code case-insensitively. An unknown
 * code throws PROMOTION_CODE_NOT_FOUND; a code that exists but cannot be used (inactive, expired
 * at or before `now`, or its coupon archived) throws
 * PROMOTION_CODE_NOT_APPLICABLE with `details.reason`.
 *
 * @example resolvePromotionCode(catalog.coupons.values(), 'stigg50', now, 0).coupon.id // 'half'
 */
export function resolvePromotionCode(coupons: Iterable<Coupon>, code: string, now: number): ResolvedPromotionCode {
  const wanted = code.toUpperCase();
  for (const coupon of coupons) {
    const promotionCode = coupon.promotionCodes.find((p) => p.code.toUpperCase() === wanted);
    if (!promotionCode) continue;
    const reason = unusableReason(coupon, promotionCode, now);
    if (reason)
      throw new AllotError('PROMOTION_CODE_NOT_APPLICABLE', `promotion code "${code}" cannot be applied: ${reason}`, {
        details: { promotionCode: code, couponId: coupon.id, reason },
      });
    return { coupon, promotionCode };
  }
  throw new AllotError('PROMOTION_CODE_NOT_FOUND', `unknown promotion code "${code}"`, {
    details: { promotionCode: code },
  });
}
