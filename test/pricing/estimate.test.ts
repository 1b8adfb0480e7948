import { describe, expect, it } from 'vitest';
import type { Coupon } from '../../src/catalog/coupon-schema.js';
import type { Price } from '../../src/catalog/price-schema.js';
import { addMoney, Decimal, halfEven, type Money, roundMoney, subtractMoney, sumMoney } from '../../src/money/money.js';
import { type EstimateItem, estimate } from '../../src/pricing/estimate.js';
import { priceCharge } from '../../src/pricing/price-charge.js';
import { couponOf, expectAllotError, fc, minorUnit, num, priceOf } from './helpers.js';

const plan = (amount: string, extra: Parameters<typeof priceOf>[0] = {}): EstimateItem => ({
  id: 'pro',
  kind: 'PLAN',
  price: priceOf({ amount, ...extra }),
});
const seats = (amount: string, quantity: number): EstimateItem => ({
  id: 'pro',
  kind: 'PLAN',
  price: priceOf({ billingModel: 'PER_UNIT', featureId: 'seats', amount }),
  quantity,
});
const addon = (amount: string, multiplier: number, id = 'extra'): EstimateItem => ({
  id,
  kind: 'ADDON',
  price: priceOf({ amount }),
  multiplier,
});

describe('estimate', () => {
  it("matches the reference's documented subscription totals: 20 with 50% off for 3 months", () => {
    const half = couponOf({ percentOff: 50, durationType: 'REPEATING', durationInMonths: 3 });
    const e = estimate({ currency: 'USD', items: [plan('20')], coupon: half });
    expect([num(e.subTotal), num(e.discountAmount), num(e.totalExcludingTax), num(e.tax), num(e.total)]).toEqual([
      20, 10, 10, 0, 10,
    ]);
    expect(e.discount).toEqual({ type: 'PERCENTAGE', value: 50, durationType: 'REPEATING', durationInMonths: 3 });
    expect(e.taxDetails).toBeUndefined();
  });

  it('sums plan, per-unit feature and add-on × quantity lines, then adds exclusive tax', () => {
    const e = estimate({
      currency: 'usd',
      items: [plan('10'), seats('3', 4), addon('5', 2)],
      tax: { percentage: 17 },
    });
    expect(e.lines.map((l) => [l.kind, l.featureId, l.quantity, l.multiplier, num(l.amount)])).toEqual([
      ['PLAN', undefined, undefined, 1, 10],
      ['PLAN', 'seats', 4, 1, 12],
      ['ADDON', undefined, undefined, 2, 10],
    ]);
    expect([num(e.subTotal), num(e.totalExcludingTax), num(e.tax), num(e.total)]).toEqual([32, 32, 5.44, 37.44]);
    expect(e.taxDetails).toEqual({ displayName: 'Tax', inclusive: false, percentage: 17 });
    expect(e.currency).toBe('USD');
  });

  it('rounds each line once and sums the rounded lines', () => {
    const e = estimate({
      currency: 'USD',
      items: [addon('0.335', 1, 'a'), addon('0.335', 1, 'b'), addon('0.335', 1, 'c')],
    });
    expect(e.lines.map((l) => num(l.amount))).toEqual([0.34, 0.34, 0.34]);
    expect(num(e.subTotal)).toBe(1.02);
    const even = estimate({ currency: 'USD', items: [addon('0.335', 1)], rounding: halfEven });
    expect(num(even.subTotal)).toBe(0.34);
  });

  it('rounds JPY lines to whole yen', () => {
    const e = estimate({
      currency: 'JPY',
      items: [{ ...seats('33.5', 3), price: { ...seats('33.5', 3).price, currency: 'JPY' } }],
    });
    expect(num(e.subTotal)).toBe(101);
  });

  it('extracts tax when every price is tax-inclusive', () => {
    const e = estimate({
      currency: 'EUR',
      items: [plan('119', { currency: 'EUR', taxInclusive: true })],
      tax: { percentage: 19, displayName: 'VAT' },
    });
    expect([num(e.subTotal), num(e.totalExcludingTax), num(e.tax), num(e.total)]).toEqual([119, 100, 19, 119]);
    expect(e.taxDetails).toEqual({ displayName: 'VAT', inclusive: true, percentage: 19 });
  });

  it('refuses to mix tax-inclusive and tax-exclusive prices', () => {
    const items = [plan('10', { taxInclusive: true }), addon('5', 1)];
    expectAllotError(() => estimate({ currency: 'USD', items, tax: { percentage: 10 } }), 'INVALID_OPERATION');
  });

  it('shows usage-based prices per unit without charging them up front', () => {
    const calls: EstimateItem = {
      id: 'pro',
      kind: 'PLAN',
      price: priceOf({ billingModel: 'USAGE_BASED', featureId: 'calls', amount: '0.0015' }),
    };
    const e = estimate({ currency: 'USD', items: [plan('10'), calls] });
    expect(e.lines[1]).toMatchObject({ charge: 'IN_ARREARS', billingModel: 'USAGE_BASED', featureId: 'calls' });
    expect(num(e.lines[1]?.amount ?? e.subTotal)).toBe(0);
    expect(e.lines[1]?.unitPrice?.amount.toString()).toBe('0.0015');
    expect(num(e.subTotal)).toBe(10);
  });

  it('tops a minimum spend up to its floor, and charges nothing above it', () => {
    const floor: EstimateItem = {
      id: 'pro',
      kind: 'PLAN',
      price: priceOf({ billingModel: 'MINIMUM_SPEND', amount: '50' }),
    };
    const low = estimate({ currency: 'USD', items: [floor, plan('20')] });
    expect(low.lines.map((l) => num(l.amount))).toEqual([30, 20]);
    expect(num(low.subTotal)).toBe(50);
    const high = estimate({ currency: 'USD', items: [plan('60'), floor] });
    expect(high.lines.map((l) => num(l.amount))).toEqual([60, 0]);
  });

  it('applies a fixed coupon in the estimate currency, never below zero', () => {
    const big = couponOf({ type: 'FIXED', percentOff: undefined, amountsOff: [{ amount: '100', currency: 'USD' }] });
    const e = estimate({ currency: 'USD', items: [plan('30')], coupon: big, tax: { percentage: 20 } });
    expect([num(e.discountAmount), num(e.totalExcludingTax), num(e.tax), num(e.total)]).toEqual([30, 0, 0, 0]);
    expect(e.discount?.value).toBe(100);
    expectAllotError(() => estimate({ currency: 'EUR', items: [], coupon: big }), 'INVALID_INPUT');
  });

  it('estimates a free plan as zero', () => {
    const e = estimate({ currency: 'USD', items: [] });
    expect([num(e.subTotal), num(e.total)]).toEqual([0, 0]);
  });

  it('refuses prices in another currency and add-on quantities that are not positive whole numbers', () => {
    expectAllotError(() => estimate({ currency: 'EUR', items: [plan('10')] }), 'INVALID_INPUT');
    expectAllotError(() => estimate({ currency: 'USD', items: [addon('5', 0)] }), 'INVALID_INPUT');
    expectAllotError(() => estimate({ currency: 'USD', items: [addon('5', 1.5)] }), 'INVALID_INPUT');
    expectAllotError(() => estimate({ currency: 'USD', items: [seats('5', -1)] }), 'INVALID_INPUT');
  });
});

describe('properties', () => {
  const CURRENCY = fc.constantFrom('USD', 'JPY', 'KWD');
  const decimal = fc.integer({ min: 0, max: 10_000_000 }).map((n) => new Decimal(n).div(1000).toString());
  const item = (c: string) =>
    fc.oneof(
      decimal.map((amount): EstimateItem => ({ id: 'p', kind: 'PLAN', price: priceOf({ currency: c, amount }) })),
      fc.tuple(decimal, fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 20 })).map(
        ([amount, quantity, min]): EstimateItem => ({
          id: 'p',
          kind: 'PLAN',
          price: priceOf({ currency: c, billingModel: 'PER_UNIT', featureId: 's', amount, minUnitQuantity: min }),
          quantity,
        }),
      ),
      fc.tuple(decimal, fc.integer({ min: 1, max: 10 })).map(
        ([amount, multiplier]): EstimateItem => ({
          id: 'a',
          kind: 'ADDON',
          price: priceOf({ currency: c, amount }),
          multiplier,
        }),
      ),
      decimal.map(
        (amount): EstimateItem => ({
          id: 'p',
          kind: 'PLAN',
          price: priceOf({ currency: c, billingModel: 'MINIMUM_SPEND', amount }),
        }),
      ),
    );
  const coupon = (c: string): fc.Arbitrary<Coupon | undefined> =>
    fc.option(
      fc.oneof(
        fc.integer({ min: 1, max: 10_000 }).map((bp) => couponOf({ percentOff: (bp / 100).toString() })),
        decimal.map((off) =>
          couponOf({ type: 'FIXED', percentOff: undefined, amountsOff: [{ amount: off, currency: c }] }),
        ),
      ),
      { nil: undefined },
    );
  const scenario = CURRENCY.chain((c) =>
    fc.record({
      currency: fc.constant(c),
      items: fc.array(item(c), { maxLength: 6 }),
      coupon: coupon(c),
      tax: fc.option(
        fc.integer({ min: 0, max: 5000 }).map((bp) => ({ percentage: new Decimal(bp).div(100) })),
        { nil: undefined },
      ),
      inclusive: fc.boolean(),
    }),
  );
  const withInclusive = (items: EstimateItem[], inclusive: boolean) =>
    items.map((i) => ({ ...i, price: { ...i.price, taxInclusive: inclusive } as Price }));

  it('every total equals the sum of its rounded lines', () => {
    fc.assert(
      fc.property(scenario, ({ currency, items, coupon, tax, inclusive }) => {
        const e = estimate({ currency, items: withInclusive(items, inclusive), coupon, tax });
        const onGrid = (d: Decimal) => roundMoney(d, currency).eq(d);
        for (const m of [
          e.subTotal,
          e.discountAmount,
          e.tax,
          e.totalExcludingTax,
          e.total,
          ...e.lines.map((l) => l.amount),
        ])
          expect(onGrid(m.amount)).toBe(true);
        expect(
          sumMoney(
            e.lines.map((l) => l.amount),
            currency,
          ).amount.eq(e.subTotal.amount),
        ).toBe(true);
        expect(addMoney(e.totalExcludingTax, e.tax).amount.eq(e.total.amount)).toBe(true);
        const afterDiscount = subtractMoney(e.subTotal, e.discountAmount).amount;
        expect((tax && inclusive ? e.total : e.totalExcludingTax).amount.eq(afterDiscount)).toBe(true);
      }),
    );
  });

  it('a discount never yields a negative total', () => {
    fc.assert(
      fc.property(scenario, ({ currency, items, coupon, tax, inclusive }) => {
        const e = estimate({ currency, items: withInclusive(items, inclusive), coupon, tax });
        for (const m of [e.discountAmount, e.totalExcludingTax, e.tax, e.total]) expect(m.amount.gte(0)).toBe(true);
        expect(e.discountAmount.amount.lte(e.subTotal.amount)).toBe(true);
      }),
    );
  });

  it('each charged line is within half a minor unit of its exact charge; a minimum spend lifts the subtotal to its floor', () => {
    fc.assert(
      fc.property(scenario, ({ currency, items }) => {
        const e = estimate({ currency, items });
        items.forEach((it, i) => {
          const charge = priceCharge(it.price, it.quantity);
          const line = e.lines[i]?.amount.amount;
          if (line === undefined) throw new Error('one line per item');
          if (charge.kind === 'MINIMUM_SPEND')
            expect(e.subTotal.amount.gte(roundMoney(charge.minimum, currency))).toBe(true);
          else
            expect(
              line
                .minus(charge.amount.times(it.multiplier ?? 1))
                .abs()
                .lte(minorUnit(currency).div(2)),
            ).toBe(true);
        });
      }),
    );
  });

  it("the lines' discounts, taxes and totals add up to the estimate's, exactly (PER_LINE)", () => {
    fc.assert(
      fc.property(scenario, ({ currency, items, coupon, tax, inclusive }) => {
        const e = estimate({ currency, items: withInclusive(items, inclusive), coupon, tax });
        const sum = (pick: (l: (typeof e.lines)[number]) => Money) => sumMoney(e.lines.map(pick), currency).amount;
        expect(sum((l) => l.discount).eq(e.discountAmount.amount)).toBe(true);
        expect(sum((l) => l.tax).eq(e.tax.amount)).toBe(true);
        expect(sum((l) => l.total).eq(e.total.amount)).toBe(true);
        for (const l of e.lines) expect(l.discount.amount.lte(Decimal.max(0, l.amount.amount))).toBe(true);
      }),
    );
  });

  it('rounding at the total: the subtotal is the exact lines rounded once, and the lines sum to the total within half a minor unit', () => {
    fc.assert(
      fc.property(scenario, ({ currency, items, coupon, tax, inclusive }) => {
        const e = estimate({ currency, items: withInclusive(items, inclusive), coupon, tax, priceRounding: 'TOTAL' });
        const exact = sumMoney(
          e.lines.map((l) => l.amount),
          currency,
        ).amount;
        expect(roundMoney(exact, currency).eq(e.subTotal.amount)).toBe(true);
        const totals = sumMoney(
          e.lines.map((l) => l.total),
          currency,
        ).amount;
        expect(totals.minus(e.total.amount).abs().lte(minorUnit(currency).div(2))).toBe(true);
        const perLine = estimate({ currency, items: withInclusive(items, inclusive), coupon, tax });
        expect(
          e.subTotal.amount.minus(perLine.subTotal.amount).abs().lte(minorUnit(currency).times(items.length)),
        ).toBe(true);
      }),
    );
  });
});

describe('estimate lines', () => {
  it("share a coupon among the lines in proportion, as Lago spreads it over an invoice's fees", () => {
    // Lago, spec/services/credits/applied_coupon_service_spec.rb: a 12-cent coupon on fees of 200
    // and 100 cents puts 8 on the first and 4 on the second.
    const coupon = couponOf({
      type: 'FIXED',
      percentOff: undefined,
      amountsOff: [{ amount: '0.12', currency: 'USD' }],
    });
    const e = estimate({ currency: 'USD', items: [plan('2.00'), addon('1.00', 1)], coupon, tax: { percentage: 10 } });
    expect(e.lines.map((l) => [num(l.amount), num(l.discount), num(l.tax), num(l.total)])).toEqual([
      [2, 0.08, 0.19, 2.11],
      [1, 0.04, 0.1, 1.06],
    ]);
    expect([num(e.discountAmount), num(e.tax), num(e.total)]).toEqual([0.12, 0.29, 3.17]);
  });

  it('round at the total on request: three lines of 0.335 make 1.01, not 1.02', () => {
    const items = [addon('0.335', 1, 'a'), addon('0.335', 1, 'b'), addon('0.335', 1, 'c')];
    const total = estimate({ currency: 'USD', items, priceRounding: 'TOTAL' });
    expect(num(total.subTotal)).toBe(1.01);
    expect(total.lines.map((l) => l.amount.amount.toString())).toEqual(['0.335', '0.335', '0.335']);
    expect(total.priceRounding).toBe('TOTAL');
    expect(num(estimate({ currency: 'USD', items }).subTotal)).toBe(1.02);
  });

  it('show how each line was made: unit price, tiers, the exact charge and the usage priced', () => {
    const tiered: EstimateItem = {
      id: 'pro',
      kind: 'PLAN',
      price: priceOf({
        billingModel: 'PER_UNIT',
        featureId: 'seats',
        amount: undefined,
        tiersMode: 'GRADUATED',
        tiers: [{ upTo: 5, unitPrice: '5' }, { unitPrice: '4' }],
      }),
      quantity: 7,
    };
    const usage: EstimateItem = {
      id: 'pro',
      kind: 'PLAN',
      price: priceOf({ billingModel: 'USAGE_BASED', featureId: 'calls', amount: '0.0015', maximumAmount: '1' }),
      usage: { quantity: 1000 },
    };
    const e = estimate({ currency: 'USD', items: [plan('10'), tiered, usage] });
    const [flat, seatsLine, calls] = e.lines;
    expect(flat?.unitPrice?.amount.toString()).toBe('10');
    expect(seatsLine?.detail?.tiers?.map((t) => [t.quantity.toNumber(), t.amount.toNumber()])).toEqual([
      [5, 25],
      [2, 8],
    ]);
    expect([num(seatsLine?.amount ?? e.subTotal), calls?.usage?.toNumber(), num(calls?.amount ?? e.subTotal)]).toEqual([
      33, 1000, 1,
    ]);
    expect(calls?.detail?.aboveMaximum.toString()).toBe('0.5');
    expect(num(e.subTotal)).toBe(44);
  });

  it('carry a credit line for negative usage where the price says so', () => {
    const refunds: EstimateItem = {
      id: 'pro',
      kind: 'PLAN',
      price: priceOf({ billingModel: 'USAGE_BASED', featureId: 'gb', amount: '2', negativeUsage: 'CREDIT' }),
      usage: { quantity: -3 },
    };
    const e = estimate({ currency: 'USD', items: [plan('10'), refunds], tax: { percentage: 10 } });
    expect(e.lines.map((l) => num(l.amount))).toEqual([10, -6]);
    expect([num(e.subTotal), num(e.tax), num(e.total)]).toEqual([4, 0.4, 4.4]);
  });
});

describe('maximum amounts', () => {
  it('a line never charges more than its price maximum, times the add-on quantity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 5 }),
        (cents, quantity, capCents, multiplier) => {
          const price = priceOf({
            billingModel: 'USAGE_BASED',
            featureId: 'calls',
            amount: new Decimal(cents).div(1000).toString(),
            maximumAmount: new Decimal(capCents).div(100).toString(),
          });
          const e = estimate({
            currency: 'USD',
            items: [{ id: 'x', kind: 'ADDON', price, multiplier, usage: { quantity } }],
          });
          expect(e.subTotal.amount.lte(new Decimal(capCents).div(100).times(multiplier))).toBe(true);
        },
      ),
    );
  });
});
