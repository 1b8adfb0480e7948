// The entity tree as the query API returns it: records turned into result shapes.
import { type BudgetStatus, budgetStatus } from './budget-status.js';
import { entityNotFound, type GovernanceIndex, pathToRoot } from './governance-index.js';
import type { GovernanceEntityRecord } from './governance-records.js';

/** An entity as results report it, with its children's ids; instants as Dates. */
export interface GovernanceEntity {
  entityId: string;
  parentId: string | null;
  displayName: string | null;
  type: string | null;
  metadata: Record<string, string>;
  /** Child ids, oldest entity first (then by id). */
  children: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** One entity with its path to the root and the status of each of its own budgets. */
export interface GovernanceEntityView extends GovernanceEntity {
  /** The entity first, its root last. */
  path: string[];
  budgets: BudgetStatus[];
}

/**
 * An entity with its budgets' statuses at `now`; ENTITY_NOT_FOUND when unknown.
 *
 * @example governanceEntityView(index, 'team-a', now).budgets // [{ capabilityId: 'ai-tokens', remaining: 400, ... }]
 */
export function governanceEntityView(index: GovernanceIndex, entityId: string, now: number): GovernanceEntityView {
  const entity = index.entities.get(entityId);
  if (entity === undefined) throw entityNotFound(entityId);
  return {
    ...entityShape(index, entity),
    path: [...pathToRoot(index, entityId)],
    budgets: [...(index.budgets.get(entityId)?.values() ?? [])].map((b) => budgetStatus(index, b, now)),
  };
}

/**
 * Every entity of the owner, each parent before its children (depth first from each root).
 *
 * @example listGovernanceEntities(index).map((e) => e.entityId) // ['acme', 'team-a', 'user-1', 'team-b']
 */
export function listGovernanceEntities(index: GovernanceIndex): GovernanceEntity[] {
  const out: GovernanceEntity[] = [];
  const stack = [...index.entities.values()].filter((e) => e.parentId === null).reverse();
  for (let entity = stack.pop(); entity !== undefined; entity = stack.pop()) {
    out.push(entityShape(index, entity));
    const children = index.children.get(entity.entityId) ?? [];
    for (let i = children.length - 1; i >= 0; i--) {
      const child = index.entities.get(children[i] as string);
      if (child !== undefined) stack.push(child);
    }
  }
  return out;
}

function entityShape(index: GovernanceIndex, e: GovernanceEntityRecord): GovernanceEntity {
  return {
    entityId: e.entityId,
    parentId: e.parentId,
    displayName: e.displayName,
    type: e.type,
    metadata: { ...e.metadata },
    children: [...(index.children.get(e.entityId) ?? [])],
    createdAt: new Date(e.createdAt),
    updatedAt: new Date(e.updatedAt),
  };
}
