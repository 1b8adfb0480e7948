// The public methods' input types. Each is its zod schema's input, so the types and the
// validation never disagree.
import type { z } from 'zod';
import type { CheckOptions } from '../core/evaluate-entitlement.js';
import type { EntitlementFallback } from './fallback.js';
import type {
  activeSubscriptionsSchema,
  cancelScheduledUpdatesSchema,
  cancelSubscriptionSchema,
  checkAndReportUsageSchema,
  consumeCreditsSchema,
  creditEntitlementSchema,
  creditEventsFieldsSchema,
  creditGrantsSchema,
  creditLedgerSchema,
  creditPoolSchema,
  creditUsageSchema,
  estimateEventCostSchema,
  estimateSubscriptionSchema,
  estimateSubscriptionUpdateSchema,
  estimateUsageCostSchema,
  getSubscriptionsSchema,
  grantCreditsSchema,
  grantPromotionsSchema,
  migrateSubscriptionSchema,
  paywallSchema,
  provisionCustomerSchema,
  provisionSubscriptionSchema,
  reportEventSchema,
  reportUsageBulkSchema,
  reportUsageSchema,
  resetCreditPoolSchema,
  revokePromotionSchema,
  saveAutoRechargeSchema,
  saveCreditResetScheduleSchema,
  subscriptionParamsSchema,
  transferSubscriptionSchema,
  updateCustomerSchema,
  updateSubscriptionSchema,
  usageHistorySchema,
} from './input-schemas.js';

/** What every entitlement check takes; `options` depends on the feature type. */
export interface EntitlementCheckParams<O = CheckOptions> {
  customerId: string;
  featureId: string;
  /** Scope the check to a resource; customer-wide subscriptions apply there too. */
  resourceId?: string | null;
  /** The type's options, and a per-call fallback that wins over `entitlementsFallback`. */
  options?: O & { fallback?: EntitlementFallback };
}
/** `getMeteredEntitlement`'s options: the usage about to be added (default 0). */
export type MeteredCheckOptions = { requestedUsage?: number };
/** `getEnumEntitlement`'s options: the values that must all be allowed. */
export type EnumCheckOptions = { requestedValues?: string[] };

/** `provisionCustomer`'s input: the customer, and `subscriptionParams` (or null to skip a subscription). */
export type ProvisionCustomerParams = z.input<typeof provisionCustomerSchema>;
/** A subscription request, as in `provisionCustomer`'s `subscriptionParams`. */
export type SubscriptionParams = z.input<typeof subscriptionParamsSchema>;
/** `updateCustomer`'s input: fields left out are kept. */
export type UpdateCustomerParams = z.input<typeof updateCustomerSchema>;
/** `provisionSubscription`'s input. */
export type ProvisionSubscriptionParams = z.input<typeof provisionSubscriptionSchema>;
/** `updateSubscription`'s input: `addons` replaces the whole list. */
export type UpdateSubscriptionParams = z.input<typeof updateSubscriptionSchema>;
/** `cancelSubscription`'s input. */
export type CancelSubscriptionParams = z.input<typeof cancelSubscriptionSchema>;
/** `cancelSubscriptionScheduledUpdates`' input. */
export type CancelSubscriptionScheduledUpdatesParams = z.input<typeof cancelScheduledUpdatesSchema>;
/** `migrateSubscriptionToLatest`'s input. */
export type MigrateSubscriptionParams = z.input<typeof migrateSubscriptionSchema>;
/** `transferSubscriptionToResource`'s input; no destination means customer-wide. */
export type TransferSubscriptionParams = z.input<typeof transferSubscriptionSchema>;
/** `getSubscriptions`' filters and cursor pagination. */
export type GetSubscriptionsParams = z.input<typeof getSubscriptionsSchema>;
/** `getActiveSubscriptions`' input: a customer and optionally one or more resources. */
export type GetActiveSubscriptionsParams = z.input<typeof activeSubscriptionsSchema>;

/** One usage report: DELTA (default) or SET, with an optional idempotency key. */
export type ReportUsageParams = z.input<typeof reportUsageSchema>;
/** `reportUsageBulk`'s input: up to 1,000 reports, all applied or none. */
export type ReportUsageBulkParams = z.input<typeof reportUsageBulkSchema>;
/** `checkAndReportUsage`'s input: a DELTA of `value` (not negative) recorded only if the limit allows it. */
export type CheckAndReportUsageParams = z.input<typeof checkAndReportUsageSchema>;
/** One raw event for `reportEvent`. */
export type ReportEventParams = z.input<typeof reportEventSchema>;
/** `getUsageHistory`'s input. */
export type GetUsageHistoryParams = z.input<typeof usageHistorySchema>;

/** `grantPromotionalEntitlements`' input. */
export type GrantPromotionalEntitlementsParams = z.input<typeof grantPromotionsSchema>;
/** `revokePromotionalEntitlements`' input. */
export type RevokePromotionalEntitlementsParams = z.input<typeof revokePromotionSchema>;

/** `estimateSubscription`'s input. */
export type EstimateSubscriptionParams = z.input<typeof estimateSubscriptionSchema>;
/** `estimateSubscriptionUpdate`'s input. */
export type EstimateSubscriptionUpdateParams = z.input<typeof estimateSubscriptionUpdateSchema>;
/** `getPaywall`'s input. */
export type GetPaywallParams = z.input<typeof paywallSchema>;

/** `grantCredits`'s input. */
export type GrantCreditsParams = z.input<typeof grantCreditsSchema>;
/** `consumeCredits`'s input. */
export type ConsumeCreditsParams = z.input<typeof consumeCreditsSchema>;
/** `getCreditEntitlement`'s input. */
export type CreditEntitlementParams = z.input<typeof creditEntitlementSchema>;
/** `getCreditGrants`'s input. */
export type GetCreditGrantsParams = z.input<typeof creditGrantsSchema>;
/** `getCreditLedger`'s input. */
export type GetCreditLedgerParams = z.input<typeof creditLedgerSchema>;
/** `getCreditUsage`'s input. */
export type GetCreditUsageParams = z.input<typeof creditUsageSchema>;
/** `getCreditEventsFields`'s input. */
export type GetCreditEventsFieldsParams = z.input<typeof creditEventsFieldsSchema>;
/** `estimateUsageCost`'s input. */
export type EstimateUsageCostParams = z.input<typeof estimateUsageCostSchema>;
/** `estimateEventCost`'s input. */
export type EstimateEventCostParams = z.input<typeof estimateEventCostSchema>;
/** `saveAutomaticRechargeConfiguration`'s input. */
export type SaveAutoRechargeParams = z.input<typeof saveAutoRechargeSchema>;
/** `resetCreditPool`'s input. */
export type ResetCreditPoolParams = z.input<typeof resetCreditPoolSchema>;
/** `saveCreditResetSchedule`'s input. */
export type SaveCreditResetScheduleParams = z.input<typeof saveCreditResetScheduleSchema>;
/** One credit pool: a customer's, of a currency, customer-wide or a resource's. */
export type CreditPoolParams = z.input<typeof creditPoolSchema>;
