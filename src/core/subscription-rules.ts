// What every subscription change shares: looking a subscription up, the product rules it is
// checked against, and how a change's records are finished.
import { type Catalog, type PlanVersion, versionKey } from '../catalog/catalog.js';
import { AllotError } from '../errors.js';
import { mergeBilling, type SubscriptionBilling } from '../model/billing.js';
import type { ScheduleStrategy } from '../model/enums.js';
import type { BillableFeature, CustomerState, SubscriptionAddon, SubscriptionRecord } from '../model/records.js';
import { addMonthsUtc, usagePeriod } from './reset-period.js';
import { settle } from './subscription-scope.js';
import { billingPeriodRange, effectiveSubscription, subscriptionStatus } from './subscription-state.js';

const DAY_MS = 86_400_000;

/** The records a change writes, and the subscription to hand back to the caller. */
export interface SubscriptionChange {
  readonly upserts: readonly SubscriptionRecord[];
  readonly subscription: SubscriptionRecord;
}

export interface AddonRequest {
  readonly addonId: string;
  readonly quantity?: number | undefined;
}

export function requirePlan(catalog: Catalog, planId: string): PlanVersion {
  const plan = catalog.plans.get(planId);
  if (!plan) throw new AllotError('PLAN_NOT_FOUND', `plan "${planId}" is not in the catalog`, { details: { planId } });
  return plan;
}

/** Validates add-ons against the plan (existence, compatibility, max quantity) and pins their versions. */
export function resolveAddons(
  catalog: Catalog,
  plan: PlanVersion,
  addons: readonly AddonRequest[],
): SubscriptionAddon[] {
  const seen = new Map<string, SubscriptionAddon>();
  for (const { addonId, quantity = 1 } of addons) {
    const addon = catalog.addons.get(addonId);
    if (!addon)
      throw new AllotError('ADDON_NOT_FOUND', `add-on "${addonId}" is not in the catalog`, { details: { addonId } });
    if (!plan.compatibleAddonIds.includes(addonId))
      throw new AllotError('ADDON_NOT_COMPATIBLE', `add-on "${addonId}" is not compatible with plan "${plan.id}"`, {
        details: { addonId, planId: plan.id },
      });
    const total = (seen.get(addonId)?.quantity ?? 0) + quantity;
    if (addon.maxQuantity !== null && total > addon.maxQuantity)
      throw new AllotError('ADDON_QUANTITY_EXCEEDED', `add-on "${addonId}" allows at most ${addon.maxQuantity}`, {
        details: { addonId, quantity: total, maxQuantity: addon.maxQuantity },
      });
    seen.set(addonId, { addonId, version: addon.version, quantity: total });
  }
  return [...seen.values()];
}

export function checkFeatures(catalog: Catalog, features: readonly BillableFeature[]): BillableFeature[] {
  for (const { featureId } of features)
    if (!catalog.features.has(featureId))
      throw new AllotError('FEATURE_NOT_FOUND', `feature "${featureId}" is not in the catalog`, {
        details: { featureId },
      });
  return features.map((f) => ({ featureId: f.featureId, quantity: f.quantity }));
}

export function planOf(catalog: Catalog, sub: SubscriptionRecord): PlanVersion | undefined {
  return catalog.planVersions.get(versionKey(sub.planId, sub.planVersion));
}

/** The customer's subscriptions with due scheduled updates folded in, so changes start from the present. */
export function present(catalog: Catalog, state: CustomerState, now: number): SubscriptionRecord[] {
  return state.subscriptions.map((s) => effectiveSubscription(s, catalog, now));
}

/** The change's records with its scopes settled, and the subscription to return as it was written. */
export function finish(
  catalog: Catalog,
  before: readonly SubscriptionRecord[],
  upserts: SubscriptionRecord[],
  subject: SubscriptionRecord,
  now: number,
) {
  const settled = settle(catalog, before, upserts, now);
  return { upserts: settled, subscription: settled.find((s) => s.id === subject.id) ?? subject };
}

/** A product that does not allow multiple subscriptions takes customer-wide ones only. */
export function requireResourceAllowed(catalog: Catalog, productId: string, resourceId: string | null): void {
  if (resourceId !== null && catalog.products.get(productId)?.multipleSubscriptions === false)
    throw new AllotError(
      'INVALID_OPERATION',
      `product "${productId}" does not allow multiple subscriptions, so its subscriptions cannot be scoped to resource "${resourceId}"`,
      { details: { productId, resourceId } },
    );
}

/** The subscription with its pending cancellation withdrawn. */
export function resume(sub: SubscriptionRecord, now: number): SubscriptionRecord {
  return { ...sub, endDate: null, cancellationDate: null, cancelReason: null, updatedAt: now };
}

export function end(sub: SubscriptionRecord, at: number, reason: SubscriptionRecord['cancelReason'], now: number) {
  return { ...sub, endDate: at, cancellationDate: now, cancelReason: reason, scheduledUpdates: [], updatedAt: now };
}

export function trialEnd(start: number, duration: number, units: 'DAY' | 'MONTH'): number {
  return units === 'DAY' ? start + duration * DAY_MS : addMonthsUtc(start, duration);
}

export function changeTime(sub: SubscriptionRecord, strategy: ScheduleStrategy, now: number): number {
  if (strategy === 'END_OF_BILLING_MONTH') return usagePeriod('MONTH', sub.billingAnchor, now).end;
  return billingPeriodRange(sub, now).end;
}

/** The record field of an explicit usage period anchor: absent without one, as in records written before it. */
export function usageAnchorOf(anchor: number | null | undefined): Pick<SubscriptionRecord, 'usagePeriodAnchor'> {
  return anchor === undefined || anchor === null ? {} : { usagePeriodAnchor: anchor };
}

/** The plan a downgrade (a cancellation's, or a trial's end) moves the customer to, starting at `start`. */
/**
 * What a subscription that follows `from` (replacing it, or its downgrade) keeps of its billing
 * details: the country its prices are localized for and who pays. The rest (price overrides, a
 * coupon, a minimum spend) belonged to the old plan.
 */
export function inheritedBilling(from: SubscriptionRecord | undefined): SubscriptionBilling | undefined {
  const { billingCountryCode, payingCustomerId } = from?.billing ?? {};
  return mergeBilling<SubscriptionBilling>(undefined, { billingCountryCode, payingCustomerId });
}

export function downgradeSubscription(
  from: SubscriptionRecord,
  plan: PlanVersion,
  start: number,
  now: number,
  newId: () => string,
): SubscriptionRecord {
  const id = newId();
  const { billing: _, ...rest } = from;
  const billing = inheritedBilling(from);
  return {
    ...rest,
    ...(billing ? { billing } : {}),
    id,
    planId: plan.id,
    planVersion: plan.version,
    addons: [],
    billableFeatures: [],
    entitlements: [],
    startDate: start,
    billingAnchor: start,
    usageResetAt: start,
    usageEpoch: id,
    trialEndDate: null,
    trialEndBehavior: null,
    endDate: null,
    cancellationDate: null,
    cancelReason: null,
    scheduledUpdates: [],
    createdAt: now,
    updatedAt: now,
  };
}

export function subscriptionNotFound(subscriptionId: string): AllotError {
  return new AllotError('SUBSCRIPTION_NOT_FOUND', `subscription "${subscriptionId}" does not exist`, {
    details: { subscriptionId },
  });
}

export function requireSubscription(state: CustomerState, subscriptionId: string): SubscriptionRecord {
  const sub = state.subscriptions.find((s) => s.id === subscriptionId);
  if (!sub) throw subscriptionNotFound(subscriptionId);
  return sub;
}

/** The subscription as it stands at `now`, and its status; one that has ended cannot be changed. */
export function notEnded(catalog: Catalog, state: CustomerState, subscriptionId: string, now: number, change: string) {
  const sub = effectiveSubscription(requireSubscription(state, subscriptionId), catalog, now);
  const status = subscriptionStatus(sub, now);
  if (status === 'CANCELED' || status === 'EXPIRED')
    throw new AllotError('SUBSCRIPTION_NOT_ACTIVE', `subscription "${sub.id}" has ended and cannot be ${change}`, {
      details: { subscriptionId: sub.id, status },
    });
  return { sub, status };
}
