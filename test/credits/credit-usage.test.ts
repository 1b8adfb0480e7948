import { describe, expect, it } from 'vitest';
import { consumeCredits, grantCredits } from '../../src/credits/credit-pool.js';
import type { CreditLedgerEntry, CreditLedgerEventType } from '../../src/credits/credit-records.js';
import {
  type CreditUsageBucket,
  type CreditUsageSeries,
  type CreditUsageTimeRange,
  creditEventFields,
  creditUsageRange,
  creditUsageSeries,
  MAX_CREDIT_USAGE_POINTS,
} from '../../src/credits/credit-usage.js';
import { AllotError } from '../../src/errors.js';
import { Decimal } from '../../src/money/money.js';
import { at, DAY, decimalUpTo, expectAllotError, expectDecimal, fc, grant, pool, withGrants } from './helpers.js';

const HOUR = 3_600_000;
const NOW = at('2025-03-15T10:30:00Z');

let seq = 0;
/** A ledger entry of pool c1/tokens; a consumption by default. */
function entry(when: number, amount: string, extra: Partial<CreditLedgerEntry> = {}): CreditLedgerEntry {
  seq += 1;
  return {
    id: `e${seq}`,
    customerId: 'c1',
    currencyId: 'tokens',
    resourceId: null,
    grantId: 'g1',
    eventType: 'CREDITS_CONSUMED',
    amount,
    at: when,
    ...extra,
  };
}

/** The end of the bucket starting at `start`, computed independently of the module. */
function bucketEnd(start: number, bucket: CreditUsageBucket): number {
  if (bucket === 'HOUR') return start + HOUR;
  if (bucket === 'DAY') return start + DAY;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

function values(s: CreditUsageSeries | undefined): string[] {
  return (s?.points ?? []).map((p) => p.value);
}

function timestamps(s: CreditUsageSeries | undefined): string[] {
  return (s?.points ?? []).map((p) => new Date(p.timestamp).toISOString());
}

describe('creditUsageRange', () => {
  it('defaults to the last 30 days in days, up to and including now', () => {
    expect(creditUsageRange({}, NOW)).toEqual({ from: NOW - 30 * DAY, to: NOW + 1, bucket: 'DAY' });
  });

  it('reaches back 24 hours in hours, 7 days in days for the short presets', () => {
    expect(creditUsageRange({ timeRange: 'LAST_DAY' }, NOW)).toEqual({ from: NOW - DAY, to: NOW + 1, bucket: 'HOUR' });
    expect(creditUsageRange({ timeRange: 'LAST_WEEK' }, NOW)).toEqual({
      from: NOW - 7 * DAY,
      to: NOW + 1,
      bucket: 'DAY',
    });
    expect(creditUsageRange({ timeRange: 'LAST_MONTH' }, NOW)).toEqual({
      from: NOW - 30 * DAY,
      to: NOW + 1,
      bucket: 'DAY',
    });
  });

  it('reaches back 12 calendar months in UTC for LAST_YEAR, clamping the day', () => {
    expect(creditUsageRange({ timeRange: 'LAST_YEAR' }, NOW)).toEqual({
      from: at('2024-03-15T10:30:00Z'),
      to: NOW + 1,
      bucket: 'MONTH',
    });
    // A leap day reaches back to the last day of a February without one.
    expect(creditUsageRange({ timeRange: 'LAST_YEAR' }, at('2024-02-29T23:00:00Z')).from).toBe(
      at('2023-02-28T23:00:00Z'),
    );
    // Just after midnight UTC on the 1st is still the 1st, whatever the local zone says.
    expect(creditUsageRange({ timeRange: 'LAST_YEAR' }, at('2025-01-01T00:15:00Z')).from).toBe(
      at('2024-01-01T00:15:00Z'),
    );
  });

  it('charts LAST_YEAR as 13 months from the 1st, the first and last partial', () => {
    const range = creditUsageRange({ timeRange: 'LAST_YEAR' }, NOW);
    const { series } = creditUsageSeries({ ...range, entries: [entry(NOW, '-1')] });
    expect(series[0]?.points).toHaveLength(13);
    expect(timestamps(series[0])[0]).toBe('2024-03-01T00:00:00.000Z');
    expect(timestamps(series[0]).at(-1)).toBe('2025-03-01T00:00:00.000Z');
    expect(values(series[0]).at(-1)).toBe('1');
  });

  it('lets explicit dates win over timeRange and picks the bucket by length', () => {
    const start = at('2025-01-01T00:00:00Z');
    expect(creditUsageRange({ timeRange: 'LAST_YEAR', startDate: start, endDate: start + DAY }, NOW)).toEqual({
      from: start,
      to: start + DAY,
      bucket: 'HOUR',
    });
    expect(creditUsageRange({ startDate: start, endDate: start + 2 * DAY }, NOW).bucket).toBe('HOUR');
    expect(creditUsageRange({ startDate: start, endDate: start + 2 * DAY + 1 }, NOW).bucket).toBe('DAY');
    expect(creditUsageRange({ startDate: start, endDate: start + 92 * DAY }, NOW).bucket).toBe('DAY');
    expect(creditUsageRange({ startDate: start, endDate: start + 92 * DAY + 1 }, NOW).bucket).toBe('MONTH');
  });

  it('runs a startDate without endDate up to and including now', () => {
    expect(creditUsageRange({ startDate: NOW - HOUR }, NOW)).toEqual({ from: NOW - HOUR, to: NOW + 1, bucket: 'HOUR' });
    expect(creditUsageRange({ startDate: NOW }, NOW)).toEqual({ from: NOW, to: NOW + 1, bucket: 'HOUR' });
  });

  it('ends a preset at an endDate given without a startDate, and refuses an endDate alone', () => {
    const end = at('2025-02-01T00:00:00Z');
    expect(creditUsageRange({ timeRange: 'LAST_WEEK', endDate: end }, NOW)).toEqual({
      from: at('2025-01-25T00:00:00Z'),
      to: end,
      bucket: 'DAY',
    });
    expectAllotError(() => creditUsageRange({ endDate: end }, NOW), 'INVALID_INPUT');
  });

  it('refuses an empty or backwards range', () => {
    const start = at('2025-01-01T00:00:00Z');
    expectAllotError(() => creditUsageRange({ startDate: start, endDate: start }, NOW), 'INVALID_INPUT');
    expectAllotError(() => creditUsageRange({ startDate: start + 1, endDate: start }, NOW), 'INVALID_INPUT');
    // Without an endDate the range ends just after now.
    expectAllotError(() => creditUsageRange({ startDate: NOW + 1 }, NOW), 'INVALID_INPUT');
  });

  it('refuses malformed instants and unknown presets', () => {
    expectAllotError(() => creditUsageRange({ startDate: 1.5 }, NOW), 'INVALID_INPUT');
    expectAllotError(() => creditUsageRange({ startDate: Number.NaN }, NOW), 'INVALID_INPUT');
    expectAllotError(() => creditUsageRange({ startDate: 0, endDate: 9e15 }, NOW), 'INVALID_INPUT');
    expectAllotError(() => creditUsageRange({}, Number.NaN), 'INVALID_INPUT');
    expectAllotError(
      () => creditUsageRange({ timeRange: 'LAST_CENTURY' as unknown as 'LAST_DAY' }, NOW),
      'INVALID_INPUT',
    );
    // A preset reaching back past the Date range.
    expectAllotError(() => creditUsageRange({ timeRange: 'LAST_YEAR', endDate: -8.64e15 }, NOW), 'INVALID_INPUT');
  });

  it('allows a century of months but never millions of points', () => {
    const start = at('1925-03-01T00:00:00Z');
    const range = creditUsageRange({ startDate: start, endDate: at('2025-03-01T00:00:00Z') }, NOW);
    expect(range.bucket).toBe('MONTH');
    const { series } = creditUsageSeries({ ...range, entries: [entry(start, '-1')] });
    expect(series[0]?.points).toHaveLength(1200);
    expect(timestamps(series[0])[0]).toBe('1925-03-01T00:00:00.000Z');
    const e = expectAllotError(() => creditUsageRange({ startDate: -8.64e15, endDate: 8.64e15 }, NOW), 'INVALID_INPUT');
    expect(e.message).toContain(String(MAX_CREDIT_USAGE_POINTS));
    expectAllotError(
      () => creditUsageRange({ startDate: at('1000-01-01T00:00:00Z'), endDate: at('2025-01-01T00:00:00Z') }, NOW),
      'INVALID_INPUT',
    );
  });

  it('counts years before 100 literally', () => {
    const start = at('0050-01-15T00:00:00Z');
    const range = creditUsageRange({ startDate: start, endDate: at('0051-01-15T00:00:00Z') }, NOW);
    const { series } = creditUsageSeries({ ...range, entries: [entry(start, '-1')] });
    expect(timestamps(series[0])[0]).toBe('0050-01-01T00:00:00.000Z');
    expect(timestamps(series[0]).at(-1)).toBe('0051-01-01T00:00:00.000Z');
  });
});

describe('creditUsageSeries', () => {
  it('buckets by UTC hour, from the hour holding from to the one holding to - 1', () => {
    const from = at('2025-03-15T08:20:00Z');
    const to = at('2025-03-15T10:30:00Z');
    const entries = [
      entry(from - 1, '-100', { featureId: 'ai' }), // before the range
      entry(from, '-1', { featureId: 'ai' }),
      entry(at('2025-03-15T08:59:59.999Z'), '-0.1', { featureId: 'ai' }),
      entry(at('2025-03-15T10:00:00Z'), '-0.2', { featureId: 'ai' }),
      entry(to - 1, '-0.3', { featureId: 'ai' }),
      entry(to, '-100', { featureId: 'ai' }), // at the exclusive end
    ];
    const { series } = creditUsageSeries({ entries, from, to, bucket: 'HOUR', featureNames: new Map([['ai', 'AI']]) });
    expect(series).toEqual([
      {
        featureId: 'ai',
        featureName: 'AI',
        totalCredits: '1.6',
        points: [
          { timestamp: at('2025-03-15T08:00:00Z'), value: '1.1' },
          { timestamp: at('2025-03-15T09:00:00Z'), value: '0' },
          { timestamp: at('2025-03-15T10:00:00Z'), value: '0.5' },
        ],
      },
    ]);
    expect('tags' in (series[0] as object)).toBe(false);
  });

  it('buckets by UTC day from midnight, with zeros between', () => {
    const from = at('2025-02-26T12:00:00Z');
    const to = at('2025-03-02T00:00:00Z');
    const entries = [
      entry(at('2025-02-26T23:59:59.999Z'), '-2'),
      entry(at('2025-02-27T00:00:00Z'), '-3'),
      entry(at('2025-03-01T23:59:59.999Z'), '-4'),
    ];
    const { series } = creditUsageSeries({ entries, from, to, bucket: 'DAY' });
    expect(timestamps(series[0])).toEqual([
      '2025-02-26T00:00:00.000Z',
      '2025-02-27T00:00:00.000Z',
      '2025-02-28T00:00:00.000Z',
      '2025-03-01T00:00:00.000Z',
    ]);
    expect(values(series[0])).toEqual(['2', '3', '0', '4']);
  });

  it('buckets by UTC calendar month across leap and common Februaries', () => {
    const from = at('2023-12-10T00:00:00Z');
    const to = at('2024-04-01T00:00:00Z');
    const entries = [
      entry(at('2024-01-31T23:59:59.999Z'), '-1'),
      entry(at('2024-02-01T00:00:00Z'), '-2'),
      entry(at('2024-02-29T23:59:59.999Z'), '-3'),
      entry(at('2024-03-01T00:00:00Z'), '-4'),
    ];
    const { series } = creditUsageSeries({ entries, from, to, bucket: 'MONTH' });
    expect(timestamps(series[0])).toEqual([
      '2023-12-01T00:00:00.000Z',
      '2024-01-01T00:00:00.000Z',
      '2024-02-01T00:00:00.000Z',
      '2024-03-01T00:00:00.000Z',
    ]);
    expect(values(series[0])).toEqual(['0', '1', '5', '4']);

    const common = creditUsageSeries({
      entries: [entry(at('2023-02-28T23:59:59.999Z'), '-1'), entry(at('2023-03-01T00:00:00Z'), '-2')],
      from: at('2023-02-01T00:00:00Z'),
      to: at('2023-03-02T00:00:00Z'),
      bucket: 'MONTH',
    });
    expect(values(common.series[0])).toEqual(['1', '2']);
  });

  it('groups by dimensions across features, a missing one as an empty value', () => {
    const from = at('2025-03-01T00:00:00Z');
    const to = at('2025-03-03T00:00:00Z');
    const entries = [
      entry(from, '-5', { featureId: 'ai', dimensions: { model: 'gpt-4', region: 'eu' } }),
      entry(from + DAY, '-1', { featureId: 'ai', dimensions: { model: 'gpt-4', region: 'eu' } }),
      entry(from, '-2', { featureId: 'ai', dimensions: { model: 'gpt-4' } }),
      entry(from, '-2', { featureId: 'ai' }),
      entry(from, '-7', { featureId: 'search', dimensions: { model: 3, region: true } }),
      entry(from + DAY, '-1', { featureId: 'search', dimensions: { model: 'gpt-4', region: 'eu' } }),
    ];
    const { series } = creditUsageSeries({ entries, from, to, bucket: 'DAY', groupBy: ['model', 'region'] });
    expect(series.map((s) => [s.featureId, s.tags, s.totalCredits, values(s)])).toEqual([
      [
        null,
        [
          { key: 'model', value: '3' },
          { key: 'region', value: 'true' },
        ],
        '7',
        ['7', '0'],
      ],
      // ai and search together.
      [
        null,
        [
          { key: 'model', value: 'gpt-4' },
          { key: 'region', value: 'eu' },
        ],
        '7',
        ['5', '2'],
      ],
      // Ties on total order by tag values: '' before 'gpt-4'.
      [
        null,
        [
          { key: 'model', value: '' },
          { key: 'region', value: '' },
        ],
        '2',
        ['2', '0'],
      ],
      [
        null,
        [
          { key: 'model', value: 'gpt-4' },
          { key: 'region', value: '' },
        ],
        '2',
        ['2', '0'],
      ],
    ]);
  });

  it('keeps a series for credits consumed without a feature, last among equals', () => {
    const from = at('2025-03-01T00:00:00Z');
    const entries = [
      entry(from, '-3', { featureId: 'b' }),
      entry(from, '-3'),
      entry(from, '-3', { featureId: 'a' }),
      entry(from, '-10', { featureId: 'z' }),
    ];
    const { series } = creditUsageSeries({
      entries,
      from,
      to: from + DAY,
      bucket: 'DAY',
      featureNames: new Map([['a', 'Feature A']]),
    });
    // A feature the names do not know is labelled by its id.
    expect(series.map((s) => [s.featureId, s.featureName, s.totalCredits])).toEqual([
      ['z', 'z', '10'],
      ['a', 'Feature A', '3'],
      ['b', 'b', '3'],
      [null, null, '3'],
    ]);
  });

  it('counts debt created once and never the debt settled', () => {
    const t = at('2025-03-01T00:00:00Z');
    const p0 = withGrants(pool(), t, grant('g1', '10'));
    const used = consumeCredits(p0, { id: 'use-1', amount: '25', featureId: 'ai' }, t + HOUR, { allowDebt: true });
    expect(used.entries.map((e) => e.eventType)).toEqual(['CREDITS_CONSUMED', 'DEBT_CREATED']);
    const paid = grantCredits(used.pool, grant('g2', '100'), t + 2 * HOUR);
    expect(paid.entries.map((e) => e.eventType)).toEqual(['CREDITS_GRANTED', 'DEBT_SETTLED', 'DEBT_SETTLED']);
    const entries = [...used.entries, ...paid.entries];
    const { series } = creditUsageSeries({ entries, from: t, to: t + DAY, bucket: 'HOUR' });
    expect(series).toHaveLength(1);
    expect(series[0]?.totalCredits).toBe('25');
    expect(values(series[0]).slice(0, 3)).toEqual(['0', '25', '0']);
  });

  it('ignores grants, expiries and voids, and returns no series without consumption', () => {
    const from = at('2025-03-01T00:00:00Z');
    const others: CreditLedgerEventType[] = ['CREDITS_GRANTED', 'CREDITS_EXPIRED', 'CREDITS_VOIDED', 'CREDITS_UPDATED'];
    const entries = others.map((eventType) => entry(from, eventType === 'CREDITS_GRANTED' ? '5' : '-5', { eventType }));
    expect(creditUsageSeries({ entries, from, to: from + DAY, bucket: 'DAY' })).toEqual({ series: [] });
  });

  it('sums exactly', () => {
    const from = at('2025-03-01T00:00:00Z');
    const entries = [entry(from, '-0.1'), entry(from + 1, '-0.2'), entry(from + 2, '-0.0000000000000000001')];
    const { series } = creditUsageSeries({ entries, from, to: from + DAY, bucket: 'DAY' });
    expect(series[0]?.totalCredits).toBe('0.3000000000000000001');
  });

  it('refuses bad ranges, buckets and groupings', () => {
    const from = at('2025-03-01T00:00:00Z');
    const base = { entries: [], from, to: from + DAY, bucket: 'DAY' as const };
    expectAllotError(() => creditUsageSeries({ ...base, to: from }), 'INVALID_INPUT');
    expectAllotError(() => creditUsageSeries({ ...base, bucket: 'WEEK' as unknown as 'DAY' }), 'INVALID_INPUT');
    expectAllotError(() => creditUsageSeries({ ...base, groupBy: ['a', 'b', 'c', 'd'] }), 'INVALID_INPUT');
    expectAllotError(() => creditUsageSeries({ ...base, to: from + 3000 * DAY }), 'INVALID_INPUT');
    expectAllotError(() => creditUsageSeries({ ...base, from: 0.5 }), 'INVALID_INPUT');
  });

  it('refuses a grouping with more points than it can chart', () => {
    const from = at('1925-01-01T00:00:00Z');
    const entries = Array.from({ length: 1000 }, (_, i) => entry(from, '-1', { dimensions: { request: `r${i}` } }));
    const range = { from, to: at('2025-01-01T00:00:00Z'), bucket: 'MONTH' as const };
    expectAllotError(() => creditUsageSeries({ ...range, entries, groupBy: ['request'] }), 'INVALID_INPUT');
    expect(creditUsageSeries({ ...range, entries }).series).toHaveLength(1);
  });
});

describe('creditEventFields', () => {
  const entries = [
    entry(0, '-1', { dimensions: { model: 'a', Region: 'eu' } }),
    entry(0, '-1', { eventType: 'DEBT_CREATED', grantId: null, dimensions: { user: 'u', model: 'b' } }),
    entry(0, '-1', { eventType: 'DEBT_SETTLED', dimensions: { settled: 'x' } }),
    entry(0, '5', { eventType: 'CREDITS_GRANTED', dimensions: { granted: 'x' } }),
    entry(0, '-1'),
  ];

  it('lists the dimension keys of consumption, once each, sorted', () => {
    expect(creditEventFields(entries)).toEqual(['Region', 'model', 'user']);
    expect(creditEventFields(entries, '')).toEqual(['Region', 'model', 'user']);
    expect(creditEventFields([])).toEqual([]);
  });

  it('filters by a substring, ignoring case', () => {
    expect(creditEventFields(entries, 'MOD')).toEqual(['model']);
    expect(creditEventFields(entries, 'reg')).toEqual(['Region']);
    expect(creditEventFields(entries, 'e')).toEqual(['Region', 'model', 'user']);
    expect(creditEventFields(entries, 'settled')).toEqual([]);
  });
});

describe('properties', () => {
  const eventTypes: CreditLedgerEventType[] = [
    'CREDITS_CONSUMED',
    'DEBT_CREATED',
    'CREDITS_GRANTED',
    'CREDITS_EXPIRED',
    'CREDITS_VOIDED',
    'DEBT_SETTLED',
  ];
  const maxSpan: Record<CreditUsageBucket, number> = { HOUR: 3 * DAY, DAY: 200 * DAY, MONTH: 20 * 365 * DAY };

  const rangeArb = fc
    .record({
      from: fc.integer({ min: at('2019-01-01T00:00:00Z'), max: at('2031-01-01T00:00:00Z') }),
      bucket: fc.constantFrom<CreditUsageBucket>('HOUR', 'DAY', 'MONTH'),
      fraction: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ from, bucket, fraction }) => ({ from, to: from + 1 + Math.floor(fraction * maxSpan[bucket]), bucket }));

  const scenarioArb = rangeArb.chain((range) => {
    const span = range.to - range.from;
    const entryArb = fc
      .record({
        offset: fc.integer({ min: -span, max: 2 * span }),
        edge: fc.constantFrom('none', 'from', 'last', 'to'),
        eventType: fc.constantFrom(...eventTypes),
        credits: decimalUpTo(100),
        featureId: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
        dimensions: fc.option(
          fc.dictionary(
            fc.constantFrom('model', 'region', 'user'),
            fc.constantFrom<string | number | boolean>('x', 'y', 1, true),
          ),
          { nil: undefined },
        ),
      })
      .map((r) => {
        const when =
          r.edge === 'from'
            ? range.from
            : r.edge === 'last'
              ? range.to - 1
              : r.edge === 'to'
                ? range.to
                : range.from + r.offset;
        const amount = r.eventType === 'CREDITS_GRANTED' ? r.credits : `-${r.credits}`;
        return entry(when, amount, {
          eventType: r.eventType,
          ...(r.featureId === undefined ? {} : { featureId: r.featureId }),
          ...(r.dimensions === undefined ? {} : { dimensions: r.dimensions }),
        });
      });
    return fc.record({
      range: fc.constant(range),
      entries: fc.array(entryArb, { maxLength: 40 }),
      groupBy: fc.subarray(['model', 'region', 'user']),
    });
  });

  const counted = (range: { from: number; to: number }, entries: readonly CreditLedgerEntry[]) =>
    entries.filter(
      (e) =>
        (e.eventType === 'CREDITS_CONSUMED' || e.eventType === 'DEBT_CREATED') && e.at >= range.from && e.at < range.to,
    );

  it('totals add up to the credits consumed in [from, to), and each series to its points', () => {
    fc.assert(
      fc.property(scenarioArb, ({ range, entries, groupBy }) => {
        const { series } = creditUsageSeries({ ...range, entries, groupBy });
        const expected = counted(range, entries).reduce((sum, e) => sum.minus(e.amount), new Decimal(0));
        expectDecimal(
          series.reduce((sum, s) => sum.plus(s.totalCredits), new Decimal(0)).toFixed(),
          expected.toFixed(),
        );
        for (const s of series)
          expectDecimal(s.points.reduce((sum, p) => sum.plus(p.value), new Decimal(0)).toFixed(), s.totalCredits);
      }),
    );
  });

  it('points are contiguous aligned buckets covering [from, to)', () => {
    fc.assert(
      fc.property(scenarioArb, ({ range, entries, groupBy }) => {
        const { series } = creditUsageSeries({ ...range, entries: [...entries, entry(range.from, '-1')], groupBy });
        expect(series.length).toBeGreaterThan(0);
        for (const s of series) {
          const first = s.points[0];
          const last = s.points.at(-1);
          if (first === undefined || last === undefined) throw new Error('a series without points');
          expect(first.timestamp).toBeLessThanOrEqual(range.from);
          expect(bucketEnd(first.timestamp, range.bucket)).toBeGreaterThan(range.from);
          expect(last.timestamp).toBeLessThan(range.to);
          expect(bucketEnd(last.timestamp, range.bucket)).toBeGreaterThanOrEqual(range.to);
          s.points.slice(1).forEach((p, i) => {
            expect(p.timestamp).toBe(bucketEnd((s.points[i] as { timestamp: number }).timestamp, range.bucket));
          });
          const d = new Date(first.timestamp);
          if (range.bucket !== 'HOUR') expect(d.getUTCHours()).toBe(0);
          if (range.bucket === 'MONTH') expect(d.getUTCDate()).toBe(1);
          expect(d.getUTCMinutes() + d.getUTCSeconds() + d.getUTCMilliseconds()).toBe(0);
          if (groupBy.length === 0) expect(s.tags).toBeUndefined();
          else expect(s.tags?.map((t) => t.key)).toEqual(groupBy);
        }
      }),
    );
  });

  it('each point holds what its series consumed in its bucket', () => {
    fc.assert(
      fc.property(scenarioArb, ({ range, entries, groupBy }) => {
        const { series } = creditUsageSeries({ ...range, entries, groupBy });
        const consumed = counted(range, entries);
        let points = 0;
        for (const s of series)
          for (const p of s.points) {
            const end = bucketEnd(p.timestamp, range.bucket);
            const mine = consumed.filter(
              (e) =>
                (s.tags !== undefined || (e.featureId ?? null) === s.featureId) &&
                e.at >= p.timestamp &&
                e.at < end &&
                (s.tags ?? []).every((t) => {
                  const v = e.dimensions?.[t.key];
                  return (v === undefined ? '' : String(v)) === t.value;
                }),
            );
            expectDecimal(p.value, mine.reduce((sum, e) => sum.minus(e.amount), new Decimal(0)).toFixed());
            points += mine.length;
          }
        // Every counted entry lands in exactly one point.
        expect(points).toBe(consumed.length);
      }),
    );
  });

  it('does not depend on the order of the entries', () => {
    fc.assert(
      fc.property(
        scenarioArb.chain((s) =>
          fc.record({ s: fc.constant(s), shuffled: fc.shuffledSubarray(s.entries, { minLength: s.entries.length }) }),
        ),
        ({ s, shuffled }) => {
          expect(creditUsageSeries({ ...s.range, entries: shuffled, groupBy: s.groupBy })).toEqual(
            creditUsageSeries({ ...s.range, entries: s.entries, groupBy: s.groupBy }),
          );
          expect(creditEventFields(shuffled)).toEqual(creditEventFields(s.entries));
        },
      ),
    );
  });

  it('orders series by total descending, then feature id', () => {
    fc.assert(
      fc.property(scenarioArb, ({ range, entries }) => {
        const { series } = creditUsageSeries({ ...range, entries });
        series.slice(1).forEach((s, i) => {
          const prev = series[i] as CreditUsageSeries;
          const cmp = new Decimal(prev.totalCredits).comparedTo(s.totalCredits);
          expect(cmp).toBeGreaterThanOrEqual(0);
          if (cmp === 0)
            expect(prev.featureId !== null && (s.featureId === null || prev.featureId < s.featureId)).toBe(true);
        });
      }),
    );
  });

  it('any range is well formed or refused, and never holds more than the most points', () => {
    const instant = fc.integer({ min: -8.64e15, max: 8.64e15 });
    fc.assert(
      fc.property(
        fc.record(
          {
            timeRange: fc.constantFrom<CreditUsageTimeRange>('LAST_DAY', 'LAST_WEEK', 'LAST_MONTH', 'LAST_YEAR'),
            startDate: fc.oneof(instant, fc.integer({ min: NOW - 400 * 365 * DAY, max: NOW })),
            endDate: fc.oneof(instant, fc.integer({ min: NOW - 365 * DAY, max: NOW + 365 * DAY })),
          },
          { requiredKeys: [] },
        ),
        (input) => {
          let range: ReturnType<typeof creditUsageRange>;
          try {
            range = creditUsageRange(input, NOW);
          } catch (e) {
            expect(AllotError.is(e) && e.code === 'INVALID_INPUT').toBe(true);
            return;
          }
          expect(range.from).toBeLessThan(range.to);
          expect(range.to).toBe(input.endDate ?? NOW + 1);
          if (input.startDate !== undefined) expect(range.from).toBe(input.startDate);
          const { series } = creditUsageSeries({ ...range, entries: [entry(range.from, '-1')] });
          expect(series[0]?.points.length).toBeLessThanOrEqual(MAX_CREDIT_USAGE_POINTS);
        },
      ),
    );
  });
});
