// Changes to the budgets of an owner's entities, all or nothing per batch.

import { AllotError } from '../errors.js';
import { EntitlementResetPeriod } from '../model/enums.js';
import { isIntervalCount, MAX_INTERVAL_COUNT } from '../model/interval-count.js';
import { decimalString, nonNegativeAmount } from '../money/amount.js';
import type { DecimalValue } from '../money/money.js';
import { entityNotFound, type GovernanceIndex } from './governance-index.js';
import type { GovernanceBudgetRecord, GovernanceUsageRecord } from './governance-records.js';

/** A budget to create or replace. */
export interface BudgetSet {
  readonly entityId: string;
  readonly capabilityId: string;
  /** 0 or more: a 0 limit denies every request above 0. */
  readonly limit: DecimalValue;
  /** Null or absent: never resets. */
  readonly resetPeriod?: EntitlementResetPeriod | null;
  /** How many `resetPeriod`s one window spans (every 2 WEEKs); 1 when absent. Needs a reset period. */
  readonly resetIntervalCount?: number;
  /** Where period boundaries count from; default `now` for a new budget, unchanged for an existing one. */
  readonly anchor?: number;
}

/** The index after setting budgets, and the budget records to write. */
export interface BudgetsSet {
  readonly index: GovernanceIndex;
  readonly written: readonly GovernanceBudgetRecord[];
}

/** The index after removing a budget, and the rows to delete. */
export interface BudgetRemoved {
  readonly index: GovernanceIndex;
  readonly removed: GovernanceBudgetRecord;
  /** The usage the index held; the store should delete every usage row of (entity, capability). */
  readonly removedUsage: readonly GovernanceUsageRecord[];
}

const PERIODS: ReadonlySet<unknown> = new Set(Object.values(EntitlementResetPeriod));

/**
 * Creates or replaces budgets, all or nothing. Refuses an unknown entity (ENTITY_NOT_FOUND), a
 * negative or malformed limit, an unknown reset period, a bad interval count or anchor and one (entity, capability)
 * twice in a batch (INVALID_INPUT); every error names the failing input's position.
 * Replacing keeps `createdAt`, and `anchor` unless given. Usage is untouched: a changed period or
 * anchor counts in new windows by itself.
 *
 * @example
 * setBudgets(index, [{ entityId: 'acme', capabilityId: 'ai-tokens', limit: '5000', resetPeriod: 'MONTH' }], now)
 */
export function setBudgets(index: GovernanceIndex, inputs: readonly BudgetSet[], now: number): BudgetsSet {
  const seen = new Set<string>();
  const written = inputs.map((input, i): GovernanceBudgetRecord => {
    const { entityId, capabilityId } = input;
    if (!index.entities.has(entityId)) throw entityNotFound(entityId, { index: i });
    const key = JSON.stringify([entityId, capabilityId]);
    if (seen.has(key)) throw invalid(`budget ${entityId}/${capabilityId} appears twice in one batch`, i, input);
    seen.add(key);
    const resetPeriod = input.resetPeriod ?? null;
    if (resetPeriod !== null && !PERIODS.has(resetPeriod))
      throw invalid(`resetPeriod must be one of ${[...PERIODS].join(', ')} or null`, i, input);
    const resetIntervalCount = input.resetIntervalCount ?? 1;
    if (!isIntervalCount(resetIntervalCount))
      throw invalid(`resetIntervalCount must be a whole number from 1 to ${MAX_INTERVAL_COUNT}`, i, input);
    if (resetIntervalCount !== 1 && resetPeriod === null)
      throw invalid('resetIntervalCount counts reset periods: give a resetPeriod', i, input);
    if (input.anchor !== undefined && !Number.isSafeInteger(input.anchor))
      throw invalid('anchor must be an instant in whole epoch milliseconds', i, input);
    const limit = decimalString(nonNegativeAmount(input.limit, `budgets[${i}].limit`));
    const old = index.budgets.get(entityId)?.get(capabilityId);
    return {
      ownerId: index.ownerId,
      entityId,
      capabilityId,
      limit,
      resetPeriod,
      resetIntervalCount,
      anchor: input.anchor ?? old?.anchor ?? now,
      createdAt: old?.createdAt ?? now,
      updatedAt: now,
    };
  });
  const budgets = new Map(index.budgets);
  for (const b of written) budgets.set(b.entityId, new Map(budgets.get(b.entityId)).set(b.capabilityId, b));
  return { index: { ...index, budgets }, written };
}

/**
 * Removes one budget and its usage; BUDGET_NOT_FOUND when the entity has none for the capability.
 *
 * @example removeBudget(index, 'acme', 'ai-tokens').removed.limit // '5000'
 */
export function removeBudget(index: GovernanceIndex, entityId: string, capabilityId: string): BudgetRemoved {
  const byCapability = index.budgets.get(entityId);
  const removed = byCapability?.get(capabilityId);
  if (byCapability === undefined || removed === undefined)
    throw new AllotError('BUDGET_NOT_FOUND', `entity ${entityId} has no budget for ${capabilityId}`, {
      details: { entityId, capabilityId },
    });
  const budgets = new Map(index.budgets);
  const rest = new Map(byCapability);
  rest.delete(capabilityId);
  if (rest.size > 0) budgets.set(entityId, rest);
  else budgets.delete(entityId);

  const usageByCapability = index.usage.get(entityId);
  const windows = usageByCapability?.get(capabilityId);
  let usage = index.usage;
  if (usageByCapability !== undefined && windows !== undefined) {
    const restUsage = new Map(usageByCapability);
    restUsage.delete(capabilityId);
    const next = new Map(index.usage);
    if (restUsage.size > 0) next.set(entityId, restUsage);
    else next.delete(entityId);
    usage = next;
  }
  return { index: { ...index, budgets, usage }, removed, removedUsage: [...(windows?.values() ?? [])] };
}

function invalid(message: string, index: number, input: BudgetSet): AllotError {
  return new AllotError('INVALID_INPUT', message, {
    details: { index, entityId: input.entityId, capabilityId: input.capabilityId },
  });
}
