// Progressive billing thresholds (Lago's usage thresholds): amounts of usage within a period at
// which a billing provider would invoice early. allot issues no invoices; estimates show how far
// the priced usage has come towards each.
import { Decimal, type DecimalValue } from '../money/money.js';

/** A plan's usage threshold: a fixed amount, or with `recurring` one that repeats after the largest fixed one. */
export interface UsageThreshold {
  readonly amount: string;
  readonly recurring?: boolean | undefined;
  readonly displayName?: string | undefined;
}

/** How far usage has come towards one threshold (Lago's usage threshold completion). */
export interface ThresholdProgress {
  /** The usage amount at which it is reached (for a recurring one, this occurrence's). */
  readonly amount: Decimal;
  readonly recurring: boolean;
  readonly displayName: string | undefined;
  readonly reached: boolean;
  /** From 0 to 1: the share of the way from the previous threshold to this one. */
  readonly completionRatio: Decimal;
  /** How many times it was reached: 0 or 1 for a fixed threshold, any number for a recurring one. */
  readonly timesReached: number;
}

/**
 * Each threshold's progress for a period's usage amount, as Lago computes it: fixed thresholds in
 * ascending order, those at or below the amount reached; the first one above it completed by
 * the share of the way from the previous threshold, later ones at 0 and the recurring one after
 * them at 0. Once every fixed threshold is reached, the recurring one repeats every `amount` after
 * the largest: it is shown once, at its next occurrence with its share, saying how many times it
 * was reached (Lago lists each occurrence). A negative usage amount counts as 0.
 *
 * @example thresholdProgress([{ amount: '100' }, { amount: '200', recurring: true }], 723)
 *   // 100 reached; the recurring one reached 3 times (300, 500, 700), next at 900 with 0.115
 */
export function thresholdProgress(thresholds: readonly UsageThreshold[], usage: DecimalValue): ThresholdProgress[] {
  const used = Decimal.max(0, usage);
  const entry = (t: UsageThreshold, amount: Decimal, ratio: Decimal, times = ratio.gte(1) ? 1 : 0) => ({
    amount,
    recurring: t.recurring === true,
    displayName: t.displayName,
    reached: times > 0,
    completionRatio: ratio,
    timesReached: times,
  });
  const fixed = thresholds.filter((t) => !t.recurring).sort((a, b) => new Decimal(a.amount).cmp(b.amount));
  const recurring = thresholds.find((t) => t.recurring);
  const out: ThresholdProgress[] = [];
  let last = new Decimal(0);
  let pending = false;
  for (const t of fixed) {
    const amount = new Decimal(t.amount);
    if (amount.lte(used)) {
      out.push(entry(t, amount, new Decimal(1)));
      last = amount;
    } else {
      out.push(entry(t, amount, pending ? new Decimal(0) : used.minus(last).div(amount.minus(last))));
      pending = true;
    }
  }
  if (!recurring) return out;
  const step = new Decimal(recurring.amount);
  const largest = fixed.length ? new Decimal(fixed[fixed.length - 1]?.amount ?? 0) : new Decimal(0);
  if (pending) return [...out, entry(recurring, largest.plus(step), new Decimal(0))];
  const passed = used.minus(largest).div(step).floor();
  const next = largest.plus(step.times(passed.plus(1)));
  return [...out, entry(recurring, next, used.minus(next.minus(step)).div(step), passed.toNumber())];
}
