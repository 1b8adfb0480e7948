// What usage or an event would cost in credits, shaped as the reference's estimates; nothing is
// written. Costs come from the pure credit-cost module, balances from the customer's cached pools.

import type { FeatureCreditRate } from '../catalog/credit-schema.js';
import { type CreditCost, combineCreditCosts, estimateCreditCost, usageCreditCost } from '../credits/credit-cost.js';
import { Decimal } from '../money/money.js';

/** Why a request could not be estimated, or only in part. */
export type EstimationRequestWarning = 'FEATURE_NOT_CREDIT_BASED' | 'FEATURE_NOT_FOUND';

/** One credit-backed feature the usage would reach, and the units it would add (null: cannot be known ahead). */
export interface CostItem {
  readonly featureId: string;
  readonly rate: FeatureCreditRate;
  /** The pool's scope: where the feature's usage counts. */
  readonly scope: string | null;
  readonly units: Decimal | number | null;
}

/** The cost in one currency and what it would leave. */
export interface CreditCostEstimate {
  currencyId: string;
  estimatedCost: number;
  currentBalance: number;
  balanceAfterEstimate: number;
  /** True when the balance could not cover it: the usage would put the pool into debt. */
  wouldOverdraft: boolean;
  breakdown: { featureId: string; cost: number; warningCode: 'UNSUPPORTED_AGGREGATION' | null }[];
}

export interface CreditCostEstimates {
  estimates: CreditCostEstimate[];
  warnings: EstimationRequestWarning[];
}

/**
 * One estimate per currency the items draw, in the order first drawn. An item whose units
 * cannot be known ahead (a MIN or AVG meter) costs 0 and says UNSUPPORTED_AGGREGATION.
 */
export function creditCostEstimates(
  items: readonly CostItem[],
  balanceOf: (currencyId: string, scope: string | null) => Decimal,
): CreditCostEstimate[] {
  const costs: CreditCost[] = items.map((i) => usageCreditCost(Decimal.max(0, i.units ?? 0), i.rate));
  return combineCreditCosts(costs).map((total) => {
    const mine = items.filter((i) => i.rate.currencyId === total.currencyId);
    const estimate = estimateCreditCost(total, balanceOf(total.currencyId, mine[0]?.scope ?? null));
    return {
      currencyId: total.currencyId,
      estimatedCost: Number(estimate.credits),
      currentBalance: Number(estimate.balanceBefore),
      balanceAfterEstimate: Number(estimate.balanceAfter),
      wouldOverdraft: estimate.wouldOverdraft,
      breakdown: mine.map((i) => ({
        featureId: i.featureId,
        cost: Number(costs[items.indexOf(i)]?.credits ?? 0),
        warningCode: i.units === null ? 'UNSUPPORTED_AGGREGATION' : null,
      })),
    };
  });
}
