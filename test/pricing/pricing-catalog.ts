// A priced catalog shared by the subscription-pricing and paywall tests, and a plan-version factory
// for property tests that need many random plans without compiling a catalog each time.
import type { AddonVersion, Catalog, PlanVersion } from '../../src/catalog/catalog.js';
import type { Price } from '../../src/catalog/price-schema.js';
import type { BillingPeriod } from '../../src/model/enums.js';
import type { PricingSelection } from '../../src/pricing/pricing-selection.js';
import { catalogOf, must } from '../core/factories.js';

/**
 * Products `app` (then `intl`, then `kw`). `app` plans, listed out of order: pro (order 2, base
 * basic), free (0), basic (1, base free), plus (1, same order as basic, listed after it), legacy
 * (hidden), enterprise (CUSTOM, unpriced), annual-only, de-only. `intl` has a JPY plan; `kw` a
 * KWD plan. Add-ons: extra (5 USD a month), eu-only (EUR in DE, no default).
 */
export function pricingCatalog(): Catalog {
  return catalogOf({
    features: [
      { id: 'sso', featureType: 'BOOLEAN', displayName: 'SSO' },
      { id: 'seats', featureType: 'NUMBER', meterType: 'Fluctuating', units: 'seat', unitsPlural: 'seats' },
      { id: 'api-calls', featureType: 'NUMBER', meterType: 'Incremental' },
      { id: 'projects', featureType: 'NUMBER' },
    ],
    products: [
      { id: 'app', displayName: 'App', description: 'The app', metadata: { tier: 'main' } },
      { id: 'intl', displayName: 'International' },
      { id: 'kw', displayName: 'Kuwait' },
    ],
    plans: [
      {
        id: 'pro',
        productId: 'app',
        displayName: 'Pro',
        order: 2,
        basePlanId: 'basic',
        pricingType: 'PAID',
        entitlements: [{ featureId: 'projects', usageLimit: 100 }],
        compatibleAddonIds: ['extra', 'eu-only'],
        defaultTrialConfig: { duration: 14, units: 'DAY' },
        prices: [
          { billingPeriod: 'MONTHLY', currency: 'USD', amount: '20' },
          { billingPeriod: 'MONTHLY', billingModel: 'PER_UNIT', currency: 'USD', amount: '5', featureId: 'seats' },
          {
            billingPeriod: 'MONTHLY',
            billingModel: 'USAGE_BASED',
            currency: 'USD',
            amount: '0.0015',
            featureId: 'api-calls',
          },
          { billingPeriod: 'ANNUALLY', currency: 'USD', amount: '200' },
          {
            billingPeriod: 'ANNUALLY',
            billingModel: 'PER_UNIT',
            currency: 'USD',
            amount: '50',
            featureId: 'seats',
            minUnitQuantity: 2,
          },
        ],
        metadata: { highlight: 'true' },
      },
      {
        id: 'free',
        productId: 'app',
        displayName: 'Free',
        order: 0,
        pricingType: 'FREE',
        entitlements: [{ featureId: 'sso' }, { featureId: 'projects', usageLimit: 3 }],
        compatibleAddonIds: ['extra'],
      },
      {
        id: 'basic',
        productId: 'app',
        displayName: 'Basic',
        order: 1,
        basePlanId: 'free',
        pricingType: 'PAID',
        entitlements: [{ featureId: 'projects', usageLimit: 10 }],
        compatibleAddonIds: ['extra'],
        prices: [
          { billingPeriod: 'MONTHLY', currency: 'USD', amount: '9.99' },
          { billingPeriod: 'ANNUALLY', currency: 'USD', amount: '99.99' },
          { billingPeriod: 'MONTHLY', currency: 'EUR', amount: '9', billingCountryCode: 'DE' },
        ],
      },
      {
        id: 'plus',
        productId: 'app',
        displayName: 'Plus',
        order: 1,
        pricingType: 'PAID',
        prices: [{ billingPeriod: 'MONTHLY', currency: 'USD', amount: '14.99' }],
      },
      {
        id: 'legacy',
        productId: 'app',
        order: 5,
        pricingType: 'PAID',
        hidden: true,
        prices: [{ billingPeriod: 'MONTHLY', currency: 'USD', amount: '1' }],
      },
      { id: 'enterprise', productId: 'app', order: 9, pricingType: 'CUSTOM' },
      {
        id: 'annual-only',
        productId: 'app',
        order: 6,
        pricingType: 'PAID',
        hidden: true,
        prices: [{ billingPeriod: 'ANNUALLY', currency: 'USD', amount: '100' }],
      },
      {
        id: 'de-only',
        productId: 'app',
        order: 7,
        pricingType: 'PAID',
        hidden: true,
        prices: [{ billingPeriod: 'MONTHLY', currency: 'EUR', amount: '10', billingCountryCode: 'DE' }],
      },
      {
        id: 'tiered',
        productId: 'intl',
        order: 1,
        pricingType: 'PAID',
        prices: [
          {
            billingPeriod: 'MONTHLY',
            billingModel: 'PER_UNIT',
            currency: 'JPY',
            featureId: 'seats',
            tiersMode: 'GRADUATED',
            tiers: [{ upTo: 10, unitPrice: '500', flatPrice: '1000' }, { unitPrice: '400' }],
          },
        ],
      },
      {
        id: 'solo',
        productId: 'intl',
        order: 0,
        pricingType: 'PAID',
        prices: [{ billingPeriod: 'MONTHLY', currency: 'JPY', amount: '999' }],
      },
      {
        id: 'kwd',
        productId: 'kw',
        pricingType: 'PAID',
        prices: [{ billingPeriod: 'MONTHLY', currency: 'KWD', amount: '12.345' }],
      },
    ],
    addons: [
      {
        id: 'extra',
        productId: 'app',
        displayName: 'Extra',
        description: 'More projects',
        maxQuantity: 10,
        entitlements: [{ featureId: 'projects', usageLimit: 5 }],
        prices: [
          { billingPeriod: 'MONTHLY', currency: 'USD', amount: '5' },
          { billingPeriod: 'ANNUALLY', currency: 'USD', amount: '50' },
        ],
      },
      {
        id: 'eu-only',
        productId: 'app',
        prices: [{ billingPeriod: 'MONTHLY', currency: 'EUR', amount: '3', billingCountryCode: 'DE' }],
      },
    ],
  });
}

export const CATALOG = pricingCatalog();

export const planOf = (id: string): PlanVersion => must(CATALOG.plans.get(id), `plan ${id}`);
export const addonOf = (id: string): AddonVersion => must(CATALOG.addons.get(id), `add-on ${id}`);

/** A selection of a catalog plan: monthly, no add-ons, no billable features unless told. */
export function selectionOf(
  planId: string,
  extra: Partial<Omit<PricingSelection, 'addons'>> & { addons?: readonly [string, number][] } = {},
): PricingSelection {
  const { addons = [], ...rest } = extra;
  return {
    plan: planOf(planId),
    billingPeriod: 'MONTHLY',
    billableFeatures: [],
    ...rest,
    addons: addons.map(([id, quantity]) => ({ addon: addonOf(id), quantity })),
  };
}

/** A plan version built directly (no catalog), for property tests over random prices. */
export function planVersion(id: string, prices: readonly Price[], pricingType: PlanVersion['pricingType'] = 'PAID') {
  const plan: PlanVersion = {
    id,
    productId: 'p',
    displayName: id,
    description: null,
    order: 0,
    basePlanId: null,
    pricingType,
    entitlements: [],
    defaultTrialConfig: null,
    compatibleAddonIds: [],
    prices,
    hidden: false,
    metadata: {},
    version: 1,
    hash: id,
    byFeature: new Map(),
  };
  return plan;
}

/** A selection of a directly built plan. */
export const selectionFor = (plan: PlanVersion, billingPeriod: BillingPeriod = 'MONTHLY'): PricingSelection => ({
  plan,
  addons: [],
  billingPeriod,
  billableFeatures: [],
});
