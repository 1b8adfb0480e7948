// Changes to an existing subscription: cancellation, updates, scheduled updates, transfers and
// migration to the latest catalog versions.
import { assertEntitlementsFit, type Catalog } from '../catalog/catalog.js';
import { planProration } from '../catalog/proration-schema.js';
import { AllotError } from '../errors.js';
import { mergeBilling, type SubscriptionBilling } from '../model/billing.js';
import type {
  BillingPeriod,
  ScheduleStrategy,
  SubscriptionBillingCycleAnchor,
  SubscriptionCancellationAction,
  SubscriptionCancellationTime,
} from '../model/enums.js';
import type {
  BillableFeature,
  CustomerState,
  EntitlementSpec,
  ScheduledUpdate,
  SubscriptionRecord,
} from '../model/records.js';
import {
  type AddonRequest,
  changeTime,
  checkFeatures,
  downgradeSubscription,
  end,
  finish,
  notEnded,
  planOf,
  present,
  requireResourceAllowed,
  requireSubscription,
  resolveAddons,
  type SubscriptionChange,
  usageAnchorOf,
} from './subscription-rules.js';
import { settle, sibling } from './subscription-scope.js';
import {
  billingPeriodRange,
  effectiveSubscription,
  isOpen,
  isTrialSubscription,
  subscriptionStatus,
} from './subscription-state.js';

export interface CancelInput {
  readonly subscriptionId: string;
  readonly subscriptionCancellationTime?: SubscriptionCancellationTime | undefined;
  /** REVOKE_ENTITLEMENTS ends access at once, whatever the cancellation time. */
  readonly subscriptionCancellationAction?: SubscriptionCancellationAction | undefined;
  readonly endDate?: number | undefined;
}

/**
 * Cancels at once, at the end of the billing period, or on a date. A product with a downgrade
 * plan moves the customer onto it when the cancellation takes effect.
 */
export function cancelSubscription(
  catalog: Catalog,
  state: CustomerState,
  input: CancelInput,
  now: number,
  newId: () => string,
): SubscriptionChange {
  const sub = effectiveSubscription(requireSubscription(state, input.subscriptionId), catalog, now);
  const status = subscriptionStatus(sub, now);
  if (status === 'CANCELED' || status === 'EXPIRED')
    throw new AllotError('SUBSCRIPTION_NOT_ACTIVE', `subscription "${sub.id}" has already ended`, {
      details: { subscriptionId: sub.id, status },
    });
  const time = input.subscriptionCancellationTime ?? (input.endDate === undefined ? 'IMMEDIATE' : 'SPECIFIC_DATE');
  const trial = isTrialSubscription(sub, now);
  if (time === 'END_OF_BILLING_PERIOD' && trial)
    throw new AllotError('INVALID_OPERATION', 'a trial cannot be canceled at the end of the billing period');
  let at: number;
  if (
    status === 'NOT_STARTED' ||
    time === 'IMMEDIATE' ||
    input.subscriptionCancellationAction === 'REVOKE_ENTITLEMENTS'
  )
    at = now;
  else if (time === 'END_OF_BILLING_PERIOD') at = billingPeriodRange(sub, now).end;
  else {
    if (input.endDate === undefined || input.endDate < now)
      throw new AllotError('INVALID_INPUT', 'SPECIFIC_DATE cancellation needs an endDate that is not in the past');
    at = input.endDate;
  }
  // A trial that ends itself at its end date cannot be canceled later than that.
  const endsAtTrialEnd = sub.cancelReason === 'TrialEnded' && sub.trialEndDate !== null && at >= sub.trialEndDate;
  if (endsAtTrialEnd) at = sub.trialEndDate ?? at;
  const canceled = end(
    sub,
    at,
    endsAtTrialEnd ? 'TrialEnded' : at === now ? 'Immediate' : 'ScheduledCancellation',
    now,
  );
  const subs = present(catalog, state, now);
  const siblings = subs.filter((s) => sibling(sub, s) && isOpen(s, now));
  // What an earlier cancellation (or the trial itself) lined up to follow this subscription is superseded.
  const followUps = siblings.filter(
    (s) => sub.endDate !== null && s.startDate === sub.endDate && subscriptionStatus(s, now) === 'NOT_STARTED',
  );
  const upserts = settle(
    catalog,
    subs,
    [canceled, ...followUps.map((s) => end(s, now, 'UpgradeOrDowngrade', now))],
    now,
  );
  const after = new Map(subs.map((s) => [s.id, s]));
  for (const u of upserts) after.set(u.id, u);
  // The customer still has a plan after `at` if a paid subscription runs past it or a trial will convert.
  const covered = [...after.values()].some(
    (s) =>
      sibling(sub, s) &&
      !followUps.some((f) => f.id === s.id) &&
      (s.endDate === null || s.endDate > at) &&
      (!isTrialSubscription(s, now) || s.trialEndBehavior === 'CONVERT_TO_PAID'),
  );
  const product = catalog.products.get(sub.productId);
  const downgradePlan = product?.downgradePlanId ? catalog.plans.get(product.downgradePlanId) : undefined;
  const onDowngradePlan = downgradePlan?.id === sub.planId && !trial;
  if (status !== 'NOT_STARTED' && downgradePlan && !onDowngradePlan && !covered)
    upserts.push(downgradeSubscription(sub, downgradePlan, at, now, newId));
  return { upserts, subscription: upserts.find((u) => u.id === sub.id) ?? canceled };
}

export interface UpdateInput {
  readonly subscriptionId: string;
  readonly addons?: readonly AddonRequest[] | undefined;
  readonly billableFeatures?: readonly BillableFeature[] | undefined;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  readonly billingPeriod?: BillingPeriod | undefined;
  readonly trialEndDate?: number | undefined;
  readonly scheduleStrategy?: ScheduleStrategy | undefined;
  readonly entitlements?: readonly EntitlementSpec[] | undefined;
  /** NOW starts a new billing period at the update (unless the change waits for a later one). */
  readonly billingCycleAnchor?: SubscriptionBillingCycleAnchor | undefined;
  /** Billing details to set; those left out are kept. */
  readonly billing?: SubscriptionBilling | undefined;
  /** A new anchor for the usage periods; null drops it (back to the billing anchor). */
  readonly usagePeriodAnchor?: number | null | undefined;
}

/**
 * Updates a subscription in place, keeping its start and billing cycle unless `billingCycleAnchor`
 * is NOW or the billing period changes. Add-ons replace the whole list. Quantity, add-on and
 * billing-period changes apply at once unless a schedule strategy defers them; metadata, custom
 * entitlements, billing details, the usage period anchor and the trial end always apply at once.
 */
export function updateSubscription(
  catalog: Catalog,
  state: CustomerState,
  input: UpdateInput,
  now: number,
): SubscriptionChange {
  const { sub, status } = notEnded(catalog, state, input.subscriptionId, now, 'updated');
  const plan = planOf(catalog, sub);
  if (!plan) throw new AllotError('PLAN_NOT_FOUND', `plan "${sub.planId}" v${sub.planVersion} is unknown`);
  assertEntitlementsFit(catalog, input.entitlements ?? []);
  const addons = input.addons ? resolveAddons(catalog, plan, input.addons) : undefined;
  const billableFeatures = input.billableFeatures ? checkFeatures(catalog, input.billableFeatures) : undefined;
  const upserts: SubscriptionRecord[] = [];
  const { billing: _, usagePeriodAnchor, ...rest } = sub;
  const billing = mergeBilling(sub.billing, input.billing);
  let next: SubscriptionRecord = {
    ...rest,
    ...(billing ? { billing } : {}),
    ...usageAnchorOf(input.usagePeriodAnchor === undefined ? usagePeriodAnchor : input.usagePeriodAnchor),
    metadata: input.metadata ?? sub.metadata,
    entitlements: input.entitlements ?? sub.entitlements,
    updatedAt: now,
  };
  if (input.trialEndDate !== undefined) {
    if (!isTrialSubscription(sub, now))
      throw new AllotError('INVALID_OPERATION', `subscription "${sub.id}" is not in trial`);
    if (input.trialEndDate <= now) throw new AllotError('INVALID_INPUT', 'trialEndDate must be in the future');
    const trialEndsIt = sub.cancelReason === 'TrialEnded';
    next = { ...next, trialEndDate: input.trialEndDate, endDate: trialEndsIt ? input.trialEndDate : next.endDate };
    // The downgrade lined up for the trial's end moves with it.
    for (const s of present(catalog, state, now))
      if (sibling(sub, s) && s.startDate === sub.trialEndDate && subscriptionStatus(s, now) === 'NOT_STARTED')
        upserts.push({
          ...s,
          startDate: input.trialEndDate,
          billingAnchor: input.trialEndDate,
          usageResetAt: input.trialEndDate,
          updatedAt: now,
        });
  }
  const changes = { addons, billableFeatures, billingPeriod: input.billingPeriod };
  const changed = addons !== undefined || billableFeatures !== undefined || input.billingPeriod !== undefined;
  const deferred = changed && input.scheduleStrategy && input.scheduleStrategy !== 'IMMEDIATE' && status === 'ACTIVE';
  if (deferred) {
    const update: ScheduledUpdate = {
      subscriptionScheduleType: addons ? 'Addon' : billableFeatures ? 'UnitAmount' : 'BillingPeriod',
      scheduledExecutionTime: changeTime(sub, input.scheduleStrategy, now),
      createdAt: now,
      ...(addons ? { addons } : {}),
      ...(billableFeatures ? { billableFeatures } : {}),
      ...(input.billingPeriod ? { billingPeriod: input.billingPeriod } : {}),
    };
    next = { ...next, scheduledUpdates: [update] };
  } else if (changed) {
    const rule = catalog.products.get(sub.productId)?.usageResetCutoffRule;
    const periodChanged = changes.billingPeriod !== undefined && changes.billingPeriod !== sub.billingPeriod;
    next = {
      ...next,
      addons: addons ?? next.addons,
      billableFeatures: billableFeatures ?? next.billableFeatures,
      billingPeriod: changes.billingPeriod ?? next.billingPeriod,
      billingAnchor: periodChanged && !keepsAnchor(catalog, sub) ? now : next.billingAnchor,
      ...(periodChanged && rule === 'BILLING_PERIOD_CHANGE'
        ? { usageResetAt: now, usageEpoch: `${sub.id}@${now}` }
        : {}),
    };
  }
  // One that has not started yet keeps its start as anchor.
  if (!deferred && input.billingCycleAnchor === 'NOW' && sub.startDate <= now) next = { ...next, billingAnchor: now };
  return finish(catalog, present(catalog, state, now), [next, ...upserts], next, now);
}

/** Whether a change of billing period keeps the subscription's anchor (its plan's `billingAnchorOnPeriodChange`). */
const keepsAnchor = (catalog: Catalog, sub: SubscriptionRecord) =>
  planProration(catalog, planOf(catalog, sub)).billingAnchorOnPeriodChange === 'KEEP';

/** Drops a subscription's pending scheduled updates. */
export function cancelScheduledUpdates(
  catalog: Catalog,
  state: CustomerState,
  subscriptionId: string,
  now: number,
): SubscriptionChange {
  const sub = effectiveSubscription(requireSubscription(state, subscriptionId), catalog, now);
  const next = { ...sub, scheduledUpdates: [], updatedAt: now };
  // Settled: a trial beside it carries its counter as it now stays, without the dropped reset.
  return finish(catalog, present(catalog, state, now), [next], next, now);
}

/** Moves a subscription to another resource (or customer-wide with `null`). */
export function transferSubscription(
  catalog: Catalog,
  state: CustomerState,
  subscriptionId: string,
  destinationResourceId: string | null,
  now: number,
): SubscriptionChange {
  const sub = effectiveSubscription(requireSubscription(state, subscriptionId), catalog, now);
  if (!isOpen(sub, now))
    throw new AllotError('SUBSCRIPTION_NOT_ACTIVE', `subscription "${sub.id}" has ended and cannot be transferred`);
  requireResourceAllowed(catalog, sub.productId, destinationResourceId);
  const moved = { ...sub, resourceId: destinationResourceId };
  const clash = state.subscriptions.find(
    (s) => sibling(moved, s) && isOpen(s, now) && isTrialSubscription(s, now) === isTrialSubscription(sub, now),
  );
  if (clash)
    throw new AllotError(
      'INVALID_OPERATION',
      `resource "${destinationResourceId ?? '(customer-wide)'}" already has subscription "${clash.id}" to product "${sub.productId}"`,
    );
  const next = { ...moved, updatedAt: now };
  const subs = present(catalog, state, now);
  // The plan lined up to follow it (a downgrade after a cancellation) moves along with it, unless
  // the destination runs a plan of its own, which then carries on instead.
  const followUps = subs.filter(
    (s) =>
      sibling(sub, s) &&
      sub.endDate !== null &&
      s.startDate === sub.endDate &&
      subscriptionStatus(s, now) === 'NOT_STARTED',
  );
  const destinationHasPlan = subs.some(
    (s) => sibling(moved, s) && isOpen(s, now) && !isTrialSubscription(s, now) && !followUps.includes(s),
  );
  const carried = followUps.map((s) =>
    destinationHasPlan
      ? end(s, now, 'UpgradeOrDowngrade', now)
      : { ...s, resourceId: destinationResourceId, updatedAt: now },
  );
  return finish(catalog, subs, [next, ...carried], next, now);
}

/** When a migration to the latest plan version takes effect. */
export type MigrationTime = 'IMMEDIATE' | 'END_OF_BILLING_PERIOD';

/**
 * Moves a subscription to the latest version of its plan and add-ons, keeping its usage (same
 * epoch): at once, or at the end of the current billing period as a scheduled update. Nothing
 * changes when it is already on the latest versions.
 */
export function migrateToLatest(
  catalog: Catalog,
  state: CustomerState,
  input: { readonly subscriptionId: string; readonly time: MigrationTime },
  now: number,
): SubscriptionChange {
  const { sub, status } = notEnded(catalog, state, input.subscriptionId, now, 'migrated');
  const latest = catalog.plans.get(sub.planId);
  if (!latest)
    throw new AllotError('PLAN_NOT_FOUND', `plan "${sub.planId}" is no longer in the catalog; nothing to migrate to`, {
      details: { planId: sub.planId },
    });
  const addons = resolveAddons(
    catalog,
    latest,
    sub.addons.map((a) => ({ addonId: a.addonId, quantity: a.quantity })),
  );
  const current =
    latest.version === sub.planVersion &&
    addons.every((a) => sub.addons.some((b) => b.addonId === a.addonId && b.version === a.version));
  if (current) return { upserts: [], subscription: sub };
  if (input.time === 'END_OF_BILLING_PERIOD' && status === 'ACTIVE') {
    const update: ScheduledUpdate = {
      subscriptionScheduleType: 'MigrateToLatest',
      scheduledExecutionTime: changeTime(sub, 'END_OF_BILLING_PERIOD', now),
      createdAt: now,
      planId: latest.id,
      planVersion: latest.version,
      addons,
    };
    const others = sub.scheduledUpdates.filter((u) => u.subscriptionScheduleType !== 'MigrateToLatest');
    const next = { ...sub, scheduledUpdates: [...others, update], updatedAt: now };
    return { upserts: [next], subscription: next };
  }
  // Other pending changes (a scheduled downgrade, say) stay; an earlier scheduled migration is done.
  const scheduledUpdates = sub.scheduledUpdates.filter((u) => u.subscriptionScheduleType !== 'MigrateToLatest');
  const next = { ...sub, planVersion: latest.version, addons, scheduledUpdates, updatedAt: now };
  return { upserts: [next], subscription: next };
}
