import type { Catalog } from '../catalog/catalog.js';
import { AllotError } from '../errors.js';
import type { UsageMarkerType } from '../model/enums.js';
import type { Dimensions } from '../model/meters.js';
import type { CustomerState } from '../model/records.js';
import { resolveEntitlements, type Share } from './effective-entitlements.js';
import { aggregateUsage, applyUsageOp, EMPTY_AGGREGATE, type UsageAggregate, type UsageOp } from './usage-aggregate.js';
import { applySummary, type UsageSummary } from './usage-summary.js';
import { usageWindow } from './usage-windows.js';

/** The window usage of a feature the customer is not entitled to counts in: it never resets. */
export const UNENTITLED_WINDOW = 'unentitled';

/** A stretch of time during which a feature's usage counted in one window. */
export interface UsageSegment {
  readonly start: number;
  readonly end: number;
  readonly window: string;
  /** Whose counter holds the usage (null: customer-wide). */
  readonly scope: string | null;
  /** Where the window's period starts (null: never resets), so history knows how far back to read. */
  readonly periodStart: number | null;
  /** The usage epoch; a change of epoch is a reset by a subscription change. */
  readonly epoch: string | null;
}

/** The most segments a history walks, so a long range of hourly resets cannot run away. */
const MAX_SEGMENTS = 20_000;

/**
 * The windows a feature's usage went through in `[from, to)`, in order: a new segment starts at
 * every period boundary and every change of the entitlements (plan change, trial end...).
 */
export function usageSegments(
  catalog: Catalog,
  state: CustomerState | undefined,
  resourceId: string | null,
  featureId: string,
  from: number,
  to: number,
  share?: Share,
): UsageSegment[] {
  const segments: UsageSegment[] = [];
  for (let t = from; t < to; ) {
    if (segments.length >= MAX_SEGMENTS)
      throw new AllotError('INVALID_INPUT', `the range spans more than ${MAX_SEGMENTS} usage periods; ask for less`, {
        details: { from, to },
      });
    const set = resolveEntitlements(catalog, state, resourceId, t, share);
    const source = set.windows.get(featureId);
    const w = source && usageWindow(source, t);
    const end = Math.min(to, set.validUntil, w?.periodEnd ?? Number.POSITIVE_INFINITY);
    const last = segments.at(-1);
    const window = w?.key ?? UNENTITLED_WINDOW;
    const scope = source ? source.scope : resourceId;
    // A change of entitlements that keeps the window (a promotion ending, say) is not a new segment.
    if (last && last.window === window && last.scope === scope) segments[segments.length - 1] = { ...last, end };
    else
      segments.push({
        start: t,
        end,
        window,
        scope,
        periodStart: w?.periodStart ?? null,
        epoch: source?.epoch ?? null,
      });
    t = end;
  }
  return segments;
}

/** The earliest instant a Date can hold, in epoch ms: where a counter that never resets is read from. */
const DATE_LIMIT = 8.64e15;

/** A counter history reads (one per scope the segments show) and from when on. */
export interface HistoryCounter {
  /** Whose counter (null: customer-wide). */
  readonly scope: string | null;
  /** The start of the earliest window shown (all of it for one that never resets). */
  readonly from: number;
}

/** The counters the segments show, in the order they first appear. */
export function historyCounters(segments: readonly UsageSegment[]): HistoryCounter[] {
  const from = new Map<string | null, number>();
  for (const s of segments)
    from.set(s.scope, Math.min(from.get(s.scope) ?? Number.POSITIVE_INFINITY, s.periodStart ?? -DATE_LIMIT));
  return [...from].map(([scope, start]) => ({ scope, from: start }));
}

/** One usage entry as history reads it. */
export interface HistoryEntry {
  readonly window: string;
  readonly at: number;
  readonly op: UsageOp;
  readonly amount: number;
  readonly dimensions: Dimensions | null;
}

/**
 * Entries of one window that history applies in one step, when their order cannot change the
 * aggregate; `at` is where the stretch holding them starts, within one point's bucket.
 */
export interface SummaryStep {
  readonly window: string;
  readonly at: number;
  readonly summary: UsageSummary;
}

export interface HistoryPoint {
  readonly timestamp: number;
  readonly value: number;
  readonly isResetPoint: boolean;
}

export interface HistorySeries {
  readonly tags: readonly { readonly key: string; readonly value: string }[];
  readonly points: readonly HistoryPoint[];
}

export interface UsageHistoryResult {
  readonly series: readonly HistorySeries[];
  readonly markers: readonly { readonly type: UsageMarkerType; readonly timestamp: number }[];
}

/** Point spacing for a range: minutes up to a day, hours up to 60 days, days beyond. */
export function historyBucket(from: number, to: number): number {
  const span = to - from;
  if (span <= 86_400_000) return 60_000;
  if (span <= 60 * 86_400_000) return 3_600_000;
  return 86_400_000;
}

interface SeriesState {
  readonly tags: HistorySeries['tags'];
  readonly windows: Map<string, UsageAggregate>;
  readonly points: (HistoryPoint & { readonly bucket: number })[];
  start: number;
}

/** What a history shows, whatever it is read from. */
export interface HistoryRange {
  readonly segments: readonly UsageSegment[];
  readonly from: number;
  readonly to: number;
  readonly reading: UsageOp;
  /** Point spacing; `historyBucket` of the range by default. */
  readonly bucket?: number;
}

/**
 * Usage over `[from, to)` as series of points, one series per combination of the `groupBy`
 * dimensions (one series when not grouped). A series starts with its usage at `from`, drops to
 * zero with `isResetPoint` where a window ends, and has one point per bucket in which usage
 * changed (stamped at the bucket's start, valued at its end). `entries` are sorted by time and
 * include the ones before `from` in the first segment's window, which give the starting usage.
 */
export function usageHistory(
  input: HistoryRange & { readonly entries: readonly HistoryEntry[]; readonly groupBy: readonly string[] },
): UsageHistoryResult {
  return foldHistory(input, input.entries, input.groupBy);
}

/**
 * `usageHistory` over steps, each an entry or a summary (whose dimensions are not known, so only
 * an ungrouped history takes them); undefined when a summary cannot apply without its entries.
 */
export function foldHistory(
  range: HistoryRange,
  steps: readonly HistoryEntry[],
  groupBy: readonly string[],
): UsageHistoryResult;
export function foldHistory(
  range: HistoryRange,
  steps: readonly (HistoryEntry | SummaryStep)[],
  groupBy: readonly [],
): UsageHistoryResult | undefined;
export function foldHistory(
  range: HistoryRange,
  steps: readonly (HistoryEntry | SummaryStep)[],
  groupBy: readonly string[],
): UsageHistoryResult | undefined {
  const { segments, from, reading } = range;
  const bucket = range.bucket ?? historyBucket(from, range.to);
  const windows = new Set(segments.map((s) => s.window));
  const all = new Map<string, SeriesState>();
  const seriesOf = (dimensions: Dimensions | null): SeriesState => {
    const tags = groupBy.map((key) => ({
      key,
      value: dimensions && Object.hasOwn(dimensions, key) ? String(dimensions[key]) : '',
    }));
    const id = JSON.stringify(tags.map((t) => t.value));
    let s = all.get(id);
    if (s === undefined) {
      s = { tags, windows: new Map(), points: [], start: 0 };
      all.set(id, s);
    }
    return s;
  };
  if (groupBy.length === 0) seriesOf(null);
  let segment = 0;
  for (const e of steps) {
    if (!windows.has(e.window)) continue;
    const s = seriesOf('summary' in e ? null : e.dimensions);
    const before = s.windows.get(e.window) ?? EMPTY_AGGREGATE;
    const aggregate = 'summary' in e ? applySummary(before, e.summary) : applyUsageOp(before, e.op, e.amount);
    if (aggregate === undefined) return undefined;
    s.windows.set(e.window, aggregate);
    const value = aggregateUsage(aggregate, reading);
    if (e.at < from) {
      if (e.window === segments[0]?.window) s.start = value;
      continue;
    }
    while (segment < segments.length - 1 && (segments[segment]?.end ?? 0) <= e.at) segment++;
    // A bucket never reaches back across the reset that opened this window.
    const at = Math.max(from + Math.floor((e.at - from) / bucket) * bucket, segments[segment]?.start ?? from);
    const last = s.points.at(-1);
    if (last !== undefined && last.bucket === at && !last.isResetPoint)
      s.points[s.points.length - 1] = { ...last, value };
    else s.points.push({ timestamp: at, value, isResetPoint: false, bucket: at });
  }
  const resets = segments.slice(1).map((seg, i) => ({
    timestamp: seg.start,
    type: (seg.epoch !== null && seg.epoch === segments[i]?.epoch
      ? 'PERIODIC_RESET'
      : 'SUBSCRIPTION_CHANGE_RESET') as UsageMarkerType,
  }));
  const series = [...all.values()].map((s) => {
    // Usage in the first bucket already gives the point at `from`.
    const start = s.points[0]?.timestamp === from ? [] : [{ timestamp: from, value: s.start, isResetPoint: false }];
    const points: HistoryPoint[] = [
      ...start,
      ...resets.map((r) => ({ timestamp: r.timestamp, value: 0, isResetPoint: true })),
      ...s.points.map(({ bucket: _bucket, ...p }) => p),
    ];
    // Stable: at one instant the reset comes before the usage that follows it.
    points.sort((a, b) => a.timestamp - b.timestamp || Number(b.isResetPoint) - Number(a.isResetPoint));
    return { tags: s.tags, points };
  });
  return { series, markers: resets };
}
