// Changes to an owner's entity tree. Every batch is validated whole before the new index is built,
// so a refused batch changes nothing, and no accepted batch can leave a cycle behind.
import { AllotError } from '../errors.js';
import { childrenOf, entityCycle, entityNotFound, type GovernanceIndex } from './governance-index.js';
import type { GovernanceBudgetRecord, GovernanceEntityRecord, GovernanceUsageRecord } from './governance-records.js';

/**
 * An entity to create or update. Omitted fields keep an existing entity's values (a new one gets
 * null, a root, or empty metadata); `metadata` replaces the whole map.
 */
export interface EntityUpsert {
  readonly entityId: string;
  /** Null makes the entity a root; an id must name an existing entity or one of the same batch. */
  readonly parentId?: string | null;
  readonly displayName?: string | null;
  readonly type?: string | null;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The index after an upsert, and the entity records to write, every parent before its children. */
export interface EntitiesUpserted {
  readonly index: GovernanceIndex;
  readonly written: readonly GovernanceEntityRecord[];
}

/** The index after a removal, and every row to delete: the entity, its budgets and their usage. */
export interface EntityRemoved {
  readonly index: GovernanceIndex;
  readonly removed: GovernanceEntityRecord;
  readonly removedBudgets: readonly GovernanceBudgetRecord[];
  /** The usage the index held; the store should delete every usage row of the entity. */
  readonly removedUsage: readonly GovernanceUsageRecord[];
}

/**
 * Creates or updates entities, all or nothing. A parent may come from the index or from anywhere in
 * the batch. Refuses a repeated entity id (INVALID_INPUT), an unknown parent (ENTITY_NOT_FOUND,
 * `details.entityId` the parent, `details.childId` the child) and any cycle, including a
 * self-parent or one formed by re-parenting (ENTITY_CYCLE, `details.cycle` child to parent).
 * An updated entity keeps its `createdAt`.
 *
 * @example
 * upsertEntities(index, [{ entityId: 'acme', type: 'ORGANIZATION' }, { entityId: 'team-a', parentId: 'acme' }], now)
 * // written: [acme, team-a]
 */
export function upsertEntities(index: GovernanceIndex, inputs: readonly EntityUpsert[], now: number): EntitiesUpserted {
  const batch = new Map<string, GovernanceEntityRecord>();
  inputs.forEach((input, i) => {
    if (batch.has(input.entityId))
      throw new AllotError('INVALID_INPUT', `entity ${input.entityId} appears twice in one batch`, {
        details: { entityId: input.entityId, index: i },
      });
    batch.set(input.entityId, merged(index, input, now));
  });
  const parentOf = (entityId: string) => (batch.get(entityId) ?? index.entities.get(entityId))?.parentId ?? null;
  for (const { entityId, parentId } of batch.values())
    if (parentId !== null && !batch.has(parentId) && !index.entities.has(parentId))
      throw entityNotFound(parentId, { childId: entityId });
  refuseCycles(batch.keys(), parentOf);

  const written = parentsFirst(batch);
  const entities = new Map(index.entities);
  for (const record of written) entities.set(record.entityId, record);
  // Rebuilt as a load builds it, so a warm tree lists children exactly as a reloaded one does.
  return { index: { ...index, entities, children: childrenOf(entities.values()) }, written };
}

/**
 * Removes an entity with its budgets and usage. Refuses an unknown entity (ENTITY_NOT_FOUND) and
 * one with children (INVALID_OPERATION, `details.children` their ids): remove or re-parent them first.
 *
 * @example removeEntity(index, 'user-1').removedBudgets // user-1's budgets, for the caller to delete
 */
export function removeEntity(index: GovernanceIndex, entityId: string): EntityRemoved {
  const removed = index.entities.get(entityId);
  if (removed === undefined) throw entityNotFound(entityId);
  const kids = index.children.get(entityId) ?? [];
  if (kids.length > 0)
    throw new AllotError(
      'INVALID_OPERATION',
      `entity ${entityId} has ${kids.length} children; remove or re-parent them first`,
      { details: { entityId, children: [...kids] } },
    );
  const entities = new Map(index.entities);
  entities.delete(entityId);
  const children = new Map(index.children);
  if (removed.parentId !== null) detach(children, removed.parentId, entityId);
  const removedBudgets = [...(index.budgets.get(entityId)?.values() ?? [])];
  const removedUsage = [...(index.usage.get(entityId)?.values() ?? [])].flatMap((windows) => [...windows.values()]);
  return {
    index: {
      ...index,
      entities,
      children,
      budgets: without(index.budgets, entityId),
      usage: without(index.usage, entityId),
    },
    removed,
    removedBudgets,
    removedUsage,
  };
}

function merged(index: GovernanceIndex, input: EntityUpsert, now: number): GovernanceEntityRecord {
  const old = index.entities.get(input.entityId);
  return {
    ownerId: index.ownerId,
    entityId: input.entityId,
    parentId: input.parentId === undefined ? (old?.parentId ?? null) : input.parentId,
    displayName: input.displayName === undefined ? (old?.displayName ?? null) : input.displayName,
    type: input.type === undefined ? (old?.type ?? null) : input.type,
    metadata: input.metadata === undefined ? (old?.metadata ?? {}) : { ...input.metadata },
    createdAt: old?.createdAt ?? now,
    updatedAt: now,
  };
}

// Walks up from every changed entity until a root or an entity already known to reach one. The old
// tree had no cycle, so any new one passes through a changed entity and some walk meets it.
function refuseCycles(changed: Iterable<string>, parentOf: (entityId: string) => string | null): void {
  const rooted = new Set<string>();
  for (const start of changed) {
    const walk: string[] = [];
    const onWalk = new Set<string>();
    for (let at: string | null = start; at !== null && !rooted.has(at); at = parentOf(at)) {
      if (onWalk.has(at)) throw entityCycle([...walk.slice(walk.indexOf(at)), at]);
      onWalk.add(at);
      walk.push(at);
    }
    for (const entityId of walk) rooted.add(entityId);
  }
}

// A store with a foreign key on parentId can write the records in this order.
function parentsFirst(batch: ReadonlyMap<string, GovernanceEntityRecord>): GovernanceEntityRecord[] {
  const out: GovernanceEntityRecord[] = [];
  const placed = new Set<string>();
  for (const record of batch.values()) {
    const chain: GovernanceEntityRecord[] = [];
    for (let r: GovernanceEntityRecord | undefined = record; r !== undefined && !placed.has(r.entityId); ) {
      placed.add(r.entityId);
      chain.push(r);
      r = r.parentId === null ? undefined : batch.get(r.parentId);
    }
    for (let i = chain.length - 1; i >= 0; i--) out.push(chain[i] as GovernanceEntityRecord);
  }
  return out;
}

function detach(children: Map<string, readonly string[]>, parentId: string, childId: string): void {
  const rest = (children.get(parentId) ?? []).filter((c) => c !== childId);
  if (rest.length > 0) children.set(parentId, rest);
  else children.delete(parentId);
}

function without<V>(map: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> {
  if (!map.has(key)) return map;
  const copy = new Map(map);
  copy.delete(key);
  return copy;
}
