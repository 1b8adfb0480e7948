import { describe, expect, it } from 'vitest';
import {
  billingPeriodRange,
  effectiveSubscription,
  isLive,
  isOpen,
  isTrialSubscription,
  nextTransition,
  subscriptionStatus,
} from '../../src/core/subscription-state.js';
import type { ScheduledUpdate, SubscriptionRecord } from '../../src/model/records.js';
import { at, CATALOG_NOW, catalogOf, standardCatalog, standardCatalogInput, subscription } from './factories.js';
import { fc } from './fc-setup.js';

const catalog = standardCatalog();
const START = at('2024-01-10T00:00:00Z');
const TRIAL_END = at('2024-01-24T00:00:00Z');

const trial = (behavior: 'CONVERT_TO_PAID' | 'CANCEL_SUBSCRIPTION', overrides: Partial<SubscriptionRecord> = {}) =>
  subscription({
    startDate: START,
    trialEndDate: TRIAL_END,
    trialEndBehavior: behavior,
    endDate: behavior === 'CANCEL_SUBSCRIPTION' ? TRIAL_END : null,
    cancelReason: behavior === 'CANCEL_SUBSCRIPTION' ? 'TrialEnded' : null,
    ...overrides,
  });

function update(time: number, fields: Partial<ScheduledUpdate> = {}): ScheduledUpdate {
  return { subscriptionScheduleType: 'Plan', scheduledExecutionTime: time, createdAt: CATALOG_NOW, ...fields };
}

describe('subscriptionStatus', () => {
  it('NOT_STARTED before the start, ACTIVE from the start', () => {
    const sub = subscription({ startDate: START });
    expect(subscriptionStatus(sub, START - 1)).toBe('NOT_STARTED');
    expect(subscriptionStatus(sub, START)).toBe('ACTIVE');
    expect(isLive(sub, START - 1)).toBe(false);
    expect(isOpen(sub, START - 1)).toBe(true);
  });

  it('IN_TRIAL until the trial end, then ACTIVE for a CONVERT_TO_PAID trial', () => {
    const sub = trial('CONVERT_TO_PAID');
    expect(subscriptionStatus(sub, START - 1)).toBe('NOT_STARTED');
    expect(subscriptionStatus(sub, START)).toBe('IN_TRIAL');
    expect(subscriptionStatus(sub, TRIAL_END - 1)).toBe('IN_TRIAL');
    expect(subscriptionStatus(sub, TRIAL_END)).toBe('ACTIVE');
    expect(isLive(sub, TRIAL_END + 1e9)).toBe(true);
  });

  it('EXPIRED after a CANCEL_SUBSCRIPTION trial ends', () => {
    const sub = trial('CANCEL_SUBSCRIPTION');
    expect(subscriptionStatus(sub, TRIAL_END - 1)).toBe('IN_TRIAL');
    expect(subscriptionStatus(sub, TRIAL_END)).toBe('EXPIRED');
    expect(isLive(sub, TRIAL_END)).toBe(false);
    expect(isOpen(sub, TRIAL_END)).toBe(false);
  });

  it('CANCELED from the end date on (half-open)', () => {
    const end = at('2024-02-01T00:00:00Z');
    const sub = subscription({ startDate: START, endDate: end, cancelReason: 'ScheduledCancellation' });
    expect(subscriptionStatus(sub, end - 1)).toBe('ACTIVE');
    expect(subscriptionStatus(sub, end)).toBe('CANCELED');
    expect(isOpen(sub, end - 1)).toBe(true);
    expect(isOpen(sub, end)).toBe(false);
  });

  it('a subscription ended before it started is CANCELED, not NOT_STARTED', () => {
    const sub = subscription({
      startDate: at('2024-03-01T00:00:00Z'),
      endDate: START,
      cancelReason: 'UpgradeOrDowngrade',
    });
    expect(subscriptionStatus(sub, START)).toBe('CANCELED');
  });

  it('a trial canceled early is CANCELED, not EXPIRED', () => {
    const sub = trial('CANCEL_SUBSCRIPTION', { endDate: at('2024-01-15T00:00:00Z'), cancelReason: 'Immediate' });
    expect(subscriptionStatus(sub, at('2024-01-16T00:00:00Z'))).toBe('CANCELED');
  });
});

describe('isTrialSubscription', () => {
  it('is true while the trial is running or still to come', () => {
    const sub = trial('CONVERT_TO_PAID');
    expect(isTrialSubscription(sub, START - 1)).toBe(true);
    expect(isTrialSubscription(sub, TRIAL_END - 1)).toBe(true);
    expect(isTrialSubscription(sub, TRIAL_END)).toBe(false);
    expect(isTrialSubscription(subscription(), START)).toBe(false);
  });
});

describe('billingPeriodRange', () => {
  it('counts monthly or yearly periods from the billing anchor', () => {
    const anchor = at('2024-01-31T00:00:00Z');
    const monthly = subscription({ billingAnchor: anchor, billingPeriod: 'MONTHLY' });
    expect(billingPeriodRange(monthly, at('2024-03-01T00:00:00Z'))).toEqual({
      anchor,
      start: at('2024-02-29T00:00:00Z'),
      end: at('2024-03-31T00:00:00Z'),
    });
    const yearly = subscription({ billingAnchor: anchor, billingPeriod: 'ANNUALLY' });
    expect(billingPeriodRange(yearly, at('2024-03-01T00:00:00Z'))).toEqual({
      anchor,
      start: anchor,
      end: at('2025-01-31T00:00:00Z'),
    });
  });
});

describe('effectiveSubscription', () => {
  const T1 = at('2024-02-01T00:00:00Z');
  const T2 = at('2024-03-01T00:00:00Z');

  it('returns the record itself when nothing is due', () => {
    const sub = subscription({ scheduledUpdates: [update(T1, { planId: 'free', planVersion: 1 })] });
    expect(effectiveSubscription(sub, catalog, T1 - 1)).toBe(sub);
  });

  it('applies due updates lazily and keeps the future ones scheduled', () => {
    const sub = subscription({
      planId: 'pro',
      scheduledUpdates: [
        update(T2, { addons: [{ addonId: 'extra-seats', version: 1, quantity: 2 }] }),
        update(T1, { subscriptionScheduleType: 'Downgrade', planId: 'basic', planVersion: 1 }),
      ],
    });
    const mid = effectiveSubscription(sub, catalog, T1);
    expect(mid.planId).toBe('basic');
    expect(mid.addons).toEqual([]);
    expect(mid.scheduledUpdates).toHaveLength(1);
    expect(mid.scheduledUpdates[0]?.scheduledExecutionTime).toBe(T2);
    expect(mid.updatedAt).toBe(T1);
    const late = effectiveSubscription(sub, catalog, T2);
    expect(late.planId).toBe('basic');
    expect(late.addons).toEqual([{ addonId: 'extra-seats', version: 1, quantity: 2 }]);
    expect(late.scheduledUpdates).toEqual([]);
    // The stored record is untouched.
    expect(sub.planId).toBe('pro');
    expect(sub.scheduledUpdates).toHaveLength(2);
  });

  it('applies due updates in time order whatever their order in the list', () => {
    const sub = subscription({
      planId: 'pro',
      scheduledUpdates: [
        update(T2, { planId: 'free', planVersion: 1 }),
        update(T1, { planId: 'basic', planVersion: 1 }),
      ],
    });
    expect(effectiveSubscription(sub, catalog, T2).planId).toBe('free');
  });

  it('a plan change starts a new usage epoch under ALWAYS_RESET', () => {
    const sub = subscription({ planId: 'pro', scheduledUpdates: [update(T1, { planId: 'basic', planVersion: 1 })] });
    const next = effectiveSubscription(sub, catalog, T1);
    expect(next.usageResetAt).toBe(T1);
    expect(next.usageEpoch).not.toBe(sub.usageEpoch);
    expect(next.billingAnchor).toBe(sub.billingAnchor);
  });

  it('a plan change keeps the usage epoch under NEVER_RESET', () => {
    const sub = subscription({
      productId: 'keep',
      planId: 'keep-big',
      scheduledUpdates: [update(T1, { planId: 'keep-small', planVersion: 1 })],
    });
    const next = effectiveSubscription(sub, catalog, T1);
    expect(next.planId).toBe('keep-small');
    expect(next.usageEpoch).toBe(sub.usageEpoch);
    expect(next.usageResetAt).toBe(sub.usageResetAt);
  });

  it('an update that does not change the plan keeps the usage epoch', () => {
    const sub = subscription({ scheduledUpdates: [update(T1, { addons: [] })] });
    expect(effectiveSubscription(sub, catalog, T1).usageEpoch).toBe(sub.usageEpoch);
  });

  it('BILLING_PERIOD_CHANGE resets on a billing period change only', () => {
    const input = standardCatalogInput();
    input.products = [...(input.products ?? []), { id: 'bp', usageResetCutoffRule: 'BILLING_PERIOD_CHANGE' }];
    input.plans = [...(input.plans ?? []), { id: 'bp-a', productId: 'bp' }, { id: 'bp-b', productId: 'bp' }];
    const c = catalogOf(input);
    const base = { productId: 'bp', planId: 'bp-a' };
    const planOnly = subscription({ ...base, scheduledUpdates: [update(T1, { planId: 'bp-b', planVersion: 1 })] });
    expect(effectiveSubscription(planOnly, c, T1).usageEpoch).toBe(planOnly.usageEpoch);
    const period = subscription({ ...base, scheduledUpdates: [update(T1, { billingPeriod: 'ANNUALLY' })] });
    const next = effectiveSubscription(period, c, T1);
    expect(next.billingPeriod).toBe('ANNUALLY');
    expect(next.usageEpoch).not.toBe(period.usageEpoch);
    expect(next.usageResetAt).toBe(T1);
  });
});

describe('nextTransition', () => {
  it('is the earliest future start, trial end, end or scheduled update', () => {
    const sub = trial('CANCEL_SUBSCRIPTION', {
      scheduledUpdates: [update(at('2024-01-20T00:00:00Z')), update(at('2024-01-12T00:00:00Z'))],
    });
    expect(nextTransition(sub, START - 1)).toBe(START);
    expect(nextTransition(sub, START)).toBe(at('2024-01-12T00:00:00Z'));
    expect(nextTransition(sub, at('2024-01-12T00:00:00Z'))).toBe(at('2024-01-20T00:00:00Z'));
    expect(nextTransition(sub, at('2024-01-20T00:00:00Z'))).toBe(TRIAL_END);
    expect(nextTransition(sub, TRIAL_END)).toBe(Number.POSITIVE_INFINITY);
  });

  it('is infinite for an open-ended running subscription', () => {
    expect(nextTransition(subscription({ startDate: START }), START)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('properties', () => {
  const instant = fc.integer({ min: at('2023-01-01T00:00:00Z'), max: at('2026-01-01T00:00:00Z') });

  it('status follows the dates: ended → CANCELED/EXPIRED, before start → NOT_STARTED, in trial → IN_TRIAL', () => {
    fc.assert(
      fc.property(
        instant,
        fc.option(fc.integer({ min: 1, max: 90 * 86_400_000 }), { nil: null }),
        fc.option(fc.integer({ min: 1, max: 400 * 86_400_000 }), { nil: null }),
        fc.boolean(),
        instant,
        (start, trialLength, endOffset, trialEnds, now) => {
          const trialEndDate = trialLength === null ? null : start + trialLength;
          const endDate = endOffset === null ? null : start + endOffset;
          const sub = subscription({
            startDate: start,
            trialEndDate,
            endDate,
            cancelReason: endDate === null ? null : trialEnds ? 'TrialEnded' : 'Immediate',
          });
          const status = subscriptionStatus(sub, now);
          if (endDate !== null && now >= endDate) expect(status).toBe(trialEnds ? 'EXPIRED' : 'CANCELED');
          else if (now < start) expect(status).toBe('NOT_STARTED');
          else if (trialEndDate !== null && now < trialEndDate) expect(status).toBe('IN_TRIAL');
          else expect(status).toBe('ACTIVE');
          expect(isLive(sub, now)).toBe(status === 'ACTIVE' || status === 'IN_TRIAL');
        },
      ),
    );
  });

  it('nextTransition is after now and nothing about the status changes before it', () => {
    fc.assert(
      fc.property(
        instant,
        fc.option(fc.integer({ min: 1, max: 90 * 86_400_000 }), { nil: null }),
        fc.option(fc.integer({ min: 1, max: 400 * 86_400_000 }), { nil: null }),
        instant,
        (start, trialLength, endOffset, now) => {
          const sub = subscription({
            startDate: start,
            trialEndDate: trialLength === null ? null : start + trialLength,
            endDate: endOffset === null ? null : start + endOffset,
          });
          const next = nextTransition(sub, now);
          expect(next).toBeGreaterThan(now);
          if (Number.isFinite(next)) {
            expect(subscriptionStatus(sub, next - 1)).toBe(subscriptionStatus(sub, now));
          } else {
            expect(subscriptionStatus(sub, now + 1e12)).toBe(subscriptionStatus(sub, now));
          }
        },
      ),
    );
  });

  it('effectiveSubscription keeps exactly the updates after now and is idempotent', () => {
    fc.assert(
      fc.property(fc.array(instant, { maxLength: 5 }), instant, (times, now) => {
        const sub = subscription({ scheduledUpdates: times.map((t) => update(t, { addons: [] })) });
        const eff = effectiveSubscription(sub, catalog, now);
        expect(eff.scheduledUpdates.map((u) => u.scheduledExecutionTime)).toEqual(times.filter((t) => t > now));
        expect(effectiveSubscription(eff, catalog, now)).toEqual(eff);
      }),
    );
  });
});
