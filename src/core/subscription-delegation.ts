// Delegating a subscription to another customer (the reference's delegateSubscriptionToCustomer):
// its entitlements go to the delegate while the customer who pays for it stays its payer. Pure:
// the service persists what this returns, in one transaction over both customers.
import type { Catalog } from '../catalog/catalog.js';
import { AllotError } from '../errors.js';
import type { CustomerState, SubscriptionRecord } from '../model/records.js';
import { end, finish, present, requireSubscription } from './subscription-rules.js';
import { sibling } from './subscription-scope.js';
import { effectiveSubscription, isOpen, isTrialSubscription, subscriptionStatus } from './subscription-state.js';

/** What a delegation writes: the records that left the holder and the ones that stay with it, changed. */
export interface Delegation {
  /** The subscription (and the plan lined up to follow it) as the delegate now holds them. */
  readonly moved: readonly SubscriptionRecord[];
  /** Records the holder keeps but that changed: a plan lined up after it, ended when the delegate has one. */
  readonly kept: readonly SubscriptionRecord[];
  readonly subscription: SubscriptionRecord;
}

/**
 * Who pays for a subscription: the payer it was delegated from, else the `payingCustomerId` given
 * when it was provisioned (kept in its billing details), else its holder.
 */
export function payerOf(sub: SubscriptionRecord): string {
  return sub.payingCustomerId ?? sub.billing?.payingCustomerId ?? sub.customerId;
}

/** The record held by `customerId`, naming its payer unless that is the holder itself. */
function heldBy(sub: SubscriptionRecord, customerId: string, payer: string, now: number): SubscriptionRecord {
  const { payingCustomerId: _, ...rest } = sub;
  return { ...rest, customerId, ...(payer === customerId ? {} : { payingCustomerId: payer }), updatedAt: now };
}

/**
 * Moves an open subscription from its holder (`from`) to `to`, keeping who pays for it: its payer
 * if it had one, else the holder. Delegating back to the payer clears the payer. Like a transfer
 * to another resource, the plan lined up to follow it (a downgrade after a cancellation) goes with
 * it, unless the delegate runs a plan of its own there; the delegate must not already hold a
 * subscription of its kind (trial or not) to the product in that scope. The delegate's usage of
 * its features counts from the delegation: usage is the customer's, not the subscription's.
 */
export function delegateSubscription(
  catalog: Catalog,
  from: CustomerState,
  to: CustomerState,
  subscriptionId: string,
  now: number,
): Delegation {
  const sub = effectiveSubscription(requireSubscription(from, subscriptionId), catalog, now);
  if (!isOpen(sub, now))
    throw new AllotError('SUBSCRIPTION_NOT_ACTIVE', `subscription "${sub.id}" has ended and cannot be delegated`, {
      details: { subscriptionId: sub.id },
    });
  const toId = to.customer.id;
  const payer = payerOf(sub);
  const moved = heldBy(sub, toId, payer, now);
  const theirs = present(catalog, to, now);
  const trial = isTrialSubscription(sub, now);
  const clash = theirs.find((s) => sibling(moved, s) && isOpen(s, now) && isTrialSubscription(s, now) === trial);
  if (clash)
    throw new AllotError(
      'INVALID_OPERATION',
      `customer "${toId}" already has subscription "${clash.id}" to product "${sub.productId}"`,
      { details: { subscriptionId: sub.id, destinationCustomerId: toId, clash: clash.id } },
    );
  const followUps = present(catalog, from, now).filter(
    (s) =>
      sibling(sub, s) &&
      sub.endDate !== null &&
      s.startDate === sub.endDate &&
      subscriptionStatus(s, now) === 'NOT_STARTED',
  );
  const delegateHasPlan = theirs.some((s) => sibling(moved, s) && isOpen(s, now) && !isTrialSubscription(s, now));
  const carried = delegateHasPlan ? [] : followUps;
  const settled = finish(catalog, theirs, [moved, ...carried.map((s) => heldBy(s, toId, payer, now))], moved, now);
  return {
    moved: settled.upserts,
    kept: delegateHasPlan ? followUps.map((s) => end(s, now, 'UpgradeOrDowngrade', now)) : [],
    subscription: settled.subscription,
  };
}
