// The subscription queries of the SQL stores, and the subscription row mappers. The filtered
// listings are in subscription-filter-queries.ts.
import type { SubscriptionCancelReason, TrialEndBehavior } from '../../model/enums.js';
import type { SubscriptionRecord } from '../../model/records.js';
import type { SubscriptionsTable } from './schema.js';
import { type Building, type Db, intern, metadataColumn, parseJson, parseMetadataColumn } from './sql-rows.js';

/** The subscription with this id. */
export function selectSubscription(db: Db, p: { subscriptionId: string }) {
  return db.selectFrom('subscriptions').selectAll().where('id', '=', p.subscriptionId);
}

/** Every subscription of one customer, history included, by id. */
export function selectCustomerSubscriptions(db: Db, p: { customerId: string }) {
  return db.selectFrom('subscriptions').selectAll().where('customer_id', '=', p.customerId).orderBy('id');
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
    metadata: metadataColumn(s.metadata, s.billing),
    start_date: s.startDate,
    billing_anchor: s.billingAnchor,
    usage_period_anchor: s.usagePeriodAnchor ?? null,
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
    paying_customer_id: s.payingCustomerId ?? null,
  };
}

/** The subscription a row holds. */
export function rowToSubscription(r: SubscriptionsTable): SubscriptionRecord {
  const { metadata, billing } = parseMetadataColumn<SubscriptionRecord['billing']>(r.metadata);
  const s: Building<SubscriptionRecord> = {
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
    metadata,
    startDate: r.start_date,
    billingAnchor: r.billing_anchor,
    usageResetAt: r.usage_reset_at,
    // Usually the subscription's own id: one string then, not two.
    usageEpoch: r.usage_epoch === r.id ? r.id : r.usage_epoch,
    trialEndDate: r.trial_end_date,
    trialEndBehavior: (r.trial_end_behavior && intern(r.trial_end_behavior)) as TrialEndBehavior | null,
    endDate: r.end_date,
    cancellationDate: r.cancellation_date,
    cancelReason: (r.cancel_reason && intern(r.cancel_reason)) as SubscriptionCancelReason | null,
    scheduledUpdates: parseJson(r.scheduled_updates),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.usage_period_anchor !== null) s.usagePeriodAnchor = r.usage_period_anchor;
  if (r.end_before_conversion !== null) s.endBeforeConversion = JSON.parse(r.end_before_conversion);
  if (billing !== undefined) s.billing = billing;
  if (r.paying_customer_id !== null) s.payingCustomerId = r.paying_customer_id;
  return s;
}
