import { describe, expect, it } from 'vitest';
import { upsertEntities } from '../../src/governance/governance-entities.js';
import { ingestGovernance } from '../../src/governance/governance-ingest.js';
import { governanceEntityView, listGovernanceEntities } from '../../src/governance/governance-view.js';
import { budget, expectAllotError, fc, forest, governance, ORG, pairsOf, T0 } from './helpers.js';

describe('governanceEntityView', () => {
  it('shows the entity, its path and its own budgets at now', () => {
    let index = governance(ORG, [budget('team-a', '100'), budget('team-a', '3', { capabilityId: 'seats' })]);
    index = upsertEntities(index, [{ entityId: 'team-a', displayName: 'Team A', metadata: { cost: 'c-1' } }], T0).index;
    index = ingestGovernance(index, [{ entityIds: ['user-2'], capabilityId: 'tokens', amount: '60' }], T0).index;
    expect(governanceEntityView(index, 'team-a', T0)).toEqual({
      entityId: 'team-a',
      parentId: 'acme',
      displayName: 'Team A',
      type: null,
      metadata: { cost: 'c-1' },
      children: ['user-1', 'user-2'],
      createdAt: new Date(T0),
      updatedAt: new Date(T0),
      path: ['team-a', 'acme'],
      budgets: [
        {
          entityId: 'team-a',
          capabilityId: 'tokens',
          limit: 100,
          currentUsage: 60,
          remaining: 40,
          resetPeriod: null,
          resetIntervalCount: 1,
          periodStart: null,
          periodEnd: null,
        },
        {
          entityId: 'team-a',
          capabilityId: 'seats',
          limit: 3,
          currentUsage: 0,
          remaining: 3,
          resetPeriod: null,
          resetIntervalCount: 1,
          periodStart: null,
          periodEnd: null,
        },
      ],
    });
  });

  it('throws ENTITY_NOT_FOUND for an unknown entity', () => {
    expectAllotError(() => governanceEntityView(governance(ORG), 'ghost', T0), 'ENTITY_NOT_FOUND');
  });
});

describe('listGovernanceEntities', () => {
  it('lists the tree depth first, each entity with its parent and children', () => {
    const list = listGovernanceEntities(governance(ORG));
    expect(list.map((e) => [e.entityId, e.parentId, e.children])).toEqual([
      ['acme', null, ['team-a', 'team-b']],
      ['team-a', 'acme', ['user-1', 'user-2']],
      ['user-1', 'team-a', []],
      ['user-2', 'team-a', []],
      ['team-b', 'acme', ['user-3']],
      ['user-3', 'team-b', []],
    ]);
  });
});

describe('properties', () => {
  it('lists every entity once, each parent before its children', () => {
    fc.assert(
      fc.property(forest, (parents) => {
        const list = listGovernanceEntities(governance(pairsOf(parents)));
        expect(list.map((e) => e.entityId).sort()).toEqual(
          pairsOf(parents)
            .map(([id]) => id)
            .sort(),
        );
        const position = new Map(list.map((e, i) => [e.entityId, i]));
        for (const e of list)
          if (e.parentId !== null) expect(position.get(e.parentId)).toBeLessThan(position.get(e.entityId) as number);
      }),
    );
  });
});
