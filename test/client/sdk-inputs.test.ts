// Every input field the reference SDK's methods take is accepted, and does what README's "Coming
// from Stigg" table says: honoured (prices, estimates, periods, coupons), stored and returned, or
// accepted and ignored. Fields the SDK does not know are still refused with INVALID_INPUT.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogInput } from '../../src/index.js';
import { errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';
import { pricedCatalog } from '../helpers/priced-catalog.js';

const catalog = {
  ...pricedCatalog,
  plans: pricedCatalog.plans.map((p) =>
    p.id === 'basic'
      ? {
          ...p,
          prices: [
            ...(p.prices ?? []),
            { billingPeriod: 'MONTHLY', currency: 'DKK', amount: '75', billingCountryCode: 'DK' },
          ],
        }
      : p,
  ) as CatalogInput['plans'],
  creditCurrencies: [
    {
      currencyId: 'ai-credits',
      displayName: 'AI credits',
      units: { singular: 'credit', plural: 'credits' },
      unitCost: { amount: '0.01', currency: 'USD' },
    },
  ],
} satisfies CatalogInput;

/** The docs' `billingInfo` example, as a customer's billing details. */
const billingInfo = {
  language: 'en',
  timezone: 'America/New_York',
  customerName: 'The name of the customer for the billing provider',
  billingAddress: {
    country: 'US',
    city: 'New York',
    state: 'NY',
    addressLine1: '123 Main Street',
    addressLine2: 'Apt. 1',
    phoneNumber: '+1 212-499-5321',
    postalCode: '10164',
  },
  taxIds: [
    { type: 'au_abn', value: '12345678912' },
    { type: 'us_ein', value: '12-3456789' },
  ],
  invoiceCustomFields: { lorem: 'ipsum', acme: 'co' },
  paymentMethodId: 'pm_1LcBMDAnAO1PFouUusJSmaPu',
  currency: 'usd',
  metadata: { hello: 'world' },
};

describe.each(stores)('SDK inputs of customers ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture, { catalog });
  });
  afterEach(() => h.close());

  it('stores billingInfo, salesforceId and awsMarketplaceCustomerId, returns them, and reads back a payment method', async () => {
    const { customer } = await h.allot.provisionCustomer({
      customerId: 'acme',
      billingInfo,
      salesforceId: 'sf-1',
      awsMarketplaceCustomerId: 'aws-1',
      excludeFromExperiment: true,
      subscriptionParams: null,
    });
    const expected = {
      billingInfo: { ...billingInfo, currency: 'USD' },
      salesforceId: 'sf-1',
      awsMarketplaceCustomerId: 'aws-1',
    };
    expect(customer).toMatchObject(expected);
    const read = await h.allot.getCustomer('acme');
    expect(read).toMatchObject({ ...expected, hasPaymentMethod: true });
    // Through the store, not only the cache.
    expect(await (await h.reopen()).getCustomer('acme')).toMatchObject(expected);
  });

  it('replaces billingInfo whole on update, keeps it when left out, and removes it with null', async () => {
    await h.allot.provisionCustomer({ customerId: 'acme', billingInfo, salesforceId: 'sf-1' });
    const replaced = await h.allot.updateCustomer({
      customerId: 'acme',
      billingInfo: { customerName: 'Acme' },
      shouldWaitSync: true,
    });
    expect(replaced.billingInfo).toEqual({ customerName: 'Acme' });
    expect((await h.allot.updateCustomer({ customerId: 'acme', name: 'A' })).billingInfo).toEqual({
      customerName: 'Acme',
    });
    const removed = await h.allot.updateCustomer({ customerId: 'acme', billingInfo: null, salesforceId: null });
    expect(removed).not.toHaveProperty('billingInfo');
    expect(removed).not.toHaveProperty('salesforceId');
    expect((await h.allot.getCustomer('acme')).hasPaymentMethod).toBe(false);
  });

  it('still refuses fields the SDK does not know, at the top and inside billingInfo', async () => {
    expect(await errorCode(h.allot.provisionCustomer({ customerId: 'a', nickname: 'x' } as never))).toBe(
      'INVALID_INPUT',
    );
    expect(
      await errorCode(h.allot.provisionCustomer({ customerId: 'a', billingInfo: { vatNumber: 'x' } } as never)),
    ).toBe('INVALID_INPUT');
    expect(await errorCode(h.allot.getCustomer('a'))).toBe('CUSTOMER_NOT_FOUND');
  });
});

describe.each(stores)('SDK inputs of subscriptions ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture, { catalog });
    await h.allot.provisionCustomer({ customerId: 'acme' });
  });
  afterEach(() => h.close());

  const provision = (extra: object) =>
    h.allot.provisionSubscription({ customerId: 'acme', planId: 'basic', ...extra }).then((r) => r.subscription);

  it('localizes prices for billingCountryCode and keeps the country for reads, estimates and the next plan', async () => {
    const sub = await provision({ billingCountryCode: 'dk' });
    expect(sub.billingCountryCode).toBe('DK');
    expect(sub.totalPrice).toEqual({
      subTotal: { amount: 75, currency: 'DKK' },
      total: { amount: 75, currency: 'DKK' },
    });
    expect((await h.allot.getSubscription({ subscriptionId: sub.id })).prices[0]?.price).toEqual({
      amount: 75,
      currency: 'DKK',
    });
    const estimate = await h.allot.estimateSubscriptionUpdate({ subscriptionId: sub.id, addons: [] });
    expect(estimate.subscription.total.currency).toBe('DKK');
    // Without a country the default prices apply; a re-provisioned plan keeps the country.
    expect((await provision({})).totalPrice?.total).toEqual({ amount: 75, currency: 'DKK' });
    await h.allot.provisionCustomer({ customerId: 'b' });
    const plain = await h.allot.provisionSubscription({ customerId: 'b', planId: 'basic' });
    expect(plain.subscription.totalPrice?.total).toEqual({ amount: 10, currency: 'USD' });
  });

  it('stores billingInformation and uses its taxPercentage in the subscription estimates', async () => {
    const billingInformation = { taxRateIds: ['txr_1'], metadata: { lorem: 'ipsum' }, taxPercentage: 17 };
    const sub = await provision({ billingInformation });
    expect((await h.allot.getSubscription({ subscriptionId: sub.id })).billingInformation).toEqual(billingInformation);
    const estimate = await h.allot.estimateSubscriptionUpdate({
      subscriptionId: sub.id,
      addons: [{ addonId: 'support' }],
    });
    expect(estimate.taxDetails?.percentage).toBe(17);
    expect(estimate.subscription.tax).toEqual({ amount: 2.55, currency: 'USD' }); // 17% of 14.99
    const updated = await h.allot.updateSubscription({
      subscriptionId: sub.id,
      billingInformation: { taxPercentage: 5 },
    });
    expect(updated.billingInformation).toEqual({ taxPercentage: 5 });
  });

  it('takes the docs spelling taxPerentage as taxPercentage, and ignores taxRateIds', async () => {
    const base = { customerId: 'acme', planId: 'basic', billingPeriod: 'MONTHLY' } as const;
    const taxed = await h.allot.estimateSubscription({ ...base, billingInformation: { taxPerentage: 17 } });
    expect(taxed.tax).toEqual({ amount: 1.7, currency: 'USD' });
    const rates = await h.allot.estimateSubscription({
      ...base,
      billingInformation: { taxRateIds: ['txr_1', 'txr_2'] },
    });
    expect(rates.total).toEqual((await h.allot.estimateSubscription(base)).total);
    expect(
      await errorCode(
        h.allot.estimateSubscription({ ...base, billingInformation: { taxPercentage: 1, taxPerentage: 2 } }),
      ),
    ).toBe('INVALID_INPUT');
  });

  it('accepts provider-only fields: ignores checkout and payment waits, keeps ids, method and budget', async () => {
    const result = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'basic',
      checkoutOptions: { successUrl: 'https://ok', cancelUrl: 'https://no', allowPromoCodes: true, referenceId: 'r' },
      awaitPaymentConfirmation: true,
      paymentCollectionMethod: 'INVOICE',
      billingId: 'sub_1',
      salesforceId: 'sf-9',
      budget: { limit: 100 },
    });
    expect(result).toEqual({ provisionStatus: 'SUCCESS', subscription: expect.anything() });
    const read = await h.allot.getSubscription({ subscriptionId: result.subscription.id });
    expect(read).toMatchObject({
      status: 'ACTIVE',
      billingId: 'sub_1',
      salesforceId: 'sf-9',
      paymentCollectionMethod: 'INVOICE',
      budget: { limit: 100, hasSoftLimit: false },
    });
    expect(await errorCode(provision({ checkoutOptions: { successUrl: 'https://ok' } }))).toBe('INVALID_INPUT');
  });

  it('uses the given id, refusing one that exists, and shows who pays', async () => {
    await h.allot.provisionCustomer({ customerId: 'parent' });
    const sub = await provision({ id: 'sub-acme-1', payingCustomerId: 'parent' });
    expect(sub).toMatchObject({ id: 'sub-acme-1', customerId: 'acme', payingCustomer: { id: 'parent' } });
    const [slim] = await h.allot.getActiveSubscriptionsList({ customerId: 'acme' });
    expect(slim?.payingCustomer).toEqual({ customerId: 'parent', email: null });
    await h.allot.provisionCustomer({ customerId: 'b' });
    expect(await errorCode(h.allot.provisionSubscription({ customerId: 'b', planId: 'basic', id: 'sub-acme-1' }))).toBe(
      'SUBSCRIPTION_ALREADY_EXISTS',
    );
    expect(await errorCode(provision({ payingCustomerId: 'nobody' }))).toBe('CUSTOMER_NOT_FOUND');
    expect(await h.allot.getActiveSubscriptions({ customerId: 'b' })).toEqual([]);
  });

  it('takes unitQuantity as the quantity of the plan’s per-unit feature', async () => {
    const sub = await provision({ planId: 'team', unitQuantity: 3, skipTrial: true });
    expect(sub.billableFeatures).toEqual([{ featureId: 'seats', quantity: 3 }]);
    expect(sub.totalPrice?.total).toEqual({ amount: 35, currency: 'USD' });
    const updated = await h.allot.updateSubscription({ subscriptionId: sub.id, unitQuantity: 4 });
    expect(updated.billableFeatures).toEqual([{ featureId: 'seats', quantity: 4 }]);
    const estimate = await h.allot.estimateSubscriptionUpdate({ subscriptionId: sub.id, unitQuantity: 6 });
    expect(estimate.subscription.subTotal).toEqual({ amount: 50, currency: 'USD' });
    const fresh = await h.allot.estimateSubscription({
      customerId: 'acme',
      planId: 'team',
      unitQuantity: 2,
      skipTrial: true,
    });
    expect(fresh.subscription.subTotal).toEqual({ amount: 30, currency: 'USD' });
    // A plan without a per-unit price, or a quantity that disagrees with billableFeatures, is refused.
    expect(await errorCode(provision({ unitQuantity: 2 }))).toBe('INVALID_INPUT');
    expect(
      await errorCode(
        provision({ planId: 'team', unitQuantity: 2, billableFeatures: [{ featureId: 'seats', quantity: 5 }] }),
      ),
    ).toBe('INVALID_INPUT');
  });

  it('applies appliedCoupon to the subscription alone: a catalog coupon, a promotion code or an inline discount', async () => {
    const byId = await provision({ appliedCoupon: { couponId: 'half' } });
    expect(byId.appliedCoupon).toMatchObject({ couponId: 'half' });
    expect((await h.allot.getCustomer('acme')).couponId).toBeNull();
    const estimate = await h.allot.estimateSubscriptionUpdate({ subscriptionId: byId.id, addons: [] });
    expect(estimate.discount).toMatchObject({ type: 'PERCENTAGE', value: 50 });
    expect(estimate.subscription.total).toEqual({ amount: 5, currency: 'USD' });

    const byCode = await h.allot.updateSubscription({
      subscriptionId: byId.id,
      appliedCoupon: { promotionCode: 'stigg50' },
    });
    expect(byCode.appliedCoupon).toMatchObject({ couponId: 'half' });
    const inline = await h.allot.updateSubscription({
      subscriptionId: byId.id,
      appliedCoupon: { discount: { percentOff: 20, durationInMonths: 2 } },
    });
    expect(inline.appliedCoupon?.discount).toEqual({ percentOff: 20, durationInMonths: 2 });
    const discounted = await h.allot.estimateSubscriptionUpdate({ subscriptionId: byId.id, addons: [] });
    expect(discounted.discount).toEqual({
      type: 'PERCENTAGE',
      value: 20,
      durationType: 'REPEATING',
      durationInMonths: 2,
    });

    const priced = await h.allot.estimateSubscription({
      customerId: 'acme',
      planId: 'team',
      skipTrial: true,
      appliedCoupon: { couponId: 'five' },
    });
    expect(priced.discount).toMatchObject({ type: 'FIXED', value: 5 });
    expect(await errorCode(provision({ appliedCoupon: { couponId: 'half', promotionCode: 'STIGG50' } }))).toBe(
      'INVALID_INPUT',
    );
    expect(await errorCode(provision({ appliedCoupon: { couponId: 'nope' } }))).toBe('COUPON_NOT_FOUND');
  });

  it('counts an appliedCoupon’s periods from configuration.startDate', async () => {
    // `five` discounts once: the period its start falls in.
    const fresh = await provision({ appliedCoupon: { couponId: 'five' } });
    const now = await h.allot.estimateSubscriptionUpdate({ subscriptionId: fresh.id, addons: [] });
    expect(now.subscription.total).toEqual({ amount: 5, currency: 'USD' });
    const startDate = new Date(h.clock.now() - 40 * 86_400_000);
    const old = await h.allot.updateSubscription({
      subscriptionId: fresh.id,
      appliedCoupon: { couponId: 'five', configuration: { startDate } },
      budget: { limit: 50, hasSoftLimit: true },
    });
    expect(old).toMatchObject({
      appliedCoupon: { couponId: 'five', startDate },
      budget: { limit: 50, hasSoftLimit: true },
    });
    const later = await h.allot.estimateSubscriptionUpdate({ subscriptionId: fresh.id, addons: [] });
    expect(later.subscription.total).toEqual({ amount: 10, currency: 'USD' });
  });

  it('applies a promotionCode given with updateSubscription to the customer', async () => {
    const sub = await provision({});
    await h.allot.updateSubscription({ subscriptionId: sub.id, promotionCode: 'STIGG50' });
    expect((await h.allot.getCustomer('acme')).couponId).toBe('half');
    expect(await errorCode(h.allot.updateSubscription({ subscriptionId: sub.id, promotionCode: 'OLD50' }))).toBe(
      'PROMOTION_CODE_NOT_APPLICABLE',
    );
  });

  it('re-anchors the billing period with billingCycleAnchor NOW and keeps it with UNCHANGED', async () => {
    const sub = await provision({});
    const start = sub.currentBillingPeriodStart;
    h.clock.advance({ days: 10 });
    const kept = await h.allot.updateSubscription({ subscriptionId: sub.id, billingCycleAnchor: 'UNCHANGED' });
    expect(kept.currentBillingPeriodStart).toEqual(start);
    const now = new Date(h.clock.now());
    const moved = await h.allot.updateSubscription({ subscriptionId: sub.id, billingCycleAnchor: 'NOW' });
    expect(moved.currentBillingPeriodStart).toEqual(now);
    expect(moved.startDate).toEqual(sub.startDate);
  });

  it('prices priceOverrides in place of the catalog’s, and refuses one that matches no price', async () => {
    const sub = await provision({
      addons: [{ addonId: 'support', quantity: 2 }],
      priceOverrides: [{ price: { amount: 8 } }, { addonId: 'support', price: { amount: 3, currency: 'USD' } }],
    });
    expect(sub.totalPrice?.subTotal).toEqual({ amount: 14, currency: 'USD' });
    expect(sub.priceOverrides?.[0]).toEqual({ price: { amount: 8 } });
    const estimate = await h.allot.estimateSubscriptionUpdate({ subscriptionId: sub.id, addons: [] });
    expect(estimate.subscription.subTotal).toEqual({ amount: 8, currency: 'USD' });
    expect(await errorCode(provision({ priceOverrides: [{ featureId: 'seats', price: { amount: 1 } }] }))).toBe(
      'INVALID_INPUT',
    );
    expect(await errorCode(provision({ priceOverrides: [{ price: { amount: 1, currency: 'EUR' } }] }))).toBe(
      'INVALID_INPUT',
    );
    // The plan that replaces it does not inherit the old plan's overrides.
    const team = await provision({ planId: 'team', skipTrial: true });
    expect(team.priceOverrides).toBeUndefined();
  });

  it('gives a scheduled downgrade the billing details it was requested with, once it takes effect', async () => {
    const team = await provision({ planId: 'team', skipTrial: true, billingCountryCode: 'DK' });
    // Checked against the plan it moves to: basic has no per-seat price.
    const seats = [{ featureId: 'seats', price: { amount: 1 } }];
    const downgrade = { scheduleStrategy: 'END_OF_BILLING_PERIOD' } as const;
    expect(await errorCode(provision({ ...downgrade, priceOverrides: seats }))).toBe('INVALID_INPUT');
    const scheduled = await provision({ ...downgrade, priceOverrides: [{ price: { amount: 9 } }] });
    expect(scheduled).toMatchObject({ id: team.id, planId: 'team' });
    h.clock.advance({ months: 1 });
    const after = await h.allot.getSubscription({ subscriptionId: team.id });
    expect(after).toMatchObject({
      planId: 'basic',
      billingCountryCode: 'DK',
      priceOverrides: [{ price: { amount: 9 } }],
    });
    expect(after.totalPrice?.total).toEqual({ amount: 9, currency: 'DKK' });
  });

  it('raises a period’s charge to minimumSpend', async () => {
    const sub = await provision({ minimumSpend: { minimum: { amount: 30, currency: 'USD' } } });
    expect(sub.totalPrice?.subTotal).toEqual({ amount: 30, currency: 'USD' });
    expect(sub.minimumSpend).toEqual({ minimum: { amount: 30, currency: 'USD' } });
    expect(await errorCode(provision({ minimumSpend: { minimum: { amount: 30, currency: 'EUR' } } }))).toBe(
      'INVALID_INPUT',
    );
  });

  it('takes the V2 entitlements: a feature’s as a custom entitlement, a currency’s as recurring credits', async () => {
    const sub = await provision({
      entitlements: [
        { feature: { featureId: 'api-calls', usageLimit: 5000, resetPeriod: 'MONTH' } },
        { credit: { customCurrencyId: 'ai-credits', amount: 50000, cadence: 'MONTH' } },
      ],
    });
    expect(sub.creditEntitlements).toEqual([{ currencyId: 'ai-credits', amount: 50000, cadence: 'MONTH' }]);
    const calls = await h.allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' });
    expect(calls.usageLimit).toBe(5000);
    const credits = await h.allot.getCreditEntitlement({ customerId: 'acme', currencyId: 'ai-credits' });
    expect(credits.currentBalance).toBe(50000);
    expect(
      await errorCode(
        provision({ entitlements: [{ credit: { customCurrencyId: 'gold', amount: 1, cadence: 'MONTH' } }] }),
      ),
    ).toBe('CURRENCY_NOT_FOUND');
  });

  it('takes subscriptionEntitlements in the SDK form, with a reset configuration per period', async () => {
    await provision({
      subscriptionEntitlements: [
        {
          featureId: 'api-calls',
          usageLimit: 7000,
          resetPeriod: 'MONTH',
          monthlyResetPeriodConfiguration: { accordingTo: 'StartOfTheMonth' },
          description: 'a custom deal',
        },
      ],
    });
    const calls = await h.allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' });
    expect(calls).toMatchObject({ usageLimit: 7000, usagePeriodStart: new Date('2025-01-01T00:00:00Z') });
  });

  it('estimates with trialOverrideConfiguration as provisioning would apply it', async () => {
    const base = { customerId: 'acme', planId: 'basic' } as const;
    expect((await h.allot.estimateSubscription(base)).total).toEqual({ amount: 10, currency: 'USD' });
    const trial = await h.allot.estimateSubscription({
      ...base,
      trialOverrideConfiguration: { isTrial: true, trialEndDate: '2025-02-10T10:00:00Z' },
    });
    expect(trial.total).toEqual({ amount: 0, currency: 'USD' });
    expect(trial.billingPeriodRange.start).toEqual(new Date('2025-02-10T10:00:00Z'));
  });

  it('accepts prorate and awaitSubscriptionCancellation on cancellation', async () => {
    const sub = await provision({});
    const canceled = await h.allot.cancelSubscription({
      subscriptionId: sub.id,
      prorate: true,
      awaitSubscriptionCancellation: true,
    });
    expect(canceled.status).toBe('CANCELED');
  });

  it('lists active subscriptions with their prices and totalPrice, as the reference', async () => {
    await provision({ billingPeriod: 'ANNUALLY' });
    const [item] = await h.allot.getActiveSubscriptionsList({ customerId: 'acme' });
    expect(item?.prices).toEqual([
      { billingModel: 'FLAT_FEE', price: { billingPeriod: 'ANNUALLY', price: { amount: 100, currency: 'USD' } } },
    ]);
    expect(item?.totalPrice).toEqual({
      subTotal: { amount: 100, currency: 'USD' },
      total: { amount: 100, currency: 'USD' },
    });
  });

  it('still refuses fields the SDK does not know', async () => {
    expect(await errorCode(provision({ couponCode: 'x' }))).toBe('INVALID_INPUT');
    expect(await errorCode(provision({ billingInformation: { vat: 1 } }))).toBe('INVALID_INPUT');
    expect(await errorCode(provision({ priceOverrides: [{ amount: 1 }] }))).toBe('INVALID_INPUT');
    const sub = await provision({});
    expect(await errorCode(h.allot.updateSubscription({ subscriptionId: sub.id, checkoutOptions: {} } as never))).toBe(
      'INVALID_INPUT',
    );
    expect(await errorCode(h.allot.cancelSubscription({ subscriptionId: sub.id, refund: true } as never))).toBe(
      'INVALID_INPUT',
    );
  });
});

describe.each(stores)('SDK inputs of credits ($name)', (fixture) => {
  let h: Harness;
  const pool = { customerId: 'acme', currencyId: 'ai-credits' };
  beforeEach(async () => {
    h = await harness(fixture, { catalog });
    await h.allot.provisionCustomer({ customerId: 'acme' });
  });
  afterEach(() => h.close());

  it('saves auto-recharge in the SDK’s and the docs’ spellings, defaulting thresholdType and ignoring environmentId', async () => {
    const saved = await h.allot.saveAutomaticRechargeConfiguration({
      ...pool,
      environmentId: 'env-production',
      isEnabled: true,
      thresholdValue: 50,
      targetBalance: 100,
      grantExpirationPeriod: 'OneMonth',
    });
    expect(saved).toMatchObject({ thresholdType: 'CREDIT_AMOUNT', grantExpirationPeriod: 'ONE_MONTH' });
    for (const [thresholdType, grantExpirationPeriod, period] of [
      ['CreditAmount', 'OneYear', 'ONE_YEAR'],
      ['DOLLAR_AMOUNT', 'MONTH', 'ONE_MONTH'],
      ['DollarAmount', 'SixMonths', 'SIX_MONTHS'],
    ] as const) {
      const s = await h.allot.saveAutoRechargeSettings({
        ...pool,
        isEnabled: true,
        thresholdType,
        grantExpirationPeriod,
      });
      expect(s.thresholdType).toBe(
        thresholdType.toUpperCase().startsWith('CREDIT') ? 'CREDIT_AMOUNT' : 'DOLLAR_AMOUNT',
      );
      expect(s.grantExpirationPeriod).toBe(period);
    }
    expect(
      await errorCode(
        h.allot.saveAutoRechargeSettings({ ...pool, isEnabled: true, grantExpirationPeriod: 'TWO_MONTHS' } as never),
      ),
    ).toBe('INVALID_INPUT');
    const read = await h.allot.getAutomaticRechargeConfiguration({ ...pool, environmentId: 'env-production' });
    expect(read?.thresholdType).toBe('DOLLAR_AMOUNT');
  });

  it('keeps saved values a later save leaves out, and needs the threshold and target on the first save', async () => {
    expect(await errorCode(h.allot.saveAutomaticRechargeConfiguration({ ...pool, isEnabled: true }))).toBe(
      'INVALID_INPUT',
    );
    await h.allot.saveAutomaticRechargeConfiguration({
      ...pool,
      isEnabled: true,
      thresholdValue: 50,
      targetBalance: 100,
      maxSpendLimit: 250,
    });
    const disabled = await h.allot.saveAutomaticRechargeConfiguration({ ...pool, isEnabled: false });
    expect(disabled).toMatchObject({ isEnabled: false, thresholdValue: 50, targetBalance: 100, maxSpendLimit: 250 });
    const unlimited = await h.allot.saveAutomaticRechargeConfiguration({
      ...pool,
      isEnabled: true,
      maxSpendLimit: null,
    });
    expect(unlimited.maxSpendLimit).toBeNull();
  });

  it('stamps auto-recharge settings with createdAt on the first save and updatedAt on each', async () => {
    const first = await h.allot.saveAutomaticRechargeConfiguration({
      ...pool,
      isEnabled: true,
      thresholdValue: 50,
      targetBalance: 100,
    });
    const created = new Date(h.clock.now());
    expect(first).toMatchObject({ createdAt: created, updatedAt: created });
    h.clock.advance({ hours: 5 });
    const second = await h.allot.saveAutomaticRechargeConfiguration({ ...pool, isEnabled: false });
    expect(second).toMatchObject({ createdAt: created, updatedAt: new Date(h.clock.now()) });
    expect(await h.allot.getAutomaticRechargeConfiguration(pool)).toMatchObject({
      createdAt: created,
      updatedAt: new Date(h.clock.now()),
    });
  });

  it('merges additionalMetaData into a grant’s metadata and accepts its payment fields', async () => {
    const grant = await h.allot.grantCredits({
      ...pool,
      amount: 10,
      displayName: 'Top-up',
      additionalMetaData: { source: 'sdk' },
      metadata: { team: 'eng' },
      paymentCollectionMethod: 'CHARGE',
      awaitPaymentConfirmation: true,
      billingInformation: { isInvoicePaid: true, invoiceDaysUntilDue: 30, billingAddress: { country: 'US' } },
    });
    expect(grant.metadata).toEqual({ source: 'sdk', team: 'eng' });
  });

  it('pages grants and the ledger backwards with last and before, as well as forwards', async () => {
    for (let i = 1; i <= 5; i++) await h.allot.grantCredits({ ...pool, amount: i, displayName: `g${i}` });
    const all = await h.allot.getCreditGrants({ customerId: 'acme' });
    const tail = await h.allot.getCreditGrants({ customerId: 'acme', paging: { last: 2 } });
    expect(tail.data.map((g) => g.displayName)).toEqual(all.data.slice(3).map((g) => g.displayName));
    expect(tail.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const previous = await h.allot.getCreditGrants({
      customerId: 'acme',
      paging: { last: 2, before: tail.pageInfo.startCursor ?? '' },
    });
    expect(previous.data.map((g) => g.id)).toEqual(all.data.slice(1, 3).map((g) => g.id));
    expect(previous.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

    const ledger = await h.allot.getCreditLedger({ customerId: 'acme' });
    const amounts = ledger.data.map((e) => e.amount);
    expect(amounts).toEqual([1, 2, 3, 4, 5]);
    const last = await h.allot.getCreditLedger({ customerId: 'acme', paging: { last: 2 } });
    expect(last.data.map((e) => e.amount)).toEqual([4, 5]);
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const earlier = await h.allot.getCreditLedger({
      customerId: 'acme',
      paging: { last: 2, before: last.pageInfo.startCursor ?? '' },
    });
    expect(earlier.data.map((e) => e.amount)).toEqual([2, 3]);
    expect(earlier.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const between = await h.allot.getCreditLedger({
      customerId: 'acme',
      paging: { after: ledger.pageInfo.startCursor ?? '', before: last.pageInfo.endCursor ?? '', first: 10 },
    });
    expect(between.data.map((e) => e.amount)).toEqual([2, 3, 4]);
  });

  it('pages the credit usage series', async () => {
    const catalogWithCalls = {
      ...catalog,
      features: [
        ...catalog.features,
        {
          id: 'calls-a',
          featureType: 'NUMBER',
          meterType: 'Incremental',
          creditRate: { currencyId: 'ai-credits', creditsPerUnit: 1 },
        },
        {
          id: 'calls-b',
          featureType: 'NUMBER',
          meterType: 'Incremental',
          creditRate: { currencyId: 'ai-credits', creditsPerUnit: 1 },
        },
      ],
    } as CatalogInput;
    const g = await harness(fixture, { catalog: catalogWithCalls });
    try {
      await g.allot.provisionCustomer({ customerId: 'acme' });
      await g.allot.grantCredits({ ...pool, amount: 100, displayName: 'g' });
      for (const featureId of ['calls-a', 'calls-b'])
        await g.allot.consumeCredits({ ...pool, amount: 2, idempotencyKey: featureId, featureId });
      const all = await g.allot.getCreditUsage({ customerId: 'acme', timeRange: 'LAST_DAY' });
      expect(all.series.map((x) => x.featureId)).toEqual(['calls-a', 'calls-b']);
      expect(all.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
      const first = await g.allot.getCreditUsage({ customerId: 'acme', timeRange: 'LAST_DAY', paging: { first: 1 } });
      expect(first.series.map((x) => x.featureId)).toEqual(['calls-a']);
      const next = await g.allot.getCreditUsage({
        customerId: 'acme',
        timeRange: 'LAST_DAY',
        paging: { first: 1, after: first.pageInfo.endCursor ?? '' },
      });
      expect(next.series.map((x) => x.featureId)).toEqual(['calls-b']);
      expect(next.pageInfo.hasNextPage).toBe(false);
    } finally {
      await g.close();
    }
  });

  it('answers getCreditBalance without a currencyId for the catalog’s only currency', async () => {
    await h.allot.grantCredits({ ...pool, amount: 12, displayName: 'Top-up' });
    expect(await h.allot.getCreditBalance({ customerId: 'acme' })).toEqual(await h.allot.getCreditEntitlement(pool));
    expect(await errorCode(h.allot.getCreditBalance({ customerId: 'acme', currency: 'x' } as never))).toBe(
      'INVALID_INPUT',
    );
  });

  it('accepts createdAt on consumeCredits and takes the credits when called', async () => {
    await h.allot.grantCredits({ ...pool, amount: 10, displayName: 'Top-up' });
    const consumed = await h.allot.consumeCredits({
      ...pool,
      amount: 4,
      idempotencyKey: 'k1',
      createdAt: new Date('2024-01-01T00:00:00Z'),
    });
    expect(consumed.timestamp).toEqual(new Date(h.clock.now()));
    expect((await h.allot.getCreditEntitlement(pool)).currentBalance).toBe(6);
    expect(await errorCode(h.allot.consumeCredits({ ...pool, amount: 1, idempotencyKey: 'k2', at: 1 } as never))).toBe(
      'INVALID_INPUT',
    );
  });
});
