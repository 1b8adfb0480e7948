import { describe, expect, it } from 'vitest';
import { budgetStatus, budgetUsage } from '../../src/governance/budget-status.js';
import { budgetWindow } from '../../src/governance/budget-window.js';
import { setBudgets } from '../../src/governance/governance-budgets.js';
import { type GovernanceIndex, governanceRecords, indexGovernance } from '../../src/governance/governance-index.js';
import { ingestGovernance } from '../../src/governance/governance-ingest.js';
import type { GovernanceUsageRecord } from '../../src/governance/governance-records.js';
import { Decimal } from '../../src/money/money.js';
import {
  budget,
  DAY,
  expectAllotError,
  fc,
  governance,
  HOUR,
  modelPath,
  modelUsage,
  ORG,
  pairsOf,
  runScenario,
  scenario,
  T0,
} from './helpers.js';

const usageOf = (index: ReturnType<typeof governance>, entityId: string, now = T0) => {
  const b = index.budgets.get(entityId)?.get('tokens');
  if (b === undefined) throw new Error(`no tokens budget on ${entityId}`);
  return budgetUsage(index, b, now);
};

const levels = () =>
  governance(ORG, [
    budget('user-1', '100'),
    budget('user-2', '100'),
    budget('team-a', '150', { resetPeriod: 'DAY' }),
    budget('acme', '1000', { resetPeriod: 'MONTH' }),
  ]);

describe('ingestGovernance', () => {
  it('adds the amount to every level: user, team and org', () => {
    const { index, usage } = ingestGovernance(
      levels(),
      [{ entityIds: ['user-1'], capabilityId: 'tokens', amount: '12.5' }],
      T0,
    );
    expect(usage.map((u) => [u.entityId, u.window, u.periodEnd, u.amount])).toEqual([
      ['user-1', 'all', null, '12.5'],
      ['team-a', `${T0}:${T0 + DAY}`, T0 + DAY, '12.5'],
      ['acme', `${T0}:${Date.UTC(2025, 3, 10, 9)}`, Date.UTC(2025, 3, 10, 9), '12.5'],
    ]);
    expect(['user-1', 'team-a', 'acme'].map((e) => usageOf(index, e))).toEqual(['12.5', '12.5', '12.5']);
    expect(usageOf(index, 'user-2')).toBe('0');
  });

  it('counts a shared ancestor once per event when two listed entities share it', () => {
    const { index, usage } = ingestGovernance(
      levels(),
      [{ entityIds: ['user-1', 'user-2', 'user-1'], capabilityId: 'tokens', amount: 10 }],
      T0,
    );
    expect(usage.map((u) => [u.entityId, u.amount])).toEqual([
      ['user-1', '10'],
      ['user-2', '10'],
      ['team-a', '10'],
      ['acme', '10'],
    ]);
    expect(usageOf(index, 'team-a')).toBe('10');
  });

  it('sums several events of a batch exactly, and returns each row once with its absolute amount', () => {
    const first = ingestGovernance(levels(), [{ entityIds: ['user-1'], capabilityId: 'tokens', amount: '0.1' }], T0);
    const { index, usage } = ingestGovernance(
      first.index,
      [
        { entityIds: ['user-1'], capabilityId: 'tokens', amount: '0.2' },
        { entityIds: ['user-2'], capabilityId: 'tokens', amount: '0.3' },
      ],
      T0 + HOUR,
    );
    expect(usage.map((u) => [u.entityId, u.amount])).toEqual([
      ['user-1', '0.3'],
      ['team-a', '0.6'],
      ['acme', '0.6'],
      ['user-2', '0.3'],
    ]);
    expect(usageOf(index, 'acme', T0 + HOUR)).toBe('0.6');
  });

  it('starts a DAY budget at 0 the next day, while a MONTH budget keeps counting', () => {
    const { index } = ingestGovernance(levels(), [{ entityIds: ['user-1'], capabilityId: 'tokens', amount: 40 }], T0);
    const tomorrow = T0 + DAY;
    expect(usageOf(index, 'team-a', tomorrow - 1)).toBe('40');
    expect(usageOf(index, 'team-a', tomorrow)).toBe('0');
    expect(usageOf(index, 'acme', tomorrow)).toBe('40');
    const next = ingestGovernance(index, [{ entityIds: ['user-2'], capabilityId: 'tokens', amount: 5 }], tomorrow);
    expect(usageOf(next.index, 'team-a', tomorrow)).toBe('5');
    expect(budgetStatus(next.index, next.index.budgets.get('team-a')?.get('tokens') as never, tomorrow)).toMatchObject({
      currentUsage: 5,
      periodStart: new Date(tomorrow),
    });
    // The ended window was dropped from the index when team-a's budget was next touched.
    expect([...(next.index.usage.get('team-a')?.get('tokens')?.keys() ?? [])]).toEqual([
      `${tomorrow}:${tomorrow + DAY}`,
    ]);
  });

  it('counts an event in the window current at now, never in one that has ended', () => {
    const { index } = ingestGovernance(levels(), [{ entityIds: ['user-1'], capabilityId: 'tokens', amount: 40 }], T0);
    const later = T0 + DAY + HOUR;
    const next = ingestGovernance(index, [{ entityIds: ['user-1'], capabilityId: 'tokens', amount: 2 }], later);
    expect(next.usage.map((u) => [u.entityId, u.window, u.amount])).toEqual([
      ['user-1', 'all', '42'],
      ['team-a', `${T0 + DAY}:${T0 + 2 * DAY}`, '2'],
      ['acme', `${T0}:${Date.UTC(2025, 3, 10, 9)}`, '42'],
    ]);
    expect(usageOf(next.index, 'team-a', later)).toBe('2');
    expect([...(next.index.usage.get('team-a')?.get('tokens')?.keys() ?? [])]).toEqual([`${T0 + DAY}:${T0 + 2 * DAY}`]);
  });

  it('writes a row for every touched budget, also when a store no longer loads its ended window', () => {
    const { index } = ingestGovernance(levels(), [{ entityIds: ['user-1'], capabilityId: 'tokens', amount: 40 }], T0);
    // As a store loads it the next day: without the ended team-a window.
    const stored = governanceRecords(index);
    const loaded = indexGovernance('c1', { ...stored, usage: stored.usage.filter((u) => u.entityId !== 'team-a') });
    const next = ingestGovernance(loaded, [{ entityIds: ['user-1'], capabilityId: 'tokens', amount: 2 }], T0 + DAY);
    expect(next.usage.map((u) => [u.entityId, u.window, u.amount])).toEqual([
      ['user-1', 'all', '42'],
      ['team-a', `${T0 + DAY}:${T0 + 2 * DAY}`, '2'],
      ['acme', `${T0}:${Date.UTC(2025, 3, 10, 9)}`, '42'],
    ]);
  });

  it('changes nothing for entities without a budget for the capability', () => {
    const index = levels();
    const result = ingestGovernance(
      index,
      [
        { entityIds: ['user-3'], capabilityId: 'tokens', amount: 1 },
        { entityIds: ['user-1'], capabilityId: 'seats', amount: 1 },
      ],
      T0,
    );
    const withUser3 = ingestGovernance(index, [{ entityIds: ['user-3'], capabilityId: 'tokens', amount: 1 }], T0);
    expect(withUser3.usage.map((u) => u.entityId)).toEqual(['acme']);
    expect(result.usage.map((u) => u.entityId)).toEqual(['acme']);
    const none = governance(ORG);
    expect(ingestGovernance(none, [{ entityIds: ['user-1'], capabilityId: 'tokens', amount: 1 }], T0)).toEqual({
      index: none,
      usage: [],
    });
  });

  it('validates every event before counting any: an unknown entity names the event', () => {
    const index = levels();
    const error = expectAllotError(
      () =>
        ingestGovernance(
          index,
          [
            { entityIds: ['user-1'], capabilityId: 'tokens', amount: 1 },
            { entityIds: ['user-2', 'ghost'], capabilityId: 'tokens', amount: 1 },
          ],
          T0,
        ),
      'ENTITY_NOT_FOUND',
    );
    expect(error.details).toEqual({ entityId: 'ghost', index: 1 });
    for (const amount of [0, '-1', 'NaN'])
      expectAllotError(
        () => ingestGovernance(index, [{ entityIds: ['user-1'], capabilityId: 'tokens', amount }], T0),
        'INVALID_INPUT',
      );
    expectAllotError(
      () => ingestGovernance(index, [{ entityIds: [], capabilityId: 'tokens', amount: 1 }], T0),
      'INVALID_INPUT',
    );
    expect(index.usage.size).toBe(0);
  });

  it('counts in new windows once a budget changes its reset period', () => {
    const { index } = ingestGovernance(levels(), [{ entityIds: ['user-1'], capabilityId: 'tokens', amount: 7 }], T0);
    const hourly = setBudgets(index, [budget('user-1', '100', { resetPeriod: 'HOUR', anchor: T0 + 1 })], T0 + 1).index;
    expect(usageOf(hourly, 'user-1', T0 + 1)).toBe('0');
  });
});

describe('properties', () => {
  it('every budget counts exactly the events whose paths include its entity, in its window, each once', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const parentOf = new Map(pairsOf(s.parents));
        runScenario(s, ({ index, now, events }) => {
          for (const byCapability of index.budgets.values())
            for (const b of byCapability.values())
              expect(budgetUsage(index, b, now)).toBe(modelUsage(parentOf, events, b, now).toFixed());
        });
      }),
      { numRuns: 150 },
    );
  });

  it('usage is never negative, and each changed row is its earlier amount plus what the batch added', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const parentOf = new Map(pairsOf(s.parents));
        const key = (u: GovernanceUsageRecord) => `${u.entityId}/${u.capabilityId}/${u.window}`;
        const rows = (index: GovernanceIndex) => new Map(governanceRecords(index).usage.map((u) => [key(u), u]));
        runScenario(s, ({ before, index, now, batch, ingested }) => {
          // The model's additions: each event once per budget on its paths, in the window at now.
          const added = new Map<string, Decimal>();
          for (const e of batch) {
            const onPaths = new Set(e.entityIds.flatMap((id) => modelPath(parentOf, id)));
            for (const entityId of onPaths) {
              const b = index.budgets.get(entityId)?.get(e.capabilityId);
              if (b === undefined) continue;
              const k = `${entityId}/${e.capabilityId}/${budgetWindow(b, now).key}`;
              added.set(k, (added.get(k) ?? new Decimal(0)).plus(e.amount));
            }
          }
          const prior = rows(before);
          const after = rows(index);
          for (const u of after.values()) expect(new Decimal(u.amount).gte(0)).toBe(true);
          expect(ingested.usage.map(key).sort()).toEqual([...added.keys()].sort());
          for (const u of ingested.usage) {
            const was = prior.get(key(u))?.amount ?? '0';
            expect(u.amount).toBe(new Decimal(was).plus(added.get(key(u)) as Decimal).toFixed());
            expect(after.get(key(u))).toEqual(u);
          }
          // Every other row is unchanged, or was an ended window dropped from the index.
          for (const [k, u] of prior)
            if (!added.has(k)) {
              const kept = after.get(k);
              if (kept === undefined) expect(u.periodEnd !== null && u.periodEnd <= now).toBe(true);
              else expect(kept).toEqual(u);
            }
          for (const k of after.keys()) expect(prior.has(k) || added.has(k)).toBe(true);
        });
      }),
      { numRuns: 100 },
    );
  });
});
