/**
 * The public surface of allot. Stores live on subpaths (`allot/stores/memory`, `allot/stores/sqlite`)
 * so importing this module never loads a native driver. The client's public types come from
 * `client/params.ts` and `client/results.ts`; the rest is the core's vocabulary.
 *
 * @module allot
 */

export type { AddonVersion, Catalog, PlanVersion } from './catalog/catalog.js';
export type { CatalogIssue } from './catalog/catalog-issues.js';
export type { CatalogInput } from './catalog/catalog-schema.js';
export { CouponStatus, CouponType, DiscountDurationType, DiscountType } from './catalog/coupon-schema.js';
export { CreditCadence } from './catalog/credit-schema.js';
export type { ResolvedProration } from './catalog/proration-schema.js';
export { Allot } from './client/allot.js';
export { type Clock, type ClockStep, ManualClock, systemClock } from './client/clock.js';
export type {
  AllotEventName,
  AllotEvents,
  AutoRechargeSkippedEvent,
  CreditBalanceUpdatedEvent,
  EntitlementsUpdatedEvent,
  PackagePublishedEvent,
  SubscriptionUpdatedEvent,
  UsageUpdatedEvent,
} from './client/engine/listeners.js';
export type { CreditEntitlementFallback, EntitlementFallback } from './client/fallback.js';
export { type CatalogFileIssue, loadCatalog } from './client/load-catalog.js';
export { type LogConfiguration, type Logger, LogLevel } from './client/logger.js';
export type { AllotOptions, StiggConnectionOptions } from './client/options.js';
export type * from './client/params.js';
export type { Progress, ProgressListener } from './client/progress.js';
export type { CouponShape as Coupon, MoneyShape } from './client/result-shapes.js';
export type * from './client/results.js';
export type { GovernanceClient } from './client/services/governance.js';
export type { OpenOptions } from './client/stored-catalog.js';
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
export type {
  EntitlementExplanation,
  ExplainedCredits,
  ExplainedGrant,
  ExplainedSource,
  ExplainedUsage,
  ExplainedValue,
  ExplainedWinner,
  GrantComparison,
  SourceEffect,
} from './core/explain-entitlement.js';
export type { UsagePeriod } from './core/reset-period.js';
export type { MigrationTime } from './core/subscription-changes.js';
export type { UsageAggregate, UsageOp } from './core/usage-aggregate.js';
export type { CellSummary, SummaryKind, TimeRange, UsageSummary } from './core/usage-summary.js';
export { GrantExpirationPeriod, RechargeMethod, ThresholdType } from './credits/auto-recharge-schema.js';
export { CreditGrantStatus, CreditGrantType, CreditLedgerEventType } from './credits/credit-records.js';
export { CreditUsageTimeRange } from './credits/credit-usage.js';
export { OverageAtReset } from './credits/rollover.js';
export { AllotError, type AllotErrorCode, ERROR_CODES } from './errors.js';
export type {
  Address,
  BillingAddress,
  CustomerBilling,
  CustomerBillingInfo,
  InlineDiscount,
  JsonScalar,
  MoneyValue,
  PriceOverride,
  PriceOverrideTier,
  SubscriptionBilling,
  SubscriptionBillingInfo,
  SubscriptionCoupon,
  SubscriptionCreditEntitlement,
  TaxId,
} from './model/billing.js';
export {
  AccessDeniedReason,
  AggregationFunction,
  BillingModel,
  BillingPeriod,
  ConditionOperation,
  Currency,
  type CurrencyCode,
  EntitlementBehavior,
  EntitlementResetPeriod,
  EntitlementsStateAccessDeniedReason,
  FeatureType,
  MeterType,
  MonthlyAccordingTo,
  PaymentCollectionMethod,
  PricingType,
  PromotionalEntitlementPeriod,
  PromotionalEntitlementStatus,
  ProvisionSubscriptionStatus,
  PublishMigrationType,
  ScheduleStrategy,
  SubscriptionBillingCycleAnchor,
  SubscriptionCancellationAction,
  SubscriptionCancellationTime,
  SubscriptionCancelReason,
  SubscriptionDecisionStrategy,
  SubscriptionMigrationTime,
  SubscriptionProrationBehavior,
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
} from './model/enums.js';
export type { Dimensions, DimensionValue, MeterInput } from './model/meters.js';
export type {
  CustomerRecord,
  CustomerState,
  EntitlementSpec,
  PackageVersionRecord,
  PromotionRecord,
  SubscriptionRecord,
  UsageRecord,
} from './model/records.js';
export type { Amount } from './money/money.js';
export type { Paywall, PaywallAddon, PaywallPlan } from './pricing/paywall.js';
export type { SubscriptionPrice } from './pricing/subscription-prices.js';
export { type ExportStoreOptions, exportStore } from './stores/dump/export-store.js';
export type { DumpProgress } from './stores/dump/import-markers.js';
export { type ImportStoreOptions, type ImportStoreResult, importStore } from './stores/dump/import-store.js';
export type {
  AutoRechargeRecord,
  ChangeSet,
  CustomerPageQuery,
  EventKey,
  EventKeyQuery,
  IdempotencyQuery,
  IdempotencyRecord,
  Store,
  StoreCapabilities,
  StoreReader,
  StoreTransaction,
  UniqueMember,
  UniqueMemberQuery,
  UsageEntry,
  UsageEntryQuery,
  UsageEventRecord,
  UsageKey,
  UsageLogPage,
  UsageLogQuery,
  UsageSummaryQuery,
  UsageWindowKey,
} from './stores/store.js';
