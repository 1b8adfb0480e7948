import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/money/money.js';
import { thresholdProgress, type UsageThreshold } from '../../src/pricing/progressive-billing.js';
import { fc } from './helpers.js';

const view = (thresholds: readonly UsageThreshold[], usage: number) =>
  thresholdProgress(thresholds, usage).map((t) => [
    t.amount.toNumber(),
    t.completionRatio.toNumber(),
    t.reached,
    t.timesReached,
  ]);

// Lago, spec/services/lifetime_usages/usage_thresholds_completion_service_spec.rb (amounts in cents there).
describe('thresholdProgress', () => {
  it("matches Lago's completion of fixed thresholds", () => {
    expect(view([{ amount: '100' }], 23)).toEqual([[100, 0.23, false, 0]]);
    expect(view([{ amount: '100' }, { amount: '200' }], 120)).toEqual([
      [100, 1, true, 1],
      [200, 0.2, false, 0],
    ]);
    expect(view([{ amount: '200' }, { amount: '100' }], 223)).toEqual([
      [100, 1, true, 1],
      [200, 1, true, 1],
    ]);
  });

  it("matches Lago's recurring threshold after the largest fixed one", () => {
    const thresholds = [{ amount: '100' }, { amount: '200', recurring: true }];
    expect(view(thresholds, 120)).toEqual([
      [100, 1, true, 1],
      [300, 0.1, false, 0],
    ]);
    // Lago lists 300, 500 and 700 as reached, then 900 at 0.115.
    expect(view(thresholds, 723)).toEqual([
      [100, 1, true, 1],
      [900, 0.115, true, 3],
    ]);
    expect(view(thresholds, 50)).toEqual([
      [100, 0.5, false, 0],
      [300, 0, false, 0],
    ]);
    expect(view([{ amount: '50', recurring: true }], -10)).toEqual([[50, 0, false, 0]]);
  });

  it('properties: ratios within [0, 1], reached exactly at or below the usage', () => {
    const cents = fc.integer({ min: 1, max: 100_000 }).map((n) => new Decimal(n).div(100).toString());
    fc.assert(
      fc.property(
        fc.uniqueArray(cents, { maxLength: 5 }),
        fc.option(cents, { nil: undefined }),
        fc.integer({ min: 0, max: 2_000_000 }),
        (fixed, recurring, usage) => {
          const list: UsageThreshold[] = [
            ...fixed.map((amount) => ({ amount })),
            ...(recurring ? [{ amount: recurring, recurring: true }] : []),
          ];
          const used = new Decimal(usage).div(100);
          const progress = thresholdProgress(list, used);
          expect(progress).toHaveLength(list.length);
          for (const t of progress) {
            expect(t.completionRatio.gte(0) && t.completionRatio.lte(1)).toBe(true);
            if (!t.recurring) expect(t.reached).toBe(t.amount.lte(used));
            else expect(t.amount.gt(used)).toBe(true);
          }
        },
      ),
    );
  });
});
