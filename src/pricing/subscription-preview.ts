import type { Coupon } from '../catalog/coupon-schema.js';
import { AllotError } from '../errors.js';
import type { BillingPeriod, SubscriptionBillingCycleAnchor } from '../model/enums.js';
import { type Amount, Decimal, type DecimalValue, halfUp, money, type RoundingMode, toAmount } from '../money/money.js';
import {
  billingPeriodMonths,
  billingPeriodRange,
  type PeriodRange,
  periodStartingAt,
} from '../proration/billing-period.js';
import { type Proration, prorate } from '../proration/proration.js';
import type { ProrationConvention } from '../proration/remaining-fraction.js';
import { amountsDue, type PreviewTotals, totalsOf } from './amounts-due.js';
import {
  couponAppliesToPeriod,
  couponRemaining,
  type DiscountSummary,
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
import { definedFields } from './price-point.js';
import { currencyOf, type PricingSelection, priceItems } from './pricing-selection.js';
import { type ThresholdProgress, thresholdProgress } from './progressive-billing.js';
import { type ProratedLine, proratedLines, prorationItems } from './prorated-lines.js';
import { taxOf } from './recurring-charge.js';
import { type TaxDetails, type TaxRate, taxDetails } from './tax.js';

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

function instant(value: number, name: string): number {
  if (!Number.isFinite(value))
    throw new AllotError('INVALID_INPUT', `${name} must be an instant in epoch ms, got ${value}`, {
      details: { [name]: value },
    });
  return value;
}

/** The billing period from `anchor` that contains `at`, or the first one when `at` precedes the anchor. */
const periodFrom = (billingPeriod: BillingPeriod, anchor: number, at: number): PeriodRange =>
  billingPeriodRange(billingPeriod, anchor, Math.max(anchor, at));

const couponFor = (selection: PreviewSelection, startsAt: number, period: PeriodRange): Coupon | undefined =>
  selection.coupon && couponAppliesToPeriod(selection.coupon, selection.couponStartsAt ?? startsAt, period)
    ? selection.coupon
    : undefined;

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
