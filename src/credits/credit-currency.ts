// The catalog's credit currencies as credit calls name them.
import type { Catalog } from '../catalog/catalog.js';
import type { CreditCurrency } from '../catalog/credit-schema.js';
import { AllotError } from '../errors.js';

/**
 * The currency a credit report names none of: as the reference's "first active currency", the
 * first of the catalog's currencies the customer holds credits in (`held`), else the catalog's
 * first. INVALID_INPUT when the catalog has none.
 */
export function defaultCreditCurrency(catalog: Catalog, held: ReadonlySet<string>): string {
  const ids = [...catalog.creditCurrencies.keys()];
  const chosen = ids.find((id) => held.has(id)) ?? ids[0];
  if (chosen === undefined) throw new AllotError('INVALID_INPUT', 'the catalog has no credit currency');
  return chosen;
}

/** The catalog's only credit currency, for calls that may leave it out: INVALID_INPUT unless there is exactly one. */
export function soleCreditCurrency(catalog: Pick<Catalog, 'creditCurrencies'>): string {
  const [only, ...others] = catalog.creditCurrencies.keys();
  if (only === undefined || others.length > 0)
    throw new AllotError('INVALID_INPUT', 'currencyId is required unless the catalog has exactly one credit currency', {
      details: { currencies: [...catalog.creditCurrencies.keys()] },
    });
  return only;
}

/** A credit currency of the catalog: CURRENCY_NOT_FOUND otherwise. */
export function requireCreditCurrency(catalog: Pick<Catalog, 'creditCurrencies'>, currencyId: string): CreditCurrency {
  const currency = catalog.creditCurrencies.get(currencyId);
  if (!currency)
    throw new AllotError('CURRENCY_NOT_FOUND', `credit currency "${currencyId}" is not in the catalog`, {
      details: { currencyId },
    });
  return currency;
}
