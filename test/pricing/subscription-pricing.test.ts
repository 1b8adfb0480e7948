import { describe, expect, it } from 'vitest';
import type { Coupon } from '../../src/catalog/coupon-schema.js';
import { billingCycleDayAnchor } from '../../src/core/billing-cycle-day.js';
import { addMonthsUtc } from '../../src/core/reset-period.js';
import type { BillingPeriod } from '../../src/model/enums.js';
import { Decimal, minorUnits } from '../../src/money/money.js';
import { catalogCurrency } from '../../src/pricing/catalog-currency.js';
import { couponAppliesToPeriodIndex } from '../../src/pricing/discount.js';
import type { PricingSelection } from '../../src/pricing/pricing-selection.js';
import { recurringCharge } from '../../src/pricing/recurring-charge.js';
import {
  type PreviewSelection,
  type SubscriptionPreview,
  type SubscriptionPreviewInput,
  subscriptionPreview,
} from '../../src/pricing/subscription-preview.js';
import { subscriptionPrices } from '../../src/pricing/subscription-prices.js';
import { billingPeriodRange } from '../../src/proration/billing-period.js';
import { ProrationConvention, remainingShares } from '../../src/proration/remaining-fraction.js';
import { at, CURRENCIES, couponOf, expectAllotError, fc, num, priceOf } from './helpers.js';
import { CATALOG, planOf, planVersion, selectionFor, selectionOf } from './pricing-catalog.js';

const JAN = { start: at('2024-01-01T00:00:00Z'), end: at('2024-02-01T00:00:00Z') };
const HALFWAY = at('2024-01-16T12:00:00Z');
const half = couponOf({ id: 'half', percentOff: 50, durationType: 'REPEATING', durationInMonths: 3 });
const once = couponOf({ id: 'once', percentOff: 10, durationType: 'ONCE' });
const forever = couponOf({ id: 'forever', percentOff: 25 });
const fiveOff = couponOf({
  id: 'five',
  type: 'FIXED',
  percentOff: undefined,
  amountsOff: [{ amount: '5', currency: 'USD' }],
});

const flat = (amount: string, extra: Parameters<typeof priceOf>[0] = {}) =>
  planVersion(`flat-${amount}`, [priceOf({ amount, ...extra })]);
const amounts = (p: Pick<SubscriptionPreview, 'subTotal' | 'totalExcludingTax' | 'tax' | 'total'>) => [
  p.subTotal.amount,
  p.totalExcludingTax.amount,
  p.tax.amount,
  p.total.amount,
];
const change = (from: PreviewSelection, to: PreviewSelection, extra: Partial<SubscriptionPreviewInput> = {}) =>
  subscriptionPreview({
    current: { ...from, billingAnchor: JAN.start },
    next: to,
    startDate: HALFWAY,
    billingAnchor: JAN.start,
    ...extra,
  });

describe('recurringCharge', () => {
  it('adds the flat fee, per-unit seats and add-ons × quantity; usage is shown per unit, not charged', () => {
    const e = recurringCharge(
      selectionOf('pro', { billableFeatures: [{ featureId: 'seats', quantity: 3 }], addons: [['extra', 2]] }),
    );
    expect(e.lines.map((l) => [l.kind, l.id, l.billingModel, l.charge, num(l.amount)])).toEqual([
      ['PLAN', 'pro', 'FLAT_FEE', 'UPFRONT', 20],
      ['PLAN', 'pro', 'PER_UNIT', 'UPFRONT', 15],
      ['PLAN', 'pro', 'USAGE_BASED', 'IN_ARREARS', 0],
      ['ADDON', 'extra', 'FLAT_FEE', 'UPFRONT', 10],
    ]);
    expect(e.lines[2]?.unitPrice?.amount.toString()).toBe('0.0015');
    expect([num(e.subTotal), num(e.total), e.currency]).toEqual([45, 45, 'USD']);
  });

  it('charges a missing per-unit quantity as 0, raised to the price minimum', () => {
    expect(num(recurringCharge(selectionOf('pro')).subTotal)).toBe(20);
    // ANNUALLY seats have a minimum of 2: 200 + 2 × 50.
    expect(num(recurringCharge(selectionOf('pro', { billingPeriod: 'ANNUALLY' })).subTotal)).toBe(300);
  });

  it('prices a graduated tiered feature in JPY', () => {
    // 10 × 500 + 1000 flat, then 2 × 400.
    const e = recurringCharge(selectionOf('tiered', { billableFeatures: [{ featureId: 'seats', quantity: 12 }] }));
    expect([num(e.subTotal), e.currency]).toEqual([6800, 'JPY']);
  });

  it('applies a coupon only to the periods it covers', () => {
    const total = (coupon: Coupon, periodIndex: number, billingPeriod: BillingPeriod = 'MONTHLY') =>
      num(recurringCharge(selectionOf('plus', { billingPeriod }), { coupon, periodIndex }).total);
    // 7.495 off rounds half up to 7.50, leaving 7.49.
    expect([0, 1, 2, 3].map((i) => total(half, i))).toEqual([7.49, 7.49, 7.49, 14.99]);
    expect([0, 1].map((i) => total(once, i))).toEqual([13.49, 14.99]);
    expect(total(forever, 100)).toBe(11.24);
    expect(recurringCharge(selectionOf('plus'), { coupon: once, periodIndex: 1 }).discount).toBeUndefined();
    expect(couponAppliesToPeriodIndex(half, 'ANNUALLY', 0)).toBe(true);
    expect(couponAppliesToPeriodIndex(half, 'ANNUALLY', 1)).toBe(false);
    expectAllotError(() => couponAppliesToPeriodIndex(half, 'MONTHLY', -1), 'INVALID_INPUT');
    expectAllotError(() => couponAppliesToPeriodIndex(half, 'MONTHLY', 0.5), 'INVALID_INPUT');
  });

  it('adds exclusive tax, or extracts it from tax-inclusive prices', () => {
    const ex = recurringCharge(selectionOf('pro'), { taxPercentage: 17 });
    expect([num(ex.subTotal), num(ex.totalExcludingTax), num(ex.tax), num(ex.total)]).toEqual([20, 20, 3.4, 23.4]);
    expect(ex.taxDetails).toEqual({ displayName: 'Tax', inclusive: false, percentage: 17 });
    const inc = recurringCharge(selectionFor(flat('117', { taxInclusive: true })), { taxPercentage: 17 });
    expect([num(inc.subTotal), num(inc.totalExcludingTax), num(inc.tax), num(inc.total)]).toEqual([117, 100, 17, 117]);
    expect(inc.taxDetails?.inclusive).toBe(true);
  });

  it('rounds JPY to whole yen and KWD to 3 places', () => {
    const jpy = recurringCharge(selectionOf('solo'), {
      coupon: couponOf({ percentOff: 15 }),
      taxPercentage: 10,
    });
    // 999 − 149.85 → 150 off = 849; tax 84.9 → 85.
    expect([num(jpy.subTotal), num(jpy.totalExcludingTax), num(jpy.tax), num(jpy.total)]).toEqual([999, 849, 85, 934]);
    const kwd = recurringCharge(selectionOf('kwd'), { taxPercentage: 5 });
    // 12.345 × 5% = 0.61725 → 0.617.
    expect([num(kwd.tax), num(kwd.total), kwd.currency]).toEqual([0.617, 12.962, 'KWD']);
  });

  it('a FREE plan costs 0 in the given currency (USD by default); its add-ons are still charged', () => {
    const free = recurringCharge(selectionOf('free'));
    expect([num(free.total), free.currency, free.lines]).toEqual([0, 'USD', []]);
    expect(recurringCharge(selectionOf('free'), { currency: 'eur' }).currency).toBe('EUR');
    expect(num(recurringCharge(selectionOf('free', { addons: [['extra', 3]] })).total)).toBe(15);
    expect(num(recurringCharge(selectionOf('enterprise')).total)).toBe(0);
    // A FREE plan ignores whatever prices it lists.
    expect(num(recurringCharge(selectionFor(planVersion('f', [priceOf()], 'FREE'))).total)).toBe(0);
  });

  it("picks the currency of nothing from the catalog's first priced plan, else USD", () => {
    expect(catalogCurrency(CATALOG)).toBe('USD');
    // pro is the first priced plan and has no DE price: its default one counts.
    expect(catalogCurrency(CATALOG, 'de')).toBe('USD');
    expect(catalogCurrency({ plans: new Map([['basic', planOf('basic')]]) }, 'de')).toBe('EUR');
    expect(catalogCurrency({ plans: new Map([['free', planOf('free')]]) })).toBe('USD');
    expect(catalogCurrency({ plans: new Map() })).toBe('USD');
  });

  it('localizes prices by country, falling back to the default prices', () => {
    expect(recurringCharge(selectionOf('basic', { billingCountryCode: 'de' })).total.amount.toString()).toBe('9');
    expect(recurringCharge(selectionOf('basic', { billingCountryCode: 'de' })).currency).toBe('EUR');
    expect(num(recurringCharge(selectionOf('basic', { billingCountryCode: 'FR' })).total)).toBe(9.99);
  });

  it('throws PRICE_NOT_FOUND for a priced plan or add-on without a price for the period or country', () => {
    const plan = expectAllotError(() => recurringCharge(selectionOf('annual-only')), 'PRICE_NOT_FOUND');
    expect(plan.details).toEqual({ planId: 'annual-only', billingPeriod: 'MONTHLY', billingCountryCode: null });
    const country = expectAllotError(
      () => recurringCharge(selectionOf('de-only', { billingCountryCode: 'FR' })),
      'PRICE_NOT_FOUND',
    );
    expect(country.details).toEqual({ planId: 'de-only', billingPeriod: 'MONTHLY', billingCountryCode: 'FR' });
    const addon = expectAllotError(
      () => recurringCharge(selectionOf('pro', { addons: [['eu-only', 1]] })),
      'PRICE_NOT_FOUND',
    );
    expect(addon.details).toEqual({ addonId: 'eu-only', billingPeriod: 'MONTHLY', billingCountryCode: null });
  });

  it('refuses bad quantities, repeated items and mixed currencies as INVALID_INPUT', () => {
    const seats = (quantity: number) => selectionOf('pro', { billableFeatures: [{ featureId: 'seats', quantity }] });
    expectAllotError(() => recurringCharge(seats(-1)), 'INVALID_INPUT');
    expectAllotError(() => recurringCharge(seats(1.5)), 'INVALID_INPUT');
    expectAllotError(() => recurringCharge(selectionOf('pro', { addons: [['extra', 0]] })), 'INVALID_INPUT');
    expectAllotError(
      () =>
        recurringCharge(
          selectionOf('pro', {
            billableFeatures: [
              { featureId: 'seats', quantity: 1 },
              { featureId: 'seats', quantity: 2 },
            ],
          }),
        ),
      'INVALID_INPUT',
    );
    expectAllotError(
      () =>
        recurringCharge(
          selectionOf('pro', {
            addons: [
              ['extra', 1],
              ['extra', 1],
            ],
          }),
        ),
      'INVALID_INPUT',
    );
    // DE localizes basic in EUR, but the add-on only has a USD price.
    expectAllotError(
      () => recurringCharge(selectionOf('basic', { billingCountryCode: 'DE', addons: [['extra', 1]] })),
      'INVALID_INPUT',
    );
    expectAllotError(() => recurringCharge(selectionOf('basic', { billingCountryCode: 'DEU' })), 'INVALID_INPUT');
    expectAllotError(
      () => recurringCharge(selectionOf('basic', { billingPeriod: 'WEEKLY' as BillingPeriod })),
      'INVALID_INPUT',
    );
  });
});

describe('subscriptionPrices', () => {
  it("lists the plan's and add-ons' prices and the recurring total after discount and tax", () => {
    const s = subscriptionPrices(
      selectionOf('pro', { billableFeatures: [{ featureId: 'seats', quantity: 2 }], addons: [['extra', 1]] }),
      { coupon: half, taxPercentage: 10 },
    );
    expect(s.prices).toEqual([
      { billingModel: 'FLAT_FEE', billingPeriod: 'MONTHLY', price: { amount: 20, currency: 'USD' } },
      {
        billingModel: 'PER_UNIT',
        billingPeriod: 'MONTHLY',
        price: { amount: 5, currency: 'USD' },
        featureId: 'seats',
      },
      {
        billingModel: 'USAGE_BASED',
        billingPeriod: 'MONTHLY',
        price: { amount: 0.0015, currency: 'USD' },
        featureId: 'api-calls',
      },
      {
        billingModel: 'FLAT_FEE',
        billingPeriod: 'MONTHLY',
        price: { amount: 5, currency: 'USD' },
        addonId: 'extra',
      },
    ]);
    // 35 − 17.5 = 17.5, + 1.75 tax.
    expect(s.totalPrice).toEqual({
      subTotal: { amount: 35, currency: 'USD' },
      total: { amount: 19.25, currency: 'USD' },
    });
  });

  it('shows a tiered price by its first tier, with its tiers in amounts', () => {
    const [price] = subscriptionPrices(selectionOf('tiered')).prices;
    expect(price).toEqual({
      billingModel: 'PER_UNIT',
      billingPeriod: 'MONTHLY',
      price: { amount: 500, currency: 'JPY' },
      featureId: 'seats',
      tiersMode: 'GRADUATED',
      tiers: [
        { upTo: 10, unitPrice: { amount: 500, currency: 'JPY' }, flatPrice: { amount: 1000, currency: 'JPY' } },
        { unitPrice: { amount: 400, currency: 'JPY' } },
      ],
    });
  });

  it('shows a localized price with its country', () => {
    const s = subscriptionPrices(selectionOf('basic', { billingCountryCode: 'DE' }));
    expect(s.prices[0]).toMatchObject({ billingCountryCode: 'DE', price: { amount: 9, currency: 'EUR' } });
    expect(s.totalPrice.total).toEqual({ amount: 9, currency: 'EUR' });
  });
});

describe('subscriptionPreview: new subscriptions', () => {
  it("matches the reference's new subscription: 20 a month, 50% off for 3 months", () => {
    const start = at('2022-10-26T00:00:00Z');
    const p = subscriptionPreview({
      next: { ...flatSelection('20'), coupon: half },
      startDate: start,
      billingAnchor: start,
    });
    expect(p.subscription).toMatchObject({
      total: { amount: 10, currency: 'USD' },
      totalExcludingTax: { amount: 10, currency: 'USD' },
      subTotal: { amount: 20, currency: 'USD' },
      tax: { amount: 0, currency: 'USD' },
      discountAmount: { amount: 10, currency: 'USD' },
    });
    expect(p.discountAmount).toEqual({ amount: 10, currency: 'USD' });
    expect(amounts(p)).toEqual([20, 10, 0, 10]);
    expect(p.discount).toEqual({ type: 'PERCENTAGE', value: 50, durationType: 'REPEATING', durationInMonths: 3 });
    expect(p.billingPeriodRange).toEqual({ start, end: at('2022-11-26T00:00:00Z') });
    expect(p.proration).toBeUndefined();
    expect(p.taxDetails).toBeUndefined();
  });

  it('in a trial nothing is due; the range and the subscription are the first paid period', () => {
    const trialEnd = JAN.start + 14 * 86_400_000;
    const p = subscriptionPreview({
      next: { ...selectionOf('pro'), coupon: once },
      startDate: JAN.start,
      billingAnchor: trialEnd,
      inTrial: true,
      taxPercentage: 10,
    });
    expect(amounts(p)).toEqual([0, 0, 0, 0]);
    expect(p.billingPeriodRange).toEqual({ start: trialEnd, end: addMonthsUtc(trialEnd, 1) });
    // The ONCE coupon is kept for the first paid period.
    expect(amounts(p.subscription)).toEqual([20, 18, 1.8, 19.8]);
    expect(p.discount?.durationType).toBe('ONCE');
    expect(p.proration).toBeUndefined();
  });

  it('prorates a first period that starts after its anchor', () => {
    const p = subscriptionPreview({ next: flatSelection('20'), startDate: HALFWAY, billingAnchor: JAN.start });
    expect(p.proration).toMatchObject({
      prorationDate: HALFWAY,
      credit: { amount: 0, currency: 'USD' },
      debit: { amount: 10, currency: 'USD' },
      netAmount: { amount: 10, currency: 'USD' },
    });
    expect(amounts(p)).toEqual([10, 10, 0, 10]);
    expect(p.billingPeriodRange).toEqual(JAN);
    expect(amounts(p.subscription)).toEqual([20, 20, 0, 20]);
  });

  it('a FREE plan previews at 0 in the given currency', () => {
    const p = subscriptionPreview({
      next: selectionOf('free'),
      startDate: JAN.start,
      currency: 'EUR',
      taxPercentage: 20,
    });
    expect(amounts(p)).toEqual([0, 0, 0, 0]);
    expect(p.total.currency).toBe('EUR');
    expect(p.taxDetails).toEqual({ displayName: 'Tax', inclusive: false, percentage: 20 });
  });

  it('throws PRICE_NOT_FOUND for a paid plan without a price for the period', () => {
    expectAllotError(
      () => subscriptionPreview({ next: selectionOf('annual-only'), startDate: JAN.start }),
      'PRICE_NOT_FOUND',
    );
  });

  it('refuses an instant that is not a number', () => {
    expectAllotError(() => subscriptionPreview({ next: selectionOf('pro'), startDate: Number.NaN }), 'INVALID_INPUT');
  });
});

function flatSelection(amount: string, extra: Parameters<typeof priceOf>[0] = {}): PricingSelection {
  return selectionFor(flat(amount, extra));
}

describe('subscriptionPreview: changes', () => {
  it("matches the reference's update: 9.99 → 14.99 at the period start with 50% off nets 5, due 2.5", () => {
    const start = at('2022-10-26T00:00:00Z');
    const p = subscriptionPreview({
      current: { ...selectionOf('basic'), coupon: half, billingAnchor: start },
      next: { ...selectionOf('plus'), coupon: half },
      startDate: start,
    });
    expect(p.proration).toMatchObject({
      prorationDate: start,
      credit: { amount: -9.99, currency: 'USD' },
      debit: { amount: 14.99, currency: 'USD' },
      netAmount: { amount: 5, currency: 'USD' },
    });
    expect(amounts(p)).toEqual([5, 2.5, 0, 2.5]);
    expect(p.discount).toEqual({ type: 'PERCENTAGE', value: 50, durationType: 'REPEATING', durationInMonths: 3 });
    expect(p.billingPeriodRange).toEqual({ start, end: at('2022-11-26T00:00:00Z') });
    // Not prorated: 14.99 with half off (the 7.495 discount rounds half up to 7.50).
    expect(amounts(p.subscription)).toEqual([14.99, 7.49, 0, 7.49]);
  });

  it('monthly 10 replaced by 20 exactly halfway: credit -5, debit +10, net +5', () => {
    const p = change(flatSelection('10'), flatSelection('20'));
    expect([p.proration?.credit.amount, p.proration?.debit.amount, p.proration?.netAmount.amount]).toEqual([-5, 10, 5]);
    expect(amounts(p)).toEqual([5, 5, 0, 5]);
    expect(p.billingPeriodRange).toEqual(JAN);
    expect(amounts(p.subscription)).toEqual([20, 20, 0, 20]);
  });

  it('prorates line by line: seats added halfway debit half their price', () => {
    const seats = (quantity: number) => selectionOf('pro', { billableFeatures: [{ featureId: 'seats', quantity }] });
    const p = change(seats(1), seats(3));
    expect([p.proration?.credit.amount, p.proration?.debit.amount, p.subTotal.amount]).toEqual([-12.5, 17.5, 5]);
  });

  it('a downgrade nets a credit: negative subTotal and total', () => {
    const p = change(flatSelection('20'), flatSelection('10'));
    expect(amounts(p)).toEqual([-5, -5, 0, -5]);
  });

  it("a credit is shrunk by the current coupon's percentage, never enlarged by a fixed one", () => {
    const pct = change({ ...flatSelection('20'), coupon: half }, { ...flatSelection('10'), coupon: half });
    expect(amounts(pct)).toEqual([-5, -2.5, 0, -2.5]);
    expect(pct.discount?.value).toBe(50);
    const fixed = change({ ...flatSelection('20'), coupon: fiveOff }, { ...flatSelection('10'), coupon: fiveOff });
    expect(amounts(fixed)).toEqual([-5, -5, 0, -5]);
  });

  it('a fixed discount never takes a charge below zero', () => {
    const p = change(flatSelection('10'), { ...flatSelection('12'), coupon: fiveOff });
    // net 1, 5 off → 0.
    expect(amounts(p)).toEqual([1, 0, 0, 0]);
    expect(amounts(p.subscription)).toEqual([12, 7, 0, 7]);
  });

  it('taxes the net: exclusive on top, inclusive extracted, a credit refunds its tax', () => {
    const ex = change(flatSelection('10'), flatSelection('20'), { taxPercentage: 17 });
    expect(amounts(ex)).toEqual([5, 5, 0.85, 5.85]);
    const inc = change(flatSelection('10', { taxInclusive: true }), flatSelection('20', { taxInclusive: true }), {
      taxPercentage: 25,
    });
    expect(amounts(inc)).toEqual([5, 4, 1, 5]);
    expect(inc.taxDetails?.inclusive).toBe(true);
    const credit = change(flatSelection('20'), flatSelection('10'), { taxPercentage: 17 });
    expect(amounts(credit)).toEqual([-5, -5, -0.85, -5.85]);
    expectAllotError(
      () => change(flatSelection('10'), flatSelection('20', { taxInclusive: true }), { taxPercentage: 17 }),
      'INVALID_OPERATION',
    );
  });

  it('billingCycleAnchor NOW credits the unused part and charges a whole new period from the change', () => {
    const p = change(flatSelection('10'), flatSelection('20'), { billingCycleAnchor: 'NOW' });
    expect([p.proration?.credit.amount, p.proration?.debit.amount, p.subTotal.amount]).toEqual([-5, 20, 15]);
    expect(p.billingPeriodRange).toEqual({ start: HALFWAY, end: at('2024-02-16T12:00:00Z') });
  });

  it('a change of billing period starts a new period at the change', () => {
    const annual = selectionOf('basic', { billingPeriod: 'ANNUALLY' });
    const p = change(selectionOf('basic'), annual);
    expect(p.billingPeriodRange).toEqual({ start: HALFWAY, end: at('2025-01-16T12:00:00Z') });
    expect(p.proration?.debit.amount).toBe(99.99);
  });

  it('a ONCE coupon from an earlier period no longer discounts; one applied now does', () => {
    const prior = { ...selectionOf('plus'), coupon: once, couponStartsAt: at('2023-12-15T00:00:00Z') };
    const old = change(selectionOf('basic'), prior);
    expect(old.discount).toBeUndefined();
    expect(old.total.amount).toBe(2.5);
    const now = change(selectionOf('basic'), { ...selectionOf('plus'), coupon: once });
    expect(now.discount?.durationType).toBe('ONCE');
    expect(now.total.amount).toBe(2.25);
  });

  it('rounds JPY and KWD prorations to their minor units', () => {
    // A third of January (248 h of 744) has passed: two thirds remain.
    const third = { startDate: at('2024-01-11T08:00:00Z') };
    const jpy = change(flatSelection('1000', { currency: 'JPY' }), flatSelection('1500', { currency: 'JPY' }), third);
    expect([jpy.proration?.credit.amount, jpy.proration?.debit.amount, jpy.subTotal.amount]).toEqual([-667, 1000, 333]);
    const kwd = change(flatSelection('1', { currency: 'KWD' }), flatSelection('2', { currency: 'KWD' }));
    expect([kwd.proration?.credit.amount, kwd.proration?.debit.amount, kwd.subTotal.amount]).toEqual([-0.5, 1, 0.5]);
    const kwdThird = change(flatSelection('1', { currency: 'KWD' }), flatSelection('2', { currency: 'KWD' }), third);
    expect([kwdThird.proration?.credit.amount, kwdThird.proration?.debit.amount, kwdThird.subTotal.amount]).toEqual([
      -0.667, 1.333, 0.666,
    ]);
  });

  it('refuses a change outside the current billing period or across currencies', () => {
    expectAllotError(
      () => change(flatSelection('10'), flatSelection('20'), { startDate: JAN.start - 1 }),
      'INVALID_INPUT',
    );
    expectAllotError(() => change(flatSelection('10', { currency: 'EUR' }), flatSelection('20')), 'INVALID_INPUT');
  });
});

// Random plans with a flat fee and a per-unit seat price, in any currency and period.
const planArb = fc
  .record({
    currency: fc.constantFrom(...CURRENCIES),
    fee: fc.integer({ min: 0, max: 100_000 }),
    seat: fc.integer({ min: 0, max: 10_000 }),
    seats: fc.integer({ min: 0, max: 20 }),
  })
  .map(({ currency, fee, seat, seats }) => ({ currency, fee, seat, seats }));
const pairArb = fc
  .record({ a: planArb, b: planArb, period: fc.constantFrom<BillingPeriod>('MONTHLY', 'ANNUALLY') })
  .map(({ a, b, period }) => ({ a, b: { ...b, currency: a.currency }, period }));
const couponArb = fc.option(
  fc.oneof(
    fc.integer({ min: 1, max: 100 }).map((pct) => couponOf({ percentOff: pct })),
    fc
      .constantFrom(...CURRENCIES)
      .chain((c) =>
        fc
          .integer({ min: 1, max: 5_000 })
          .map((n) =>
            couponOf({ type: 'FIXED', percentOff: undefined, amountsOff: [{ amount: String(n / 100), currency: c }] }),
          ),
      ),
  ),
  { nil: undefined },
);

type Plan = { currency: string; fee: number; seat: number; seats: number };
function selection(p: Plan, id: string, period: BillingPeriod, inclusive = false): PricingSelection {
  const dp = minorUnits(p.currency);
  const str = (n: number) => new Decimal(n).div(10 ** dp).toFixed(dp);
  const prices = [
    priceOf({ billingPeriod: period, currency: p.currency, amount: str(p.fee), taxInclusive: inclusive }),
    priceOf({
      billingPeriod: period,
      currency: p.currency,
      amount: str(p.seat),
      billingModel: 'PER_UNIT',
      featureId: 'seats',
      taxInclusive: inclusive,
    }),
  ];
  return {
    ...selectionFor(planVersion(id, prices), period),
    billableFeatures: [{ featureId: 'seats', quantity: p.seats }],
  };
}
const anchorArb = fc.integer({ min: at('2020-01-01T00:00:00Z'), max: at('2030-01-01T00:00:00Z') });
const unit = (currency: string) => new Decimal(10).pow(-minorUnits(currency));
const dec = (a: { amount: number }) => new Decimal(a.amount);

describe('properties', () => {
  it('a change at the very start credits the whole old charge and debits the whole new one', () => {
    fc.assert(
      fc.property(pairArb, anchorArb, ({ a, b, period }, anchor) => {
        const from = selection(a, 'a', period);
        const to = selection(b, 'b', period);
        const p = subscriptionPreview({ current: { ...from, billingAnchor: anchor }, next: to, startDate: anchor });
        expect(p.proration?.credit.amount).toBe(-recurringCharge(from).subTotal.amount.toNumber() + 0);
        expect(p.proration?.debit.amount).toBe(recurringCharge(to).subTotal.amount.toNumber());
      }),
    );
  });

  it('a change at the very end credits and debits zero', () => {
    fc.assert(
      fc.property(pairArb, anchorArb, ({ a, b, period }, anchor) => {
        const from = selection(a, 'a', period);
        const end = billingPeriodRange(period, anchor, anchor).end;
        // The last millisecond of the period: under a billionth of it remains.
        const p = subscriptionPreview({
          current: { ...from, billingAnchor: anchor },
          next: selection(b, 'b', period),
          startDate: end - 1,
        });
        expect([p.proration?.credit.amount, p.proration?.debit.amount, p.total.amount]).toEqual([0, 0, 0]);
      }),
    );
  });

  it('upgrading and then immediately restoring nets to zero within one minor unit per line', () => {
    fc.assert(
      fc.property(pairArb, anchorArb, fc.double({ min: 0, max: 1, noNaN: true }), ({ a, b, period }, anchor, f) => {
        const from = selection(a, 'a', period);
        const to = selection(b, 'b', period);
        const range = billingPeriodRange(period, anchor, anchor);
        const t = range.start + Math.floor(f * (range.end - range.start - 1));
        const there = subscriptionPreview({ current: { ...from, billingAnchor: anchor }, next: to, startDate: t });
        const back = subscriptionPreview({ current: { ...to, billingAnchor: anchor }, next: from, startDate: t });
        const lines = 4;
        expect(dec(there.subTotal).plus(dec(back.subTotal)).abs().lte(unit(a.currency).times(lines))).toBe(true);
      }),
    );
  });

  it('every total is the sum of its rounded lines, on the minor-unit grid', () => {
    fc.assert(
      fc.property(
        pairArb,
        anchorArb,
        fc.double({ min: 0, max: 1, noNaN: true }),
        couponArb,
        fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
        fc.boolean(),
        fc.constantFrom<'UNCHANGED' | 'NOW'>('UNCHANGED', 'NOW'),
        ({ a, b, period }, anchor, f, coupon, taxPercentage, inclusive, billingCycleAnchor) => {
          const usable = coupon?.type !== 'FIXED' || coupon.amountsOff?.[0]?.currency === a.currency;
          const range = billingPeriodRange(period, anchor, anchor);
          const t = range.start + Math.floor(f * (range.end - range.start - 1));
          const p = subscriptionPreview({
            current: {
              ...selection(a, 'a', period, inclusive),
              billingAnchor: anchor,
              coupon: usable ? coupon : undefined,
            },
            next: { ...selection(b, 'b', period, inclusive), coupon: usable ? coupon : undefined },
            startDate: t,
            taxPercentage,
            billingCycleAnchor,
          });
          const grid = unit(a.currency);
          for (const x of [
            p.subTotal,
            p.totalExcludingTax,
            p.tax,
            p.total,
            p.subscription.subTotal,
            p.subscription.totalExcludingTax,
            p.subscription.tax,
            p.subscription.total,
          ])
            expect(dec(x).mod(grid).isZero()).toBe(true);
          const pr = p.proration;
          expect(pr).toBeDefined();
          if (!pr) return;
          expect(dec(pr.credit).plus(dec(pr.debit)).eq(dec(pr.netAmount))).toBe(true);
          expect(dec(p.subTotal).eq(dec(pr.netAmount))).toBe(true);
          expect(dec(p.totalExcludingTax).plus(dec(p.tax)).eq(dec(p.total))).toBe(true);
          const s = p.subscription;
          expect(dec(s.totalExcludingTax).plus(dec(s.tax)).eq(dec(s.total))).toBe(true);
          // The discount is what separates the subtotal from the total before exclusive tax (or the total, inclusive).
          for (const x of [p, s])
            expect(
              dec(x.subTotal)
                .minus(dec(x.discountAmount))
                .eq(dec(inclusive ? x.total : x.totalExcludingTax)),
            ).toBe(true);
        },
      ),
    );
  });

  it('a discount never yields a negative total, nor enlarges a credit', () => {
    fc.assert(
      fc.property(
        pairArb,
        anchorArb,
        fc.double({ min: 0, max: 1, noNaN: true }),
        couponArb,
        fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
        ({ a, b, period }, anchor, f, coupon, taxPercentage) => {
          const usable = coupon?.type !== 'FIXED' || coupon.amountsOff?.[0]?.currency === a.currency;
          const c = usable ? coupon : undefined;
          const range = billingPeriodRange(period, anchor, anchor);
          const t = range.start + Math.floor(f * (range.end - range.start - 1));
          const next = { ...selection(b, 'b', period), coupon: c };
          const p = subscriptionPreview({
            current: { ...selection(a, 'a', period), billingAnchor: anchor, coupon: c },
            next,
            startDate: t,
            taxPercentage,
          });
          const sub = dec(p.subTotal);
          const excl = dec(p.totalExcludingTax);
          if (sub.gte(0)) expect(excl.gte(0) && excl.lte(sub) && dec(p.total).gte(0)).toBe(true);
          else expect(excl.gte(sub) && excl.lte(0)).toBe(true);
          const fresh = recurringCharge(next, { coupon: c, taxPercentage });
          expect(fresh.total.amount.gte(0) && fresh.totalExcludingTax.amount.lte(fresh.subTotal.amount)).toBe(true);
          expect(dec(p.subscription.total).gte(0)).toBe(true);
        },
      ),
    );
  });

  it('credit and debit are linear in the remaining time, within one minor unit per line', () => {
    fc.assert(
      fc.property(pairArb, anchorArb, fc.double({ min: 0, max: 1, noNaN: true }), ({ a, b, period }, anchor, f) => {
        const from = selection(a, 'a', period);
        const to = selection(b, 'b', period);
        const range = billingPeriodRange(period, anchor, anchor);
        const t = range.start + Math.floor(f * (range.end - range.start - 1));
        const p = subscriptionPreview({ current: { ...from, billingAnchor: anchor }, next: to, startDate: t });
        const unused = new Decimal(range.end - t).div(range.end - range.start);
        const tolerance = unit(a.currency).times(2);
        const credit = recurringCharge(from).subTotal.amount.times(unused).negated();
        const debit = recurringCharge(to).subTotal.amount.times(unused);
        expect(
          credit
            .minus(p.proration?.credit.amount ?? 0)
            .abs()
            .lte(tolerance),
        ).toBe(true);
        expect(
          debit
            .minus(p.proration?.debit.amount ?? 0)
            .abs()
            .lte(tolerance),
        ).toBe(true);
        // Never more credit than the current selection charges for the period.
        expect(new Decimal(-(p.proration?.credit.amount ?? 0)).lte(recurringCharge(from).subTotal.amount)).toBe(true);
      }),
    );
  });

  it('a new subscription at its anchor is due exactly its recurring charge', () => {
    fc.assert(
      fc.property(
        planArb,
        anchorArb,
        couponArb,
        fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
        (a, anchor, coupon, taxPercentage) => {
          const usable = coupon?.type !== 'FIXED' || coupon.amountsOff?.[0]?.currency === a.currency;
          const next = { ...selection(a, 'a', 'MONTHLY'), coupon: usable ? coupon : undefined };
          const p = subscriptionPreview({ next, startDate: anchor, taxPercentage });
          expect(amounts(p)).toEqual(amounts(p.subscription));
          expect(p.proration).toBeUndefined();
        },
      ),
    );
  });
});

describe('properties of the proration settings', () => {
  const conventions = fc.constantFrom(...Object.values(ProrationConvention));
  const startArb = fc.record({
    anchor: anchorArb,
    day: fc.integer({ min: 1, max: 31 }),
    convention: conventions,
    free: fc.boolean(),
  });

  it('a start off a bill-cycle day owes the first period’s remaining share of the charge, or nothing when FREE', () => {
    fc.assert(
      fc.property(planArb, startArb, fc.constantFrom<BillingPeriod>('MONTHLY', 'ANNUALLY'), (p, s, period) => {
        const next = selection(p, 'a', period);
        const billingAnchor = billingCycleDayAnchor(period, s.day, s.anchor);
        const preview = subscriptionPreview({
          next,
          startDate: s.anchor,
          billingAnchor,
          convention: s.convention,
          firstPartialPeriod: s.free ? 'FREE' : 'PRORATED',
        });
        const range = billingPeriodRange(period, billingAnchor, s.anchor);
        expect(preview.billingPeriodRange).toEqual(range);
        const share = remainingShares(range, s.anchor, s.convention).new;
        const expected = s.free ? new Decimal(0) : recurringCharge(next).subTotal.amount.times(share);
        // Each line is rounded on its own: within one minor unit per line.
        expect(dec(preview.subTotal).minus(expected).abs().lte(unit(p.currency).times(2))).toBe(true);
        expect(dec(preview.subTotal).lte(recurringCharge(next).subTotal.amount)).toBe(true);
      }),
    );
  });

  it('a billing period change that keeps the anchor debits the new period’s remaining share; credit + debit within one unit per line', () => {
    fc.assert(
      fc.property(pairArb, anchorArb, fc.double({ min: 0, max: 1, noNaN: true }), conventions, (pair, anchor, x, c) => {
        const other: BillingPeriod = pair.period === 'MONTHLY' ? 'ANNUALLY' : 'MONTHLY';
        const from = selection(pair.a, 'a', pair.period);
        const to = selection(pair.b, 'b', other);
        const current = billingPeriodRange(pair.period, anchor, anchor);
        const changeAt = current.start + Math.floor(x * (current.end - current.start));
        const p = subscriptionPreview({
          current: { ...from, billingAnchor: anchor },
          next: to,
          startDate: changeAt,
          convention: c,
          billingAnchorOnPeriodChange: 'KEEP',
        });
        const kept = billingPeriodRange(other, anchor, changeAt);
        expect(p.billingPeriodRange).toEqual(kept);
        const exact = recurringCharge(to)
          .subTotal.amount.times(remainingShares(kept, changeAt, c).new)
          .minus(
            recurringCharge(from).subTotal.amount.times(
              remainingShares(billingPeriodRange(pair.period, anchor, changeAt), changeAt, c).old,
            ),
          );
        expect(dec(p.subTotal).minus(exact).abs().lte(unit(pair.a.currency).times(4))).toBe(true);
      }),
    );
  });
});
