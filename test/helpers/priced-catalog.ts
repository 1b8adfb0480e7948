import type { CatalogInput } from '../../src/index.js';

/** Plans priced per period and country, an add-on, seats per unit, and coupons with promotion codes. */
export const pricedCatalog = {
  features: [
    { id: 'seats', featureType: 'NUMBER', meterType: 'Fluctuating' },
    { id: 'api-calls', featureType: 'NUMBER', meterType: 'Incremental' },
    { id: 'sso', featureType: 'BOOLEAN' },
  ],
  products: [{ id: 'app', downgradePlanId: 'free' }],
  plans: [
    {
      id: 'free',
      productId: 'app',
      order: 0,
      pricingType: 'FREE',
      entitlements: [{ featureId: 'api-calls', usageLimit: 100, resetPeriod: 'MONTH' }],
    },
    {
      id: 'basic',
      productId: 'app',
      order: 1,
      basePlanId: 'free',
      pricingType: 'PAID',
      entitlements: [{ featureId: 'api-calls', usageLimit: 1000, resetPeriod: 'MONTH' }],
      compatibleAddonIds: ['support'],
      prices: [
        { billingPeriod: 'MONTHLY', currency: 'USD', amount: '10.00' },
        { billingPeriod: 'ANNUALLY', currency: 'USD', amount: '100.00' },
        { billingPeriod: 'MONTHLY', currency: 'JPY', amount: '1500', billingCountryCode: 'JP' },
      ],
    },
    {
      id: 'team',
      productId: 'app',
      order: 2,
      basePlanId: 'basic',
      pricingType: 'PAID',
      defaultTrialConfig: { duration: 14, units: 'DAY' },
      entitlements: [{ featureId: 'sso' }, { featureId: 'seats', usageLimit: 50 }],
      compatibleAddonIds: ['support'],
      prices: [
        { billingPeriod: 'MONTHLY', currency: 'USD', amount: '20.00' },
        { billingPeriod: 'MONTHLY', currency: 'USD', billingModel: 'PER_UNIT', featureId: 'seats', amount: '5.00' },
      ],
    },
    { id: 'secret', productId: 'app', order: 3, hidden: true, pricingType: 'CUSTOM' },
  ],
  addons: [
    {
      id: 'support',
      productId: 'app',
      entitlements: [],
      maxQuantity: 3,
      prices: [{ billingPeriod: 'MONTHLY', currency: 'USD', amount: '4.99' }],
    },
  ],
  coupons: [
    {
      id: 'half',
      name: 'Half off for three months',
      type: 'PERCENTAGE',
      percentOff: 50,
      durationType: 'REPEATING',
      durationInMonths: 3,
      promotionCodes: [{ code: 'STIGG50' }, { code: 'OLD50', active: false }],
    },
    {
      id: 'five',
      name: 'Five off',
      type: 'FIXED',
      amountsOff: [{ amount: '5', currency: 'USD' }],
      durationType: 'ONCE',
    },
    { id: 'gone', name: 'Archived', type: 'PERCENTAGE', percentOff: 10, status: 'ARCHIVED' },
  ],
} satisfies CatalogInput;
