// A subscription's own prices: price overrides in place of the catalog's, and a minimum spend.
import { type Price, priceSchema } from '../catalog/price-schema.js';
import { AllotError } from '../errors.js';
import type { MoneyValue, PriceOverride } from '../model/billing.js';
import type { EstimateItem } from './estimate.js';

/** Whether `override` is for this item's price: an add-on's by `addonId` or else the plan's; the feature's price by `featureId`, else the featureless base charge. */
function targets(override: PriceOverride, item: EstimateItem): boolean {
  const owner =
    override.addonId === undefined ? item.kind === 'PLAN' : item.kind === 'ADDON' && item.id === override.addonId;
  return owner && override.featureId === item.price.featureId;
}

function currencyOf(value: MoneyValue | undefined, price: Price, override: PriceOverride): void {
  if (value?.currency !== undefined && value.currency !== price.currency)
    throw new AllotError(
      'INVALID_INPUT',
      `a price override in ${value.currency} for a price in ${price.currency}: overrides keep the price's currency`,
      { details: { override, currency: price.currency } },
    );
}

/** The price with the override's amount, tiers and block size in place of its own. */
function overridden(price: Price, override: PriceOverride): Price {
  currencyOf(override.price, price, override);
  for (const tier of override.tiers ?? []) {
    currencyOf(tier.unitPrice, price, override);
    currencyOf(tier.flatPrice, price, override);
  }
  const tiers = override.tiers?.map((t) => ({
    ...(t.upTo === undefined ? {} : { upTo: t.upTo }),
    ...(t.unitPrice ? { unitPrice: t.unitPrice.amount } : {}),
    ...(t.flatPrice ? { flatPrice: t.flatPrice.amount } : {}),
  }));
  return {
    ...price,
    ...(override.price ? { amount: override.price.amount } : {}),
    ...(tiers ? { tiers, tiersMode: price.tiersMode ?? 'VOLUME' } : {}),
    ...(override.blockSize === undefined ? {} : { blockSize: override.blockSize }),
  };
}

/**
 * The items with their subscription's overrides applied: each price takes the last override that
 * targets it (see `PriceOverride`); an override of a foreign currency throws INVALID_INPUT. An
 * override that targets no price changes nothing here (`assertPriceOverrides` refuses it on write).
 *
 * @example withPriceOverrides(items, [{ price: { amount: '15' } }]) // the plan's base charge at 15
 */
export function withPriceOverrides(
  items: readonly EstimateItem[],
  overrides: readonly PriceOverride[] | undefined,
): EstimateItem[] {
  if (!overrides?.length) return [...items];
  return items.map((item) => {
    const override = overrides.findLast((o) => targets(o, item));
    return override ? { ...item, price: overridden(item.price, override) } : item;
  });
}

/**
 * Checks overrides as a write gets them: each targets one of `items`' prices (the catalog's, before
 * any override) and makes a valid price with it, else INVALID_INPUT.
 */
export function assertPriceOverrides(items: readonly EstimateItem[], overrides: readonly PriceOverride[]): void {
  overrides.forEach((override, i) => {
    const matched = items.filter((item) => targets(override, item));
    if (matched.length === 0)
      throw new AllotError(
        'INVALID_INPUT',
        `priceOverrides[${i}] matches no price of the subscription (by addonId, featureId, or the plan's base charge)`,
        { details: { override } },
      );
    for (const item of matched) {
      const result = priceSchema.safeParse(overridden(item.price, override));
      if (!result.success)
        throw new AllotError('INVALID_INPUT', `priceOverrides[${i}] makes an invalid price: ${result.error.message}`, {
          details: result.error.issues,
        });
    }
  });
}

/**
 * The item of a minimum spend: a MINIMUM_SPEND line of the plan, which raises a period's charge to
 * `minimum`. It is in the currency and tax mode of the subscription's other prices (`like`), or in
 * `fallbackCurrency` when it has none.
 */
export function minimumSpendItem(
  planId: string,
  billingPeriod: Price['billingPeriod'],
  minimum: MoneyValue,
  like: Price | undefined,
  fallbackCurrency: string,
): EstimateItem {
  return {
    id: planId,
    kind: 'PLAN',
    price: {
      billingPeriod,
      billingModel: 'MINIMUM_SPEND',
      currency: minimum.currency ?? like?.currency ?? fallbackCurrency,
      amount: minimum.amount,
      ...(like?.taxInclusive === undefined ? {} : { taxInclusive: like.taxInclusive }),
    },
  };
}
