// RECURRING grants from plan and add-on credit entitlements: one per cadence period, refilled
// lazily from `now`, expiring at the next boundary, optionally rolling part of the rest over.

import type { CreditCadence, CreditEntitlement } from '../catalog/credit-schema.js';
import { usagePeriod } from '../core/reset-period.js';
import { AllotError } from '../errors.js';
import { dec, decimalString, sumOf } from '../money/amount.js';
import { Decimal } from '../money/money.js';
import {
  advancePool,
  type CreditPool,
  type CreditPoolChange,
  grantCredits,
  type NewCreditGrant,
} from './credit-pool.js';
import type { CreditGrantRecord, SubscriptionGrantSource } from './credit-records.js';

/** An add-on's credit entitlements and the quantity the subscription holds. */
export interface CreditEntitlementAddon {
  /** An integer of at least 0. */
  readonly quantity: number;
  readonly entitlements: readonly CreditEntitlement[];
}

/** What a subscription receives per cadence period in one currency. */
export interface RecurringAllowance {
  readonly currencyId: string;
  readonly cadence: CreditCadence;
  /** How many cadences one refill period spans. */
  readonly intervalCount: number;
  /** Decimal string, 0 or more. */
  readonly amount: string;
  /** The most unused credits that carry into the next period; null: none do. */
  readonly rolloverCap: string | null;
}

/** The subscription facts a refill needs. Call only for a subscription that is active at `now`. */
export interface RecurringCreditSubscription {
  readonly subscriptionId: string;
  /** The instant the cadence periods count from (the subscription's billing anchor). */
  readonly anchor: number;
  /** The credit entitlements of the subscription's plan (base plans already flattened in). */
  readonly plan: readonly CreditEntitlement[];
  readonly addons?: readonly CreditEntitlementAddon[];
  /**
   * The subscription's start, when its first grant is prorated: a period that began before it
   * grants only the share of the allowance from it to the period's end (per second).
   */
  readonly prorateFirstPeriodFrom?: number | undefined;
}

const DISPLAY_NAME = 'Recurring credits';
const CREDIT_DECIMALS = 4;

/**
 * A subscription's allowance in `currencyId`, combined like feature entitlements: the largest
 * add-on `Override` replaces the plan's amount (quantity ignored), then every `Increment` add-on
 * adds `amount × quantity`. The cadence and its interval count are the plan's (or the override's),
 * else the first increment's; an increment of another cadence still joins that one stream. Rollover caps combine
 * the same way (base cap plus increment caps × quantity, a missing cap counting 0), null when no
 * entitlement has one. Null when nothing grants the currency.
 *
 * @example
 * recurringAllowance('tokens', [{ currencyId: 'tokens', amount: '1000', cadence: 'MONTH' }],
 *   [{ quantity: 2, entitlements: [{ currencyId: 'tokens', amount: '100', cadence: 'MONTH' }] }])
 * // { currencyId: 'tokens', cadence: 'MONTH', intervalCount: 1, amount: '1200', rolloverCap: null }
 */
export function recurringAllowance(
  currencyId: string,
  plan: readonly CreditEntitlement[],
  addons: readonly CreditEntitlementAddon[] = [],
): RecurringAllowance | null {
  let base = plan.find((e) => e.currencyId === currencyId);
  let override: CreditEntitlement | undefined;
  const increments: { entitlement: CreditEntitlement; quantity: number }[] = [];
  for (const addon of addons) {
    if (!Number.isSafeInteger(addon.quantity) || addon.quantity < 0)
      throw new AllotError('INVALID_INPUT', `add-on quantity must be an integer of at least 0, got ${addon.quantity}`, {
        details: { quantity: addon.quantity },
      });
    for (const e of addon.entitlements) {
      if (e.currencyId !== currencyId) continue;
      if (e.behavior === 'Override') {
        if (override === undefined || dec(e.amount).gt(override.amount)) override = e;
      } else increments.push({ entitlement: e, quantity: addon.quantity });
    }
  }
  base = override ?? base;
  const first = base ?? increments[0]?.entitlement;
  if (first === undefined) return null;
  let amount = dec(base?.amount ?? 0);
  let cap = base?.rolloverCap === undefined ? null : dec(base.rolloverCap);
  for (const { entitlement, quantity } of increments) {
    amount = amount.plus(dec(entitlement.amount).times(quantity));
    if (entitlement.rolloverCap !== undefined)
      cap = (cap ?? new Decimal(0)).plus(dec(entitlement.rolloverCap).times(quantity));
  }
  return {
    currencyId,
    cadence: first.cadence,
    intervalCount: first.cadenceIntervalCount ?? 1,
    amount: decimalString(amount),
    rolloverCap: cap === null ? null : decimalString(cap),
  };
}

/**
 * The id of a subscription's RECURRING grant for the period starting at `periodStart`;
 * deterministic, so a refill computed twice names the same grant.
 *
 * @example recurringGrantId('sub-1', 'tokens', 1735689600000) // 'recurring:sub-1:tokens:1735689600000'
 */
export function recurringGrantId(subscriptionId: string, currencyId: string, periodStart: number): string {
  return `recurring:${subscriptionId}:${currencyId}:${periodStart}`;
}

function subscriptionSource(grant: CreditGrantRecord, subscriptionId: string): SubscriptionGrantSource | null {
  const source = grant.source;
  return source?.kind === 'SUBSCRIPTION' && source.subscriptionId === subscriptionId ? source : null;
}

/**
 * Credits carried into the period starting at `start` from `previous`, the subscription's grants
 * of its latest earlier period (one, or several when a transfer moved the period's credits in and
 * out of the pool): what the unvoided ones had left, plus the full allowance of every period in
 * between that no refill ever materialised (nobody could consume it), capped at `cap`; as if every
 * period had been refilled on time.
 */
function rolloverInto(
  previous: readonly CreditGrantRecord[],
  periodEnd: number,
  allowance: RecurringAllowance,
  anchor: number,
  start: number,
): Decimal {
  if (previous.length === 0 || allowance.rolloverCap === null || periodEnd > start) return new Decimal(0);
  const cap = dec(allowance.rolloverCap);
  let carried = sumOf(previous.filter((g) => g.voidedAt === null).map((g) => dec(g.amount).minus(g.consumed)));
  // Each skipped period would have been granted the allowance plus the carry, all of it unused.
  let boundary = periodEnd;
  while (boundary < start && carried.lt(cap)) {
    carried = Decimal.min(cap, carried).plus(allowance.amount);
    boundary = refillPeriod(allowance, anchor, boundary).end;
  }
  return Decimal.max(0, Decimal.min(cap, carried));
}

/**
 * The allowance of a period that began before `from` (the subscription's start, when its first
 * grant is prorated): its share from `from` to the period's end, cut down to the 4 decimal places
 * credit amounts keep, so it never exceeds the exact share. Any other period gets it whole.
 */
function firstPeriodAllowance(amount: Decimal, period: { start: number; end: number }, from: number | undefined) {
  if (from === undefined || from <= period.start) return amount;
  const share = new Decimal(period.end - from).div(period.end - period.start);
  return amount.times(share).toDecimalPlaces(CREDIT_DECIMALS, Decimal.ROUND_DOWN);
}

/**
 * The RECURRING grant a subscription is due in `pool` at `now`, or null when none is: before the
 * anchor, without an allowance above 0 in the pool's currency, or when the subscription already
 * has a grant whose period contains `now` (so computing it again is harmless). The grant funds the
 * refill period containing `now` (boundaries `anchor + k × intervalCount × cadence`, month ends
 * clamped), takes effect at the period start and expires at its end; with a rollover cap it also carries up to
 * the cap of the previous period's unused credits. With `prorateFirstPeriodFrom`, the period the
 * subscription started in grants only its share from the start (none when that share rounds to 0).
 *
 * @example dueRecurringGrant(pool, { subscriptionId: 'sub-1', anchor, plan }, now)?.amount // '1000'
 */
export function dueRecurringGrant(
  pool: CreditPool,
  subscription: RecurringCreditSubscription,
  now: number,
): NewCreditGrant | null {
  if (now < subscription.anchor) return null;
  const allowance = recurringAllowance(pool.currencyId, subscription.plan, subscription.addons);
  if (allowance === null || dec(allowance.amount).isZero()) return null;
  const period = refillPeriod(allowance, subscription.anchor, now);
  const id = recurringGrantId(subscription.subscriptionId, pool.currencyId, period.start);
  let previous: CreditGrantRecord[] = [];
  let latest: SubscriptionGrantSource | undefined;
  for (const grant of pool.grants) {
    if (grant.id === id) return null;
    const source = subscriptionSource(grant, subscription.subscriptionId);
    if (source === null) continue;
    if (source.periodStart <= now && now < source.periodEnd) return null;
    if (source.periodStart >= period.start) continue;
    if (latest === undefined || source.periodStart > latest.periodStart) {
      latest = source;
      previous = [grant];
    } else if (source.periodStart === latest.periodStart) previous.push(grant);
  }
  const rolledOver =
    latest === undefined
      ? new Decimal(0)
      : rolloverInto(previous, latest.periodEnd, allowance, subscription.anchor, period.start);
  const amount = firstPeriodAllowance(dec(allowance.amount), period, subscription.prorateFirstPeriodFrom);
  if (amount.isZero()) return null;
  return {
    id,
    grantType: 'RECURRING',
    amount: decimalString(amount.plus(rolledOver)),
    displayName: DISPLAY_NAME,
    effectiveAt: period.start,
    expireAt: period.end,
    source: {
      kind: 'SUBSCRIPTION',
      subscriptionId: subscription.subscriptionId,
      cadence: allowance.cadence,
      periodStart: period.start,
      periodEnd: period.end,
      rolledOver: decimalString(rolledOver),
    },
  };
}

/**
 * Applies the refill due at `now` (see {@link dueRecurringGrant}) and every other transition due
 * by then: the previous period's grant expires (`CREDITS_EXPIRED`), the new one takes effect and
 * pays off any debt first. Idempotent: a second call at the same `now` returns the pool unchanged
 * and no entries.
 *
 * @example refillRecurringCredits(pool, subscription, now).grant?.expireAt // the next boundary
 */
export function refillRecurringCredits(
  pool: CreditPool,
  subscription: RecurringCreditSubscription,
  now: number,
): CreditPoolChange & { readonly grant: CreditGrantRecord | null } {
  const due = dueRecurringGrant(pool, subscription, now);
  if (due === null) return { ...advancePool(pool, now), grant: null };
  return grantCredits(pool, due, now);
}

/**
 * When the subscription's next refill in `currencyId` happens after `now` (the end of the cadence
 * period containing `now`, or the anchor before it), for `nextResetDate`; null without an allowance.
 *
 * @example nextRefillAt(subscription, 'tokens', now) // the next monthly boundary from the anchor
 */
export function nextRefillAt(
  subscription: RecurringCreditSubscription,
  currencyId: string,
  now: number,
): number | null {
  const allowance = recurringAllowance(currencyId, subscription.plan, subscription.addons);
  if (allowance === null) return null;
  if (now < subscription.anchor) return subscription.anchor;
  return refillPeriod(allowance, subscription.anchor, now).end;
}

/** The refill period of `allowance` containing `at`: `intervalCount` cadences from `anchor`. */
function refillPeriod(allowance: RecurringAllowance, anchor: number, at: number) {
  return usagePeriod(allowance.cadence, anchor, at, allowance.intervalCount);
}
