import type { AggregationFunction } from '../model/enums.js';

/**
 * How one contribution changes a usage aggregate. Calculated usage is `add` (DELTA) or `set`;
 * meters map COUNT, SUM and UNIQUE (a new member) to `add`, and MAX, MIN, AVG to their own op.
 */
export type UsageOp = 'add' | 'set' | 'max' | 'min' | 'avg';

/** A usage aggregate within one window: `value` (the running sum for `avg`) and how many contributions made it. */
export interface UsageAggregate {
  readonly value: number;
  readonly count: number;
}

export const EMPTY_AGGREGATE: UsageAggregate = Object.freeze({ value: 0, count: 0 });

/**
 * The aggregate after one contribution. Usage never goes below zero: `add` and `set` floor the
 * value, and MAX / MIN start from their first sample. Every store folds its log with this same
 * function, so a cached value and a stored one can never disagree.
 */
export function applyUsageOp(a: UsageAggregate, op: UsageOp, amount: number): UsageAggregate {
  const count = a.count + 1;
  switch (op) {
    case 'add':
      return { value: Math.max(0, a.value + amount), count };
    case 'set':
      return { value: Math.max(0, amount), count };
    case 'max':
      return { value: a.count === 0 ? Math.max(0, amount) : Math.max(a.value, amount), count };
    case 'min':
      return { value: Math.max(0, a.count === 0 ? amount : Math.min(a.value, amount)), count };
    case 'avg':
      return { value: a.value + amount, count };
  }
}

/** The usage an aggregate stands for: its value, or for AVG the mean (never below zero). */
export function aggregateUsage(a: UsageAggregate, op: UsageOp): number {
  if (op !== 'avg') return a.value;
  return a.count === 0 ? 0 : Math.max(0, a.value / a.count);
}

/** The op a meter's aggregation applies per matching event. */
export const aggregationOp: Readonly<Record<AggregationFunction, UsageOp>> = {
  COUNT: 'add',
  SUM: 'add',
  UNIQUE: 'add',
  MAX: 'max',
  MIN: 'min',
  AVG: 'avg',
};
