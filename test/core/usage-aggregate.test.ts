import { describe, expect, it } from 'vitest';
import {
  aggregateUsage,
  aggregationOp,
  applyUsageOp,
  EMPTY_AGGREGATE,
  type UsageAggregate,
  type UsageOp,
} from '../../src/core/usage-aggregate.js';
import { AggregationFunction, enumValues } from '../../src/model/enums.js';
import { fc } from './fc-setup.js';

const OPS: readonly UsageOp[] = ['add', 'set', 'max', 'min', 'avg'];

/** Folds `amounts` with one op from the empty aggregate. */
const fold = (op: UsageOp, amounts: readonly number[], from: UsageAggregate = EMPTY_AGGREGATE): UsageAggregate =>
  amounts.reduce((a, x) => applyUsageOp(a, op, x), from);

describe('applyUsageOp examples', () => {
  it('add accumulates and floors at zero', () => {
    expect(fold('add', [3, 4])).toEqual({ value: 7, count: 2 });
    expect(fold('add', [3, -5])).toEqual({ value: 0, count: 2 });
    // The floor is applied per step: a later add starts from zero, not from the negative sum.
    expect(fold('add', [3, -5, 4])).toEqual({ value: 4, count: 3 });
    expect(fold('add', [-1])).toEqual({ value: 0, count: 1 });
    expect(fold('add', [0])).toEqual({ value: 0, count: 1 });
    expect(fold('add', [0.1, 0.2]).value).toBeCloseTo(0.3, 12);
  });

  it('set replaces the value and floors at zero', () => {
    expect(fold('set', [10, 4])).toEqual({ value: 4, count: 2 });
    expect(fold('set', [10, -4])).toEqual({ value: 0, count: 2 });
    expect(applyUsageOp({ value: 99, count: 5 }, 'set', 7)).toEqual({ value: 7, count: 6 });
  });

  it('max starts from its first sample (floored) and keeps the largest', () => {
    expect(fold('max', [3])).toEqual({ value: 3, count: 1 });
    expect(fold('max', [3, 8, 5])).toEqual({ value: 8, count: 3 });
    expect(fold('max', [-3])).toEqual({ value: 0, count: 1 });
    expect(fold('max', [-3, -1])).toEqual({ value: 0, count: 2 });
    expect(fold('max', [-3, 2])).toEqual({ value: 2, count: 2 });
  });

  it('min starts from its first sample, not from zero, and keeps the smallest (floored)', () => {
    expect(fold('min', [7])).toEqual({ value: 7, count: 1 });
    expect(fold('min', [7, 3, 5])).toEqual({ value: 3, count: 3 });
    expect(fold('min', [7, -2])).toEqual({ value: 0, count: 2 });
    expect(fold('min', [-2, 7])).toEqual({ value: 0, count: 2 });
  });

  it('avg keeps the running sum, and reads as the mean floored at zero', () => {
    const a = fold('avg', [2, 4, 9]);
    expect(a).toEqual({ value: 15, count: 3 });
    expect(aggregateUsage(a, 'avg')).toBe(5);
    // The sum itself may go negative; only the reading is floored.
    const b = fold('avg', [-10, 4]);
    expect(b).toEqual({ value: -6, count: 2 });
    expect(aggregateUsage(b, 'avg')).toBe(0);
    expect(aggregateUsage(fold('avg', [-1, 3]), 'avg')).toBe(1);
  });

  it('leaves the input aggregate untouched', () => {
    const a: UsageAggregate = { value: 5, count: 2 };
    for (const op of OPS) applyUsageOp(a, op, -100);
    expect(a).toEqual({ value: 5, count: 2 });
    for (const op of OPS) applyUsageOp(EMPTY_AGGREGATE, op, 3);
    expect(EMPTY_AGGREGATE).toEqual({ value: 0, count: 0 });
    expect(Object.isFrozen(EMPTY_AGGREGATE)).toBe(true);
  });
});

describe('aggregateUsage examples', () => {
  it('reads the value for every op but avg', () => {
    for (const op of ['add', 'set', 'max', 'min'] as const) {
      expect(aggregateUsage({ value: 12, count: 4 }, op)).toBe(12);
      expect(aggregateUsage(EMPTY_AGGREGATE, op)).toBe(0);
    }
  });

  it('reads avg as value / count, 0 when empty', () => {
    expect(aggregateUsage({ value: 12, count: 4 }, 'avg')).toBe(3);
    expect(aggregateUsage({ value: 1, count: 3 }, 'avg')).toBeCloseTo(1 / 3, 15);
    expect(aggregateUsage(EMPTY_AGGREGATE, 'avg')).toBe(0);
    expect(aggregateUsage({ value: -12, count: 4 }, 'avg')).toBe(0);
  });
});

describe('aggregationOp', () => {
  it('maps COUNT, SUM and UNIQUE to add, MAX, MIN and AVG to their own op', () => {
    expect(aggregationOp).toEqual({ COUNT: 'add', SUM: 'add', UNIQUE: 'add', MAX: 'max', MIN: 'min', AVG: 'avg' });
  });

  it('covers every aggregation function', () => {
    expect(Object.keys(aggregationOp).sort()).toEqual([...enumValues(AggregationFunction)].sort());
    for (const fn of enumValues(AggregationFunction)) expect(OPS).toContain(aggregationOp[fn]);
  });
});

// ---------------------------------------------------------------------------------------------

/** Amounts bounded so sums stay exact enough for the comparisons below. */
const amount = fc.double({ min: -1e6, max: 1e6, noNaN: true });
const amounts = fc.array(amount, { maxLength: 30 });
const op = fc.constantFrom(...OPS);
const aggregate: fc.Arbitrary<UsageAggregate> = fc.record({
  value: fc.double({ min: 0, max: 1e6, noNaN: true }),
  count: fc.nat({ max: 1000 }),
});

describe('properties', () => {
  it('add and set never produce a negative value, from any non-negative aggregate', () => {
    fc.assert(
      fc.property(
        aggregate,
        fc.array(fc.tuple(fc.constantFrom<UsageOp>('add', 'set'), amount), { maxLength: 30 }),
        (start, steps) => {
          let a = start;
          for (const [o, x] of steps) {
            a = applyUsageOp(a, o, x);
            expect(a.value).toBeGreaterThanOrEqual(0);
            expect(aggregateUsage(a, o)).toBeGreaterThanOrEqual(0);
          }
        },
      ),
    );
  });

  it('add and set never go negative for any finite amounts, even when the sum overflows', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom<UsageOp>('add', 'set'), fc.double({ noNaN: true, noDefaultInfinity: true })),
          {
            maxLength: 10,
          },
        ),
        (steps) => {
          let a = EMPTY_AGGREGATE;
          for (const [o, x] of steps) {
            a = applyUsageOp(a, o, x);
            expect(a.value).toBeGreaterThanOrEqual(0);
          }
        },
      ),
    );
  });

  it('every op increases count by exactly one', () => {
    fc.assert(
      fc.property(aggregate, op, amount, (a, o, x) => {
        expect(applyUsageOp(a, o, x).count).toBe(a.count + 1);
      }),
    );
  });

  it('count after folding n amounts is n, whatever the ops', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(op, amount), { maxLength: 30 }), (steps) => {
        const a = steps.reduce((acc, [o, x]) => applyUsageOp(acc, o, x), EMPTY_AGGREGATE);
        expect(a.count).toBe(steps.length);
      }),
    );
  });

  it('max is the largest sample, floored at zero', () => {
    fc.assert(
      fc.property(amounts, (xs) => {
        const a = fold('max', xs);
        expect(a.value).toBe(xs.length === 0 ? 0 : Math.max(0, ...xs));
        expect(aggregateUsage(a, 'max')).toBe(a.value);
      }),
    );
  });

  it('min is the smallest sample, floored at zero', () => {
    fc.assert(
      fc.property(amounts, (xs) => {
        const a = fold('min', xs);
        expect(a.value).toBe(xs.length === 0 ? 0 : Math.max(0, Math.min(...xs)));
        expect(aggregateUsage(a, 'min')).toBe(a.value);
      }),
    );
  });

  it('min never exceeds max, and both lie within the floored sample range', () => {
    fc.assert(
      fc.property(fc.array(amount, { minLength: 1, maxLength: 30 }), (xs) => {
        const lo = fold('min', xs).value;
        const hi = fold('max', xs).value;
        expect(lo).toBeLessThanOrEqual(hi);
        expect(xs.some((x) => Math.max(0, x) === lo)).toBe(true);
        expect(xs.some((x) => Math.max(0, x) === hi)).toBe(true);
      }),
    );
  });

  it('avg reads as the mean of the samples, floored at zero', () => {
    fc.assert(
      fc.property(amounts, (xs) => {
        const a = fold('avg', xs);
        const reading = aggregateUsage(a, 'avg');
        if (xs.length === 0) {
          expect(reading).toBe(0);
          return;
        }
        // An independent mean (summed in sorted order), so compare with a tolerance.
        const sorted = [...xs].sort((p, q) => p - q);
        const mean = sorted.reduce((s, x) => s + x, 0) / xs.length;
        expect(reading).toBeGreaterThanOrEqual(0);
        expect(Math.abs(reading - Math.max(0, mean))).toBeLessThanOrEqual(1e-6);
      }),
    );
  });

  it('folding add amounts equals the running clamp-at-zero sum (model)', () => {
    fc.assert(
      fc.property(amounts, (xs) => {
        let model = 0;
        for (const x of xs) model = Math.max(0, model + x);
        expect(fold('add', xs)).toEqual({ value: model, count: xs.length });
      }),
    );
  });

  it('folding integer add amounts equals the prefix sum minus its lowest point (closed form)', () => {
    // Lindley: a sum clamped at zero after every step is S_n - min(0, S_1, ..., S_n).
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 40 }), (xs) => {
        let sum = 0;
        let lowest = 0;
        for (const x of xs) {
          sum += x;
          lowest = Math.min(lowest, sum);
        }
        expect(fold('add', xs).value).toBe(sum - lowest);
      }),
    );
  });

  it('set reads as its last amount, floored at zero', () => {
    fc.assert(
      fc.property(aggregate, fc.array(amount, { minLength: 1, maxLength: 10 }), (start, xs) => {
        const a = fold('set', xs, start);
        expect(a.value).toBe(Math.max(0, xs[xs.length - 1] as number));
        expect(a.count).toBe(start.count + xs.length);
      }),
    );
  });

  it('whatever op aggregationOp gives a meter, its reading is never negative', () => {
    fc.assert(
      fc.property(fc.constantFrom(...enumValues(AggregationFunction)), amounts, (fn, xs) => {
        const o = aggregationOp[fn];
        expect(aggregateUsage(fold(o, xs), o)).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
