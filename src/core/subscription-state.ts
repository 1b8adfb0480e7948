import type { Catalog } from '../catalog/catalog.js';
import { SubscriptionStatus as Status, type SubscriptionStatus } from '../model/enums.js';
import type { SubscriptionRecord } from '../model/records.js';
import { type UsagePeriod, usagePeriod } from './reset-period.js';

/** The status of a subscription at `now`, derived from its dates: no timers, no stored status. */
export function subscriptionStatus(sub: SubscriptionRecord, now: number): SubscriptionStatus {
  if (sub.endDate !== null && now >= sub.endDate)
    return sub.cancelReason === 'TrialEnded' ? Status.Expired : Status.Canceled;
  if (now < sub.startDate) return Status.NotStarted;
  if (sub.trialEndDate !== null && now < sub.trialEndDate) return Status.InTrial;
  return Status.Active;
}

/** ACTIVE or IN_TRIAL: the subscription grants its entitlements now. */
export function isLive(sub: SubscriptionRecord, now: number): boolean {
  const status = subscriptionStatus(sub, now);
  return status === Status.Active || status === Status.InTrial;
}

/** Not yet over: live, or waiting to start. */
export function isOpen(sub: SubscriptionRecord, now: number): boolean {
  return sub.endDate === null || now < sub.endDate;
}

/** A trial subscription, whether its trial is running or still to come. */
export function isTrialSubscription(sub: SubscriptionRecord, now: number): boolean {
  return sub.trialEndDate !== null && now < sub.trialEndDate;
}

/** The billing period containing `now`, counted from the billing anchor. */
export function billingPeriodRange(sub: SubscriptionRecord, now: number): UsagePeriod {
  return usagePeriod(sub.billingPeriod === 'ANNUALLY' ? 'YEAR' : 'MONTH', sub.billingAnchor, now);
}

/**
 * The subscription as it stands at `now`: scheduled updates whose time has come are folded in
 * (a plan change resets usage per the product's rule), pending ones stay scheduled.
 */
export function effectiveSubscription(sub: SubscriptionRecord, catalog: Catalog, now: number): SubscriptionRecord {
  if (!sub.scheduledUpdates.some((u) => u.scheduledExecutionTime <= now)) return sub;
  let next: SubscriptionRecord = sub;
  const due = sub.scheduledUpdates
    .filter((u) => u.scheduledExecutionTime <= now)
    .sort((a, b) => a.scheduledExecutionTime - b.scheduledExecutionTime);
  for (const update of due) {
    const at = update.scheduledExecutionTime;
    const planChanged = update.planId !== undefined && update.planId !== next.planId;
    const billingPeriodChanged = update.billingPeriod !== undefined && update.billingPeriod !== next.billingPeriod;
    const rule = catalog.products.get(next.productId)?.usageResetCutoffRule ?? 'ALWAYS_RESET';
    const resets =
      (planChanged && rule === 'ALWAYS_RESET') || (billingPeriodChanged && rule === 'BILLING_PERIOD_CHANGE');
    // A migration moves the add-ons as they are when it runs (changes made since it was
    // scheduled stay), each to the version it names or else to the one current now.
    const addons =
      update.subscriptionScheduleType === 'MigrateToLatest'
        ? next.addons.map((a) => ({
            ...a,
            version:
              update.addons?.find((u) => u.addonId === a.addonId)?.version ??
              catalog.addons.get(a.addonId)?.version ??
              a.version,
          }))
        : (update.addons ?? next.addons);
    // A downgrade is a new plan with the details it was requested with; other changes keep them.
    const { billing, ...rest } = next;
    const billingAfter = update.subscriptionScheduleType === 'Downgrade' ? update.billing : billing;
    next = {
      ...rest,
      ...(billingAfter === undefined ? {} : { billing: billingAfter }),
      planId: update.planId ?? next.planId,
      planVersion: update.planVersion ?? next.planVersion,
      addons,
      billableFeatures: update.billableFeatures ?? next.billableFeatures,
      billingPeriod: update.billingPeriod ?? next.billingPeriod,
      usageResetAt: resets ? at : next.usageResetAt,
      usageEpoch: resets ? `${next.id}@${at}` : next.usageEpoch,
      updatedAt: Math.max(next.updatedAt, at),
    };
  }
  return { ...next, scheduledUpdates: sub.scheduledUpdates.filter((u) => u.scheduledExecutionTime > now) };
}

/** The next instant after `now` at which this subscription's state changes by itself, or Infinity. */
export function nextTransition(sub: SubscriptionRecord, now: number): number {
  let next = Number.POSITIVE_INFINITY;
  const consider = (t: number | null) => {
    if (t !== null && t > now && t < next) next = t;
  };
  consider(sub.startDate);
  consider(sub.trialEndDate);
  consider(sub.endDate);
  for (const u of sub.scheduledUpdates) consider(u.scheduledExecutionTime);
  return next;
}
