// Events after a commit, built only for the events someone listens to.
import type { Catalog } from '../../catalog/catalog.js';
import type { CustomerEntitlements } from '../../core/effective-entitlements.js';
import type { Entitlement, EntitlementType } from '../../core/entitlement-results.js';
import { type CheckOptions, NO_CHECK_OPTIONS } from '../../core/evaluate-entitlement.js';
import { balance } from '../../credits/credit-pool.js';
import type { CustomerState } from '../../model/records.js';
import { shownBalance } from '../credit-shapes.js';
import { subscriptionShape } from '../result-shapes.js';
import type { CustomerEntry, ResourceView } from './customer-entry.js';
import type { Listeners } from './listeners.js';
import type { Mutation } from './mutation.js';

/** The customer-wide scope plus every resource the customer has a subscription for. */
export function resourcesOf(state: CustomerState): (string | null)[] {
  return [null, ...state.subscriptions.map((s) => s.resourceId)];
}

/** What emitting needs of the engine: its listeners, its catalog and how it evaluates a customer. */
export interface Emitter {
  readonly listeners: Listeners;
  readonly catalog: Catalog;
  view(entry: CustomerEntry, resourceId: string | null, now: number): ResourceView;
  evaluate(
    entry: CustomerEntry,
    resourceId: string | null,
    featureId: string,
    type: EntitlementType | undefined,
    options: CheckOptions,
    now: number,
  ): Entitlement;
  evaluateAll(
    set: Pick<CustomerEntitlements, 'entitlements'>,
    entry: CustomerEntry,
    resourceId: string | null,
    now: number,
  ): Entitlement[];
}

export function emitAfterCommit(engine: Emitter, entry: CustomerEntry, mutation: Mutation<unknown>, now: number): void {
  const { listeners, catalog } = engine;
  if (mutation.subscriptions && listeners.has('subscriptionUpdated'))
    for (const s of mutation.subscriptions)
      listeners.emit('subscriptionUpdated', { subscription: subscriptionShape(catalog, s, now) });
  if (mutation.changedResources && listeners.has('entitlementsUpdated') && entry.state) {
    const changed = new Set(mutation.changedResources);
    // A customer-wide change reaches every resource view too, since they include it.
    if (changed.has(null)) for (const r of resourcesOf(entry.state)) changed.add(r);
    for (const resourceId of changed) {
      const view = engine.view(entry, resourceId, now);
      listeners.emit('entitlementsUpdated', {
        customerId: entry.state.customer.id,
        resourceId,
        accessDeniedReason: view.accessDeniedReason,
        entitlements: engine.evaluateAll(view, entry, resourceId, now),
      });
    }
  }
  if (mutation.credits && listeners.has('creditBalanceUpdated'))
    for (const pool of mutation.credits) {
      const { currentBalance, totalGranted, totalConsumed } = shownBalance(balance(pool, now));
      listeners.emit('creditBalanceUpdated', {
        customerId: pool.customerId,
        currencyId: pool.currencyId,
        resourceId: pool.resourceId,
        currentBalance,
        totalGranted,
        totalConsumed,
      });
    }
  for (const skipped of mutation.rechargesSkipped ?? []) listeners.emit('autoRechargeSkipped', skipped);
  if (mutation.counters && listeners.has('usageUpdated') && entry.state)
    for (const { resourceId, featureId } of mutation.counters) {
      const entitlement = engine.evaluate(entry, resourceId, featureId, 'METERED', NO_CHECK_OPTIONS, now);
      if (entitlement.type !== 'METERED') continue;
      listeners.emit('usageUpdated', {
        usage: {
          customerId: entry.state.customer.id,
          resourceId,
          featureId,
          currentUsage: entitlement.currentUsage,
          ...(entitlement.usagePeriodStart ? { usagePeriodStart: entitlement.usagePeriodStart } : {}),
          ...(entitlement.usagePeriodEnd
            ? { usagePeriodEnd: entitlement.usagePeriodEnd, nextResetDate: entitlement.usagePeriodEnd }
            : {}),
        },
        entitlement,
      });
    }
}
