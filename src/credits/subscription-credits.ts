import { type Catalog, versionKey } from '../catalog/catalog.js';
import { planProration } from '../catalog/proration-schema.js';
import { effectiveSubscription, isLive, nextTransition } from '../core/subscription-state.js';
import type { CustomerState } from '../model/records.js';
import { dec } from '../money/amount.js';
import { Decimal } from '../money/money.js';
import {
  advancePool,
  type CreditPool,
  type CreditPoolChange,
  grantCredits,
  isHeldGrant,
  isLiveGrant,
  voidGrant,
} from './credit-pool.js';
import type { CreditGrantRecord, CreditLedgerEntry } from './credit-records.js';
import { boundaryAfter } from './recurrence.js';
import { nextRefillAt, refillRecurringCredits } from './recurring-grants.js';

/** A pool brought to an instant, and until when it stays as it is. */
export interface PoolAt extends CreditPoolChange {
  /**
   * The next instant the pool may change by itself: a grant expiring or taking effect, a refill (of
   * a subscription's credits or a recurring grant), a scheduled reset, or a transition of a
   * subscription in its scope. Before it, the pool needs no recomputing.
   */
  readonly validUntil: number;
}

/**
 * A pool brought to `now`: grants (and spent credits) expired or taken effect, and the recurring
 * credits due from every subscription live now in the pool's scope (its plan's, its own and its
 * add-ons' credit entitlements, refilled at each cadence boundary from the billing anchor).
 * Idempotent, so reads can apply it without storing and the next write stores what it adds.
 */
export function poolAt(pool: CreditPoolChange['pool'], state: CustomerState, catalog: Catalog, now: number): PoolAt {
  const ended = endWithSubscriptions(pool, state, now);
  let current = advancePool(ended.pool, now);
  const entries: CreditLedgerEntry[] = [...ended.entries, ...current.entries];
  let validUntil = Number.POSITIVE_INFINITY;
  const until = (t: number | null) => {
    if (t !== null && t > now && t < validUntil) validUntil = t;
  };
  for (const record of state.subscriptions) {
    if (record.resourceId !== pool.resourceId) continue;
    until(nextTransition(record, now));
    const sub = effectiveSubscription(record, catalog, now);
    if (!isLive(sub, now)) continue;
    const planVersion = catalog.planVersions.get(versionKey(sub.planId, sub.planVersion));
    const planCredits = planVersion?.creditEntitlements ?? [];
    // The subscription's own credit entitlements replace its plan's for their currencies.
    const own = sub.billing?.creditEntitlements;
    const plan = own
      ? [...planCredits.filter((e) => !own.some((o) => o.currencyId === e.currencyId)), ...own]
      : planCredits;
    const addons = sub.addons.flatMap((a) => {
      const entitlements = catalog.addonVersions.get(versionKey(a.addonId, a.version))?.creditEntitlements;
      return entitlements ? [{ quantity: a.quantity, entitlements }] : [];
    });
    if (plan.length === 0 && addons.length === 0) continue;
    const prorated = planProration(catalog, planVersion).firstRecurringCreditGrant === 'PRORATED';
    const recurring = {
      subscriptionId: sub.id,
      anchor: sub.billingAnchor,
      plan,
      addons,
      prorateFirstPeriodFrom: prorated ? sub.startDate : undefined,
    };
    const refill = refillRecurringCredits(current.pool, recurring, now);
    current = refill;
    entries.push(...refill.entries);
    until(nextRefillAt(recurring, pool.currencyId, now));
  }
  for (const g of current.pool.grants) {
    if (g.voidedAt !== null || g.expiredAt !== null) continue;
    until(g.activatedAt === null ? Math.max(g.effectiveAt, g.createdAt) : g.expireAt);
    if (g.recurrence !== null) until(boundaryAfter(g.recurrence, now));
  }
  until(current.pool.spent.expiring[0]?.at ?? null);
  if (current.pool.schedule !== null) until(boundaryAfter(current.pool.schedule.recurrence, now));
  return { pool: current.pool, entries, validUntil };
}

/**
 * Voids, at its subscription's end, what is left of each live RECURRING grant whose subscription
 * ended by `now` before the grant's period did: credits a plan grants stop with the plan, like its
 * other entitlements (a replacing subscription brings its own). Only an end that has passed
 * counts, so a withdrawn or moved cancellation changes nothing; the voided grant stays held until
 * its period ends, so the period is never granted again. Returns the same pool when nothing ended.
 */
function endWithSubscriptions(pool: CreditPool, state: CustomerState, now: number): CreditPoolChange {
  const due: { end: number; grantId: string }[] = [];
  for (const grant of pool.grants) {
    if (grant.source?.kind !== 'SUBSCRIPTION' || !isHeldGrant(grant) || grant.voidedAt !== null) continue;
    const { subscriptionId } = grant.source;
    const end = state.subscriptions.find((sub) => sub.id === subscriptionId)?.endDate ?? null;
    if (end !== null && end <= now && (grant.expireAt === null || end < grant.expireAt))
      due.push({ end: Math.max(end, grant.effectiveAt), grantId: grant.id });
  }
  let current: CreditPool = pool;
  const entries: CreditLedgerEntry[] = [];
  for (const { end, grantId } of due.sort((a, b) => a.end - b.end)) {
    const voided = voidGrant(current, grantId, end);
    current = voided.pool;
    entries.push(...voided.entries);
  }
  return { pool: current, entries };
}

/**
 * Moves a subscription's RECURRING credits from the pool it left to the pool it moved to (a
 * transfer to another resource): each live grant's remainder is voided in `from` and granted in
 * `to` under a new id for the same period, so the period's allowance is granted once in all. A
 * period with nothing left to move (exhausted, or voided) leaves a voided marker of 0 in `to`,
 * which keeps `to` from refilling that period.
 *
 * @example moveSubscriptionGrants(customerWide, sitePool, 'sub-1', now).to.pool.grants // the moved remainder
 */
export function moveSubscriptionGrants(
  from: CreditPool,
  to: CreditPool,
  subscriptionId: string,
  now: number,
): { readonly from: CreditPoolChange; readonly to: CreditPoolChange } {
  let source = advancePool(from, now);
  let target = advancePool(to, now);
  const sourceEntries = [...source.entries];
  const targetEntries = [...target.entries];
  const ofSubscription = (g: CreditGrantRecord) =>
    g.source?.kind === 'SUBSCRIPTION' && g.source.subscriptionId === subscriptionId ? g.source : null;
  for (const grant of source.pool.grants) {
    const origin = ofSubscription(grant);
    if (origin === null || !isHeldGrant(grant) || (grant.voidedAt === null && !isLiveGrant(grant))) continue;
    const remaining = grant.voidedAt === null ? dec(grant.amount).minus(grant.consumed) : new Decimal(0);
    if (grant.voidedAt === null) {
      source = voidGrant(source.pool, grant.id, now);
      sourceEntries.push(...source.entries);
    }
    // Unique per destination: a grant may move to another resource, or (delegated) another customer, and back.
    const id = `${grant.id}>${to.customerId === from.customerId ? '' : `${to.customerId}:`}${to.resourceId ?? ''}`;
    if (remaining.gt(0)) {
      const { grantType, displayName, priority, expireAt } = grant;
      target = grantCredits(
        target.pool,
        { id, grantType, displayName, priority, expireAt, source: origin, amount: remaining },
        now,
      );
      targetEntries.push(...target.entries);
    } else if (!target.pool.grants.some((g) => ofSubscription(g)?.periodStart === origin.periodStart)) {
      const marker: CreditGrantRecord = {
        ...grant,
        id,
        customerId: to.customerId,
        resourceId: to.resourceId,
        amount: '0',
        consumed: '0',
        effectiveAt: now,
        createdAt: now,
        updatedAt: now,
        activatedAt: now,
        voidedAt: now,
      };
      target = { pool: { ...target.pool, grants: [...target.pool.grants, marker] }, entries: [] };
    }
  }
  return { from: { pool: source.pool, entries: sourceEntries }, to: { pool: target.pool, entries: targetEntries } };
}
