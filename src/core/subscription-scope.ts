import type { Catalog } from '../catalog/catalog.js';
import type { CustomerState, SubscriptionEnd, SubscriptionRecord } from '../model/records.js';
import { effectiveSubscription, isLive, isOpen, isTrialSubscription } from './subscription-state.js';

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
 * The rule that keeps the usage a customer sees going on across a trial: a trial and the plan
 * beside it count in one usage counter. A plan starting beside a trial that runs alone takes the
 * trial's (see provisioning); otherwise the trial carries the plan's, as it will stand when they
 * stop running side by side (a scheduled reset included), and keeps it when the plan goes or when
 * it converts and takes the plan over. `previous` is the scope before the change, so a plan
 * the change ends or moves away hands its counter over even within one instant. Returns what changed.
 */
function carryPlanCounter(
  scope: readonly SubscriptionRecord[],
  previous: readonly SubscriptionRecord[],
  catalog: Catalog,
  now: number,
): SubscriptionRecord[] {
  const plan = (subs: readonly SubscriptionRecord[]) =>
    subs.find((s) => !isTrialSubscription(s, now) && isLive(s, now));
  const running = plan(scope);
  const gone = running ? undefined : plan(previous);
  const changed: SubscriptionRecord[] = [];
  for (const trial of scope) {
    if (!isTrialSubscription(trial, now) || !isOpen(trial, now)) continue;
    let from: SubscriptionRecord | undefined;
    if (running) {
      const trialUntil = Math.min(trial.trialEndDate ?? now, trial.endDate ?? Number.POSITIVE_INFINITY);
      const until = Math.min(running.endDate ?? Number.POSITIVE_INFINITY, trialUntil);
      from = effectiveSubscription(running, catalog, Math.max(now, until - 1));
    } else if (gone && previous.some((s) => s.id === trial.id)) {
      // As it stands once ended (or moved away): what it had lined up never comes.
      from = scope.find((s) => s.id === gone.id) ?? gone;
    }
    if (from && from.usageEpoch !== trial.usageEpoch)
      changed.push({ ...trial, usageEpoch: from.usageEpoch, usageResetAt: from.usageResetAt, updatedAt: now });
  }
  return changed;
}

/**
 * Completes a change: `upserts` applied over `before`, then every scope they touch (before and
 * after, so a transfer settles both ends) is reconciled. Returns all records to write.
 */
export function settle(
  catalog: Catalog,
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
  const apply = (changed: readonly SubscriptionRecord[]) => {
    for (const c of changed) {
      out.set(c.id, c);
      current.set(c.id, c);
    }
  };
  for (const key of scopes) {
    const inScope = () => [...current.values()].filter((s) => scopeKey(s) === key);
    const previous = before.filter((s) => scopeKey(s) === key);
    apply(reconcileTrialConversion(inScope(), now));
    apply(carryPlanCounter(inScope(), previous, catalog, now));
  }
  return [...out.values()];
}

/** The customer-wide scope plus every resource the customer has a subscription for. */
export function resourcesOf(state: CustomerState): (string | null)[] {
  return [null, ...state.subscriptions.map((s) => s.resourceId)];
}
