// What an estimate prices: the subscription a request would create (from the same pure function
// provisioning uses, never stored) and the one it would replace.
import type { Catalog } from '../catalog/catalog.js';
import type { Coupon } from '../catalog/coupon-schema.js';
import { type UpdateInput, updateSubscription } from '../core/subscription-changes.js';
import { type ProvisionInput, provisionSubscription } from '../core/subscription-provisioning.js';
import { planOf } from '../core/subscription-rules.js';
import { billingPeriodRange, effectiveSubscription, isLive, isTrialSubscription } from '../core/subscription-state.js';
import { AllotError } from '../errors.js';
import type { CustomerState, SubscriptionRecord } from '../model/records.js';
import { type PeriodRange, billingPeriodRange as periodRange } from '../proration/billing-period.js';
import { heldCoupon } from './customer-coupon.js';
import { couponAppliesToPeriod } from './discount.js';

/** The subscriptions an estimate compares and the instants its amounts are computed from. */
export interface EstimateBasis {
  /** The subscription as it would be once the request takes effect. */
  readonly next: SubscriptionRecord;
  /** The paid subscription it replaces then, whose unused time is credited; none in a trial. */
  readonly current?: SubscriptionRecord;
  /** When the request takes effect. */
  readonly startDate: number;
  /** Where the first paid period is counted from. */
  readonly billingAnchor: number;
  /** Nothing is due now: a trial, or a change deferred to the end of the period. */
  readonly inTrial: boolean;
  /** The request moves to a lower plan (by the catalog's `order`) than the subscription it changes. */
  readonly isPlanDowngrade: boolean;
  /** The request would be scheduled on the subscription rather than take effect now. */
  readonly hasScheduledUpdates: boolean;
}

/** Whether `next` is on a lower plan than `before`. */
const lowerPlan = (catalog: Catalog, before: SubscriptionRecord | undefined, next: SubscriptionRecord): boolean =>
  before !== undefined && (planOf(catalog, next)?.order ?? 0) < (planOf(catalog, before)?.order ?? 0);

/** The id a simulated subscription gets; ids are unique within one simulation (a trial and its follow-on). */
const ESTIMATE_ID = 'estimate';

/**
 * The basis of estimating a new subscription. A change the product defers (a downgrade at the end
 * of the period) comes back as the current subscription with the change scheduled: the estimate
 * is of the plan it becomes then, and nothing is due now.
 */
export function subscriptionEstimateBasis(
  catalog: Catalog,
  state: CustomerState,
  input: ProvisionInput,
  now: number,
): EstimateBasis {
  let simulated = 0;
  const { subscription: made } = provisionSubscription(
    catalog,
    state,
    input,
    now,
    () => `${ESTIMATE_ID}-${++simulated}`,
  );
  const deferred = state.subscriptions.some((s) => s.id === made.id)
    ? made.scheduledUpdates.find((u) => u.planId !== undefined)
    : undefined;
  const at = deferred?.scheduledExecutionTime ?? made.startDate;
  const next = deferred ? effectiveSubscription(made, catalog, at) : made;
  const inTrial = next.trialEndDate !== null && next.trialEndDate > at;
  const replaced =
    deferred || inTrial
      ? undefined
      : state.subscriptions
          .map((s) => effectiveSubscription(s, catalog, at))
          .find(
            (s) =>
              s.id !== next.id &&
              s.productId === next.productId &&
              s.resourceId === next.resourceId &&
              isLive(s, at) &&
              !isTrialSubscription(s, at),
          );
  return {
    next,
    ...(replaced ? { current: replaced } : {}),
    startDate: at,
    // Deferred: its first period starts at the change.
    billingAnchor: deferred ? at : inTrial ? (next.trialEndDate ?? next.billingAnchor) : next.billingAnchor,
    inTrial: inTrial || deferred !== undefined,
    isPlanDowngrade: lowerPlan(catalog, deferred ? made : replaced, next),
    hasScheduledUpdates: deferred !== undefined,
  };
}

/** The basis of estimating a change of quantities or add-ons, prorated over the rest of the billing period. */
export function updateEstimateBasis(
  catalog: Catalog,
  state: CustomerState,
  subscription: SubscriptionRecord,
  change: Pick<UpdateInput, 'addons' | 'billableFeatures' | 'billing'>,
  now: number,
): EstimateBasis & { current: SubscriptionRecord } {
  const current = effectiveSubscription(subscription, catalog, now);
  const { subscription: next } = updateSubscription(
    catalog,
    state,
    { subscriptionId: subscription.id, ...change },
    now,
  );
  // In a trial nothing is due now; the first paid period starts at the trial's end.
  const inTrial = current.trialEndDate !== null && current.trialEndDate > now;
  return {
    next,
    current,
    startDate: now,
    billingAnchor: inTrial ? (current.trialEndDate ?? current.billingAnchor) : current.billingAnchor,
    inTrial,
    isPlanDowngrade: false,
    hasScheduledUpdates: next.scheduledUpdates.length > current.scheduledUpdates.length,
  };
}

/** What a subscription's next invoice charges: the subscription as it will be then, for which period, with which coupon. */
export interface NextInvoiceBasis {
  readonly next: SubscriptionRecord;
  readonly period: PeriodRange;
  readonly coupon: Coupon | undefined;
}

/**
 * The basis of a subscription's next invoice: the billing period that starts next (at the end of
 * the current one; for a trial, at its end; for one not started, at its start), the subscription
 * as it will stand then (scheduled updates due by then applied) and the customer's coupon if it
 * still discounts that period. SUBSCRIPTION_NOT_ACTIVE when the subscription ends before then.
 */
export function nextInvoiceBasis(
  catalog: Catalog,
  state: CustomerState,
  subscription: SubscriptionRecord,
  now: number,
): NextInvoiceBasis {
  const sub = effectiveSubscription(subscription, catalog, now);
  const trialEnd = sub.trialEndDate !== null && sub.trialEndDate > now ? sub.trialEndDate : null;
  const at = trialEnd ?? (sub.startDate > now ? sub.startDate : billingPeriodRange(sub, now).end);
  const next = effectiveSubscription(subscription, catalog, at);
  if (next.endDate !== null && next.endDate <= at)
    throw new AllotError('SUBSCRIPTION_NOT_ACTIVE', `subscription "${sub.id}" ends before its next billing period`, {
      details: { subscriptionId: sub.id, endDate: next.endDate },
    });
  const period = periodRange(next.billingPeriod, trialEnd ?? next.billingAnchor, at);
  const { coupon, couponStartsAt } = heldCoupon(catalog, state);
  const discounts =
    coupon && couponAppliesToPeriod(coupon, Math.max(couponStartsAt ?? next.startDate, next.startDate), period);
  return { next, period, coupon: discounts ? coupon : undefined };
}
