// The public methods' input types. Each is its zod schema's input, so the types and the
// validation never disagree.
import type { z } from 'zod';
import type { CheckOptions } from '../core/evaluate-entitlement.js';
import type {
  autoRechargeKeySchema,
  consumeCreditsSchema,
  creditBalanceSchema,
  creditEntitlementSchema,
  creditEventsFieldsSchema,
  creditGrantsSchema,
  creditLedgerSchema,
  creditPoolSchema,
  creditUsageSchema,
  estimateEventCostSchema,
  estimateUsageCostSchema,
  grantCreditsSchema,
  resetCreditPoolSchema,
  saveAutoRechargeSchema,
  saveCreditResetScheduleSchema,
} from './credit-input-schemas.js';
import type { EntitlementFallback } from './fallback.js';
import type {
  activeSubscriptionsSchema,
  cancelScheduledUpdatesSchema,
  cancelSubscriptionSchema,
  checkAndReportUsageSchema,
  estimateSubscriptionSchema,
  estimateSubscriptionUpdateSchema,
  getSubscriptionsSchema,
  grantPromotionsSchema,
  migrateSubscriptionSchema,
  paywallSchema,
  provisionCustomerSchema,
  provisionSubscriptionSchema,
  pruneHistorySchema,
  reportEventSchema,
  reportUsageBulkSchema,
  reportUsageSchema,
  revokePromotionSchema,
  subscriptionParamsSchema,
  transferSubscriptionSchema,
  updateCustomerSchema,
  updateSubscriptionSchema,
  usageHistorySchema,
} from './input-schemas.js';
import type {
  applySubscriptionSchema,
  consumeCreditsAsyncSchema,
  createCustomerSchema,
  delegateSubscriptionSchema,
  entitlementV2Schema,
  fetchUsageHistorySchema,
  grantPromotionsGroupSchema,
  importCustomerBulkSchema,
  importCustomerSchema,
  importSubscriptionBulkSchema,
  importSubscriptionSchema,
  previewSubscriptionSchema,
  promotionsGroupSchema,
  transferResourceSubscriptionsSchema,
  usageHistoryV2Schema,
} from './sdk-input-schemas.js';

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
/** `explainEntitlement`'s input: the check to explain. */
export type ExplainEntitlementParams = Omit<EntitlementCheckParams, 'options'>;

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
/** `pruneUsageHistory`'s input: what happened before `before` goes; `onProgress` hears of it. */
export type PruneUsageHistoryParams = z.input<typeof pruneHistorySchema>;

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
/** `getCreditBalance`'s input: without `currencyId`, the catalog's only credit currency. */
export type GetCreditBalanceParams = z.input<typeof creditBalanceSchema>;
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
/** `getAutomaticRechargeConfiguration`'s input; `environmentId` is accepted and ignored. */
export type GetAutoRechargeParams = z.input<typeof autoRechargeKeySchema>;

/** `createCustomer`'s input (deprecated): `provisionCustomer`'s without `subscriptionParams`. */
export type CreateCustomerParams = z.input<typeof createCustomerSchema>;
/** One customer to import: `createCustomer`'s input and a payment method id (not used: no payment provider). */
export type ImportCustomerParams = z.input<typeof importCustomerSchema>;
/** `importCustomerBulk`'s input: up to 1,000 customers, written in one transaction. */
export type ImportCustomerBulkParams = z.input<typeof importCustomerBulkSchema>;
/** One subscription to import: `provisionSubscription`'s input, with an id of its own and an end date. */
export type ImportSubscriptionParams = z.input<typeof importSubscriptionSchema>;
/** `importSubscriptionBulk`'s input: up to 1,000 subscriptions, written in one transaction. */
export type ImportSubscriptionBulkParams = z.input<typeof importSubscriptionBulkSchema>;
/** `applySubscription`'s input: `provisionSubscription`'s and a payment method id (not used). */
export type ApplySubscriptionParams = z.input<typeof applySubscriptionSchema>;
/** `previewSubscription`'s input: `estimateSubscription`'s and a `scheduleStrategy`. */
export type PreviewSubscriptionParams = z.input<typeof previewSubscriptionSchema>;
/** `delegateSubscriptionToCustomer`'s input. */
export type DelegateSubscriptionParams = z.input<typeof delegateSubscriptionSchema>;
/** `transferSubscription`'s input (deprecated). */
export type TransferResourceSubscriptionsParams = z.input<typeof transferResourceSubscriptionsSchema>;
/** `consumeCreditsAsync`'s input. */
export type ConsumeCreditsAsyncParams = z.input<typeof consumeCreditsAsyncSchema>;
/** `getEntitlementV2`'s input: `featureId` or `currencyId`. */
export type EntitlementV2Params = z.input<typeof entitlementV2Schema>;
/** `getUsageHistoryV2`'s input. */
export type GetUsageHistoryV2Params = z.input<typeof usageHistoryV2Schema>;
/** `fetchUsageHistory`'s input (deprecated). */
export type FetchUsageHistoryParams = z.input<typeof fetchUsageHistorySchema>;
/** `grantPromotionalEntitlementsGroup`'s input. */
export type GrantPromotionalEntitlementsGroupParams = z.input<typeof grantPromotionsGroupSchema>;
/** `revokePromotionalEntitlementsGroup`'s and `unlinkPromotionalEntitlementsGroup`'s input. */
export type PromotionalEntitlementsGroupParams = z.input<typeof promotionsGroupSchema>;
/** `resetCreditPool`'s input. */
export type ResetCreditPoolParams = z.input<typeof resetCreditPoolSchema>;
/** `saveCreditResetSchedule`'s input. */
export type SaveCreditResetScheduleParams = z.input<typeof saveCreditResetScheduleSchema>;
/** One credit pool: a customer's, of a currency, customer-wide or a resource's. */
export type CreditPoolParams = z.input<typeof creditPoolSchema>;
