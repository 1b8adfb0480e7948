import { type Catalog, versionKey } from '../catalog/catalog.js';
import type { Coupon } from '../catalog/coupon-schema.js';
import type { SubscriptionRecord } from '../model/records.js';
import type { Amount } from '../money/money.js';
import type { Paywall } from '../pricing/paywall.js';
import {
  type PricingSelection,
  type SubscriptionPreview,
  type SubscriptionPrices,
  subscriptionPrices,
} from '../pricing/subscription-pricing.js';

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
