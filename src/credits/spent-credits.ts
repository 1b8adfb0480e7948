// A credit pool's spent credits: what its used-up grants still count until they expire, kept as
// a total and a list of expiries, soonest first, so a pool needs none of those grants.
import { dec, decimalString, sumOf } from '../money/amount.js';
import { Decimal } from '../money/money.js';

/**
 * The grants a pool let go once used up (see {@link isSpentGrant}): each still counts its amount
 * in both `totalGranted` and `totalConsumed` until it expires, which is all that can happen to it.
 */
export interface SpentCredits {
  /** The sum of their amounts, a decimal string. */
  readonly total: string;
  /** The part of `total` that leaves it at each coming expiry, soonest first; the rest never expires. */
  readonly expiring: readonly SpentExpiry[];
  /**
   * Counts the stored changes of `expiring` (the functions here leave it as is; the writer moves
   * it), so a write can reuse a list read earlier at the same revision rather than read it again.
   */
  readonly revision: number;
}

/** What of a pool's spent credits expires at one instant. */
export interface SpentExpiry {
  readonly at: number;
  /** Decimal string, above 0. */
  readonly amount: string;
}

/** No spent credits. */
export const NO_SPENT_CREDITS: SpentCredits = Object.freeze({ total: '0', expiring: Object.freeze([]), revision: 0 });

/** The spent credits left at `now`: those expiring by then are gone. The same object when none are. */
export function expireSpent(spent: SpentCredits, now: number): SpentCredits {
  const kept = spent.expiring.findIndex((e) => e.at > now);
  const gone = spent.expiring.slice(0, kept === -1 ? spent.expiring.length : kept);
  if (gone.length === 0) return spent;
  return {
    ...spent,
    total: decimalString(dec(spent.total).minus(sumOf(gone.map((e) => e.amount)))),
    expiring: spent.expiring.slice(gone.length),
  };
}

/** The index of the first of `expiring` (soonest first) at or after `at`, searched from `from` on. */
function firstExpiryFrom(expiring: readonly SpentExpiry[], at: number, from = 0): number {
  let lo = from;
  for (let hi = expiring.length; lo < hi; ) {
    const mid = (lo + hi) >>> 1;
    if ((expiring[mid] as SpentExpiry).at < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * What of `expiring` (soonest first) expires at `at`, found by binary search.
 *
 * @example spentExpiryAt(pool.spent.expiring, Date.parse('2025-03-01T00:00:00Z'))?.amount // '40'
 */
export function spentExpiryAt(expiring: readonly SpentExpiry[], at: number): SpentExpiry | undefined {
  const found = expiring[firstExpiryFrom(expiring, at)];
  return found?.at === at ? found : undefined;
}

/**
 * `spent` with signed amounts added, each at its grant's `expireAt` (null: never expires). The
 * expiries stay in order, one per instant, each above 0; the untouched ones are copied by slices
 * between the instants changed (found by binary search) and stay the same objects, so a change
 * costs little however many expiries the pool has, and a writer stores only what changed.
 */
export function changeSpent(
  spent: SpentCredits,
  changes: readonly { readonly amount: Decimal; readonly expireAt: number | null }[],
): SpentCredits {
  let total = dec(spent.total);
  const byExpiry = new Map<number, Decimal>();
  for (const { amount, expireAt } of changes) {
    total = total.plus(amount);
    if (expireAt !== null) byExpiry.set(expireAt, (byExpiry.get(expireAt) ?? new Decimal(0)).plus(amount));
  }
  if (byExpiry.size === 0) return { ...spent, total: decimalString(total) };
  const old = spent.expiring;
  const parts: (readonly SpentExpiry[])[] = [];
  let from = 0;
  for (const [at, added] of [...byExpiry].sort(([a], [b]) => a - b)) {
    const i = firstExpiryFrom(old, at, from);
    parts.push(old.slice(from, i));
    const same = old[i]?.at === at ? old[i] : undefined;
    const amount = dec(same?.amount ?? 0).plus(added);
    if (amount.gt(0)) parts.push([{ at, amount: decimalString(amount) }]);
    from = same === undefined ? i : i + 1;
  }
  parts.push(old.slice(from));
  // concat copies natively; `flat` walks element by element.
  return { ...spent, total: decimalString(total), expiring: ([] as SpentExpiry[]).concat(...parts) };
}
