// The lines, usage, carried coupons and progressive billing thresholds of subscription previews.
import { describe, expect, it } from 'vitest';
import { Decimal, minorUnits } from '../../src/money/money.js';
import type { PricingSelection } from '../../src/pricing/pricing-selection.js';
import { recurringCharge } from '../../src/pricing/recurring-charge.js';
import { subscriptionPreview } from '../../src/pricing/subscription-preview.js';
import { at, CURRENCIES, couponOf, expectAllotError, fc, num, priceOf } from './helpers.js';
import { planVersion, selectionFor } from './pricing-catalog.js';

const JAN1 = at('2025-01-01T00:00:00Z');
const calls = priceOf({ billingModel: 'USAGE_BASED', featureId: 'calls', amount: '0.01' });
const metered = (thresholds?: { amount: string; recurring?: boolean }[]): PricingSelection => {
  const plan = { ...planVersion('metered', [priceOf({ amount: '20' }), calls]), usageThresholds: thresholds };
  return selectionFor(plan);
};

describe('subscriptionPreview usage and lines', () => {
  it('prices the usage given in the period, never in what is due now', () => {
    const p = subscriptionPreview({
      next: { ...metered(), usage: [{ featureId: 'calls', quantity: 1500 }] },
      startDate: JAN1,
    });
    expect([p.total.amount, p.subscription.total.amount]).toEqual([20, 35]);
    expect(p.subscription.lines.map((l) => [l.charge, num(l.amount), l.usage?.toNumber()])).toEqual([
      ['UPFRONT', 20, undefined],
      ['IN_ARREARS', 15, 1500],
    ]);
  });

  it('shows the plan thresholds against the usage charged (Lago progressive billing)', () => {
    const next = {
      ...metered([{ amount: '10' }, { amount: '5', recurring: true }]),
      usage: [{ featureId: 'calls', quantity: 1700 }],
    };
    const p = subscriptionPreview({ next, startDate: JAN1 });
    expect(
      p.progressiveBilling?.map((t) => [t.amount.toNumber(), t.timesReached, t.completionRatio.toNumber()]),
    ).toEqual([
      [10, 1, 1],
      [20, 1, 0.4],
    ]);
    expect(subscriptionPreview({ next: metered(), startDate: JAN1 }).progressiveBilling).toBeUndefined();
  });

  it('refuses usage of a feature no usage-based price charges, or listed twice', () => {
    expectAllotError(
      () =>
        subscriptionPreview({ next: { ...metered(), usage: [{ featureId: 'seats', quantity: 1 }] }, startDate: JAN1 }),
      'INVALID_INPUT',
    );
    const twice = [
      { featureId: 'calls', quantity: 1 },
      { featureId: 'calls', quantity: 2 },
    ];
    expectAllotError(
      () => subscriptionPreview({ next: { ...metered(), usage: twice }, startDate: JAN1 }),
      'INVALID_INPUT',
    );
  });

  it('names each prorated line by its charge', () => {
    const from = selectionFor(planVersion('a', [priceOf({ amount: '10' })]));
    const to = selectionFor(planVersion('b', [priceOf({ amount: '20' })]));
    const p = subscriptionPreview({
      current: { ...from, billingAnchor: JAN1 },
      next: to,
      startDate: at('2025-01-16T12:00:00Z'),
    });
    expect(p.proration?.lines).toEqual([
      {
        kind: 'PLAN',
        id: 'a',
        featureId: undefined,
        credit: { amount: -5, currency: 'USD' },
        debit: { amount: 0, currency: 'USD' },
      },
      {
        kind: 'PLAN',
        id: 'b',
        featureId: undefined,
        credit: { amount: 0, currency: 'USD' },
        debit: { amount: 10, currency: 'USD' },
      },
    ]);
  });

  it('rounds at the total when asked', () => {
    const plan = planVersion('thirds', [
      priceOf({ amount: '0.335' }),
      priceOf({ billingModel: 'PER_UNIT', featureId: 'a', amount: '0.335' }),
      priceOf({ billingModel: 'PER_UNIT', featureId: 'b', amount: '0.335' }),
    ]);
    const next = {
      ...selectionFor(plan),
      billableFeatures: [
        { featureId: 'a', quantity: 1 },
        { featureId: 'b', quantity: 1 },
      ],
    };
    expect(subscriptionPreview({ next, startDate: JAN1 }).total.amount).toBe(1.02);
    const total = subscriptionPreview({ next, startDate: JAN1, priceRounding: 'TOTAL' });
    expect([total.total.amount, total.subscription.priceRounding]).toEqual([1.01, 'TOTAL']);
  });
});

describe('coupons that carry their remainder, across periods', () => {
  // A ONCE coupon of 30 on a 20-a-month plan, as Lago applies a `once` fixed-amount coupon: 20 off
  // the first month, the remaining 10 off the second, nothing after.
  const carry = couponOf({
    type: 'FIXED',
    percentOff: undefined,
    durationType: 'ONCE',
    carryRemainder: true,
    amountsOff: [{ amount: '30', currency: 'USD' }],
  });
  const plan = selectionFor(planVersion('twenty', [priceOf({ amount: '20' })]));

  it('recurringCharge discounts each period by what is left', () => {
    expect([0, 1, 2].map((periodIndex) => num(recurringCharge(plan, { coupon: carry, periodIndex }).total))).toEqual([
      0, 10, 20,
    ]);
  });

  it('a preview of a later period applies what the earlier ones left', () => {
    const month = (iso: string) =>
      subscriptionPreview({
        next: { ...plan, coupon: carry, couponStartsAt: JAN1 },
        startDate: at(iso),
        billingAnchor: at(iso),
      });
    expect(month('2025-01-01T00:00:00Z').total.amount).toBe(0);
    expect(month('2025-02-01T00:00:00Z').total.amount).toBe(10);
    const march = month('2025-03-01T00:00:00Z');
    expect([march.total.amount, march.discount]).toEqual([20, undefined]);
  });
});

describe('properties', () => {
  const cents = fc.integer({ min: 0, max: 100_000 }).map((n) => new Decimal(n).div(100).toString());
  it("the period's lines add up to its totals, usage included, in any currency", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CURRENCIES),
        cents,
        cents,
        fc.integer({ min: 0, max: 100_000 }),
        fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
        (currency, base, rate, usage, taxPercentage) => {
          const plan = planVersion('p', [
            priceOf({ amount: base, currency }),
            priceOf({ billingModel: 'USAGE_BASED', featureId: 'calls', amount: rate, currency }),
          ]);
          const p = subscriptionPreview({
            next: { ...selectionFor(plan), usage: [{ featureId: 'calls', quantity: usage }] },
            startDate: JAN1,
            taxPercentage,
          });
          const s = p.subscription;
          const sum = (pick: (l: (typeof s.lines)[number]) => Decimal) =>
            s.lines.reduce((acc, l) => acc.plus(pick(l)), new Decimal(0)).toFixed(minorUnits(currency));
          expect(sum((l) => l.amount.amount)).toBe(new Decimal(s.subTotal.amount).toFixed(minorUnits(currency)));
          expect(sum((l) => l.tax.amount)).toBe(new Decimal(s.tax.amount).toFixed(minorUnits(currency)));
          expect(sum((l) => l.total.amount)).toBe(new Decimal(s.total.amount).toFixed(minorUnits(currency)));
        },
      ),
    );
  });
});
