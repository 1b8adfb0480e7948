import type { CatalogInput } from '../src/index.js';

/**
 * The bench's catalog: plan 'pro' with ten features, two of them metered (one by events), and plan
 * 'ai' of another product with one credit-backed feature.
 */
export const catalog: CatalogInput = {
  features: [
    { id: 'api-calls', featureType: 'NUMBER', meterType: 'Incremental' },
    {
      id: 'tokens',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      meter: { eventName: 'llm.call', aggregation: { function: 'SUM', field: 'tokens' } },
    },
    { id: 'sso', featureType: 'BOOLEAN' },
    // Credit-backed, on a plan of its own product so the 'pro' customers' figures stay as they were.
    {
      id: 'images',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      creditRate: { currencyId: 'ai-credits', creditsPerUnit: 5 },
    },
    ...Array.from({ length: 7 }, (_, i) => ({ id: `f${i}`, featureType: 'BOOLEAN' as const })),
  ],
  creditCurrencies: [
    { currencyId: 'ai-credits', displayName: 'AI credits', units: { singular: 'credit', plural: 'credits' } },
  ],
  products: [{ id: 'app' }, { id: 'ai' }],
  plans: [
    {
      id: 'pro',
      productId: 'app',
      entitlements: [
        { featureId: 'api-calls', usageLimit: 1_000_000, resetPeriod: 'MONTH' },
        { featureId: 'tokens', usageLimit: 1e12, resetPeriod: 'MONTH' },
        { featureId: 'sso' },
        ...Array.from({ length: 7 }, (_, i) => ({ featureId: `f${i}` })),
      ],
    },
    {
      id: 'ai',
      productId: 'ai',
      entitlements: [{ featureId: 'images', hasUnlimitedUsage: true, resetPeriod: 'MONTH' }],
    },
  ],
};
