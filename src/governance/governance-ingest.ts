// Usage counted into every budget above the entities it was used for, all or nothing per batch.

import { AllotError } from '../errors.js';
import { dec, decimalString, positiveAmount } from '../money/amount.js';
import type { Decimal, DecimalValue } from '../money/money.js';
import { type BudgetWindow, budgetWindow } from './budget-window.js';
import { entitiesOnPaths, entityNotFound, type GovernanceIndex, usageWindows } from './governance-index.js';
import type { GovernanceBudgetRecord, GovernanceUsageRecord } from './governance-records.js';

/** `amount` of a capability used on behalf of `entityIds`, counted in the window current at `now`. */
export interface GovernanceUsageEvent {
  /** One or more entities; every budget on their paths to the root counts the event once. */
  readonly entityIds: readonly string[];
  readonly capabilityId: string;
  /** Greater than 0. */
  readonly amount: DecimalValue;
}

/** The index after an ingest, and the usage rows it changed. */
export interface GovernanceIngested {
  readonly index: GovernanceIndex;
  /**
   * Each changed or created row with its new absolute amount, in first-touched order: safe to
   * write over the stored row, since every event lands in a current window, which the index holds.
   */
  readonly usage: readonly GovernanceUsageRecord[];
}

interface Touch {
  readonly window: BudgetWindow;
  added: Decimal;
}

/**
 * Adds each event's amount to every budget for its capability on the paths of its entities, once
 * per budget even when two listed entities share ancestors. Entities without such budgets change
 * nothing. All events are validated first: an unknown entity throws ENTITY_NOT_FOUND with
 * `details.index` the event's position; a bad amount throws INVALID_INPUT. The index drops the
 * windows of touched budgets that ended by `now`, so it does not grow with past periods.
 *
 * @example
 * ingestGovernance(index, [{ entityIds: ['user-1'], capabilityId: 'ai-tokens', amount: '12.5' }], now).usage
 * // one row each for user-1's, team-a's and acme's budgets
 */
export function ingestGovernance(
  index: GovernanceIndex,
  events: readonly GovernanceUsageEvent[],
  now: number,
): GovernanceIngested {
  const amounts = events.map((event, i) => validated(index, event, i));
  // Keyed by budget record: one record per (entity, capability) in an index, one window at `now`.
  const touched = new Map<GovernanceBudgetRecord, Touch>();
  events.forEach((event, i) => {
    const amount = amounts[i] as Decimal;
    for (const entityId of entitiesOnPaths(index, event.entityIds)) {
      const budget = index.budgets.get(entityId)?.get(event.capabilityId);
      if (budget === undefined) continue;
      const touch = touched.get(budget);
      if (touch === undefined) touched.set(budget, { window: budgetWindow(budget, now), added: amount });
      else touch.added = touch.added.plus(amount);
    }
  });
  if (touched.size === 0) return { index, usage: [] };

  const usage = new Map(index.usage);
  const written: GovernanceUsageRecord[] = [];
  for (const [{ entityId, capabilityId }, { window, added }] of touched) {
    const before = usageWindows(index, entityId, capabilityId);
    const after = new Map<string, GovernanceUsageRecord>();
    for (const [key, record] of before) if (record.periodEnd === null || record.periodEnd > now) after.set(key, record);
    const record: GovernanceUsageRecord = {
      ownerId: index.ownerId,
      entityId,
      capabilityId,
      window: window.key,
      periodEnd: window.periodEnd,
      amount: decimalString(dec(before.get(window.key)?.amount ?? 0).plus(added)),
    };
    after.set(window.key, record);
    written.push(record);
    usage.set(entityId, new Map(usage.get(entityId)).set(capabilityId, after));
  }
  return { index: { ...index, usage }, usage: written };
}

function validated(index: GovernanceIndex, event: GovernanceUsageEvent, i: number): Decimal {
  if (event.entityIds.length === 0)
    throw new AllotError('INVALID_INPUT', `event ${i} must name at least one entity`, { details: { index: i } });
  for (const entityId of event.entityIds)
    if (!index.entities.has(entityId)) throw entityNotFound(entityId, { index: i });
  return positiveAmount(event.amount, `events[${i}].amount`);
}
