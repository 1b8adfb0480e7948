// The burn-down of one credit pool: pure functions from a pool and `now` to a new pool and the
// ledger entries that record the change. Inputs are never mutated.
import { AllotError } from '../errors.js';
import { dec, decimalString, nonNegativeAmount, positiveAmount, sumOf } from '../money/amount.js';
import { Decimal, type DecimalValue, money } from '../money/money.js';
import { compareBurnOrder } from './burn-order.js';
import { creditError } from './credit-errors.js';
import {
  type CreditPool,
  type CreditPoolKey,
  creditPoolKey,
  isHeldGrant,
  isLiveGrant,
  isSpentGrant,
} from './credit-pool-state.js';
import {
  type CreditDimensions,
  type CreditGrantRecord,
  type CreditGrantSource,
  CreditGrantType,
  type CreditLedgerEntry,
  type CreditMoney,
  DEFAULT_GRANT_PRIORITY,
} from './credit-records.js';
import {
  ACTIVATE,
  type DueTransition,
  EXPIRE,
  ledgerEntry,
  runTimeline,
  scheduledResetChanges,
} from './pool-timeline.js';
import { boundaryAfter, type Recurrence, requireRecurrence } from './recurrence.js';
import { type RolloverRule, requireRolloverRule } from './rollover.js';
import { changeSpent, expireSpent } from './spent-credits.js';

// What a pool is lives in credit-pool-state.ts (the stores read it there); its operations take it from here too.
export {
  type CreditPool,
  type CreditPoolKey,
  creditPoolKey,
  emptyCreditPool,
  isHeldGrant,
  isLiveGrant,
  isSpentGrant,
} from './credit-pool-state.js';

/** A pool after an operation, and the ledger entries to append, in order. */
export interface CreditPoolChange {
  readonly pool: CreditPool;
  readonly entries: readonly CreditLedgerEntry[];
}

/** A grant to add; the pool supplies customer, currency and resource. */
export interface NewCreditGrant {
  /** Unique across the store; it also prefixes the ids of the grant's ledger entries. */
  readonly id: string;
  readonly grantType: CreditGrantType;
  /** Greater than 0. */
  readonly amount: DecimalValue;
  readonly displayName: string;
  /** An integer of at least 0, lower burns first; default {@link DEFAULT_GRANT_PRIORITY}. */
  readonly priority?: number;
  /** Default `now`; a later time schedules the grant. */
  readonly effectiveAt?: number;
  /** After `effectiveAt` and after `now`; null or absent never expires. */
  readonly expireAt?: number | null;
  readonly cost?: { readonly amount: DecimalValue; readonly currency: string } | null;
  readonly comment?: string | null;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly source?: CreditGrantSource | null;
  /** Refills the grant to its amount at every boundary after it takes effect, until it expires or is voided. */
  readonly recurrence?: Recurrence | null;
  /** What a pool reset lets the grant keep (see rollover.ts); absent: the reset's rule decides. */
  readonly rollover?: RolloverRule | null;
}

/** A consumption of credits. */
export interface CreditConsumption {
  /** Unique per consumption; its ledger entries are `${id}:${grantId}` and `${id}:debt`. */
  readonly id: string;
  /** Greater than 0. */
  readonly amount: DecimalValue;
  readonly featureId?: string;
  readonly dimensions?: CreditDimensions;
  readonly idempotencyKey?: string;
}

/** How {@link consumeCredits} treats a consumption larger than the balance. */
export interface ConsumeOptions {
  /** False (default): refuse with INSUFFICIENT_CREDITS. True: the uncovered part becomes debt. */
  readonly allowDebt?: boolean;
}

/** A pool's balance at an instant; every amount a decimal string. */
export interface CreditBalance {
  /** `totalGranted − totalConsumed`: the live grants' remainders minus the debt; negative in debt. */
  readonly currentBalance: string;
  /** The amounts of the live grants (in effect, not expired, not voided), spent ones included. */
  readonly totalGranted: string;
  /** What the live grants have given up, plus the debt. */
  readonly totalConsumed: string;
  readonly debt: string;
  /** The amounts of scheduled grants, not yet in the balance. */
  readonly scheduled: string;
  /**
   * The next instant the pool changes by itself (a live grant expiring, a scheduled one taking
   * effect, a recurring grant with credits to refill, a scheduled reset with something to take);
   * null if none.
   */
  readonly nextChangeAt: number | null;
}

/**
 * What a grant still holds: `amount − consumed` while live, 0 once expired or voided, and its
 * whole amount while scheduled.
 *
 * @example grantRemaining({ ...grant, amount: '50', consumed: '40' }) // '10'
 */
export function grantRemaining(grant: CreditGrantRecord): string {
  if (grant.voidedAt !== null || grant.expiredAt !== null) return '0';
  return decimalString(dec(grant.amount).minus(grant.consumed));
}

/**
 * The exact sum of ledger amounts, as a decimal string.
 *
 * @example sumLedger([{ amount: '0.1' }, { amount: '0.2' }]) // '0.3'
 */
export function sumLedger(entries: readonly Pick<CreditLedgerEntry, 'amount'>[]): string {
  return decimalString(sumOf(entries.map((e) => e.amount)));
}

/**
 * Applies every time-based transition due by `now`, in time order: scheduled grants taking effect
 * (`CREDITS_GRANTED` at `max(effectiveAt, createdAt)`, then the `DEBT_SETTLED` pair when the pool
 * is in debt), live grants reaching `expireAt` (`CREDITS_EXPIRED` for a remainder above 0),
 * recurring grants refilled at their boundaries (`CREDITS_REFILLED`, then debt paid first) and
 * the pool's scheduled resets (see pool-timeline.ts); spent credits expiring leave the totals with
 * no entry, having nothing left to remove. At one instant expiries come first, then the reset,
 * then grants taking effect and refills. Idempotent: a second call at the same or an earlier `now`
 * returns the same pool and no entries. Every other function here runs it first, so a pool's
 * ledger sums to its balance after any of them.
 *
 * @example advancePool(pool, Date.parse('2025-02-01T00:00:00Z')).entries // the expiries and refills due
 */
export function advancePool(pool: CreditPool, now: number): CreditPoolChange {
  const spent = expireSpent(pool.spent, now);
  const due: DueTransition[] = [];
  let recurring = false;
  pool.grants.forEach((grant, index) => {
    recurring ||= grant.recurrence !== null;
    if (grant.voidedAt !== null) {
      // A held voided grant closes at its period end, with nothing left to expire.
      if (isHeldGrant(grant) && grant.expireAt !== null && grant.expireAt <= now)
        due.push({ at: grant.expireAt, kind: EXPIRE, index });
      return;
    }
    if (grant.activatedAt === null && grant.expiredAt === null && grant.effectiveAt <= now)
      due.push({ at: Math.max(grant.effectiveAt, grant.createdAt), kind: ACTIVATE, index });
    if (grant.expiredAt === null && grant.expireAt !== null && grant.expireAt <= now)
      due.push({ at: grant.expireAt, kind: EXPIRE, index });
  });
  // Most pools have neither recurring grants nor a schedule: nothing can be due but the above.
  const quiet = due.length === 0 && !recurring && pool.schedule === null;
  due.sort(
    (a, b) =>
      a.at - b.at ||
      a.kind - b.kind ||
      compareBurnOrder(pool.grants[a.index] as CreditGrantRecord, pool.grants[b.index] as CreditGrantRecord),
  );
  const changed = quiet ? null : runTimeline(pool, pool, due, now);
  if (changed === null) return { pool: spent === pool.spent ? pool : { ...pool, spent }, entries: [] };
  const { grants, debt, schedule, entries } = changed;
  return { pool: { ...pool, grants, debt, schedule, spent }, entries };
}

/**
 * The pool as a store keeps it: only the grants it holds ({@link isHeldGrant}). Closed grants
 * (expired, voided) go, their ledger entries having said all there is; spent ones go too, their
 * amounts kept in `spent` until they expire. The same pool when every grant is held. Run on an
 * advanced pool (as every function here leaves it), so no spent grant is already past its expiry.
 *
 * @example compactPool(consumeCredits(pool, { id: 'use-1', amount: '50' }, now).pool).grants // without the grant used up
 */
export function compactPool(pool: CreditPool): CreditPool {
  if (pool.grants.every(isHeldGrant)) return pool;
  const spent = pool.grants.filter(isSpentGrant).map((g) => ({ amount: dec(g.amount), expireAt: g.expireAt }));
  return {
    ...pool,
    grants: pool.grants.filter(isHeldGrant),
    spent: spent.length === 0 ? pool.spent : changeSpent(pool.spent, spent),
  };
}

/**
 * The brief's name for {@link advancePool}: records expiries (and scheduled grants taking effect)
 * due by `now`. Idempotent.
 */
export const expireGrants: (pool: CreditPool, now: number) => CreditPoolChange = advancePool;

function keyOf(pool: CreditPoolKey): CreditPoolKey {
  return { customerId: pool.customerId, currencyId: pool.currencyId, resourceId: pool.resourceId };
}

function requireId(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new AllotError('INVALID_INPUT', `${what} must be a non-empty string`, { details: { [what]: value } });
  return value;
}

function requireInstant(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new AllotError('INVALID_INPUT', `${what} must be an instant in epoch milliseconds`, {
      details: { [what]: value },
    });
  return value;
}

function costOf(cost: NewCreditGrant['cost']): CreditMoney | null {
  if (cost === undefined || cost === null) return null;
  const m = money(nonNegativeAmount(cost.amount, 'cost.amount'), cost.currency);
  return { amount: decimalString(m.amount), currency: m.currency };
}

/**
 * Adds a grant to the pool at `now`. One that is effective by `now` takes effect at once
 * (`CREDITS_GRANTED`) and first pays off any debt (a `DEBT_SETTLED` pair); one with a later
 * `effectiveAt` is scheduled and does both when {@link advancePool} reaches it. With a
 * `recurrence`, the grant is refilled to its amount at every boundary after it takes effect
 * (paying debt first each time) until it expires or is voided.
 *
 * Throws INVALID_INPUT for an amount not above 0, a priority that is not an integer of at least 0,
 * an unknown grant type, an `expireAt` not after both `effectiveAt` and `now`, or a recurrence or
 * rollover rule that is not one (see recurrence.ts, rollover.ts); and CREDIT_GRANT_ALREADY_EXISTS
 * (see credit-errors) for an id the pool already holds.
 *
 * @example
 * const { pool: next, entries } = grantCredits(pool, {
 *   id: 'g1', grantType: 'PAID', amount: '50', displayName: 'Top-up', cost: { amount: '5', currency: 'USD' },
 * }, now);
 */
export function grantCredits(
  pool: CreditPool,
  grant: NewCreditGrant,
  now: number,
): CreditPoolChange & { readonly grant: CreditGrantRecord } {
  const id = requireId(grant.id, 'id');
  if (pool.grants.some((g) => g.id === id))
    throw creditError('CREDIT_GRANT_ALREADY_EXISTS', `credit grant ${id} already exists`, { grantId: id });
  if (!Object.values(CreditGrantType).includes(grant.grantType))
    throw new AllotError('INVALID_INPUT', `grantType must be PAID, PROMOTIONAL or RECURRING, got ${grant.grantType}`, {
      details: { grantType: grant.grantType },
    });
  const amount = positiveAmount(grant.amount, 'amount');
  const priority = grant.priority ?? DEFAULT_GRANT_PRIORITY;
  if (!Number.isSafeInteger(priority) || priority < 0)
    throw new AllotError('INVALID_INPUT', `priority must be an integer of at least 0, got ${priority}`, {
      details: { priority },
    });
  const effectiveAt = requireInstant(grant.effectiveAt ?? now, 'effectiveAt');
  const expireAt =
    grant.expireAt === undefined || grant.expireAt === null ? null : requireInstant(grant.expireAt, 'expireAt');
  if (expireAt !== null && expireAt <= effectiveAt)
    throw new AllotError('INVALID_INPUT', 'expireAt must be after effectiveAt', { details: { effectiveAt, expireAt } });
  if (expireAt !== null && expireAt <= now)
    throw new AllotError('INVALID_INPUT', 'expireAt must be in the future', { details: { expireAt, now } });
  if (typeof grant.displayName !== 'string')
    throw new AllotError('INVALID_INPUT', 'displayName must be a string', {
      details: { displayName: grant.displayName },
    });
  const recurrence = grant.recurrence ? requireRecurrence(grant.recurrence) : null;
  const rollover = grant.rollover ? requireRolloverRule(grant.rollover) : null;

  const record: CreditGrantRecord = {
    id,
    customerId: pool.customerId,
    currencyId: pool.currencyId,
    resourceId: pool.resourceId,
    grantType: grant.grantType,
    amount: decimalString(amount),
    consumed: '0',
    priority,
    effectiveAt,
    expireAt,
    cost: costOf(grant.cost),
    displayName: grant.displayName,
    comment: grant.comment ?? null,
    metadata: { ...grant.metadata },
    source: grant.source ?? null,
    recurrence,
    rollover,
    createdAt: now,
    updatedAt: now,
    activatedAt: null,
    refilledAt: null,
    expiredAt: null,
    voidedAt: null,
  };
  const change = advancePool({ ...pool, grants: [...pool.grants, record] }, now);
  return { ...change, grant: change.pool.grants[change.pool.grants.length - 1] as CreditGrantRecord };
}

/**
 * Consumes `amount` credits at `now`, drawing from the live grants in burn order (see
 * burn-order.ts), with one `CREDITS_CONSUMED` entry per grant touched. Scheduled, expired and
 * voided grants are never touched. When the live grants hold less than `amount`, it throws
 * INSUFFICIENT_CREDITS (see credit-errors; nothing changes) unless `allowDebt`, in which case the
 * live grants are emptied and the rest becomes debt (`DEBT_CREATED`), which the next grant to take
 * effect or be refilled pays off first.
 *
 * @example consumeCredits(pool, { id: 'use-1', amount: '60', featureId: 'gpt-4' }, now).entries
 */
export function consumeCredits(
  pool: CreditPool,
  consumption: CreditConsumption,
  now: number,
  options: ConsumeOptions = {},
): CreditPoolChange & { readonly debtCreated: string } {
  const id = requireId(consumption.id, 'id');
  const amount = positiveAmount(consumption.amount, 'amount');
  const advanced = advancePool(pool, now);
  const grants = [...advanced.pool.grants];
  const live = grants
    .map((grant, index) => ({ grant, index, remaining: dec(grant.amount).minus(grant.consumed) }))
    .filter((g) => isLiveGrant(g.grant) && g.remaining.gt(0))
    .sort((a, b) => compareBurnOrder(a.grant, b.grant));
  const available = sumOf(live.map((g) => g.remaining));
  if (amount.gt(available) && !options.allowDebt) {
    const currentBalance = decimalString(available.minus(advanced.pool.debt));
    throw creditError(
      'INSUFFICIENT_CREDITS',
      `insufficient credits: ${decimalString(amount)} requested, balance ${currentBalance}`,
      { requested: decimalString(amount), currentBalance, ...keyOf(pool) },
    );
  }

  const context = {
    eventId: id,
    ...(consumption.idempotencyKey === undefined ? {} : { idempotencyKey: consumption.idempotencyKey }),
    ...(consumption.featureId === undefined ? {} : { featureId: consumption.featureId }),
    ...(consumption.dimensions === undefined ? {} : { dimensions: { ...consumption.dimensions } }),
  };
  const entries = [...advanced.entries];
  let left = amount;
  for (const { grant, index, remaining } of live) {
    if (left.isZero()) break;
    const take = Decimal.min(left, remaining);
    left = left.minus(take);
    grants[index] = { ...grant, consumed: decimalString(dec(grant.consumed).plus(take)), updatedAt: now };
    entries.push(
      ledgerEntry(pool, {
        id: `${id}:${grant.id}`,
        grantId: grant.id,
        eventType: 'CREDITS_CONSUMED',
        amount: take.neg(),
        at: now,
        ...context,
      }),
    );
  }
  if (left.gt(0))
    entries.push(
      ledgerEntry(pool, {
        id: `${id}:debt`,
        grantId: null,
        eventType: 'DEBT_CREATED',
        amount: left.neg(),
        at: now,
        ...context,
      }),
    );
  const debt = decimalString(dec(advanced.pool.debt).plus(left));
  return { pool: { ...advanced.pool, grants, debt }, entries, debtCreated: decimalString(left) };
}

/**
 * Voids a grant at `now`: its remainder leaves the balance at once (`CREDITS_VOIDED`, 0 for a
 * scheduled or used-up grant) and it is never consumed again. A spent grant the pool let go (see
 * {@link compactPool}) is voided from `stored`, its record as stored, and leaves `spent`. Throws
 * CREDIT_GRANT_NOT_FOUND for an id the pool does not hold, CREDIT_GRANT_VOIDED for one already
 * voided and CREDIT_GRANT_EXPIRED for one already expired (see credit-errors).
 *
 * @example voidGrant(pool, 'g1', now).entries // [{ eventType: 'CREDITS_VOIDED', amount: '-10', ... }]
 */
export function voidGrant(
  pool: CreditPool,
  grantId: string,
  now: number,
  stored?: CreditGrantRecord,
): CreditPoolChange & { readonly grant: CreditGrantRecord } {
  const advanced = advancePool(pool, now);
  const index = advanced.pool.grants.findIndex((g) => g.id === grantId);
  const spentGrant =
    index === -1 && stored?.id === grantId && creditPoolKey(stored) === creditPoolKey(pool) && isSpentGrant(stored)
      ? stored
      : undefined;
  const grant = advanced.pool.grants[index] ?? spentGrant;
  if (grant === undefined)
    throw creditError('CREDIT_GRANT_NOT_FOUND', `credit grant ${grantId} not found`, {
      grantId,
      ...keyOf(pool),
    });
  if (grant.voidedAt !== null)
    throw creditError('CREDIT_GRANT_VOIDED', `credit grant ${grantId} is already voided`, { grantId });
  // A spent grant's expiry is never recorded on it: its credits just leave `spent`.
  if (grant.expiredAt !== null || (spentGrant?.expireAt != null && spentGrant.expireAt <= now))
    throw creditError('CREDIT_GRANT_EXPIRED', `credit grant ${grantId} has expired`, { grantId });
  const remainder = grant.activatedAt === null ? new Decimal(0) : dec(grant.amount).minus(grant.consumed);
  const voided: CreditGrantRecord = { ...grant, voidedAt: now, updatedAt: now };
  const grants = spentGrant ? [...advanced.pool.grants, voided] : advanced.pool.grants.with(index, voided);
  const entry = ledgerEntry(pool, {
    id: `${grant.id}:voided`,
    grantId: grant.id,
    eventType: 'CREDITS_VOIDED',
    amount: remainder.neg(),
    at: now,
  });
  const spent = spentGrant
    ? changeSpent(advanced.pool.spent, [{ amount: dec(spentGrant.amount).neg(), expireAt: spentGrant.expireAt }])
    : advanced.pool.spent;
  return {
    pool: { ...advanced.pool, grants, spent },
    entries: [...advanced.entries, entry],
    grant: voided,
  };
}

/**
 * The pool's balance at `now`, as if {@link advancePool} had run (the pool passed in may be
 * behind). `currentBalance` equals the sum of the pool's ledger, `totalGranted − totalConsumed`.
 *
 * @example balance(pool, now).currentBalance // '130'
 */
export function balance(pool: CreditPool, now: number): CreditBalance {
  const advanced = advancePool(pool, now).pool;
  const { grants, debt, spent, schedule } = advanced;
  // Spent grants are used up: each counts its amount as granted and as consumed.
  let granted = dec(spent.total);
  let consumed = dec(spent.total);
  let scheduled = new Decimal(0);
  let nextChangeAt: number | null = spent.expiring[0]?.at ?? null;
  const consider = (t: number) => {
    if (nextChangeAt === null || t < nextChangeAt) nextChangeAt = t;
  };
  for (const g of grants) {
    if (isLiveGrant(g)) {
      granted = granted.plus(g.amount);
      consumed = consumed.plus(g.consumed);
      if (g.expireAt !== null) consider(g.expireAt);
      const refill = g.recurrence !== null && dec(g.consumed).gt(0) ? boundaryAfter(g.recurrence, now) : null;
      if (refill !== null && (g.expireAt === null || refill < g.expireAt)) consider(refill);
    } else if (g.activatedAt === null && g.voidedAt === null && g.expiredAt === null) {
      scheduled = scheduled.plus(g.amount);
      consider(Math.max(g.effectiveAt, g.createdAt));
    }
  }
  if (schedule !== null) {
    const reset = boundaryAfter(schedule.recurrence, now);
    if (scheduledResetChanges(advanced, reset)) consider(reset);
  }
  const totalConsumed = consumed.plus(debt);
  return {
    currentBalance: decimalString(granted.minus(totalConsumed)),
    totalGranted: decimalString(granted),
    totalConsumed: decimalString(totalConsumed),
    debt: decimalString(dec(debt)),
    scheduled: decimalString(scheduled),
    nextChangeAt,
  };
}
