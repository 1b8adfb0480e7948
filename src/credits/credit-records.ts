// The persisted credit shapes. Instants are epoch milliseconds (UTC); amounts are decimal strings
// in plain notation, so every record survives JSON unchanged and no float ever touches a balance.
import type { CreditCadence } from '../catalog/credit-schema.js';
import type { Recurrence } from './recurrence.js';
import type { RolloverRule } from './rollover.js';

/** Where a grant comes from: `PAID` (bought), `PROMOTIONAL` (free), `RECURRING` (a subscription's refill). */
export const CreditGrantType = { Paid: 'PAID', Promotional: 'PROMOTIONAL', Recurring: 'RECURRING' } as const;
export type CreditGrantType = (typeof CreditGrantType)[keyof typeof CreditGrantType];

/** A grant's status at an instant, derived from its dates and what is left of it, never stored. */
export const CreditGrantStatus = {
  Active: 'ACTIVE',
  Scheduled: 'SCHEDULED',
  Expired: 'EXPIRED',
  Voided: 'VOIDED',
} as const;
export type CreditGrantStatus = (typeof CreditGrantStatus)[keyof typeof CreditGrantStatus];

/**
 * The kinds of ledger entry. Amounts are signed: what enters the balance is positive, what leaves
 * it negative.
 * - `CREDITS_GRANTED` (+amount, on the grant) when a grant takes effect.
 * - `CREDITS_CONSUMED` (−, on the grant) for each grant a consumption draws from.
 * - `CREDITS_EXPIRED` (−remainder, on the grant) when a grant with credits left reaches `expireAt`.
 * - `CREDITS_VOIDED` (−remainder, on the grant, possibly 0) when a grant is voided.
 * - `CREDITS_UPDATED` reserved for edits of a grant; the pure core writes none.
 * - `CREDITS_REFILLED` (+, on the grant) at a recurring grant's boundary: what it had given up, so
 *   it holds its amount again.
 * - `CREDITS_RESET` (−, on the grant) what a pool reset did not let the grant keep.
 * - `DEBT_FORGIVEN` (+, no grant) the debt a pool reset forgave.
 * - `DEBT_CREATED` (−, no grant) the part of an overdrawing consumption no grant covered.
 * - `DEBT_SETTLED`, always a pair summing to 0 when a grant taking effect pays debt off: −x on the
 *   paying grant and +x on the debt (no grant, `relatedGrantId` naming the payer). They map to the
 *   reference's `CREDITS_CONSUMPTION_TRANSFER_SOURCE` and `_TARGET`.
 */
export const CreditLedgerEventType = {
  CreditsGranted: 'CREDITS_GRANTED',
  CreditsConsumed: 'CREDITS_CONSUMED',
  CreditsExpired: 'CREDITS_EXPIRED',
  CreditsVoided: 'CREDITS_VOIDED',
  CreditsUpdated: 'CREDITS_UPDATED',
  CreditsRefilled: 'CREDITS_REFILLED',
  CreditsReset: 'CREDITS_RESET',
  DebtCreated: 'DEBT_CREATED',
  DebtSettled: 'DEBT_SETTLED',
  DebtForgiven: 'DEBT_FORGIVEN',
} as const;
export type CreditLedgerEventType = (typeof CreditLedgerEventType)[keyof typeof CreditLedgerEventType];

/** A money amount as records carry it: a decimal string in whole currency units and an ISO 4217 code. */
export interface CreditMoney {
  readonly amount: string;
  readonly currency: string;
}

/** The RECURRING grant of one cadence period of a subscription's credit entitlement. */
export interface SubscriptionGrantSource {
  readonly kind: 'SUBSCRIPTION';
  readonly subscriptionId: string;
  readonly cadence: CreditCadence;
  /** The period `[periodStart, periodEnd)` this grant funds. */
  readonly periodStart: number;
  readonly periodEnd: number;
  /** Credits carried over from the previous period, already included in the grant's amount. */
  readonly rolledOver: string;
}

/** A PAID grant bought by automatic recharge; its cost counts toward the month's spend limit. */
export interface AutoRechargeGrantSource {
  readonly kind: 'AUTO_RECHARGE';
}

/** Why the system created a grant; null for a grant created by a caller. */
export type CreditGrantSource = SubscriptionGrantSource | AutoRechargeGrantSource;

/**
 * One grant of a credit pool. `amount` never changes; `consumed` (what the grant has given up)
 * grows with consumption, debt settlement and what a pool reset takes, and a recurring grant's
 * refill brings it back to 0; `activatedAt`, `refilledAt`, `expiredAt` and `voidedAt` record how
 * far the grant's ledger entries for taking effect, refilling, expiring and being voided were
 * written, which keeps every transition idempotent.
 */
export interface CreditGrantRecord {
  readonly id: string;
  readonly customerId: string;
  readonly currencyId: string;
  /** The resource of a resource-scoped pool; null for the customer's global pool. */
  readonly resourceId: string | null;
  readonly grantType: CreditGrantType;
  readonly amount: string;
  readonly consumed: string;
  /** Lower burns first; {@link DEFAULT_GRANT_PRIORITY} unless given. */
  readonly priority: number;
  readonly effectiveAt: number;
  readonly expireAt: number | null;
  readonly cost: CreditMoney | null;
  readonly displayName: string;
  readonly comment: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly source: CreditGrantSource | null;
  /** A caller's recurring grant: refilled to its amount at every boundary after it takes effect; null for none. */
  readonly recurrence: Recurrence | null;
  /** What a pool reset lets this grant keep; null: the reset's (or the pool schedule's) rule decides. */
  readonly rollover: RolloverRule | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** When `CREDITS_GRANTED` was written: `max(effectiveAt, createdAt)`; null while scheduled. */
  readonly activatedAt: number | null;
  /** The last boundary of `recurrence` the grant was brought through (refilled, or nothing to refill); null before the first. */
  readonly refilledAt: number | null;
  /** When the expiry was recorded (its `expireAt`); null until then. */
  readonly expiredAt: number | null;
  readonly voidedAt: number | null;
}

/** The priority a grant gets when none is given: 0, the highest, for every grant type. */
export const DEFAULT_GRANT_PRIORITY = 0;

/** Usage dimensions as reported with a consumption. */
export type CreditDimensions = Readonly<Record<string, string | number | boolean>>;

/**
 * One movement of a pool's balance. The ledger is append-only, and the sum of a pool's entries
 * always equals its current balance; the entries of one grant sum to what is left of it while it
 * is live (0 once expired or voided), and those without a grant sum to minus the debt.
 */
export interface CreditLedgerEntry {
  readonly id: string;
  readonly customerId: string;
  readonly currencyId: string;
  readonly resourceId: string | null;
  /** The grant moved; null for the debt side of `DEBT_CREATED` and `DEBT_SETTLED`, and for `DEBT_FORGIVEN`. */
  readonly grantId: string | null;
  readonly eventType: CreditLedgerEventType;
  /** Signed decimal string. */
  readonly amount: string;
  readonly at: number;
  /** The consumption that wrote this entry (`CREDITS_CONSUMED`, `DEBT_CREATED`). */
  readonly eventId?: string;
  readonly idempotencyKey?: string;
  readonly featureId?: string;
  readonly dimensions?: CreditDimensions;
  /** On the debt side of `DEBT_SETTLED`: the grant that paid. */
  readonly relatedGrantId?: string;
}

/**
 * A grant's status at `now`: VOIDED once voided, else EXPIRED from `expireAt` on, else SCHEDULED
 * before `effectiveAt`, else ACTIVE. A fully consumed grant stays ACTIVE until it expires.
 *
 * @example grantStatus({ ...grant, effectiveAt: now + 1 }, now) // 'SCHEDULED'
 */
export function grantStatus(
  grant: Pick<CreditGrantRecord, 'voidedAt' | 'expireAt' | 'effectiveAt'>,
  now: number,
): CreditGrantStatus {
  if (grant.voidedAt !== null) return 'VOIDED';
  if (grant.expireAt !== null && grant.expireAt <= now) return 'EXPIRED';
  if (grant.effectiveAt > now) return 'SCHEDULED';
  return 'ACTIVE';
}
