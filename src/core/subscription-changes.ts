import { assertEntitlementsFit, type Catalog, type PlanVersion, versionKey } from '../catalog/catalog.js';
import { AllotError } from '../errors.js';
import type {
  BillingPeriod,
  ScheduleStrategy,
  SubscriptionBillingCycleAnchor,
  SubscriptionCancellationAction,
  SubscriptionCancellationTime,
  TrialEndBehavior,
} from '../model/enums.js';
import type {
  BillableFeature,
  CustomerState,
  EntitlementSpec,
  ScheduledUpdate,
  SubscriptionAddon,
  SubscriptionRecord,
} from '../model/records.js';
import { addMonthsUtc, usagePeriod } from './reset-period.js';
import { settle, sibling } from './subscription-scope.js';
import {
  billingPeriodRange,
  effectiveSubscription,
  isOpen,
  isTrialSubscription,
  subscriptionStatus,
} from './subscription-state.js';

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

export interface ProvisionInput {
  readonly customerId: string;
  readonly planId: string;
  readonly resourceId: string | null;
  readonly billingPeriod?: BillingPeriod | undefined;
  readonly addons?: readonly AddonRequest[] | undefined;
  readonly billableFeatures?: readonly BillableFeature[] | undefined;
  readonly startDate?: number | undefined;
  readonly skipTrial?: boolean | undefined;
  readonly trialOverrideConfiguration?:
    | { isTrial: boolean; trialEndDate?: number | undefined; trialEndBehavior?: TrialEndBehavior | undefined }
    | undefined;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  readonly entitlements?: readonly EntitlementSpec[] | undefined;
  readonly scheduleStrategy?: ScheduleStrategy | undefined;
  readonly billingCycleAnchor?: SubscriptionBillingCycleAnchor | undefined;
}

function requirePlan(catalog: Catalog, planId: string): PlanVersion {
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

function checkFeatures(catalog: Catalog, features: readonly BillableFeature[]): BillableFeature[] {
  for (const { featureId } of features)
    if (!catalog.features.has(featureId))
      throw new AllotError('FEATURE_NOT_FOUND', `feature "${featureId}" is not in the catalog`, {
        details: { featureId },
      });
  return features.map((f) => ({ featureId: f.featureId, quantity: f.quantity }));
}

function planOf(catalog: Catalog, sub: SubscriptionRecord): PlanVersion | undefined {
  return catalog.planVersions.get(versionKey(sub.planId, sub.planVersion));
}

/** The customer's subscriptions with due scheduled updates folded in, so changes start from the present. */
function present(catalog: Catalog, state: CustomerState, now: number): SubscriptionRecord[] {
  return state.subscriptions.map((s) => effectiveSubscription(s, catalog, now));
}

/** The change's records with its scopes settled, and the subscription to return as it was written. */
function finish(
  before: readonly SubscriptionRecord[],
  upserts: SubscriptionRecord[],
  subject: SubscriptionRecord,
  now: number,
) {
  const settled = settle(before, upserts, now);
  return { upserts: settled, subscription: settled.find((s) => s.id === subject.id) ?? subject };
}

/** A product that does not allow multiple subscriptions takes customer-wide ones only. */
function requireResourceAllowed(catalog: Catalog, productId: string, resourceId: string | null): void {
  if (resourceId !== null && catalog.products.get(productId)?.multipleSubscriptions === false)
    throw new AllotError(
      'INVALID_OPERATION',
      `product "${productId}" does not allow multiple subscriptions, so its subscriptions cannot be scoped to resource "${resourceId}"`,
      { details: { productId, resourceId } },
    );
}

/** The subscription with its pending cancellation withdrawn. */
function resume(sub: SubscriptionRecord, now: number): SubscriptionRecord {
  return { ...sub, endDate: null, cancellationDate: null, cancelReason: null, updatedAt: now };
}

function end(sub: SubscriptionRecord, at: number, reason: SubscriptionRecord['cancelReason'], now: number) {
  return { ...sub, endDate: at, cancellationDate: now, cancelReason: reason, scheduledUpdates: [], updatedAt: now };
}

function trialEnd(start: number, duration: number, units: 'DAY' | 'MONTH'): number {
  return units === 'DAY' ? start + duration * DAY_MS : addMonthsUtc(start, duration);
}

function changeTime(sub: SubscriptionRecord, strategy: ScheduleStrategy, now: number): number {
  if (strategy === 'END_OF_BILLING_MONTH') return usagePeriod('MONTH', sub.billingAnchor, now).end;
  return billingPeriodRange(sub, now).end;
}

/**
 * A new subscription for the customer, following the product rules: at most one non-trial and
 * one trial subscription per product and resource; a new one replaces the current one (a
 * downgrade may wait for the end of the billing period); a paid subscription to the plan being
 * trialled converts the trial; one trial per customer per product, none after paying.
 */
export function provisionSubscription(
  catalog: Catalog,
  state: CustomerState,
  input: ProvisionInput,
  now: number,
  newId: () => string,
): SubscriptionChange {
  const plan = requirePlan(catalog, input.planId);
  const product = catalog.products.get(plan.productId);
  requireResourceAllowed(catalog, plan.productId, input.resourceId);
  assertEntitlementsFit(catalog, input.entitlements ?? []);
  const addons = resolveAddons(catalog, plan, input.addons ?? []);
  const billableFeatures = checkFeatures(catalog, input.billableFeatures ?? []);
  const start = input.startDate ?? now;
  if (start < now)
    throw new AllotError('INVALID_INPUT', 'startDate is in the past: a subscription cannot start retroactively');
  const subs = present(catalog, state, now);
  const scope = subs.filter(
    (s) => s.productId === plan.productId && s.resourceId === input.resourceId && isOpen(s, now),
  );
  const current = scope.find((s) => subscriptionStatus(s, now) === 'ACTIVE');
  const currentTrial = scope.find((s) => isTrialSubscription(s, now) && s.startDate <= now);
  const history = subs.filter((s) => s.productId === plan.productId);
  const alreadyTrialed = history.some((s) => s.trialEndDate !== null);
  const alreadyPaid = history.some((s) => s.trialEndDate === null && planOf(catalog, s)?.pricingType === 'PAID');

  const override = input.trialOverrideConfiguration;
  const converting = currentTrial?.planId === plan.id && override?.isTrial !== true;
  const trialConfig = plan.defaultTrialConfig;
  // A trial lets a customer try a higher tier; moving down never starts one.
  const downgrade = current !== undefined && plan.order < (planOf(catalog, current)?.order ?? 0);
  const wantsTrial = override
    ? override.isTrial
    : !converting && !downgrade && !input.skipTrial && trialConfig !== null && !alreadyTrialed && !alreadyPaid;
  const trialEndDate = wantsTrial
    ? (override?.trialEndDate ?? (trialConfig ? trialEnd(start, trialConfig.duration, trialConfig.units) : null))
    : null;
  if (wantsTrial && trialEndDate === null)
    throw new AllotError(
      'INVALID_INPUT',
      `plan "${plan.id}" has no default trial; give trialOverrideConfiguration.trialEndDate`,
    );
  if (trialEndDate !== null && trialEndDate <= start)
    throw new AllotError('INVALID_INPUT', 'the trial must end after the subscription starts');
  const trialEndBehavior =
    trialEndDate === null ? null : (override?.trialEndBehavior ?? trialConfig?.trialEndBehavior ?? 'CONVERT_TO_PAID');

  const upserts: SubscriptionRecord[] = [];
  const strategy = input.scheduleStrategy ?? product?.downgradeScheduleStrategy ?? 'IMMEDIATE';
  if (current && downgrade && !wantsTrial && strategy !== 'IMMEDIATE' && input.startDate === undefined) {
    const update: ScheduledUpdate = {
      subscriptionScheduleType: 'Downgrade',
      scheduledExecutionTime: changeTime(current, strategy, now),
      createdAt: now,
      planId: plan.id,
      planVersion: plan.version,
      addons,
      billableFeatures,
      billingPeriod: input.billingPeriod ?? current.billingPeriod,
    };
    // A newer scheduled change replaces a pending one, and a pending cancellation: the customer
    // now wants the lower plan, not none. What that cancellation lined up is superseded too.
    const revived = current.cancelReason === 'ScheduledCancellation' ? resume(current, now) : current;
    const scheduled = { ...revived, scheduledUpdates: [update], updatedAt: now };
    const superseded = scope
      .filter((s) => s.id !== current.id && subscriptionStatus(s, now) === 'NOT_STARTED')
      .map((s) => end(s, now, 'UpgradeOrDowngrade', now));
    return finish(subs, [scheduled, ...superseded], scheduled, now);
  }

  const predecessor = wantsTrial ? undefined : current;
  const billingPeriod = input.billingPeriod ?? predecessor?.billingPeriod ?? 'MONTHLY';
  // A new billing period length starts a new cycle at the change, as billing providers do.
  const keepAnchor =
    predecessor !== undefined &&
    input.billingCycleAnchor !== 'NOW' &&
    !wantsTrial &&
    predecessor.billingPeriod === billingPeriod;
  const rule = product?.usageResetCutoffRule ?? 'ALWAYS_RESET';
  // Converting a trial keeps its plan, so it keeps its usage whatever the reset rule.
  const usageFrom = converting ? currentTrial : predecessor;
  const keepUsage =
    converting ||
    (predecessor !== undefined &&
      (rule === 'NEVER_RESET' || (rule === 'BILLING_PERIOD_CHANGE' && predecessor.billingPeriod === billingPeriod)));
  const id = newId();
  const subscription: SubscriptionRecord = {
    id,
    customerId: input.customerId,
    resourceId: input.resourceId,
    productId: plan.productId,
    planId: plan.id,
    planVersion: plan.version,
    billingPeriod,
    addons,
    billableFeatures,
    entitlements: input.entitlements ?? [],
    metadata: input.metadata ?? {},
    startDate: start,
    billingAnchor: keepAnchor && predecessor ? predecessor.billingAnchor : start,
    usageResetAt: keepUsage && usageFrom ? usageFrom.usageResetAt : start,
    usageEpoch: keepUsage && usageFrom ? usageFrom.usageEpoch : id,
    trialEndDate,
    trialEndBehavior,
    endDate: trialEndBehavior === 'CANCEL_SUBSCRIPTION' ? trialEndDate : null,
    cancellationDate: null,
    cancelReason: trialEndBehavior === 'CANCEL_SUBSCRIPTION' ? 'TrialEnded' : null,
    scheduledUpdates: [],
    createdAt: now,
    updatedAt: now,
  };
  upserts.push(subscription);

  for (const other of scope) {
    const trial = isTrialSubscription(other, now);
    const pending = subscriptionStatus(other, now) === 'NOT_STARTED';
    // A trial replaces the trial; a paid plan replaces the paid plan (and converts the trial of its
    // own plan); either supersedes what was lined up of its kind. A trial in parallel leaves the
    // running plan alone until it converts: `settle` ties them.
    const replaced = pending ? !wantsTrial || trial : trial ? wantsTrial || converting : !wantsTrial;
    if (!replaced) continue;
    const at = pending ? now : trial ? Math.max(start, now) : start;
    // Replacing never pushes an end later: one that ends by then (a cancellation, a trial) ends by itself.
    if (other.endDate !== null && other.endDate <= at) continue;
    upserts.push(end(other, at, trial && converting ? 'TrialConverted' : 'UpgradeOrDowngrade', now));
  }
  const downgradePlan = product?.downgradePlanId ? catalog.plans.get(product.downgradePlanId) : undefined;
  // A trial that ends by itself hands over to the downgrade plan, unless a paid plan runs or is lined up.
  const planLinedUp = scope.some((s) => !isTrialSubscription(s, now) && isOpen(s, now));
  if (trialEndBehavior === 'CANCEL_SUBSCRIPTION' && trialEndDate !== null && !planLinedUp && downgradePlan) {
    upserts.push(downgradeSubscription(subscription, downgradePlan, trialEndDate, now, newId));
  }
  return finish(subs, upserts, subscription, now);
}

function downgradeSubscription(
  from: SubscriptionRecord,
  plan: PlanVersion,
  start: number,
  now: number,
  newId: () => string,
): SubscriptionRecord {
  const id = newId();
  return {
    ...from,
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
function notEnded(catalog: Catalog, state: CustomerState, subscriptionId: string, now: number, change: string) {
  const sub = effectiveSubscription(requireSubscription(state, subscriptionId), catalog, now);
  const status = subscriptionStatus(sub, now);
  if (status === 'CANCELED' || status === 'EXPIRED')
    throw new AllotError('SUBSCRIPTION_NOT_ACTIVE', `subscription "${sub.id}" has ended and cannot be ${change}`, {
      details: { subscriptionId: sub.id, status },
    });
  return { sub, status };
}

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
  const upserts = settle(subs, [canceled, ...followUps.map((s) => end(s, now, 'UpgradeOrDowngrade', now))], now);
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
}

/**
 * Updates a subscription in place, keeping its start and billing cycle. Add-ons replace the whole
 * list. Quantity, add-on and billing-period changes apply at once unless a schedule strategy
 * defers them; metadata, custom entitlements and the trial end always apply at once.
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
  let next: SubscriptionRecord = {
    ...sub,
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
  if (changed && input.scheduleStrategy && input.scheduleStrategy !== 'IMMEDIATE' && status === 'ACTIVE') {
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
      billingAnchor: periodChanged ? now : next.billingAnchor,
      ...(periodChanged && rule === 'BILLING_PERIOD_CHANGE'
        ? { usageResetAt: now, usageEpoch: `${sub.id}@${now}` }
        : {}),
    };
  }
  return finish(present(catalog, state, now), [next, ...upserts], next, now);
}

/** Drops a subscription's pending scheduled updates. */
export function cancelScheduledUpdates(
  catalog: Catalog,
  state: CustomerState,
  subscriptionId: string,
  now: number,
): SubscriptionChange {
  const sub = effectiveSubscription(requireSubscription(state, subscriptionId), catalog, now);
  const next = { ...sub, scheduledUpdates: [], updatedAt: now };
  return { upserts: [next], subscription: next };
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
  return finish(subs, [next, ...carried], next, now);
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
