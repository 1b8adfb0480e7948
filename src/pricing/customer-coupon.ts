// The coupon a customer or a subscription holds: which coupons may be held, and which one an
// estimate applies.
import type { Catalog } from '../catalog/catalog.js';
import type { Coupon } from '../catalog/coupon-schema.js';
import { AllotError } from '../errors.js';
import type { InlineDiscount } from '../model/billing.js';
import type { CustomerState, SubscriptionRecord } from '../model/records.js';
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

/** An inline discount as a coupon: REPEATING for its months, else FOREVER. */
function inlineCoupon(id: string, d: InlineDiscount): Coupon {
  return {
    id,
    name: d.name ?? 'Discount',
    description: d.description ?? null,
    type: d.percentOff === undefined ? 'FIXED' : 'PERCENTAGE',
    ...(d.percentOff === undefined ? {} : { percentOff: d.percentOff }),
    ...(d.amountsOff === undefined ? {} : { amountsOff: [...d.amountsOff] }),
    durationType: d.durationInMonths === undefined ? 'FOREVER' : 'REPEATING',
    ...(d.durationInMonths === undefined ? {} : { durationInMonths: d.durationInMonths }),
    status: 'ACTIVE',
    metadata: null,
    promotionCodes: [],
  };
}

/**
 * A subscription's own coupon (its `appliedCoupon`), which wins over the customer's in its
 * estimates: a catalog coupon while it is active, or its inline discount. None when it has only a
 * billing provider's coupon id.
 */
export function subscriptionCoupon(catalog: Catalog, subscription: SubscriptionRecord): HeldCoupon | undefined {
  const held = subscription.billing?.coupon;
  const coupon =
    held?.couponId !== undefined
      ? catalog.coupons.get(held.couponId)
      : held?.discount && inlineCoupon(`${subscription.id}-discount`, held.discount);
  return held && coupon?.status === 'ACTIVE' ? { coupon, couponStartsAt: held.startsAt } : undefined;
}
