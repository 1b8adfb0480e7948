import { describe, expect, it } from 'vitest';
import {
  entitiesOnPaths,
  governanceRecords,
  indexGovernance,
  pathToRoot,
} from '../../src/governance/governance-index.js';
import type { GovernanceEntityRecord, GovernanceRecords } from '../../src/governance/governance-records.js';
import { expectAllotError, fc, forest, governance, ORG, pairsOf, T0 } from './helpers.js';

const entity = (entityId: string, parentId: string | null, ownerId = 'c1'): GovernanceEntityRecord => ({
  ownerId,
  entityId,
  parentId,
  displayName: null,
  type: null,
  metadata: {},
  createdAt: T0,
  updatedAt: T0,
});

const records = (...entities: GovernanceEntityRecord[]): GovernanceRecords => ({ entities, budgets: [], usage: [] });

describe('indexGovernance', () => {
  it('indexes entities, children, budgets and usage, and gives the records back', () => {
    const stored: GovernanceRecords = {
      entities: [entity('acme', null), entity('team-a', 'acme'), entity('team-b', 'acme')],
      budgets: [
        {
          ownerId: 'c1',
          entityId: 'acme',
          capabilityId: 'tokens',
          limit: '10',
          resetPeriod: null,
          resetIntervalCount: 1,
          anchor: T0,
          createdAt: T0,
          updatedAt: T0,
        },
      ],
      usage: [{ ownerId: 'c1', entityId: 'acme', capabilityId: 'tokens', window: 'all', periodEnd: null, amount: '4' }],
    };
    const index = indexGovernance('c1', stored);
    expect(index.children.get('acme')).toEqual(['team-a', 'team-b']);
    expect(index.budgets.get('acme')?.get('tokens')?.limit).toBe('10');
    expect(index.usage.get('acme')?.get('tokens')?.get('all')?.amount).toBe('4');
    expect(governanceRecords(index)).toEqual(stored);
  });

  it('refuses a record of another owner', () => {
    expectAllotError(() => indexGovernance('c1', records(entity('acme', null, 'c2'))), 'INVALID_INPUT');
  });
});

describe('pathToRoot', () => {
  it('runs from the entity to its root and is memoised', () => {
    const index = governance(ORG);
    expect(pathToRoot(index, 'user-1')).toEqual(['user-1', 'team-a', 'acme']);
    expect(pathToRoot(index, 'user-1')).toBe(pathToRoot(index, 'user-1'));
    expect(pathToRoot(index, 'acme')).toEqual(['acme']);
  });

  it('throws ENTITY_NOT_FOUND naming an unknown entity or a missing ancestor', () => {
    expect(expectAllotError(() => pathToRoot(governance(ORG), 'nobody'), 'ENTITY_NOT_FOUND').details).toEqual({
      entityId: 'nobody',
    });
    const orphan = indexGovernance('c1', records(entity('team-a', 'gone')));
    expect(expectAllotError(() => pathToRoot(orphan, 'team-a'), 'ENTITY_NOT_FOUND').details).toMatchObject({
      entityId: 'gone',
    });
  });

  it('throws ENTITY_CYCLE on corrupt records instead of looping', () => {
    const corrupt = indexGovernance('c1', records(entity('a', 'b'), entity('b', 'a')));
    expect(expectAllotError(() => pathToRoot(corrupt, 'a'), 'ENTITY_CYCLE').details).toMatchObject({
      cycle: ['a', 'b', 'a'],
    });
  });
});

describe('entitiesOnPaths', () => {
  it('lists every entity once, nearest level first', () => {
    const index = governance(ORG);
    expect(entitiesOnPaths(index, ['user-1', 'user-2', 'user-3'])).toEqual([
      'user-1',
      'user-2',
      'user-3',
      'team-a',
      'team-b',
      'acme',
    ]);
    expect(entitiesOnPaths(index, ['user-1', 'acme', 'user-1'])).toEqual(['user-1', 'acme', 'team-a']);
  });
});

describe('properties', () => {
  it('a path starts at the entity, follows parents and ends at a root', () => {
    fc.assert(
      fc.property(forest, (parents) => {
        const index = governance(pairsOf(parents));
        parents.forEach((_, i) => {
          const path = pathToRoot(index, `e${i}`);
          expect(path[0]).toBe(`e${i}`);
          path.forEach((id, k) => {
            const next = path[k + 1];
            expect(index.entities.get(id)?.parentId).toBe(next ?? null);
          });
        });
      }),
    );
  });
});
