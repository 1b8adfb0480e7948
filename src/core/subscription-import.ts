// Importing a subscription that already runs elsewhere (the reference's importSubscriptionBulk):
// provisioned under the product rules, without a trial unless asked for, from a start that may
// lie in the past and until an end date if it has one. Pure: the service persists the change.
import type { Catalog } from '../catalog/catalog.js';
import { AllotError } from '../errors.js';
import type { CustomerState, SubscriptionRecord } from '../model/records.js';
import { type ProvisionInput, provisionSubscription } from './subscription-provisioning.js';
import { end, requirePlan, type SubscriptionChange } from './subscription-rules.js';

/** A subscription to import: what provisioning takes, and when it ends, if it does. */
export interface ImportInput extends ProvisionInput {
  readonly endDate?: number | undefined;
}

/**
 * The change that imports a subscription. It is provisioned as `provisionSubscription` would,
 * except that it starts no trial unless `skipTrial: false` or `trialOverrideConfiguration` asks
 * for one, replaces a plan at once unless `scheduleStrategy` says otherwise, and that its start
 * may be in the past: it then runs since then (its billing periods
 * and usage resets count from it), as if provisioned at that instant, which needs the product's
 * scope (customer-wide or the resource) to have held no subscription since (else
 * INVALID_OPERATION: cancel that one first, or import from now). Records are created now. An
 * `endDate` (after its start, not in the past) is when it ends, as the billing system it comes
 * from has it: a scheduled cancellation that nothing follows, unless it ends sooner by itself.
 */
export function importSubscription(
  catalog: Catalog,
  state: CustomerState,
  input: ImportInput,
  now: number,
  newId: () => string,
): SubscriptionChange {
  const { endDate, ...rest } = input;
  // It runs already: no trial and no deferral unless asked for.
  const provision: ProvisionInput = {
    ...rest,
    skipTrial: input.skipTrial ?? true,
    scheduleStrategy: input.scheduleStrategy ?? 'IMMEDIATE',
  };
  const start = input.startDate ?? now;
  if (endDate !== undefined && endDate <= start)
    throw new AllotError('INVALID_INPUT', 'an imported subscription must end after it starts', {
      details: { startDate: start, endDate },
    });
  let change: SubscriptionChange;
  if (start >= now) change = provisionSubscription(catalog, state, provision, now, newId);
  else {
    const { productId } = requirePlan(catalog, input.planId);
    const since = state.subscriptions.find(
      (s) =>
        s.productId === productId && s.resourceId === input.resourceId && (s.endDate === null || s.endDate > start),
    );
    if (since)
      throw new AllotError(
        'INVALID_OPERATION',
        `subscription "${since.id}" to product "${productId}" runs after ${new Date(start).toISOString()}: an import cannot start before it ends`,
        { details: { subscriptionId: since.id, startDate: start } },
      );
    const made = provisionSubscription(catalog, state, { ...provision, startDate: undefined }, start, newId);
    const created = (s: SubscriptionRecord) => (s.createdAt === start ? { ...s, createdAt: now, updatedAt: now } : s);
    change = { upserts: made.upserts.map(created), subscription: created(made.subscription) };
  }
  if (endDate === undefined) return change;
  if (endDate < now) throw new AllotError('INVALID_INPUT', 'an imported subscription cannot end in the past');
  const imported = change.subscription;
  if (imported.endDate !== null && imported.endDate <= endDate) return change;
  const ending = end(imported, endDate, 'ScheduledCancellation', now);
  return { upserts: change.upserts.map((s) => (s.id === imported.id ? ending : s)), subscription: ending };
}
