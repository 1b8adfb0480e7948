import type { Coupon } from '../catalog/coupon-schema.js';
import type { Price } from '../catalog/price-schema.js';
import { AllotError } from '../errors.js';
import type { BillingModel } from '../model/enums.js';
import {
  Decimal,
  type DecimalValue,
  halfUp,
  type Money,
  money,
  type RoundingMode,
  roundMoney,
  subtractMoney,
  sumMoney,
} from '../money/money.js';
import { type DiscountSummary, discountAmount, discountSummary } from './discount.js';
import { type PriceCharge, priceCharge } from './price-charge.js';
import { applyTax, type TaxDetails, taxDetails } from './tax.js';

/** One price to charge: a plan's or an add-on's, with the customer's quantities. */
export interface EstimateItem {
  /** The plan or add-on id the price belongs to. */
  readonly id: string;
  readonly kind: 'PLAN' | 'ADDON';
  readonly price: Price;
  /** The quantity of the price's feature (`billableFeatures`); PER_UNIT prices need one. */
  readonly quantity?: number;
  /** How many of the add-on (a positive whole number); 1 for plans. */
  readonly multiplier?: number;
}

/** What to estimate: the items of one billing period, in one currency, with a coupon and a tax rate. */
export interface EstimateInput {
  readonly currency: string;
  readonly items: readonly EstimateItem[];
  /** A coupon that applies to this period (see `couponAppliesToPeriod`). */
  readonly coupon?: Coupon;
  /** `billingInformation.taxPercentage`; inclusive when every priced item's price says `taxInclusive`. */
  readonly tax?: { readonly percentage: DecimalValue; readonly displayName?: string };
  readonly rounding?: RoundingMode;
}

/** One rounded line of an estimate. */
export interface EstimateLine {
  readonly id: string;
  readonly kind: 'PLAN' | 'ADDON';
  readonly billingModel: BillingModel;
  readonly featureId: string | undefined;
  /** The quantity charged (PER_UNIT: raised to the minimum), if the price has one. */
  readonly quantity: number | undefined;
  readonly multiplier: number;
  readonly charge: PriceCharge['kind'];
  /** Charged up front this period, rounded: zero for in-arrears prices. */
  readonly amount: Money;
  /** The unrounded per-unit price of an in-arrears price, for display. */
  readonly unitPrice: Money | undefined;
}

/**
 * The charges of one billing period. Every amount is rounded to the minor unit and every total is
 * the exact sum of rounded pieces: `subTotal` = Σ `lines[].amount`;
 * `totalExcludingTax + tax = total`; exclusive tax: `totalExcludingTax = subTotal - discountAmount`;
 * inclusive tax: `total = subTotal - discountAmount`.
 */
export interface Estimate {
  readonly currency: string;
  readonly lines: readonly EstimateLine[];
  readonly subTotal: Money;
  readonly discountAmount: Money;
  readonly discount: DiscountSummary | undefined;
  readonly totalExcludingTax: Money;
  readonly tax: Money;
  readonly taxDetails: TaxDetails | undefined;
  readonly total: Money;
}

function multiplierOf(item: EstimateItem): number {
  const m = item.multiplier ?? 1;
  if (!Number.isSafeInteger(m) || m < 1)
    throw new AllotError(
      'INVALID_INPUT',
      `quantity of ${item.kind.toLowerCase()} "${item.id}" must be a positive whole number`,
      {
        details: { id: item.id, quantity: m },
      },
    );
  return m;
}

/**
 * Whether the prices of these items include tax: all of them do (`taxInclusive`) or none does;
 * a mix throws INVALID_OPERATION. No items: exclusive.
 *
 * @example taxInclusive([{ id: 'pro', kind: 'PLAN', price: { ...monthly10, taxInclusive: true } }]) // true
 */
export function taxInclusive(items: readonly EstimateItem[]): boolean {
  const flags = new Set(items.map((i) => i.price.taxInclusive ?? false));
  if (flags.size > 1)
    throw new AllotError('INVALID_OPERATION', 'cannot estimate tax-inclusive and tax-exclusive prices together', {
      details: { taxInclusive: items.filter((i) => i.price.taxInclusive).map((i) => i.id) },
    });
  return flags.has(true);
}

/**
 * Assembles the estimate of one billing period. Each line is its price's charge times the add-on
 * quantity, rounded once (half-up unless told); a MINIMUM_SPEND line is the shortfall of the
 * other lines below its floor (estimates assume no metered usage yet). The subtotal is the sum of
 * the rounded lines; the discount and the tax are each rounded once from it; every other total
 * follows by exact addition, so totals always equal the sum of their rounded lines. All prices
 * must be in `currency` (else INVALID_INPUT).
 *
 * @example estimate({ currency: 'USD', items: [{ id: 'pro', kind: 'PLAN', price: monthly10 }],
 *   tax: { percentage: 17 } }).total // 11.70 USD
 */
export function estimate(input: EstimateInput): Estimate {
  const { items } = input;
  const currency = money(0, input.currency).currency;
  const mode = input.rounding ?? halfUp;
  const charges = items.map((item) => {
    if (item.price.currency !== currency)
      throw new AllotError('INVALID_INPUT', `price of "${item.id}" is in ${item.price.currency}, not ${currency}`, {
        details: { id: item.id, currency: item.price.currency, expected: currency },
      });
    const multiplier = multiplierOf(item);
    const charge = priceCharge(item.price, item.quantity);
    return { item, multiplier, charge, amount: roundMoney(charge.amount.times(multiplier), currency, mode) };
  });
  let spent = charges.reduce((sum, c) => sum.plus(c.amount), new Decimal(0));
  const lines = charges.map(({ item, multiplier, charge, amount }): EstimateLine => {
    let lineAmount = amount;
    if (charge.kind === 'MINIMUM_SPEND') {
      const floor = roundMoney(charge.minimum.times(multiplier), currency, mode);
      lineAmount = Decimal.max(0, floor.minus(spent));
      spent = spent.plus(lineAmount);
    }
    return {
      id: item.id,
      kind: item.kind,
      billingModel: item.price.billingModel,
      featureId: item.price.featureId,
      quantity: charge.kind === 'UPFRONT' ? charge.quantity : undefined,
      multiplier,
      charge: charge.kind,
      amount: money(lineAmount, currency),
      unitPrice: charge.kind === 'IN_ARREARS' && charge.unitPrice ? money(charge.unitPrice, currency) : undefined,
    };
  });
  const subTotal = sumMoney(
    lines.map((l) => l.amount),
    currency,
  );
  const discounted = input.coupon ? discountAmount(subTotal, input.coupon, mode) : money(0, currency);
  const afterDiscount = subtractMoney(subTotal, discounted);
  const rate = input.tax && { ...input.tax, inclusive: taxInclusive(items) };
  const split = rate ? applyTax(afterDiscount, rate, mode) : undefined;
  return {
    currency,
    lines,
    subTotal,
    discountAmount: discounted,
    discount: input.coupon ? discountSummary(input.coupon, currency) : undefined,
    totalExcludingTax: split?.totalExcludingTax ?? afterDiscount,
    tax: split?.tax ?? money(0, currency),
    taxDetails: rate ? taxDetails(rate) : undefined,
    total: split?.total ?? afterDiscount,
  };
}
