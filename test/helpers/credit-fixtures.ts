import type { CatalogInput } from '../../src/index.js';
import { catalog } from './fixtures.js';

/** The credit currency the credit tests draw on. */
export const AI_CREDITS = 'ai-credits';

type Plan = NonNullable<CatalogInput['plans']>[number];
type Product = NonNullable<CatalogInput['products']>[number];

/** A catalog whose lists are all present, so tests can extend them. */
export type CreditCatalog = CatalogInput & Required<Pick<CatalogInput, 'features' | 'products' | 'plans' | 'addons'>>;

/** What a credit test adds to the shared catalog. */
export interface CreditCatalogParts {
  features?: CatalogInput['features'];
  /** New plans, usually of the `ai` product. */
  plans?: Plan[];
  /** Fields merged into plans of the shared catalog, by plan id (credit entitlements, add-ons). */
  planChanges?: Record<string, Partial<Plan>>;
  addons?: CatalogInput['addons'];
  /** Fields of the `ai` product, which allows several subscriptions (so they can move between resources). */
  aiProduct?: Partial<Product>;
}

/**
 * The shared test catalog with the AI credit currency, an `ai` product, and what a test adds.
 *
 * @example creditCatalog({ planChanges: { pro: { creditEntitlements: [{ currencyId: AI_CREDITS, amount: 100, cadence: 'MONTH' }] } } })
 */
export function creditCatalog(parts: CreditCatalogParts = {}): CreditCatalog {
  return {
    ...catalog,
    features: [...catalog.features, ...(parts.features ?? [])],
    products: [...catalog.products, { id: 'ai', multipleSubscriptions: true, ...parts.aiProduct }],
    plans: [...catalog.plans.map((p) => ({ ...p, ...parts.planChanges?.[p.id] })), ...(parts.plans ?? [])],
    addons: [...catalog.addons, ...(parts.addons ?? [])],
    creditCurrencies: [
      { currencyId: AI_CREDITS, displayName: 'AI credits', units: { singular: 'credit', plural: 'credits' } },
    ],
  };
}

/** `amount` credits of {@link AI_CREDITS} every month, with an optional rollover cap. */
export function monthlyCredits(amount: number | string, rolloverCap?: number | string) {
  return [
    {
      currencyId: AI_CREDITS,
      amount,
      cadence: 'MONTH' as const,
      ...(rolloverCap === undefined ? {} : { rolloverCap }),
    },
  ];
}
