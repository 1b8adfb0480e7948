// What a budget has used and has left in the window containing `now`, computed with decimals and
// reported as numbers, like the credit entitlement results.
import type { EntitlementResetPeriod } from '../core/enums.js';
import { dec, decimalString } from '../credits/credit-amount.js';
import { Decimal } from '../pricing/money.js';
import { type BudgetWindow, budgetWindow } from './budget-window.js';
import { type GovernanceIndex, usageWindows } from './governance-index.js';
import type { GovernanceBudgetRecord } from './governance-records.js';

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
  return decimalString(usageIn(index, budget, budgetWindow(budget, now)));
}

/**
 * The status of `budget` at `now`.
 *
 * @example budgetStatus(index, teamBudget, now) // { limit: 1000, currentUsage: 120.5, remaining: 879.5, ... }
 */
export function budgetStatus(index: GovernanceIndex, budget: GovernanceBudgetRecord, now: number): BudgetStatus {
  const window = budgetWindow(budget, now);
  return statusOf(budget, window, usageIn(index, budget, window));
}

/** The usage of `budget` recorded in `window` (0 when none). */
export function usageIn(index: GovernanceIndex, budget: GovernanceBudgetRecord, window: BudgetWindow): Decimal {
  const record = usageWindows(index, budget.entityId, budget.capabilityId).get(window.key);
  return record === undefined ? ZERO : dec(record.amount);
}

/** The status of `budget` given its window, its usage there and its limit. */
export function statusOf(
  budget: GovernanceBudgetRecord,
  window: BudgetWindow,
  usage: Decimal,
  limit: Decimal = dec(budget.limit),
): BudgetStatus {
  return {
    entityId: budget.entityId,
    capabilityId: budget.capabilityId,
    limit: limit.toNumber(),
    currentUsage: usage.toNumber(),
    remaining: Decimal.max(limit.minus(usage), 0).toNumber(),
    resetPeriod: budget.resetPeriod,
    periodStart: window.periodStart === null ? null : new Date(window.periodStart),
    periodEnd: window.periodEnd === null ? null : new Date(window.periodEnd),
  };
}

const ZERO = new Decimal(0);
