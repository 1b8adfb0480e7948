// The public methods' result types, gathered from the services and shapes that build them.
export type { CreditCostEstimate, CreditCostEstimates, EstimationRequestWarning } from './credit-estimates.js';
export type {
  CreditCurrencyShape,
  CreditEntitlement,
  CreditGrant,
  CreditLedgerItem,
  RecurrenceShape,
  RolloverShape,
} from './credit-shapes.js';
export type { PageInfo } from './cursor-page.js';
export type {
  DiscountDetails,
  EstimateLineResult,
  InvoiceLine,
  InvoicePreview,
  InvoiceTotals,
  PaywallResult,
  SubscriptionEstimate,
  SubscriptionPreviewV2,
  UsageThresholdProgress,
} from './pricing-shapes.js';
export type {
  CouponShape,
  Customer,
  EntitlementsState,
  FullCustomer,
  PromotionalEntitlement,
  SlimSubscription,
  Subscription,
  SubscriptionFutureUpdate,
} from './result-shapes.js';
export type { Product } from './services/catalog-reads.js';
export type { CreditGrantsPage, CreditLedgerPage, CreditUsage } from './services/credit-reports.js';
export type { CreditPoolReset, CreditResetSchedule } from './services/credit-resets.js';
export type { AutoRechargeSettings, ConsumeCreditsResult } from './services/credits.js';
export type { CustomerStatistics, ProvisionCustomerResult } from './services/customers.js';
export type { EntitlementsStateV2, EntitlementV2 } from './services/entitlements-v2.js';
export type {
  BudgetStatus,
  GovernanceCheckResult,
  GovernanceEntity,
  GovernanceEntityView,
  GovernanceIngestResult,
} from './services/governance.js';
export type { UsageHistory, UsageHistoryPoint } from './services/history.js';
export type { GetSubscriptionsResult } from './services/subscription-reads.js';
export type { ApplySubscriptionResult, ProvisionSubscriptionResult } from './services/subscriptions.js';
export type { CheckAndReportUsageResult, ReportEventResult, ReportUsageAck } from './services/usage.js';
export type { EventCreditCharge, UsageCreditAck } from './usage-credits.js';
