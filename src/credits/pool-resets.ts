// Resetting a credit pool by hand, and setting the schedule it resets on by itself.
import { AllotError } from '../errors.js';
import { decimalString } from '../money/amount.js';
import { advancePool, type CreditPool, type CreditPoolChange } from './credit-pool.js';
import { resetTimeline } from './pool-timeline.js';
import type { Recurrence } from './recurrence.js';
import { OverageAtReset, type RolloverRule, requireResetSchedule, requireRolloverRule } from './rollover.js';

/** A reset by hand. */
export interface PoolResetRequest {
  /** Unique per reset; it names the reset's ledger entries. */
  readonly id: string;
  /** For grants without a rule of their own; absent: the schedule's, else nothing of theirs rolls over. */
  readonly rollover?: RolloverRule | undefined;
  /** Absent: the schedule's, else CARRY. */
  readonly overage?: OverageAtReset | undefined;
  /** True: the schedule's boundaries count from this reset from now on. */
  readonly moveAnchor?: boolean | undefined;
}

/** What a reset did, as decimal strings. */
export interface PoolResetSummary {
  /** What the live grants kept. */
  readonly rolledOver: string;
  /** What was taken from them. */
  readonly forfeited: string;
  readonly debtForgiven: string;
  /** The debt left, to be repaid by the next credits. */
  readonly debt: string;
}

/**
 * Resets the pool at `now`, after every transition due by then: each live grant keeps what its
 * rollover rule lets it (the request's, or the schedule's, for grants without one; nothing without
 * any), the rest leaves the balance (`CREDITS_RESET`); debt is forgiven (`DEBT_FORGIVEN`) or kept
 * to be repaid first by the next grants and refills. Never adds credits. With `moveAnchor`, the
 * pool's schedule counts its boundaries from `now`.
 *
 * @example resetPool(pool, { id: 'reset-1', rollover: { maxAmount: '50' }, overage: 'FORGIVE' }, now).summary
 */
export function resetPool(
  pool: CreditPool,
  request: PoolResetRequest,
  now: number,
): CreditPoolChange & { readonly summary: PoolResetSummary } {
  const overage = request.overage ?? pool.schedule?.overage ?? OverageAtReset.Carry;
  if (!Object.values(OverageAtReset).includes(overage))
    throw new AllotError('INVALID_INPUT', 'overage must be CARRY or FORGIVE', { details: { overage } });
  const rollover = request.rollover === undefined ? null : requireRolloverRule(request.rollover);
  const advanced = advancePool(pool, now);
  const { schedule } = advanced.pool;
  const reset = resetTimeline(
    pool,
    advanced.pool,
    { id: request.id, rollover: rollover ?? schedule?.rollover ?? null, overage },
    now,
  );
  const moved =
    request.moveAnchor && schedule !== null
      ? { ...schedule, recurrence: { ...schedule.recurrence, anchor: now }, resetAfter: now }
      : schedule;
  return {
    pool: { ...advanced.pool, grants: reset.grants, debt: reset.debt, schedule: moved },
    entries: [...advanced.entries, ...reset.entries],
    summary: {
      rolledOver: decimalString(reset.kept),
      forfeited: decimalString(reset.cut),
      debtForgiven: decimalString(reset.forgiven),
      debt: reset.debt,
    },
  };
}

/** A schedule to save: the pool resets at every boundary of `recurrence` after it is saved. */
export interface PoolResetRules {
  readonly recurrence: Recurrence;
  /** For grants without a rule of their own; null: nothing of theirs rolls over. */
  readonly rollover: RolloverRule | null;
  readonly overage: OverageAtReset;
}

/**
 * Sets (or, with null, removes) the pool's reset schedule at `now`, after every transition due by
 * then under the old one: the new schedule resets at its boundaries after `now`.
 *
 * @example schedulePoolResets(pool, { recurrence: { interval: 'MONTH', intervalCount: 1, anchor: now }, rollover: null, overage: 'FORGIVE' }, now)
 */
export function schedulePoolResets(pool: CreditPool, rules: PoolResetRules | null, now: number): CreditPoolChange {
  const schedule = rules === null ? null : requireResetSchedule({ ...rules, resetAfter: now });
  const advanced = advancePool(pool, now);
  return { pool: { ...advanced.pool, schedule }, entries: advanced.entries };
}
