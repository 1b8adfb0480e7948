import type { Coupon, CouponType, DiscountDurationType } from '../catalog/coupon-schema.js';
import { addMonthsUtc } from '../core/reset-period.js';
import { AllotError } from '../errors.js';
import type { BillingPeriod } from '../model/enums.js';
import { Decimal, halfUp, type Money, type RoundingMode, roundMoney, toAmount } from '../money/money.js';
import { billingPeriodMonths } from '../proration/billing-period.js';

/** A coupon as estimates describe it (the reference's `discount`): `value` is percent or amount off. */
export interface DiscountSummary {
  readonly type: CouponType;
  readonly value: number;
  readonly durationType: DiscountDurationType;
  readonly durationInMonths: number | undefined;
}

function amountOff(coupon: Coupon, currency: string): Decimal {
  const off = coupon.amountsOff?.find((a) => a.currency === currency);
  if (!off)
    throw new AllotError('INVALID_INPUT', `coupon "${coupon.id}" has no amount off in ${currency}`, {
      details: { couponId: coupon.id, currency, currencies: coupon.amountsOff?.map((a) => a.currency) ?? [] },
    });
  return new Decimal(off.amount);
}

/**
 * The amount `coupon` takes off `subtotal`, rounded to the currency's minor unit and never more
 * than the subtotal, so a discounted total is never negative. PERCENTAGE takes `percentOff` of
 * the subtotal; FIXED takes its amount in the subtotal's currency, and throws INVALID_INPUT when
 * the coupon has none in that currency, or only its `remaining` amount when it carries one (see
 * `couponRemaining`).
 *
 * @example discountAmount(money('20', 'USD'), halfOff) // 10 USD
 */
export function discountAmount(
  subtotal: Money,
  coupon: Coupon,
  mode: RoundingMode = halfUp,
  remaining?: Decimal,
): Money {
  const off = coupon.type === 'PERCENTAGE' ? undefined : amountOff(coupon, subtotal.currency);
  const raw =
    off === undefined
      ? subtotal.amount.times(coupon.percentOff ?? 0).div(100)
      : remaining === undefined
        ? off
        : Decimal.min(off, remaining);
  const rounded = roundMoney(raw, subtotal.currency, mode);
  return { amount: Decimal.max(0, Decimal.min(rounded, subtotal.amount)), currency: subtotal.currency };
}

/**
 * The reference's description of a coupon for an estimate in `currency`: FIXED coupons give their
 * amount off in that currency (INVALID_INPUT when they have none).
 *
 * @example discountSummary(halfOff, 'USD') // { type: 'PERCENTAGE', value: 50, durationType: 'REPEATING', durationInMonths: 3 }
 */
export function discountSummary(coupon: Coupon, currency: string): DiscountSummary {
  return {
    type: coupon.type,
    value:
      coupon.type === 'PERCENTAGE'
        ? Number(coupon.percentOff ?? 0)
        : toAmount({ amount: amountOff(coupon, currency), currency }).amount,
    durationType: coupon.durationType,
    durationInMonths: coupon.durationInMonths,
  };
}

/**
 * What is left of a coupon that carries its remainder (`carryRemainder`) after it discounted the
 * periods of `subtotals` in turn, each taking as much as it could (`discountAmount`); undefined for
 * a coupon that carries nothing. Never negative, and the discounts it gave never add up to more
 * than its amount.
 *
 * @example couponRemaining(fixed12, [money('6', 'USD')]) // 6: the next period gets the other 6
 */
export function couponRemaining(
  coupon: Coupon,
  subtotals: readonly Money[],
  mode: RoundingMode = halfUp,
  currency = subtotals[0]?.currency,
): Decimal | undefined {
  if (!coupon.carryRemainder || currency === undefined) return undefined;
  let remaining = roundMoney(amountOff(coupon, currency), currency, mode);
  for (const subtotal of subtotals) {
    if (remaining.lte(0)) break;
    remaining = remaining.minus(discountAmount(subtotal, coupon, mode, remaining).amount);
  }
  return remaining;
}

/**
 * Whether a coupon whose discount starts at `startsAt` discounts the billing period
 * `[start, end)`. `startsAt` is when the coupon was applied, or the subscription's start if that
 * is later. No period that ends by `startsAt` is discounted. FOREVER discounts every later period;
 * ONCE only the period that contains `startsAt` (every later one while a remainder is carried); REPEATING every period that starts before
 * `startsAt` plus `durationInMonths` (month-end clamped, UTC), so a 3-month coupon on an annual
 * plan discounts its first year, as billing providers do.
 *
 * @example couponAppliesToPeriod(once, jan1, { start: feb1, end: mar1 }) // false
 */
export function couponAppliesToPeriod(
  coupon: Coupon,
  startsAt: number,
  period: { readonly start: number; readonly end: number },
): boolean {
  if (period.end <= startsAt) return false;
  switch (coupon.durationType) {
    case 'FOREVER':
      return true;
    case 'ONCE':
      // One that carries its remainder goes on until used up (see `couponRemaining`).
      return coupon.carryRemainder === true || period.start <= startsAt;
    case 'REPEATING':
      return period.start < addMonthsUtc(startsAt, coupon.durationInMonths ?? 0);
  }
}

/**
 * Whether a coupon discounts the billing period `periodIndex` periods after the one it started
 * in: FOREVER always; ONCE only the first (index 0), or every one while it carries a remainder
 * (`carryRemainder`, see `couponRemaining`); REPEATING while the period starts within
 * `durationInMonths` of the coupon's start (a 3-month coupon discounts 3 monthly periods, or the
 * first annual one, as billing providers do). A negative or fractional index throws INVALID_INPUT.
 *
 * @example couponAppliesToPeriodIndex(threeMonths, 'MONTHLY', 3) // false: the 4th month
 */
export function couponAppliesToPeriodIndex(coupon: Coupon, billingPeriod: BillingPeriod, periodIndex: number): boolean {
  if (!Number.isSafeInteger(periodIndex) || periodIndex < 0)
    throw new AllotError('INVALID_INPUT', `periodIndex must be a non-negative whole number, got ${periodIndex}`, {
      details: { periodIndex },
    });
  switch (coupon.durationType) {
    case 'FOREVER':
      return true;
    case 'ONCE':
      return periodIndex === 0 || coupon.carryRemainder === true;
    case 'REPEATING':
      return periodIndex * billingPeriodMonths(billingPeriod) < (coupon.durationInMonths ?? 0);
  }
}

/**
 * How many billing periods of `months` months a coupon that started discounting at `startsAt`
 * has already discounted before the period starting at `periodStart`: those that end after
 * `startsAt`, counted back from `periodStart` (month-end clamped, UTC). At most 1,200.
 *
 * @example periodsBefore(jan15, apr1, 1) // 3: January, February and March
 */
export function periodsBefore(startsAt: number, periodStart: number, months: number): number {
  let n = 0;
  while (n < 1200 && addMonthsUtc(periodStart, -n * months) > startsAt) n++;
  return n;
}
