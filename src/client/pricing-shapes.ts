import { type Catalog, versionKey } from '../catalog/catalog.js';
import type { Coupon } from '../catalog/coupon-schema.js';
import type { SubscriptionRecord } from '../model/records.js';
import { type Amount, type Money, money, subtractMoney, sumMoney, toAmount } from '../money/money.js';
import type { DiscountSummary } from '../pricing/discount.js';
import type { Estimate, EstimateLine } from '../pricing/estimate.js';
import type { Paywall } from '../pricing/paywall.js';
import {
  type PreviewTotals,
  type PricingSelection,
  type SubscriptionPreview,
  type SubscriptionPrices,
  subscriptionPrices,
} from '../pricing/subscription-pricing.js';
import type { PeriodRange } from '../proration/billing-period.js';

/**
 * What a subscription is billed for, from its record, with the versions it is on: its prices
 * localized for its country (or `billingCountryCode`), with its overrides and minimum spend.
 */
export function selectionOf(
  catalog: Catalog,
  s: Pick<SubscriptionRecord, 'planId' | 'planVersion' | 'addons' | 'billingPeriod' | 'billableFeatures' | 'billing'>,
  billingCountryCode?: string,
): PricingSelection {
  const plan = catalog.planVersions.get(versionKey(s.planId, s.planVersion));
  if (!plan) throw new Error(`plan ${s.planId} v${s.planVersion} is not known`);
  return {
    plan,
    addons: s.addons.flatMap((a) => {
      const addon = catalog.addonVersions.get(versionKey(a.addonId, a.version));
      return addon ? [{ addon, quantity: a.quantity }] : [];
    }),
    billingPeriod: s.billingPeriod,
    billableFeatures: s.billableFeatures,
    billingCountryCode: billingCountryCode ?? s.billing?.billingCountryCode,
    priceOverrides: s.billing?.priceOverrides,
    minimumSpend: s.billing?.minimumSpend,
  };
}

/** A subscription's recurring prices and totals; none when its plan has no price for its period. */
export function pricesOf(catalog: Catalog, s: SubscriptionRecord, coupon?: Coupon): SubscriptionPrices | undefined {
  try {
    const selection = selectionOf(catalog, s);
    const priced = selection.plan.prices.length > 0 || selection.addons.some((a) => a.addon.prices.length > 0);
    if (selection.plan.pricingType === 'FREE' || !priced) return undefined;
    return subscriptionPrices(selection, coupon ? { coupon } : {});
  } catch {
    // A stored subscription whose plan lacks a price for its period (a CUSTOM deal) shows none.
    return undefined;
  }
}

/** The estimate as the reference returns it: instants as Dates. */
export interface SubscriptionEstimate {
  total: Amount;
  totalExcludingTax: Amount;
  subTotal: Amount;
  tax: Amount;
  taxDetails?: { displayName: string; inclusive: boolean; percentage: number };
  discount?: {
    type: 'PERCENTAGE' | 'FIXED';
    value: number;
    durationType: 'FOREVER' | 'ONCE' | 'REPEATING';
    durationInMonths?: number;
  };
  billingPeriodRange: { start: Date; end: Date };
  proration?: { prorationDate: Date; credit: Amount; debit: Amount; netAmount: Amount };
  /** The recurring charge of a whole billing period, not prorated. */
  subscription: { total: Amount; totalExcludingTax: Amount; subTotal: Amount; tax: Amount };
}

const amount = (a: Amount): Amount => ({ amount: a.amount, currency: a.currency });

export function estimateShape(p: SubscriptionPreview): SubscriptionEstimate {
  const result: SubscriptionEstimate = {
    total: amount(p.total),
    totalExcludingTax: amount(p.totalExcludingTax),
    subTotal: amount(p.subTotal),
    tax: amount(p.tax),
    billingPeriodRange: { start: new Date(p.billingPeriodRange.start), end: new Date(p.billingPeriodRange.end) },
    subscription: {
      total: amount(p.subscription.total),
      totalExcludingTax: amount(p.subscription.totalExcludingTax),
      subTotal: amount(p.subscription.subTotal),
      tax: amount(p.subscription.tax),
    },
  };
  if (p.taxDetails) result.taxDetails = { ...p.taxDetails };
  if (p.discount)
    result.discount = {
      type: p.discount.type,
      value: p.discount.value,
      durationType: p.discount.durationType,
      ...(p.discount.durationInMonths === undefined ? {} : { durationInMonths: p.discount.durationInMonths }),
    };
  if (p.proration)
    result.proration = {
      prorationDate: new Date(p.proration.prorationDate),
      credit: amount(p.proration.credit),
      debit: amount(p.proration.debit),
      netAmount: amount(p.proration.netAmount),
    };
  return result;
}

/** `getPaywall`'s answer: the catalog's paywall and, for a customer, who they are and what they have. */
export type PaywallResult<S, C> = Paywall & {
  customer: C | null;
  resource: { id: string } | null;
  activeSubscriptions: S[] | null;
};

/** A coupon's terms as previews describe them. */
export interface DiscountDetails {
  type: 'PERCENTAGE' | 'FIXED';
  value: number;
  durationType: 'FOREVER' | 'ONCE' | 'REPEATING';
  durationInMonths?: number;
}

/** An invoice's totals as previews show them; `discount` is what the coupon took off. */
export interface InvoiceTotals {
  total: Amount;
  subTotal: Amount;
  totalExcludingTax: Amount;
  tax: Amount;
  discount: Amount;
  taxDetails?: { displayName: string; inclusive: boolean; percentage: number };
  discountDetails?: DiscountDetails;
}

/** `previewSubscription`'s result: what is due now and what each period will cost, as the reference's `SubscriptionPreviewV2`. */
export interface SubscriptionPreviewV2 {
  /** Due at once: the prorated charge (a credit when negative), after the coupon and tax. */
  immediateInvoice: InvoiceTotals & {
    proration?: { prorationDate: Date; hasProrations: boolean; credit: Amount; debit: Amount; netAmount: Amount };
  };
  /** A whole billing period of the new subscription, not prorated. */
  recurringInvoice: InvoiceTotals;
  billingPeriodRange: { start: Date; end: Date };
  isPlanDowngrade: boolean;
  hasScheduledUpdates: boolean;
}

const details = (d: DiscountSummary | undefined): { discountDetails?: DiscountDetails } =>
  d
    ? {
        discountDetails: {
          type: d.type,
          value: d.value,
          durationType: d.durationType,
          ...(d.durationInMonths === undefined ? {} : { durationInMonths: d.durationInMonths }),
        },
      }
    : {};

export function previewShape(
  p: SubscriptionPreview,
  change: { readonly isPlanDowngrade: boolean; readonly hasScheduledUpdates: boolean },
): SubscriptionPreviewV2 {
  const taxDetails = p.taxDetails ? { taxDetails: { ...p.taxDetails } } : {};
  const totals = (t: PreviewTotals) => ({
    total: amount(t.total),
    subTotal: amount(t.subTotal),
    totalExcludingTax: amount(t.totalExcludingTax),
    tax: amount(t.tax),
    discount: amount(t.discountAmount),
    ...taxDetails,
  });
  return {
    immediateInvoice: {
      ...totals(p),
      ...details(p.discount),
      ...(p.proration
        ? {
            proration: {
              prorationDate: new Date(p.proration.prorationDate),
              hasProrations: true,
              credit: amount(p.proration.credit),
              debit: amount(p.proration.debit),
              netAmount: amount(p.proration.netAmount),
            },
          }
        : {}),
    },
    recurringInvoice: { ...totals(p.subscription), ...details(p.recurringDiscount) },
    billingPeriodRange: { start: new Date(p.billingPeriodRange.start), end: new Date(p.billingPeriodRange.end) },
    isPlanDowngrade: change.isPlanDowngrade,
    hasScheduledUpdates: change.hasScheduledUpdates,
  };
}

/** A line of `previewNextInvoice`: one price of the plan or an add-on for the period. */
export interface InvoiceLine {
  /** `BaseCharge` (the plan's flat fee), `AddonCharge`, `InAdvanceCommitmentCharge` (per-unit),
   *  `PayAsYouGoCharge` (usage, billed after the period) or `MinimumSpendAdjustmentCharge`. */
  type:
    | 'BaseCharge'
    | 'AddonCharge'
    | 'InAdvanceCommitmentCharge'
    | 'PayAsYouGoCharge'
    | 'MinimumSpendAdjustmentCharge';
  description: string;
  /** The plan or add-on the price belongs to, and its feature for a per-unit or usage price. */
  planId?: string;
  addonId?: string;
  featureId?: string;
  amount: Amount;
  /** A usage price's price per unit (its amount is billed after the period, so 0 here). */
  unitPrice?: Amount;
  quantity: number;
  proration: false;
  period: { start: Date; end: Date };
}

/** `previewNextInvoice`'s result: what the subscription's next billing period will be charged up front. */
export interface InvoicePreview extends InvoiceTotals {
  amountDue: Amount;
  subTotalExcludingTax: Amount;
  minimumSpendAdjustment: Amount;
  lines: InvoiceLine[];
  lastUpdatedAt: Date;
}

const lineType = (l: EstimateLine): InvoiceLine['type'] =>
  l.charge === 'MINIMUM_SPEND'
    ? 'MinimumSpendAdjustmentCharge'
    : l.charge === 'IN_ARREARS'
      ? 'PayAsYouGoCharge'
      : l.billingModel === 'PER_UNIT'
        ? 'InAdvanceCommitmentCharge'
        : l.kind === 'ADDON'
          ? 'AddonCharge'
          : 'BaseCharge';

export function invoicePreviewShape(e: Estimate, period: PeriodRange, now: number): InvoicePreview {
  const of = (m: Money) => amount(toAmount(m));
  const zero = of(money(0, e.currency));
  const minimum = e.lines.filter((l) => l.charge === 'MINIMUM_SPEND').map((l) => l.amount);
  const range = { start: new Date(period.start), end: new Date(period.end) };
  return {
    total: of(e.total),
    subTotal: of(e.subTotal),
    totalExcludingTax: of(e.totalExcludingTax),
    subTotalExcludingTax: e.taxDetails?.inclusive ? of(subtractMoney(e.subTotal, e.tax)) : of(e.subTotal),
    tax: of(e.tax),
    discount: of(e.discountAmount),
    ...(e.taxDetails ? { taxDetails: { ...e.taxDetails } } : {}),
    ...details(e.discount),
    amountDue: of(e.total),
    minimumSpendAdjustment: minimum.length > 0 ? of(sumMoney(minimum, e.currency)) : zero,
    lines: e.lines.map((l) => ({
      type: lineType(l),
      description: l.featureId === undefined ? l.id : `${l.id} (${l.featureId})`,
      ...(l.kind === 'PLAN' ? { planId: l.id } : { addonId: l.id }),
      ...(l.featureId === undefined ? {} : { featureId: l.featureId }),
      amount: of(l.amount),
      ...(l.unitPrice ? { unitPrice: of(l.unitPrice) } : {}),
      quantity: (l.quantity ?? 1) * l.multiplier,
      proration: false as const,
      period: range,
    })),
    lastUpdatedAt: new Date(now),
  };
}
