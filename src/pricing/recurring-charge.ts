import type { Coupon } from '../catalog/coupon-schema.js';
import type { DecimalValue, RoundingMode } from '../money/money.js';
import { couponAppliesToPeriodIndex, couponRemaining } from './discount.js';
import { type Estimate, estimate, type PriceRounding } from './estimate.js';
import { assertPriceOverrides } from './price-overrides.js';
import { catalogPriceItems, currencyOf, type PricingSelection, priceItems } from './pricing-selection.js';

/** Options of `recurringCharge` and `subscriptionPrices`. */
export interface RecurringChargeOptions {
  /** The subscription's coupon; it discounts the period only when `periodIndex` is within its duration. */
  readonly coupon?: Coupon | undefined;
  /** `billingInformation.taxPercentage`: exclusive, or inclusive when the prices say `taxInclusive`. */
  readonly taxPercentage?: DecimalValue | undefined;
  /** How many billing periods since the coupon started discounting: 0 (default) is its first. */
  readonly periodIndex?: number | undefined;
  /** The currency of a selection that charges nothing (a FREE plan): `catalogCurrency(catalog)`, else USD. */
  readonly currency?: string | undefined;
  readonly rounding?: RoundingMode | undefined;
  /** Round each line (PER_LINE, default) or only the total (TOTAL). */
  readonly priceRounding?: PriceRounding | undefined;
}

/**
 * Checks a selection's price overrides against its catalog prices (see `assertPriceOverrides`)
 * and that its prices, so changed, can be charged; INVALID_INPUT or PRICE_NOT_FOUND otherwise.
 */
export function assertSelectionPrices(selection: PricingSelection): void {
  if (selection.priceOverrides?.length) assertPriceOverrides(catalogPriceItems(selection), selection.priceOverrides);
  recurringCharge(selection);
}

/** An estimate's tax for `billingInformation.taxPercentage`, none without one. */
export const taxOf = (percentage: DecimalValue | undefined) => (percentage === undefined ? undefined : { percentage });

/**
 * What a selection charges for one full billing period, as an `Estimate`: the plan's prices
 * (flat fees; per-unit, tiered and package prices for their feature's quantity; usage-based
 * prices shown per unit and charged in arrears, so 0 here), each add-on's prices times its
 * quantity, the coupon when it discounts period `periodIndex`, then tax. A FREE plan, or a plan
 * without prices, costs 0 in `options.currency` (USD unless told) unless its add-ons are priced.
 * Throws PRICE_NOT_FOUND for a missing price, INVALID_INPUT for bad quantities or mixed currencies.
 *
 * @example recurringCharge({ plan: pro, addons: [], billingPeriod: 'MONTHLY', billableFeatures: [] },
 *   { coupon: halfOff, taxPercentage: 17 }).total // 11.70 USD on a 20 USD plan
 */
export function recurringCharge(selection: PricingSelection, options: RecurringChargeOptions = {}): Estimate {
  const items = priceItems(selection);
  const { coupon } = options;
  const periodIndex = options.periodIndex ?? 0;
  const applies = coupon && couponAppliesToPeriodIndex(coupon, selection.billingPeriod, periodIndex);
  const input = {
    currency: currencyOf(items, options.currency),
    items,
    tax: taxOf(options.taxPercentage),
    rounding: options.rounding,
    priceRounding: options.priceRounding,
  };
  if (!applies || !coupon.carryRemainder) return estimate({ ...input, coupon: applies ? coupon : undefined });
  // Each earlier period charged what this one does, and took what it could of the coupon.
  const { subTotal } = estimate(input);
  const remaining = couponRemaining(coupon, Array(Math.min(periodIndex, 1200)).fill(subTotal), options.rounding);
  return estimate({ ...input, coupon, couponRemaining: remaining });
}
