// The subscription queries of the SQL stores, and the subscription row mappers.
import { type Compilable, type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import {
  SubscriptionStatus as Status,
  SubscriptionCancelReason,
  type SubscriptionStatus,
  type TrialEndBehavior,
} from '../../model/enums.js';
import type { SubscriptionRecord } from '../../model/records.js';
import type { SubscriptionFilter, SubscriptionPageQuery } from '../store.js';
import type { Database, SubscriptionsTable } from './schema.js';
import { type Db, intern, parseJson } from './sql-rows.js';

/** The subscription with this id. */
export function selectSubscription(db: Db, p: { subscriptionId: string }) {
  return db.selectFrom('subscriptions').selectAll().where('id', '=', p.subscriptionId);
}

/** Every subscription of one customer, history included, by id. */
export function selectCustomerSubscriptions(db: Db, p: { customerId: string }) {
  return db.selectFrom('subscriptions').selectAll().where('customer_id', '=', p.customerId).orderBy('id');
}

/**
 * One page of the subscriptions a filter matches, in id order: the first `limit` after `afterId`,
 * or the last `limit` before `beforeId` (read backwards, then put back in ascending order).
 */
export function selectSubscriptionPage(db: Db, p: SubscriptionPageQuery): Compilable<SubscriptionsTable> {
  const matching = subscriptionsMatching(db, p).selectAll();
  if (p.beforeId === undefined) {
    const page = matching.orderBy('id').limit(p.limit);
    return p.afterId === undefined ? page : page.where('id', '>', p.afterId);
  }
  const last = matching.where('id', '<', p.beforeId).orderBy('id', 'desc').limit(p.limit);
  return db.selectFrom(last.as('page')).selectAll().orderBy('id');
}

/** How many subscriptions a filter matches. */
export function countSubscriptions(db: Db, p: SubscriptionFilter) {
  return subscriptionsMatching(db, p).select((eb) => eb.fn.countAll<number>().as('count'));
}

/**
 * The subscriptions a filter matches. Absent filters are left out of the statement, not matched
 * against null, so each combination keeps the (customer_id, id) or primary key index.
 */
function subscriptionsMatching(db: Db, p: SubscriptionFilter) {
  let query = db.selectFrom('subscriptions');
  if (p.customerId !== undefined) query = query.where('customer_id', '=', p.customerId);
  // A customer-wide subscription's null resource_id is in no list.
  const { resourceIds, productIds } = p;
  if (resourceIds !== undefined) query = query.where((eb) => oneOf(eb, eb.ref('resource_id'), resourceIds));
  if (productIds !== undefined) query = query.where((eb) => oneOf(eb, eb.ref('product_id'), productIds));
  const { statuses, now } = p;
  // Callers check `now` comes with statuses; without it they match nothing.
  if (statuses !== undefined)
    query = query.where((eb) => (now === undefined ? sql<SqlBool>`1 = 0` : oneOf(eb, statusAt(eb, now), statuses)));
  return query;
}

/** `value IN (list)`; false for an empty list, which is no valid SQL in PostgreSQL. */
function oneOf(
  eb: ExpressionBuilder<Database, 'subscriptions'>,
  value: Expression<string | null>,
  list: readonly string[],
): Expression<SqlBool> {
  return list.length > 0 ? eb(value, 'in', list) : sql<SqlBool>`1 = 0`;
}

/**
 * A subscription's status at `now` over its stored columns: `subscriptionStatus` in
 * core/subscription-state.ts, case for case. Keep the two in step.
 */
function statusAt(eb: ExpressionBuilder<Database, 'subscriptions'>, now: number) {
  const status = (s: SubscriptionStatus) => sql.lit(s);
  return eb
    .case()
    .when(eb.and([eb('end_date', 'is not', null), eb('end_date', '<=', now)]))
    .then(
      eb
        .case()
        .when('cancel_reason', '=', sql.lit(SubscriptionCancelReason.TrialEnded))
        .then(status(Status.Expired))
        .else(status(Status.Canceled))
        .end(),
    )
    .when('start_date', '>', now)
    .then(status(Status.NotStarted))
    .when(eb.and([eb('trial_end_date', 'is not', null), eb('trial_end_date', '>', now)]))
    .then(status(Status.InTrial))
    .else(status(Status.Active))
    .end();
}

/** Inserts the subscription or replaces the one with the same id. */
export function upsertSubscription(db: Db, row: SubscriptionsTable) {
  const { id, ...rest } = row;
  return db
    .insertInto('subscriptions')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(rest));
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
