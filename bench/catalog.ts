import type { CatalogInput } from '../src/index.js';

/** The bench's catalog: one plan with ten features, two of them metered (one by events). */
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
    ...Array.from({ length: 7 }, (_, i) => ({ id: `f${i}`, featureType: 'BOOLEAN' as const })),
  ],
  creditCurrencies: [
    { currencyId: 'ai-credits', displayName: 'AI credits', units: { singular: 'credit', plural: 'credits' } },
  ],
  products: [{ id: 'app' }],
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
  ],
};
