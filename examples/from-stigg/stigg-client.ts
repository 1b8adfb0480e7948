// The Stigg docs' `initializeStiggClient.js`, moved to allot. This file is the whole migration:
//
//   - import { Stigg } from '@stigg/node-server-sdk';
//   + import { Allot as Stigg } from 'allot';
//   - const stiggClient = Stigg.initialize({ apiKey: process.env.STIGG_SERVER_API_KEY });
//   + const stiggClient = Stigg.initialize({ catalog, store: sqliteStore({ filename: 'allot.db' }) });
//
// Stigg keeps the plans in its cloud; allot takes them as data, so the catalog below restates the
// plans the Stigg app shows (same feature and plan ids, so the calls in entitlements.ts need no change).
import { type CatalogInput, Allot as Stigg } from '../../src/index.js'; // in your app: from 'allot'
import { sqliteStore } from '../../src/stores/sqlite/index.js'; // from 'allot/stores/sqlite'

const catalog: CatalogInput = {
  features: [{ id: 'feature-ai-generations', featureType: 'NUMBER', meterType: 'Incremental' }],
  products: [{ id: 'product-app' }],
  plans: [
    {
      id: 'plan-free',
      productId: 'product-app',
      entitlements: [{ featureId: 'feature-ai-generations', usageLimit: 3, resetPeriod: 'MONTH' }],
    },
  ],
};

// ALLOT_DB only lets run.ts put the file in a temporary directory.
const stiggClient = Stigg.initialize({ catalog, store: sqliteStore({ filename: process.env.ALLOT_DB ?? 'allot.db' }) });

export default stiggClient;
