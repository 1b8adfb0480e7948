// Where a subscription's usage counts. A counter is a usage epoch; its reset periods count from
// the usage period anchor (by default the billing anchor) of the subscription that opened it, so
// a counter carried on (by a paid subscription converting a trial, by a trial and the plan beside
// it, by a plan change under NEVER_RESET) keeps its periods whatever the billing cycle of the
// subscription carrying it on.
import type { SubscriptionRecord } from '../model/records.js';

/** Did `sub` open its usage epoch (its own id, or a reset of its own: `id@instant`)? */
function opensOwnEpoch(sub: SubscriptionRecord): boolean {
  return sub.usageEpoch === sub.id || sub.usageEpoch.startsWith(`${sub.id}@`);
}

/** The subscription that opened `epoch`: the one it names (`id`, or `id@instant` for a reset at a change). */
function opener(epoch: string, subscriptions: readonly SubscriptionRecord[]): SubscriptionRecord | undefined {
  const exact = subscriptions.find((s) => s.id === epoch);
  if (exact) return exact;
  const at = epoch.lastIndexOf('@');
  return at < 0 ? undefined : subscriptions.find((s) => s.id === epoch.slice(0, at));
}

/** Where a counter's reset periods count from, and whether a caller set it (`usagePeriodAnchor`). */
export interface CounterAnchor {
  readonly at: number;
  readonly explicit: boolean;
}

/**
 * The anchor the reset periods of `sub`'s usage counter count from; `subscriptions` are the
 * customer's. An explicit `usagePeriodAnchor` wins: the subscription's own, else the one of the
 * subscription whose counter it carries on; else that subscription's billing anchor.
 */
export function counterAnchor(sub: SubscriptionRecord, subscriptions: readonly SubscriptionRecord[]): CounterAnchor {
  const from =
    sub.usagePeriodAnchor !== undefined || opensOwnEpoch(sub) ? sub : (opener(sub.usageEpoch, subscriptions) ?? sub);
  const explicit = from.usagePeriodAnchor;
  return explicit === undefined ? { at: from.billingAnchor, explicit: false } : { at: explicit, explicit: true };
}
