// Every schema here is z.lazy, built on its first parse, so importing allot builds none.
import { z } from 'zod';
import { AllotError } from '../errors.js';
import { AggregationFunction, ConditionOperation, enumValues } from './enums.js';

/** A value an event dimension may hold. */
export type DimensionValue = string | number | boolean;
export type Dimensions = Readonly<Record<string, DimensionValue>>;

const dimensionValue = z.lazy(() => z.union([z.string(), z.number().finite(), z.boolean()]));
const NO_VALUE: readonly string[] = ['IS_NULL', 'IS_NOT_NULL'];

const conditionSchema = z.lazy(() =>
  z
    .strictObject({
      field: z.string().min(1),
      operation: z.enum(enumValues(ConditionOperation)),
      value: dimensionValue.optional(),
      values: z.array(dimensionValue).min(1).optional(),
    })
    .superRefine((c, ctx) => {
      const wantsValues = c.operation === 'IN';
      const wantsValue = !wantsValues && !NO_VALUE.includes(c.operation);
      if (wantsValues !== (c.values !== undefined))
        ctx.addIssue({
          code: 'custom',
          path: ['values'],
          message: `${c.operation} ${wantsValues ? 'needs' : 'takes no'} values`,
        });
      if (wantsValue !== (c.value !== undefined))
        ctx.addIssue({
          code: 'custom',
          path: ['value'],
          message: `${c.operation} ${wantsValue ? 'needs' : 'takes no'} value`,
        });
    }),
);

/**
 * A feature's meter: which raw events count (`eventName`, then any one of `filters`, each of
 * whose conditions must hold) and how they aggregate (COUNT, or SUM / MAX / MIN / AVG / UNIQUE of
 * a dimension `field`).
 */
export const meterSchema = z.lazy(() =>
  z
    .strictObject({
      eventName: z.string().min(1).max(255),
      filters: z.array(z.strictObject({ conditions: z.array(conditionSchema).min(1) })).default([]),
      aggregation: z.strictObject({
        function: z.enum(enumValues(AggregationFunction)),
        field: z.string().min(1).optional(),
      }),
    })
    .superRefine((m, ctx) => {
      const needsField = m.aggregation.function !== 'COUNT';
      if (needsField !== (m.aggregation.field !== undefined))
        ctx.addIssue({
          code: 'custom',
          path: ['aggregation', 'field'],
          message: `${m.aggregation.function} ${needsField ? 'needs' : 'takes no'} field`,
        });
    }),
);

export type MeterInput = z.input<typeof meterSchema>;
export type Meter = z.output<typeof meterSchema>;
type Condition = z.output<typeof conditionSchema>;

/** A dimension as a number: numbers as they are, numeric strings parsed; NaN for anything else. */
function numeric(v: DimensionValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return Number.NaN;
}

/** Equal when they print the same: `5`, `"5"` match; so do `true` and `"true"`. */
const same = (a: DimensionValue, b: DimensionValue) => String(a) === String(b);

/** Orders numerically when both sides are numbers, else as strings when both are strings; otherwise unordered. */
function order(a: DimensionValue, b: DimensionValue): number {
  const x = numeric(a);
  const y = numeric(b);
  // Compared, not subtracted: Infinity - Infinity is NaN, yet "Infinity" >= "Infinity".
  if (!Number.isNaN(x) && !Number.isNaN(y)) return x < y ? -1 : x > y ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return Number.NaN;
}

/**
 * Whether a dimension satisfies a condition. A missing dimension satisfies only IS_NULL, as in
 * SQL, where a comparison with NULL is never true (so NOT_EQUALS skips events without the field).
 */
function holds(c: Condition, v: DimensionValue | undefined): boolean {
  if (c.operation === 'IS_NULL') return v === undefined;
  if (v === undefined) return false;
  const target = c.value as DimensionValue;
  switch (c.operation) {
    case 'IS_NOT_NULL':
      return true;
    case 'EQUALS':
      return same(v, target);
    case 'NOT_EQUALS':
      return !same(v, target);
    case 'GREATER_THAN':
      return order(v, target) > 0;
    case 'GREATER_THAN_OR_EQUAL':
      return order(v, target) >= 0;
    case 'LESS_THAN':
      return order(v, target) < 0;
    case 'LESS_THAN_OR_EQUAL':
      return order(v, target) <= 0;
    case 'CONTAINS':
      return String(v).includes(String(target));
    case 'STARTS_WITH':
      return String(v).startsWith(String(target));
    case 'ENDS_WITH':
      return String(v).endsWith(String(target));
    case 'IN':
      return (c.values ?? []).some((x) => same(v, x));
  }
}

/** Whether an event counts for a meter: its name matches and, if there are filters, any one filter's conditions all hold. */
export function matchesMeter(meter: Meter, eventName: string, dimensions: Dimensions): boolean {
  if (eventName !== meter.eventName) return false;
  if (meter.filters.length === 0) return true;
  return meter.filters.some((f) => f.conditions.every((c) => holds(c, own(dimensions, c.field))));
}

/** What one matching event adds: a number for COUNT, SUM, MAX, MIN and AVG; a member for UNIQUE. */
export type MeterSample = { readonly amount: number; readonly member?: undefined } | { readonly member: string };

/**
 * The sample a matching event gives its meter. An event without the aggregated field, or with a
 * non-numeric one for SUM / MAX / MIN / AVG, is rejected rather than silently counted as nothing.
 */
export function meterSample(meter: Meter, featureId: string, dimensions: Dimensions): MeterSample {
  const { function: fn, field } = meter.aggregation;
  if (fn === 'COUNT' || field === undefined) return COUNT_ONE;
  const v = own(dimensions, field);
  if (v === undefined)
    throw new AllotError(
      'INVALID_INPUT',
      `the meter of "${featureId}" aggregates ${fn} of "${field}", which is missing`,
      {
        details: { featureId, field },
      },
    );
  if (fn === 'UNIQUE') return { member: String(v) };
  const amount = numeric(v);
  if (!Number.isFinite(amount))
    throw new AllotError('INVALID_INPUT', `the meter of "${featureId}" needs a number in "${field}"`, {
      details: { featureId, field, value: v },
    });
  return { amount };
}

const COUNT_ONE: MeterSample = Object.freeze({ amount: 1 });

/** A dimension by name, ignoring inherited properties (a field named "constructor" must not find Object's). */
const own = (d: Dimensions, field: string): DimensionValue | undefined =>
  Object.hasOwn(d, field) ? d[field] : undefined;
