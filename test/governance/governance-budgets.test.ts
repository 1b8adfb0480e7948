import { describe, expect, it } from 'vitest';
import { budgetStatus, budgetUsage } from '../../src/governance/budget-status.js';
import { budgetWindow } from '../../src/governance/budget-window.js';
import { removeBudget, setBudgets } from '../../src/governance/governance-budgets.js';
import { ingestGovernance } from '../../src/governance/governance-ingest.js';
import { at, budget, DAY, expectAllotError, fc, governance, HOUR, ORG, T0 } from './helpers.js';

const tokensOf = (index: ReturnType<typeof governance>, entityId: string) => {
  const b = index.budgets.get(entityId)?.get('tokens');
  if (b === undefined) throw new Error(`no tokens budget on ${entityId}`);
  return b;
};

describe('setBudgets', () => {
  it('creates a budget anchored now, with a normalised limit and no reset by default', () => {
    const { index, written } = setBudgets(governance(ORG), [budget('acme', '100.50')], T0);
    expect(written).toEqual([
      {
        ownerId: 'c1',
        entityId: 'acme',
        capabilityId: 'tokens',
        limit: '100.5',
        resetPeriod: null,
        resetIntervalCount: 1,
        anchor: T0,
        createdAt: T0,
        updatedAt: T0,
      },
    ]);
    expect(tokensOf(index, 'acme')).toBe(written[0]);
  });

  it('replaces a budget keeping createdAt and the anchor unless one is given', () => {
    const first = setBudgets(governance(ORG), [budget('acme', '10', { resetPeriod: 'DAY' })], T0).index;
    const kept = setBudgets(first, [budget('acme', '20', { resetPeriod: 'WEEK' })], T0 + HOUR).written[0];
    expect(kept).toMatchObject({ limit: '20', resetPeriod: 'WEEK', anchor: T0, createdAt: T0, updatedAt: T0 + HOUR });
    const moved = setBudgets(first, [budget('acme', '20', { anchor: T0 - DAY })], T0 + HOUR).written[0];
    expect(moved).toMatchObject({ anchor: T0 - DAY, resetPeriod: null, createdAt: T0 });
  });

  it('keeps other capabilities and entities of the index untouched', () => {
    const first = setBudgets(governance(ORG), [budget('acme', '10'), budget('team-a', '5')], T0).index;
    const next = setBudgets(first, [budget('acme', '3', { capabilityId: 'seats' })], T0).index;
    expect([...(next.budgets.get('acme')?.keys() ?? [])]).toEqual(['tokens', 'seats']);
    expect(next.budgets.get('team-a')).toBe(first.budgets.get('team-a'));
    expect(first.budgets.get('acme')?.has('seats')).toBe(false);
  });

  it('refuses an unknown entity, a repeated budget, a negative limit or a bad period, applying nothing', () => {
    const index = governance(ORG);
    const ok = budget('acme', '1');
    expect(
      expectAllotError(() => setBudgets(index, [ok, budget('nobody', '1')], T0), 'ENTITY_NOT_FOUND').details,
    ).toEqual({
      entityId: 'nobody',
      index: 1,
    });
    expectAllotError(() => setBudgets(index, [ok, ok], T0), 'INVALID_INPUT');
    expectAllotError(() => setBudgets(index, [budget('acme', '-1')], T0), 'INVALID_INPUT');
    expectAllotError(() => setBudgets(index, [budget('acme', 'lots')], T0), 'INVALID_INPUT');
    // @ts-expect-error: a reset period outside the enum, as an untyped caller could send.
    expectAllotError(() => setBudgets(index, [budget('acme', '1', { resetPeriod: 'FORTNIGHT' })], T0), 'INVALID_INPUT');
    expectAllotError(() => setBudgets(index, [budget('acme', '1', { anchor: Number.NaN })], T0), 'INVALID_INPUT');
    for (const resetIntervalCount of [0, 1.5, 1001])
      expectAllotError(
        () => setBudgets(index, [budget('acme', '1', { resetPeriod: 'DAY', resetIntervalCount })], T0),
        'INVALID_INPUT',
      );
    // A count with nothing to count.
    expectAllotError(() => setBudgets(index, [budget('acme', '1', { resetIntervalCount: 2 })], T0), 'INVALID_INPUT');
    expect(index.budgets.size).toBe(0);
  });

  it('keeps an interval count, 1 unless given, and a window spans that many periods', () => {
    const { index, written } = setBudgets(
      governance(ORG),
      [
        budget('acme', '10', { resetPeriod: 'WEEK', resetIntervalCount: 2 }),
        budget('team-a', '10', { resetPeriod: 'WEEK' }),
      ],
      T0,
    );
    expect(written.map((b) => b.resetIntervalCount)).toEqual([2, 1]);
    expect(budgetStatus(index, tokensOf(index, 'acme'), T0)).toMatchObject({
      resetIntervalCount: 2,
      periodStart: new Date(T0),
      periodEnd: new Date(T0 + 14 * DAY),
    });
  });
});

describe('removeBudget', () => {
  it('removes the budget and its usage', () => {
    let index = governance(ORG, [budget('acme', '10'), budget('acme', '1', { capabilityId: 'seats' })]);
    index = ingestGovernance(index, [{ entityIds: ['acme'], capabilityId: 'tokens', amount: 4 }], T0).index;
    const { index: after, removed, removedUsage } = removeBudget(index, 'acme', 'tokens');
    expect(removed.limit).toBe('10');
    expect(removedUsage.map((u) => u.amount)).toEqual(['4']);
    expect(after.budgets.get('acme')?.has('tokens')).toBe(false);
    expect(after.usage.has('acme')).toBe(false);
    expect(removeBudget(after, 'acme', 'seats').index.budgets.has('acme')).toBe(false);
  });

  it('refuses a missing budget with BUDGET_NOT_FOUND', () => {
    const index = governance(ORG, [budget('acme', '10')]);
    expect(expectAllotError(() => removeBudget(index, 'acme', 'seats'), 'BUDGET_NOT_FOUND').details).toEqual({
      entityId: 'acme',
      capabilityId: 'seats',
    });
    expectAllotError(() => removeBudget(index, 'team-a', 'tokens'), 'BUDGET_NOT_FOUND');
  });
});

describe('budgetWindow', () => {
  it('is all time for a budget that never resets', () => {
    expect(budgetWindow({ resetPeriod: null, resetIntervalCount: 1, anchor: T0 }, T0 + 400 * DAY)).toEqual({
      key: 'all',
      periodStart: null,
      periodEnd: null,
    });
  });

  it('counts boundaries from the anchor', () => {
    const anchor = at('2025-01-01T06:00:00Z');
    const w = budgetWindow({ resetPeriod: 'DAY', resetIntervalCount: 1, anchor }, at('2025-01-03T01:00:00Z'));
    expect(w).toEqual({
      key: `${at('2025-01-02T06:00:00Z')}:${at('2025-01-03T06:00:00Z')}`,
      periodStart: at('2025-01-02T06:00:00Z'),
      periodEnd: at('2025-01-03T06:00:00Z'),
    });
    const month = budgetWindow(
      { resetPeriod: 'MONTH', resetIntervalCount: 1, anchor: at('2025-01-31T00:00:00Z') },
      at('2025-03-01T00:00:00Z'),
    );
    expect([month.periodStart, month.periodEnd]).toEqual([at('2025-02-28T00:00:00Z'), at('2025-03-31T00:00:00Z')]);
  });
});

describe('budgetStatus', () => {
  it('reports limit, usage and remaining as numbers and the window as Dates', () => {
    let index = governance(ORG, [budget('team-a', '10', { resetPeriod: 'DAY' })]);
    index = ingestGovernance(index, [{ entityIds: ['user-1'], capabilityId: 'tokens', amount: '0.1' }], T0).index;
    index = ingestGovernance(index, [{ entityIds: ['user-2'], capabilityId: 'tokens', amount: '0.2' }], T0).index;
    const b = tokensOf(index, 'team-a');
    expect(budgetUsage(index, b, T0)).toBe('0.3');
    expect(budgetStatus(index, b, T0)).toEqual({
      entityId: 'team-a',
      capabilityId: 'tokens',
      limit: 10,
      currentUsage: 0.3,
      remaining: 9.7,
      resetPeriod: 'DAY',
      resetIntervalCount: 1,
      periodStart: new Date(T0),
      periodEnd: new Date(T0 + DAY),
    });
  });

  it('never reports a negative remaining when usage passed a lowered limit', () => {
    let index = governance(ORG, [budget('acme', '10')]);
    index = ingestGovernance(index, [{ entityIds: ['acme'], capabilityId: 'tokens', amount: 8 }], T0).index;
    index = setBudgets(index, [budget('acme', '5')], T0).index;
    expect(budgetStatus(index, tokensOf(index, 'acme'), T0)).toMatchObject({ currentUsage: 8, remaining: 0 });
  });
});

describe('properties', () => {
  it('a window contains its instant and spans its interval count of periods', () => {
    const period = fc.constantFrom('HOUR', 'DAY', 'WEEK', 'MONTH', 'YEAR') as fc.Arbitrary<
      'HOUR' | 'DAY' | 'WEEK' | 'MONTH' | 'YEAR'
    >;
    const instant = fc.integer({ min: at('2000-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z') });
    fc.assert(
      fc.property(period, fc.integer({ min: 1, max: 24 }), instant, instant, (resetPeriod, count, anchor, now) => {
        const rule = { resetPeriod, resetIntervalCount: count, anchor };
        const w = budgetWindow(rule, now);
        expect(w.periodStart).not.toBeNull();
        expect(w.periodStart as number).toBeLessThanOrEqual(now);
        expect(w.periodEnd as number).toBeGreaterThan(now);
        expect(w.key).toBe(`${w.periodStart}:${w.periodEnd}`);
        expect(budgetWindow(rule, w.periodStart as number)).toEqual(w);
        expect(budgetWindow(rule, (w.periodEnd as number) - 1)).toEqual(w);
        expect(budgetWindow(rule, w.periodEnd as number).periodStart).toBe(w.periodEnd);
      }),
    );
  });
});
