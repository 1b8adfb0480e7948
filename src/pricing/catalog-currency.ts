// The currency of results that charge nothing.
import type { Catalog } from '../catalog/catalog.js';

/** What a selection charges in when nothing says otherwise. */
export const DEFAULT_CURRENCY = 'USD';

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
