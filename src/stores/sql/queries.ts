// Every data query of the SQL stores, written once with kysely's builder so SQLite and PostgreSQL
// run the same statements. Builders only pass their parameters through: the SQLite store compiles
// them once with marker values, so any conversion (null resource ids, JSON, booleans) belongs in
// the row mappers at the bottom of this file, never inside a builder.
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { UsageOp } from '../../core/usage-aggregate.js';
import { type CreditGrantRecord, CreditGrantType, type CreditLedgerEntry } from '../../credits/credit-records.js';
import type {
  GovernanceBudgetRecord,
  GovernanceEntityRecord,
  GovernanceUsageRecord,
} from '../../governance/governance-records.js';
import type { PromotionalEntitlementPeriod, SubscriptionCancelReason, TrialEndBehavior } from '../../model/enums.js';
import type { Dimensions } from '../../model/meters.js';
import type {
  CustomerRecord,
  EntitlementSpec,
  PackageKind,
  PackageVersionRecord,
  PromotionRecord,
  SubscriptionRecord,
  UsageRecord,
} from '../../model/records.js';
import type { SubscriptionPageQuery, UsageEntry, UsageEventRecord, UsageWindowKey } from '../store.js';
import type {
  CreditEventFieldsTable,
  CreditGrantsTable,
  CreditLedgerTable,
  CreditPoolsTable,
  CreditSettingsTable,
  CustomersTable,
  Database,
  EventsTable,
  GovernanceBudgetsTable,
  GovernanceEntitiesTable,
  GovernanceUsageTable,
  IdempotencyTable,
  JournalTable,
  PackageVersionsTable,
  PromotionsTable,
  StoreStateTable,
  SubscriptionsTable,
  UsageCountersTable,
  UsageEntryColumns,
  UsageUniqueTable,
} from './schema.js';

type Db = Kysely<Database>;

// ---- customers ----

/** The customer with this id. */
export function selectCustomer(db: Db, p: { customerId: string }) {
  return db.selectFrom('customers').selectAll().where('id', '=', p.customerId);
}

/** Inserts the customer or replaces the one with the same id. */
export function upsertCustomer(db: Db, row: CustomersTable) {
  const { id, ...rest } = row;
  return db
    .insertInto('customers')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(rest));
}

// ---- subscriptions ----

/** The subscription with this id. */
export function selectSubscription(db: Db, p: { subscriptionId: string }) {
  return db.selectFrom('subscriptions').selectAll().where('id', '=', p.subscriptionId);
}

/** Every subscription of one customer, history included, by id. */
export function selectCustomerSubscriptions(db: Db, p: { customerId: string }) {
  return db.selectFrom('subscriptions').selectAll().where('customer_id', '=', p.customerId).orderBy('id');
}

/** One page of subscriptions by id; absent filters are left out of the statement, not matched against null. */
export function selectSubscriptionPage(db: Db, p: SubscriptionPageQuery) {
  let query = db.selectFrom('subscriptions').selectAll().orderBy('id').limit(p.limit);
  if (p.customerId !== undefined) query = query.where('customer_id', '=', p.customerId);
  if (p.afterId !== undefined) query = query.where('id', '>', p.afterId);
  return query;
}

/** Inserts the subscription or replaces the one with the same id. */
export function upsertSubscription(db: Db, row: SubscriptionsTable) {
  const { id, ...rest } = row;
  return db
    .insertInto('subscriptions')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(rest));
}

// ---- promotions ----

/** Every promotion of one customer, by id. */
export function selectCustomerPromotions(db: Db, p: { customerId: string }) {
  return db.selectFrom('promotions').selectAll().where('customer_id', '=', p.customerId).orderBy('id');
}

/** Inserts the promotion or replaces the one with the same id. */
export function upsertPromotion(db: Db, row: PromotionsTable) {
  const { id, ...rest } = row;
  return db
    .insertInto('promotions')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(rest));
}

/** Deletes a promotion, returning its customer so the change can be logged. */
export function deletePromotion(db: Db, p: { promotionId: string }) {
  return db.deleteFrom('promotions').where('id', '=', p.promotionId).returning('customer_id');
}

// ---- usage ----

/** The counters of one customer's windows that have not ended by `now`, in key order. */
export function selectCustomerUsage(db: Db, p: { customerId: string; now: number }) {
  return db
    .selectFrom('usage_counters')
    .selectAll()
    .where('customer_id', '=', p.customerId)
    .where((eb) => eb.or([eb('period_end', 'is', null), eb('period_end', '>', p.now)]))
    .orderBy('resource_id')
    .orderBy('feature_id')
    .orderBy('window_key');
}

/** The folded counter of one window. */
export function selectUsageCounter(db: Db, p: UsageKeyColumns) {
  return db
    .selectFrom('usage_counters')
    .selectAll()
    .where('customer_id', '=', p.customer_id)
    .where('resource_id', '=', p.resource_id)
    .where('feature_id', '=', p.feature_id)
    .where('window_key', '=', p.window_key);
}

/** Writes a folded counter. */
export function upsertUsageCounter(db: Db, row: UsageCountersTable) {
  const { customer_id, resource_id, feature_id, window_key, ...rest } = row;
  return db
    .insertInto('usage_counters')
    .values(row)
    .onConflict((oc) => oc.columns(['customer_id', 'resource_id', 'feature_id', 'window_key']).doUpdateSet(rest));
}

/** The identifying columns of a usage window. */
export type UsageKeyColumns = Pick<UsageCountersTable, 'customer_id' | 'resource_id' | 'feature_id' | 'window_key'>;

/** Adds a member to a UNIQUE window's set, or nothing when it is there: the changed-row count tells which. */
export function insertUniqueMember(db: Db, row: UsageUniqueTable) {
  return db
    .insertInto('usage_unique')
    .values(row)
    .onConflict((oc) => oc.doNothing());
}

/** Stores a raw event unless its (customer, idempotency key) is taken. */
export function insertEvent(db: Db, row: EventsTable) {
  return db
    .insertInto('events')
    .values(row)
    .onConflict((oc) => oc.doNothing());
}

/** Forgets the keys of raw events that arrived before `before`. */
export function deleteEventsBefore(db: Db, p: { before: number }) {
  return db.deleteFrom('events').where('at', '<', p.before);
}

/** Folded usage entries of one counter in `[from, before)`, oldest first, through the history index. */
export function selectUsageHistory(
  db: Db,
  p: { customerId: string; featureId: string; resourceId: string; from: number; before: number },
) {
  return db
    .selectFrom('journal')
    .selectAll()
    .where('customer_id', '=', p.customerId)
    .where('feature_id', '=', p.featureId)
    .where('folded', 'is not', null)
    .where('at', '>=', p.from)
    .where('at', '<', p.before)
    .where('resource_id', '=', p.resourceId)
    .orderBy('at')
    .orderBy('seq');
}

/**
 * Forgets folded entries that happened before `before` (the rows in the history index), except
 * the journal's newest row: SQLite would hand its seq out again, and the fold position and feed
 * readers count on seqs only growing.
 */
export function deleteUsageHistoryBefore(db: Db, p: { before: number; lastSeq: number }) {
  return db
    .deleteFrom('journal')
    .where('folded', 'is not', null)
    .where('at', '<', p.before)
    .where('seq', '<', p.lastSeq);
}

/** The newest seq `deleteUsageHistoryBefore` would delete, so the feed floor can move past it. */
export function selectUsageHistoryPruneEnd(db: Db, p: { before: number; lastSeq: number }) {
  return db
    .selectFrom('journal')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('folded', 'is not', null)
    .where('at', '<', p.before)
    .where('seq', '<', p.lastSeq);
}

// ---- credits ----

/** A pool's held grants (see `isHeldGrant`): not marked expired, and not voided unless RECURRING. */
export function selectHeldCreditGrants(db: Db, p: { customerId: string; currencyId: string; resourceId: string }) {
  return db
    .selectFrom('credit_grants')
    .selectAll()
    .where('customer_id', '=', p.customerId)
    .where('currency_id', '=', p.currencyId)
    .where('resource_id', '=', p.resourceId)
    .where(held)
    .orderBy('id');
}

function held(eb: ExpressionBuilder<Database, 'credit_grants'>) {
  return eb.and([
    eb('expired_at', 'is', null),
    eb.or([eb('voided_at', 'is', null), eb('grant_type', '=', CreditGrantType.Recurring)]),
  ]);
}

/** The grant with this id. */
export function selectCreditGrant(db: Db, p: { grantId: string }) {
  return db.selectFrom('credit_grants').selectAll().where('id', '=', p.grantId);
}

/** Every grant of a customer, oldest first; currency and scope are filtered by the caller. */
export function selectCustomerCreditGrants(db: Db, p: { customerId: string }) {
  return db
    .selectFrom('credit_grants')
    .selectAll()
    .where('customer_id', '=', p.customerId)
    .orderBy('created_at')
    .orderBy('id');
}

/** Inserts the grant or replaces the one with the same id. */
export function upsertCreditGrant(db: Db, row: CreditGrantsTable) {
  const { id, ...rest } = row;
  return db
    .insertInto('credit_grants')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(rest));
}

/** A pool's debt row. */
export function selectCreditDebt(db: Db, p: { customerId: string; currencyId: string; resourceId: string }) {
  return db
    .selectFrom('credit_pools')
    .select('debt')
    .where('customer_id', '=', p.customerId)
    .where('currency_id', '=', p.currencyId)
    .where('resource_id', '=', p.resourceId);
}

export function upsertCreditDebt(db: Db, row: CreditPoolsTable) {
  return db
    .insertInto('credit_pools')
    .values(row)
    .onConflict((oc) => oc.columns(['customer_id', 'currency_id', 'resource_id']).doUpdateSet({ debt: row.debt }));
}

export function insertCreditLedgerEntry(db: Db, row: Omit<CreditLedgerTable, 'seq'>) {
  return db.insertInto('credit_ledger').values(row);
}

/** A customer's ledger after `afterSeq`, a chunk at a time; the caller filters currency, scope and type. */
export function selectCreditLedger(db: Db, p: { customerId: string; afterSeq: number; limit: number }) {
  return db
    .selectFrom('credit_ledger')
    .select(['seq', 'entry', 'currency_id', 'resource_id', 'event_type'])
    .where('customer_id', '=', p.customerId)
    .where('seq', '>', p.afterSeq)
    .orderBy('seq')
    .limit(p.limit);
}

/** A customer's held grants, of every pool, by id. */
export function selectCustomerHeldCreditGrants(db: Db, p: { customerId: string }) {
  return db.selectFrom('credit_grants').selectAll().where('customer_id', '=', p.customerId).where(held).orderBy('id');
}

/** A customer's debt rows, of every pool. */
export function selectCustomerCreditDebts(db: Db, p: { customerId: string }) {
  return db.selectFrom('credit_pools').selectAll().where('customer_id', '=', p.customerId);
}

/** A customer's consumption entries in `[from, before)`, by time then ledger order; currency and scope are filtered by the caller. */
export function selectCreditConsumption(db: Db, p: { customerId: string; from: number; before: number }) {
  return db
    .selectFrom('credit_ledger')
    .select(['entry', 'currency_id', 'resource_id'])
    .where('customer_id', '=', p.customerId)
    .where('at', '>=', p.from)
    .where('at', '<', p.before)
    .where('event_type', 'in', ['CREDITS_CONSUMED', 'DEBT_CREATED'])
    .orderBy('at')
    .orderBy('seq');
}

/** Remembers a dimension key a consumption carried. */
export function insertCreditEventField(db: Db, row: CreditEventFieldsTable) {
  return db
    .insertInto('credit_event_fields')
    .values(row)
    .onConflict((oc) => oc.doNothing());
}

/** The dimension keys of a customer's consumptions, with their currency. */
export function selectCreditEventFields(db: Db, p: { customerId: string }) {
  return db.selectFrom('credit_event_fields').select(['currency_id', 'field']).where('customer_id', '=', p.customerId);
}

/** A customer's automatic recharge settings for a currency. */
export function selectAutoRecharge(db: Db, p: { customerId: string; currencyId: string }) {
  return db
    .selectFrom('credit_settings')
    .select('auto_recharge')
    .where('customer_id', '=', p.customerId)
    .where('currency_id', '=', p.currencyId);
}

export function upsertAutoRecharge(db: Db, row: CreditSettingsTable) {
  return db
    .insertInto('credit_settings')
    .values(row)
    .onConflict((oc) => oc.columns(['customer_id', 'currency_id']).doUpdateSet({ auto_recharge: row.auto_recharge }));
}

// ---- governance ----

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

// ---- journal: usage entries not yet folded, and the change feed ----

/** A range of journal positions, `(afterSeq, throughSeq]`. */
export interface JournalRange {
  afterSeq: number;
  throughSeq: number;
}

/** The usage entries (rows with a feature; the others only mark a changed customer) in a range. */
function entriesIn(eb: ExpressionBuilder<Database, 'journal'>, p: JournalRange) {
  return eb.and([eb('seq', '>', p.afterSeq), eb('seq', '<=', p.throughSeq), eb('feature_id', 'is not', null)]);
}

/** Appends a usage entry. */
export function insertJournalEntry(db: Db, row: Omit<JournalTable, 'seq' | 'folded'>) {
  return db.insertInto('journal').values(row);
}

/** Records that a committed write changed a customer. */
export function insertJournalChange(db: Db, p: { origin: string; customerId: string }) {
  return db.insertInto('journal').values({ origin: p.origin, customer_id: p.customerId });
}

/** The newest journal sequence number, read from the end of the rowid b-tree. */
export function selectJournalLast(db: Db) {
  return db.selectFrom('journal').select('seq').orderBy('seq', 'desc').limit(1);
}

/** The distinct customers that other store instances changed after `seq`. */
export function selectChangedCustomers(db: Db, p: { afterSeq: number; origin: string }) {
  return db
    .selectFrom('journal')
    .select('customer_id')
    .distinct()
    .where('seq', '>', p.afterSeq)
    .where('origin', '<>', p.origin);
}

/** Whether any entry in `(afterSeq, throughSeq]` needs more than a sum: a SET, a MAX / MIN / AVG, a negative or fractional amount. */
export function selectJournalComplexEntry(db: Db, p: JournalRange) {
  return (
    db
      .selectFrom('journal')
      .select('seq')
      .where((eb) => entriesIn(eb, p))
      // A fraction too: SQL's sum() rounds differently from adding one entry at a time.
      .where((eb) =>
        eb.or([eb('op', '<>', 'add'), eb('amount', '<', 0), eb('amount', '<>', eb.fn<number>('round', ['amount']))]),
      )
      .limit(1)
  );
}

/**
 * Folds entries that only add non-negative amounts, in one statement: per window, the sum and
 * the count add to the counter (no floor can apply to a sum of non-negative amounts).
 */
export function foldJournalSums(db: Db, p: JournalRange) {
  return db
    .insertInto('usage_counters')
    .columns([
      'customer_id',
      'resource_id',
      'feature_id',
      'window_key',
      'period_start',
      'period_end',
      'value',
      'count',
      'updated_at',
    ])
    .expression(
      db
        .selectFrom('journal')
        .select((eb) => [
          eb.fn.coalesce('customer_id', eb.val('')).as('customer_id'),
          eb.fn.coalesce('resource_id', eb.val('')).as('resource_id'),
          eb.fn.coalesce('feature_id', eb.val('')).as('feature_id'),
          eb.fn.coalesce('window_key', eb.val('')).as('window_key'),
          eb.fn.max('period_start').as('period_start'),
          eb.fn.max('period_end').as('period_end'),
          eb.fn.coalesce(eb.fn.sum<number>('amount'), eb.val(0)).as('value'),
          eb.fn.countAll<number>().as('count'),
          eb.fn.coalesce(eb.fn.max('at'), eb.val(0)).as('updated_at'),
        ])
        .where((eb) => entriesIn(eb, p))
        .groupBy(['customer_id', 'resource_id', 'feature_id', 'window_key']),
    )
    .onConflict((oc) =>
      oc.columns(['customer_id', 'resource_id', 'feature_id', 'window_key']).doUpdateSet((eb) => ({
        value: eb('usage_counters.value', '+', eb.ref('excluded.value')),
        count: eb('usage_counters.count', '+', eb.ref('excluded.count')),
        // The newest entries say the window's period (a plan change may keep the key, not the period).
        period_start: eb.ref('excluded.period_start'),
        period_end: eb.ref('excluded.period_end'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    );
}

/** Usage entries in `(afterSeq, throughSeq]`, in log order: what a fold of anything but sums reads. */
export function selectJournalEntries(db: Db, p: JournalRange) {
  return db
    .selectFrom('journal')
    .selectAll()
    .where((eb) => entriesIn(eb, p))
    .orderBy('seq');
}

/** Marks entries folded, which adds them to the history index. */
export function markJournalFolded(db: Db, p: JournalRange) {
  return db
    .updateTable('journal')
    .set({ folded: 1 })
    .where((eb) => entriesIn(eb, p));
}

/** Forgets change-only rows (not usage entries) in `(afterSeq, throughSeq]`. */
export function deleteJournalChanges(db: Db, p: JournalRange) {
  return db
    .deleteFrom('journal')
    .where('seq', '>', p.afterSeq)
    .where('seq', '<=', p.throughSeq)
    .where('feature_id', 'is', null);
}

/** One customer's usage entries after `afterSeq` (not folded yet), in log order. */
export function selectCustomerJournal(db: Db, p: { afterSeq: number; customerId: string }) {
  return db
    .selectFrom('journal')
    .selectAll()
    .where('seq', '>', p.afterSeq)
    .where('customer_id', '=', p.customerId)
    .where('feature_id', 'is not', null)
    .orderBy('seq');
}

/** Every named integer of the store's own state (a handful of rows). */
export function selectStoreStates(db: Db) {
  return db.selectFrom('store_state').select(['name', 'value']);
}

export function upsertStoreState(db: Db, row: StoreStateTable) {
  return db
    .insertInto('store_state')
    .values(row)
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: row.value }));
}

// ---- idempotency ----

/** The stored result for an idempotency key. */
export function selectIdempotencyResult(db: Db, p: { scope: string; key: string }) {
  return db.selectFrom('idempotency').select('result').where('scope', '=', p.scope).where('key', '=', p.key);
}

/** Stores a result unless the key already has one: the first write wins. */
export function insertIdempotencyResult(db: Db, row: IdempotencyTable) {
  return db
    .insertInto('idempotency')
    .values(row)
    .onConflict((oc) => oc.columns(['scope', 'key']).doNothing());
}

// ---- package versions ----

/** Every stored package version, by kind, id and version. */
export function selectPackageVersions(db: Db) {
  return db.selectFrom('package_versions').selectAll().orderBy('kind').orderBy('ref_id').orderBy('version');
}

/** Inserts the package version or replaces the one with the same kind, id and version. */
export function upsertPackageVersion(db: Db, row: PackageVersionsTable) {
  const { kind, ref_id, version, ...rest } = row;
  return db
    .insertInto('package_versions')
    .values(row)
    .onConflict((oc) => oc.columns(['kind', 'ref_id', 'version']).doUpdateSet(rest));
}

// ---- row mapping: the one place records become columns and back ----

// A hundred thousand cached customers each hold their records, so the mappers avoid copies that
// carry nothing: empty lists and maps are one shared frozen value, and the few distinct plan,
// product and enum strings are one string each instead of one per row.
const EMPTY_LIST: readonly never[] = Object.freeze([]);
const EMPTY_MAP: Readonly<Record<string, never>> = Object.freeze({});

/** JSON text as data; `[]` and `{}` as shared frozen values (records are immutable once read). */
function parseJson<T>(text: string): T {
  if (text === '[]') return EMPTY_LIST as T;
  if (text === '{}') return EMPTY_MAP as T;
  return JSON.parse(text) as T;
}

const interned = new Map<string, string>();
/** One instance of a low-cardinality string (ids of plans and products, enum values); bounded. */
function intern(value: string): string {
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size < 10_000) interned.set(value, value);
  return value;
}

/** Columns of a customer. */
export function customerToRow(c: CustomerRecord): CustomersTable {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    billing_id: c.billingId,
    coupon_id: c.couponId,
    coupon_applied_at: c.couponAppliedAt,
    metadata: JSON.stringify(c.metadata),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    archived_at: c.archivedAt,
  };
}

/** The customer a row holds. */
export function rowToCustomer(r: CustomersTable): CustomerRecord {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    billingId: r.billing_id,
    couponId: r.coupon_id,
    couponAppliedAt: r.coupon_applied_at,
    metadata: parseJson(r.metadata),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    archivedAt: r.archived_at,
  };
}

/** Columns of a subscription. */
export function subscriptionToRow(s: SubscriptionRecord): SubscriptionsTable {
  return {
    id: s.id,
    customer_id: s.customerId,
    resource_id: s.resourceId,
    product_id: s.productId,
    plan_id: s.planId,
    plan_version: s.planVersion,
    billing_period: s.billingPeriod,
    addons: JSON.stringify(s.addons),
    billable_features: JSON.stringify(s.billableFeatures),
    entitlements: JSON.stringify(s.entitlements),
    metadata: JSON.stringify(s.metadata),
    start_date: s.startDate,
    billing_anchor: s.billingAnchor,
    usage_reset_at: s.usageResetAt,
    usage_epoch: s.usageEpoch,
    trial_end_date: s.trialEndDate,
    trial_end_behavior: s.trialEndBehavior,
    end_date: s.endDate,
    cancellation_date: s.cancellationDate,
    cancel_reason: s.cancelReason,
    end_before_conversion: s.endBeforeConversion ? JSON.stringify(s.endBeforeConversion) : null,
    scheduled_updates: JSON.stringify(s.scheduledUpdates),
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

/** The subscription a row holds. */
export function rowToSubscription(r: SubscriptionsTable): SubscriptionRecord {
  return {
    id: r.id,
    customerId: r.customer_id,
    resourceId: r.resource_id,
    productId: intern(r.product_id),
    planId: intern(r.plan_id),
    planVersion: r.plan_version,
    billingPeriod: intern(r.billing_period) as SubscriptionRecord['billingPeriod'],
    addons: parseJson(r.addons),
    billableFeatures: parseJson(r.billable_features),
    entitlements: parseJson(r.entitlements),
    metadata: parseJson(r.metadata),
    startDate: r.start_date,
    billingAnchor: r.billing_anchor,
    usageResetAt: r.usage_reset_at,
    usageEpoch: r.usage_epoch,
    trialEndDate: r.trial_end_date,
    trialEndBehavior: (r.trial_end_behavior && intern(r.trial_end_behavior)) as TrialEndBehavior | null,
    endDate: r.end_date,
    cancellationDate: r.cancellation_date,
    cancelReason: (r.cancel_reason && intern(r.cancel_reason)) as SubscriptionCancelReason | null,
    ...(r.end_before_conversion === null ? {} : { endBeforeConversion: JSON.parse(r.end_before_conversion) }),
    scheduledUpdates: parseJson(r.scheduled_updates),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Columns of a promotion. */
export function promotionToRow(p: PromotionRecord): PromotionsTable {
  return {
    id: p.id,
    customer_id: p.customerId,
    feature_id: p.featureId,
    period: p.period,
    entitlement: JSON.stringify(p.entitlement),
    is_visible: p.isVisible ? 1 : 0,
    start_date: p.startDate,
    end_date: p.endDate,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

/** The promotion a row holds. */
export function rowToPromotion(r: PromotionsTable): PromotionRecord {
  return {
    id: r.id,
    customerId: r.customer_id,
    featureId: r.feature_id,
    period: r.period as PromotionalEntitlementPeriod,
    entitlement: JSON.parse(r.entitlement) as EntitlementSpec,
    isVisible: r.is_visible === 1,
    startDate: r.start_date,
    endDate: r.end_date,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The usage key columns; a null resource is stored as ''. */
export function usageKeyToRow(k: UsageWindowKey): UsageKeyColumns {
  return { customer_id: k.customerId, resource_id: k.resourceId ?? '', feature_id: k.featureId, window_key: k.window };
}

/** The counter a row holds. */
export function rowToUsage(r: UsageCountersTable): UsageRecord {
  return {
    customerId: r.customer_id,
    resourceId: r.resource_id === '' ? null : r.resource_id,
    featureId: r.feature_id,
    window: r.window_key,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    value: r.value,
    count: r.count,
    updatedAt: r.updated_at,
  };
}

/** Columns of a usage entry. */
export function usageEntryToRow(e: UsageEntry): UsageEntryColumns & { customer_id: string } {
  return {
    customer_id: e.customerId,
    resource_id: e.resourceId ?? '',
    feature_id: e.featureId,
    window_key: e.window,
    period_start: e.periodStart,
    period_end: e.periodEnd,
    op: e.op,
    amount: e.amount,
    at: e.at,
    dimensions: e.dimensions === null ? null : JSON.stringify(e.dimensions),
  };
}

/** The usage entry a journal row holds; only rows with a feature are entries. */
export function rowToUsageEntry(r: UsageEntryColumns & { customer_id: string }): UsageEntry {
  return {
    customerId: r.customer_id,
    resourceId: r.resource_id === '' ? null : r.resource_id,
    featureId: r.feature_id,
    window: r.window_key,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    op: r.op as UsageOp,
    amount: r.amount,
    at: r.at,
    dimensions: r.dimensions === null ? null : (JSON.parse(r.dimensions) as Dimensions),
  };
}

/** Columns of a raw event's key. */
export function eventToRow(e: UsageEventRecord): EventsTable {
  // Kept by arrival, not by the event's own time: a backfilled event's key must outlive its retries.
  return { customer_id: e.customerId, idempotency_key: e.idempotencyKey, at: e.createdAt };
}

/** Columns of a credit grant. */
export function creditGrantToRow(g: CreditGrantRecord): CreditGrantsTable {
  return {
    id: g.id,
    customer_id: g.customerId,
    currency_id: g.currencyId,
    resource_id: g.resourceId ?? '',
    grant_type: g.grantType,
    amount: g.amount,
    consumed: g.consumed,
    priority: g.priority,
    effective_at: g.effectiveAt,
    expire_at: g.expireAt,
    cost: g.cost === null ? null : JSON.stringify(g.cost),
    display_name: g.displayName,
    comment: g.comment,
    metadata: JSON.stringify(g.metadata),
    source: g.source === null ? null : JSON.stringify(g.source),
    created_at: g.createdAt,
    updated_at: g.updatedAt,
    activated_at: g.activatedAt,
    expired_at: g.expiredAt,
    voided_at: g.voidedAt,
  };
}

/** The credit grant a row holds. */
export function rowToCreditGrant(r: CreditGrantsTable): CreditGrantRecord {
  return {
    id: r.id,
    customerId: r.customer_id,
    currencyId: r.currency_id,
    resourceId: r.resource_id === '' ? null : r.resource_id,
    grantType: r.grant_type as CreditGrantRecord['grantType'],
    amount: r.amount,
    consumed: r.consumed,
    priority: r.priority,
    effectiveAt: r.effective_at,
    expireAt: r.expire_at,
    cost: r.cost === null ? null : (JSON.parse(r.cost) as CreditGrantRecord['cost']),
    displayName: r.display_name,
    comment: r.comment,
    metadata: parseJson(r.metadata),
    source: r.source === null ? null : (JSON.parse(r.source) as CreditGrantRecord['source']),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    activatedAt: r.activated_at,
    expiredAt: r.expired_at,
    voidedAt: r.voided_at,
  };
}

/** Columns of a ledger entry: the indexed ones, and the whole entry as JSON. */
export function creditLedgerToRow(e: CreditLedgerEntry): Omit<CreditLedgerTable, 'seq'> {
  return {
    customer_id: e.customerId,
    currency_id: e.currencyId,
    resource_id: e.resourceId ?? '',
    event_type: e.eventType,
    entry: JSON.stringify(e),
    at: e.at,
  };
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

/** Columns of a package version. */
export function packageVersionToRow(v: PackageVersionRecord): PackageVersionsTable {
  return {
    kind: v.kind,
    ref_id: v.refId,
    version: v.version,
    hash: v.hash,
    snapshot: JSON.stringify(v.snapshot),
    created_at: v.createdAt,
  };
}

/** The package version a row holds. */
export function rowToPackageVersion(r: PackageVersionsTable): PackageVersionRecord {
  return {
    kind: r.kind as PackageKind,
    refId: r.ref_id,
    version: r.version,
    hash: r.hash,
    snapshot: JSON.parse(r.snapshot),
    createdAt: r.created_at,
  };
}

/** JSON text of an idempotency result; `undefined` is kept as null so a stored key still reads as stored. */
export function idempotencyResultToText(result: unknown): string {
  return JSON.stringify(result ?? null);
}
