// The window a budget counts usage in: one reset period, or all time for a budget that never resets.
import { usagePeriod } from '../core/reset-period.js';
import type { GovernanceBudgetRecord } from './governance-records.js';

/** The window key of a budget that never resets. */
export const ALL_TIME = 'all';

/** A budget's window: `[periodStart, periodEnd)` in epoch ms, both null for all time. */
export interface BudgetWindow {
  /**
   * `periodStart:periodEnd`, or {@link ALL_TIME}: the usage record's `window`. Both bounds, since a
   * budget whose period changed may start a window where an ended one started.
   */
  readonly key: string;
  readonly periodStart: number | null;
  readonly periodEnd: number | null;
}

const FOREVER: BudgetWindow = Object.freeze({ key: ALL_TIME, periodStart: null, periodEnd: null });

/** What a budget's window depends on. */
type WindowRule = Pick<GovernanceBudgetRecord, 'resetPeriod' | 'resetIntervalCount' | 'anchor'>;

/**
 * The window of `budget` that contains `at`: boundaries are `anchor + k × resetIntervalCount ×
 * resetPeriod`, so a changed anchor, period or count starts new windows by itself.
 *
 * @example
 * budgetWindow({ resetPeriod: 'DAY', resetIntervalCount: 1, anchor: Date.parse('2025-01-01T06:00:00Z') }, Date.parse('2025-01-03T01:00:00Z'))
 * // { key: '1735797600000:1735884000000', periodStart: 2025-01-02T06:00Z, periodEnd: 2025-01-03T06:00Z (epoch ms) }
 */
export function budgetWindow(budget: WindowRule, at: number): BudgetWindow {
  if (budget.resetPeriod === null) return FOREVER;
  // Calendar arithmetic costs microseconds; a warm check reuses the window while `at` is inside it.
  const last = lastWindow.get(budget);
  if (last !== undefined && at >= (last.periodStart ?? at) && at < (last.periodEnd ?? at)) return last;
  const { start, end } = usagePeriod(budget.resetPeriod, budget.anchor, at, budget.resetIntervalCount);
  const window: BudgetWindow = Object.freeze({ key: `${start}:${end}`, periodStart: start, periodEnd: end });
  lastWindow.set(budget, window);
  return window;
}

/** The window each budget record was last asked about; records are immutable, so it never goes stale. */
const lastWindow = new WeakMap<WindowRule, BudgetWindow>();
