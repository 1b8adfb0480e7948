// The public surface of allot. Stores live on subpaths (`allot/stores/memory`, `allot/stores/sqlite`)
// so importing this module never loads a native driver.

export type {
  AllotOptions,
  AutoRechargeSettings,
  CancelSubscriptionParams,
  CancelSubscriptionScheduledUpdatesParams,
  CheckAndReportUsageParams,
  CheckAndReportUsageResult,
  ConsumeCreditsParams,
  ConsumeCreditsResult,
  CreditEntitlementParams,
  CreditGrantsPage,
  CreditLedgerPage,
  EntitlementCheckParams,
  EntitlementsState,
  EnumCheckOptions,
  EstimateSubscriptionParams,
  EstimateSubscriptionUpdateParams,
  GetActiveSubscriptionsParams,
  GetCreditGrantsParams,
  GetCreditLedgerParams,
  GetPaywallParams,
  GetSubscriptionsParams,
  GetSubscriptionsResult,
  GetUsageHistoryParams,
  GrantCreditsParams,
  GrantPromotionalEntitlementsParams,
  MeteredCheckOptions,
  MigrateSubscriptionParams,
  PageInfo,
  Product,
  ProvisionCustomerParams,
  ProvisionCustomerResult,
  ProvisionSubscriptionParams,
  ProvisionSubscriptionResult,
  ReportEventParams,
  ReportEventResult,
  ReportUsageAck,
  ReportUsageBulkParams,
  ReportUsageParams,
  RevokePromotionalEntitlementsParams,
  SaveAutoRechargeParams,
  SubscriptionParams,
  TransferSubscriptionParams,
  UpdateCustomerParams,
  UpdateSubscriptionParams,
  UsageHistory,
} from './client/allot.js';
export { Allot } from './client/allot.js';
export { type Clock, type ClockStep, ManualClock, systemClock } from './client/clock.js';
export type {
  CreditCurrencyShape,
  CreditEntitlement,
  CreditGrant,
  CreditLedgerItem,
} from './client/credit-shapes.js';
export type { EntitlementFallback } from './client/fallback.js';
export type {
  AllotEventName,
  AllotEvents,
  AutoRechargeSkippedEvent,
  CreditBalanceUpdatedEvent,
  EntitlementsUpdatedEvent,
  PackagePublishedEvent,
  SubscriptionUpdatedEvent,
  UsageUpdatedEvent,
} from './client/listeners.js';
export type { PaywallResult, SubscriptionEstimate } from './client/pricing-shapes.js';
export type {
  CouponShape as Coupon,
  Customer,
  FullCustomer,
  PromotionalEntitlement,
  SlimSubscription,
  Subscription,
  SubscriptionFutureUpdate,
} from './client/result-shapes.js';
export type { EventCreditCharge, UsageCreditAck } from './client/usage-credits.js';
export type { AddonVersion, Catalog, PlanVersion } from './core/catalog.js';
export type { CatalogInput } from './core/catalog-schema.js';
export type {
  BooleanEntitlement,
  Entitlement,
  EntitlementFeature,
  EntitlementType,
  EnumEntitlement,
  MeteredEntitlement,
  NumericEntitlement,
  ResetPeriodConfiguration,
} from './core/entitlement-results.js';
export {
  AccessDeniedReason,
  AggregationFunction,
  BillingModel,
  BillingPeriod,
  ConditionOperation,
  EntitlementBehavior,
  EntitlementResetPeriod,
  EntitlementsStateAccessDeniedReason,
  FeatureType,
  MeterType,
  MonthlyAccordingTo,
  PricingType,
  PromotionalEntitlementPeriod,
  PromotionalEntitlementStatus,
  ProvisionSubscriptionStatus,
  ScheduleStrategy,
  SubscriptionBillingCycleAnchor,
  SubscriptionCancellationAction,
  SubscriptionCancellationTime,
  SubscriptionCancelReason,
  SubscriptionDecisionStrategy,
  SubscriptionScheduleStatus,
  SubscriptionScheduleType,
  SubscriptionStatus,
  SubscriptionUpdateUsageCutoffBehavior,
  TiersMode,
  TrialEndBehavior,
  TrialPeriodUnits,
  UsageMarkerType,
  UsageUpdateBehavior,
  WeeklyAccordingTo,
  YearlyAccordingTo,
} from './core/enums.js';
export type { Dimensions, DimensionValue, MeterInput } from './core/meters.js';
export type {
  CustomerRecord,
  CustomerState,
  EntitlementSpec,
  PackageVersionRecord,
  PromotionRecord,
  SubscriptionRecord,
  UsageRecord,
} from './core/records.js';
export type { UsagePeriod } from './core/reset-period.js';
export type { UsageAggregate, UsageOp } from './core/usage-aggregate.js';
export { AllotError, type AllotErrorCode, ERROR_CODES } from './errors.js';
export type { Amount } from './pricing/money.js';
export type { Paywall, PaywallAddon, PaywallPlan } from './pricing/paywall.js';
export type { SubscriptionPrice } from './pricing/subscription-pricing.js';
export type {
  ChangeSet,
  Store,
  StoreCapabilities,
  StoreReader,
  StoreTransaction,
  UsageEntry,
  UsageEntryQuery,
  UsageEventRecord,
  UsageKey,
  UsageWindowKey,
} from './stores/store.js';
