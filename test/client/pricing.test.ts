import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogInput } from '../../src/index.js';
import { errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';

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

describe.each(stores)('pricing ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture, { catalog: pricedCatalog });
  });
  afterEach(() => h.close());

  it('lists the catalog coupons', async () => {
    const coupons = await h.allot.getCoupons();
    expect(coupons.map((c) => c.id)).toEqual(['half', 'five', 'gone']);
    expect(coupons[0]).toMatchObject({
      type: 'PERCENTAGE',
      percentOff: 50,
      durationType: 'REPEATING',
      durationInMonths: 3,
    });
    expect(coupons[1]).toMatchObject({ type: 'FIXED', percentOff: null, amountsOff: [{ amount: 5, currency: 'USD' }] });
  });

  it('gives a customer a coupon only if it exists and is active', async () => {
    const customer = await h.allot.provisionCustomer({ customerId: 'acme', couponId: 'half' });
    expect(customer.customer.couponId).toBe('half');
    expect(await errorCode(h.allot.provisionCustomer({ customerId: 'b', couponId: 'nope' }))).toBe('COUPON_NOT_FOUND');
    expect(await errorCode(h.allot.updateCustomer({ customerId: 'acme', couponId: 'gone' }))).toBe('INVALID_OPERATION');
    expect((await h.allot.updateCustomer({ customerId: 'acme', couponId: null })).couponId).toBeNull();
  });
});

describe.each(stores)('promotion codes ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture, { catalog: pricedCatalog });
  });
  afterEach(() => h.close());

  it('applies a promotion code given with a subscription to the customer, case-insensitively', async () => {
    const { customer } = await h.allot.provisionCustomer({
      customerId: 'acme',
      subscriptionParams: { planId: 'basic', promotionCode: 'stigg50' },
    });
    expect(customer.couponId).toBe('half');
    await h.allot.provisionCustomer({ customerId: 'b' });
    await h.allot.provisionSubscription({ customerId: 'b', planId: 'basic', promotionCode: 'STIGG50' });
    expect((await h.allot.getCustomer('b')).couponId).toBe('half');
  });

  it('rejects an unknown or unusable code and writes nothing', async () => {
    expect(
      await errorCode(
        h.allot.provisionCustomer({ customerId: 'x', subscriptionParams: { planId: 'basic', promotionCode: 'NOPE' } }),
      ),
    ).toBe('PROMOTION_CODE_NOT_FOUND');
    expect(await errorCode(h.allot.getCustomer('x'))).toBe('CUSTOMER_NOT_FOUND');
    await h.allot.provisionCustomer({ customerId: 'y' });
    expect(
      await errorCode(h.allot.provisionSubscription({ customerId: 'y', planId: 'basic', promotionCode: 'OLD50' })),
    ).toBe('PROMOTION_CODE_NOT_APPLICABLE');
    expect(await h.allot.getActiveSubscriptions({ customerId: 'y' })).toEqual([]);
  });
});
