import type { CreditGrantRecord, CreditGrantType } from './credit-records.js';

/**
 * The type tie-break of the burn order, lowest first. Promotional credits burn before paid ones
 * (the reference's rule: keep what the customer bought). RECURRING sits between them: its credits
 * come with a paid subscription, so they burn after free promotional credits, but they lapse at
 * the next refill, so they burn before purchased credits.
 */
export const GRANT_TYPE_BURN_RANK: Readonly<Record<CreditGrantType, number>> = {
  PROMOTIONAL: 0,
  RECURRING: 1,
  PAID: 2,
};

/** The fields the burn order reads. */
export type BurnOrderKey = Pick<
  CreditGrantRecord,
  'id' | 'priority' | 'expireAt' | 'grantType' | 'effectiveAt' | 'createdAt'
>;

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Compares two grants by burn order, for `Array.prototype.sort`: priority ascending, then soonest
 * `expireAt` (no expiry last), then by type (PROMOTIONAL, RECURRING, PAID), then earliest
 * `effectiveAt`, then oldest `createdAt`, then `id` by code unit (never by locale). A total order:
 * distinct grants never compare equal.
 *
 * @example [paid, promo].sort(compareBurnOrder) // [promo, paid] when priority and expiry tie
 */
export function compareBurnOrder(a: BurnOrderKey, b: BurnOrderKey): number {
  return (
    compareNumbers(a.priority, b.priority) ||
    compareNumbers(a.expireAt ?? Number.POSITIVE_INFINITY, b.expireAt ?? Number.POSITIVE_INFINITY) ||
    compareNumbers(GRANT_TYPE_BURN_RANK[a.grantType], GRANT_TYPE_BURN_RANK[b.grantType]) ||
    compareNumbers(a.effectiveAt, b.effectiveAt) ||
    compareNumbers(a.createdAt, b.createdAt) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * The grants in burn order: a sorted copy, the input untouched.
 *
 * @example burnOrder([a, b, c]).map((g) => g.id) // ['b', 'a', 'c'] in the example
 */
export function burnOrder<T extends BurnOrderKey>(grants: readonly T[]): T[] {
  return [...grants].sort(compareBurnOrder);
}
