import type { SubscriptionRecord } from './records.js';
import { isOpen, isTrialSubscription } from './subscription-state.js';

/** Subscriptions compete within a scope: one product for one customer and resource. */
const scopeKey = (s: SubscriptionRecord): string => `${s.customerId}\u0000${s.productId}\u0000${s.resourceId ?? ''}`;

/** Another subscription competing with `sub`: same customer, product and resource. */
export function sibling(sub: SubscriptionRecord, other: SubscriptionRecord): boolean {
  return other.id !== sub.id && scopeKey(other) === scopeKey(sub);
}

/** A trial that turns into a paid subscription when it ends (and is not canceled before). */
function convertingTrial(scope: readonly SubscriptionRecord[], now: number): SubscriptionRecord | undefined {
  return scope.find(
    (s) =>
      s.trialEndBehavior === 'CONVERT_TO_PAID' &&
      s.trialEndDate !== null &&
      s.trialEndDate > now &&
      (s.endDate === null || s.endDate > s.trialEndDate),
  );
}

/**
 * The rule that keeps a scope at one paid plan when a trial converts: while a converting trial is
 * open, every other non-trial subscription of the scope ends when the trial ends; one that was
 * ended that way for a trial since canceled, moved or re-dated runs on again. Returns what changed.
 */
function reconcileTrialConversion(scope: readonly SubscriptionRecord[], now: number): SubscriptionRecord[] {
  const trial = convertingTrial(scope, now);
  const changed: SubscriptionRecord[] = [];
  for (const s of scope) {
    if (s === trial || isTrialSubscription(s, now) || !isOpen(s, now)) continue;
    if (trial?.trialEndDate != null && s.startDate < trial.trialEndDate) {
      const tied = s.cancelReason === 'TrialConverted' || s.endDate === null || s.endDate > trial.trialEndDate;
      if (tied && s.endDate !== trial.trialEndDate)
        changed.push({
          ...s,
          endDate: trial.trialEndDate,
          cancellationDate: now,
          cancelReason: 'TrialConverted',
          scheduledUpdates: [],
          updatedAt: now,
        });
    } else if (s.cancelReason === 'TrialConverted') {
      changed.push({ ...s, endDate: null, cancellationDate: null, cancelReason: null, updatedAt: now });
    }
  }
  return changed;
}

/**
 * Completes a change: `upserts` applied over `before`, then every scope they touch (before and
 * after, so a transfer settles both ends) is reconciled. Returns all records to write.
 */
export function settle(
  before: readonly SubscriptionRecord[],
  upserts: readonly SubscriptionRecord[],
  now: number,
): SubscriptionRecord[] {
  const current = new Map(before.map((s) => [s.id, s]));
  const scopes = new Set<string>();
  for (const u of upserts) {
    const previous = current.get(u.id);
    if (previous) scopes.add(scopeKey(previous));
    scopes.add(scopeKey(u));
    current.set(u.id, u);
  }
  const out = new Map(upserts.map((u) => [u.id, u]));
  for (const key of scopes) {
    const scope = [...current.values()].filter((s) => scopeKey(s) === key);
    for (const c of reconcileTrialConversion(scope, now)) {
      out.set(c.id, c);
      current.set(c.id, c);
    }
  }
  return [...out.values()];
}
