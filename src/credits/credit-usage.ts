// Credit usage over time, for getCreditUsage and getCreditEventsFields: pure functions from ledger
// entries, a range and `now` (never the clock) to chartable series. Instants are epoch ms (UTC);
// credits are decimal strings, summed exactly.
import { addMonthsUtc } from '../core/reset-period.js';
import { AllotError } from '../errors.js';
import { decimalString, sumOf } from '../money/amount.js';
import { Decimal } from '../money/money.js';
import type { CreditLedgerEntry } from './credit-records.js';

/** The reference's preset ranges, each ending at now. */
export const CreditUsageTimeRange = {
  LastDay: 'LAST_DAY',
  LastWeek: 'LAST_WEEK',
  LastMonth: 'LAST_MONTH',
  LastYear: 'LAST_YEAR',
} as const;
export type CreditUsageTimeRange = (typeof CreditUsageTimeRange)[keyof typeof CreditUsageTimeRange];

/** The width of one point: a UTC hour, a UTC day (from midnight) or a UTC calendar month (from the 1st). */
export const CreditUsageBucket = { Hour: 'HOUR', Day: 'DAY', Month: 'MONTH' } as const;
export type CreditUsageBucket = (typeof CreditUsageBucket)[keyof typeof CreditUsageBucket];

/** The half-open range `[from, to)` a usage chart covers, and its point width. */
export interface CreditUsageRange {
  readonly from: number;
  readonly to: number;
  readonly bucket: CreditUsageBucket;
}

/** Credits used in one bucket: `timestamp` is the bucket's start, `value` a decimal string. */
export interface CreditUsagePoint {
  readonly timestamp: number;
  readonly value: string;
}

/** A dimension of a grouped series; `value` is '' where the consumption did not report the dimension. */
export interface CreditUsageTag {
  readonly key: string;
  readonly value: string;
}

/**
 * The credits one feature (and, when grouped, one combination of dimension values) used, one point
 * per bucket. `featureId` and `featureName` are null for credits consumed without a feature.
 */
export interface CreditUsageSeries {
  readonly featureId: string | null;
  readonly featureName: string | null;
  /** The sum of the points, a decimal string. */
  readonly totalCredits: string;
  /** Present only when grouped: one tag per `groupBy` key, in the order asked. */
  readonly tags?: readonly CreditUsageTag[];
  readonly points: readonly CreditUsagePoint[];
}

/** The most points one series may have: 200 years of months (a century is 1,200 or 1,201). */
export const MAX_CREDIT_USAGE_POINTS = 2_400;

/** The most points all series together may have, so a high-cardinality `groupBy` cannot run away. */
export const MAX_CREDIT_USAGE_CELLS = 1_000_000;

/** The most `groupBy` dimensions, as in the reference. */
const MAX_GROUP_BY = 3;

const BUCKETS: ReadonlySet<string> = new Set(Object.values(CreditUsageBucket));

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The range a JavaScript Date can hold, in epoch ms. */
const DATE_RANGE = 8.64e15;

/** How far back each preset reaches from its end. */
const PRESETS: Record<
  CreditUsageTimeRange,
  { readonly bucket: CreditUsageBucket; readonly back: (end: number) => number }
> = {
  LAST_DAY: { bucket: 'HOUR', back: (end) => end - DAY_MS },
  LAST_WEEK: { bucket: 'DAY', back: (end) => end - 7 * DAY_MS },
  LAST_MONTH: { bucket: 'DAY', back: (end) => end - 30 * DAY_MS },
  // Calendar months, clamped to the month's end: 2024-02-29 reaches back to 2023-02-28.
  LAST_YEAR: { bucket: 'MONTH', back: (end) => addMonthsUtc(end, -12) },
};

/** The ledger entries that spend credits; the rest (grants, expiries, voids, debt settlement) only move them. */
const CONSUMPTION: ReadonlySet<string> = new Set(['CREDITS_CONSUMED', 'DEBT_CREATED']);

function isConsumption(entry: CreditLedgerEntry): boolean {
  return CONSUMPTION.has(entry.eventType);
}

function invalid(message: string, details: Record<string, unknown>): AllotError {
  return new AllotError('INVALID_INPUT', message, { details });
}

function checkInstant(value: number, what: string): void {
  if (!Number.isInteger(value) || Math.abs(value) > DATE_RANGE)
    throw invalid(`${what} must be whole epoch ms in Date range, got ${String(value)}`, { [what]: value });
}

/** The point width of a custom range by its length: hours up to 2 days, days up to 92, months beyond. */
function bucketForSpan(span: number): CreditUsageBucket {
  if (span <= 2 * DAY_MS) return 'HOUR';
  if (span <= 92 * DAY_MS) return 'DAY';
  return 'MONTH';
}

/**
 * The range a usage query covers, at `now`:
 * - `startDate` given: `[startDate, endDate)`, or up to and including now without an `endDate`
 *   (`to = now + 1`, as getUsageHistory does); `timeRange` is ignored and the point width follows
 *   the length (hours up to 2 days, days up to 92 days, months beyond).
 * - otherwise the preset `timeRange` (default LAST_MONTH), ending at `endDate` (exclusive) when one
 *   is given, else up to and including now: LAST_DAY reaches back 24 hours in hours, LAST_WEEK 7
 *   days and LAST_MONTH 30 days in days, LAST_YEAR 12 calendar months (UTC, day clamped to the
 *   month's end) in months. An `endDate` with neither `startDate` nor `timeRange` is refused: half a
 *   custom range is more likely a mistake than a request for the last month.
 *
 * Buckets are aligned to the UTC hour, UTC midnight or the UTC 1st, so the first one usually
 * starts before `from`; it counts only what happened from `from` on. Throws INVALID_INPUT when
 * `startDate >= endDate`, for an instant outside the Date range, or for a range of more than
 * {@link MAX_CREDIT_USAGE_POINTS} points.
 *
 * @example creditUsageRange({ timeRange: 'LAST_DAY' }, now) // { from: now - 86_400_000, to: now + 1, bucket: 'HOUR' }
 */
export function creditUsageRange(
  input: {
    readonly timeRange?: CreditUsageTimeRange | undefined;
    readonly startDate?: number | undefined;
    readonly endDate?: number | undefined;
  },
  now: number,
): CreditUsageRange {
  const { timeRange, startDate, endDate } = input;
  checkInstant(now, 'now');
  if (startDate !== undefined) checkInstant(startDate, 'startDate');
  if (endDate !== undefined) checkInstant(endDate, 'endDate');
  if (timeRange !== undefined && !Object.hasOwn(PRESETS, timeRange))
    throw invalid(`timeRange must be one of ${Object.keys(PRESETS).join(', ')}, got ${String(timeRange)}`, {
      timeRange,
    });
  // By default up to and including now.
  const to = endDate ?? now + 1;
  let range: CreditUsageRange;
  if (startDate !== undefined) {
    if (startDate >= to) throw invalid('startDate must be before endDate', { startDate, endDate: to });
    range = { from: startDate, to, bucket: bucketForSpan(to - startDate) };
  } else {
    if (endDate !== undefined && timeRange === undefined)
      throw invalid('startDate is required with endDate unless a timeRange is given', { endDate });
    const preset = PRESETS[timeRange ?? 'LAST_MONTH'];
    range = { from: preset.back(endDate ?? now), to, bucket: preset.bucket };
    checkInstant(range.from, 'the range start');
  }
  bucketSpan(range);
  return range;
}

/** The index of the bucket holding `at`, counted from the epoch (months from year 0). */
function bucketIndex(at: number, bucket: CreditUsageBucket): number {
  if (bucket === 'HOUR') return Math.floor(at / HOUR_MS);
  if (bucket === 'DAY') return Math.floor(at / DAY_MS);
  const d = new Date(at);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** The start of the bucket of index `index`, as epoch ms. */
function bucketStart(index: number, bucket: CreditUsageBucket): number {
  if (bucket === 'HOUR') return index * HOUR_MS;
  if (bucket === 'DAY') return index * DAY_MS;
  const year = Math.floor(index / 12);
  // setUTCFullYear, unlike Date.UTC, takes years 0..99 literally.
  return new Date(0).setUTCFullYear(year, index - year * 12, 1);
}

/** The index of the first bucket of `[from, to)` and how many there are; throws when too many. */
function bucketSpan(range: CreditUsageRange): { readonly first: number; readonly count: number } {
  const first = bucketIndex(range.from, range.bucket);
  const count = bucketIndex(range.to - 1, range.bucket) - first + 1;
  // NaN (an instant beyond the Date range) fails too.
  if (!(count >= 1 && count <= MAX_CREDIT_USAGE_POINTS))
    throw invalid(`the range spans more than ${MAX_CREDIT_USAGE_POINTS} points; ask for less or a wider bucket`, {
      from: range.from,
      to: range.to,
      bucket: range.bucket,
    });
  return { first, count };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface SeriesState {
  readonly featureId: string | null;
  readonly tags: readonly CreditUsageTag[] | null;
  /** Credits used per bucket offset, only where some were. */
  readonly used: Map<number, Decimal>;
}

/**
 * The credits used in `[from, to)`, as series of points: one per feature without `groupBy`, one
 * per combination of the `groupBy` dimensions (up to 3, across features) with it. Only consumption
 * counts (`CREDITS_CONSUMED` and `DEBT_CREATED`, whose amounts are negative; the credits used are
 * −amount); `DEBT_SETTLED` only moves credits already counted, and grants, expiries and voids use
 * none. `entries` are of one currency, in any order; the result does not depend on it.
 *
 * Every series has one point per bucket from the one holding `from` to the one holding `to − 1`,
 * 0 where nothing was used, so charts get a continuous axis; `timestamp` is the bucket's start,
 * which for the first may be before `from` (only what happened from `from` on counts). A
 * dimension a consumption did not report groups as '' (as getUsageHistory does), so it shares a
 * series with an explicit ''. `featureName` comes from `featureNames`, the feature's id where it
 * has none, and null for credits consumed without a feature. Series come by `totalCredits`
 * descending, then by feature id (no feature last), then by tag values. Throws INVALID_INPUT for
 * `from >= to`, more than 3 `groupBy` keys, more than {@link MAX_CREDIT_USAGE_POINTS} buckets or
 * more than {@link MAX_CREDIT_USAGE_CELLS} points in all.
 *
 * @example creditUsageSeries({ entries, from, to, bucket: 'DAY', groupBy: ['model'] }).series[0]
 * // { featureId: null, featureName: null, totalCredits: '12.5', tags: [{ key: 'model', value: 'gpt-4' }], points: [...] }
 */
export function creditUsageSeries(input: {
  readonly entries: readonly CreditLedgerEntry[];
  readonly from: number;
  readonly to: number;
  readonly bucket: CreditUsageBucket;
  readonly groupBy?: readonly string[] | undefined;
  readonly featureNames?: ReadonlyMap<string, string> | undefined;
}): { readonly series: CreditUsageSeries[] } {
  const { entries, from, to, bucket } = input;
  const groupBy = input.groupBy ?? [];
  const featureNames = input.featureNames ?? new Map<string, string>();
  checkInstant(from, 'from');
  if (!Number.isInteger(to)) throw invalid(`to must be whole epoch ms, got ${String(to)}`, { to });
  if (from >= to) throw invalid('from must be before to', { from, to });
  if (!BUCKETS.has(bucket)) throw invalid(`bucket must be HOUR, DAY or MONTH, got ${String(bucket)}`, { bucket });
  if (groupBy.length > MAX_GROUP_BY)
    throw invalid(`groupBy takes at most ${MAX_GROUP_BY} dimensions, got ${groupBy.length}`, { groupBy });
  const { first, count } = bucketSpan({ from, to, bucket });

  const all = new Map<string, SeriesState>();
  for (const e of entries) {
    if (!isConsumption(e) || e.at < from || e.at >= to) continue;
    // Grouped series cut across features, as in the reference: tags replace the feature.
    const featureId = groupBy.length === 0 ? (e.featureId ?? null) : null;
    const dimensions = e.dimensions;
    const tags =
      groupBy.length === 0
        ? null
        : groupBy.map((key) => ({
            key,
            value: dimensions && Object.hasOwn(dimensions, key) ? String(dimensions[key]) : '',
          }));
    const id = JSON.stringify([featureId, ...(tags ?? []).map((t) => t.value)]);
    let s = all.get(id);
    if (s === undefined) {
      s = { featureId, tags, used: new Map() };
      all.set(id, s);
    }
    const offset = bucketIndex(e.at, bucket) - first;
    s.used.set(offset, (s.used.get(offset) ?? new Decimal(0)).minus(e.amount));
  }
  if (all.size * count > MAX_CREDIT_USAGE_CELLS)
    throw invalid(
      `the usage has ${all.size} series of ${count} points, more than ${MAX_CREDIT_USAGE_CELLS} in all; ask for a shorter range or fewer groupBy dimensions`,
      { series: all.size, points: count },
    );

  const timestamps = Array.from({ length: count }, (_, i) => bucketStart(first + i, bucket));
  const built = [...all.values()].map((s) => {
    const total = sumOf(s.used.values());
    const points = timestamps.map((timestamp, i) => {
      const used = s.used.get(i);
      return { timestamp, value: used === undefined ? '0' : decimalString(used) };
    });
    const featureName = s.featureId === null ? null : (featureNames.get(s.featureId) ?? s.featureId);
    const series: CreditUsageSeries = {
      featureId: s.featureId,
      featureName,
      totalCredits: decimalString(total),
      ...(s.tags === null ? {} : { tags: s.tags }),
      points,
    };
    return { series, total, values: (s.tags ?? []).map((t) => t.value) };
  });
  built.sort((a, b) => {
    const byTotal = b.total.comparedTo(a.total);
    if (byTotal !== 0) return byTotal;
    const fa = a.series.featureId;
    const fb = b.series.featureId;
    if (fa !== fb) return fa === null ? 1 : fb === null ? -1 : compareStrings(fa, fb);
    for (let i = 0; i < a.values.length; i++) {
      const byValue = compareStrings(a.values[i] ?? '', b.values[i] ?? '');
      if (byValue !== 0) return byValue;
    }
    return 0;
  });
  return { series: built.map((b) => b.series) };
}

/**
 * The dimension keys reported with any consumption in `entries`, each once, in code-unit order;
 * with `search`, only those containing it, ignoring case.
 *
 * @example creditEventFields(entries, 'MOD') // ['model']
 */
export function creditEventFields(entries: readonly CreditLedgerEntry[], search?: string): string[] {
  const needle = search?.toLowerCase() ?? '';
  const keys = new Set<string>();
  for (const e of entries)
    if (isConsumption(e) && e.dimensions)
      for (const key of Object.keys(e.dimensions)) if (key.toLowerCase().includes(needle)) keys.add(key);
  return [...keys].sort(compareStrings);
}
