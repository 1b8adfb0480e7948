import type { CustomerState, SubscriptionEnd, SubscriptionRecord } from '../model/records.js';
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

/** How `s` is to end, setting aside any takeover by a converting trial. */
function ownEnd(s: SubscriptionRecord): SubscriptionEnd {
  return (
    s.endBeforeConversion ?? { endDate: s.endDate, cancellationDate: s.cancellationDate, cancelReason: s.cancelReason }
  );
}

/**
 * The rule that keeps a scope at one paid plan when a trial converts: while a converting trial is
 * open, every other non-trial subscription of the scope that would still run at the trial's end
 * ends there instead (one lined up to start later never starts), remembering how it was to end;
 * once the trial is gone (canceled, moved, re-dated) each gets that back. Returns what changed.
 */
function reconcileTrialConversion(scope: readonly SubscriptionRecord[], now: number): SubscriptionRecord[] {
  const trial = convertingTrial(scope, now);
  const takeover = trial?.trialEndDate ?? null;
  const changed: SubscriptionRecord[] = [];
  for (const s of scope) {
    if (s === trial || isTrialSubscription(s, now) || !isOpen(s, now)) continue;
    const own = ownEnd(s);
    const runsPast = takeover !== null && (own.endDate === null || own.endDate > takeover);
    if (runsPast) {
      const at = Math.max(takeover, s.startDate);
      if (s.endDate !== at || s.endBeforeConversion === undefined)
        changed.push({
          ...s,
          endDate: at,
          cancellationDate: now,
          cancelReason: 'TrialConverted',
          endBeforeConversion: own,
          updatedAt: now,
        });
    } else if (s.endBeforeConversion !== undefined) {
      const { endBeforeConversion: _, ...rest } = s;
      changed.push({ ...rest, ...own, updatedAt: now });
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

/** The customer-wide scope plus every resource the customer has a subscription for. */
export function resourcesOf(state: CustomerState): (string | null)[] {
  return [null, ...state.subscriptions.map((s) => s.resourceId)];
}
