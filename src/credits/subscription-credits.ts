import { type Catalog, versionKey } from '../core/catalog.js';
import type { CustomerState } from '../core/records.js';
import { effectiveSubscription, isLive, nextTransition } from '../core/subscription-state.js';
import { advancePool, type CreditPool, type CreditPoolChange, isHeldGrant } from './credit-pool.js';
import type { CreditGrantRecord, CreditLedgerEntry } from './credit-records.js';
import { nextRefillAt, refillRecurringCredits } from './recurring-grants.js';

/** A pool brought to an instant, and until when it stays as it is. */
export interface PoolAt extends CreditPoolChange {
  /**
   * The next instant the pool may change by itself: a grant expiring or taking effect, a refill,
   * or a transition of a subscription in its scope. Before it, the pool needs no recomputing.
   */
  readonly validUntil: number;
}

/**
 * A pool brought to `now`: grants expired or taken effect, and the recurring credits due from
 * every subscription live now in the pool's scope (its plan's and add-ons' credit entitlements,
 * refilled at each cadence boundary from the billing anchor). Idempotent, so reads can apply it
 * without storing and the next write stores what it adds.
 */
export function poolAt(pool: CreditPoolChange['pool'], state: CustomerState, catalog: Catalog, now: number): PoolAt {
  let current = advancePool(endWithSubscriptions(pool, state), now);
  const entries: CreditLedgerEntry[] = [...current.entries];
  let validUntil = Number.POSITIVE_INFINITY;
  const until = (t: number | null) => {
    if (t !== null && t > now && t < validUntil) validUntil = t;
  };
  for (const record of state.subscriptions) {
    if (record.resourceId !== pool.resourceId) continue;
    until(nextTransition(record, now));
    const sub = effectiveSubscription(record, catalog, now);
    if (!isLive(sub, now)) continue;
    const plan = catalog.planVersions.get(versionKey(sub.planId, sub.planVersion))?.creditEntitlements ?? [];
    const addons = sub.addons.flatMap((a) => {
      const entitlements = catalog.addonVersions.get(versionKey(a.addonId, a.version))?.creditEntitlements;
      return entitlements ? [{ quantity: a.quantity, entitlements }] : [];
    });
    if (plan.length === 0 && addons.length === 0) continue;
    const recurring = { subscriptionId: sub.id, anchor: sub.billingAnchor, plan, addons };
    const refill = refillRecurringCredits(current.pool, recurring, now);
    current = refill;
    entries.push(...refill.entries);
    until(nextRefillAt(recurring, pool.currencyId, now));
  }
  for (const g of current.pool.grants) {
    if (g.voidedAt !== null || g.expiredAt !== null) continue;
    until(g.activatedAt === null ? Math.max(g.effectiveAt, g.createdAt) : g.expireAt);
  }
  return { pool: current.pool, entries, validUntil };
}

/**
 * The pool with each held RECURRING grant ending no later than its subscription: credits a plan
 * grants stop with the plan, like its other entitlements (a replacing subscription brings its own).
 * Returns the same pool when no grant outlives its subscription.
 */
function endWithSubscriptions(pool: CreditPool, state: CustomerState): CreditPool {
  let grants: CreditGrantRecord[] | undefined;
  pool.grants.forEach((grant, i) => {
    if (grant.source?.kind !== 'SUBSCRIPTION' || !isHeldGrant(grant)) return;
    const { subscriptionId } = grant.source;
    const end = state.subscriptions.find((sub) => sub.id === subscriptionId)?.endDate ?? null;
    if (end === null || (grant.expireAt !== null && grant.expireAt <= end)) return;
    grants ??= [...pool.grants];
    grants[i] = { ...grant, expireAt: Math.max(end, grant.effectiveAt) };
  });
  return grants === undefined ? pool : { ...pool, grants };
}
