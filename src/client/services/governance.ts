// `allot.governance`: budgets an owner (a customer) splits across its organisation. The owner's
// tree, budgets and current usage are cached with the customer, so a check reads memory only;
// every change is one transaction under the owner's write lock.
import type { Catalog } from '../../catalog/catalog.js';
import { requireCustomerState } from '../../core/customer-records.js';
import { AllotError } from '../../errors.js';
import type { BudgetStatus } from '../../governance/budget-status.js';
import { removeBudget, setBudgets } from '../../governance/governance-budgets.js';
import { checkGovernance, type GovernanceCheckResult } from '../../governance/governance-check.js';
import { removeEntity, upsertEntities } from '../../governance/governance-entities.js';
import { type GovernanceIndex, indexGovernance } from '../../governance/governance-index.js';
import { ingestGovernance } from '../../governance/governance-ingest.js';
import {
  type CheckGovernanceInput,
  checkGovernanceSchema,
  type IngestGovernanceInput,
  ingestGovernanceSchema,
  type RemoveBudgetInput,
  type RemoveEntityInput,
  removeBudgetSchema,
  removeEntitySchema,
  type SetBudgetsInput,
  setBudgetsSchema,
  type UpsertEntitiesInput,
  upsertEntitiesSchema,
} from '../../governance/governance-schema.js';
import {
  type GovernanceEntity,
  type GovernanceEntityView,
  governanceEntityView,
  listGovernanceEntities,
} from '../../governance/governance-view.js';
import { id, isId } from '../../model/id-schema.js';
import type { StoreReader, StoreTransaction } from '../../stores/store.js';
import type { Engine } from '../engine/engine.js';
import { plainGovernanceCheck } from '../fast-input.js';
import { parse } from '../input-schemas.js';

/** An owner's index as stored, for the cache. */
async function loadGovernance(reader: StoreReader, ownerId: string, now: number): Promise<GovernanceIndex> {
  return indexGovernance(ownerId, await reader.getGovernance(ownerId, now));
}

/** What `ingest` did: how many events counted, and whether the idempotency key was seen before (nothing counted). */
export interface GovernanceIngestResult {
  accepted: number;
  duplicate: boolean;
}

const ownerId = id;
const GOVERNANCE_SCOPE = 'governance';

/**
 * Hierarchical budgets: entities (an organisation, its teams, their users) under an owner, each
 * with budgets per capability (a feature id or a credit currency id).
 *
 * @example
 * await allot.governance.upsertEntities('acme', { entities: [{ entityId: 'org' }, { entityId: 'eng', parentId: 'org' }] });
 * await allot.governance.setBudgets('acme', { budgets: [{ entityId: 'org', capabilityId: 'ai-tokens', limit: 1000, resetPeriod: 'MONTH' }] });
 * const { hasAccess } = await allot.governance.check('acme', { entityIds: ['eng'], capabilityId: 'ai-tokens', requestedAmount: 50 });
 */
export class GovernanceClient {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /** An owner's index from the cache, loaded once when the owner is first asked about; CUSTOMER_NOT_FOUND for an unknown owner. */
  async #index(ownerId: string): Promise<{ index: GovernanceIndex; now: number; catalog: Catalog }> {
    const engine = this.#engine;
    const catalog = await engine.ready();
    const entry = await engine.entry(ownerId);
    requireCustomerState(entry.state, ownerId, { allowArchived: true });
    let now = engine.clock.now();
    let index = entry.governanceAt(now);
    if (index === undefined) {
      const loaded = await engine.store.read((r) => loadGovernance(r, ownerId, now));
      // A write may have cached a newer index while this one loaded.
      entry.governance = entry.governanceAt(now) ? entry.governance : { index: loaded, loadedAt: now };
      index = entry.governanceAt(now) ?? loaded;
      now = engine.clock.now();
    }
    return { index, now, catalog };
  }

  /**
   * One write under the owner's lock: `fn` gets the owner's current index and returns its result
   * and the index to cache after commit (none: unchanged).
   */
  #write<R>(
    ownerId: string,
    fn: (
      index: GovernanceIndex,
      tx: StoreTransaction,
      now: number,
      catalog: Catalog,
    ) => Promise<{ result: R; index?: GovernanceIndex }>,
  ): Promise<R> {
    return this.#engine.mutate(ownerId, async (entry, tx, now, catalog) => {
      requireCustomerState(entry.state, ownerId);
      const index = entry.governanceAt(now) ?? (await loadGovernance(tx, ownerId, now));
      const { result, index: next } = await fn(index, tx, now, catalog);
      return { result, ...(next ? { governance: next } : {}) };
    });
  }

  /** Creates or updates entities; a parent may come in the same batch. Cycles and unknown parents are refused. */
  async upsertEntities(owner: string, params: UpsertEntitiesInput): Promise<GovernanceEntity[]> {
    const o = parse(ownerId, owner, 'governance.upsertEntities');
    const p = parse(upsertEntitiesSchema, params, 'governance.upsertEntities');
    return this.#write(o, async (index, tx, now) => {
      const { index: next, written } = upsertEntities(index, p.entities, now);
      await tx.putGovernanceEntities(written);
      const ids = new Set(written.map((e) => e.entityId));
      return { result: listGovernanceEntities(next).filter((e) => ids.has(e.entityId)), index: next };
    });
  }

  /** Removes a leaf entity with its budgets and their usage; an entity with children is refused. */
  async removeEntity(owner: string, params: RemoveEntityInput): Promise<{ entityId: string }> {
    const o = parse(ownerId, owner, 'governance.removeEntity');
    const { entityId } = parse(removeEntitySchema, params, 'governance.removeEntity');
    return this.#write(o, async (index, tx) => {
      const { index: next } = removeEntity(index, entityId);
      await tx.deleteGovernanceEntity(o, entityId);
      return { result: { entityId }, index: next };
    });
  }

  /** Sets budgets (a limit per reset period, or for all time); a changed period starts counting afresh. */
  async setBudgets(owner: string, params: SetBudgetsInput): Promise<BudgetStatus[]> {
    const o = parse(ownerId, owner, 'governance.setBudgets');
    const p = parse(setBudgetsSchema, params, 'governance.setBudgets');
    return this.#write(o, async (index, tx, now, catalog) => {
      for (const [i, b] of p.budgets.entries()) requireCapability(catalog, b.capabilityId, i);
      const { index: next, written } = setBudgets(index, p.budgets, now);
      await tx.putGovernanceBudgets(written);
      const view = (entityId: string) => governanceEntityView(next, entityId, now).budgets;
      const result = written.map(
        (b) => view(b.entityId).find((s) => s.capabilityId === b.capabilityId) as BudgetStatus,
      );
      return { result, index: next };
    });
  }

  /** Removes a budget and its usage. */
  async removeBudget(owner: string, params: RemoveBudgetInput): Promise<{ entityId: string; capabilityId: string }> {
    const o = parse(ownerId, owner, 'governance.removeBudget');
    const { entityId, capabilityId } = parse(removeBudgetSchema, params, 'governance.removeBudget');
    return this.#write(o, async (index, tx) => {
      const { index: next } = removeBudget(index, entityId, capabilityId);
      await tx.deleteGovernanceBudget(o, entityId, capabilityId);
      return { result: { entityId, capabilityId }, index: next };
    });
  }

  /**
   * Grants only when every budget for the capability on every listed entity's path to the root
   * has room for `requestedAmount` (default 0); `deniedBy` names the budgets that refused.
   */
  async check(owner: string, params: CheckGovernanceInput): Promise<GovernanceCheckResult> {
    const o = isId(owner) ? owner : parse(ownerId, owner, 'governance.check');
    const p = plainGovernanceCheck(params) ? params : parse(checkGovernanceSchema, params, 'governance.check');
    const { index, now, catalog } = await this.#index(o);
    requireCapability(catalog, p.capabilityId);
    return checkGovernance(index, p, now);
  }

  /**
   * Adds usage to every budget on the paths of each event's entities, all events or none. A
   * repeated `idempotencyKey` counts nothing and says `duplicate`.
   */
  async ingest(owner: string, params: IngestGovernanceInput): Promise<GovernanceIngestResult> {
    const o = parse(ownerId, owner, 'governance.ingest');
    const p = parse(ingestGovernanceSchema, params, 'governance.ingest');
    return this.#write(o, async (index, tx, now, catalog) => {
      for (const [i, e] of p.events.entries()) requireCapability(catalog, e.capabilityId, i);
      const scope = `${GOVERNANCE_SCOPE}:${o}`;
      if (p.idempotencyKey !== undefined && (await tx.getIdempotencyResult(scope, p.idempotencyKey)) !== undefined)
        return { result: { accepted: 0, duplicate: true } };
      const { index: next, usage } = ingestGovernance(index, p.events, now);
      await tx.putGovernanceUsage(usage);
      const result = { accepted: p.events.length, duplicate: false };
      if (p.idempotencyKey !== undefined) await tx.putIdempotencyResult(scope, p.idempotencyKey, result, now);
      return { result, index: next };
    });
  }

  /** One entity with its path to the root and its budgets' usage and remaining amounts. */
  async getEntity(owner: string, params: RemoveEntityInput): Promise<GovernanceEntityView> {
    const o = parse(ownerId, owner, 'governance.getEntity');
    const { entityId } = parse(removeEntitySchema, params, 'governance.getEntity');
    const { index, now } = await this.#index(o);
    return governanceEntityView(index, entityId, now);
  }

  /** The owner's whole tree, each parent before its children. */
  async listEntities(owner: string): Promise<GovernanceEntity[]> {
    const o = parse(ownerId, owner, 'governance.listEntities');
    return listGovernanceEntities((await this.#index(o)).index);
  }
}

/** A capability is a feature or a credit currency of the catalog; anything else is a typo worth an error. */
function requireCapability(catalog: Catalog, capabilityId: string, index?: number): void {
  if (catalog.features.has(capabilityId) || catalog.creditCurrencies.has(capabilityId)) return;
  throw new AllotError(
    'INVALID_INPUT',
    `capability "${capabilityId}" is neither a feature nor a credit currency of the catalog`,
    { details: { capabilityId, ...(index === undefined ? {} : { index }) } },
  );
}

export type { BudgetStatus, GovernanceCheckResult, GovernanceEntity, GovernanceEntityView };
