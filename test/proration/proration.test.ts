import { describe, expect, it } from 'vitest';
import { type Decimal, money, roundMoney, sumMoney } from '../../src/money/money.js';
import { billingPeriodRange } from '../../src/proration/billing-period.js';
import { type ProrationInput, prorate } from '../../src/proration/proration.js';
import { ProrationConvention, remainingShares } from '../../src/proration/remaining-fraction.js';
import { amount, at, currency, DAY, expectAllotError, fc, minorUnit, num } from '../pricing/helpers.js';

const jan = { start: at('2024-01-01T00:00:00Z'), end: at('2024-02-01T00:00:00Z') };
const halfway = at('2024-01-16T12:00:00Z');
const summary = (p: ReturnType<typeof prorate>) => [num(p.credit), num(p.debit), num(p.netAmount)];

describe('prorate', () => {
  it('monthly 10 replaced by 20 exactly halfway: credit -5, debit +10, net +5', () => {
    const p = prorate({ currency: 'USD', period: jan, changeAt: halfway, items: [{ oldCharge: 10, newCharge: 20 }] });
    expect(summary(p)).toEqual([-5, 10, 5]);
    expect(p.prorationDate).toBe(halfway);
    expect(p.billingPeriodRange).toEqual(jan);
  });

  it("matches the reference's documented update: 9.99 → 14.99 at the period start nets 5", () => {
    const p = prorate({
      currency: 'USD',
      period: jan,
      changeAt: jan.start,
      items: [{ oldCharge: '9.99', newCharge: '14.99' }],
    });
    expect(summary(p)).toEqual([-9.99, 14.99, 5]);
  });

  it("matches the reference's documented new subscription: nothing to credit, 10 debited", () => {
    const p = prorate({ currency: 'USD', period: jan, changeAt: jan.start, items: [{ newCharge: 10 }] });
    expect(summary(p)).toEqual([0, 10, 10]);
  });

  it('a downgrade nets a negative amount', () => {
    const p = prorate({ currency: 'USD', period: jan, changeAt: halfway, items: [{ oldCharge: 20, newCharge: 10 }] });
    expect(summary(p)).toEqual([-10, 5, -5]);
  });

  it('rounds each line to the currency: JPY to whole yen, KWD to 3 places', () => {
    const third = { start: 0, end: 3000 };
    const jpy = prorate({
      currency: 'JPY',
      period: third,
      changeAt: 1000,
      items: [{ oldCharge: 1000, newCharge: 1500 }],
    });
    expect(summary(jpy)).toEqual([-667, 1000, 333]);
    const kwd = prorate({ currency: 'KWD', period: third, changeAt: 1000, items: [{ oldCharge: 1, newCharge: 2 }] });
    expect(summary(kwd)).toEqual([-0.667, 1.333, 0.666]);
  });

  it('nets the rounded lines, item by item', () => {
    const third = { start: 0, end: 3000 };
    const p = prorate({
      currency: 'USD',
      period: third,
      changeAt: 1000,
      items: [
        { id: 'plan', oldCharge: '0.01', newCharge: '0.02' },
        { id: 'seats', oldCharge: '0.01', newCharge: '0.02' },
      ],
    });
    expect(p.lines.map((l) => [l.id, num(l.credit), num(l.debit)])).toEqual([
      ['plan', -0.01, 0.01],
      ['seats', -0.01, 0.01],
    ]);
    expect(summary(p)).toEqual([-0.02, 0.02, 0]);
  });

  it('never credits more than was charged minus what was already credited', () => {
    const base = { currency: 'USD', period: jan, changeAt: jan.start };
    expect(num(prorate({ ...base, items: [{ oldCharge: 10, charged: 5 }] }).credit)).toBe(-5);
    expect(num(prorate({ ...base, items: [{ oldCharge: 10, charged: 10, previouslyCredited: 7 }] }).credit)).toBe(-3);
    expect(num(prorate({ ...base, items: [{ oldCharge: 10, previouslyCredited: 10 }] }).credit)).toBe(0);
  });

  it('refuses credits above the charge, negative or malformed amounts', () => {
    const base = { currency: 'USD', period: jan, changeAt: halfway };
    expectAllotError(() => prorate({ ...base, items: [{ oldCharge: 10, previouslyCredited: 11 }] }), 'INVALID_INPUT');
    expectAllotError(() => prorate({ ...base, items: [{ oldCharge: -1 }] }), 'INVALID_INPUT');
    expectAllotError(() => prorate({ ...base, items: [{ newCharge: 'x' }] }), 'INVALID_INPUT');
    expectAllotError(() => prorate({ ...base, currency: 'DOLLARS', items: [] }), 'INVALID_INPUT');
  });

  it('excessCredit FLOOR_AT_ZERO credits nothing once earlier credits passed the charge, where ERROR refuses', () => {
    // getlago/lago-api app/services/credit_notes/create_from_termination.rb,
    // calculate_base_creditable_amount: less the credit notes already issued on the fee, the
    // creditable amount is 0 unless it is positive: no error.
    const oct = { start: at('2022-10-01T00:00:00Z'), end: at('2022-11-01T00:00:00Z') };
    const base = {
      currency: 'EUR',
      period: oct,
      changeAt: at('2022-10-15T10:00:00Z'),
      convention: 'ACTUAL_DAYS' as const,
    };
    const over = { ...base, items: [{ oldCharge: 31, charged: 31, previouslyCredited: 40 }] };
    expectAllotError(() => prorate(over), 'INVALID_INPUT');
    const floored = prorate({ ...over, excessCredit: 'FLOOR_AT_ZERO' });
    expect(summary(floored)).toEqual([0, 0, 0]);
    // Below the charge, the option changes nothing: 16 days unused, within the 21 left to credit.
    const within = { ...base, items: [{ oldCharge: 31, previouslyCredited: 10 }] };
    expect(num(prorate({ ...within, excessCredit: 'FLOOR_AT_ZERO' }).credit)).toBe(num(prorate(within).credit));
    expect(num(prorate(within).credit)).toBe(-16);
  });

  it('ACTUAL_DAYS_CHANGE_DAY_TO_BOTH charges the day of the change to both plans', () => {
    // Lago's numbers (see remaining-fraction.test.ts): 31.00 → 62.00 on Oct 15 at 10:00 credits
    // 16 days of the old plan and charges 17 days of the new one.
    const oct = { start: at('2022-10-01T00:00:00Z'), end: at('2022-11-01T00:00:00Z') };
    const p = prorate({
      currency: 'EUR',
      period: oct,
      changeAt: at('2022-10-15T10:00:00Z'),
      convention: 'ACTUAL_DAYS_CHANGE_DAY_TO_BOTH',
      items: [{ oldCharge: 31, newCharge: 62 }],
    });
    expect(summary(p)).toEqual([-16, 34, 18]);
  });

  it('nextPeriod: a billing period of another length kept on the anchor debits its own remaining share', () => {
    // Orb's schedule-plan-change billing_cycle_alignment "unchanged" keeps the subscription's
    // billing cycle; monthly 10 on the 1st becomes annual 120 on Jan 1 → Jan 1 at Jul 1 (half a year).
    const june = { start: at('2024-06-01T00:00:00Z'), end: at('2024-07-01T00:00:00Z') };
    const year = { start: at('2024-01-01T00:00:00Z'), end: at('2025-01-01T00:00:00Z') };
    const p = prorate({
      currency: 'USD',
      period: june,
      changeAt: at('2024-06-16T00:00:00Z'),
      nextPeriod: year,
      items: [{ oldCharge: 10, newCharge: 120 }],
      convention: 'THIRTY_360',
    });
    // June: 15 of 30 days left; the year: 6.5 months of 12 (Jun 16 → Jan 1 is 195 of 360 days).
    expect(summary(p)).toEqual([-5, 65, 60]);
    expect(p.billingPeriodRange).toEqual(year);
  });

  it('refuses a change outside the billing period', () => {
    expectAllotError(
      () => prorate({ currency: 'USD', period: jan, changeAt: jan.end + 1, items: [] }),
      'INVALID_INPUT',
    );
  });

  it('takes the convention per call', () => {
    const feb = { start: at('2024-02-01T00:00:00Z'), end: at('2024-03-01T00:00:00Z') };
    const changeAt = at('2024-02-11T06:00:00Z');
    const debit = (convention: ProrationConvention) =>
      num(prorate({ currency: 'USD', period: feb, changeAt, convention, items: [{ newCharge: 29 }] }).debit);
    expect(debit('SECOND')).toBe(18.75);
    expect(debit('ACTUAL_DAYS')).toBe(18);
    expect(debit('THIRTY_DAY_MONTH')).toBe(18.37);
    // Feb 1 → Feb 11 06:00: 11 days started of 30 (30/360) or 28.
    expect(debit('THIRTY_360')).toBe(18.37);
    expect(debit('TWENTY_EIGHT_DAY_MONTH')).toBe(17.61);
    expect(debit('ACTUAL_DAYS_CHANGE_DAY_TO_BOTH')).toBe(19);
  });

  it('billingCycleAnchor NOW credits the unused old part and debits a whole new period from the change', () => {
    const p = prorate({
      currency: 'USD',
      period: jan,
      changeAt: halfway,
      billingCycleAnchor: 'NOW',
      billingPeriod: 'MONTHLY',
      items: [{ oldCharge: 10, newCharge: 20 }],
    });
    expect(summary(p)).toEqual([-5, 20, 15]);
    expect(p.billingPeriodRange).toEqual({ start: halfway, end: at('2024-02-16T12:00:00Z') });
    expectAllotError(
      () => prorate({ currency: 'USD', period: jan, changeAt: halfway, billingCycleAnchor: 'NOW', items: [] }),
      'INVALID_INPUT',
    );
  });
});

describe('properties', () => {
  const CONVENTIONS = Object.values(ProrationConvention);
  const rounded = (c: string) => amount.map((a) => roundMoney(a, c));
  const scenario = currency.chain((c) =>
    fc
      .record({
        currency: fc.constant(c),
        anchor: fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }),
        offset: fc.integer({ min: 0, max: 400 * DAY }),
        billingPeriod: fc.constantFrom('MONTHLY' as const, 'ANNUALLY' as const),
        share: fc.double({ min: 0, max: 1, noNaN: true }),
        share2: fc.double({ min: 0, max: 1, noNaN: true }),
        oldCharge: rounded(c),
        newCharge: rounded(c),
        convention: fc.constantFrom(...CONVENTIONS),
      })
      .map((s) => {
        const period = billingPeriodRange(s.billingPeriod, s.anchor, s.anchor + s.offset);
        const t = (x: number) => period.start + Math.floor(x * (period.end - period.start));
        return { ...s, period, changeAt: t(s.share), changeAt2: t(s.share2) };
      }),
  );
  const one = (
    s: { currency: string; period: { start: number; end: number }; oldCharge: Decimal; newCharge: Decimal },
    changeAt: number,
    extra: Partial<ProrationInput> = {},
  ) =>
    prorate({
      currency: s.currency,
      period: s.period,
      changeAt,
      items: [{ oldCharge: s.oldCharge, newCharge: s.newCharge }],
      ...extra,
    });

  it('for every convention, credit + debit is the price difference over the remaining period, within one minor unit', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const p = one(s, s.changeAt, { convention: s.convention });
        const shares = remainingShares(s.period, s.changeAt, s.convention);
        const net = p.credit.amount.plus(p.debit.amount);
        const unit = minorUnit(s.currency);
        // The new price over its remaining share less the old price over its unused share ...
        const exact = s.newCharge.times(shares.new).minus(s.oldCharge.times(shares.old));
        expect(net.minus(exact).abs().lte(unit)).toBe(true);
        // ... which is (new - old) × remaining, except that CHANGE_DAY_TO_BOTH also charges the
        // started day of the change at the new price.
        const overlap = s.newCharge.times(shares.new.minus(shares.old));
        expect(net.minus(s.newCharge.minus(s.oldCharge).times(shares.old)).minus(overlap).abs().lte(unit)).toBe(true);
        if (s.convention !== 'ACTUAL_DAYS_CHANGE_DAY_TO_BOTH') expect(overlap.isZero()).toBe(true);
      }),
    );
  });

  it('a change at the very start credits the whole old price and debits the whole new price', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const p = one(s, s.period.start, { convention: s.convention });
        expect(p.credit.amount.eq(s.oldCharge.negated())).toBe(true);
        expect(p.debit.amount.eq(s.newCharge)).toBe(true);
      }),
    );
  });

  it('a change at the very end credits and debits zero', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const p = one(s, s.period.end, { convention: s.convention });
        expect([num(p.credit), num(p.debit), num(p.netAmount)]).toEqual([0, 0, 0]);
        expect(Object.is(num(p.credit), 0)).toBe(true);
      }),
    );
  });

  it('credit and debit are linear in the remaining time, up to one minor unit of rounding', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const unit = minorUnit(s.currency);
        const span = s.period.end - s.period.start;
        const [a, b] = [one(s, s.changeAt), one(s, s.changeAt2)];
        const exact = (charge: Decimal, t: number) => charge.times(s.period.end - t).div(span);
        expect(a.credit.amount.plus(exact(s.oldCharge, s.changeAt)).abs().lte(unit.div(2))).toBe(true);
        expect(a.debit.amount.minus(exact(s.newCharge, s.changeAt)).abs().lte(unit.div(2))).toBe(true);
        const dt = exact(s.newCharge, s.changeAt).minus(exact(s.newCharge, s.changeAt2));
        expect(a.debit.amount.minus(b.debit.amount).minus(dt).abs().lte(unit)).toBe(true);
        const ct = exact(s.oldCharge, s.changeAt).minus(exact(s.oldCharge, s.changeAt2));
        expect(b.credit.amount.minus(a.credit.amount).minus(ct).abs().lte(unit)).toBe(true);
      }),
    );
  });

  it('upgrading and immediately restoring the old price nets to zero within one minor unit per line', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        // CHANGE_DAY_TO_BOTH charges the day of each change twice by design: it is tested above.
        const convention = s.convention === 'ACTUAL_DAYS_CHANGE_DAY_TO_BOTH' ? 'ACTUAL_DAYS' : s.convention;
        const base = { currency: s.currency, period: s.period, changeAt: s.changeAt, convention };
        const up = prorate({ ...base, items: [{ oldCharge: s.oldCharge, newCharge: s.newCharge }] });
        const back = prorate({
          ...base,
          items: [{ oldCharge: s.newCharge, charged: up.debit.amount, newCharge: s.oldCharge }],
        });
        const lines = up.lines.length * 2 + back.lines.length * 2;
        const net = up.netAmount.amount.plus(back.netAmount.amount);
        expect(net.abs().lte(minorUnit(s.currency).times(lines))).toBe(true);
      }),
    );
  });

  it('credits never exceed the charge minus prior credits, across repeated changes', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (s, shares, chargedShare) => {
          const span = s.period.end - s.period.start;
          const charged = roundMoney(s.oldCharge.times(chargedShare), s.currency);
          let credited = money(0, s.currency).amount;
          for (const x of [...shares].sort((a, b) => a - b)) {
            const p = prorate({
              currency: s.currency,
              period: s.period,
              changeAt: s.period.start + Math.floor(x * span),
              convention: s.convention,
              items: [{ oldCharge: s.oldCharge, charged, previouslyCredited: credited }],
            });
            expect(p.credit.amount.lte(0)).toBe(true);
            expect(p.credit.amount.negated().lte(charged.minus(credited))).toBe(true);
            credited = credited.minus(p.credit.amount);
          }
          expect(credited.lte(charged)).toBe(true);
        },
      ),
    );
  });

  it('netAmount is debit + credit, and both are sums of rounded lines', () => {
    const item = (c: string) =>
      fc.record({ oldCharge: amount, newCharge: amount }).map((i) => ({
        oldCharge: i.oldCharge.toString(),
        newCharge: i.newCharge.toString(),
        currency: c,
      }));
    fc.assert(
      fc.property(
        scenario.chain((s) => fc.tuple(fc.constant(s), fc.array(item(s.currency), { maxLength: 5 }), fc.boolean())),
        ([s, items, now]) => {
          const p = prorate({
            currency: s.currency,
            period: s.period,
            changeAt: s.changeAt,
            convention: s.convention,
            billingCycleAnchor: now ? 'NOW' : 'UNCHANGED',
            billingPeriod: s.billingPeriod,
            items: items.map(({ currency: _, ...i }) => i),
          });
          const onGrid = (d: Decimal) => roundMoney(d, s.currency).eq(d);
          for (const l of p.lines) expect(onGrid(l.credit.amount) && onGrid(l.debit.amount)).toBe(true);
          expect(
            sumMoney(
              p.lines.map((l) => l.credit),
              s.currency,
            ).amount.eq(p.credit.amount),
          ).toBe(true);
          expect(
            sumMoney(
              p.lines.map((l) => l.debit),
              s.currency,
            ).amount.eq(p.debit.amount),
          ).toBe(true);
          expect(p.debit.amount.plus(p.credit.amount).eq(p.netAmount.amount)).toBe(true);
        },
      ),
    );
  });

  it('billingCycleAnchor NOW debits the whole new charge and credits as UNCHANGED does', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const unchanged = one(s, s.changeAt, { convention: s.convention });
        const now = one(s, s.changeAt, {
          convention: s.convention,
          billingCycleAnchor: 'NOW',
          billingPeriod: s.billingPeriod,
        });
        expect(now.debit.amount.eq(s.newCharge)).toBe(true);
        expect(now.credit.amount.eq(unchanged.credit.amount)).toBe(true);
        expect(now.billingPeriodRange.start).toBe(s.changeAt);
      }),
    );
  });
});
