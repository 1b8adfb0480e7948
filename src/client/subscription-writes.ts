// Subscription writes shared by the customer, subscription and estimate services: the request in
// the core's terms (its billing details resolved against the catalog), a promotion code's coupon
// applied, and records saved with their credit pools.
import type { z } from 'zod';
import { type Catalog, type PlanVersion, versionKey } from '../catalog/catalog.js';
import { toEntitlementSpec } from '../catalog/entitlement-spec.js';
import type { UpdateInput } from '../core/subscription-changes.js';
import type { ProvisionInput } from '../core/subscription-provisioning.js';
import { effectiveSubscription } from '../core/subscription-state.js';
import { requireCreditCurrency } from '../credits/credit-currency.js';
import type { CreditPool } from '../credits/credit-pool.js';
import { AllotError } from '../errors.js';
import {
  mergeBilling,
  type SubscriptionBilling,
  type SubscriptionCoupon,
  type SubscriptionCreditEntitlement,
} from '../model/billing.js';
import { byId, type CustomerState, type SubscriptionRecord } from '../model/records.js';
import { requireCoupon } from '../pricing/customer-coupon.js';
import { definedFields } from '../pricing/price-point.js';
import { resolvePromotionCode } from '../pricing/promotion-code.js';
import { assertSelectionPrices } from '../pricing/recurring-charge.js';
import type { StoreTransaction } from '../stores/store.js';
import type { appliedCouponSchema } from './billing-schemas.js';
import { moveSubscriptionCredits, settlePools } from './credit-writes.js';
import { randomHex } from './ids.js';
import type { subscriptionParamsSchema, updateSubscriptionSchema } from './input-schemas.js';
import { selectionOf } from './pricing-shapes.js';

/** A new subscription's id. */
export const subscriptionId = (planId: string): string => `subscription-${planId}-${randomHex(16)}`;

type SubscriptionRequest = z.output<typeof subscriptionParamsSchema>;
/** What an update or an update's estimate asks for. */
type UpdateRequest = Pick<z.output<typeof updateSubscriptionSchema>, 'subscriptionId'> &
  Partial<z.output<typeof updateSubscriptionSchema>>;
/** The billing fields a request may carry. */
type BillingRequest = Partial<
  Pick<
    SubscriptionRequest,
    | 'billingCountryCode'
    | 'payingCustomerId'
    | 'priceOverrides'
    | 'appliedCoupon'
    | 'minimumSpend'
    | 'entitlements'
    | 'billingId'
    | 'salesforceId'
    | 'paymentCollectionMethod'
    | 'billingInformation'
    | 'budget'
  >
>;

/** A subscription request as the core's provisioning takes it. */
export function provisionInput(
  catalog: Catalog,
  customerId: string,
  p: SubscriptionRequest,
  now: number,
): ProvisionInput {
  const plan = catalog.plans.get(p.planId);
  const features = p.entitlements?.flatMap((e) => (e.feature ? [e.feature] : [])) ?? [];
  const entitlements = p.subscriptionEntitlements || features.length > 0;
  return {
    customerId,
    planId: p.planId,
    resourceId: p.resourceId ?? null,
    billingPeriod: p.billingPeriod,
    addons: p.addons,
    billableFeatures:
      p.unitQuantity === undefined || plan === undefined
        ? p.billableFeatures
        : withUnitQuantity(plan, p.billableFeatures ?? [], p.unitQuantity, false),
    startDate: p.startDate,
    skipTrial: p.skipTrial,
    trialOverrideConfiguration: p.trialOverrideConfiguration,
    metadata: p.metadata,
    entitlements: entitlements
      ? [...(p.subscriptionEntitlements ?? []), ...features].map(toEntitlementSpec)
      : undefined,
    scheduleStrategy: p.scheduleStrategy,
    billingCycleAnchor: p.billingCycleAnchor,
    id: p.id,
    billing: subscriptionBilling(catalog, p, p.startDate ?? now, now),
    usagePeriodAnchor: p.usagePeriodAnchor,
    billingCycleDay: p.billingCycleDay,
  };
}

/** An update (or its estimate) as the core takes it; `unitQuantity` sets the plan's per-unit quantity. */
export function updateInput(
  catalog: Catalog,
  subscription: SubscriptionRecord,
  p: UpdateRequest,
  now: number,
): UpdateInput {
  const plan = catalog.planVersions.get(versionKey(subscription.planId, subscription.planVersion));
  return {
    subscriptionId: p.subscriptionId,
    addons: p.addons,
    billableFeatures:
      p.unitQuantity === undefined || plan === undefined
        ? p.billableFeatures
        : withUnitQuantity(
            plan,
            p.billableFeatures ?? subscription.billableFeatures,
            p.unitQuantity,
            !p.billableFeatures,
          ),
    metadata: p.metadata,
    billingPeriod: p.billingPeriod,
    trialEndDate: p.trialEndDate,
    scheduleStrategy: p.scheduleStrategy,
    entitlements: p.subscriptionEntitlements?.map(toEntitlementSpec),
    billingCycleAnchor: p.billingCycleAnchor,
    billing: subscriptionBilling(catalog, p, now, now),
    usagePeriodAnchor: p.usagePeriodAnchor,
  };
}

/**
 * `billableFeatures` with `unitQuantity` (the reference's single quantity) as the quantity of the
 * plan's one per-unit feature: INVALID_INPUT when the plan has none or several, or when the list
 * names that feature with another quantity (unless `replace`, for a list the subscription had).
 */
function withUnitQuantity(
  plan: PlanVersion,
  billable: readonly { featureId: string; quantity: number }[],
  unitQuantity: number,
  replace: boolean,
): { featureId: string; quantity: number }[] {
  const perUnit = [
    ...new Set(plan.prices.flatMap((p) => (p.billingModel === 'PER_UNIT' && p.featureId ? [p.featureId] : []))),
  ];
  const [featureId] = perUnit;
  if (featureId === undefined || perUnit.length > 1)
    throw new AllotError(
      'INVALID_INPUT',
      `unitQuantity needs a plan with one per-unit feature; plan "${plan.id}" has ${perUnit.length}: give billableFeatures`,
      { details: { planId: plan.id, perUnitFeatures: perUnit } },
    );
  const listed = billable.find((f) => f.featureId === featureId);
  if (listed && listed.quantity !== unitQuantity && !replace)
    throw new AllotError(
      'INVALID_INPUT',
      `unitQuantity ${unitQuantity} and billableFeatures' quantity ${listed.quantity} of "${featureId}" disagree`,
      { details: { featureId, unitQuantity, quantity: listed.quantity } },
    );
  return [...billable.filter((f) => f.featureId !== featureId), { featureId, quantity: unitQuantity }];
}

/**
 * The billing details a request gives a subscription (undefined when none): its coupon resolved
 * (a catalog coupon, a promotion code's, or an inline discount, counted from `couponStartsAt`) and
 * its credit entitlements checked against the catalog's currencies.
 */
function subscriptionBilling(
  catalog: Catalog,
  p: BillingRequest,
  couponStartsAt: number,
  now: number,
): SubscriptionBilling | undefined {
  return mergeBilling<SubscriptionBilling>(undefined, {
    billingCountryCode: p.billingCountryCode,
    payingCustomerId: p.payingCustomerId,
    priceOverrides: p.priceOverrides,
    coupon: p.appliedCoupon && subscriptionCoupon(catalog, p.appliedCoupon, couponStartsAt, now),
    minimumSpend: p.minimumSpend,
    creditEntitlements: creditEntitlements(catalog, p.entitlements),
    billingId: p.billingId,
    salesforceId: p.salesforceId,
    paymentCollectionMethod: p.paymentCollectionMethod,
    billingInformation: p.billingInformation,
    budget: p.budget,
  });
}

function subscriptionCoupon(
  catalog: Catalog,
  c: z.output<typeof appliedCouponSchema>,
  startsAt: number,
  now: number,
): SubscriptionCoupon {
  const couponId =
    c.couponId !== undefined
      ? requireCoupon(catalog, c.couponId).id
      : c.promotionCode !== undefined
        ? resolvePromotionCode(catalog.coupons.values(), c.promotionCode, now).coupon.id
        : undefined;
  return definedFields<SubscriptionCoupon>({
    couponId,
    discount: c.discount,
    billingCouponId: c.billingCouponId,
    startsAt: c.configuration?.startDate ?? startsAt,
  });
}

/** The credit entitlements of V2 `entitlements`: currencies in the catalog (CURRENCY_NOT_FOUND), one entry each. */
function creditEntitlements(
  catalog: Catalog,
  entitlements: BillingRequest['entitlements'],
): SubscriptionCreditEntitlement[] | undefined {
  const credits = entitlements?.flatMap((e) => (e.credit ? [e.credit] : [])) ?? [];
  if (credits.length === 0) return undefined;
  const seen = new Set<string>();
  return credits.map(({ customCurrencyId, amount, cadence }) => {
    requireCreditCurrency(catalog, customCurrencyId);
    if (seen.has(customCurrencyId))
      throw new AllotError('INVALID_INPUT', `credit currency "${customCurrencyId}" is entitled twice`, {
        details: { currencyId: customCurrencyId },
      });
    seen.add(customCurrencyId);
    return { currencyId: customCurrencyId, amount, cadence };
  });
}

/**
 * Checks what a write sets against the catalog before it is stored: the subscription id is free
 * (SUBSCRIPTION_ALREADY_EXISTS), a paying customer exists (CUSTOMER_NOT_FOUND), and the price
 * overrides or minimum spend it sets make prices that can be charged (INVALID_INPUT, PRICE_NOT_FOUND).
 */
export async function checkSubscriptionWrite(
  tx: StoreTransaction,
  catalog: Catalog,
  subscription: SubscriptionRecord,
  requested: {
    readonly id?: string | undefined;
    readonly payingCustomerId?: string | undefined;
    readonly priceOverrides?: unknown;
    readonly minimumSpend?: unknown;
  },
): Promise<void> {
  if (requested.id !== undefined && (await tx.getSubscription(requested.id)))
    throw new AllotError('SUBSCRIPTION_ALREADY_EXISTS', `subscription "${requested.id}" already exists`, {
      details: { subscriptionId: requested.id },
    });
  const paying = requested.payingCustomerId;
  if (paying !== undefined && paying !== subscription.customerId && !(await tx.getCustomer(paying)))
    throw new AllotError('CUSTOMER_NOT_FOUND', `paying customer "${paying}" does not exist`, {
      details: { customerId: paying },
    });
  // As it will be once its scheduled changes (a downgrade with these details) have applied.
  if (requested.priceOverrides !== undefined || requested.minimumSpend !== undefined)
    assertSelectionPrices(selectionOf(catalog, effectiveSubscription(subscription, catalog, Number.MAX_SAFE_INTEGER)));
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
