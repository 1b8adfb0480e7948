// The persisted shapes. Instants are epoch milliseconds (UTC); results turn them into Dates.
import type { CustomerBilling, SubscriptionBilling } from './billing.js';
import type {
  BillingPeriod,
  EntitlementResetPeriod,
  PromotionalEntitlementPeriod,
  SubscriptionCancelReason,
  SubscriptionScheduleType,
  TrialEndBehavior,
} from './enums.js';

/** A normalised entitlement from any source: plan, add-on, promotion or custom. */
export interface EntitlementSpec {
  readonly featureId: string;
  /** Null with `hasUnlimitedUsage`, or for boolean features. */
  readonly usageLimit: number | null;
  readonly hasUnlimitedUsage: boolean;
  readonly hasSoftLimit: boolean;
  readonly resetPeriod: EntitlementResetPeriod | null;
  /** The period's "according to" setting; null means SubscriptionStart. */
  readonly accordingTo: string | null;
  /** How many `resetPeriod`s one period spans; absent means 1 (kept absent, so old content hashes hold). */
  readonly resetIntervalCount?: number;
  /**
   * The instant this entitlement's periods count from, in place of its subscription's (or
   * promotion's) start; "according to" still aligns it. Custom and promotional entitlements only.
   */
  readonly usagePeriodAnchor?: number;
  readonly enumValues: readonly string[] | null;
}

export interface CustomerRecord {
  readonly id: string;
  readonly name: string | null;
  readonly email: string | null;
  readonly billingId: string | null;
  readonly couponId: string | null;
  /** When the coupon was applied: ONCE and REPEATING coupons count their periods from here. */
  readonly couponAppliedAt: number | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly archivedAt: number | null;
  /** Billing and CRM details; absent when none were given. */
  readonly billing?: CustomerBilling | undefined;
}

export interface SubscriptionAddon {
  readonly addonId: string;
  readonly version: number;
  readonly quantity: number;
}

export interface BillableFeature {
  readonly featureId: string;
  readonly quantity: number;
}

/** A pending change to a subscription, applied lazily once `now` reaches its time. */
export interface ScheduledUpdate {
  readonly subscriptionScheduleType: SubscriptionScheduleType;
  readonly scheduledExecutionTime: number;
  readonly createdAt: number;
  readonly planId?: string;
  readonly planVersion?: number;
  readonly addons?: readonly SubscriptionAddon[];
  readonly billableFeatures?: readonly BillableFeature[];
  readonly billingPeriod?: BillingPeriod;
  /** A scheduled downgrade's billing details, which replace the subscription's when it takes effect. */
  readonly billing?: SubscriptionBilling;
}

/** When and why a subscription ends. */
export interface SubscriptionEnd {
  readonly endDate: number | null;
  readonly cancellationDate: number | null;
  readonly cancelReason: SubscriptionCancelReason | null;
}

export interface SubscriptionRecord {
  readonly id: string;
  readonly customerId: string;
  readonly resourceId: string | null;
  readonly productId: string;
  readonly planId: string;
  readonly planVersion: number;
  readonly billingPeriod: BillingPeriod;
  readonly addons: readonly SubscriptionAddon[];
  readonly billableFeatures: readonly BillableFeature[];
  /** Per-subscription custom entitlements. */
  readonly entitlements: readonly EntitlementSpec[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly startDate: number;
  /** Billing periods and SubscriptionStart usage periods count from here. */
  readonly billingAnchor: number;
  /**
   * Set by the caller (`usagePeriodAnchor`): usage periods count from here instead of the billing
   * anchor, which keeps counting billing periods. Any instant, before or after the start.
   */
  readonly usagePeriodAnchor?: number | undefined;
  /** When usage last restarted for this subscription (its start, or the last plan change that resets). */
  readonly usageResetAt: number;
  /**
   * Names the usage epoch: a reset starts a new one, a plan change that keeps usage inherits the
   * old one. Counters are keyed by it, so a reset is exact even within one millisecond.
   */
  readonly usageEpoch: string;
  readonly trialEndDate: number | null;
  readonly trialEndBehavior: TrialEndBehavior | null;
  /** When the subscription ends or ended; null while open-ended. */
  readonly endDate: number | null;
  /** When the cancellation was requested. */
  readonly cancellationDate: number | null;
  readonly cancelReason: SubscriptionCancelReason | null;
  /**
   * Set while a converting trial has taken this subscription over: how it was to end before, so
   * that withdrawing the trial restores exactly that (a customer's own cancellation included).
   */
  readonly endBeforeConversion?: SubscriptionEnd | undefined;
  readonly scheduledUpdates: readonly ScheduledUpdate[];
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Its country, price overrides, coupon and billing details; absent when none were given. */
  readonly billing?: SubscriptionBilling | undefined;
  /**
   * Who pays, when the subscription was delegated to another customer (its `customerId`, who
   * holds its entitlements); absent when the holder pays.
   */
  readonly payingCustomerId?: string | undefined;
}

export interface PromotionRecord {
  readonly id: string;
  readonly customerId: string;
  readonly featureId: string;
  readonly period: PromotionalEntitlementPeriod;
  readonly entitlement: EntitlementSpec;
  readonly isVisible: boolean;
  readonly startDate: number;
  /** Null for LIFETIME. */
  readonly endDate: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The group it was granted in with others (`grantPromotionalEntitlementsGroup`); absent when alone. */
  readonly featureGroupId?: string | undefined;
}

/** The aggregate of one usage counter in one window. */
export interface UsageRecord {
  readonly customerId: string;
  readonly resourceId: string | null;
  readonly featureId: string;
  /** The usage window's key: the usage epoch and the reset period's start. */
  readonly window: string;
  /** The window's period; null bounds for usage that never resets. */
  readonly periodStart: number | null;
  readonly periodEnd: number | null;
  /** The aggregate's value (a running sum for AVG) and how many contributions it holds. */
  readonly value: number;
  readonly count: number;
  readonly updatedAt: number;
}

/** Everything the engine needs to answer for one customer, loaded and cached as a unit. */
export interface CustomerState {
  readonly customer: CustomerRecord;
  readonly subscriptions: readonly SubscriptionRecord[];
  readonly promotions: readonly PromotionRecord[];
  readonly usage: readonly UsageRecord[];
}

export type PackageKind = 'plan' | 'addon';

/**
 * A stored version of a plan or add-on, or of the whole catalog (kind `catalog`, ref id `catalog`,
 * what `Allot.open` starts from); `snapshot` is the compiled definition as JSON data.
 */
export interface PackageVersionRecord {
  readonly kind: PackageKind | 'catalog';
  readonly refId: string;
  readonly version: number;
  readonly hash: string;
  readonly snapshot: unknown;
  readonly createdAt: number;
}

/** Records in the order the stores return them, by id, so a cached state equals a freshly loaded one. */
export const byId = (a: { readonly id: string }, b: { readonly id: string }): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
