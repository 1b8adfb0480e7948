import { AllotError } from '../errors.js';
import type { Coupon, PromotionCode } from './coupon-schema.js';

/** A promotion code found in the catalog, with the coupon it applies. */
export interface ResolvedPromotionCode {
  readonly coupon: Coupon;
  readonly promotionCode: PromotionCode;
}

function unusableReason(coupon: Coupon, code: PromotionCode, now: number, timesRedeemed: number): string | undefined {
  if (!code.active) return 'inactive';
  if (code.expiresAt !== undefined && now >= code.expiresAt) return 'expired';
  if (code.maxRedemptions !== undefined && timesRedeemed >= code.maxRedemptions) return 'fully redeemed';
  if (coupon.status === 'ARCHIVED') return 'coupon archived';
  return undefined;
}

/**
 * The coupon a promotion code applies at `now`, matching the code case-insensitively. An unknown
 * code throws INVALID_INPUT; a code that exists but cannot be used (inactive, expired at or
 * before `now`, redeemed `maxRedemptions` times, or its coupon archived) throws
 * INVALID_OPERATION with `details.reason`.
 *
 * @example resolvePromotionCode(catalog.coupons, 'stigg50', now, 0).coupon.id // 'half'
 */
export function resolvePromotionCode(
  coupons: readonly Coupon[],
  code: string,
  now: number,
  timesRedeemed = 0,
): ResolvedPromotionCode {
  const wanted = code.toUpperCase();
  for (const coupon of coupons) {
    const promotionCode = coupon.promotionCodes.find((p) => p.code.toUpperCase() === wanted);
    if (!promotionCode) continue;
    const reason = unusableReason(coupon, promotionCode, now, timesRedeemed);
    if (reason)
      throw new AllotError('INVALID_OPERATION', `promotion code "${code}" cannot be applied: ${reason}`, {
        details: { promotionCode: code, couponId: coupon.id, reason },
      });
    return { coupon, promotionCode };
  }
  throw new AllotError('INVALID_INPUT', `unknown promotion code "${code}"`, { details: { promotionCode: code } });
}
