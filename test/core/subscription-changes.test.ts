import { describe, expect, it } from 'vitest';
import { resolveEntitlements } from '../../src/core/effective-entitlements.js';
import { addMonthsUtc } from '../../src/core/reset-period.js';
import {
  type CancelInput,
  cancelScheduledUpdates,
  cancelSubscription,
  transferSubscription,
  type UpdateInput,
  updateSubscription,
} from '../../src/core/subscription-changes.js';
import { type ProvisionInput, provisionSubscription } from '../../src/core/subscription-provisioning.js';
import { resolveAddons, type SubscriptionChange } from '../../src/core/subscription-rules.js';
import { effectiveSubscription, subscriptionStatus } from '../../src/core/subscription-state.js';
import { usageWindow } from '../../src/core/usage-windows.js';
import { AllotError } from '../../src/errors.js';
import type { CustomerState, SubscriptionRecord } from '../../src/model/records.js';
import {
  applyUpserts,
  at,
  customerState,
  DAY,
  expectAllotError,
  findSub,
  ids,
  must,
  standardCatalog,
} from './factories.js';
import { fc } from './fc-setup.js';

const catalog = standardCatalog();
const T0 = at('2024-01-10T00:00:00Z');

/** One customer's subscriptions evolving through the change functions, as the façade would persist them. */
class World {
  state: CustomerState;
  readonly newId = ids();

  constructor(state: CustomerState = customerState()) {
    this.state = state;
  }

  #apply(change: SubscriptionChange): SubscriptionChange {
    this.state = applyUpserts(this.state, change.upserts);
    return change;
  }

  provision(input: Partial<ProvisionInput> & { planId: string }, now: number): SubscriptionChange {
    return this.#apply(
      provisionSubscription(catalog, this.state, { customerId: 'cus-1', resourceId: null, ...input }, now, this.newId),
    );
  }

  cancel(input: CancelInput, now: number): SubscriptionChange {
    return this.#apply(cancelSubscription(catalog, this.state, input, now, this.newId));
  }

  update(input: UpdateInput, now: number): SubscriptionChange {
    return this.#apply(updateSubscription(catalog, this.state, input, now));
  }

  transfer(id: string, destination: string | null, now: number): SubscriptionChange {
    return this.#apply(transferSubscription(catalog, this.state, id, destination, now));
  }

  sub(id: string): SubscriptionRecord {
    return findSub(this.state, id);
  }

  status(id: string, now: number) {
    return subscriptionStatus(this.sub(id), now);
  }

  /** Ids of the subscriptions live (ACTIVE or IN_TRIAL) at `now` for a product and resource. */
  live(now: number, productId = 'app', resourceId: string | null = null): string[] {
    return this.state.subscriptions
      .filter((s) => s.productId === productId && s.resourceId === resourceId)
      .filter((s) => ['ACTIVE', 'IN_TRIAL'].includes(subscriptionStatus(s, now)))
      .map((s) => s.id);
  }

  /** The plan in effect at `now` for the non-trial live subscription of a product. */
  planAt(now: number, productId = 'app', resourceId: string | null = null): string | undefined {
    const active = this.state.subscriptions.filter(
      (s) => s.productId === productId && s.resourceId === resourceId && subscriptionStatus(s, now) === 'ACTIVE',
    );
    const one = active[0];
    return one ? effectiveSubscription(one, catalog, now).planId : undefined;
  }
}

describe('provisionSubscription basics', () => {
  it('creates an ACTIVE subscription starting now with its own billing anchor and usage epoch', () => {
    const w = new World();
    const { subscription, upserts } = w.provision({ planId: 'basic' }, T0);
    expect(upserts).toEqual([subscription]);
    expect(subscription).toMatchObject({
      id: 'sub-1',
      customerId: 'cus-1',
      productId: 'app',
      planId: 'basic',
      planVersion: 1,
      billingPeriod: 'MONTHLY',
      startDate: T0,
      billingAnchor: T0,
      usageResetAt: T0,
      usageEpoch: 'sub-1',
      trialEndDate: null,
      endDate: null,
      scheduledUpdates: [],
    });
    expect(w.status('sub-1', T0)).toBe('ACTIVE');
  });

  it('a future startDate gives a NOT_STARTED subscription that ends the current one at that start', () => {
    const w = new World();
    w.provision({ planId: 'free' }, T0);
    const start = T0 + 5 * DAY;
    w.provision({ planId: 'basic', startDate: start }, T0 + DAY);
    expect(w.status('sub-2', T0 + DAY)).toBe('NOT_STARTED');
    expect(w.sub('sub-1').endDate).toBe(start);
    expect(w.live(start - 1)).toEqual(['sub-1']);
    expect(w.live(start)).toEqual(['sub-2']);
  });

  it('PLAN_NOT_FOUND for a plan the catalog does not have', () => {
    expectAllotError(() => new World().provision({ planId: 'ghost' }, T0), 'PLAN_NOT_FOUND');
  });

  it('FEATURE_NOT_FOUND for a billable feature the catalog does not have', () => {
    expectAllotError(
      () => new World().provision({ planId: 'basic', billableFeatures: [{ featureId: 'ghost', quantity: 1 }] }, T0),
      'FEATURE_NOT_FOUND',
    );
  });
});

describe('add-on validation', () => {
  it('ADDON_NOT_FOUND, ADDON_NOT_COMPATIBLE, ADDON_QUANTITY_EXCEEDED', () => {
    expectAllotError(
      () => new World().provision({ planId: 'basic', addons: [{ addonId: 'ghost' }] }, T0),
      'ADDON_NOT_FOUND',
    );
    const other = expectAllotError(
      () => new World().provision({ planId: 'basic', addons: [{ addonId: 'analytics-boost' }] }, T0),
      'ADDON_NOT_COMPATIBLE',
    );
    expect(other.details).toEqual({ addonId: 'analytics-boost', planId: 'basic' });
    expectAllotError(
      () => new World().provision({ planId: 'free', addons: [{ addonId: 'extra-seats' }] }, T0),
      'ADDON_NOT_COMPATIBLE',
    );
    const exceeded = expectAllotError(
      () => new World().provision({ planId: 'basic', addons: [{ addonId: 'extra-seats', quantity: 11 }] }, T0),
      'ADDON_QUANTITY_EXCEEDED',
    );
    expect(exceeded.details).toMatchObject({ addonId: 'extra-seats', quantity: 11, maxQuantity: 10 });
  });

  it('counts repeated entries of one add-on together against maxQuantity and merges them', () => {
    const plan = must(catalog.plans.get('basic'));
    expect(
      resolveAddons(catalog, plan, [
        { addonId: 'extra-seats', quantity: 4 },
        { addonId: 'extra-calls' },
        { addonId: 'extra-seats', quantity: 6 },
      ]),
    ).toEqual([
      { addonId: 'extra-seats', version: 1, quantity: 10 },
      { addonId: 'extra-calls', version: 1, quantity: 1 },
    ]);
    expectAllotError(
      () =>
        resolveAddons(catalog, plan, [
          { addonId: 'extra-seats', quantity: 6 },
          { addonId: 'extra-seats', quantity: 5 },
        ]),
      'ADDON_QUANTITY_EXCEEDED',
    );
  });

  it('pins the current add-on version on the subscription', () => {
    const { subscription } = new World().provision(
      { planId: 'basic', addons: [{ addonId: 'extra-seats', quantity: 2 }] },
      T0,
    );
    expect(subscription.addons).toEqual([{ addonId: 'extra-seats', version: 1, quantity: 2 }]);
  });
});

describe('replacing the current subscription', () => {
  it('a new subscription to the same product replaces the current one at the new start', () => {
    const w = new World();
    w.provision({ planId: 'free' }, T0);
    const t = T0 + 3 * DAY;
    const { upserts } = w.provision({ planId: 'basic' }, t);
    expect(upserts.map((s) => s.id).sort()).toEqual(['sub-1', 'sub-2']);
    expect(w.sub('sub-1')).toMatchObject({ endDate: t, cancellationDate: t, cancelReason: 'UpgradeOrDowngrade' });
    expect(w.status('sub-1', t)).toBe('CANCELED');
    expect(w.live(t)).toEqual(['sub-2']);
  });

  it('subscriptions on different resources coexist; a change on one leaves the others alone', () => {
    const w = new World();
    w.provision({ planId: 'basic', resourceId: 'r1' }, T0);
    w.provision({ planId: 'basic', resourceId: 'r2' }, T0);
    w.provision({ planId: 'free', resourceId: null }, T0);
    expect(w.live(T0, 'app', 'r1')).toEqual(['sub-1']);
    expect(w.live(T0, 'app', 'r2')).toEqual(['sub-2']);
    expect(w.live(T0, 'app', null)).toEqual(['sub-3']);
    w.provision({ planId: 'free', resourceId: 'r1' }, T0 + DAY);
    expect(w.live(T0 + DAY, 'app', 'r1')).toEqual(['sub-4']);
    expect(w.live(T0 + DAY, 'app', 'r2')).toEqual(['sub-2']);
    expect(w.sub('sub-2').endDate).toBeNull();
  });

  it('subscriptions to different products coexist', () => {
    const w = new World();
    w.provision({ planId: 'basic' }, T0);
    w.provision({ planId: 'analytics-basic' }, T0);
    expect(w.live(T0, 'app')).toEqual(['sub-1']);
    expect(w.live(T0, 'analytics')).toEqual(['sub-2']);
  });

  it('usage epoch: ALWAYS_RESET gives the new subscription a new epoch, NEVER_RESET inherits it', () => {
    const w = new World();
    w.provision({ planId: 'free' }, T0);
    const reset = w.provision({ planId: 'basic' }, T0 + DAY).subscription;
    expect(reset.usageEpoch).toBe(reset.id);
    expect(reset.usageResetAt).toBe(T0 + DAY);

    const k = new World();
    k.provision({ planId: 'keep-small' }, T0);
    const kept = k.provision({ planId: 'keep-big' }, T0 + DAY).subscription;
    expect(kept.usageEpoch).toBe('sub-1');
    expect(kept.usageResetAt).toBe(T0);
  });

  it('NEVER_RESET: the usage window key survives the plan change; ALWAYS_RESET: it changes', () => {
    const keyAt = (w: World, now: number) => {
      const set = resolveEntitlements(catalog, w.state, null, now);
      return must(set.windows.get('api-calls')).epoch;
    };
    const k = new World();
    k.provision({ planId: 'keep-small' }, T0);
    const before = keyAt(k, T0 + DAY);
    k.provision({ planId: 'keep-big' }, T0 + 2 * DAY);
    expect(keyAt(k, T0 + 2 * DAY)).toBe(before);
    const a = new World();
    a.provision({ planId: 'free' }, T0);
    const beforeA = keyAt(a, T0 + DAY);
    a.provision({ planId: 'basic' }, T0 + 2 * DAY);
    expect(keyAt(a, T0 + 2 * DAY)).not.toBe(beforeA);
  });

  it('billingCycleAnchor UNCHANGED (the default) keeps the anchor, NOW resets it', () => {
    const w = new World();
    w.provision({ planId: 'free' }, T0);
    const t = T0 + 10 * DAY;
    expect(w.provision({ planId: 'basic', billingCycleAnchor: 'UNCHANGED' }, t).subscription.billingAnchor).toBe(T0);
    expect(w.provision({ planId: 'free' }, t + DAY).subscription.billingAnchor).toBe(T0);
    expect(w.provision({ planId: 'basic', billingCycleAnchor: 'NOW' }, t + 2 * DAY).subscription.billingAnchor).toBe(
      t + 2 * DAY,
    );
  });

  it('keeps the billing period of the predecessor unless one is given', () => {
    const w = new World();
    w.provision({ planId: 'free', billingPeriod: 'ANNUALLY' }, T0);
    expect(w.provision({ planId: 'basic' }, T0 + DAY).subscription.billingPeriod).toBe('ANNUALLY');
    expect(w.provision({ planId: 'free', billingPeriod: 'MONTHLY' }, T0 + 2 * DAY).subscription.billingPeriod).toBe(
      'MONTHLY',
    );
  });
});

describe('scheduled downgrades', () => {
  it('END_OF_BILLING_PERIOD adds a scheduled Downgrade at the billing period end instead of a new subscription', () => {
    const w = new World();
    w.provision({ planId: 'sched-big' }, T0);
    const t = T0 + 5 * DAY;
    const change = w.provision({ planId: 'sched-small' }, t);
    expect(change.upserts).toHaveLength(1);
    expect(change.subscription.id).toBe('sub-1');
    const periodEnd = addMonthsUtc(T0, 1);
    expect(w.sub('sub-1').scheduledUpdates).toEqual([
      {
        subscriptionScheduleType: 'Downgrade',
        scheduledExecutionTime: periodEnd,
        createdAt: t,
        planId: 'sched-small',
        planVersion: 1,
        addons: [],
        billableFeatures: [],
        billingPeriod: 'MONTHLY',
      },
    ]);
    expect(w.planAt(periodEnd - 1, 'sched')).toBe('sched-big');
    expect(w.planAt(periodEnd, 'sched')).toBe('sched-small');
  });

  it('a newer scheduled change replaces the pending one', () => {
    const w = new World();
    w.provision({ planId: 'sched-big' }, T0);
    w.provision({ planId: 'sched-small' }, T0 + DAY);
    w.provision({ planId: 'sched-medium' }, T0 + 2 * DAY);
    const pending = w.sub('sub-1').scheduledUpdates;
    expect(pending).toHaveLength(1);
    expect(pending[0]?.planId).toBe('sched-medium');
    expect(w.planAt(addMonthsUtc(T0, 1), 'sched')).toBe('sched-medium');
    expect(w.state.subscriptions).toHaveLength(1);
  });

  it('upgrades apply at once even when downgrades are scheduled', () => {
    const w = new World();
    w.provision({ planId: 'sched-small' }, T0);
    w.provision({ planId: 'sched-big' }, T0 + DAY);
    expect(w.planAt(T0 + DAY, 'sched')).toBe('sched-big');
    expect(w.sub('sub-1').endDate).toBe(T0 + DAY);
  });

  it('an upgrade drops a pending scheduled downgrade', () => {
    const w = new World();
    w.provision({ planId: 'sched-medium' }, T0);
    w.provision({ planId: 'sched-small' }, T0 + DAY);
    w.provision({ planId: 'sched-big' }, T0 + 2 * DAY);
    expect(w.sub('sub-1').scheduledUpdates).toEqual([]);
    expect(w.planAt(addMonthsUtc(T0, 2), 'sched')).toBe('sched-big');
  });

  it('the scheduleStrategy input overrides the product default; IMMEDIATE downgrades at once', () => {
    const w = new World();
    w.provision({ planId: 'basic' }, T0);
    w.provision({ planId: 'free', scheduleStrategy: 'END_OF_BILLING_PERIOD' }, T0 + DAY);
    expect(w.sub('sub-1').scheduledUpdates[0]?.scheduledExecutionTime).toBe(addMonthsUtc(T0, 1));
    const s = new World();
    s.provision({ planId: 'sched-big' }, T0);
    s.provision({ planId: 'sched-small', scheduleStrategy: 'IMMEDIATE' }, T0 + DAY);
    expect(s.planAt(T0 + DAY, 'sched')).toBe('sched-small');
  });

  it('an annual subscription downgrades at the end of its billing year', () => {
    const w = new World();
    w.provision({ planId: 'sched-big', billingPeriod: 'ANNUALLY' }, T0);
    w.provision({ planId: 'sched-small' }, T0 + 40 * DAY);
    expect(w.sub('sub-1').scheduledUpdates[0]?.scheduledExecutionTime).toBe(addMonthsUtc(T0, 12));
  });

  it('cancelScheduledUpdates drops the pending downgrade', () => {
    const w = new World();
    w.provision({ planId: 'sched-big' }, T0);
    w.provision({ planId: 'sched-small' }, T0 + DAY);
    const { subscription } = cancelScheduledUpdates(catalog, w.state, 'sub-1', T0 + 2 * DAY);
    expect(subscription.scheduledUpdates).toEqual([]);
    expect(subscription.planId).toBe('sched-big');
  });
});

describe('trials', () => {
  it('a plan with defaultTrialConfig starts IN_TRIAL for its duration', () => {
    const w = new World();
    const { subscription } = w.provision({ planId: 'pro' }, T0);
    expect(subscription).toMatchObject({
      trialEndDate: T0 + 14 * DAY,
      trialEndBehavior: 'CONVERT_TO_PAID',
      endDate: null,
      cancelReason: null,
    });
    expect(w.status(subscription.id, T0)).toBe('IN_TRIAL');
    expect(w.status(subscription.id, T0 + 14 * DAY)).toBe('ACTIVE');
  });

  it('a MONTH trial ends a calendar month later, clamped to the month end', () => {
    const start = at('2024-01-31T09:00:00Z');
    const { subscription } = new World().provision({ planId: 'premium' }, start);
    expect(subscription.trialEndDate).toBe(at('2024-02-29T09:00:00Z'));
  });

  it('skipTrial starts the plan ACTIVE', () => {
    const w = new World();
    const { subscription } = w.provision({ planId: 'pro', skipTrial: true }, T0);
    expect(subscription.trialEndDate).toBeNull();
    expect(w.status(subscription.id, T0)).toBe('ACTIVE');
  });

  it('one trial per customer per product: a later provision gets no trial', () => {
    const w = new World();
    w.provision({ planId: 'pro' }, T0);
    w.cancel({ subscriptionId: 'sub-1' }, T0 + DAY);
    const again = w.provision({ planId: 'pro' }, T0 + 2 * DAY).subscription;
    expect(again.trialEndDate).toBeNull();
    const other = w.provision({ planId: 'premium' }, T0 + 3 * DAY).subscription;
    expect(other.trialEndDate).toBeNull();
  });

  it('the trial history is per product', () => {
    const w = new World();
    w.provision({ planId: 'pro' }, T0);
    expect(w.provision({ planId: 'pro', resourceId: 'r1' }, T0).subscription.trialEndDate).toBeNull();
  });

  it('no trial after a paid subscription; the upgrade applies at once', () => {
    const w = new World();
    w.provision({ planId: 'basic' }, T0);
    const pro = w.provision({ planId: 'pro' }, T0 + DAY).subscription;
    expect(pro.trialEndDate).toBeNull();
    expect(w.live(T0 + DAY)).toEqual([pro.id]);
  });

  it('a trial runs in parallel with a free plan, which ends when a CONVERT_TO_PAID trial converts', () => {
    const w = new World();
    w.provision({ planId: 'free' }, T0);
    const trial = w.provision({ planId: 'pro' }, T0 + DAY).subscription;
    const trialEnd = T0 + 15 * DAY;
    expect(trial.trialEndDate).toBe(trialEnd);
    expect(w.sub('sub-1')).toMatchObject({ endDate: trialEnd, cancelReason: 'TrialConverted' });
    expect(w.live(T0 + 2 * DAY).sort()).toEqual(['sub-1', 'sub-2']);
    expect(w.live(trialEnd)).toEqual(['sub-2']);
    expect(w.status('sub-2', trialEnd)).toBe('ACTIVE');
  });

  it('a trial forced with trialOverrideConfiguration runs in parallel with a paid lower plan', () => {
    const w = new World();
    w.provision({ planId: 'basic' }, T0);
    const trialEnd = T0 + 10 * DAY;
    const trial = w.provision(
      { planId: 'pro', trialOverrideConfiguration: { isTrial: true, trialEndDate: trialEnd } },
      T0 + DAY,
    ).subscription;
    expect(trial.trialEndDate).toBe(trialEnd);
    expect(w.sub('sub-1')).toMatchObject({ endDate: trialEnd, cancelReason: 'TrialConverted' });
    const set = resolveEntitlements(catalog, w.state, null, T0 + 2 * DAY);
    expect(set.entitlements.get('api-calls')?.hasUnlimitedUsage).toBe(true);
    expect(w.live(trialEnd)).toEqual([trial.id]);
  });

  it('a CANCEL_SUBSCRIPTION trial leaves the current plan running and expires by itself', () => {
    const w = new World();
    w.provision({ planId: 'free' }, T0);
    const trial = w.provision({ planId: 'trial-cancel' }, T0 + DAY).subscription;
    const trialEnd = T0 + 8 * DAY;
    expect(trial).toMatchObject({ trialEndDate: trialEnd, endDate: trialEnd, cancelReason: 'TrialEnded' });
    expect(w.sub('sub-1').endDate).toBeNull();
    expect(w.status(trial.id, trialEnd)).toBe('EXPIRED');
    expect(w.live(trialEnd)).toEqual(['sub-1']);
  });

  it('a CANCEL_SUBSCRIPTION trial with nothing else moves to the downgrade plan when it ends', () => {
    const w = new World();
    const change = w.provision({ planId: 'trial-cancel' }, T0);
    const trialEnd = T0 + 7 * DAY;
    expect(change.upserts).toHaveLength(2);
    const free = must(w.state.subscriptions.find((s) => s.planId === 'free'));
    expect(free).toMatchObject({ startDate: trialEnd, billingAnchor: trialEnd, trialEndDate: null, endDate: null });
    expect(free.usageEpoch).toBe(free.id);
    expect(w.live(trialEnd - 1)).toEqual(['sub-1']);
    expect(w.live(trialEnd)).toEqual([free.id]);
  });

  it('a paid subscription to the plan being trialled converts the trial', () => {
    const w = new World();
    w.provision({ planId: 'pro' }, T0);
    const t = T0 + 3 * DAY;
    const paid = w.provision({ planId: 'pro' }, t).subscription;
    expect(paid.trialEndDate).toBeNull();
    expect(w.sub('sub-1')).toMatchObject({ endDate: t, cancelReason: 'TrialConverted' });
    expect(w.live(t)).toEqual([paid.id]);
    // The plan does not change, so usage carries on whatever the product's reset rule.
    expect(paid.usageEpoch).toBe(w.sub('sub-1').usageEpoch);
  });

  it('a trial override without an end date on a plan without a default trial is INVALID_INPUT', () => {
    expectAllotError(
      () => new World().provision({ planId: 'basic', trialOverrideConfiguration: { isTrial: true } }, T0),
      'INVALID_INPUT',
    );
    expectAllotError(
      () =>
        new World().provision({ planId: 'basic', trialOverrideConfiguration: { isTrial: true, trialEndDate: T0 } }, T0),
      'INVALID_INPUT',
    );
  });

  it('trialOverrideConfiguration isTrial false skips the default trial', () => {
    const { subscription } = new World().provision(
      { planId: 'pro', trialOverrideConfiguration: { isTrial: false } },
      T0,
    );
    expect(subscription.trialEndDate).toBeNull();
  });
});

describe('trial usage: the counter the customer sees goes on', () => {
  /** The api-calls counter a check reads at `now`: its window key and period. */
  const counterAt = (w: World, now: number) => {
    const w0 = usageWindow(must(resolveEntitlements(catalog, w.state, null, now).windows.get('api-calls')), now);
    return { key: w0.key, periodStart: w0.periodStart };
  };

  it('a paid subscription converting a trial that runs alone keeps its counter and reset periods', () => {
    const w = new World();
    w.provision({ planId: 'pro' }, T0);
    const t = T0 + 2 * DAY;
    const before = counterAt(w, t);
    const paid = w.provision({ planId: 'pro' }, t).subscription;
    expect(paid.trialEndDate).toBeNull();
    expect(counterAt(w, t)).toEqual(before);
    expect(before.periodStart).toBe(T0);
    // Billing starts at the conversion; only the usage periods stay the trial's.
    expect(paid.billingAnchor).toBe(t);
    expect(counterAt(w, addMonthsUtc(T0, 1)).periodStart).toBe(addMonthsUtc(T0, 1));
  });

  it('a paid subscription converting a trial beside a plan carries on the plan counter the trial counted in', () => {
    const w = new World();
    w.provision({ planId: 'free' }, T0);
    w.provision({ planId: 'pro' }, T0 + DAY);
    const t = T0 + 3 * DAY;
    const before = counterAt(w, t);
    expect(before.key).toBe(counterAt(w, T0).key);
    w.provision({ planId: 'pro' }, t);
    expect(counterAt(w, t)).toEqual(before);
  });

  it('a trial converting by itself carries on the counter of the plan beside it', () => {
    const w = new World();
    w.provision({ planId: 'free' }, T0);
    const trial = w.provision({ planId: 'pro' }, T0 + DAY).subscription;
    const end = must(trial.trialEndDate);
    const before = counterAt(w, end - 1);
    expect(w.live(end)).toEqual([trial.id]);
    expect(counterAt(w, end)).toEqual(before);
  });

  it('a trial left alone carries on the counter of the plan cancelled beside it, even in the same instant', () => {
    for (const gap of [0, 2 * DAY]) {
      const w = new World();
      w.provision({ planId: 'free' }, T0);
      w.provision({ planId: 'pro' }, T0);
      const before = counterAt(w, T0 + gap);
      w.cancel({ subscriptionId: 'sub-1' }, T0 + gap);
      expect(w.live(T0 + gap)).toEqual(['sub-2']);
      expect(counterAt(w, T0 + gap)).toEqual(before);
      expect(counterAt(w, T0 + 14 * DAY).key).toBe(counterAt(w, T0 + 14 * DAY - 1).key);
    }
  });

  it('a plan starting beside a trial that runs alone joins its counter, which goes on when the trial ends', () => {
    const w = new World();
    w.provision({ planId: 'pro' }, T0);
    const own = counterAt(w, T0 + DAY);
    const free = w.provision({ planId: 'free' }, T0 + DAY).subscription;
    expect(free.billingAnchor).toBe(T0 + DAY);
    expect(counterAt(w, T0 + DAY)).toEqual(own);
    expect(counterAt(w, T0 + 14 * DAY - 1)).toEqual(own);
    expect(counterAt(w, T0 + 14 * DAY)).toEqual(own);
  });

  it('a plan replacing the one beside a trial resets the counter as the product rule says, for both', () => {
    const w = new World();
    w.provision({ planId: 'free' }, T0);
    w.provision({ planId: 'pro' }, T0 + DAY);
    const before = counterAt(w, T0 + 2 * DAY);
    w.provision({ planId: 'basic' }, T0 + 2 * DAY);
    const after = counterAt(w, T0 + 2 * DAY);
    expect(after.key).not.toBe(before.key);
    w.cancel({ subscriptionId: 'sub-3' }, T0 + 3 * DAY);
    expect(w.live(T0 + 3 * DAY)).toEqual(['sub-2']);
    expect(counterAt(w, T0 + 3 * DAY).key).toBe(after.key);
  });

  it('a trial beside a plan whose scheduled downgrade resets usage carries on the counter after the reset', () => {
    const w = new World();
    w.provision({ planId: 'basic' }, T0);
    const trialEnd = T0 + 40 * DAY;
    w.provision({ planId: 'pro', trialOverrideConfiguration: { isTrial: true, trialEndDate: trialEnd } }, T0 + DAY);
    w.provision({ planId: 'free', scheduleStrategy: 'END_OF_BILLING_PERIOD' }, T0 + 2 * DAY);
    const downgrade = addMonthsUtc(T0, 1);
    expect(counterAt(w, downgrade).key).not.toBe(counterAt(w, downgrade - 1).key);
    expect(counterAt(w, trialEnd).key).toBe(counterAt(w, trialEnd - 1).key);
    // Dropping the scheduled downgrade hands the trial the counter as it now stays.
    const x = new World();
    x.provision({ planId: 'basic' }, T0);
    x.provision({ planId: 'pro', trialOverrideConfiguration: { isTrial: true, trialEndDate: trialEnd } }, T0 + DAY);
    x.provision({ planId: 'free', scheduleStrategy: 'END_OF_BILLING_PERIOD' }, T0 + 2 * DAY);
    x.state = applyUpserts(x.state, cancelScheduledUpdates(catalog, x.state, 'sub-1', T0 + 3 * DAY).upserts);
    expect(counterAt(x, trialEnd).key).toBe(counterAt(x, trialEnd - 1).key);
  });

  it('NEVER_RESET: a counter carried on keeps its reset periods when the billing cycle restarts', () => {
    const w = new World();
    w.provision({ planId: 'keep-small' }, T0);
    const t = T0 + 3 * DAY;
    const before = counterAt(w, t);
    const big = w.provision({ planId: 'keep-big', billingPeriod: 'ANNUALLY' }, t).subscription;
    expect(big.billingAnchor).toBe(t);
    expect(counterAt(w, t)).toEqual(before);
  });
});

describe('cancelSubscription', () => {
  it('IMMEDIATE ends it now and moves the customer to the downgrade plan now', () => {
    const w = new World();
    w.provision({ planId: 'basic' }, T0);
    const t = T0 + 3 * DAY;
    const change = w.cancel({ subscriptionId: 'sub-1', subscriptionCancellationTime: 'IMMEDIATE' }, t);
    expect(change.subscription).toMatchObject({ endDate: t, cancellationDate: t, cancelReason: 'Immediate' });
    expect(w.status('sub-1', t)).toBe('CANCELED');
    const free = must(change.upserts.find((s) => s.planId === 'free'));
    expect(free).toMatchObject({ startDate: t, billingAnchor: t, resourceId: null, productId: 'app' });
    expect(w.live(t)).toEqual([free.id]);
  });

  it('END_OF_BILLING_PERIOD ends it at the billing period end; the downgrade plan starts then', () => {
    const w = new World();
    w.provision({ planId: 'basic' }, T0);
    const t = T0 + 40 * DAY;
    const end = addMonthsUtc(T0, 2);
    w.cancel({ subscriptionId: 'sub-1', subscriptionCancellationTime: 'END_OF_BILLING_PERIOD' }, t);
    expect(w.sub('sub-1')).toMatchObject({ endDate: end, cancelReason: 'ScheduledCancellation', cancellationDate: t });
    expect(w.live(end - 1)).toEqual(['sub-1']);
    expect(w.live(end)).toEqual(['sub-2']);
    expect(w.sub('sub-2').planId).toBe('free');
  });

  it('SPECIFIC_DATE ends it on that date; a date in the past is INVALID_INPUT', () => {
    const w = new World();
    w.provision({ planId: 'basic' }, T0);
    const date = T0 + 9 * DAY;
    w.cancel({ subscriptionId: 'sub-1', subscriptionCancellationTime: 'SPECIFIC_DATE', endDate: date }, T0 + DAY);
    expect(w.sub('sub-1')).toMatchObject({ endDate: date, cancelReason: 'ScheduledCancellation' });
    expect(w.sub('sub-2').startDate).toBe(date);
    const v = new World();
    v.provision({ planId: 'basic' }, T0);
    expectAllotError(
      () => v.cancel({ subscriptionId: 'sub-1', subscriptionCancellationTime: 'SPECIFIC_DATE', endDate: T0 }, T0 + DAY),
      'INVALID_INPUT',
    );
    // An endDate without a time means SPECIFIC_DATE.
    v.cancel({ subscriptionId: 'sub-1', endDate: T0 + 5 * DAY }, T0 + DAY);
    expect(v.sub('sub-1').endDate).toBe(T0 + 5 * DAY);
  });

  it('cancelling the downgrade plan itself, or in a product without one, creates nothing', () => {
    const w = new World();
    w.provision({ planId: 'free' }, T0);
    expect(w.cancel({ subscriptionId: 'sub-1' }, T0 + DAY).upserts).toHaveLength(1);
    const k = new World();
    k.provision({ planId: 'keep-big' }, T0);
    expect(k.cancel({ subscriptionId: 'sub-1' }, T0 + DAY).upserts).toHaveLength(1);
    expect(k.live(T0 + DAY, 'keep')).toEqual([]);
  });

  it('an already ended subscription cannot be cancelled again; an unknown one is not found', () => {
    const w = new World();
    w.provision({ planId: 'free' }, T0);
    w.cancel({ subscriptionId: 'sub-1' }, T0 + DAY);
    expectAllotError(() => w.cancel({ subscriptionId: 'sub-1' }, T0 + 2 * DAY), 'SUBSCRIPTION_NOT_ACTIVE');
    expectAllotError(() => w.cancel({ subscriptionId: 'nope' }, T0), 'SUBSCRIPTION_NOT_FOUND');
  });

  it('END_OF_BILLING_PERIOD on a trial is rejected with INVALID_OPERATION', () => {
    const w = new World();
    w.provision({ planId: 'pro' }, T0);
    expectAllotError(
      () => w.cancel({ subscriptionId: 'sub-1', subscriptionCancellationTime: 'END_OF_BILLING_PERIOD' }, T0 + DAY),
      'INVALID_OPERATION',
    );
  });

  it('cancelling a parallel trial restores the plan it would have replaced', () => {
    const w = new World();
    w.provision({ planId: 'free' }, T0);
    w.provision({ planId: 'pro' }, T0 + DAY);
    expect(w.sub('sub-1').endDate).not.toBeNull();
    w.cancel({ subscriptionId: 'sub-2' }, T0 + 2 * DAY);
    expect(w.sub('sub-1')).toMatchObject({ endDate: null, cancelReason: null });
    expect(w.live(T0 + 100 * DAY)).toEqual(['sub-1']);
  });

  it('cancelling a NOT_STARTED subscription ends it now', () => {
    const w = new World();
    w.provision({ planId: 'basic', startDate: T0 + 10 * DAY }, T0);
    w.cancel({ subscriptionId: 'sub-1', subscriptionCancellationTime: 'END_OF_BILLING_PERIOD' }, T0 + DAY);
    expect(w.sub('sub-1').endDate).toBe(T0 + DAY);
    expect(w.status('sub-1', T0 + 20 * DAY)).toBe('CANCELED');
  });
});

describe('updateSubscription', () => {
  it('replaces the whole add-on list at once, keeping start and billing anchor', () => {
    const w = new World();
    w.provision({ planId: 'basic', addons: [{ addonId: 'extra-seats', quantity: 2 }] }, T0);
    const t = T0 + 3 * DAY;
    const { subscription } = w.update(
      { subscriptionId: 'sub-1', addons: [{ addonId: 'extra-calls', quantity: 1 }] },
      t,
    );
    expect(subscription.addons).toEqual([{ addonId: 'extra-calls', version: 1, quantity: 1 }]);
    expect(subscription).toMatchObject({ startDate: T0, billingAnchor: T0, updatedAt: t, usageEpoch: 'sub-1' });
    expect(w.update({ subscriptionId: 'sub-1', addons: [] }, t).subscription.addons).toEqual([]);
  });

  it('with a schedule strategy, an add-on change waits for the billing period end', () => {
    const w = new World();
    w.provision({ planId: 'basic', addons: [{ addonId: 'extra-seats', quantity: 2 }] }, T0);
    const t = T0 + 3 * DAY;
    const { subscription } = w.update(
      { subscriptionId: 'sub-1', addons: [], scheduleStrategy: 'END_OF_BILLING_PERIOD' },
      t,
    );
    expect(subscription.addons).toEqual([{ addonId: 'extra-seats', version: 1, quantity: 2 }]);
    expect(subscription.scheduledUpdates).toEqual([
      { subscriptionScheduleType: 'Addon', scheduledExecutionTime: addMonthsUtc(T0, 1), createdAt: t, addons: [] },
    ]);
    const end = addMonthsUtc(T0, 1);
    expect(effectiveSubscription(w.sub('sub-1'), catalog, end).addons).toEqual([]);
    expect(effectiveSubscription(w.sub('sub-1'), catalog, end - 1).addons).toHaveLength(1);
  });

  it('validates add-ons against the plan', () => {
    const w = new World();
    w.provision({ planId: 'basic' }, T0);
    expectAllotError(
      () => w.update({ subscriptionId: 'sub-1', addons: [{ addonId: 'ghost' }] }, T0),
      'ADDON_NOT_FOUND',
    );
    expectAllotError(
      () => w.update({ subscriptionId: 'sub-1', addons: [{ addonId: 'extra-seats', quantity: 99 }] }, T0),
      'ADDON_QUANTITY_EXCEEDED',
    );
  });

  it('metadata and custom entitlements apply at once', () => {
    const w = new World();
    w.provision({ planId: 'basic' }, T0);
    const { subscription } = w.update({ subscriptionId: 'sub-1', metadata: { a: 'b' } }, T0 + DAY);
    expect(subscription.metadata).toEqual({ a: 'b' });
  });

  it('a billing period change restarts the billing cycle', () => {
    const w = new World();
    w.provision({ planId: 'basic' }, T0);
    const t = T0 + 5 * DAY;
    const { subscription } = w.update({ subscriptionId: 'sub-1', billingPeriod: 'ANNUALLY' }, t);
    expect(subscription).toMatchObject({ billingPeriod: 'ANNUALLY', billingAnchor: t });
  });

  it('moving a trial end moves the end of the plan the trial replaces', () => {
    const w = new World();
    w.provision({ planId: 'free' }, T0);
    w.provision({ planId: 'pro' }, T0);
    const later = T0 + 30 * DAY;
    const { upserts } = w.update({ subscriptionId: 'sub-2', trialEndDate: later }, T0 + DAY);
    expect(upserts.map((s) => s.id).sort()).toEqual(['sub-1', 'sub-2']);
    expect(w.sub('sub-2').trialEndDate).toBe(later);
    expect(w.sub('sub-1').endDate).toBe(later);
    expect(w.live(T0 + 20 * DAY).sort()).toEqual(['sub-1', 'sub-2']);
  });

  it('a trial end cannot be set on a non-trial or in the past; an ended subscription cannot be updated', () => {
    const w = new World();
    w.provision({ planId: 'basic' }, T0);
    expectAllotError(() => w.update({ subscriptionId: 'sub-1', trialEndDate: T0 + DAY }, T0), 'INVALID_OPERATION');
    const t = new World();
    t.provision({ planId: 'pro' }, T0);
    expectAllotError(() => t.update({ subscriptionId: 'sub-1', trialEndDate: T0 }, T0 + DAY), 'INVALID_INPUT');
    w.cancel({ subscriptionId: 'sub-1' }, T0 + DAY);
    expectAllotError(
      () => w.update({ subscriptionId: 'sub-1', metadata: {} }, T0 + 2 * DAY),
      'SUBSCRIPTION_NOT_ACTIVE',
    );
  });
});

describe('transferSubscription', () => {
  it('moves a subscription to another resource, or customer-wide', () => {
    const w = new World();
    w.provision({ planId: 'basic', resourceId: 'r1' }, T0);
    expect(w.transfer('sub-1', 'r2', T0 + DAY).subscription.resourceId).toBe('r2');
    expect(w.live(T0 + DAY, 'app', 'r2')).toEqual(['sub-1']);
    expect(w.live(T0 + DAY, 'app', 'r1')).toEqual([]);
    expect(w.transfer('sub-1', null, T0 + DAY).subscription.resourceId).toBeNull();
  });

  it('rejects a transfer onto a resource that already has a subscription to the product', () => {
    const w = new World();
    w.provision({ planId: 'basic', resourceId: 'r1' }, T0);
    w.provision({ planId: 'free', resourceId: 'r2' }, T0);
    expectAllotError(() => w.transfer('sub-1', 'r2', T0 + DAY), 'INVALID_OPERATION');
    // A subscription to another product on r2 is no clash.
    w.provision({ planId: 'analytics-basic', resourceId: 'r3' }, T0);
    expect(w.transfer('sub-3', 'r2', T0 + DAY).subscription.resourceId).toBe('r2');
  });

  it('an ended subscription cannot be transferred', () => {
    const w = new World();
    w.provision({ planId: 'keep-big', resourceId: 'r1' }, T0);
    w.cancel({ subscriptionId: 'sub-1' }, T0 + DAY);
    expectAllotError(() => w.transfer('sub-1', 'r2', T0 + 2 * DAY), 'SUBSCRIPTION_NOT_ACTIVE');
  });
});

describe('product rules across a sequence of changes', () => {
  it('cancelling a trial that has nothing to fall back on moves the customer to the downgrade plan', () => {
    // DESIGN §4: "a product with a downgrade plan moves the customer to it" on cancellation.
    const w = new World();
    w.provision({ planId: 'pro' }, T0);
    const t = T0 + 2 * DAY;
    w.cancel({ subscriptionId: 'sub-1' }, t);
    expect(w.planAt(t)).toBe('free');
  });

  it('cancelling at once after an end-of-period cancellation leaves no gap before the downgrade plan', () => {
    const w = new World();
    w.provision({ planId: 'basic' }, T0);
    w.cancel({ subscriptionId: 'sub-1', subscriptionCancellationTime: 'END_OF_BILLING_PERIOD' }, T0 + DAY);
    const t = T0 + 2 * DAY;
    w.cancel({ subscriptionId: 'sub-1', subscriptionCancellationTime: 'IMMEDIATE' }, t);
    expect(w.planAt(t)).toBe('free');
  });

  it('a paid plan bought during a CONVERT_TO_PAID trial of another plan does not leave two ACTIVE plans', () => {
    const w = new World();
    w.provision({ planId: 'pro' }, T0); // trial until T0 + 14 days, converts to paid
    w.provision({ planId: 'basic' }, T0 + DAY);
    const trialEnd = T0 + 14 * DAY;
    expect(w.live(T0 + 2 * DAY).sort()).toEqual(['sub-1', 'sub-2']);
    expect(
      w.state.subscriptions.filter((s) => subscriptionStatus(s, trialEnd) === 'ACTIVE').map((s) => s.id),
    ).toHaveLength(1);
  });
  it('cancelling again with a later date does not leave the old plan and the downgrade plan both ACTIVE', () => {
    const w = new World();
    w.provision({ planId: 'basic' }, T0);
    w.cancel({ subscriptionId: 'sub-1', subscriptionCancellationTime: 'SPECIFIC_DATE', endDate: T0 + DAY }, T0);
    expect(w.sub('sub-2')).toMatchObject({ planId: 'free', startDate: T0 + DAY });
    w.cancel({ subscriptionId: 'sub-1', subscriptionCancellationTime: 'END_OF_BILLING_PERIOD' }, T0);
    expect(w.live(T0 + 2 * DAY)).toHaveLength(1);
    expect(w.live(addMonthsUtc(T0, 1))).toHaveLength(1);
  });

  it('cancelling a trial on a date after its trial end does not turn it into a paid plan next to the downgrade plan', () => {
    const w = new World();
    w.provision({ planId: 'trial-cancel' }, T0); // trial to T0 + 7 days, then the free plan (sub-2)
    w.cancel({ subscriptionId: 'sub-1', subscriptionCancellationTime: 'SPECIFIC_DATE', endDate: T0 + 8 * DAY }, T0);
    expect(w.live(T0 + 7 * DAY + 1)).toHaveLength(1);
  });

  it('transferring a CONVERT_TO_PAID trial next to a paid plan does not leave two ACTIVE plans after conversion', () => {
    const w = new World();
    w.provision({ planId: 'free', resourceId: 'r1' }, T0);
    w.provision({ planId: 'pro', resourceId: null }, T0); // trial to T0 + 14 days
    w.transfer('sub-2', 'r1', T0 + DAY);
    expect(w.live(T0 + 14 * DAY, 'app', 'r1')).toHaveLength(1);
  });

  it('a converting trial takes over a plan canceled at period end, and its lined-up downgrade', () => {
    const w = new World();
    w.provision({ planId: 'pro', skipTrial: true }, T0); // sub-1
    w.cancel({ subscriptionId: 'sub-1', subscriptionCancellationTime: 'END_OF_BILLING_PERIOD' }, T0 + DAY); // free lined up: sub-2
    const periodEnd = must(w.sub('sub-1').endDate);
    const trialEnd = T0 + 7 * DAY;
    w.provision(
      {
        planId: 'premium',
        trialOverrideConfiguration: { isTrial: true, trialEndDate: trialEnd, trialEndBehavior: 'CONVERT_TO_PAID' },
      },
      T0 + 2 * DAY,
    ); // sub-3
    expect(w.live(trialEnd)).toEqual(['sub-3']);
    expect(w.live(periodEnd)).toEqual(['sub-3']);
    // Withdrawing the trial gives back exactly what the customer had chosen: pro until period end, then free.
    w.cancel({ subscriptionId: 'sub-3' }, T0 + 3 * DAY);
    expect(w.sub('sub-1')).toMatchObject({ endDate: periodEnd, cancelReason: 'ScheduledCancellation' });
    expect(w.sub('sub-1').endBeforeConversion).toBeUndefined();
    expect(w.live(T0 + 4 * DAY)).toEqual(['sub-1']);
    expect(w.live(periodEnd)).toEqual(['sub-2']);
  });

  it('a future-dated plan never extends a pending cancellation; a past start date is rejected', () => {
    const w = new World();
    w.provision({ planId: 'pro', skipTrial: true }, T0);
    w.cancel({ subscriptionId: 'sub-1', subscriptionCancellationTime: 'END_OF_BILLING_PERIOD' }, T0 + DAY);
    const periodEnd = must(w.sub('sub-1').endDate);
    w.provision({ planId: 'basic', startDate: periodEnd + 60 * DAY }, T0 + 2 * DAY);
    expect(w.sub('sub-1').endDate).toBe(periodEnd);
    expectAllotError(() => w.provision({ planId: 'basic', startDate: T0 }, T0 + 2 * DAY), 'INVALID_INPUT');
  });

  it('a transferred subscription takes its lined-up downgrade along, unless the destination has its own plan', () => {
    const w = new World();
    w.provision({ planId: 'pro', resourceId: 'r1', skipTrial: true }, T0); // sub-1
    w.cancel({ subscriptionId: 'sub-1', subscriptionCancellationTime: 'END_OF_BILLING_PERIOD' }, T0 + DAY); // sub-2 on r1
    const periodEnd = must(w.sub('sub-1').endDate);
    w.transfer('sub-1', 'r2', T0 + 2 * DAY);
    expect(w.live(periodEnd, 'app', 'r2')).toEqual(['sub-2']);
    expect(w.live(periodEnd, 'app', 'r1')).toEqual([]);
    // A trial that ends by itself lines up the downgrade plan; moved next to a paid plan, it drops it.
    const v = new World();
    v.provision({ planId: 'trial-cancel', resourceId: 'r3' }, T0); // sub-1, downgrade lined up: sub-2
    v.provision({ planId: 'basic', resourceId: 'r4' }, T0); // sub-3
    v.transfer('sub-1', 'r4', T0 + DAY);
    const trialEnd = must(v.sub('sub-1').trialEndDate);
    expect(v.sub('sub-2').resourceId).toBe('r3');
    expect(v.live(trialEnd, 'app', 'r4')).toEqual(['sub-3']);
    expect(v.live(trialEnd, 'app', 'r3')).toEqual([]);
  });
});

describe('properties', () => {
  type Op =
    | {
        kind: 'provision';
        planId: string;
        resourceId: string | null;
        skipTrial: boolean;
        strategy: 'IMMEDIATE' | 'END_OF_BILLING_PERIOD' | undefined;
        /** Days from now to a forced trial's end, with its behaviour; or no override. */
        trial: { days: number; converts: boolean } | undefined;
        /** Days from now to a future start; or start now. */
        startIn: number | undefined;
      }
    | { kind: 'cancel'; pick: number; time: 'IMMEDIATE' | 'END_OF_BILLING_PERIOD' | 'SPECIFIC_DATE'; days: number }
    | { kind: 'transfer'; pick: number; resourceId: string | null }
    | { kind: 'advance'; days: number }
    | { kind: 'trialEnd'; pick: number; days: number };

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constant('provision' as const),
      planId: fc.constantFrom('free', 'basic', 'pro', 'premium', 'trial-cancel', 'sched-small', 'sched-big'),
      resourceId: fc.constantFrom<string | null>(null, 'r1'),
      skipTrial: fc.boolean(),
      strategy: fc.constantFrom<'IMMEDIATE' | 'END_OF_BILLING_PERIOD' | undefined>(
        undefined,
        'IMMEDIATE',
        'END_OF_BILLING_PERIOD',
      ),
      trial: fc.option(fc.record({ days: fc.integer({ min: 1, max: 40 }), converts: fc.boolean() }), {
        nil: undefined,
      }),
      startIn: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
    }),
    fc.record({
      kind: fc.constant('cancel' as const),
      pick: fc.nat(),
      time: fc.constantFrom<'IMMEDIATE' | 'END_OF_BILLING_PERIOD' | 'SPECIFIC_DATE'>(
        'IMMEDIATE',
        'END_OF_BILLING_PERIOD',
        'SPECIFIC_DATE',
      ),
      days: fc.integer({ min: 0, max: 40 }),
    }),
    fc.record({
      kind: fc.constant('transfer' as const),
      pick: fc.nat(),
      resourceId: fc.constantFrom<string | null>(null, 'r1', 'r2'),
    }),
    fc.record({ kind: fc.constant('advance' as const), days: fc.integer({ min: 0, max: 40 }) }),
    fc.record({ kind: fc.constant('trialEnd' as const), pick: fc.nat(), days: fc.integer({ min: 0, max: 40 }) }),
  );

  function step(w: World, op: Op, now: number): number {
    const subs = w.state.subscriptions;
    try {
      switch (op.kind) {
        case 'provision':
          w.provision(
            {
              planId: op.planId,
              resourceId: op.resourceId,
              skipTrial: op.skipTrial,
              scheduleStrategy: op.strategy,
              ...(op.startIn === undefined ? {} : { startDate: now + op.startIn * DAY }),
              ...(op.trial === undefined
                ? {}
                : {
                    trialOverrideConfiguration: {
                      isTrial: true,
                      trialEndDate: now + ((op.startIn ?? 0) + op.trial.days) * DAY,
                      trialEndBehavior: op.trial.converts
                        ? ('CONVERT_TO_PAID' as const)
                        : ('CANCEL_SUBSCRIPTION' as const),
                    },
                  }),
            },
            now,
          );
          return now;
        case 'cancel': {
          const target = subs[op.pick % Math.max(1, subs.length)];
          if (target)
            w.cancel(
              {
                subscriptionId: target.id,
                subscriptionCancellationTime: op.time,
                ...(op.time === 'SPECIFIC_DATE' ? { endDate: now + op.days * DAY } : {}),
              },
              now,
            );
          return now;
        }
        case 'transfer': {
          const target = subs[op.pick % Math.max(1, subs.length)];
          if (target) w.transfer(target.id, op.resourceId, now);
          return now;
        }
        case 'advance':
          return now + op.days * DAY + 1;
        case 'trialEnd': {
          const target = subs[op.pick % Math.max(1, subs.length)];
          if (target) w.update({ subscriptionId: target.id, trialEndDate: now + op.days * DAY }, now);
          return now;
        }
      }
    } catch (e) {
      if (!AllotError.is(e)) throw e;
      return now;
    }
  }

  /** Every instant at which some subscription's state may change, from `now` on, and just before each. */
  function checkpoints(state: CustomerState, now: number): number[] {
    const times = new Set<number>([now]);
    for (const s of state.subscriptions)
      for (const t of [
        s.startDate,
        s.trialEndDate,
        s.endDate,
        ...s.scheduledUpdates.map((u) => u.scheduledExecutionTime),
      ])
        if (t !== null && t >= now) {
          times.add(t);
          if (t - 1 >= now) times.add(t - 1);
        }
    return [...times];
  }

  it('at every instant, at most one ACTIVE and one IN_TRIAL subscription per product and resource', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 12 }), (ops) => {
        const w = new World();
        let now = T0;
        for (const op of ops) {
          now = step(w, op, now);
          for (const t of checkpoints(w.state, now)) {
            const counts = new Map<string, number>();
            for (const s of w.state.subscriptions) {
              const status = subscriptionStatus(s, t);
              if (status !== 'ACTIVE' && status !== 'IN_TRIAL') continue;
              const key = `${s.productId}/${s.resourceId ?? '-'}/${status}`;
              counts.set(key, (counts.get(key) ?? 0) + 1);
            }
            for (const [key, n] of counts)
              if (n > 1) throw new Error(`${n} subscriptions ${key} at ${new Date(t).toISOString()}`);
          }
        }
      }),
    );
  });

  it('every change keeps ids unique and never reopens or moves the end of a subscription that already ended', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 12 }), (ops) => {
        const w = new World();
        let now = T0;
        for (const op of ops) {
          const before = w.state.subscriptions;
          now = step(w, op, now);
          const ids = w.state.subscriptions.map((s) => s.id);
          expect(new Set(ids).size).toBe(ids.length);
          for (const s of w.state.subscriptions) {
            expect(s.customerId).toBe('cus-1');
            const prior = before.find((b) => b.id === s.id);
            // A subscription that had ended stays ended, at the same time.
            if (prior?.endDate !== null && prior?.endDate !== undefined && prior.endDate <= now)
              expect(s.endDate).toBe(prior.endDate);
          }
        }
      }),
    );
  });
});
