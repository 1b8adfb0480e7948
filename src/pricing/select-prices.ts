import type { Price } from '../catalog/price-schema.js';
import { AllotError } from '../errors.js';
import { BillingPeriod, enumValues } from '../model/enums.js';

/**
 * The prices that apply for a billing period and an optional billing country: the country's
 * localized prices when the plan or add-on has any for that period, its default (country-less)
 * prices otherwise. A package without prices is free and yields `[]`; a priced package without a
 * price for the period, or for the country and without a default, throws PRICE_NOT_FOUND, its
 * details carrying `owner` (e.g. `{ planId }`). An unknown period or a malformed country code
 * throws INVALID_INPUT.
 *
 * @example selectPrices(plan.prices, 'MONTHLY', 'DE', { planId: plan.id }) // the DE monthly prices, else the default ones
 */
export function selectPrices(
  prices: readonly Price[],
  billingPeriod: BillingPeriod,
  billingCountryCode?: string | null,
  owner: Readonly<Record<string, string>> = {},
): Price[] {
  if (!enumValues(BillingPeriod).includes(billingPeriod))
    throw new AllotError('INVALID_INPUT', `unknown billing period "${billingPeriod}"`, {
      details: { billingPeriod, allowed: enumValues(BillingPeriod) },
    });
  if (billingCountryCode != null && !/^[A-Za-z]{2}$/.test(billingCountryCode))
    throw new AllotError('INVALID_INPUT', `"${billingCountryCode}" is not an ISO 3166-1 alpha-2 country code`, {
      details: { billingCountryCode },
    });
  if (prices.length === 0) return [];
  const inPeriod = prices.filter((p) => p.billingPeriod === billingPeriod);
  const country = billingCountryCode?.toUpperCase();
  const localized = country === undefined ? [] : inPeriod.filter((p) => p.billingCountryCode === country);
  const chosen = localized.length > 0 ? localized : inPeriod.filter((p) => p.billingCountryCode === undefined);
  if (chosen.length === 0)
    throw new AllotError(
      'PRICE_NOT_FOUND',
      `${Object.values(owner)
        .map((id) => `"${id}": `)
        .join('')}${
        inPeriod.length === 0
          ? `no ${billingPeriod} price; available: ${[...new Set(prices.map((p) => p.billingPeriod))].join(', ')}`
          : `no ${billingPeriod} price for country ${country} and no default price`
      }`,
      { details: { ...owner, billingPeriod, billingCountryCode: country ?? null } },
    );
  return chosen;
}
