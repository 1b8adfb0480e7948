// Usage counted into every budget above the entities it was used for, all or nothing per batch.
import { dec, decimalString, positiveAmount } from '../credits/credit-amount.js';
import { AllotError } from '../errors.js';
import type { Decimal, DecimalValue } from '../pricing/money.js';
import { type BudgetWindow, budgetWindow } from './budget-window.js';
import { entitiesOnPaths, entityNotFound, type GovernanceIndex, usageWindows } from './governance-index.js';
import type { GovernanceBudgetRecord, GovernanceUsageRecord } from './governance-records.js';

/** `amount` of a capability used on behalf of `entityIds` at `timestamp`. */
export interface GovernanceUsageEvent {
  /** One or more entities; every budget on their paths to the root counts the event once. */
  readonly entityIds: readonly string[];
  readonly capabilityId: string;
  /** Greater than 0. */
  readonly amount: DecimalValue;
  /** Epoch ms; default `now`. The event counts in the window containing it. */
  readonly timestamp?: number;
}

/** The index after an ingest, and the usage rows it changed. */
export interface GovernanceIngested {
  readonly index: GovernanceIndex;
  /**
   * Each changed or created row with its new absolute amount, in first-touched order: safe to
   * write over the stored row. A row of a window that ended by `now` and that the index no longer
   * holds is left out, since its stored amount is unknown here; `increments` has it.
   */
  readonly usage: readonly GovernanceUsageRecord[];
  /**
   * Every touched row, ended windows included, with `amount` what this batch added: what an
   * atomic `amount = amount + ?` upsert needs.
   */
  readonly increments: readonly GovernanceUsageRecord[];
}

interface Touch {
  readonly window: BudgetWindow;
  added: Decimal;
}

/**
 * Adds each event's amount to every budget for its capability on the paths of its entities, once
 * per budget even when two listed entities share ancestors. Entities without such budgets change
 * nothing. All events are validated first: an unknown entity throws ENTITY_NOT_FOUND with
 * `details.index` the event's position; a bad amount or timestamp throws INVALID_INPUT. An event
 * in an ended window still counts there (see {@link GovernanceIngested.usage}); the index drops
 * the windows of touched budgets that ended by `now`.
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
  // Windows keyed by budget record: one record per (entity, capability) in an index.
  const touched = new Map<GovernanceBudgetRecord, Map<string, Touch>>();
  events.forEach((event, i) => {
    const amount = amounts[i] as Decimal;
    const at = event.timestamp ?? now;
    for (const entityId of entitiesOnPaths(index, event.entityIds)) {
      const budget = index.budgets.get(entityId)?.get(event.capabilityId);
      if (budget === undefined) continue;
      const window = budgetWindow(budget, at);
      let windows = touched.get(budget);
      if (windows === undefined) {
        windows = new Map();
        touched.set(budget, windows);
      }
      const touch = windows.get(window.key);
      if (touch === undefined) windows.set(window.key, { window, added: amount });
      else touch.added = touch.added.plus(amount);
    }
  });
  if (touched.size === 0) return { index, usage: [], increments: [] };

  const usage = new Map(index.usage);
  const written: GovernanceUsageRecord[] = [];
  const increments: GovernanceUsageRecord[] = [];
  for (const [{ entityId, capabilityId }, windows] of touched) {
    const before = usageWindows(index, entityId, capabilityId);
    const after = new Map<string, GovernanceUsageRecord>();
    for (const [key, record] of before) if (!ended(record, now)) after.set(key, record);
    for (const [key, { window, added }] of windows) {
      const prior = before.get(key);
      const record: GovernanceUsageRecord = {
        ownerId: index.ownerId,
        entityId,
        capabilityId,
        window: key,
        periodEnd: window.periodEnd,
        amount: decimalString(dec(prior?.amount ?? 0).plus(added)),
      };
      increments.push({ ...record, amount: decimalString(added) });
      if (!ended(record, now)) after.set(key, record);
      // The index holds every window not ended when it was loaded, so only an ended window it
      // lacks may have a stored amount it cannot see.
      if (prior !== undefined || !ended(record, now)) written.push(record);
    }
    const byCapability = new Map(usage.get(entityId));
    if (after.size > 0) byCapability.set(capabilityId, after);
    else byCapability.delete(capabilityId);
    if (byCapability.size > 0) usage.set(entityId, byCapability);
    else usage.delete(entityId);
  }
  return { index: { ...index, usage }, usage: written, increments };
}

function validated(index: GovernanceIndex, event: GovernanceUsageEvent, i: number): Decimal {
  if (event.entityIds.length === 0)
    throw new AllotError('INVALID_INPUT', `event ${i} must name at least one entity`, { details: { index: i } });
  for (const entityId of event.entityIds)
    if (!index.entities.has(entityId)) throw entityNotFound(entityId, { index: i });
  if (event.timestamp !== undefined && !Number.isSafeInteger(event.timestamp))
    throw new AllotError('INVALID_INPUT', `event ${i} timestamp must be an instant in whole epoch milliseconds`, {
      details: { index: i, timestamp: event.timestamp },
    });
  return positiveAmount(event.amount, `events[${i}].amount`);
}

const ended = (record: GovernanceUsageRecord, now: number) => record.periodEnd !== null && record.periodEnd <= now;
