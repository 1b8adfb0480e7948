import { type Catalog, versionKey } from '../catalog/catalog.js';
import type { Coupon } from '../catalog/coupon-schema.js';
import type { BillingModel } from '../model/enums.js';
import type { SubscriptionRecord } from '../model/records.js';
import {
  type Amount,
  type Decimal,
  type Money,
  money,
  subtractMoney,
  sumMoney,
  toAmount,
  toRate,
} from '../money/money.js';
import type { PreviewTotals } from '../pricing/amounts-due.js';
import type { DiscountSummary } from '../pricing/discount.js';
import type { Estimate, EstimateLine, PriceRounding } from '../pricing/estimate.js';
import type { Paywall } from '../pricing/paywall.js';
import type { PricingSelection } from '../pricing/pricing-selection.js';
import type { ThresholdProgress } from '../pricing/progressive-billing.js';
import type { SubscriptionPreview } from '../pricing/subscription-preview.js';
import { type SubscriptionPrices, subscriptionPrices } from '../pricing/subscription-prices.js';
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

/**
 * One charge of an estimated billing period and how it was made (beyond the reference). Amounts are
 * `{amount, currency}`: `amount`, `discount`, `tax` and `total` on the minor-unit grid (with
 * `priceRounding: 'TOTAL'`, `amount` and `total` at full precision); `unitPrice`, the tiers' prices
 * and `rounding` at full precision.
 */
export interface EstimateLineResult {
  kind: 'PLAN' | 'ADDON';
  /** The plan or add-on the price belongs to. */
  id: string;
  featureId?: string;
  billingModel: BillingModel;
  /** UPFRONT (due at the period's start), IN_ARREARS (usage, billed after it) or MINIMUM_SPEND. */
  charge: 'UPFRONT' | 'IN_ARREARS' | 'MINIMUM_SPEND';
  /** The quantity charged (a per-unit price's, raised to its minimum). */
  quantity?: number;
  /** The usage priced (the estimate's `usage`); for a percentage price, its number of transactions. */
  usage?: number;
  /** How many of the add-on; 1 for the plan. */
  multiplier: number;
  /** The price per unit, per block, or the flat fee. */
  unitPrice?: Amount;
  /** What the unit price multiplies: the quantity, or whole blocks of a package price. */
  billedUnits?: number;
  /** The tiers the quantity reached, each with its units and charge. */
  tiers?: { upTo?: number; quantity: number; unitPrice: Amount; flatPrice: Amount; amount: Amount }[];
  /** What the price's `maximumAmount` took off. */
  aboveMaximum?: Amount;
  /** A percentage price's arithmetic. */
  percentage?: {
    transactions: number;
    freeTransactions: number;
    paidAmount: Amount;
    rateAmount: Amount;
    fixedFees: Amount;
    minMaxAdjustment: Amount;
  };
  /** The line's charge, before discount and tax. */
  amount: Amount;
  /** `amount` less the charge at full precision: what rounding the line added (0 with TOTAL). */
  rounding: Amount;
  /** The line's share of the discount. */
  discount: Amount;
  /** The line's share of the tax. */
  tax: Amount;
  /** `amount - discount`, plus `tax` when it is exclusive. */
  total: Amount;
}

/** How far the period's usage charges have come towards a progressive billing threshold. */
export interface UsageThresholdProgress {
  /** The usage amount at which it is reached (a recurring one: its next occurrence). */
  amount: Amount;
  recurring: boolean;
  displayName?: string;
  reached: boolean;
  /** From 0 to 1, the share of the way from the previous threshold. */
  completionRatio: number;
  timesReached: number;
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
  proration?: {
    prorationDate: Date;
    credit: Amount;
    debit: Amount;
    netAmount: Amount;
    /** Each charge's credit and debit (beyond the reference): they add up to `netAmount`. */
    lines: { kind: 'PLAN' | 'ADDON'; id: string; featureId?: string; credit: Amount; debit: Amount }[];
  };
  /** The recurring charge of a whole billing period, not prorated, plus the `usage` given. */
  subscription: {
    total: Amount;
    totalExcludingTax: Amount;
    subTotal: Amount;
    tax: Amount;
    /** Every charge of the period (beyond the reference): see `EstimateLineResult`. */
    lines: EstimateLineResult[];
    /** Where the lines were rounded: each line (PER_LINE) or only the total (TOTAL). */
    priceRounding: 'PER_LINE' | 'TOTAL';
  };
  /** The plan's progressive billing thresholds against the period's usage charges (beyond the reference). */
  progressiveBilling?: UsageThresholdProgress[];
}

const amount = (a: Amount): Amount => ({ amount: a.amount, currency: a.currency });

const exact = (value: Decimal, currency: string): Amount => toRate(money(value, currency));
const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

function lineShape(l: EstimateLine, priceRounding: PriceRounding): EstimateLineResult {
  const { currency } = l.amount;
  const edge = (m: Money) => (priceRounding === 'TOTAL' ? exact(m.amount, currency) : toAmount(m));
  const d = l.detail;
  const pct = d?.percentage;
  return {
    kind: l.kind,
    id: l.id,
    ...optional('featureId', l.featureId),
    billingModel: l.billingModel,
    charge: l.charge,
    ...optional('quantity', l.quantity),
    ...optional('usage', l.usage?.toNumber()),
    multiplier: l.multiplier,
    ...optional('unitPrice', l.unitPrice && exact(l.unitPrice.amount, currency)),
    ...optional('billedUnits', d?.units.toNumber()),
    ...optional(
      'tiers',
      d?.tiers?.map((t) => ({
        ...optional('upTo', t.upTo),
        quantity: t.quantity.toNumber(),
        unitPrice: exact(t.unitPrice, currency),
        flatPrice: exact(t.flatPrice, currency),
        amount: exact(t.amount, currency),
      })),
    ),
    ...optional('aboveMaximum', d && !d.aboveMaximum.isZero() ? exact(d.aboveMaximum, currency) : undefined),
    ...optional(
      'percentage',
      pct && {
        transactions: pct.transactions,
        freeTransactions: pct.freeTransactions,
        paidAmount: exact(pct.paidAmount, currency),
        rateAmount: exact(pct.rateAmount, currency),
        fixedFees: exact(pct.fixedFees, currency),
        minMaxAdjustment: exact(pct.minMaxAdjustment, currency),
      },
    ),
    amount: edge(l.amount),
    rounding: exact(l.amount.amount.minus(l.exactAmount.amount), currency),
    discount: toAmount(l.discount),
    tax: toAmount(l.tax),
    total: edge(l.total),
  };
}

const thresholdShape = (t: ThresholdProgress, currency: string): UsageThresholdProgress => ({
  amount: exact(t.amount, currency),
  recurring: t.recurring,
  ...optional('displayName', t.displayName),
  reached: t.reached,
  completionRatio: t.completionRatio.toNumber(),
  timesReached: t.timesReached,
});

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
      lines: p.subscription.lines.map((l) => lineShape(l, p.subscription.priceRounding)),
      priceRounding: p.subscription.priceRounding,
    },
  };
  if (p.progressiveBilling)
    result.progressiveBilling = p.progressiveBilling.map((t) => thresholdShape(t, p.subscription.total.currency));
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
      lines: p.proration.lines.map((l) => ({
        kind: l.kind,
        id: l.id,
        ...optional('featureId', l.featureId),
        credit: amount(l.credit),
        debit: amount(l.debit),
      })),
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
