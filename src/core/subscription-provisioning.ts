// A new subscription under the product rules: replacing, scheduling, trialling and converting.
import { assertEntitlementsFit, type Catalog } from '../catalog/catalog.js';
import { planProration } from '../catalog/proration-schema.js';
import { AllotError } from '../errors.js';
import { mergeBilling, type SubscriptionBilling } from '../model/billing.js';
import type {
  BillingPeriod,
  ScheduleStrategy,
  SubscriptionBillingCycleAnchor,
  TrialEndBehavior,
} from '../model/enums.js';
import type {
  BillableFeature,
  CustomerState,
  EntitlementSpec,
  ScheduledUpdate,
  SubscriptionRecord,
} from '../model/records.js';
import { billingCycleDayAnchor } from './billing-cycle-day.js';
import {
  type AddonRequest,
  changeTime,
  checkFeatures,
  downgradeSubscription,
  end,
  finish,
  inheritedBilling,
  planOf,
  present,
  requirePlan,
  requireResourceAllowed,
  resolveAddons,
  resume,
  type SubscriptionChange,
  trialEnd,
  usageAnchorOf,
} from './subscription-rules.js';
import { isOpen, isTrialSubscription, subscriptionStatus } from './subscription-state.js';

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
  /** The new subscription's id; `newId()` when absent. */
  readonly id?: string | undefined;
  /** Its billing details, over what it keeps of the one it replaces (see `inheritedBilling`). */
  readonly billing?: SubscriptionBilling | undefined;
  /** Where usage periods count from; default the one of the subscription it replaces, else the start. */
  readonly usagePeriodAnchor?: number | undefined;
  /** Bill on this day of the month (1-31, 00:00 UTC) rather than the start's; else the plan's setting. */
  readonly billingCycleDay?: number | undefined;
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
      ...withBilling(current, input),
    };
    // A newer scheduled change replaces a pending one, and a pending cancellation: the customer
    // now wants the lower plan, not none. What that cancellation lined up is superseded too.
    const revived = current.cancelReason === 'ScheduledCancellation' ? resume(current, now) : current;
    const scheduled = { ...revived, scheduledUpdates: [update], updatedAt: now };
    const superseded = scope
      .filter((s) => s.id !== current.id && subscriptionStatus(s, now) === 'NOT_STARTED')
      .map((s) => end(s, now, 'UpgradeOrDowngrade', now));
    return finish(catalog, subs, [scheduled, ...superseded], scheduled, now);
  }

  const predecessor = wantsTrial ? undefined : current;
  const billingPeriod = input.billingPeriod ?? predecessor?.billingPeriod ?? 'MONTHLY';
  // A new billing period length starts a new cycle at the change, as billing providers do,
  // unless the plan keeps the anchor across it.
  const proration = planProration(catalog, plan);
  const keepAnchor =
    predecessor !== undefined &&
    input.billingCycleAnchor !== 'NOW' &&
    !wantsTrial &&
    (predecessor.billingPeriod === billingPeriod || proration.billingAnchorOnPeriodChange === 'KEEP');
  const cycleDay = input.billingCycleDay ?? proration.billingCycleDay;
  const rule = product?.usageResetCutoffRule ?? 'ALWAYS_RESET';
  // A trial and the plan beside it count in one usage counter (see `settle`), so the usage shown
  // never jumps when either goes: a paid subscription converting the trial carries it on whatever
  // the reset rule (the plan stays the same), and so does a plan starting beside a trial that runs
  // alone; a plan replacing the one beside a trial keeps it or not as the product's rule says. A
  // counter carried on keeps its reset periods (usage-counter.ts).
  const joining = !wantsTrial && predecessor === undefined && currentTrial !== undefined;
  const usageFrom = converting ? (current ?? currentTrial) : joining ? currentTrial : predecessor;
  const keepUsage =
    converting ||
    joining ||
    (predecessor !== undefined &&
      (rule === 'NEVER_RESET' || (rule === 'BILLING_PERIOD_CHANGE' && predecessor.billingPeriod === billingPeriod)));
  const id = input.id ?? newId();
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
    billingAnchor:
      keepAnchor && predecessor
        ? predecessor.billingAnchor
        : cycleDay === undefined
          ? start
          : billingCycleDayAnchor(billingPeriod, cycleDay, start),
    ...usageAnchorOf(input.usagePeriodAnchor ?? (predecessor ?? usageFrom)?.usagePeriodAnchor),
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
    ...withBilling(predecessor ?? (converting ? currentTrial : undefined), input),
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
  return finish(catalog, subs, upserts, subscription, now);
}

/** The request's billing details over what the new subscription keeps of `from`'s, as record fields. */
function withBilling(from: SubscriptionRecord | undefined, input: ProvisionInput): { billing?: SubscriptionBilling } {
  const billing = mergeBilling(inheritedBilling(from), input.billing);
  return billing ? { billing } : {};
}
