import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogInput } from '../../src/index.js';
import { errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });

/** A plan with a flat fee, fractional storage, capped calls and a percentage price on payments. */
const catalog = {
  features: [
    { id: 'storage', featureType: 'NUMBER', meterType: 'Fluctuating' },
    { id: 'seats', featureType: 'NUMBER', meterType: 'Fluctuating' },
    { id: 'calls', featureType: 'NUMBER', meterType: 'Incremental' },
    { id: 'payments', featureType: 'NUMBER', meterType: 'Incremental' },
  ],
  products: [{ id: 'app' }],
  plans: [
    {
      id: 'pro',
      productId: 'app',
      pricingType: 'PAID',
      prices: [
        { billingPeriod: 'MONTHLY', currency: 'USD', amount: '20' },
        {
          billingPeriod: 'MONTHLY',
          currency: 'USD',
          billingModel: 'PER_UNIT',
          featureId: 'storage',
          amount: '0.2',
          fractionalQuantity: true,
        },
        { billingPeriod: 'MONTHLY', currency: 'USD', billingModel: 'PER_UNIT', featureId: 'seats', amount: '5' },
        {
          billingPeriod: 'MONTHLY',
          currency: 'USD',
          billingModel: 'USAGE_BASED',
          featureId: 'calls',
          amount: '0.01',
          maximumAmount: '50',
        },
        {
          billingPeriod: 'MONTHLY',
          currency: 'USD',
          billingModel: 'USAGE_BASED',
          featureId: 'payments',
          percentage: { rate: '2.9', fixedFeePerTransaction: '0.30' },
        },
      ],
      usageThresholds: [{ amount: '10' }, { amount: '25', recurring: true }],
    },
  ],
} satisfies CatalogInput;

describe.each(stores)('estimate lines ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture, { catalog });
    await h.allot.provisionCustomer({ customerId: 'acme' });
  });
  afterEach(() => h.close());

  it('shows every charge of the period, prices the usage given there only, and the thresholds it reaches', async () => {
    const e = await h.allot.estimateSubscription({
      customerId: 'acme',
      planId: 'pro',
      billableFeatures: [{ featureId: 'storage', quantity: 2.5 }],
      usage: [
        { featureId: 'calls', quantity: 1000 },
        { featureId: 'payments', transactions: [100, 50] },
      ],
      billingInformation: { taxPercentage: 10 },
    });
    // Due now: the flat fee and 2.5 GB of storage, taxed; usage is billed in arrears.
    expect([e.subTotal, e.tax, e.total]).toEqual([usd(20.5), usd(2.05), usd(22.55)]);
    const { lines } = e.subscription;
    expect(lines.map((l) => [l.featureId ?? 'base', l.charge, l.amount.amount, l.tax.amount, l.total.amount])).toEqual([
      ['base', 'UPFRONT', 20, 2, 22],
      ['storage', 'UPFRONT', 0.5, 0.05, 0.55],
      ['seats', 'UPFRONT', 0, 0, 0],
      ['calls', 'IN_ARREARS', 10, 1, 11],
      ['payments', 'IN_ARREARS', 4.95, 0.5, 5.45],
    ]);
    expect(lines[1]).toMatchObject({ quantity: 2.5, unitPrice: usd(0.2), billedUnits: 2.5, rounding: usd(0) });
    expect(lines[4]).toMatchObject({
      usage: 2,
      percentage: {
        transactions: 2,
        freeTransactions: 0,
        paidAmount: usd(150),
        rateAmount: usd(4.35),
        fixedFees: usd(0.6),
      },
    });
    expect([e.subscription.subTotal, e.subscription.tax, e.subscription.total]).toEqual([
      usd(35.45),
      usd(3.55),
      usd(39),
    ]);
    expect(e.subscription.priceRounding).toBe('PER_LINE');
    expect(e.progressiveBilling).toEqual([
      { amount: usd(10), recurring: false, reached: true, completionRatio: 1, timesReached: 1 },
      { amount: usd(35), recurring: true, reached: false, completionRatio: 0.198, timesReached: 0 },
    ]);
  });

  it('caps the calls at their maximum and says how much it took off', async () => {
    const e = await h.allot.estimateSubscription({
      customerId: 'acme',
      planId: 'pro',
      usage: [{ featureId: 'calls', quantity: 8000 }],
    });
    expect(e.subscription.lines.find((l) => l.featureId === 'calls')).toMatchObject({
      amount: usd(50),
      aboveMaximum: usd(30),
    });
  });

  it('prices the usage given to an update estimate', async () => {
    const { subscription } = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro' });
    const e = await h.allot.estimateSubscriptionUpdate({
      subscriptionId: subscription.id,
      billableFeatures: [{ featureId: 'seats', quantity: 1 }],
      usage: [{ featureId: 'calls', quantity: 100 }],
    });
    expect(e.subscription.subTotal).toEqual(usd(26));
    // At the period's start: the base fee is credited and debited whole, the seat debited whole.
    expect(e.proration?.lines).toEqual([
      { kind: 'PLAN', id: 'pro', credit: usd(-20), debit: usd(20) },
      { kind: 'PLAN', id: 'pro', featureId: 'seats', credit: usd(0), debit: usd(5) },
    ]);
    expect(e.total).toEqual(usd(5));
  });

  it('refuses a fractional quantity the price does not take, and usage it cannot price', async () => {
    const estimate = (extra: object) => h.allot.estimateSubscription({ customerId: 'acme', planId: 'pro', ...extra });
    expect(await errorCode(estimate({ billableFeatures: [{ featureId: 'seats', quantity: 1.5 }] }))).toBe(
      'INVALID_INPUT',
    );
    expect(await errorCode(estimate({ usage: [{ featureId: 'seats', quantity: 1 }] }))).toBe('INVALID_INPUT');
    expect(await errorCode(estimate({ usage: [{ featureId: 'calls', quantity: -1 }] }))).toBe('INVALID_INPUT');
    expect(await errorCode(estimate({ usage: [{ featureId: 'calls' }] }))).toBe('INVALID_INPUT');
    expect(
      await errorCode(
        h.allot.provisionSubscription({
          customerId: 'acme',
          planId: 'pro',
          billableFeatures: [{ featureId: 'storage', quantity: 1.5 }],
        }),
      ),
    ).toBe('INVALID_INPUT');
  });

  it('rounds only the totals when the catalog says TOTAL', async () => {
    const other = await h.reopen({ catalog: { ...catalog, priceRounding: 'TOTAL' } });
    const e = await other.estimateSubscription({
      customerId: 'acme',
      planId: 'pro',
      billableFeatures: [{ featureId: 'storage', quantity: 0.333 }],
    });
    expect(e.subscription.priceRounding).toBe('TOTAL');
    expect(e.subscription.lines[1]?.amount).toEqual(usd(0.0666));
    expect(e.subTotal).toEqual(usd(20.07));
  });
});
