import type { AddonVersion, Catalog, PlanVersion } from '../catalog/catalog.js';
import type { Coupon } from '../catalog/coupon-schema.js';
import { AllotError } from '../errors.js';
import type { MoneyValue, PriceOverride } from '../model/billing.js';
import type { BillingPeriod, SubscriptionBillingCycleAnchor } from '../model/enums.js';
import {
  type Amount,
  Decimal,
  type DecimalValue,
  halfUp,
  type Money,
  money,
  type RoundingMode,
  toAmount,
  toRate,
} from '../money/money.js';
import {
  billingPeriodMonths,
  billingPeriodRange,
  type PeriodRange,
  periodStartingAt,
} from '../proration/billing-period.js';
import { type Proration, prorate } from '../proration/proration.js';
import type { ProrationConvention } from '../proration/remaining-fraction.js';
import {
  couponAppliesToPeriod,
  couponRemaining,
  type DiscountSummary,
  discountAmount,
  discountSummary,
  periodsBefore,
} from './discount.js';
import {
  type Estimate,
  type EstimateItem,
  type EstimateLine,
  estimate,
  type PriceRounding,
  taxInclusive,
} from './estimate.js';
import { assertPriceOverrides, minimumSpendItem, withPriceOverrides } from './price-overrides.js';
import { definedFields, type PricePoint, pricePoint } from './price-point.js';
import { type ThresholdProgress, thresholdProgress } from './progressive-billing.js';
import { selectPrices } from './select-prices.js';
import { applyTax, type TaxDetails, type TaxRate, taxDetails } from './tax.js';

/**
 * What a subscription buys for one billing period: a plan version, add-on versions with their
 * quantities, the quantities of its per-unit features and the country that localizes prices.
 */
export interface PricingSelection {
  readonly plan: PlanVersion;
  readonly addons: readonly { readonly addon: AddonVersion; readonly quantity: number }[];
  readonly billingPeriod: BillingPeriod;
  readonly billableFeatures: readonly { readonly featureId: string; readonly quantity: number }[];
  readonly billingCountryCode?: string | undefined;
  /** The subscription's own amounts for some of its prices (see `withPriceOverrides`). */
  readonly priceOverrides?: readonly PriceOverride[] | undefined;
  /** A floor on what a period charges (a MINIMUM_SPEND line of the plan). */
  readonly minimumSpend?: MoneyValue | undefined;
  /**
   * A period's usage of usage-based features, to price their in-arrears lines (else 0): a net
   * `quantity`, or for a percentage price the `transactions`' amounts.
   */
  readonly usage?: readonly FeatureUsage[] | undefined;
}

/** The usage of one feature in a period (see `PricingSelection.usage`). */
export interface FeatureUsage {
  readonly featureId: string;
  readonly quantity?: number | undefined;
  readonly transactions?: readonly number[] | undefined;
}

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

const DEFAULT_CURRENCY = 'USD';

function invalid(message: string, details: Record<string, unknown>): AllotError {
  return new AllotError('INVALID_INPUT', message, { details });
}

/**
 * The currency a catalog prices in, for results that charge nothing: the currency of the first
 * priced plan in catalog order (its price for `billingCountryCode` if it has one, else its default
 * price), or USD when no plan has a price. FREE plans do not count: their prices are ignored.
 *
 * @example catalogCurrency(catalog, 'DE') // 'EUR' when the first priced plan has a DE price in EUR
 */
export function catalogCurrency(catalog: Pick<Catalog, 'plans'>, billingCountryCode?: string | null): string {
  const country = billingCountryCode?.toUpperCase();
  for (const plan of catalog.plans.values()) {
    if (plan.pricingType === 'FREE' || plan.prices.length === 0) continue;
    const price =
      plan.prices.find((p) => country !== undefined && p.billingCountryCode === country) ??
      plan.prices.find((p) => p.billingCountryCode === undefined) ??
      plan.prices[0];
    if (price) return price.currency;
  }
  return DEFAULT_CURRENCY;
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
    throw invalid(`periodIndex must be a non-negative whole number, got ${periodIndex}`, { periodIndex });
  switch (coupon.durationType) {
    case 'FOREVER':
      return true;
    case 'ONCE':
      return periodIndex === 0 || coupon.carryRemainder === true;
    case 'REPEATING':
      return periodIndex * billingPeriodMonths(billingPeriod) < (coupon.durationInMonths ?? 0);
  }
}

function featureQuantities(selection: PricingSelection): Map<string, number> {
  const quantities = new Map<string, number>();
  for (const { featureId, quantity } of selection.billableFeatures) {
    // Whole or fractional is the price's to say (`fractionalQuantity`).
    if (!Number.isFinite(quantity) || quantity < 0)
      throw invalid(`quantity of feature "${featureId}" must be a non-negative number, got ${quantity}`, {
        featureId,
        quantity,
      });
    if (quantities.has(featureId)) throw invalid(`feature "${featureId}" is listed twice`, { featureId });
    quantities.set(featureId, quantity);
  }
  return quantities;
}

/**
 * The selection's prices for its period and country as estimate items, its price overrides
 * applied, then its minimum spend. A FREE plan's prices are ignored (it costs nothing); a plan or
 * add-on without prices costs nothing; a priced one without a price for the period or country
 * throws PRICE_NOT_FOUND. A per-unit price takes its feature's quantity from `billableFeatures`, 0
 * when absent (then raised to the price's minimum).
 */
function priceItems(selection: PricingSelection): EstimateItem[] {
  const items = withUsage(withPriceOverrides(catalogPriceItems(selection), selection.priceOverrides), selection.usage);
  const { minimumSpend } = selection;
  if (minimumSpend === undefined) return items;
  const spend = minimumSpendItem(
    selection.plan.id,
    selection.billingPeriod,
    minimumSpend,
    items[0]?.price,
    DEFAULT_CURRENCY,
  );
  return [...items, spend];
}

/**
 * The items with the period's usage of their features, for their in-arrears prices. Usage of a
 * feature listed twice, or of one no usage-based price charges, throws INVALID_INPUT.
 */
function withUsage(items: EstimateItem[], usage: readonly FeatureUsage[] | undefined): EstimateItem[] {
  if (!usage?.length) return items;
  const byFeature = new Map<string, FeatureUsage>();
  for (const u of usage) {
    if (byFeature.has(u.featureId))
      throw invalid(`usage of feature "${u.featureId}" is listed twice`, { featureId: u.featureId });
    if (!items.some((i) => i.price.featureId === u.featureId && isInArrears(i)))
      throw invalid(`usage of feature "${u.featureId}": no usage-based price of the subscription charges it`, {
        featureId: u.featureId,
      });
    byFeature.set(u.featureId, u);
  }
  return items.map((item) => {
    const u = item.price.featureId === undefined ? undefined : byFeature.get(item.price.featureId);
    return u && isInArrears(item)
      ? { ...item, usage: definedFields({ quantity: u.quantity, transactions: u.transactions }) }
      : item;
  });
}

const isInArrears = (item: EstimateItem) =>
  item.price.billingModel === 'USAGE_BASED' || item.price.billingModel === 'CREDIT_BASED';

/**
 * Checks a selection's price overrides against its catalog prices (see `assertPriceOverrides`)
 * and that its prices, so changed, can be charged; INVALID_INPUT or PRICE_NOT_FOUND otherwise.
 */
export function assertSelectionPrices(selection: PricingSelection): void {
  if (selection.priceOverrides?.length) assertPriceOverrides(catalogPriceItems(selection), selection.priceOverrides);
  recurringCharge(selection);
}

/** The catalog's prices of the selection, as estimate items. */
function catalogPriceItems(selection: PricingSelection): EstimateItem[] {
  const quantities = featureQuantities(selection);
  const { plan, billingPeriod } = selection;
  const country = selection.billingCountryCode ?? undefined;
  const item = (id: string, kind: 'PLAN' | 'ADDON', multiplier: number) => (price: EstimateItem['price']) => ({
    id,
    kind,
    price,
    multiplier,
    quantity: price.featureId === undefined ? undefined : (quantities.get(price.featureId) ?? 0),
  });
  const planPrices = selectPrices(plan.pricingType === 'FREE' ? [] : plan.prices, billingPeriod, country, {
    planId: plan.id,
  });
  const items: EstimateItem[] = planPrices.map(item(plan.id, 'PLAN', 1));
  const seen = new Set<string>();
  for (const { addon, quantity } of selection.addons) {
    if (!Number.isSafeInteger(quantity) || quantity < 1)
      throw invalid(`quantity of add-on "${addon.id}" must be a positive whole number, got ${quantity}`, {
        addonId: addon.id,
        quantity,
      });
    if (seen.has(addon.id)) throw invalid(`add-on "${addon.id}" is listed twice`, { addonId: addon.id });
    seen.add(addon.id);
    items.push(
      ...selectPrices(addon.prices, billingPeriod, country, { addonId: addon.id }).map(
        item(addon.id, 'ADDON', quantity),
      ),
    );
  }
  return items;
}

const currencyOf = (items: readonly EstimateItem[], fallback: string | undefined): string =>
  items[0]?.price.currency ?? fallback ?? DEFAULT_CURRENCY;

const taxOf = (percentage: DecimalValue | undefined) => (percentage === undefined ? undefined : { percentage });

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

/** A selection for a preview, with its coupon and when the coupon started discounting. */
export interface PreviewSelection extends PricingSelection {
  readonly coupon?: Coupon | undefined;
  /**
   * When the coupon started discounting (epoch ms), to tell whether ONCE and REPEATING coupons
   * still discount the period. Defaults: for a new subscription its first billed instant; for the
   * next selection of a change the change itself; for the current selection its period's start.
   */
  readonly couponStartsAt?: number | undefined;
}

/** The subscription a change replaces: its selection and the anchor of its billing periods. */
export interface CurrentSelection extends PreviewSelection {
  readonly billingAnchor: number;
}

/** What `subscriptionPreview` estimates: a new subscription, or a change of `current` into `next`. */
export interface SubscriptionPreviewInput {
  readonly next: PreviewSelection;
  /** When the new subscription starts, or (without `changeAt`) when the change happens. */
  readonly startDate: number;
  /** The anchor of a new subscription's billing periods (a trial's end); defaults to `startDate`. */
  readonly billingAnchor?: number | undefined;
  /**
   * In a trial nothing is due now: every amount is 0, nothing is prorated and `current` is ignored;
   * `billingPeriodRange` and `subscription` describe the first paid period from `billingAnchor`.
   */
  readonly inTrial?: boolean | undefined;
  readonly current?: CurrentSelection | undefined;
  /** When the change happens; defaults to `startDate`. */
  readonly changeAt?: number | undefined;
  readonly taxPercentage?: DecimalValue | undefined;
  readonly convention?: ProrationConvention | undefined;
  /** UNCHANGED (default) keeps the current period; NOW starts a new one at the change. */
  readonly billingCycleAnchor?: SubscriptionBillingCycleAnchor | undefined;
  /**
   * A change of billing period length starts a new period at the change (RESET, default), or
   * KEEPs the current anchor: the next selection's period is then the one of its length from the
   * current anchor that contains the change, and its debit is that period's remaining share.
   */
  readonly billingAnchorOnPeriodChange?: 'RESET' | 'KEEP' | undefined;
  /** What a new subscription starting after its first period's start owes now: PRORATED (default) or FREE. */
  readonly firstPartialPeriod?: 'PRORATED' | 'FREE' | undefined;
  /** The currency when nothing is priced: `catalogCurrency(catalog)`, else USD. */
  readonly currency?: string | undefined;
  readonly rounding?: RoundingMode | undefined;
  /** Round each line (PER_LINE, default) or only the totals (TOTAL). */
  readonly priceRounding?: PriceRounding | undefined;
}

/** Totals of a preview, each `{amount, currency}` in whole currency units. */
export interface PreviewTotals {
  readonly total: Amount;
  readonly totalExcludingTax: Amount;
  readonly subTotal: Amount;
  readonly tax: Amount;
  /** What the coupon took off `subTotal` (negative when it shrinks a credit). */
  readonly discountAmount: Amount;
}

/** The reference's `SubscriptionPreview`, instants as epoch ms. */
export interface SubscriptionPreview extends PreviewTotals {
  readonly taxDetails?: TaxDetails;
  readonly discount?: DiscountSummary;
  readonly billingPeriodRange: PeriodRange;
  readonly proration?: {
    readonly prorationDate: number;
    readonly credit: Amount;
    readonly debit: Amount;
    readonly netAmount: Amount;
    /** Each line's credit (≤ 0) and debit (≥ 0), rounded: they add up to `netAmount`. */
    readonly lines: readonly ProratedLine[];
  };
  /** The next selection's recurring charge for a whole period, not prorated. */
  readonly subscription: PreviewTotals & {
    /** Every charge of the period, with its share of the discount and the tax (see `Estimate`). */
    readonly lines: readonly EstimateLine[];
    readonly priceRounding: PriceRounding;
  };
  /** The coupon that discounts `subscription`, if one does. */
  readonly recurringDiscount?: DiscountSummary;
  /** The plan's progressive billing thresholds against the usage the period's lines charge. */
  readonly progressiveBilling?: readonly ThresholdProgress[];
}

/** A line of a change's proration: which charge it is, its credit and its debit. */
export interface ProratedLine {
  readonly kind: 'PLAN' | 'ADDON';
  readonly id: string;
  readonly featureId: string | undefined;
  readonly credit: Amount;
  readonly debit: Amount;
}

/** The instant a new selection's coupon starts from, when the selection does not say. */
const changeOrStart = (input: SubscriptionPreviewInput, range: PeriodRange): number =>
  input.current && !input.inTrial ? (input.changeAt ?? input.startDate) : Math.max(input.startDate, range.start);

/**
 * What is left of a coupon that carries its remainder (undefined for any other) for `range`: each
 * period it discounted before took what it could of the same undiscounted charge (`undiscounted`).
 */
function carried(
  coupon: Coupon,
  selection: PreviewSelection,
  defaultStart: number,
  range: PeriodRange,
  undiscounted: Estimate,
  mode: RoundingMode,
): Decimal | undefined {
  if (!coupon.carryRemainder) return undefined;
  const before = periodsBefore(
    selection.couponStartsAt ?? defaultStart,
    range.start,
    billingPeriodMonths(selection.billingPeriod),
  );
  return couponRemaining(coupon, Array(before).fill(undiscounted.subTotal), mode, undiscounted.currency);
}

/** What a period's usage-based lines charge: the amount progressive billing thresholds measure. */
const usageCharged = (e: Estimate): Decimal =>
  e.lines.filter((l) => l.charge === 'IN_ARREARS').reduce((sum, l) => sum.plus(l.amount.amount), new Decimal(0));

/** A proration's lines, each named by the estimate line it prorates. */
function proratedLines(proration: Proration, lines: readonly EstimateLine[]): ProratedLine[] {
  const named = new Map(lines.map((l) => [lineKey(l), l]));
  return proration.lines.map((p) => {
    const line = named.get(p.id ?? '');
    return {
      kind: line?.kind ?? 'PLAN',
      id: line?.id ?? p.id ?? '',
      featureId: line?.featureId,
      credit: toAmount(p.credit),
      debit: toAmount(p.debit),
    };
  });
}

function instant(value: number, name: string): number {
  if (!Number.isFinite(value)) throw invalid(`${name} must be an instant in epoch ms, got ${value}`, { [name]: value });
  return value;
}

/** The billing period from `anchor` that contains `at`, or the first one when `at` precedes the anchor. */
const periodFrom = (billingPeriod: BillingPeriod, anchor: number, at: number): PeriodRange =>
  billingPeriodRange(billingPeriod, anchor, Math.max(anchor, at));

const couponFor = (selection: PreviewSelection, startsAt: number, period: PeriodRange): Coupon | undefined =>
  selection.coupon && couponAppliesToPeriod(selection.coupon, selection.couponStartsAt ?? startsAt, period)
    ? selection.coupon
    : undefined;

const lineKey = (l: Estimate['lines'][number]) => `${l.kind}:${l.id}${l.featureId ? `:${l.featureId}` : ''}`;

/** Proration items matched line by line (plan, add-on, feature), so each line is rounded on its own. */
function prorationItems(from: Estimate | undefined, to: Estimate) {
  const charges = new Map<string, { oldCharge: Decimal; newCharge: Decimal }>();
  const entry = (key: string) => {
    const found = charges.get(key) ?? { oldCharge: new Decimal(0), newCharge: new Decimal(0) };
    charges.set(key, found);
    return found;
  };
  for (const l of from?.lines ?? []) {
    const e = entry(lineKey(l));
    e.oldCharge = e.oldCharge.plus(l.amount.amount);
  }
  for (const l of to.lines) {
    const e = entry(lineKey(l));
    e.newCharge = e.newCharge.plus(l.amount.amount);
  }
  return [...charges]
    .filter(([, c]) => !c.oldCharge.isZero() || !c.newCharge.isZero())
    .map(([id, c]) => ({ id, ...c }));
}

interface AmountsDue {
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
function amountsDue(
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

const totalsOf = (t: AmountsDue): PreviewTotals => ({
  total: toAmount(t.total),
  totalExcludingTax: toAmount(t.totalExcludingTax),
  subTotal: toAmount(t.subTotal),
  tax: toAmount(t.tax),
  discountAmount: toAmount(t.discountAmount),
});

/**
 * Previews a new subscription or a change (the reference's `estimateSubscription` and
 * `estimateSubscriptionUpdate`). Pure: nothing is read from a clock or persisted.
 *
 * - New subscription (no `current`): the billing period is the first one from `billingAnchor`;
 *   what is due is its recurring charge (0 `inTrial`), prorated when `startDate` falls inside the
 *   period (the debit of its remaining part; nothing with `firstPartialPeriod: 'FREE'`).
 * - Change (`current`): at `changeAt` inside the current billing period, each line (plan, add-on,
 *   per-unit feature) is prorated with `prorate`: credit for the unused part of what the current
 *   selection charges for the period, debit for the remaining part of the next selection's charge
 *   (the whole of it, over a new period from the change, with `billingCycleAnchor: 'NOW'` or when
 *   the billing period changes, unless `billingAnchorOnPeriodChange: 'KEEP'`). The proration is on
 *   undiscounted, untaxed charges.
 *
 * What is due (`subTotal`, discount, `tax`, `total`) is computed on the net: `subTotal` is the
 * net, which is negative for a downgrade (a credit the billing provider carries as a balance).
 * The next selection's coupon discounts a positive net (never below 0); the current selection's
 * coupon shrinks a credit by its percentage (see `amountsDue`), and `discount` describes the
 * coupon used. Tax then applies to the discounted net. Every total is the sum of rounded lines:
 * `subTotal = proration.netAmount = debit + credit`, `total = totalExcludingTax + tax`.
 * `subscription` is the next selection's recurring charge for the whole period, not prorated.
 *
 * @example subscriptionPreview({ next: { ...pro, coupon: halfOff }, startDate: jan1 })
 *   // subTotal 20, total 10, subscription { subTotal 20, total 10 } on a 20 USD plan
 */
export function subscriptionPreview(input: SubscriptionPreviewInput): SubscriptionPreview {
  const mode = input.rounding ?? halfUp;
  const { next, current } = input;
  const startDate = instant(input.startDate, 'startDate');
  const changeAt = instant(input.changeAt ?? startDate, 'changeAt');
  const anchor = instant(input.billingAnchor ?? startDate, 'billingAnchor');
  const change = current && !input.inTrial ? current : undefined;

  // Usage is billed in arrears: it prices the period (`subscription`), never what is due now.
  const nextItems = priceItems({ ...next, usage: undefined });
  const currentItems = change ? priceItems(change) : [];
  const currency = currencyOf(nextItems.length ? nextItems : currentItems, input.currency);
  const inclusive = taxInclusive([...nextItems, ...currentItems]);
  const rate: TaxRate | undefined =
    input.taxPercentage === undefined ? undefined : { percentage: input.taxPercentage, inclusive };
  const charge = (items: EstimateItem[], coupon: Coupon | undefined, couponRemaining?: Decimal) =>
    estimate({
      currency,
      items,
      coupon,
      couponRemaining,
      tax: taxOf(input.taxPercentage),
      rounding: mode,
      priceRounding: input.priceRounding,
    });

  let range: PeriodRange;
  let proration: Proration | undefined;
  let nextCoupon: Coupon | undefined;
  let currentCoupon: Coupon | undefined;
  if (change) {
    const currentAnchor = instant(change.billingAnchor, 'billingAnchor');
    const currentRange = periodFrom(change.billingPeriod, currentAnchor, changeAt);
    const periodChanged = change.billingPeriod !== next.billingPeriod;
    const anchorNow =
      input.billingCycleAnchor === 'NOW' || (periodChanged && input.billingAnchorOnPeriodChange !== 'KEEP');
    range = anchorNow
      ? periodStartingAt(next.billingPeriod, changeAt)
      : periodChanged
        ? periodFrom(next.billingPeriod, currentAnchor, changeAt)
        : currentRange;
    nextCoupon = couponFor(next, changeAt, range);
    currentCoupon = couponFor(change, currentRange.start, currentRange);
    proration = prorate({
      currency,
      period: currentRange,
      changeAt,
      items: prorationItems(charge(currentItems, undefined), charge(nextItems, undefined)),
      convention: input.convention,
      billingCycleAnchor: anchorNow ? 'NOW' : 'UNCHANGED',
      billingPeriod: next.billingPeriod,
      nextPeriod: range,
      rounding: mode,
    });
  } else {
    range = periodFrom(next.billingPeriod, anchor, startDate);
    nextCoupon = couponFor(next, Math.max(startDate, range.start), range);
    if (!input.inTrial && startDate > range.start)
      proration = prorate({
        currency,
        period: range,
        changeAt: startDate,
        // A FREE first period owes nothing until the next boundary.
        items: input.firstPartialPeriod === 'FREE' ? [] : prorationItems(undefined, charge(nextItems, undefined)),
        convention: input.convention,
        rounding: mode,
      });
  }

  const remaining =
    nextCoupon && carried(nextCoupon, next, changeOrStart(input, range), range, charge(nextItems, undefined), mode);
  if (remaining?.lte(0)) nextCoupon = undefined;
  const recurring = charge(nextItems, nextCoupon, remaining);
  const period = next.usage?.length ? charge(priceItems(next), nextCoupon, remaining) : recurring;
  const net = input.inTrial ? money(0, currency) : (proration?.netAmount ?? recurring.subTotal);
  const applied = net.amount.lt(0) ? currentCoupon : nextCoupon;
  const due = amountsDue(net, applied, rate, mode, applied === nextCoupon ? remaining : undefined);
  return definedFields<SubscriptionPreview>({
    ...totalsOf(due),
    taxDetails: rate && taxDetails(rate),
    discount: applied && definedFields(discountSummary(applied, currency)),
    billingPeriodRange: range,
    proration: proration && {
      prorationDate: proration.prorationDate,
      credit: toAmount(proration.credit),
      debit: toAmount(proration.debit),
      netAmount: toAmount(proration.netAmount),
      lines: proratedLines(proration, [...recurring.lines, ...(change ? charge(currentItems, undefined).lines : [])]),
    },
    subscription: { ...totalsOf(period), lines: period.lines, priceRounding: period.priceRounding },
    progressiveBilling: next.plan.usageThresholds && thresholdProgress(next.plan.usageThresholds, usageCharged(period)),
    recurringDiscount: recurring.discount,
  });
}
