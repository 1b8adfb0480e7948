import type { CatalogInput } from '../../src/index.js';
import { catalog } from '../helpers/fixtures.js';

// pro refills 100 credits a month, enterprise 1000; gpt-calls (on its own product) costs 1 a call.
export const credited = {
  ...catalog,
  features: [
    ...catalog.features,
    {
      id: 'gpt-calls',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      creditRate: { currencyId: 'ai-credits', creditsPerUnit: 1 },
    },
  ],
  products: [...catalog.products, { id: 'ai', multipleSubscriptions: true }],
  plans: [
    ...catalog.plans.map((p) =>
      p.id === 'pro' || p.id === 'enterprise'
        ? {
            ...p,
            creditEntitlements: [
              { currencyId: 'ai-credits', amount: p.id === 'pro' ? '100' : '1000', cadence: 'MONTH' as const },
            ],
          }
        : p,
    ),
    {
      id: 'ai-pro',
      productId: 'ai',
      entitlements: [{ featureId: 'gpt-calls', hasUnlimitedUsage: true, resetPeriod: 'MONTH' }],
    },
  ],
  creditCurrencies: [
    { currencyId: 'ai-credits', displayName: 'AI credits', units: { singular: 'credit', plural: 'credits' } },
  ],
} satisfies CatalogInput;
