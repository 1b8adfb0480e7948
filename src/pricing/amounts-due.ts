import type { Coupon } from '../catalog/coupon-schema.js';
import { type Amount, Decimal, type Money, money, type RoundingMode, toAmount } from '../money/money.js';
import { discountAmount } from './discount.js';
import { applyTax, type TaxRate } from './tax.js';

/** Totals of a preview, each `{amount, currency}` in whole currency units. */
export interface PreviewTotals {
  readonly total: Amount;
  readonly totalExcludingTax: Amount;
  readonly subTotal: Amount;
  readonly tax: Amount;
  /** What the coupon took off `subTotal` (negative when it shrinks a credit). */
  readonly discountAmount: Amount;
}

/** What `amountsDue` computes, as `Money`; `totalsOf` turns it into a preview's totals. */
export interface AmountsDue {
  readonly subTotal: Money;
  readonly discountAmount: Money;
  readonly totalExcludingTax: Money;
  readonly tax: Money;
  readonly total: Money;
}

/**
 * The discount, tax and totals of a net amount due. On a charge (net ≥ 0) the coupon takes its
 * percentage or fixed amount, never below zero. On a credit (net < 0) a PERCENTAGE coupon shrinks
 * the credit by its percentage (the customer paid the discounted price, so gets back its share),
 * and a FIXED coupon leaves it whole: a discount never enlarges a credit.
 */
export function amountsDue(
  net: Money,
  coupon: Coupon | undefined,
  rate: TaxRate | undefined,
  mode: RoundingMode,
  remaining?: Decimal,
): AmountsDue {
  const { currency } = net;
  let discount = new Decimal(0);
  if (coupon && net.amount.gte(0)) discount = discountAmount(net, coupon, mode, remaining).amount;
  else if (coupon?.type === 'PERCENTAGE')
    discount = discountAmount(money(net.amount.negated(), currency), coupon, mode).amount.negated();
  const afterDiscount = money(net.amount.minus(discount), currency);
  const split = rate
    ? applyTax(afterDiscount, rate, mode)
    : { tax: money(0, currency), totalExcludingTax: afterDiscount, total: afterDiscount };
  return { subTotal: net, discountAmount: money(discount, currency), ...split };
}

/** The amounts due as a preview's totals. */
export const totalsOf = (t: AmountsDue): PreviewTotals => ({
  total: toAmount(t.total),
  totalExcludingTax: toAmount(t.totalExcludingTax),
  subTotal: toAmount(t.subTotal),
  tax: toAmount(t.tax),
  discountAmount: toAmount(t.discountAmount),
});
