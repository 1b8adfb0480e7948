import { describe, expect, it } from 'vitest';
import { setBudgets } from '../../src/governance/governance-budgets.js';
import { removeEntity, upsertEntities } from '../../src/governance/governance-entities.js';
import { emptyGovernance, type GovernanceIndex, pathToRoot } from '../../src/governance/governance-index.js';
import { ingestGovernance } from '../../src/governance/governance-ingest.js';
import {
  budget,
  expectAllotError,
  fc,
  forest,
  governance,
  HOUR,
  idsOf,
  modelPath,
  ORG,
  pairsOf,
  T0,
} from './helpers.js';

/** Expects `fn` to throw `code` and leave `index` as it was. */
function expectRefused(
  index: GovernanceIndex,
  fn: (index: GovernanceIndex) => unknown,
  code: 'ENTITY_CYCLE' | 'ENTITY_NOT_FOUND' | 'INVALID_INPUT',
) {
  const entities = new Map(index.entities);
  const children = new Map(index.children);
  const error = expectAllotError(() => fn(index), code);
  expect(index.entities).toEqual(entities);
  expect(index.children).toEqual(children);
  return error;
}

describe('upsertEntities', () => {
  it('creates a tree whose parents may come later in the batch, writing parents first', () => {
    const { index, written } = upsertEntities(
      emptyGovernance('c1'),
      [
        { entityId: 'user-1', parentId: 'team-a', type: 'USER' },
        { entityId: 'team-a', parentId: 'acme', type: 'TEAM' },
        { entityId: 'acme', displayName: 'Acme', type: 'ORGANIZATION', metadata: { plan: 'pro' } },
      ],
      T0,
    );
    expect(written.map((e) => e.entityId)).toEqual(['acme', 'team-a', 'user-1']);
    expect(written[0]).toEqual({
      ownerId: 'c1',
      entityId: 'acme',
      parentId: null,
      displayName: 'Acme',
      type: 'ORGANIZATION',
      metadata: { plan: 'pro' },
      createdAt: T0,
      updatedAt: T0,
    });
    expect(pathToRoot(index, 'user-1')).toEqual(['user-1', 'team-a', 'acme']);
    expect(index.children.get('acme')).toEqual(['team-a']);
  });

  it('updates an existing entity: keeps createdAt and every field not given', () => {
    const first = upsertEntities(
      emptyGovernance('c1'),
      [{ entityId: 'acme' }, { entityId: 'team-a', parentId: 'acme', displayName: 'A', metadata: { k: 'v' } }],
      T0,
    ).index;
    const { index, written } = upsertEntities(first, [{ entityId: 'team-a', type: 'TEAM' }], T0 + HOUR);
    expect(written).toEqual([
      {
        ownerId: 'c1',
        entityId: 'team-a',
        parentId: 'acme',
        displayName: 'A',
        type: 'TEAM',
        metadata: { k: 'v' },
        createdAt: T0,
        updatedAt: T0 + HOUR,
      },
    ]);
    const cleared = upsertEntities(index, [{ entityId: 'team-a', parentId: null, displayName: null }], T0).index;
    expect(cleared.entities.get('team-a')).toMatchObject({ parentId: null, displayName: null, type: 'TEAM' });
    expect(cleared.children.has('acme')).toBe(false);
  });

  it('moves an entity between parents and invalidates memoised paths', () => {
    const index = governance(ORG);
    expect(pathToRoot(index, 'user-1')).toEqual(['user-1', 'team-a', 'acme']);
    const moved = upsertEntities(index, [{ entityId: 'team-a', parentId: 'team-b' }], T0).index;
    expect(pathToRoot(moved, 'user-1')).toEqual(['user-1', 'team-a', 'team-b', 'acme']);
    expect(moved.children.get('acme')).toEqual(['team-b']);
    // Children list oldest first, then by id: team-a and user-3 were created together.
    expect(moved.children.get('team-b')).toEqual(['team-a', 'user-3']);
    expect(pathToRoot(index, 'user-1')).toEqual(['user-1', 'team-a', 'acme']);
  });

  it('refuses an unknown parent with ENTITY_NOT_FOUND and changes nothing', () => {
    const error = expectRefused(
      governance(ORG),
      (i) => upsertEntities(i, [{ entityId: 'team-c', parentId: 'nobody' }], T0),
      'ENTITY_NOT_FOUND',
    );
    expect(error.details).toEqual({ entityId: 'nobody', childId: 'team-c' });
  });

  it('refuses an entity twice in one batch with INVALID_INPUT', () => {
    const error = expectRefused(
      governance(ORG),
      (i) => upsertEntities(i, [{ entityId: 'x' }, { entityId: 'x' }], T0),
      'INVALID_INPUT',
    );
    expect(error.details).toEqual({ entityId: 'x', index: 1 });
  });

  it('refuses a self-parent with ENTITY_CYCLE', () => {
    const error = expectRefused(
      governance(ORG),
      (i) => upsertEntities(i, [{ entityId: 'acme', parentId: 'acme' }], T0),
      'ENTITY_CYCLE',
    );
    expect(error.details).toEqual({ entityId: 'acme', cycle: ['acme', 'acme'] });
  });

  it('refuses a two-node cycle within one batch', () => {
    const error = expectRefused(
      emptyGovernance('c1'),
      (i) =>
        upsertEntities(
          i,
          [
            { entityId: 'a', parentId: 'b' },
            { entityId: 'b', parentId: 'a' },
          ],
          T0,
        ),
      'ENTITY_CYCLE',
    );
    expect(error.details).toMatchObject({ cycle: ['a', 'b', 'a'] });
  });

  it('refuses re-parenting an entity under its own descendant', () => {
    const index = governance(ORG);
    const error = expectRefused(
      index,
      (i) => upsertEntities(i, [{ entityId: 'acme', parentId: 'user-1' }], T0),
      'ENTITY_CYCLE',
    );
    expect(error.details).toMatchObject({ cycle: ['acme', 'user-1', 'team-a', 'acme'] });
    expect(pathToRoot(index, 'user-1')).toEqual(['user-1', 'team-a', 'acme']);
  });
});

describe('removeEntity', () => {
  it('refuses a parent with children with INVALID_OPERATION', () => {
    const error = expectAllotError(() => removeEntity(governance(ORG), 'team-a'), 'INVALID_OPERATION');
    expect(error.details).toEqual({ entityId: 'team-a', children: ['user-1', 'user-2'] });
  });

  it('refuses an unknown entity with ENTITY_NOT_FOUND', () => {
    expectAllotError(() => removeEntity(governance(ORG), 'nobody'), 'ENTITY_NOT_FOUND');
  });

  it('removes a leaf with its budgets and usage and detaches it from its parent', () => {
    let index = governance(ORG, [budget('user-1', '10'), budget('user-1', '5', { capabilityId: 'seats' })]);
    index = ingestGovernance(index, [{ entityIds: ['user-1'], capabilityId: 'tokens', amount: '3' }], T0).index;
    const { index: after, removed, removedBudgets, removedUsage } = removeEntity(index, 'user-1');
    expect(removed.entityId).toBe('user-1');
    expect(removedBudgets.map((b) => b.capabilityId)).toEqual(['tokens', 'seats']);
    expect(removedUsage.map((u) => [u.entityId, u.amount])).toEqual([['user-1', '3']]);
    expect(after.entities.has('user-1')).toBe(false);
    expect(after.budgets.has('user-1')).toBe(false);
    expect(after.usage.has('user-1')).toBe(false);
    expect(after.children.get('team-a')).toEqual(['user-2']);
    expect(removeEntity(removeEntity(after, 'user-2').index, 'team-a').index.children.has('acme')).toBe(true);
    expect(index.entities.has('user-1')).toBe(true);
  });

  it('keeps the budgets of other entities', () => {
    const index = setBudgets(governance(ORG), [budget('acme', '10')], T0).index;
    expect(removeEntity(index, 'user-3').index.budgets).toBe(index.budgets);
  });
});

describe('properties', () => {
  // Random re-parenting of a random forest: each upsert names an existing id, null or nothing.
  const scenario = forest.chain((parents) => {
    const ids = idsOf(parents);
    const upsert = fc.record(
      {
        entityId: fc.constantFrom(...ids, 'new-1', 'new-2'),
        parentId: fc.option(fc.constantFrom(...ids, 'new-1', 'new-2'), { freq: 5 }),
      },
      { requiredKeys: ['entityId'] },
    );
    const batch = fc.uniqueArray(upsert, { minLength: 1, maxLength: 6, selector: (u) => u.entityId });
    return fc.tuple(fc.constant(parents), batch);
  });

  it('never leaves a cycle: it refuses with ENTITY_CYCLE exactly when the batch would make one', () => {
    fc.assert(
      fc.property(scenario, ([parents, inputs]) => {
        const index = governance(pairsOf(parents));
        // The model: the old parent map overlaid with the batch.
        const parentOf = new Map<string, string | null>(pairsOf(parents));
        for (const u of inputs)
          parentOf.set(u.entityId, u.parentId === undefined ? (parentOf.get(u.entityId) ?? null) : u.parentId);
        const unknownParent = [...parentOf.values()].some((p) => p !== null && !parentOf.has(p));
        const cyclic = [...parentOf.keys()].some((id) => {
          const seen = new Set<string>();
          for (let at: string | null | undefined = id; at != null; at = parentOf.get(at)) {
            if (seen.has(at)) return true;
            seen.add(at);
          }
          return false;
        });
        let result: ReturnType<typeof upsertEntities> | undefined;
        try {
          result = upsertEntities(index, inputs, T0);
        } catch (e) {
          const code = (e as { code?: string }).code;
          expect(
            code === 'ENTITY_NOT_FOUND' ? unknownParent : code === 'ENTITY_CYCLE' && cyclic && !unknownParent,
          ).toBe(true);
          return;
        }
        expect(cyclic || unknownParent).toBe(false);
        for (const [id] of parentOf) {
          const path = pathToRoot(result.index, id);
          expect(path).toEqual(modelPath(parentOf, id));
          expect(result.index.entities.get(path[path.length - 1] as string)?.parentId).toBeNull();
        }
        for (const [parent, kids] of result.index.children)
          expect([...kids].sort()).toEqual(
            [...parentOf]
              .filter(([, p]) => p === parent)
              .map(([id]) => id)
              .sort(),
          );
      }),
    );
  });
});
