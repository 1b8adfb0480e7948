// Every data query of the SQL stores, written once with kysely's builder so SQLite and PostgreSQL
// run the same statements. Builders only pass their parameters through: the SQLite store compiles
// them once with marker values, so any conversion (null resource ids, JSON, booleans) belongs in
// the row mappers at the bottom of this file, never inside a builder.
import type { Expression, ExpressionBuilder, Kysely } from 'kysely';
import type { PromotionalEntitlementPeriod, SubscriptionCancelReason, TrialEndBehavior } from '../../core/enums.js';
import type {
  CustomerRecord,
  EntitlementSpec,
  PackageKind,
  PackageVersionRecord,
  PromotionRecord,
  SubscriptionRecord,
  UsageRecord,
} from '../../core/records.js';
import type { SubscriptionPageQuery, UsageWrite } from '../store.js';
import type {
  CustomersTable,
  Database,
  IdempotencyTable,
  PackageVersionsTable,
  PromotionsTable,
  SubscriptionsTable,
  UsageTable,
} from './schema.js';

type Db = Kysely<Database>;

/** The usage key and window of a counter write, as columns. */
export type UsageWriteRow = Omit<UsageTable, 'value'>;

/** Parameters of `addUsage`: the counter's key and window plus the signed amount to add. */
export interface AddUsageParams extends UsageWriteRow {
  delta: number;
}

/** Parameters of `setUsage`: the counter's key and window plus its new value. */
export interface SetUsageParams extends UsageWriteRow {
  value: number;
}

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

/** Every usage counter of one customer, by resource then feature: the primary key's order, so no sort. */
export function selectCustomerUsage(db: Db, p: { customerId: string }) {
  return db
    .selectFrom('usage')
    .selectAll()
    .where('customer_id', '=', p.customerId)
    .orderBy('resource_id')
    .orderBy('feature_id');
}

/**
 * Adds `delta` to a counter in one statement, so concurrent writers never lose an update: the
 * stored value counts only within the same window, and the result is floored at zero.
 */
export function addUsage(db: Db, p: AddUsageParams) {
  return db
    .insertInto('usage')
    .values((eb) => usageRow(p, atLeastZero(eb, asDouble(eb, p.delta))))
    .onConflict((oc) =>
      oc.columns(['customer_id', 'resource_id', 'feature_id']).doUpdateSet((eb) => {
        const sum = eb('usage.value', '+', asDouble(eb, p.delta));
        return {
          // excluded.value already holds the floored delta: a counter from another window restarts there.
          value: eb
            .case()
            .when('usage.window_key', '<>', eb.ref('excluded.window_key'))
            .then(eb.ref('excluded.value'))
            .when(sum, '<', eb.lit(0))
            .then(eb.lit(0))
            .else(sum)
            .end(),
          window_key: eb.ref('excluded.window_key'),
          updated_at: eb.ref('excluded.updated_at'),
        };
      }),
    )
    .returning('value');
}

/** Sets a counter and its window, floored at zero. */
export function setUsage(db: Db, p: SetUsageParams) {
  return db
    .insertInto('usage')
    .values((eb) => usageRow(p, atLeastZero(eb, asDouble(eb, p.value))))
    .onConflict((oc) =>
      oc.columns(['customer_id', 'resource_id', 'feature_id']).doUpdateSet((eb) => ({
        value: eb.ref('excluded.value'),
        window_key: eb.ref('excluded.window_key'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .returning('value');
}

// PostgreSQL infers a bare parameter's type from its first use (`$1 < 0` makes it an integer), so
// fractional amounts need an explicit type; SQLite reads the same cast as REAL affinity.
/** The row a counter write inserts: its key and window columns with the computed value. */
function usageRow(p: UsageWriteRow, value: Expression<number>) {
  const { customer_id, resource_id, feature_id, window_key, updated_at } = p;
  return { customer_id, resource_id, feature_id, value, window_key, updated_at };
}

function asDouble<DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>, value: number): Expression<number> {
  return eb.cast<number>(eb.val(value), 'double precision');
}

// Portable max(value, 0): SQLite has no GREATEST and PostgreSQL no two-argument max.
function atLeastZero<DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>, value: Expression<number>) {
  return eb.case().when(value, '<', eb.lit(0)).then(eb.lit(0)).else(value).end();
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

// ---- change log ----

/** Records that a committed transaction touched a customer. */
export function insertChange(db: Db, p: { customerId: string; at: number }) {
  return db.insertInto('change_log').values({ customer_id: p.customerId, at: p.at });
}

/** The oldest and newest kept change sequence numbers (both null when the log is empty). */
export function selectChangeBounds(db: Db) {
  return db.selectFrom('change_log').select((eb) => [eb.fn.min('seq').as('first'), eb.fn.max('seq').as('last')]);
}

/** The distinct customers touched after `seq`. */
export function selectChangedCustomers(db: Db, p: { afterSeq: number }) {
  return db.selectFrom('change_log').select('customer_id').distinct().where('seq', '>', p.afterSeq);
}

/** Forgets changes up to and including `seq`. */
export function deleteChangesThrough(db: Db, p: { throughSeq: number }) {
  return db.deleteFrom('change_log').where('seq', '<=', p.throughSeq);
}

// ---- row mapping: the one place records become columns and back ----

/** Columns of a customer. */
export function customerToRow(c: CustomerRecord): CustomersTable {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    billing_id: c.billingId,
    coupon_id: c.couponId,
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
    metadata: JSON.parse(r.metadata),
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
    productId: r.product_id,
    planId: r.plan_id,
    planVersion: r.plan_version,
    billingPeriod: r.billing_period as SubscriptionRecord['billingPeriod'],
    addons: JSON.parse(r.addons),
    billableFeatures: JSON.parse(r.billable_features),
    entitlements: JSON.parse(r.entitlements),
    metadata: JSON.parse(r.metadata),
    startDate: r.start_date,
    billingAnchor: r.billing_anchor,
    usageResetAt: r.usage_reset_at,
    usageEpoch: r.usage_epoch,
    trialEndDate: r.trial_end_date,
    trialEndBehavior: r.trial_end_behavior as TrialEndBehavior | null,
    endDate: r.end_date,
    cancellationDate: r.cancellation_date,
    cancelReason: r.cancel_reason as SubscriptionCancelReason | null,
    ...(r.end_before_conversion === null ? {} : { endBeforeConversion: JSON.parse(r.end_before_conversion) }),
    scheduledUpdates: JSON.parse(r.scheduled_updates),
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

/** Key and window columns of a counter write; a null resource is stored as ''. */
export function usageWriteToRow(w: UsageWrite): UsageWriteRow {
  return {
    customer_id: w.customerId,
    resource_id: w.resourceId ?? '',
    feature_id: w.featureId,
    window_key: w.window,
    updated_at: w.updatedAt,
  };
}

/** The counter a row holds. */
export function rowToUsage(r: UsageTable): UsageRecord {
  return {
    customerId: r.customer_id,
    resourceId: r.resource_id === '' ? null : r.resource_id,
    featureId: r.feature_id,
    value: r.value,
    window: r.window_key,
    updatedAt: r.updated_at,
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
