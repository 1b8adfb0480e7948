import { type Amount, money, toAmount, toRate } from '../money/money.js';
import { definedFields, type PricePoint, pricePoint } from './price-point.js';
import { type PricingSelection, priceItems } from './pricing-selection.js';
import { type RecurringChargeOptions, recurringCharge } from './recurring-charge.js';

/** A price of a subscription (the reference's FullSubscription `prices`): its unit price as `price`. */
export interface SubscriptionPrice extends Omit<PricePoint, 'amount' | 'currency' | 'tiers'> {
  /** The flat fee, the price per unit or per block; for a tiered price the first tier's unit price. */
  readonly price: Amount;
  readonly tiers?: readonly { readonly upTo?: number; readonly unitPrice?: Amount; readonly flatPrice?: Amount }[];
  /** The add-on the price belongs to; absent for the plan's prices. */
  readonly addonId?: string;
}

/** The reference's FullSubscription `prices` and `totalPrice`. */
export interface SubscriptionPrices {
  readonly prices: readonly SubscriptionPrice[];
  /** The recurring charge of one period: before discount and tax, and after both. */
  readonly totalPrice: { readonly subTotal: Amount; readonly total: Amount };
}

/**
 * A subscription's prices and its recurring `totalPrice` (`recurringCharge` with the same options).
 *
 * @example subscriptionPrices(selection, { coupon: halfOff }).totalPrice // { subTotal: 20 USD, total: 10 USD }
 */
export function subscriptionPrices(
  selection: PricingSelection,
  options: RecurringChargeOptions = {},
): SubscriptionPrices {
  const charge = recurringCharge(selection, options);
  const rate = (value: number | undefined): Amount | undefined =>
    value === undefined ? undefined : toRate(money(value, charge.currency));
  const prices = priceItems(selection).map(({ id, kind, price }): SubscriptionPrice => {
    const { amount, currency: _, tiers, ...rest } = pricePoint(price);
    const first = tiers?.[0];
    return definedFields<SubscriptionPrice>({
      ...rest,
      price: toRate(money(amount ?? first?.unitPrice ?? first?.flatPrice ?? 0, price.currency)),
      tiers: tiers?.map((t) =>
        definedFields({ upTo: t.upTo, unitPrice: rate(t.unitPrice), flatPrice: rate(t.flatPrice) }),
      ),
      addonId: kind === 'ADDON' ? id : undefined,
    });
  });
  return { prices, totalPrice: { subTotal: toAmount(charge.subTotal), total: toAmount(charge.total) } };
}
