// String enums as const objects: values are the reference SDK's, keys its PascalCase members.

/** An enum's values, each once (an enum may name a value twice, for another spelling of its member). */
function values<T extends Record<string, string>>(o: T): [T[keyof T], ...T[keyof T][]] {
  return [...new Set(Object.values(o))] as [T[keyof T], ...T[keyof T][]];
}

export const FeatureType = { Boolean: 'BOOLEAN', Number: 'NUMBER', Enum: 'ENUM' } as const;
export type FeatureType = (typeof FeatureType)[keyof typeof FeatureType];

export const MeterType = { None: 'None', Fluctuating: 'Fluctuating', Incremental: 'Incremental' } as const;
export type MeterType = (typeof MeterType)[keyof typeof MeterType];

export const EntitlementResetPeriod = {
  Hour: 'HOUR',
  Day: 'DAY',
  Week: 'WEEK',
  Month: 'MONTH',
  Year: 'YEAR',
} as const;
export type EntitlementResetPeriod = (typeof EntitlementResetPeriod)[keyof typeof EntitlementResetPeriod];

export const MonthlyAccordingTo = {
  SubscriptionStart: 'SubscriptionStart',
  StartOfTheMonth: 'StartOfTheMonth',
} as const;
export type MonthlyAccordingTo = (typeof MonthlyAccordingTo)[keyof typeof MonthlyAccordingTo];

export const WeeklyAccordingTo = {
  SubscriptionStart: 'SubscriptionStart',
  EveryMonday: 'EveryMonday',
  EveryTuesday: 'EveryTuesday',
  EveryWednesday: 'EveryWednesday',
  EveryThursday: 'EveryThursday',
  EveryFriday: 'EveryFriday',
  EverySaturday: 'EverySaturday',
  EverySunday: 'EverySunday',
} as const;
export type WeeklyAccordingTo = (typeof WeeklyAccordingTo)[keyof typeof WeeklyAccordingTo];

export const YearlyAccordingTo = { SubscriptionStart: 'SubscriptionStart' } as const;
export type YearlyAccordingTo = (typeof YearlyAccordingTo)[keyof typeof YearlyAccordingTo];

export const EntitlementBehavior = { Increment: 'Increment', Override: 'Override' } as const;
export type EntitlementBehavior = (typeof EntitlementBehavior)[keyof typeof EntitlementBehavior];

export const AccessDeniedReason = {
  BudgetExceeded: 'BudgetExceeded',
  CustomerIsArchived: 'CustomerIsArchived',
  CustomerNotFound: 'CustomerNotFound',
  CustomerResourceNotFound: 'CustomerResourceNotFound',
  EntitlementNotFound: 'EntitlementNotFound',
  FeatureNotFound: 'FeatureNotFound',
  FeatureTypeMismatch: 'FeatureTypeMismatch',
  InsufficientCredits: 'InsufficientCredits',
  NoActiveSubscription: 'NoActiveSubscription',
  NoFeatureEntitlementInSubscription: 'NoFeatureEntitlementInSubscription',
  RequestedUsageExceedingLimit: 'RequestedUsageExceedingLimit',
  RequestedValuesMismatch: 'RequestedValuesMismatch',
  Revoked: 'Revoked',
  Unknown: 'Unknown',
} as const;
export type AccessDeniedReason = (typeof AccessDeniedReason)[keyof typeof AccessDeniedReason];

export const EntitlementsStateAccessDeniedReason = {
  CustomerNotFound: 'CustomerNotFound',
  CustomerIsArchived: 'CustomerIsArchived',
  NoActiveSubscription: 'NoActiveSubscription',
} as const;
export type EntitlementsStateAccessDeniedReason =
  (typeof EntitlementsStateAccessDeniedReason)[keyof typeof EntitlementsStateAccessDeniedReason];

export const UsageUpdateBehavior = { Delta: 'DELTA', Set: 'SET' } as const;
export type UsageUpdateBehavior = (typeof UsageUpdateBehavior)[keyof typeof UsageUpdateBehavior];

export const UsageMarkerType = {
  PeriodicReset: 'PERIODIC_RESET',
  SubscriptionChangeReset: 'SUBSCRIPTION_CHANGE_RESET',
} as const;
export type UsageMarkerType = (typeof UsageMarkerType)[keyof typeof UsageMarkerType];

export const AggregationFunction = {
  Count: 'COUNT',
  Sum: 'SUM',
  Max: 'MAX',
  Min: 'MIN',
  Avg: 'AVG',
  Unique: 'UNIQUE',
} as const;
export type AggregationFunction = (typeof AggregationFunction)[keyof typeof AggregationFunction];

export const ConditionOperation = {
  Equals: 'EQUALS',
  NotEquals: 'NOT_EQUALS',
  GreaterThan: 'GREATER_THAN',
  GreaterThanOrEqual: 'GREATER_THAN_OR_EQUAL',
  LessThan: 'LESS_THAN',
  LessThanOrEqual: 'LESS_THAN_OR_EQUAL',
  IsNull: 'IS_NULL',
  IsNotNull: 'IS_NOT_NULL',
  Contains: 'CONTAINS',
  StartsWith: 'STARTS_WITH',
  EndsWith: 'ENDS_WITH',
  In: 'IN',
} as const;
export type ConditionOperation = (typeof ConditionOperation)[keyof typeof ConditionOperation];

export const SubscriptionUpdateUsageCutoffBehavior = {
  AlwaysReset: 'ALWAYS_RESET',
  NeverReset: 'NEVER_RESET',
  BillingPeriodChange: 'BILLING_PERIOD_CHANGE',
} as const;
export type SubscriptionUpdateUsageCutoffBehavior =
  (typeof SubscriptionUpdateUsageCutoffBehavior)[keyof typeof SubscriptionUpdateUsageCutoffBehavior];

export const BillingPeriod = { Monthly: 'MONTHLY', Annually: 'ANNUALLY' } as const;
export type BillingPeriod = (typeof BillingPeriod)[keyof typeof BillingPeriod];

export const PricingType = { Free: 'FREE', Paid: 'PAID', Custom: 'CUSTOM' } as const;
export type PricingType = (typeof PricingType)[keyof typeof PricingType];

export const SubscriptionStatus = {
  Active: 'ACTIVE',
  Canceled: 'CANCELED',
  Expired: 'EXPIRED',
  InTrial: 'IN_TRIAL',
  NotStarted: 'NOT_STARTED',
  PaymentPending: 'PAYMENT_PENDING',
} as const;
export type SubscriptionStatus = (typeof SubscriptionStatus)[keyof typeof SubscriptionStatus];

export const SubscriptionCancellationTime = {
  Immediate: 'IMMEDIATE',
  EndOfBillingPeriod: 'END_OF_BILLING_PERIOD',
  SpecificDate: 'SPECIFIC_DATE',
} as const;
export type SubscriptionCancellationTime =
  (typeof SubscriptionCancellationTime)[keyof typeof SubscriptionCancellationTime];

export const SubscriptionCancellationAction = {
  Default: 'DEFAULT',
  RevokeEntitlements: 'REVOKE_ENTITLEMENTS',
} as const;
export type SubscriptionCancellationAction =
  (typeof SubscriptionCancellationAction)[keyof typeof SubscriptionCancellationAction];

export const SubscriptionCancelReason = {
  CustomerArchived: 'CustomerArchived',
  Expired: 'Expired',
  Immediate: 'Immediate',
  ScheduledCancellation: 'ScheduledCancellation',
  TrialConverted: 'TrialConverted',
  TrialEnded: 'TrialEnded',
  UpgradeOrDowngrade: 'UpgradeOrDowngrade',
} as const;
export type SubscriptionCancelReason = (typeof SubscriptionCancelReason)[keyof typeof SubscriptionCancelReason];

export const ScheduleStrategy = {
  Immediate: 'IMMEDIATE',
  EndOfBillingPeriod: 'END_OF_BILLING_PERIOD',
  EndOfBillingMonth: 'END_OF_BILLING_MONTH',
} as const;
export type ScheduleStrategy = (typeof ScheduleStrategy)[keyof typeof ScheduleStrategy];

/** When `migrateSubscriptionToLatest` moves a subscription to the latest versions (default: at once). */
export const SubscriptionMigrationTime = {
  Immediate: 'IMMEDIATE',
  EndOfBillingPeriod: 'END_OF_BILLING_PERIOD',
} as const;
export type SubscriptionMigrationTime = (typeof SubscriptionMigrationTime)[keyof typeof SubscriptionMigrationTime];

/** What a changed plan or add-on means for existing subscriptions (the `catalogMigration` option). */
export const PublishMigrationType = { NewCustomers: 'NEW_CUSTOMERS', AllCustomers: 'ALL_CUSTOMERS' } as const;
export type PublishMigrationType = (typeof PublishMigrationType)[keyof typeof PublishMigrationType];

export const SubscriptionScheduleType = {
  Plan: 'Plan',
  Downgrade: 'Downgrade',
  Addon: 'Addon',
  BillingPeriod: 'BillingPeriod',
  UnitAmount: 'UnitAmount',
  MigrateToLatest: 'MigrateToLatest',
} as const;
export type SubscriptionScheduleType = (typeof SubscriptionScheduleType)[keyof typeof SubscriptionScheduleType];

export const SubscriptionScheduleStatus = {
  Scheduled: 'Scheduled',
  PendingPayment: 'PendingPayment',
  Done: 'Done',
  Failed: 'Failed',
  Canceled: 'Canceled',
} as const;
export type SubscriptionScheduleStatus = (typeof SubscriptionScheduleStatus)[keyof typeof SubscriptionScheduleStatus];

export const ProvisionSubscriptionStatus = { Success: 'SUCCESS', PaymentRequired: 'PAYMENT_REQUIRED' } as const;
export type ProvisionSubscriptionStatus =
  (typeof ProvisionSubscriptionStatus)[keyof typeof ProvisionSubscriptionStatus];

export const SubscriptionDecisionStrategy = {
  RequestedPlan: 'REQUESTED_PLAN',
  PredefinedFreePlan: 'PREDEFINED_FREE_PLAN',
  PredefinedTrialPlan: 'PREDEFINED_TRIAL_PLAN',
  SkippedSubscriptionCreation: 'SKIPPED_SUBSCRIPTION_CREATION',
} as const;
export type SubscriptionDecisionStrategy =
  (typeof SubscriptionDecisionStrategy)[keyof typeof SubscriptionDecisionStrategy];

export const TrialPeriodUnits = { Day: 'DAY', Month: 'MONTH' } as const;
export type TrialPeriodUnits = (typeof TrialPeriodUnits)[keyof typeof TrialPeriodUnits];

export const TrialEndBehavior = {
  ConvertToPaid: 'CONVERT_TO_PAID',
  CancelSubscription: 'CANCEL_SUBSCRIPTION',
} as const;
export type TrialEndBehavior = (typeof TrialEndBehavior)[keyof typeof TrialEndBehavior];

export const PromotionalEntitlementPeriod = {
  OneWeek: 'ONE_WEEK',
  OneMonth: 'ONE_MONTH',
  SixMonth: 'SIX_MONTH',
  OneYear: 'ONE_YEAR',
  Lifetime: 'LIFETIME',
  Custom: 'CUSTOM',
} as const;
export type PromotionalEntitlementPeriod =
  (typeof PromotionalEntitlementPeriod)[keyof typeof PromotionalEntitlementPeriod];

export const PromotionalEntitlementStatus = { Active: 'Active', Expired: 'Expired', Paused: 'Paused' } as const;
export type PromotionalEntitlementStatus =
  (typeof PromotionalEntitlementStatus)[keyof typeof PromotionalEntitlementStatus];

export const BillingModel = {
  FlatFee: 'FLAT_FEE',
  PerUnit: 'PER_UNIT',
  UsageBased: 'USAGE_BASED',
  MinimumSpend: 'MINIMUM_SPEND',
  CreditBased: 'CREDIT_BASED',
} as const;
export type BillingModel = (typeof BillingModel)[keyof typeof BillingModel];

export const TiersMode = { Volume: 'VOLUME', Graduated: 'GRADUATED' } as const;
export type TiersMode = (typeof TiersMode)[keyof typeof TiersMode];

/**
 * The SDK's members are `Unchanged` and `Now`; its guide writes `SubscriptionBillingCycleAnchor.UNCHANGED`,
 * so those names are members too.
 */
export const SubscriptionBillingCycleAnchor = {
  Unchanged: 'UNCHANGED',
  Now: 'NOW',
  UNCHANGED: 'UNCHANGED',
  NOW: 'NOW',
} as const;
export type SubscriptionBillingCycleAnchor =
  (typeof SubscriptionBillingCycleAnchor)[keyof typeof SubscriptionBillingCycleAnchor];

/** The ISO 4217 codes the reference's `Currency` lists, in its order. */
const CURRENCY_CODES = [
  'AED',
  'ALL',
  'AMD',
  'ANG',
  'AUD',
  'AWG',
  'AZN',
  'BAM',
  'BBD',
  'BDT',
  'BGN',
  'BIF',
  'BMD',
  'BND',
  'BRL',
  'BSD',
  'BWP',
  'BYN',
  'BZD',
  'CAD',
  'CDF',
  'CHF',
  'CLP',
  'CNY',
  'CZK',
  'DJF',
  'DKK',
  'DOP',
  'DZD',
  'EGP',
  'ETB',
  'EUR',
  'FJD',
  'GBP',
  'GEL',
  'GIP',
  'GMD',
  'GNF',
  'GYD',
  'HKD',
  'HRK',
  'HTG',
  'IDR',
  'ILS',
  'INR',
  'ISK',
  'JMD',
  'JPY',
  'KES',
  'KGS',
  'KHR',
  'KMF',
  'KRW',
  'KYD',
  'KZT',
  'LBP',
  'LKR',
  'LRD',
  'LSL',
  'MAD',
  'MDL',
  'MGA',
  'MKD',
  'MMK',
  'MNT',
  'MOP',
  'MRO',
  'MVR',
  'MWK',
  'MXN',
  'MYR',
  'MZN',
  'NAD',
  'NGN',
  'NOK',
  'NPR',
  'NZD',
  'PGK',
  'PHP',
  'PKR',
  'PLN',
  'PYG',
  'QAR',
  'RON',
  'RSD',
  'RUB',
  'RWF',
  'SAR',
  'SBD',
  'SCR',
  'SEK',
  'SGD',
  'SLE',
  'SLL',
  'SOS',
  'SZL',
  'THB',
  'TJS',
  'TOP',
  'TRY',
  'TTD',
  'TZS',
  'UAH',
  'UGX',
  'USD',
  'UZS',
  'VND',
  'VUV',
  'WST',
  'XAF',
  'XCD',
  'XOF',
  'XPF',
  'YER',
  'ZAR',
  'ZMW',
] as const;
/** An ISO 4217 code the reference SDK's `Currency` enum knows. */
export type CurrencyCode = (typeof CURRENCY_CODES)[number];

/** The reference's `Currency`: members `Usd`, `Eur`, ..., values the codes. Prices take any ISO 4217 code. */
export const Currency = Object.freeze(
  Object.fromEntries(CURRENCY_CODES.map((c) => [c[0] + c.slice(1).toLowerCase(), c])),
) as { readonly [C in CurrencyCode as Capitalize<Lowercase<C>>]: C };
export type Currency = CurrencyCode;

export const PaymentCollectionMethod = { Charge: 'CHARGE', Invoice: 'INVOICE', None: 'NONE' } as const;
export type PaymentCollectionMethod = (typeof PaymentCollectionMethod)[keyof typeof PaymentCollectionMethod];

export const SubscriptionProrationBehavior = {
  CreateProrations: 'CREATE_PRORATIONS',
  InvoiceImmediately: 'INVOICE_IMMEDIATELY',
  None: 'NONE',
} as const;
export type SubscriptionProrationBehavior =
  (typeof SubscriptionProrationBehavior)[keyof typeof SubscriptionProrationBehavior];

export const enumValues = values;
