import { type Catalog, versionKey } from '../core/catalog.js';
import type { CustomerState } from '../core/records.js';
import { effectiveSubscription, isLive } from '../core/subscription-state.js';
import { advancePool, type CreditPool, type CreditPoolChange } from './credit-pool.js';
import type { CreditLedgerEntry } from './credit-records.js';
import { refillRecurringCredits } from './recurring-grants.js';

/**
 * A pool brought to `now`: grants expired or taken effect, and the recurring credits due from
 * every subscription live now in the pool's scope (its plan's and add-ons' credit entitlements,
 * refilled at each cadence boundary from the billing anchor). Idempotent, so reads can apply it
 * without storing and the next write stores what it adds.
 */
export function poolAt(pool: CreditPool, state: CustomerState, catalog: Catalog, now: number): CreditPoolChange {
  let current = advancePool(pool, now);
  const entries: CreditLedgerEntry[] = [...current.entries];
  for (const record of state.subscriptions) {
    if (record.resourceId !== pool.resourceId) continue;
    const sub = effectiveSubscription(record, catalog, now);
    if (!isLive(sub, now)) continue;
    const plan = catalog.planVersions.get(versionKey(sub.planId, sub.planVersion))?.creditEntitlements ?? [];
    const addons = sub.addons.flatMap((a) => {
      const entitlements = catalog.addonVersions.get(versionKey(a.addonId, a.version))?.creditEntitlements;
      return entitlements ? [{ quantity: a.quantity, entitlements }] : [];
    });
    if (plan.length === 0 && addons.length === 0) continue;
    const refill = refillRecurringCredits(
      current.pool,
      { subscriptionId: sub.id, anchor: sub.billingAnchor, plan, addons },
      now,
    );
    current = refill;
    entries.push(...refill.entries);
  }
  return { pool: current.pool, entries };
}
