// Recurring grants, rollover rules and pool resets in the pure core, with examples taken from the
// peers' own tests (cited at each) and properties.
import { describe, expect, it } from 'vitest';
import {
  advancePool,
  balance,
  type CreditPool,
  compactPool,
  consumeCredits,
  grantCredits,
  grantRemaining,
  sumLedger,
  voidGrant,
} from '../../src/credits/credit-pool.js';
import type { CreditLedgerEntry } from '../../src/credits/credit-records.js';
import { resetPool, schedulePoolResets } from '../../src/credits/pool-resets.js';
import type { Recurrence } from '../../src/credits/recurrence.js';
import { keptAtReset, requireRolloverRule } from '../../src/credits/rollover.js';
import { Decimal } from '../../src/money/money.js';
import { at, DAY, pool as emptyPool, expectAllotError, expectDecimal, fc, grant } from './helpers.js';

const HOUR = 3_600_000;
const T1 = at('2024-01-01T00:00:00Z');
const daily = (anchor: number, intervalCount = 1): Recurrence => ({ interval: 'DAY', intervalCount, anchor });

/** Runs `steps` on a pool, keeping every ledger entry, and checks the ledger sums to the balance after each. */
class Ledgered {
  entries: CreditLedgerEntry[] = [];
  constructor(public pool: CreditPool = emptyPool()) {}
  apply<C extends { pool: CreditPool; entries: readonly CreditLedgerEntry[] }>(change: C, now: number): C {
    this.pool = compactPool(change.pool);
    this.entries.push(...change.entries);
    expectDecimal(sumLedger(this.entries), balance(this.pool, now).currentBalance);
    return change;
  }
  remainder(id: string): string {
    const g = this.pool.grants.find((x) => x.id === id);
    return g ? grantRemaining(g) : '0';
  }
}

describe('rollover rules', () => {
  it('keeps a percentage of the amount, raised to the minimum, capped at the maximum, never more than is left', () => {
    const left = (n: number) => new Decimal(n);
    expect(keptAtReset(null, '100', left(90)).toNumber()).toBe(0);
    expect(keptAtReset({}, '100', left(90)).toNumber()).toBe(90);
    expect(keptAtReset({ maxAmount: '50' }, '100', left(90)).toNumber()).toBe(50);
    expect(keptAtReset({ percentage: '25' }, '100', left(90)).toNumber()).toBe(25);
    expect(keptAtReset({ percentage: '25', minAmount: '40' }, '100', left(90)).toNumber()).toBe(40);
    expect(keptAtReset({ percentage: '25', minAmount: '40' }, '100', left(30)).toNumber()).toBe(30);
    expect(keptAtReset({ percentage: '80', maxAmount: '60' }, '100', left(90)).toNumber()).toBe(60);
    // The share is rounded down to the credit scale: 1/3 % of 1 credit is 0.0033.
    expect(keptAtReset({ percentage: '0.3333' }, '1', left(1)).toFixed()).toBe('0.0033');
  });

  it('refuses negative amounts, a percentage above 100 and a minimum above the maximum', () => {
    expectAllotError(() => requireRolloverRule({ maxAmount: -1 }), 'INVALID_INPUT');
    expectAllotError(() => requireRolloverRule({ percentage: '100.01' }), 'INVALID_INPUT');
    expectAllotError(() => requireRolloverRule({ minAmount: 5, maxAmount: 4 }), 'INVALID_INPUT');
    expect(requireRolloverRule({ minAmount: 4, maxAmount: '4.00', percentage: 0 })).toEqual({
      maxAmount: '4',
      minAmount: '4',
      percentage: '0',
    });
  });

  describe('properties', () => {
    const amount = fc.integer({ min: 1, max: 1_000_000 }).map((n) => new Decimal(n).div(100));
    const rule = fc.record(
      {
        maxAmount: fc.integer({ min: 0, max: 100_000 }).map((n) => String(n / 100)),
        minAmount: fc.integer({ min: 0, max: 100_000 }).map((n) => String(n / 100)),
        percentage: fc.integer({ min: 0, max: 10_000 }).map((n) => String(n / 100)),
      },
      { requiredKeys: [] },
    );
    it('keeps between nothing and what is left, within the maximum unless the minimum raises it', () => {
      fc.assert(
        fc.property(amount, fc.double({ min: 0, max: 1, noNaN: true }), rule, (a, share, r) => {
          const remainder = a.times(share).toDecimalPlaces(4, Decimal.ROUND_DOWN);
          const kept = keptAtReset(r, a, remainder);
          expect(kept.gte(0) && kept.lte(remainder)).toBe(true);
          if (r.maxAmount !== undefined && (r.minAmount === undefined || new Decimal(r.minAmount).lte(r.maxAmount)))
            expect(kept.lte(r.maxAmount)).toBe(true);
          if (r.minAmount !== undefined && r.percentage !== undefined && r.maxAmount === undefined)
            expect(kept.gte(Decimal.min(remainder, r.minAmount))).toBe(true);
          expect(kept.decimalPlaces()).toBeLessThanOrEqual(4);
        }),
      );
    });
  });
});

describe('recurring grants', () => {
  it('refills to the amount at each boundary, and the refill pays overage first', () => {
    // OpenMeter, openmeter/credit/engine/run_test.go "Burns down recurring grant": a grant of 100
    // recurring daily from t1, 120 used an hour in; an hour after the first recurrence it has 80.
    const l = new Ledgered();
    l.apply(grantCredits(l.pool, grant('g1', '100', { recurrence: daily(T1), expireAt: T1 + 30 * DAY }), T1), T1);
    l.apply(consumeCredits(l.pool, { id: 'use', amount: '120' }, T1 + HOUR, { allowDebt: true }), T1 + HOUR);
    expect(balance(l.pool, T1 + HOUR).debt).toBe('20');
    const next = T1 + DAY + HOUR;
    l.apply(advancePool(l.pool, next), next);
    expect(l.remainder('g1')).toBe('80');
    expect(balance(l.pool, next)).toMatchObject({ currentBalance: '80', debt: '0' });
    expect(l.entries.filter((e) => e.at === T1 + DAY).map((e) => [e.eventType, e.amount])).toEqual([
      ['CREDITS_REFILLED', '100'],
      ['DEBT_SETTLED', '-20'],
      ['DEBT_SETTLED', '20'],
    ]);
  });

  it('does not refill again when other grants change later in the period', () => {
    // OpenMeter run_test.go "Does not reapply recurrence on later activity changes": g1 (100, daily
    // from start + 1 day, priority 1) and g2 (100, priority 2, from an hour after the recurrence);
    // 30 used after the recurrence and 20 after g2 takes effect leave g1 at 50 and g2 at 100.
    const recurrence = T1 + DAY;
    const l = new Ledgered();
    l.apply(grantCredits(l.pool, grant('g1', '100', { priority: 1, recurrence: daily(recurrence) }), T1), T1);
    l.apply(grantCredits(l.pool, grant('g2', '100', { priority: 2, effectiveAt: recurrence + HOUR }), T1), T1);
    l.apply(consumeCredits(l.pool, { id: 'a', amount: '30' }, recurrence + 30 * 60_000), recurrence + 30 * 60_000);
    l.apply(consumeCredits(l.pool, { id: 'b', amount: '20' }, recurrence + 90 * 60_000), recurrence + 90 * 60_000);
    expect([l.remainder('g1'), l.remainder('g2')]).toEqual(['50', '100']);
  });

  it('waits for its first boundary after it takes effect, on a weekly grid anchored later', () => {
    // OpenMeter run_test.go "Burns down recurring grant that takes effect later after it has
    // recurred": g2 (100, weekly from t1 + 3 days, effective t1 + 1 day) uses 20 when it takes
    // effect and 20 at its first recurrence: 80 right before the next one, at t1 + 10 days.
    const l = new Ledgered();
    const weekly: Recurrence = { interval: 'WEEK', intervalCount: 1, anchor: T1 + 3 * DAY };
    l.apply(grantCredits(l.pool, grant('g2', '100', { effectiveAt: T1 + DAY, recurrence: weekly }), T1), T1);
    l.apply(consumeCredits(l.pool, { id: 'a', amount: '20' }, T1 + DAY), T1 + DAY);
    l.apply(consumeCredits(l.pool, { id: 'b', amount: '20' }, T1 + 3 * DAY), T1 + 3 * DAY);
    expect(balance(l.pool, T1 + 10 * DAY - HOUR).currentBalance).toBe('80');
    expect(balance(l.pool, T1 + 10 * DAY).currentBalance).toBe('100');
    l.apply(advancePool(l.pool, T1 + 10 * DAY), T1 + 10 * DAY);
    expect(l.entries.filter((e) => e.eventType === 'CREDITS_REFILLED').map((e) => [e.at, e.amount])).toEqual([
      [T1 + 3 * DAY, '20'],
      [T1 + 10 * DAY, '20'],
    ]);
  });

  it('stops when voided or expired, and is never let go as spent', () => {
    const l = new Ledgered();
    const g = grant('g1', '10', { recurrence: daily(T1), expireAt: T1 + 3 * DAY + HOUR });
    l.apply(grantCredits(l.pool, g, T1), T1);
    l.apply(consumeCredits(l.pool, { id: 'a', amount: '10' }, T1 + HOUR), T1 + HOUR);
    expect(l.pool.grants.map((x) => x.id)).toEqual(['g1']);
    expect(balance(l.pool, T1 + 2 * DAY)).toMatchObject({ currentBalance: '10', nextChangeAt: T1 + 3 * DAY + HOUR });
    // Expired: no refill after expireAt.
    expect(balance(l.pool, T1 + 5 * DAY).currentBalance).toBe('0');
    // Voided on day 1: nothing comes back.
    const v = new Ledgered();
    v.apply(grantCredits(v.pool, g, T1), T1);
    v.apply(consumeCredits(v.pool, { id: 'a', amount: '4' }, T1 + HOUR), T1 + HOUR);
    v.apply(voidGrant(v.pool, 'g1', T1 + 2 * HOUR), T1 + 2 * HOUR);
    expect(balance(v.pool, T1 + 2 * DAY).currentBalance).toBe('0');
  });

  it('counts its interval: every 3 days from the anchor', () => {
    const l = new Ledgered();
    l.apply(grantCredits(l.pool, grant('g1', '10', { recurrence: daily(T1, 3) }), T1), T1);
    l.apply(consumeCredits(l.pool, { id: 'a', amount: '10' }, T1 + HOUR), T1 + HOUR);
    expect(balance(l.pool, T1 + 3 * DAY - 1)).toMatchObject({ currentBalance: '0', nextChangeAt: T1 + 3 * DAY });
    expect(balance(l.pool, T1 + 3 * DAY).currentBalance).toBe('10');
  });
});

describe('pool resets', () => {
  it('rolls each grant over to its maximum', () => {
    // OpenMeter, openmeter/credit/engine/reset_test.go "Should reset roll over grant balance after
    // one reset": a grant of 100 with ResetMaxRollover 50, 10 used: min(50, max(0, 90)) = 50.
    const l = new Ledgered();
    l.apply(grantCredits(l.pool, grant('g1', '100', { priority: 1, rollover: { maxAmount: '50' } }), T1), T1);
    l.apply(consumeCredits(l.pool, { id: 'use', amount: '10' }, T1 + HOUR), T1 + HOUR);
    const reset = l.apply(resetPool(l.pool, { id: 'r1' }, T1 + 5 * HOUR), T1 + 5 * HOUR);
    expect(l.remainder('g1')).toBe('50');
    expect(reset.summary).toEqual({ rolledOver: '50', forfeited: '40', debtForgiven: '0', debt: '0' });
    expect(reset.entries.map((e) => [e.eventType, e.grantId, e.amount])).toEqual([['CREDITS_RESET', 'g1', '-40']]);
  });

  it('keeps nothing of a grant without a rule unless the reset gives one, and forgives or carries debt', () => {
    const l = new Ledgered();
    l.apply(grantCredits(l.pool, grant('own', '100', { rollover: { percentage: '10' } }), T1), T1);
    l.apply(grantCredits(l.pool, grant('bare', '30', { priority: 1 }), T1), T1);
    l.apply(resetPool(l.pool, { id: 'r1' }, T1 + HOUR), T1 + HOUR);
    expect([l.remainder('own'), l.remainder('bare')]).toEqual(['10', '0']);
    l.apply(grantCredits(l.pool, grant('late', '30', { priority: 1 }), T1 + HOUR), T1 + HOUR);
    l.apply(resetPool(l.pool, { id: 'r2', rollover: { maxAmount: '20' } }, T1 + 2 * HOUR), T1 + 2 * HOUR);
    expect([l.remainder('own'), l.remainder('late')]).toEqual(['10', '20']);
    // Overage: 45 used of 30 leaves 15 of debt; carried by default, forgiven on request.
    l.apply(consumeCredits(l.pool, { id: 'big', amount: '45' }, T1 + 3 * HOUR, { allowDebt: true }), T1 + 3 * HOUR);
    const carried = l.apply(resetPool(l.pool, { id: 'r3' }, T1 + 4 * HOUR), T1 + 4 * HOUR);
    expect(carried.summary).toMatchObject({ debtForgiven: '0', debt: '15' });
    const forgiven = l.apply(resetPool(l.pool, { id: 'r4', overage: 'FORGIVE' }, T1 + 5 * HOUR), T1 + 5 * HOUR);
    expect(forgiven.summary).toMatchObject({ debtForgiven: '15', debt: '0' });
    expect(forgiven.entries.map((e) => [e.eventType, e.grantId, e.amount])).toEqual([['DEBT_FORGIVEN', null, '15']]);
  });

  it('preserved overage is repaid first by the next refill', () => {
    // OpenMeter reset_test.go "Should carry over overage to next period": 110 used of a grant of
    // 100 leaves 10 of overage, preserved across the reset. OpenMeter's minimum rollover refills the
    // grant to 50 at the reset, which then repays it (40 left); allot's never adds credits, so the
    // recurring grant's refill at the next boundary repays it: 50 of it, less the 10, is 40.
    const l = new Ledgered();
    l.apply(grantCredits(l.pool, grant('g1', '50', { recurrence: daily(T1) }), T1), T1);
    l.apply(consumeCredits(l.pool, { id: 'use', amount: '60' }, T1 + HOUR, { allowDebt: true }), T1 + HOUR);
    l.apply(
      resetPool(l.pool, { id: 'r1', overage: 'CARRY', rollover: { maxAmount: '50' } }, T1 + 5 * HOUR),
      T1 + 5 * HOUR,
    );
    expect(balance(l.pool, T1 + 5 * HOUR).debt).toBe('10');
    l.apply(advancePool(l.pool, T1 + DAY), T1 + DAY);
    expect(balance(l.pool, T1 + DAY)).toMatchObject({ currentBalance: '40', debt: '0' });
  });

  it('resets on a schedule, and a reset by hand keeps or moves its anchor', () => {
    // OpenMeter, openmeter/entitlement/metered/reset_test.go "Should reseting without anchor update
    // keeps the next reset time intact" and "... with anchor update updates the next reset time too":
    // daily usage periods anchored an hour after the start, reset 5 hours after the start.
    const S = T1;
    const rules = { recurrence: daily(S + HOUR), rollover: null, overage: 'FORGIVE' as const };
    const kept = new Ledgered();
    kept.apply(grantCredits(kept.pool, grant('g1', '100', { recurrence: daily(S + HOUR) }), S), S);
    kept.apply(schedulePoolResets(kept.pool, rules, S), S);
    kept.apply(resetPool(kept.pool, { id: 'r1' }, S + 5 * HOUR), S + 5 * HOUR);
    expect(kept.pool.schedule).toMatchObject({ recurrence: { anchor: S + HOUR } });
    const moved = new Ledgered(kept.pool);
    moved.apply(resetPool(moved.pool, { id: 'r2', moveAnchor: true }, S + 5 * HOUR), S + 5 * HOUR);
    expect(moved.pool.schedule).toMatchObject({ recurrence: { anchor: S + 5 * HOUR } });
    // The refill at S + 25h restores the grant; the scheduled reset at that instant takes nothing from it.
    kept.apply(advancePool(kept.pool, S + 25 * HOUR), S + 25 * HOUR);
    expect(kept.remainder('g1')).toBe('100');
    expect(kept.entries.filter((e) => e.at === S + 25 * HOUR).map((e) => e.eventType)).toEqual(['CREDITS_REFILLED']);
    // With the anchor moved, the pool resets at S + 29h instead: the grant refilled at S + 25h is cut.
    expect(balance(moved.pool, S + 25 * HOUR)).toMatchObject({ currentBalance: '100', nextChangeAt: S + 29 * HOUR });
    expect(balance(moved.pool, S + 29 * HOUR).currentBalance).toBe('0');
  });
});

describe('properties', () => {
  /** Commands on one pool: grants (some recurring, some with rules), consumptions, voids, resets and time. */
  const amount = fc.integer({ min: 1, max: 200 }).map(String);
  const rule = fc.option(
    fc.record(
      {
        maxAmount: fc.integer({ min: 0, max: 100 }).map(String),
        minAmount: fc.integer({ min: 0, max: 20 }).map(String),
        percentage: fc.integer({ min: 0, max: 100 }).map(String),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  );
  const command = fc.oneof(
    fc.record({
      kind: fc.constant('grant' as const),
      amount,
      recurring: fc.option(fc.tuple(fc.constantFrom('HOUR', 'DAY', 'WEEK', 'MONTH'), fc.integer({ min: 1, max: 3 })), {
        nil: undefined,
      }),
      rollover: rule,
      priority: fc.integer({ min: 0, max: 2 }),
      effectiveIn: fc.constantFrom(0, 0, HOUR, 2 * DAY),
      expireIn: fc.constantFrom(null, null, 3 * DAY, 20 * DAY),
    }),
    fc.record({ kind: fc.constant('consume' as const), amount, debt: fc.boolean() }),
    fc.record({ kind: fc.constant('void' as const), pick: fc.nat(20) }),
    fc.record({ kind: fc.constant('reset' as const), rollover: rule, forgive: fc.boolean(), moveAnchor: fc.boolean() }),
    fc.record({
      kind: fc.constant('schedule' as const),
      interval: fc.constantFrom('HOUR', 'DAY', 'WEEK'),
      intervalCount: fc.integer({ min: 1, max: 3 }),
      rollover: rule,
      forgive: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.integer({ min: 1, max: 4 * 24 }).map((h) => h * HOUR + 17),
    }),
  );

  it('a reset never creates credits, and the ledger sums to the balance through any sequence', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 30 }), (commands) => {
        let now = T1;
        const l = new Ledgered();
        const ids: string[] = [];
        commands.forEach((c, i) => {
          if (c.kind === 'advance') {
            now += c.ms;
            // Half the time the pool is brought to now and stored; a later read must not care.
            if (i % 2 === 0) l.apply(advancePool(l.pool, now), now);
          } else if (c.kind === 'grant') {
            const id = `g${i}`;
            ids.push(id);
            const effectiveAt = now + c.effectiveIn;
            l.apply(
              grantCredits(
                l.pool,
                grant(id, c.amount, {
                  priority: c.priority,
                  effectiveAt,
                  expireAt: c.expireIn === null ? null : effectiveAt + c.expireIn,
                  ...(c.recurring
                    ? {
                        recurrence: {
                          interval: c.recurring[0] as 'DAY',
                          intervalCount: c.recurring[1],
                          anchor: now - 7 * HOUR,
                        },
                      }
                    : {}),
                  ...(c.rollover ? { rollover: fixRule(c.rollover) } : {}),
                }),
                now,
              ),
              now,
            );
          } else if (c.kind === 'consume') {
            try {
              l.apply(consumeCredits(l.pool, { id: `c${i}`, amount: c.amount }, now, { allowDebt: c.debt }), now);
            } catch {
              expect(c.debt).toBe(false);
            }
          } else if (c.kind === 'void') {
            const id = ids[c.pick % Math.max(1, ids.length)];
            const held = l.pool.grants.find((g) => g.id === id && g.voidedAt === null && g.expiredAt === null);
            if (held && (held.expireAt === null || held.expireAt > now)) l.apply(voidGrant(l.pool, held.id, now), now);
          } else if (c.kind === 'reset') {
            const before = balance(l.pool, now);
            const advanced = advancePool(l.pool, now).pool;
            const left = advanced.grants
              .filter((g) => g.activatedAt !== null)
              .reduce((s, g) => s.plus(grantRemaining(g)), new Decimal(0));
            const change = l.apply(
              resetPool(
                l.pool,
                {
                  id: `r${i}`,
                  overage: c.forgive ? 'FORGIVE' : 'CARRY',
                  moveAnchor: c.moveAnchor,
                  ...(c.rollover ? { rollover: fixRule(c.rollover) } : {}),
                },
                now,
              ),
              now,
            );
            const after = balance(l.pool, now);
            const s = change.summary;
            // What the grants kept is at most what they had; debt is only ever forgiven.
            expect(new Decimal(s.rolledOver).plus(s.forfeited).eq(left)).toBe(true);
            expect(new Decimal(after.currentBalance).lte(new Decimal(before.currentBalance).plus(s.debtForgiven))).toBe(
              true,
            );
            expect(new Decimal(s.debt).plus(s.debtForgiven).eq(before.debt)).toBe(true);
          } else {
            l.apply(
              schedulePoolResets(
                l.pool,
                {
                  recurrence: { interval: c.interval as 'DAY', intervalCount: c.intervalCount, anchor: now + 5 * HOUR },
                  rollover: c.rollover ? fixRule(c.rollover) : null,
                  overage: c.forgive ? 'FORGIVE' : 'CARRY',
                },
                now,
              ),
              now,
            );
          }
          for (const g of l.pool.grants) expect(new Decimal(g.consumed).lte(g.amount)).toBe(true);
        });
      }),
      { numRuns: 150 },
    );
  });
});

/** A generated rule made valid: the minimum not above the maximum. */
function fixRule(r: { maxAmount?: string; minAmount?: string; percentage?: string }) {
  return r.maxAmount !== undefined && r.minAmount !== undefined && Number(r.minAmount) > Number(r.maxAmount)
    ? { ...r, minAmount: r.maxAmount }
    : r;
}
