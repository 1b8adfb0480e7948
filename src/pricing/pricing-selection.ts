import type { AddonVersion, PlanVersion } from '../catalog/catalog.js';
import { AllotError } from '../errors.js';
import type { MoneyValue, PriceOverride } from '../model/billing.js';
import type { BillingPeriod } from '../model/enums.js';
import { DEFAULT_CURRENCY } from './catalog-currency.js';
import type { EstimateItem } from './estimate.js';
import { minimumSpendItem, withPriceOverrides } from './price-overrides.js';
import { definedFields } from './price-point.js';
import { selectPrices } from './select-prices.js';

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

function invalid(message: string, details: Record<string, unknown>): AllotError {
  return new AllotError('INVALID_INPUT', message, { details });
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
export function priceItems(selection: PricingSelection): EstimateItem[] {
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

/** The catalog's prices of the selection, as estimate items. */
export function catalogPriceItems(selection: PricingSelection): EstimateItem[] {
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

/** The currency the items price in, else `fallback`, else USD: a selection that charges nothing still has one. */
export const currencyOf = (items: readonly EstimateItem[], fallback: string | undefined): string =>
  items[0]?.price.currency ?? fallback ?? DEFAULT_CURRENCY;
