// The catalog's credit currencies as credit calls name them.
import type { Catalog } from '../catalog/catalog.js';
import type { CreditCurrency } from '../catalog/credit-schema.js';
import { AllotError } from '../errors.js';

/** The catalog's credit currency when it has just one; a call naming none needs it. */
export function soleCreditCurrency(catalog: Catalog): string {
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
