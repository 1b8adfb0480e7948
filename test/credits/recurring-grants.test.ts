import { describe, expect, it } from 'vitest';
import type { CreditEntitlement } from '../../src/catalog/credit-schema.js';
import { addMonthsUtc, usagePeriod } from '../../src/core/reset-period.js';
import {
  advancePool,
  balance,
  type CreditPool,
  consumeCredits,
  sumLedger,
  voidGrant,
} from '../../src/credits/credit-pool.js';
import type { CreditLedgerEntry, SubscriptionGrantSource } from '../../src/credits/credit-records.js';
import {
  dueRecurringGrant,
  nextRefillAt,
  type RecurringCreditSubscription,
  recurringAllowance,
  recurringGrantId,
  refillRecurringCredits,
} from '../../src/credits/recurring-grants.js';
import { Decimal } from '../../src/money/money.js';
import { at, DAY, decimalUpTo, expectAllotError, expectDecimal, fc, pool, T0 } from './helpers.js';

const monthly = (amount: string, extra: Partial<CreditEntitlement> = {}): CreditEntitlement => ({
  currencyId: 'tokens',
  amount,
  cadence: 'MONTH',
  ...extra,
});

function subscription(plan: CreditEntitlement[], extra: Partial<RecurringCreditSubscription> = {}) {
  return { subscriptionId: 'sub-1', anchor: T0, plan, ...extra };
}

describe('recurringAllowance', () => {
  it('adds Increment add-ons times their quantity to the plan', () => {
    expect(
      recurringAllowance(
        'tokens',
        [monthly('1000', { rolloverCap: '100' })],
        [
          { quantity: 2, entitlements: [monthly('100', { rolloverCap: '10' })] },
          { quantity: 3, entitlements: [monthly('0.5'), { ...monthly('9'), currencyId: 'other' }] },
        ],
      ),
    ).toEqual({ currencyId: 'tokens', cadence: 'MONTH', intervalCount: 1, amount: '1201.5', rolloverCap: '120' });
  });

  it('lets the largest Override replace the plan, quantity ignored, increments still adding', () => {
    expect(
      recurringAllowance(
        'tokens',
        [monthly('1000')],
        [
          { quantity: 5, entitlements: [monthly('300', { behavior: 'Override' })] },
          { quantity: 1, entitlements: [monthly('2000', { behavior: 'Override', cadence: 'YEAR' })] },
          { quantity: 2, entitlements: [monthly('10')] },
        ],
      ),
    ).toEqual({ currencyId: 'tokens', cadence: 'YEAR', intervalCount: 1, amount: '2020', rolloverCap: null });
  });

  it('is null without an entitlement in the currency, and takes an add-on alone', () => {
    expect(recurringAllowance('tokens', [])).toBeNull();
    expect(recurringAllowance('other', [monthly('1')])).toBeNull();
    expect(
      recurringAllowance('tokens', [], [{ quantity: 0, entitlements: [monthly('5', { cadence: 'YEAR' })] }]),
    ).toEqual({
      currencyId: 'tokens',
      cadence: 'YEAR',
      intervalCount: 1,
      amount: '0',
      rolloverCap: null,
    });
  });

  it('refuses a quantity that is not an integer of at least 0', () => {
    for (const quantity of [-1, 1.5, Number.NaN])
      expectAllotError(() => recurringAllowance('tokens', [], [{ quantity, entitlements: [] }]), 'INVALID_INPUT');
  });
});

describe('refillRecurringCredits', () => {
  it('grants the period containing now, effective at its start and expiring at the next boundary', () => {
    const now = T0 + 3 * DAY;
    const { pool: p, entries, grant } = refillRecurringCredits(pool(), subscription([monthly('1000')]), now);
    expect(grant).toMatchObject({
      id: recurringGrantId('sub-1', 'tokens', T0),
      grantType: 'RECURRING',
      amount: '1000',
      effectiveAt: T0,
      expireAt: at('2025-02-28T00:00:00Z'),
      source: { kind: 'SUBSCRIPTION', subscriptionId: 'sub-1', cadence: 'MONTH', periodStart: T0, rolledOver: '0' },
    });
    expect(entries.map((e) => [e.eventType, e.amount, e.at])).toEqual([['CREDITS_GRANTED', '1000', now]]);
    expect(balance(p, now).currentBalance).toBe('1000');
  });

  it('clamps month ends from the anchor: Jan 31, Feb 28, Mar 31, Apr 30', () => {
    const sub = subscription([monthly('10')]);
    let p = pool();
    const periods: [string, string][] = [];
    for (const iso of [
      '2025-02-01T00:00:00Z',
      '2025-03-01T00:00:00Z',
      '2025-04-15T00:00:00Z',
      '2025-05-10T00:00:00Z',
    ]) {
      const r = refillRecurringCredits(p, sub, at(iso));
      p = r.pool;
      const source = r.grant?.source as SubscriptionGrantSource;
      periods.push([new Date(source.periodStart).toISOString(), new Date(source.periodEnd).toISOString()]);
    }
    expect(periods).toEqual([
      ['2025-01-31T00:00:00.000Z', '2025-02-28T00:00:00.000Z'],
      ['2025-02-28T00:00:00.000Z', '2025-03-31T00:00:00.000Z'],
      ['2025-03-31T00:00:00.000Z', '2025-04-30T00:00:00.000Z'],
      ['2025-04-30T00:00:00.000Z', '2025-05-31T00:00:00.000Z'],
    ]);
  });

  it('expires the unused part at the boundary by default', () => {
    const sub = subscription([monthly('100')]);
    let p = refillRecurringCredits(pool(), sub, T0).pool;
    p = consumeCredits(p, { id: 'u', amount: 30 }, T0 + DAY).pool;
    const next = refillRecurringCredits(p, sub, at('2025-02-28T00:00:00Z'));
    expect(next.entries.map((e) => [e.eventType, e.grantId, e.amount])).toEqual([
      ['CREDITS_EXPIRED', recurringGrantId('sub-1', 'tokens', T0), '-70'],
      ['CREDITS_GRANTED', next.grant?.id, '100'],
    ]);
    expect(balance(next.pool, at('2025-02-28T00:00:00Z')).currentBalance).toBe('100');
  });

  it('rolls over up to the cap of what was left', () => {
    const sub = subscription([monthly('100', { rolloverCap: '50' })]);
    let p = refillRecurringCredits(pool(), sub, T0).pool;
    p = consumeCredits(p, { id: 'u', amount: '70.25' }, T0).pool;
    const small = refillRecurringCredits(p, sub, at('2025-02-28T00:00:00Z')).grant;
    expect(small).toMatchObject({ amount: '129.75', source: { rolledOver: '29.75' } });
    const unused = refillRecurringCredits(pool(), sub, T0).pool;
    expect(refillRecurringCredits(unused, sub, at('2025-02-28T00:00:00Z')).grant?.amount).toBe('150');
  });

  it('rolls nothing over from a voided grant', () => {
    const sub = subscription([monthly('100', { rolloverCap: '50' })]);
    let p = refillRecurringCredits(pool(), sub, T0).pool;
    p = voidGrant(p, recurringGrantId('sub-1', 'tokens', T0), T0).pool;
    expect(refillRecurringCredits(p, sub, at('2025-03-01T00:00:00Z')).grant?.amount).toBe('100');
  });

  it('carries over skipped periods as if each had been refilled on time, within the cap', () => {
    const sub = subscription([monthly('10', { rolloverCap: '25' })]);
    let p = refillRecurringCredits(pool(), sub, T0).pool;
    p = consumeCredits(p, { id: 'u', amount: 8 }, T0).pool;
    // Left 2; Feb 28 would have carried 2 (12 in all), Mar 31 would carry 12: 22 on Apr 30.
    expect(refillRecurringCredits(p, sub, at('2025-05-01T00:00:00Z')).grant?.amount).toBe('32');
    expect(refillRecurringCredits(p, sub, at('2025-09-01T00:00:00Z')).grant?.amount).toBe('35');
  });

  it('settles debt first from the refill', () => {
    const sub = subscription([monthly('100')]);
    const inDebt = consumeCredits(pool(), { id: 'u', amount: 30 }, T0 - DAY, { allowDebt: true }).pool;
    const r = refillRecurringCredits(inDebt, sub, T0);
    expect(r.entries.map((e) => [e.eventType, e.amount])).toEqual([
      ['CREDITS_GRANTED', '100'],
      ['DEBT_SETTLED', '-30'],
      ['DEBT_SETTLED', '30'],
    ]);
    expect(balance(r.pool, T0).currentBalance).toBe('70');
  });

  it('grants nothing before the anchor, without an allowance, or twice in one period', () => {
    expect(dueRecurringGrant(pool(), subscription([monthly('1')]), T0 - 1)).toBeNull();
    expect(dueRecurringGrant(pool(), subscription([]), T0)).toBeNull();
    expect(
      dueRecurringGrant(pool(), subscription([], { addons: [{ quantity: 0, entitlements: [monthly('5')] }] }), T0),
    ).toBeNull();
    const p = refillRecurringCredits(pool(), subscription([monthly('1')]), T0).pool;
    expect(dueRecurringGrant(p, subscription([monthly('1')]), T0 + 10 * DAY)).toBeNull();
    // A plan change to a yearly cadence mid-period does not fund the same instant twice.
    expect(dueRecurringGrant(p, subscription([monthly('1', { cadence: 'YEAR' })]), T0 + DAY)).toBeNull();
  });

  it('keeps each subscription and each pool apart', () => {
    const p = refillRecurringCredits(pool(), subscription([monthly('1')]), T0).pool;
    const other = refillRecurringCredits(p, subscription([monthly('2')], { subscriptionId: 'sub-2' }), T0);
    expect(other.grant?.amount).toBe('2');
    expect(refillRecurringCredits(pool('ws'), subscription([monthly('1')]), T0).grant?.resourceId).toBe('ws');
  });

  it('refills yearly on the anniversary, Feb 29 clamped to Feb 28', () => {
    const anchor = at('2024-02-29T12:00:00Z');
    const sub = subscription([monthly('5', { cadence: 'YEAR' })], { anchor });
    const g = refillRecurringCredits(pool(), sub, at('2025-06-01T00:00:00Z')).grant;
    expect([g?.effectiveAt, g?.expireAt]).toEqual([at('2025-02-28T12:00:00Z'), at('2026-02-28T12:00:00Z')]);
    expect(nextRefillAt(sub, 'tokens', at('2025-06-01T00:00:00Z'))).toBe(at('2026-02-28T12:00:00Z'));
    expect(nextRefillAt(sub, 'tokens', anchor - 1)).toBe(anchor);
    expect(nextRefillAt(sub, 'other', anchor)).toBeNull();
  });

  it('refills every cadenceIntervalCount cadences, month ends clamped from the anchor, skipped ones rolled over', () => {
    // T0 is Jan 31: every 2 months gives Mar 31, May 31, Jul 31 (flexprice date_test.go, monthly
    // "JST month-end consistency": Jan 31 + 2 months = Mar 31).
    const sub = subscription([monthly('10', { cadenceIntervalCount: 2, rolloverCap: '100' })]);
    expect(recurringAllowance('tokens', sub.plan)?.intervalCount).toBe(2);
    const first = refillRecurringCredits(pool(), sub, at('2025-03-30T00:00:00Z'));
    expect([first.grant?.effectiveAt, first.grant?.expireAt]).toEqual([T0, at('2025-03-31T00:00:00Z')]);
    expect(nextRefillAt(sub, 'tokens', T0)).toBe(at('2025-03-31T00:00:00Z'));
    // Skipping the Mar 31 refill: on Jun 1 the May 31 period carries 10 (unused) + 10 (Mar 31's allowance).
    const later = refillRecurringCredits(first.pool, sub, at('2025-06-01T00:00:00Z')).grant;
    expect([later?.effectiveAt, later?.expireAt, later?.amount]).toEqual([
      at('2025-05-31T00:00:00Z'),
      at('2025-07-31T00:00:00Z'),
      '30',
    ]);
  });
});

describe('properties', () => {
  const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2060, 0, 1) });
  const monthEndBiased = fc.oneof(
    instant,
    fc
      .record({ y: fc.integer({ min: 2000, max: 2059 }), m: fc.integer({ min: 0, max: 11 }), ms: fc.nat(DAY - 1) })
      .map(({ y, m, ms }) => Date.UTC(y, m + 1, 0) + ms),
  );
  const scenario = fc.record({
    anchor: monthEndBiased,
    amount: decimalUpTo(500),
    cap: fc.option(decimalUpTo(800), { nil: undefined }),
    cadence: fc.constantFrom('MONTH' as const, 'YEAR' as const),
    // Clock moves between refills (days) and what is consumed after each refill.
    steps: fc.array(
      fc.record({ days: fc.integer({ min: 0, max: 400 }), use: fc.option(decimalUpTo(400), { nil: null }) }),
      {
        minLength: 1,
        maxLength: 12,
      },
    ),
  });

  it('each refill funds exactly the cadence period containing now, and repeating it changes nothing', () => {
    fc.assert(
      fc.property(scenario, ({ anchor, amount, cap, cadence, steps }) => {
        const sub = subscription([{ currencyId: 'tokens', amount, cadence, rolloverCap: cap }], { anchor });
        let p: CreditPool = pool();
        let now = anchor;
        const ledger: CreditLedgerEntry[] = [];
        let n = 0;
        for (const { days, use } of steps) {
          now += days * DAY;
          const before = advancePool(p, now).pool;
          const r = refillRecurringCredits(p, sub, now);
          p = r.pool;
          ledger.push(...r.entries);
          // Idempotent at the same instant.
          const again = refillRecurringCredits(p, sub, now);
          expect(again.entries).toEqual([]);
          expect(again.grant).toBeNull();
          expect(again.pool).toEqual(p);

          const period = usagePeriod(cadence, anchor, now);
          const current = p.grants.filter((g) => g.effectiveAt <= now && g.expireAt !== null && now < g.expireAt);
          expect(current.map((g) => [g.effectiveAt, g.expireAt])).toEqual([[period.start, period.end]]);
          // Boundaries are anchor + k cadences, month ends clamped.
          const step = cadence === 'MONTH' ? 1 : 12;
          const k = Math.round((period.start - anchor) / (step * 30.436875 * DAY));
          expect([k - 1, k, k + 1].some((j) => addMonthsUtc(anchor, j * step) === period.start)).toBe(true);

          if (r.grant !== null) {
            const source = r.grant.source as SubscriptionGrantSource;
            expectDecimal(r.grant.amount, new Decimal(amount).plus(source.rolledOver).toFixed());
            if (cap === undefined) expect(source.rolledOver).toBe('0');
            else expect(new Decimal(source.rolledOver).lte(cap)).toBe(true);
            // Adjacent periods carry what was left, capped.
            const prev = before.grants.find((g) => (g.source as SubscriptionGrantSource).periodEnd === period.start);
            if (prev !== undefined && cap !== undefined) {
              const left = new Decimal(prev.amount).minus(prev.consumed);
              expectDecimal(source.rolledOver, Decimal.min(cap, left).toFixed());
            }
          }
          if (use !== null) {
            const c = consumeCredits(p, { id: `u${n++}`, amount: use }, now, { allowDebt: true });
            p = c.pool;
            ledger.push(...c.entries);
          }
          expectDecimal(sumLedger(ledger), balance(p, now).currentBalance);
        }
      }),
    );
  });
});
