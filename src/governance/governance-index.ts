// One owner's governance records indexed for lookups: every pure governance function reads this
// and returns a new one. Never mutated; an operation shares every map it did not change.
import { AllotError } from '../errors.js';
import type {
  GovernanceBudgetRecord,
  GovernanceEntityRecord,
  GovernanceRecords,
  GovernanceUsageRecord,
} from './governance-records.js';

/** Usage records by window key. */
export type UsageWindows = ReadonlyMap<string, GovernanceUsageRecord>;

/** One owner's entities, budgets and usage, indexed. Build it with {@link indexGovernance}. */
export interface GovernanceIndex {
  readonly ownerId: string;
  /** Entities by id. */
  readonly entities: ReadonlyMap<string, GovernanceEntityRecord>;
  /** Child ids by parent id, oldest first (then by id); an entity without children is absent. */
  readonly children: ReadonlyMap<string, readonly string[]>;
  /** Budgets by entity id, then capability id. */
  readonly budgets: ReadonlyMap<string, ReadonlyMap<string, GovernanceBudgetRecord>>;
  /** Usage by entity id, then capability id, then window key. */
  readonly usage: ReadonlyMap<string, ReadonlyMap<string, UsageWindows>>;
}

// Paths to the root, memoised per entity map: a new tree gets a new map, so a stale path can never
// be read, and budget or usage changes (which share the entity map) keep the memo warm.
const pathMemo = new WeakMap<ReadonlyMap<string, GovernanceEntityRecord>, Map<string, readonly string[]>>();

/**
 * Indexes the records of one owner. Records are trusted (the store only holds what governance
 * wrote); one of another owner throws INVALID_INPUT.
 *
 * @example indexGovernance('cust-1', { entities: [], budgets: [], usage: [] }).entities.size // 0
 */
export function indexGovernance(ownerId: string, records: GovernanceRecords): GovernanceIndex {
  const all = [...records.entities, ...records.budgets, ...records.usage];
  const stranger = all.find((r) => r.ownerId !== ownerId);
  if (stranger !== undefined)
    throw new AllotError('INVALID_INPUT', `a governance record of owner ${stranger.ownerId} is not of ${ownerId}`, {
      details: { ownerId, recordOwnerId: stranger.ownerId },
    });
  const entities = new Map(records.entities.map((e) => [e.entityId, e]));
  const budgets = new Map<string, Map<string, GovernanceBudgetRecord>>();
  for (const b of records.budgets) nested(budgets, b.entityId).set(b.capabilityId, b);
  const usage = new Map<string, Map<string, Map<string, GovernanceUsageRecord>>>();
  for (const u of records.usage) nested(nested(usage, u.entityId), u.capabilityId).set(u.window, u);
  return { ownerId, entities, children: childrenOf(entities.values()), budgets, usage };
}

/**
 * An empty index of one owner.
 *
 * @example emptyGovernance('cust-1').entities.size // 0
 */
export function emptyGovernance(ownerId: string): GovernanceIndex {
  return indexGovernance(ownerId, { entities: [], budgets: [], usage: [] });
}

/**
 * Every record of the index, as a store would hold them.
 *
 * @example governanceRecords(indexGovernance('c', records)) // the same records, by entity
 */
export function governanceRecords(index: GovernanceIndex): GovernanceRecords {
  return {
    entities: [...index.entities.values()],
    budgets: [...index.budgets.values()].flatMap((byCapability) => [...byCapability.values()]),
    usage: [...index.usage.values()].flatMap((byCapability) =>
      [...byCapability.values()].flatMap((windows) => [...windows.values()]),
    ),
  };
}

/**
 * The entity's path to its root: the entity first, its root last. Memoised, so calls on a warm
 * index allocate nothing. An unknown entity (or a missing ancestor) throws ENTITY_NOT_FOUND with
 * `details.entityId`; a cycle in the records throws ENTITY_CYCLE.
 *
 * @example pathToRoot(index, 'user-1') // ['user-1', 'team-a', 'acme']
 */
export function pathToRoot(index: GovernanceIndex, entityId: string): readonly string[] {
  let memo = pathMemo.get(index.entities);
  if (memo === undefined) {
    memo = new Map();
    pathMemo.set(index.entities, memo);
  }
  const hit = memo.get(entityId);
  if (hit !== undefined) return hit;

  const chain: string[] = [];
  let tail: readonly string[] = [];
  for (let at: string | null = entityId; at !== null; ) {
    const known = memo.get(at);
    if (known !== undefined) {
      tail = known;
      break;
    }
    const entity = index.entities.get(at);
    if (entity === undefined) throw entityNotFound(at, chain.length === 0 ? {} : { childId: chain[chain.length - 1] });
    const seen = chain.indexOf(at);
    if (seen >= 0) throw entityCycle([...chain.slice(seen), at]);
    chain.push(at);
    at = entity.parentId;
  }
  // Memoise every ancestor on the way too: the next check from a sibling starts warm.
  for (let i = chain.length - 1; i >= 0; i--) {
    tail = Object.freeze([chain[i] as string, ...tail]);
    memo.set(chain[i] as string, tail);
  }
  return tail;
}

/**
 * The entities on the paths of `entityIds`, each once, nearest first: every listed entity, then
 * every parent, and so on up (an ancestor shared by two paths appears at its nearest level).
 *
 * @example entitiesOnPaths(index, ['user-1', 'user-2']) // ['user-1', 'user-2', 'team-a', 'acme']
 */
export function entitiesOnPaths(index: GovernanceIndex, entityIds: readonly string[]): readonly string[] {
  if (entityIds.length === 1) return pathToRoot(index, entityIds[0] as string);
  const paths = entityIds.map((e) => pathToRoot(index, e));
  const depth = Math.max(...paths.map((p) => p.length));
  const out = new Set<string>();
  for (let level = 0; level < depth; level++) for (const p of paths) if (level < p.length) out.add(p[level] as string);
  return [...out];
}

/** The entity's budgets by capability id (empty when it has none). */
export function budgetsOf(index: GovernanceIndex, entityId: string): ReadonlyMap<string, GovernanceBudgetRecord> {
  return index.budgets.get(entityId) ?? NONE;
}

/** The usage windows of one (entity, capability) (empty when there are none). */
export function usageWindows(index: GovernanceIndex, entityId: string, capabilityId: string): UsageWindows {
  return index.usage.get(entityId)?.get(capabilityId) ?? NONE;
}

/** An ENTITY_NOT_FOUND error: `details` is `{ entityId, ...extra }`. */
export function entityNotFound(entityId: string, extra: Record<string, unknown> = {}): AllotError {
  return new AllotError('ENTITY_NOT_FOUND', `entity ${entityId} not found`, { details: { entityId, ...extra } });
}

/** An ENTITY_CYCLE error naming the cycle, child to parent, its first entity repeated last. */
export function entityCycle(cycle: readonly string[]): AllotError {
  return new AllotError('ENTITY_CYCLE', `entity ${cycle[0]} would be its own ancestor: ${cycle.join(' → ')}`, {
    details: { entityId: cycle[0], cycle },
  });
}

/** Child ids by parent id. */
export function childrenOf(entities: Iterable<GovernanceEntityRecord>): Map<string, string[]> {
  // Oldest first, then by id: the same order whatever order a store returns the records in.
  const ordered = [...entities].sort((a, b) => a.createdAt - b.createdAt || (a.entityId < b.entityId ? -1 : 1));
  const children = new Map<string, string[]>();
  for (const e of ordered) if (e.parentId !== null) nested(children, e.parentId, () => []).push(e.entityId);
  return children;
}

const NONE: ReadonlyMap<string, never> = new Map<string, never>();

function nested<K, V>(map: Map<K, V>, key: K, make: () => V = () => new Map() as V): V {
  let inner = map.get(key);
  if (inner === undefined) {
    inner = make();
    map.set(key, inner);
  }
  return inner;
}
