// What a budget has used and has left in the window containing `now`, computed with decimals and
// reported as numbers, like the credit entitlement results.
import type { EntitlementResetPeriod } from '../model/enums.js';
import { dec, decimalString } from '../money/amount.js';
import { Decimal } from '../money/money.js';
import { type BudgetWindow, budgetWindow } from './budget-window.js';
import { type GovernanceIndex, usageWindows } from './governance-index.js';
import type { GovernanceBudgetRecord, GovernanceUsageRecord } from './governance-records.js';

/** One budget at an instant, as results report it: amounts as numbers, instants as Dates. */
export interface BudgetStatus {
  entityId: string;
  capabilityId: string;
  limit: number;
  /** Usage in the current window. */
  currentUsage: number;
  /** `max(limit − currentUsage, 0)`. */
  remaining: number;
  resetPeriod: EntitlementResetPeriod | null;
  /** How many `resetPeriod`s one window spans. */
  resetIntervalCount: number;
  /** The current window's bounds; both null for a budget that never resets. */
  periodStart: Date | null;
  periodEnd: Date | null;
}

/**
 * The exact usage of `budget` in the window containing `now`, as a decimal string.
 *
 * @example budgetUsage(index, teamBudget, now) // '120.5'
 */
export function budgetUsage(index: GovernanceIndex, budget: GovernanceBudgetRecord, now: number): string {
  return decimalString(budgetAmounts(index, budget, budgetWindow(budget, now)).usage);
}

/**
 * The status of `budget` at `now`.
 *
 * @example budgetStatus(index, teamBudget, now) // { limit: 1000, currentUsage: 120.5, remaining: 879.5, ... }
 */
export function budgetStatus(index: GovernanceIndex, budget: GovernanceBudgetRecord, now: number): BudgetStatus {
  const window = budgetWindow(budget, now);
  return statusOf(budget, window, budgetAmounts(index, budget, window));
}

/** A budget's usage in one window and what follows from it, exact and as the numbers results show. */
export interface BudgetAmounts {
  readonly usage: Decimal;
  /** `limit − usage`; negative when a limit was lowered below the usage. */
  readonly room: Decimal;
  readonly limit: number;
  readonly currentUsage: number;
  /** `max(room, 0)`. */
  readonly remaining: number;
}

/**
 * The amounts of `budget` in `window`. Budget and usage records are immutable, so they are
 * memoised per budget for as long as its usage record stays the same: a warm check parses nothing.
 */
export function budgetAmounts(
  index: GovernanceIndex,
  budget: GovernanceBudgetRecord,
  window: BudgetWindow,
): BudgetAmounts {
  const record = usageWindows(index, budget.entityId, budget.capabilityId).get(window.key);
  const memo = amountsMemo.get(budget);
  if (memo !== undefined && memo.record === record) return memo.amounts;
  const limit = dec(budget.limit);
  const usage = record === undefined ? ZERO : dec(record.amount);
  const room = limit.minus(usage);
  const amounts: BudgetAmounts = {
    usage,
    room,
    limit: limit.toNumber(),
    currentUsage: usage.toNumber(),
    remaining: Decimal.max(room, 0).toNumber(),
  };
  amountsMemo.set(budget, { record, amounts });
  return amounts;
}

const amountsMemo = new WeakMap<
  GovernanceBudgetRecord,
  { readonly record: GovernanceUsageRecord | undefined; readonly amounts: BudgetAmounts }
>();

/** The status of `budget` given its window and its amounts there. */
export function statusOf(budget: GovernanceBudgetRecord, window: BudgetWindow, amounts: BudgetAmounts): BudgetStatus {
  return {
    entityId: budget.entityId,
    capabilityId: budget.capabilityId,
    limit: amounts.limit,
    currentUsage: amounts.currentUsage,
    remaining: amounts.remaining,
    resetPeriod: budget.resetPeriod,
    resetIntervalCount: budget.resetIntervalCount,
    periodStart: window.periodStart === null ? null : new Date(window.periodStart),
    periodEnd: window.periodEnd === null ? null : new Date(window.periodEnd),
  };
}

const ZERO = new Decimal(0);
