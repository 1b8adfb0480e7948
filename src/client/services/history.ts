// Usage history: a metered feature's usage over time, read from the store's summaries of its log of
// entries (or the entries themselves), and pruning of what is older than anyone needs.
import type { z } from 'zod';
import { requireMeteredFeature } from '../../catalog/catalog.js';
import { requireCustomerState } from '../../core/customer-records.js';
import { SummaryHistory } from '../../core/summary-history.js';
import { aggregationOp } from '../../core/usage-aggregate.js';
import {
  type HistoryCounter,
  type HistoryRange,
  historyBucket,
  historyCounters,
  type UsageHistoryResult,
  usageHistory,
  usageSegments,
} from '../../core/usage-history.js';
import type { TimeRange } from '../../core/usage-summary.js';
import { AllotError } from '../../errors.js';
import type { UsageMarkerType } from '../../model/enums.js';
import type { StoreReader } from '../../stores/store.js';
import type { Engine } from '../engine/engine.js';
import { parse, pruneHistorySchema, usageHistorySchema } from '../input-schemas.js';
import type {
  FetchUsageHistoryParams,
  GetUsageHistoryParams,
  GetUsageHistoryV2Params,
  PruneUsageHistoryParams,
} from '../params.js';
import { ProgressReporter } from '../progress.js';
import { fetchUsageHistorySchema, usageHistoryV2Schema } from '../sdk-input-schemas.js';

/** Usage over time, as `getUsageHistory` returns it (the reference's `getUsageHistoryV2` shape). */
export interface UsageHistory {
  series: {
    tags: { key: string; value: string }[];
    points: { timestamp: Date; value: number; isResetPoint: boolean }[];
  }[];
  markers: { type: UsageMarkerType; timestamp: Date }[];
}

/**
 * The most point buckets a history range may hold (about 27 years of days): a store may read one
 * stretch per bucket (PostgreSQL in one statement, two parameters each).
 */
const MAX_HISTORY_BUCKETS = 10_000;

/** One point of `fetchUsageHistory` (deprecated): the V1 shape of an ungrouped history's point. */
export interface UsageHistoryPoint {
  date: Date;
  value: number;
  isResetPoint: boolean;
}

export class History {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async usage(params: GetUsageHistoryParams): Promise<UsageHistory> {
    return this.#usage(parse(usageHistorySchema, params, 'getUsageHistory'), 'getUsageHistory');
  }

  /**
   * `usage` by the reference's V2 name. `includeInactiveSubscriptions` changes nothing: a history
   * always shows the range's usage, whichever subscription it counted under.
   */
  async usageV2(params: GetUsageHistoryV2Params): Promise<UsageHistory> {
    return this.#usage(parse(usageHistoryV2Schema, params, 'getUsageHistoryV2'), 'getUsageHistoryV2');
  }

  /** The ungrouped history's points in the reference's V1 shape, `{date, value, isResetPoint}`. */
  async points(params: FetchUsageHistoryParams): Promise<UsageHistoryPoint[]> {
    const history = await this.#usage(parse(fetchUsageHistorySchema, params, 'fetchUsageHistory'), 'fetchUsageHistory');
    return (history.series[0]?.points ?? []).map((pt) => ({
      date: pt.timestamp,
      value: pt.value,
      isResetPoint: pt.isResetPoint,
    }));
  }

  async #usage(p: z.output<typeof usageHistorySchema>, method: string): Promise<UsageHistory> {
    const engine = this.#engine;
    const catalog = await engine.ready();
    // By default up to and including now.
    const to = p.endDate ?? engine.clock.now() + 1;
    if (p.startDate >= to)
      throw new AllotError('INVALID_INPUT', `${method}: startDate must be before endDate`, {
        details: { startDate: p.startDate, endDate: to },
      });
    if ((to - p.startDate) / historyBucket(p.startDate, to) > MAX_HISTORY_BUCKETS)
      throw new AllotError(
        'INVALID_INPUT',
        `${method}: the range holds more than ${MAX_HISTORY_BUCKETS} points (about 27 years of days); ask for less`,
        { details: { startDate: p.startDate, endDate: to } },
      );
    const feature = requireMeteredFeature(catalog, p.featureId);
    const state = requireCustomerState((await engine.entry(p.customerId)).state, p.customerId, { allowArchived: true });
    const segments = usageSegments(catalog, state, p.resourceId ?? null, p.featureId, p.startDate, to, engine.share);
    const reading = feature.meter ? aggregationOp[feature.meter.aggregation.function] : 'add';
    const key = { customerId: p.customerId, featureId: p.featureId };
    const range = { segments, from: p.startDate, to, reading };
    const history = await engine.store.read((r) => readHistory(r, key, range, p.groupBy ?? []));
    return {
      series: history.series.map((s) => ({
        tags: s.tags.map((t) => ({ ...t })),
        points: s.points.map((pt) => ({
          timestamp: new Date(pt.timestamp),
          value: pt.value,
          isResetPoint: pt.isResetPoint,
        })),
      })),
      markers: history.markers.map((m) => ({ type: m.type, timestamp: new Date(m.timestamp) })),
    };
  }

  /** The store prunes in one transaction, so progress is its start (nothing done, total unknown) and its end. */
  async prune(params: PruneUsageHistoryParams): Promise<{ pruned: number }> {
    const { before, onProgress } = parse(pruneHistorySchema, params, 'pruneUsageHistory');
    await this.#engine.ready();
    const progress = new ProgressReporter('prune', onProgress, this.#engine.log);
    progress.report(0);
    const pruned = await this.#engine.store.transaction([], (tx) => tx.pruneUsageHistory(before));
    progress.finish(pruned);
    return { pruned };
  }
}

/**
 * A history from the store: ungrouped, from summaries of the counters (the rollups' rows and the
 * few stretches they cannot stand for, entry by entry); grouped by dimensions, which summaries do
 * not keep, or when a summary cannot apply exactly, from every entry of the counters.
 */
export async function readHistory(
  r: StoreReader,
  key: { readonly customerId: string; readonly featureId: string },
  range: HistoryRange,
  groupBy: readonly string[],
): Promise<UsageHistoryResult> {
  const counters = historyCounters(range.segments);
  // Every counter's entries by time (then counter, then log order), as one list.
  const entries = async (ranges: (counter: HistoryCounter) => TimeRange[]) => {
    const lists = [];
    for (const c of counters) {
      const stretches = ranges(c);
      if (stretches.length > 0)
        lists.push(await r.listUsageEntries({ ...key, resourceId: c.scope, ranges: stretches }));
    }
    return lists.flat().sort((a, b) => a.at - b.at);
  };
  if (groupBy.length === 0) {
    const summary = new SummaryHistory(range);
    const cells = [];
    for (const c of counters)
      for (const request of summary.requests(c))
        cells.push(...(await r.summarizeUsage({ ...key, resourceId: c.scope, ...request })));
    summary.replay(cells);
    const history = summary.history(await entries((c) => summary.replayRanges(c)));
    if (history !== undefined) return history;
  }
  return usageHistory({ ...range, groupBy, entries: await entries((c) => [{ from: c.from, before: range.to }]) });
}
