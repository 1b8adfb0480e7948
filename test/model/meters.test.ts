import { describe, expect, it } from 'vitest';
import { AggregationFunction, ConditionOperation, enumValues } from '../../src/model/enums.js';
import {
  type Dimensions,
  type DimensionValue,
  type Meter,
  type MeterInput,
  matchesMeter,
  meterSample,
  meterSchema,
} from '../../src/model/meters.js';
import { expectAllotError } from '../core/factories.js';
import { fc } from '../core/fc-setup.js';

type Op = ConditionOperation;
type ConditionInput = NonNullable<MeterInput['filters']>[number]['conditions'][number];

const EVENT = 'api_call';
const FEATURE = 'feature-api-calls';

const OPS: readonly Op[] = enumValues(ConditionOperation);
const VALUE_OPS: readonly Op[] = OPS.filter((op) => op !== 'IN' && op !== 'IS_NULL' && op !== 'IS_NOT_NULL');
const NO_VALUE_OPS: readonly Op[] = ['IS_NULL', 'IS_NOT_NULL'];
const FIELD_FNS = enumValues(AggregationFunction).filter((fn) => fn !== 'COUNT');
const NUMERIC_FNS = FIELD_FNS.filter((fn) => fn !== 'UNIQUE');

/** A COUNT meter on EVENT with the given filters, through the schema. */
function meterWith(filters: readonly (readonly ConditionInput[])[]): Meter {
  return meterSchema.parse({
    eventName: EVENT,
    filters: filters.map((conditions) => ({ conditions: [...conditions] })),
    aggregation: { function: 'COUNT' },
  });
}

/** A meter with a single condition. */
const one = (condition: ConditionInput): Meter => meterWith([[condition]]);

/** Whether dimension `x` (absent when `v` is undefined) satisfies `op value` on field `x`. */
function test1(operation: Op, value: DimensionValue | undefined, v: DimensionValue | undefined): boolean {
  const dims: Dimensions = v === undefined ? {} : { x: v };
  return matchesMeter(one({ field: 'x', operation, value }), EVENT, dims);
}

/** Same, for IN. */
const testIn = (values: DimensionValue[], v: DimensionValue | undefined): boolean =>
  matchesMeter(one({ field: 'x', operation: 'IN', values }), EVENT, v === undefined ? {} : { x: v });

/** Issue paths of a failed parse, dotted. */
function issuePaths(input: unknown): string[] {
  const r = meterSchema.safeParse(input);
  expect(r.success).toBe(false);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
}

const withCondition = (condition: Record<string, unknown>) => ({
  eventName: EVENT,
  filters: [{ conditions: [condition] }],
  aggregation: { function: 'COUNT' },
});

const aggMeter = (fn: AggregationFunction, field?: string): Meter =>
  meterSchema.parse({
    eventName: EVENT,
    aggregation: field === undefined ? { function: fn } : { function: fn, field },
  });

describe('meterSchema', () => {
  it('defaults filters to none and accepts an explicitly empty list', () => {
    expect(meterSchema.parse({ eventName: EVENT, aggregation: { function: 'COUNT' } }).filters).toEqual([]);
    expect(meterSchema.parse({ eventName: EVENT, filters: [], aggregation: { function: 'COUNT' } }).filters).toEqual(
      [],
    );
  });

  it.each(VALUE_OPS)('%s needs `value` and takes no `values`', (operation) => {
    expect(meterSchema.safeParse(withCondition({ field: 'x', operation, value: 'a' })).success).toBe(true);
    expect(meterSchema.safeParse(withCondition({ field: 'x', operation, value: 3 })).success).toBe(true);
    expect(meterSchema.safeParse(withCondition({ field: 'x', operation, value: false })).success).toBe(true);
    expect(issuePaths(withCondition({ field: 'x', operation }))).toContain('filters.0.conditions.0.value');
    expect(issuePaths(withCondition({ field: 'x', operation, values: ['a'] }))).toEqual([
      'filters.0.conditions.0.values',
      'filters.0.conditions.0.value',
    ]);
    expect(issuePaths(withCondition({ field: 'x', operation, value: 'a', values: ['a'] }))).toEqual([
      'filters.0.conditions.0.values',
    ]);
  });

  it('IN needs a non-empty `values` and takes no `value`', () => {
    expect(meterSchema.safeParse(withCondition({ field: 'x', operation: 'IN', values: ['a', 1, true] })).success).toBe(
      true,
    );
    expect(issuePaths(withCondition({ field: 'x', operation: 'IN' }))).toEqual(['filters.0.conditions.0.values']);
    expect(issuePaths(withCondition({ field: 'x', operation: 'IN', value: 'a' }))).toEqual([
      'filters.0.conditions.0.values',
      'filters.0.conditions.0.value',
    ]);
    expect(issuePaths(withCondition({ field: 'x', operation: 'IN', values: ['a'], value: 'a' }))).toEqual([
      'filters.0.conditions.0.value',
    ]);
    expect(meterSchema.safeParse(withCondition({ field: 'x', operation: 'IN', values: [] })).success).toBe(false);
  });

  it.each(NO_VALUE_OPS)('%s takes neither `value` nor `values`', (operation) => {
    expect(meterSchema.safeParse(withCondition({ field: 'x', operation })).success).toBe(true);
    expect(issuePaths(withCondition({ field: 'x', operation, value: 'a' }))).toEqual(['filters.0.conditions.0.value']);
    expect(issuePaths(withCondition({ field: 'x', operation, values: ['a'] }))).toEqual([
      'filters.0.conditions.0.values',
    ]);
  });

  it('covers every ConditionOperation in exactly one of the three shapes', () => {
    expect([...VALUE_OPS, 'IN', ...NO_VALUE_OPS].sort()).toEqual([...OPS].sort());
    expect(VALUE_OPS).toHaveLength(9);
  });

  it('rejects non-finite numbers, unknown operations, empty fields and unknown keys in a condition', () => {
    for (const bad of [
      { field: 'x', operation: 'EQUALS', value: Number.NaN },
      { field: 'x', operation: 'EQUALS', value: Number.POSITIVE_INFINITY },
      { field: 'x', operation: 'IN', values: [1, Number.NEGATIVE_INFINITY] },
      { field: 'x', operation: 'EQUALS', value: null },
      { field: 'x', operation: 'EQUALS', value: { a: 1 } },
      { field: 'x', operation: 'LIKE', value: 'a' },
      { field: '', operation: 'EQUALS', value: 'a' },
      { field: 'x', operation: 'EQUALS', value: 'a', extra: true },
    ])
      expect(meterSchema.safeParse(withCondition(bad)).success, JSON.stringify(bad)).toBe(false);
  });

  it('rejects a filter without conditions and unknown keys on a filter or the meter', () => {
    expect(
      meterSchema.safeParse({ eventName: EVENT, filters: [{ conditions: [] }], aggregation: { function: 'COUNT' } })
        .success,
    ).toBe(false);
    expect(
      meterSchema.safeParse({
        eventName: EVENT,
        filters: [{ conditions: [{ field: 'x', operation: 'IS_NULL' }], extra: 1 }],
        aggregation: { function: 'COUNT' },
      }).success,
    ).toBe(false);
    expect(meterSchema.safeParse({ eventName: EVENT, aggregation: { function: 'COUNT' }, extra: 1 }).success).toBe(
      false,
    );
  });

  it('bounds eventName to 1..255 characters', () => {
    const named = (eventName: string) => meterSchema.safeParse({ eventName, aggregation: { function: 'COUNT' } });
    expect(named('').success).toBe(false);
    expect(named('e'.repeat(255)).success).toBe(true);
    expect(named('e'.repeat(256)).success).toBe(false);
  });

  it('COUNT takes no field', () => {
    expect(meterSchema.safeParse({ eventName: EVENT, aggregation: { function: 'COUNT' } }).success).toBe(true);
    expect(issuePaths({ eventName: EVENT, aggregation: { function: 'COUNT', field: 'tokens' } })).toEqual([
      'aggregation.field',
    ]);
  });

  it.each(FIELD_FNS)('%s needs a non-empty field', (fn) => {
    expect(meterSchema.safeParse({ eventName: EVENT, aggregation: { function: fn, field: 'tokens' } }).success).toBe(
      true,
    );
    expect(issuePaths({ eventName: EVENT, aggregation: { function: fn } })).toEqual(['aggregation.field']);
    expect(meterSchema.safeParse({ eventName: EVENT, aggregation: { function: fn, field: '' } }).success).toBe(false);
  });

  it('rejects an unknown aggregation function', () => {
    expect(meterSchema.safeParse({ eventName: EVENT, aggregation: { function: 'MEDIAN', field: 'x' } }).success).toBe(
      false,
    );
  });
});

describe('matchesMeter by operation', () => {
  it('EQUALS compares as printed: number vs numeric string, booleans vs their names', () => {
    expect(test1('EQUALS', 'pro', 'pro')).toBe(true);
    expect(test1('EQUALS', 'pro', 'Pro')).toBe(false);
    expect(test1('EQUALS', 5, 5)).toBe(true);
    expect(test1('EQUALS', 5, '5')).toBe(true);
    expect(test1('EQUALS', '5', 5)).toBe(true);
    expect(test1('EQUALS', 5, 6)).toBe(false);
    expect(test1('EQUALS', 2.5, '2.5')).toBe(true);
    expect(test1('EQUALS', true, true)).toBe(true);
    expect(test1('EQUALS', true, 'true')).toBe(true);
    expect(test1('EQUALS', false, 'false')).toBe(true);
    expect(test1('EQUALS', true, false)).toBe(false);
    expect(test1('EQUALS', true, 1)).toBe(false);
    expect(test1('EQUALS', false, 0)).toBe(false);
    expect(test1('EQUALS', false, '')).toBe(false);
    expect(test1('EQUALS', 0, -0)).toBe(true);
    // "Print the same": 1 and "1.0" are numerically equal but print differently.
    expect(test1('EQUALS', 1, '1.0')).toBe(false);
  });

  it('NOT_EQUALS is the negation of EQUALS for a present dimension', () => {
    expect(test1('NOT_EQUALS', 'pro', 'free')).toBe(true);
    expect(test1('NOT_EQUALS', 'pro', 'pro')).toBe(false);
    expect(test1('NOT_EQUALS', 5, '5')).toBe(false);
    expect(test1('NOT_EQUALS', true, 'true')).toBe(false);
    expect(test1('NOT_EQUALS', true, false)).toBe(true);
  });

  it('orders numbers and numeric strings numerically', () => {
    expect(test1('GREATER_THAN', 9, 10)).toBe(true);
    expect(test1('GREATER_THAN', '9', '10')).toBe(true); // numerically, though "10" < "9" as strings
    expect(test1('GREATER_THAN', 9, '10')).toBe(true);
    expect(test1('GREATER_THAN', '9', 10)).toBe(true);
    expect(test1('GREATER_THAN', 10, 10)).toBe(false);
    expect(test1('GREATER_THAN', 10, 9)).toBe(false);
    expect(test1('GREATER_THAN_OR_EQUAL', 10, 10)).toBe(true);
    expect(test1('GREATER_THAN_OR_EQUAL', 10, '10')).toBe(true);
    expect(test1('GREATER_THAN_OR_EQUAL', 10, 9.999)).toBe(false);
    expect(test1('LESS_THAN', '10', '9')).toBe(true);
    expect(test1('LESS_THAN', 0, -1)).toBe(true);
    expect(test1('LESS_THAN', 0, 0)).toBe(false);
    expect(test1('LESS_THAN_OR_EQUAL', 0, 0)).toBe(true);
    expect(test1('LESS_THAN_OR_EQUAL', -1.5, '-1.5')).toBe(true);
    expect(test1('LESS_THAN_OR_EQUAL', -1.5, -1.4)).toBe(false);
    // Surrounding whitespace does not stop a string being numeric.
    expect(test1('GREATER_THAN', 9, ' 10 ')).toBe(true);
  });

  it('orders two non-numeric strings lexicographically', () => {
    expect(test1('GREATER_THAN', 'apple', 'banana')).toBe(true);
    expect(test1('GREATER_THAN', 'banana', 'apple')).toBe(false);
    expect(test1('GREATER_THAN_OR_EQUAL', 'b', 'b')).toBe(true);
    expect(test1('LESS_THAN', 'b', 'a')).toBe(true);
    expect(test1('LESS_THAN', 'b', 'B')).toBe(true); // by code unit: 'B' < 'b'
    expect(test1('LESS_THAN_OR_EQUAL', 'b', 'b')).toBe(true);
    expect(test1('LESS_THAN_OR_EQUAL', 'b', 'c')).toBe(false);
    // An empty or blank string is not numeric: it orders as a string.
    expect(test1('LESS_THAN', 'a', '')).toBe(true);
    // One numeric and one non-numeric string: both strings, so lexicographic.
    expect(test1('LESS_THAN', 'abc', '10')).toBe(true);
  });

  it('never orders mixed unordered values', () => {
    const unordered: [DimensionValue, DimensionValue][] = [
      [5, 'abc'],
      ['abc', 5],
      [true, 1],
      [1, true],
      [true, true],
      [false, 'false'],
      ['true', true],
      [true, 'abc'],
    ];
    for (const [value, v] of unordered)
      for (const op of ['GREATER_THAN', 'GREATER_THAN_OR_EQUAL', 'LESS_THAN', 'LESS_THAN_OR_EQUAL'] as const)
        expect(test1(op, value, v), `${JSON.stringify(v)} ${op} ${JSON.stringify(value)}`).toBe(false);
  });

  it('IS_NULL and IS_NOT_NULL test presence, whatever the value', () => {
    for (const v of ['', 'a', 0, -1, false, true]) {
      expect(test1('IS_NULL', undefined, v)).toBe(false);
      expect(test1('IS_NOT_NULL', undefined, v)).toBe(true);
    }
    expect(test1('IS_NULL', undefined, undefined)).toBe(true);
    expect(test1('IS_NOT_NULL', undefined, undefined)).toBe(false);
  });

  it('CONTAINS, STARTS_WITH and ENDS_WITH work on the printed value', () => {
    expect(test1('CONTAINS', 'ell', 'hello')).toBe(true);
    expect(test1('CONTAINS', 'Ell', 'hello')).toBe(false);
    expect(test1('CONTAINS', '', 'hello')).toBe(true);
    expect(test1('CONTAINS', 23, 1234)).toBe(true);
    expect(test1('CONTAINS', 'ru', true)).toBe(true);
    expect(test1('STARTS_WITH', 'he', 'hello')).toBe(true);
    expect(test1('STARTS_WITH', 'lo', 'hello')).toBe(false);
    expect(test1('STARTS_WITH', 12, 1234)).toBe(true);
    expect(test1('STARTS_WITH', 'fa', false)).toBe(true);
    expect(test1('ENDS_WITH', 'lo', 'hello')).toBe(true);
    expect(test1('ENDS_WITH', 'he', 'hello')).toBe(false);
    expect(test1('ENDS_WITH', '34', 1234)).toBe(true);
    expect(test1('ENDS_WITH', 'hello!', 'hello')).toBe(false);
  });

  it('IN matches when any listed value equals the dimension as printed', () => {
    expect(testIn(['free', 'pro'], 'pro')).toBe(true);
    expect(testIn(['free', 'pro'], 'enterprise')).toBe(false);
    expect(testIn([1, 2, 3], '2')).toBe(true);
    expect(testIn(['1', '2'], 2)).toBe(true);
    expect(testIn([true], 'true')).toBe(true);
    expect(testIn([false, 0], true)).toBe(false);
    expect(testIn(['a'], 'a')).toBe(true);
  });

  it.each([...VALUE_OPS, 'IS_NOT_NULL'] as const)('a missing dimension never satisfies %s', (op) => {
    const value = op === 'IS_NOT_NULL' ? undefined : 'a';
    expect(test1(op, value, undefined)).toBe(false);
    // NOT_EQUALS too, as in SQL: the absent field is not "different".
    expect(matchesMeter(one({ field: 'x', operation: op, value }), EVENT, { y: 'zzz' })).toBe(false);
  });

  it('a missing dimension never satisfies IN, even with an empty-looking list', () => {
    expect(testIn([''], undefined)).toBe(false);
    expect(testIn(['undefined'], undefined)).toBe(false);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    'a dimension named %s is not found through the prototype',
    (field) => {
      const dims: Dimensions = { other: 1 };
      expect(matchesMeter(one({ field, operation: 'IS_NULL' }), EVENT, dims)).toBe(true);
      expect(matchesMeter(one({ field, operation: 'IS_NOT_NULL' }), EVENT, dims)).toBe(false);
      expect(matchesMeter(one({ field, operation: 'NOT_EQUALS', value: 'x' }), EVENT, dims)).toBe(false);
      expect(matchesMeter(one({ field, operation: 'CONTAINS', value: 'Object' }), EVENT, dims)).toBe(false);
      expect(matchesMeter(one({ field, operation: 'CONTAINS', value: '' }), EVENT, dims)).toBe(false);
    },
  );

  it('an own dimension named __proto__ or constructor (as JSON.parse makes it) is found', () => {
    const dims = JSON.parse('{"__proto__":"p","constructor":"c"}') as Dimensions;
    expect(matchesMeter(one({ field: '__proto__', operation: 'EQUALS', value: 'p' }), EVENT, dims)).toBe(true);
    expect(matchesMeter(one({ field: 'constructor', operation: 'EQUALS', value: 'c' }), EVENT, dims)).toBe(true);
    expect(matchesMeter(one({ field: 'constructor', operation: 'IS_NULL' }), EVENT, dims)).toBe(false);
  });

  it('works on dimensions without a prototype', () => {
    const dims = Object.assign(Object.create(null) as Record<string, DimensionValue>, { x: 'a' });
    expect(matchesMeter(one({ field: 'x', operation: 'EQUALS', value: 'a' }), EVENT, dims)).toBe(true);
    expect(matchesMeter(one({ field: 'y', operation: 'IS_NULL' }), EVENT, dims)).toBe(true);
  });

  // Regression: `order` once subtracted, and Infinity - Infinity is NaN, so neither >= nor <= held.
  it('GTE and LTE hold for a numeric string equal to itself even when it parses to Infinity', () => {
    for (const s of ['Infinity', '-Infinity', '1e400']) {
      expect(test1('EQUALS', s, s)).toBe(true);
      expect(test1('GREATER_THAN_OR_EQUAL', s, s)).toBe(true);
      expect(test1('LESS_THAN_OR_EQUAL', s, s)).toBe(true);
    }
  });

  it('compares infinite numeric strings against finite values in the right direction', () => {
    expect(test1('GREATER_THAN', 1e308, 'Infinity')).toBe(true);
    expect(test1('LESS_THAN', -1e308, '-Infinity')).toBe(true);
    expect(test1('GREATER_THAN', 'Infinity', '1e400')).toBe(false);
  });
});

describe('matchesMeter composition', () => {
  const a: ConditionInput = { field: 'plan', operation: 'EQUALS', value: 'pro' };
  const b: ConditionInput = { field: 'tokens', operation: 'GREATER_THAN', value: 100 };

  it('ANDs the conditions of a filter', () => {
    const m = meterWith([[a, b]]);
    expect(matchesMeter(m, EVENT, { plan: 'pro', tokens: 101 })).toBe(true);
    expect(matchesMeter(m, EVENT, { plan: 'pro', tokens: 100 })).toBe(false);
    expect(matchesMeter(m, EVENT, { plan: 'free', tokens: 101 })).toBe(false);
    expect(matchesMeter(m, EVENT, { plan: 'pro' })).toBe(false);
  });

  it('ORs the filters', () => {
    const m = meterWith([[a], [b]]);
    expect(matchesMeter(m, EVENT, { plan: 'pro', tokens: 1 })).toBe(true);
    expect(matchesMeter(m, EVENT, { plan: 'free', tokens: 101 })).toBe(true);
    expect(matchesMeter(m, EVENT, { plan: 'pro', tokens: 101 })).toBe(true);
    expect(matchesMeter(m, EVENT, { plan: 'free', tokens: 1 })).toBe(false);
    expect(matchesMeter(m, EVENT, {})).toBe(false);
  });

  it('never matches another event name, whatever the filters', () => {
    for (const m of [meterWith([]), meterWith([[{ field: 'x', operation: 'IS_NULL' }]]), meterWith([[a], [b]])]) {
      expect(matchesMeter(m, 'api_calls', {})).toBe(false);
      expect(matchesMeter(m, 'API_CALL', { plan: 'pro', tokens: 101 })).toBe(false);
      expect(matchesMeter(m, '', {})).toBe(false);
      expect(matchesMeter(m, ` ${EVENT}`, { plan: 'pro' })).toBe(false);
    }
  });

  it('a meter without filters matches any dimensions of its event', () => {
    const m = meterWith([]);
    expect(matchesMeter(m, EVENT, {})).toBe(true);
    expect(matchesMeter(m, EVENT, { anything: false })).toBe(true);
  });
});

describe('meterSample', () => {
  it('COUNT gives one per event, whatever the dimensions', () => {
    const m = aggMeter('COUNT');
    expect(meterSample(m, FEATURE, {})).toEqual({ amount: 1 });
    expect(meterSample(m, FEATURE, { tokens: 'not a number' })).toEqual({ amount: 1 });
  });

  it.each(NUMERIC_FNS)('%s takes a numeric field as it is', (fn) => {
    const m = aggMeter(fn, 'tokens');
    expect(meterSample(m, FEATURE, { tokens: 42 })).toEqual({ amount: 42 });
    expect(meterSample(m, FEATURE, { tokens: 0 })).toEqual({ amount: 0 });
    expect(meterSample(m, FEATURE, { tokens: -3.5 })).toEqual({ amount: -3.5 });
    expect(meterSample(m, FEATURE, { tokens: 7, other: 'x' })).toEqual({ amount: 7 });
  });

  it.each(NUMERIC_FNS)('%s parses a numeric string', (fn) => {
    const m = aggMeter(fn, 'tokens');
    expect(meterSample(m, FEATURE, { tokens: '42' })).toEqual({ amount: 42 });
    expect(meterSample(m, FEATURE, { tokens: '2.5' })).toEqual({ amount: 2.5 });
    expect(meterSample(m, FEATURE, { tokens: '-1e3' })).toEqual({ amount: -1000 });
    expect(meterSample(m, FEATURE, { tokens: ' 8 ' })).toEqual({ amount: 8 });
  });

  it.each(NUMERIC_FNS)('%s rejects a non-numeric field with INVALID_INPUT naming the feature', (fn) => {
    const m = aggMeter(fn, 'tokens');
    for (const value of ['abc', '', '   ', '12abc', true, false, 'Infinity', '1e400', Number.NaN]) {
      const error = expectAllotError(() => meterSample(m, FEATURE, { tokens: value }), 'INVALID_INPUT');
      expect(error.details).toEqual({ featureId: FEATURE, field: 'tokens', value });
      expect(error.message).toContain(FEATURE);
    }
  });

  it.each(FIELD_FNS)('%s rejects an event without the field with INVALID_INPUT naming the feature', (fn) => {
    const m = aggMeter(fn, 'tokens');
    for (const dims of [{}, { token: 5 }, { tokens: undefined } as unknown as Dimensions]) {
      const error = expectAllotError(() => meterSample(m, FEATURE, dims), 'INVALID_INPUT');
      expect(error.details).toEqual({ featureId: FEATURE, field: 'tokens' });
      expect(error.message).toContain(FEATURE);
      expect(error.message).toContain('tokens');
    }
  });

  it.each(FIELD_FNS)('%s does not find a field named constructor through the prototype', (fn) => {
    const m = aggMeter(fn, 'constructor');
    const error = expectAllotError(() => meterSample(m, FEATURE, {}), 'INVALID_INPUT');
    expect(error.details).toEqual({ featureId: FEATURE, field: 'constructor' });
  });

  it('UNIQUE gives the printed value as the member', () => {
    const m = aggMeter('UNIQUE', 'user');
    expect(meterSample(m, FEATURE, { user: 'u-1' })).toEqual({ member: 'u-1' });
    expect(meterSample(m, FEATURE, { user: 42 })).toEqual({ member: '42' });
    expect(meterSample(m, FEATURE, { user: '42' })).toEqual({ member: '42' });
    expect(meterSample(m, FEATURE, { user: true })).toEqual({ member: 'true' });
    expect(meterSample(m, FEATURE, { user: '' })).toEqual({ member: '' });
    expect(meterSample(m, FEATURE, { user: 'abc' })).not.toHaveProperty('amount');
  });
});

// ---------------------------------------------------------------------------------------------

const FIELDS = ['a', 'b', 'c'] as const;
const field = fc.constantFrom(...FIELDS);
/** Values from a small domain so equalities and orderings actually occur. */
const dimValue: fc.Arbitrary<DimensionValue> = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.integer({ min: -3, max: 3 }).map(String),
  fc.constantFrom('x', 'xy', 'y', 'yx', '', 'true', 'false'),
  fc.boolean(),
);
const dims: fc.Arbitrary<Dimensions> = fc.dictionary(field, dimValue, { maxKeys: 3 });

const condition: fc.Arbitrary<ConditionInput> = fc.oneof(
  fc.record({ field, operation: fc.constantFrom(...VALUE_OPS), value: dimValue }),
  fc.record({
    field,
    operation: fc.constant('IN' as const),
    values: fc.array(dimValue, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ field, operation: fc.constantFrom(...NO_VALUE_OPS) }),
);
const conditions = fc.array(condition, { minLength: 1, maxLength: 4 });
const filters = fc.array(conditions, { minLength: 1, maxLength: 4 });

/** A finite double or its printed form. */
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const numberish = (n: number): fc.Arbitrary<DimensionValue> => fc.constantFrom<DimensionValue>(n, String(n));
/** A string that is not numeric by the meter's rule. */
const nonNumeric = fc.string({ maxLength: 6 }).filter((s) => s.trim() === '' || Number.isNaN(Number(s)));

describe('properties', () => {
  it('a single filter matches exactly when all its conditions hold', () => {
    fc.assert(
      fc.property(conditions, dims, (cs, d) => {
        const whole = matchesMeter(meterWith([cs]), EVENT, d);
        expect(whole).toBe(cs.every((c) => matchesMeter(one(c), EVENT, d)));
      }),
    );
  });

  it('several filters match exactly when some filter matches', () => {
    fc.assert(
      fc.property(filters, dims, (fs, d) => {
        expect(matchesMeter(meterWith(fs), EVENT, d)).toBe(fs.some((f) => matchesMeter(meterWith([f]), EVENT, d)));
      }),
    );
  });

  it('adding a filter to a non-empty list never turns a match into a non-match', () => {
    fc.assert(
      fc.property(filters, conditions, fc.nat(), dims, (fs, extra, pos, d) => {
        fc.pre(matchesMeter(meterWith(fs), EVENT, d));
        const at = pos % (fs.length + 1);
        const more = [...fs.slice(0, at), extra, ...fs.slice(at)];
        expect(matchesMeter(meterWith(more), EVENT, d)).toBe(true);
      }),
    );
  });

  it('a meter without filters matches every event of its name and none of another', () => {
    fc.assert(
      fc.property(dims, fc.string({ minLength: 1, maxLength: 10 }), (d, name) => {
        expect(matchesMeter(meterWith([]), EVENT, d)).toBe(true);
        if (name !== EVENT) expect(matchesMeter(meterWith([]), name, d)).toBe(false);
      }),
    );
  });

  it('no filter ever matches another event name', () => {
    fc.assert(
      fc.property(filters, dims, fc.string({ maxLength: 10 }), (fs, d, name) => {
        fc.pre(name !== EVENT);
        expect(matchesMeter(meterWith(fs), name, d)).toBe(false);
      }),
    );
  });

  it('a missing dimension satisfies only IS_NULL', () => {
    fc.assert(
      fc.property(condition, dims, (c, d) => {
        const { [c.field]: _, ...without } = d;
        expect(matchesMeter(one(c), EVENT, without)).toBe(c.operation === 'IS_NULL');
      }),
    );
  });

  it('NOT_EQUALS negates EQUALS, IS_NOT_NULL negates IS_NULL, IN is EQUALS to any listed value', () => {
    fc.assert(
      fc.property(dimValue, fc.array(dimValue, { minLength: 1, maxLength: 4 }), dimValue, (value, values, v) => {
        expect(test1('NOT_EQUALS', value, v)).toBe(!test1('EQUALS', value, v));
        expect(test1('IS_NOT_NULL', undefined, v)).toBe(!test1('IS_NULL', undefined, v));
        expect(testIn(values, v)).toBe(values.some((x) => test1('EQUALS', x, v)));
        expect(testIn([value], v)).toBe(test1('EQUALS', value, v));
        expect(test1('EQUALS', value, v)).toBe(String(value) === String(v));
      }),
    );
  });

  it('orders finite numbers and their printed forms as numbers', () => {
    fc.assert(
      fc.property(
        finite.chain((x) => fc.tuple(numberish(x), fc.constant(x))),
        finite.chain((y) => fc.tuple(numberish(y), fc.constant(y))),
        ([v, x], [value, y]) => {
          expect(test1('GREATER_THAN', value, v)).toBe(x > y);
          expect(test1('GREATER_THAN_OR_EQUAL', value, v)).toBe(x >= y);
          expect(test1('LESS_THAN', value, v)).toBe(x < y);
          expect(test1('LESS_THAN_OR_EQUAL', value, v)).toBe(x <= y);
        },
      ),
    );
  });

  it('orders two non-numeric strings by code units', () => {
    fc.assert(
      fc.property(nonNumeric, nonNumeric, (v, value) => {
        expect(test1('GREATER_THAN', value, v)).toBe(v > value);
        expect(test1('GREATER_THAN_OR_EQUAL', value, v)).toBe(v >= value);
        expect(test1('LESS_THAN', value, v)).toBe(v < value);
        expect(test1('LESS_THAN_OR_EQUAL', value, v)).toBe(v <= value);
      }),
    );
  });

  it('never orders a boolean, or a number against a non-numeric string', () => {
    const pair = fc.oneof(
      fc.tuple(fc.boolean(), dimValue),
      fc.tuple(dimValue, fc.boolean()),
      fc.tuple(finite, nonNumeric),
      fc.tuple(nonNumeric, finite),
    );
    fc.assert(
      fc.property(pair, ([value, v]) => {
        for (const op of ['GREATER_THAN', 'GREATER_THAN_OR_EQUAL', 'LESS_THAN', 'LESS_THAN_OR_EQUAL'] as const)
          expect(test1(op, value, v)).toBe(false);
      }),
    );
  });

  it('string operations agree with String.prototype on the printed values', () => {
    fc.assert(
      fc.property(dimValue, dimValue, (value, v) => {
        expect(test1('CONTAINS', value, v)).toBe(String(v).includes(String(value)));
        expect(test1('STARTS_WITH', value, v)).toBe(String(v).startsWith(String(value)));
        expect(test1('ENDS_WITH', value, v)).toBe(String(v).endsWith(String(value)));
      }),
    );
  });

  it('numeric meters sample a finite number or its printed form as that number', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NUMERIC_FNS), finite, fc.boolean(), (fn, n, asString) => {
        const sample = meterSample(aggMeter(fn, 'v'), FEATURE, { v: asString ? String(n) : n });
        expect(sample).toEqual({ amount: asString ? Number(String(n)) : n });
      }),
    );
  });

  it('UNIQUE samples the printed value', () => {
    fc.assert(
      fc.property(dimValue, (v) => {
        expect(meterSample(aggMeter('UNIQUE', 'v'), FEATURE, { v })).toEqual({ member: String(v) });
      }),
    );
  });
});
