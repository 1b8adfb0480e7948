import type { Coupon } from '../catalog/coupon-schema.js';
import type { Price } from '../catalog/price-schema.js';
import { AllotError } from '../errors.js';
import type { BillingModel } from '../model/enums.js';
import {
  allocateMoney,
  Decimal,
  type DecimalValue,
  halfUp,
  type Money,
  money,
  type RoundingMode,
  roundMoney,
  subtractMoney,
} from '../money/money.js';
import { type DiscountSummary, discountAmount, discountSummary } from './discount.js';
import { type ChargeDetail, type PriceCharge, priceCharge, type UsageInput } from './price-charge.js';
import { applyTax, type TaxDetails, taxDetails } from './tax.js';

/** Where money is rounded: each line, then sums of rounded lines (default); or only the total. */
export type PriceRounding = 'PER_LINE' | 'TOTAL';

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
  /** The period's usage of an in-arrears price, to price it; without it the line is 0. */
  readonly usage?: UsageInput;
}

/** What to estimate: the items of one billing period, in one currency, with a coupon and a tax rate. */
export interface EstimateInput {
  readonly currency: string;
  readonly items: readonly EstimateItem[];
  /** A coupon that applies to this period (see `couponAppliesToPeriod`). */
  readonly coupon?: Coupon;
  /** What is left of a coupon that carries its remainder (see `couponRemaining`). */
  readonly couponRemaining?: Decimal | undefined;
  /** `billingInformation.taxPercentage`; inclusive when every priced item's price says `taxInclusive`. */
  readonly tax?: { readonly percentage: DecimalValue; readonly displayName?: string };
  readonly rounding?: RoundingMode;
  /** `PER_LINE` (default) or `TOTAL`. */
  readonly priceRounding?: PriceRounding | undefined;
}

/** One line of an estimate, with how it was made and its share of the discount and the tax. */
export interface EstimateLine {
  readonly id: string;
  readonly kind: 'PLAN' | 'ADDON';
  readonly billingModel: BillingModel;
  readonly featureId: string | undefined;
  /** The quantity charged (PER_UNIT: raised to the minimum), if the price has one. */
  readonly quantity: number | undefined;
  /** The usage priced, for an in-arrears price given its usage. */
  readonly usage: Decimal | undefined;
  readonly multiplier: number;
  readonly charge: PriceCharge['kind'];
  /**
   * The line's charge: rounded to the minor unit (PER_LINE), or at full precision (TOTAL). Zero
   * for in-arrears prices unless their usage was given.
   */
  readonly amount: Money;
  /** The charge at full precision, before any rounding. */
  readonly exactAmount: Money;
  /** The per-unit (per-block) price, unrounded, where the price has one. */
  readonly unitPrice: Money | undefined;
  /** How the charge was made: units, tiers reached, what a maximum took off, percentage terms. */
  readonly detail: ChargeDetail | undefined;
  /** The line's share of the estimate's discount, in minor units. */
  readonly discount: Money;
  /** The line's share of the estimate's tax, in minor units. */
  readonly tax: Money;
  /** `amount - discount`, plus `tax` when it is exclusive. */
  readonly total: Money;
}

/**
 * The charges of one billing period. Every total is rounded to the minor unit. PER_LINE (default):
 * every line is rounded and `subTotal` = Σ `lines[].amount` exactly; TOTAL: lines keep full
 * precision and `subTotal` is their sum rounded once. Then `totalExcludingTax + tax = total`;
 * exclusive tax: `totalExcludingTax = subTotal - discountAmount`; inclusive tax:
 * `total = subTotal - discountAmount`. The lines' discounts add up to `discountAmount` and their
 * taxes to `tax`, exactly.
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
  readonly priceRounding: PriceRounding;
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

function unitPriceOf(charge: PriceCharge): Decimal | undefined {
  if (charge.kind === 'MINIMUM_SPEND') return charge.minimum;
  if (charge.detail) return charge.detail.unitPrice;
  return charge.kind === 'IN_ARREARS' ? charge.unitPrice : charge.amount;
}

/**
 * Assembles the estimate of one billing period. Each line is its price's charge times the add-on
 * quantity, rounded once (half-up unless told) or, with `priceRounding: 'TOTAL'`, kept exact; a
 * MINIMUM_SPEND line is the shortfall of the other lines below its floor. In-arrears prices
 * charge the usage their item gives, else nothing. The subtotal is the sum of the lines (rounded
 * once with TOTAL); the discount and the tax are each rounded once from it, and every other
 * total follows by exact addition. The discount is shared among the lines in proportion to their
 * amounts, and the tax in proportion to what is left of them (as Lago and Stripe spread a coupon
 * over invoice lines), in whole minor units that add up exactly. All prices must be in
 * `currency` (else INVALID_INPUT).
 *
 * @example estimate({ currency: 'USD', items: [{ id: 'pro', kind: 'PLAN', price: monthly10 }],
 *   tax: { percentage: 17 } }).total // 11.70 USD
 */
export function estimate(input: EstimateInput): Estimate {
  const { items } = input;
  const currency = money(0, input.currency).currency;
  const mode = input.rounding ?? halfUp;
  const priceRounding = input.priceRounding ?? 'PER_LINE';
  const round = (d: Decimal) => (priceRounding === 'PER_LINE' ? roundMoney(d, currency, mode) : d);
  const charges = items.map((item) => {
    if (item.price.currency !== currency)
      throw new AllotError('INVALID_INPUT', `price of "${item.id}" is in ${item.price.currency}, not ${currency}`, {
        details: { id: item.id, currency: item.price.currency, expected: currency },
      });
    const multiplier = multiplierOf(item);
    const charge = priceCharge(item.price, item.quantity, item.usage);
    const exact = charge.amount.times(multiplier);
    return { item, multiplier, charge, exact, amount: round(exact) };
  });
  let spent = charges.reduce((sum, c) => sum.plus(c.amount), new Decimal(0));
  const priced = charges.map((c) => {
    if (c.charge.kind !== 'MINIMUM_SPEND') return c;
    const floor = c.charge.minimum.times(c.multiplier);
    const shortfall = Decimal.max(0, round(floor).minus(spent));
    spent = spent.plus(shortfall);
    return { ...c, exact: Decimal.max(0, floor.minus(spent.minus(shortfall))), amount: shortfall };
  });
  const subTotal = money(roundMoney(spent, currency, mode), currency);
  const discounted = input.coupon
    ? discountAmount(subTotal, input.coupon, mode, input.couponRemaining)
    : money(0, currency);
  const afterDiscount = subtractMoney(subTotal, discounted);
  const rate = input.tax && { ...input.tax, inclusive: taxInclusive(items) };
  const split = rate ? applyTax(afterDiscount, rate, mode) : undefined;
  const tax = split?.tax ?? money(0, currency);
  const discounts = allocateMoney(
    discounted,
    priced.map((c) => c.amount),
  );
  const taxes = allocateMoney(
    tax,
    priced.map((c, i) => c.amount.minus(discounts[i]?.amount ?? 0)),
  );
  const lines = priced.map(({ item, multiplier, charge, exact, amount }, i): EstimateLine => {
    const discount = discounts[i] ?? money(0, currency);
    const lineTax = taxes[i] ?? money(0, currency);
    const unitPrice = unitPriceOf(charge);
    return {
      id: item.id,
      kind: item.kind,
      billingModel: item.price.billingModel,
      featureId: item.price.featureId,
      quantity: charge.kind === 'UPFRONT' ? charge.quantity : undefined,
      usage: charge.kind === 'IN_ARREARS' ? charge.usage : undefined,
      multiplier,
      charge: charge.kind,
      amount: money(amount, currency),
      exactAmount: money(exact, currency),
      unitPrice: unitPrice === undefined ? undefined : money(unitPrice, currency),
      detail: charge.kind === 'MINIMUM_SPEND' ? undefined : charge.detail,
      discount,
      tax: lineTax,
      total: money(amount.minus(discount.amount).plus(rate?.inclusive ? 0 : lineTax.amount), currency),
    };
  });
  return {
    currency,
    lines,
    subTotal,
    discountAmount: discounted,
    discount: input.coupon ? discountSummary(input.coupon, currency) : undefined,
    totalExcludingTax: split?.totalExcludingTax ?? afterDiscount,
    tax,
    taxDetails: rate ? taxDetails(rate) : undefined,
    total: split?.total ?? afterDiscount,
    priceRounding,
  };
}
