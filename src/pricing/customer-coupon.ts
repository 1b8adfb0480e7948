// The coupon a customer holds: which coupons may be held, and which one an estimate applies.
import type { Catalog } from '../catalog/catalog.js';
import type { Coupon } from '../catalog/coupon-schema.js';
import { AllotError } from '../errors.js';
import type { CustomerState } from '../model/records.js';
import { resolvePromotionCode } from './promotion-code.js';

/** A coupon as an estimate applies it: the coupon and when its discount periods started. */
export interface HeldCoupon {
  readonly coupon?: Coupon;
  readonly couponStartsAt?: number;
}

/** The coupon a customer may be given: in the catalog (COUPON_NOT_FOUND) and not archived (INVALID_OPERATION). */
export function requireCoupon(catalog: Catalog, couponId: string): Coupon {
  const coupon = catalog.coupons.get(couponId);
  if (!coupon)
    throw new AllotError('COUPON_NOT_FOUND', `coupon "${couponId}" is not in the catalog`, { details: { couponId } });
  if (coupon.status !== 'ACTIVE')
    throw new AllotError('INVALID_OPERATION', `coupon "${couponId}" is archived`, { details: { couponId } });
  return coupon;
}

/** The customer's coupon, if it is still an active one, and since when it discounts. */
export function heldCoupon(catalog: Catalog, state: CustomerState): HeldCoupon {
  const coupon = state.customer.couponId ? catalog.coupons.get(state.customer.couponId) : undefined;
  if (coupon?.status !== 'ACTIVE') return {};
  const appliedAt = state.customer.couponAppliedAt;
  return { coupon, ...(appliedAt === null ? {} : { couponStartsAt: appliedAt }) };
}

/** The coupon an estimate applies: the promotion code's (which must be usable; it would start now), else the customer's. */
export function estimateCoupon(
  catalog: Catalog,
  state: CustomerState,
  code: string | undefined,
  now: number,
): HeldCoupon {
  if (code !== undefined) return { coupon: resolvePromotionCode(catalog.coupons.values(), code, now).coupon };
  return heldCoupon(catalog, state);
}
