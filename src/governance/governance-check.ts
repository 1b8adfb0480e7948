// Whether a request fits every budget above the entities it is made for.

import { AllotError } from '../errors.js';
import { AccessDeniedReason } from '../model/enums.js';
import { nonNegativeAmount } from '../money/amount.js';
import type { DecimalValue } from '../money/money.js';
import { type BudgetStatus, budgetAmounts, statusOf } from './budget-status.js';
import { budgetWindow } from './budget-window.js';
import { entitiesOnPaths, entityNotFound, type GovernanceIndex } from './governance-index.js';

/** A request to check: `requestedAmount` more of a capability for the listed entities. */
export interface GovernanceCheck {
  /** One or more entities the request is made for; their paths to the root are all checked. */
  readonly entityIds: readonly string[];
  readonly capabilityId: string;
  /** 0 or more; default 0 (then only an exhausted budget, usage above its limit, denies). */
  readonly requestedAmount?: DecimalValue;
}

/** The answer of a governance check (`allot.governance.check`). */
export interface GovernanceCheckResult {
  hasAccess: boolean;
  accessDeniedReason: typeof AccessDeniedReason.BudgetExceeded | null;
  /** Every budget that denies, nearest entity first. */
  deniedBy: BudgetStatus[];
  /** Every budget evaluated, each once, nearest entity first. */
  budgets: BudgetStatus[];
}

/**
 * Grants when every budget for the capability on every listed entity's path to its root allows
 * `currentUsage + requestedAmount <= limit`; no budget on the paths grants. Decimal-exact.
 * No entity listed: INVALID_INPUT. Unknown entity: ENTITY_NOT_FOUND with `details.entityId`.
 *
 * @example
 * checkGovernance(index, { entityIds: ['user-1'], capabilityId: 'ai-tokens', requestedAmount: 50 }, now)
 * // { hasAccess: false, accessDeniedReason: 'BudgetExceeded', deniedBy: [acme's budget], budgets: [...] }
 */
export function checkGovernance(index: GovernanceIndex, check: GovernanceCheck, now: number): GovernanceCheckResult {
  const requested = nonNegativeAmount(check.requestedAmount ?? 0, 'requestedAmount');
  if (check.entityIds.length === 0) throw new AllotError('INVALID_INPUT', 'entityIds must name at least one entity');
  for (const entityId of check.entityIds) if (!index.entities.has(entityId)) throw entityNotFound(entityId);
  const budgets: BudgetStatus[] = [];
  const deniedBy: BudgetStatus[] = [];
  for (const entityId of entitiesOnPaths(index, check.entityIds)) {
    const budget = index.budgets.get(entityId)?.get(check.capabilityId);
    if (budget === undefined) continue;
    const window = budgetWindow(budget, now);
    const amounts = budgetAmounts(index, budget, window);
    const status = statusOf(budget, window, amounts);
    budgets.push(status);
    if (requested.gt(amounts.room)) deniedBy.push(status);
  }
  const hasAccess = deniedBy.length === 0;
  return {
    hasAccess,
    accessDeniedReason: hasAccess ? null : AccessDeniedReason.BudgetExceeded,
    deniedBy,
    budgets,
  };
}
