// Subscription writes shared by the customer and subscription services: the request in the
// core's terms, a promotion code's coupon applied, and records saved with their credit pools.
import type { z } from 'zod';
import { type Catalog, toEntitlementSpec } from '../catalog/catalog.js';
import type { ProvisionInput } from '../core/subscription-provisioning.js';
import type { CreditPool } from '../credits/credit-pool.js';
import { byId, type CustomerState, type SubscriptionRecord } from '../model/records.js';
import { resolvePromotionCode } from '../pricing/promotion-code.js';
import type { StoreTransaction } from '../stores/store.js';
import { moveSubscriptionCredits, settlePools } from './credit-writes.js';
import { randomHex } from './ids.js';
import type { subscriptionParamsSchema } from './input-schemas.js';

/** A new subscription's id. */
export const subscriptionId = (planId: string): string => `subscription-${planId}-${randomHex(16)}`;

/** A subscription request as the core's provisioning takes it. */
export function provisionInput(customerId: string, p: z.output<typeof subscriptionParamsSchema>): ProvisionInput {
  return {
    customerId,
    planId: p.planId,
    resourceId: p.resourceId ?? null,
    billingPeriod: p.billingPeriod,
    addons: p.addons,
    billableFeatures: p.billableFeatures,
    startDate: p.startDate,
    skipTrial: p.skipTrial,
    trialOverrideConfiguration: p.trialOverrideConfiguration,
    metadata: p.metadata,
    entitlements: p.subscriptionEntitlements?.map(toEntitlementSpec),
    scheduleStrategy: p.scheduleStrategy,
    billingCycleAnchor: p.billingCycleAnchor,
  };
}

/**
 * A promotion code given with a subscription applies its coupon to the customer (their
 * `couponId`), in the same transaction; an unknown or unusable code throws.
 */
export async function applyPromotionCode(
  tx: StoreTransaction,
  catalog: Catalog,
  state: CustomerState,
  code: string | undefined,
  now: number,
): Promise<CustomerState> {
  if (code === undefined) return state;
  const { coupon } = resolvePromotionCode(catalog.coupons.values(), code, now);
  const customer = { ...state.customer, couponId: coupon.id, couponAppliedAt: now, updatedAt: now };
  await tx.putCustomer(customer);
  return { ...state, customer };
}

/**
 * Writes subscription records and returns the state with them in place (immer keeps the old
 * state intact). The credit pools of the scopes they touch are first settled under the old
 * state, so a change inside a period never rewrites the refill the period already earned.
 */
export async function saveSubscriptions(
  tx: StoreTransaction,
  catalog: Catalog,
  state: CustomerState,
  upserts: readonly SubscriptionRecord[],
  now: number,
): Promise<{ state: CustomerState; credits: CreditPool[] }> {
  const scopes = upserts.flatMap((u) => [
    u.resourceId,
    ...state.subscriptions.filter((s) => s.id === u.id).map((s) => s.resourceId),
  ]);
  const credits = await settlePools(tx, state, catalog, scopes, now);
  for (const u of upserts) {
    const before = state.subscriptions.find((s) => s.id === u.id);
    if (before !== undefined && before.resourceId !== u.resourceId) {
      const move = { from: { state, resourceId: before.resourceId }, to: { state, resourceId: u.resourceId } };
      credits.push(...(await moveSubscriptionCredits(tx, catalog, u.id, move, now)));
    }
  }
  for (const s of upserts) await tx.putSubscription(s);
  // Loaded by the first subscription write, not at import: a process that only checks never needs it.
  const { produce } = await import('immer');
  const next = produce(state, (draft) => {
    for (const s of upserts) {
      const i = draft.subscriptions.findIndex((d) => d.id === s.id);
      if (i >= 0) draft.subscriptions[i] = s as (typeof draft.subscriptions)[number];
      else draft.subscriptions.push(s as (typeof draft.subscriptions)[number]);
    }
    draft.subscriptions.sort(byId);
  });
  return { state: next, credits };
}
