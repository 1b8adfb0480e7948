// The governance queries of the SQL stores (entities, budgets, usage windows), and the governance
// row mappers.
import type {
  GovernanceBudgetRecord,
  GovernanceEntityRecord,
  GovernanceUsageRecord,
} from '../../governance/governance-records.js';
import type { GovernanceBudgetsTable, GovernanceEntitiesTable, GovernanceUsageTable } from './schema.js';
import { type Db, parseJson } from './sql-rows.js';

export function selectGovernanceEntities(db: Db, p: { ownerId: string }) {
  return db.selectFrom('governance_entities').selectAll().where('owner_id', '=', p.ownerId).orderBy('entity_id');
}

export function selectGovernanceBudgets(db: Db, p: { ownerId: string }) {
  return db
    .selectFrom('governance_budgets')
    .selectAll()
    .where('owner_id', '=', p.ownerId)
    .orderBy('entity_id')
    .orderBy('capability_id');
}

/** An owner's usage windows that have not ended by `now`. */
export function selectGovernanceUsage(db: Db, p: { ownerId: string; now: number }) {
  return db
    .selectFrom('governance_usage')
    .selectAll()
    .where('owner_id', '=', p.ownerId)
    .where((eb) => eb.or([eb('period_end', 'is', null), eb('period_end', '>', p.now)]));
}

export function upsertGovernanceEntity(db: Db, row: GovernanceEntitiesTable) {
  const { owner_id, entity_id, created_at, ...rest } = row;
  return db
    .insertInto('governance_entities')
    .values(row)
    .onConflict((oc) => oc.columns(['owner_id', 'entity_id']).doUpdateSet(rest));
}

export function deleteGovernanceEntity(db: Db, p: { ownerId: string; entityId: string }) {
  return db.deleteFrom('governance_entities').where('owner_id', '=', p.ownerId).where('entity_id', '=', p.entityId);
}

export function upsertGovernanceBudget(db: Db, row: GovernanceBudgetsTable) {
  const { owner_id, entity_id, capability_id, created_at, ...rest } = row;
  return db
    .insertInto('governance_budgets')
    .values(row)
    .onConflict((oc) => oc.columns(['owner_id', 'entity_id', 'capability_id']).doUpdateSet(rest));
}

/** An entity's budgets: all of them, or one capability's. */
export function deleteGovernanceBudgets(db: Db, p: { ownerId: string; entityId: string; capabilityId?: string }) {
  let q = db.deleteFrom('governance_budgets').where('owner_id', '=', p.ownerId).where('entity_id', '=', p.entityId);
  if (p.capabilityId !== undefined) q = q.where('capability_id', '=', p.capabilityId);
  return q;
}

/** An entity's usage windows: all of them, or one capability's. */
export function deleteGovernanceUsage(db: Db, p: { ownerId: string; entityId: string; capabilityId?: string }) {
  let q = db.deleteFrom('governance_usage').where('owner_id', '=', p.ownerId).where('entity_id', '=', p.entityId);
  if (p.capabilityId !== undefined) q = q.where('capability_id', '=', p.capabilityId);
  return q;
}

export function upsertGovernanceUsage(db: Db, row: GovernanceUsageTable) {
  return db
    .insertInto('governance_usage')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['owner_id', 'entity_id', 'capability_id', 'window_key'])
        .doUpdateSet({ amount: row.amount, period_end: row.period_end }),
    );
}

/** Columns of a governance entity; a root's parent is '' (NOT NULL keys, as for resource ids). */
export function governanceEntityToRow(e: GovernanceEntityRecord): GovernanceEntitiesTable {
  return {
    owner_id: e.ownerId,
    entity_id: e.entityId,
    parent_id: e.parentId ?? '',
    display_name: e.displayName,
    type: e.type,
    metadata: JSON.stringify(e.metadata),
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  };
}

export function rowToGovernanceEntity(r: GovernanceEntitiesTable): GovernanceEntityRecord {
  return {
    ownerId: r.owner_id,
    entityId: r.entity_id,
    parentId: r.parent_id === '' ? null : r.parent_id,
    displayName: r.display_name,
    type: r.type,
    metadata: parseJson(r.metadata),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function governanceBudgetToRow(b: GovernanceBudgetRecord): GovernanceBudgetsTable {
  return {
    owner_id: b.ownerId,
    entity_id: b.entityId,
    capability_id: b.capabilityId,
    limit_amount: b.limit,
    reset_period: b.resetPeriod,
    reset_interval_count: b.resetIntervalCount,
    anchor: b.anchor,
    created_at: b.createdAt,
    updated_at: b.updatedAt,
  };
}

export function rowToGovernanceBudget(r: GovernanceBudgetsTable): GovernanceBudgetRecord {
  return {
    ownerId: r.owner_id,
    entityId: r.entity_id,
    capabilityId: r.capability_id,
    limit: r.limit_amount,
    resetPeriod: r.reset_period as GovernanceBudgetRecord['resetPeriod'],
    resetIntervalCount: r.reset_interval_count,
    anchor: r.anchor,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function governanceUsageToRow(u: GovernanceUsageRecord): GovernanceUsageTable {
  return {
    owner_id: u.ownerId,
    entity_id: u.entityId,
    capability_id: u.capabilityId,
    window_key: u.window,
    period_end: u.periodEnd,
    amount: u.amount,
  };
}

export function rowToGovernanceUsage(r: GovernanceUsageTable): GovernanceUsageRecord {
  return {
    ownerId: r.owner_id,
    entityId: r.entity_id,
    capabilityId: r.capability_id,
    window: r.window_key,
    periodEnd: r.period_end,
    amount: r.amount,
  };
}
