// What a credit pool is and which grants it holds, without the operations on it (credit-pool.ts):
// light enough for the stores to import without the period math and schemas the operations load.
import { dec } from '../money/amount.js';
import { type CreditGrantRecord, CreditGrantType } from './credit-records.js';
import type { CreditResetSchedule } from './rollover.js';
import { NO_SPENT_CREDITS, type SpentCredits } from './spent-credits.js';

/** What identifies a pool: one per (customer, currency, resource); `resourceId` null is the global pool. */
export interface CreditPoolKey {
  readonly customerId: string;
  readonly currencyId: string;
  readonly resourceId: string | null;
}

/**
 * One pool's state: its grants, its debt (the credits consumed beyond the balance, which the next
 * grant to take effect pays off first) and what its spent grants still count. A stored pool holds
 * only the grants it needs (see {@link isHeldGrant}, and `compactPool`), so working on it costs by
 * its live grants, never by its history; the operations (credit-pool.ts) also take pools holding
 * closed or spent grants, as a write leaves them before it is stored.
 */
export interface CreditPool extends CreditPoolKey {
  readonly grants: readonly CreditGrantRecord[];
  /** Decimal string, 0 or more. */
  readonly debt: string;
  readonly spent: SpentCredits;
  /** When the pool resets by itself; null: only by hand. */
  readonly schedule: CreditResetSchedule | null;
}

/**
 * An empty pool.
 *
 * @example emptyCreditPool({ customerId: 'c1', currencyId: 'tokens', resourceId: null })
 */
export function emptyCreditPool(key: CreditPoolKey): CreditPool {
  return {
    customerId: key.customerId,
    currencyId: key.currencyId,
    resourceId: key.resourceId,
    grants: [],
    debt: '0',
    spent: NO_SPENT_CREDITS,
    schedule: null,
  };
}

/**
 * A string naming a pool unambiguously, for maps and store keys.
 *
 * @example creditPoolKey({ customerId: 'c1', currencyId: 'tokens', resourceId: null }) // '["c1","tokens",null]'
 */
export function creditPoolKey(key: CreditPoolKey): string {
  return JSON.stringify([key.customerId, key.currencyId, key.resourceId]);
}

/**
 * True when the grant's credits are in the balance: it has taken effect and was neither expired
 * nor voided.
 */
export function isLiveGrant(grant: CreditGrantRecord): boolean {
  return grant.activatedAt !== null && grant.expiredAt === null && grant.voidedAt === null;
}

/** The fields that decide whether a pool holds a grant. */
type HoldingFields = Pick<
  CreditGrantRecord,
  'expiredAt' | 'voidedAt' | 'grantType' | 'activatedAt' | 'amount' | 'consumed' | 'source' | 'recurrence'
>;

/**
 * True while a stored pool must still hold the grant: until it expires, and a voided RECURRING
 * grant until its period ends too, since it is what keeps that period from being granted again;
 * but not once spent ({@link isSpentGrant}). Stores load exactly these grants; {@link advancePool}
 * closes the voided ones at their period end.
 */
export function isHeldGrant(grant: HoldingFields): boolean {
  return (
    grant.expiredAt === null &&
    (grant.voidedAt === null || grant.grantType === CreditGrantType.Recurring) &&
    !isSpentGrant(grant)
  );
}

/**
 * True when a live grant is used up and nothing can happen to it but its expiry, which only takes
 * its amount out of both totals: a stored pool keeps that amount in `spent` instead of the grant
 * (see `compactPool`). A subscription's grant is never spent: it marks its period as granted,
 * and its remainder rolls over or moves with the subscription; nor is a recurring grant, which refills.
 */
export function isSpentGrant(grant: HoldingFields): boolean {
  return (
    grant.activatedAt !== null &&
    grant.expiredAt === null &&
    grant.voidedAt === null &&
    grant.source?.kind !== 'SUBSCRIPTION' &&
    grant.recurrence === null &&
    dec(grant.amount).eq(grant.consumed)
  );
}
