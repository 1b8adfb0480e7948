// Usage history: a metered feature's usage over time, read from the store's log of entries, and
// pruning of what is older than anyone needs.
import { requireMeteredFeature } from '../../catalog/catalog.js';
import { requireCustomerState } from '../../core/customer-records.js';
import { aggregationOp } from '../../core/usage-aggregate.js';
import { usageHistory, usageSegments } from '../../core/usage-history.js';
import { AllotError } from '../../errors.js';
import type { UsageMarkerType } from '../../model/enums.js';
import type { Engine } from '../engine/engine.js';
import { parse, pruneHistorySchema, usageHistorySchema } from '../input-schemas.js';
import type { GetUsageHistoryParams } from '../params.js';

/** Usage over time, as `getUsageHistory` returns it (the reference's `getUsageHistoryV2` shape). */
export interface UsageHistory {
  series: {
    tags: { key: string; value: string }[];
    points: { timestamp: Date; value: number; isResetPoint: boolean }[];
  }[];
  markers: { type: UsageMarkerType; timestamp: Date }[];
}

/** The earliest instant a Date can hold, in epoch ms. */
const DATE_LIMIT = 8.64e15;

export class History {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async usage(params: GetUsageHistoryParams): Promise<UsageHistory> {
    const p = parse(usageHistorySchema, params, 'getUsageHistory');
    const engine = this.#engine;
    const catalog = await engine.ready();
    // By default up to and including now.
    const to = p.endDate ?? engine.clock.now() + 1;
    if (p.startDate >= to)
      throw new AllotError('INVALID_INPUT', 'getUsageHistory: startDate must be before endDate', {
        details: { startDate: p.startDate, endDate: to },
      });
    const feature = requireMeteredFeature(catalog, p.featureId);
    const state = requireCustomerState((await engine.entry(p.customerId)).state, p.customerId, { allowArchived: true });
    const resourceId = p.resourceId ?? null;
    const segments = usageSegments(catalog, state, resourceId, p.featureId, p.startDate, to, engine.share);
    // Each counter is read from the start of the earliest window shown (all of it for one that never resets).
    const from = new Map<string | null, number>();
    for (const s of segments)
      from.set(s.scope, Math.min(from.get(s.scope) ?? Number.POSITIVE_INFINITY, s.periodStart ?? -DATE_LIMIT));
    const entries = await engine.store.read(async (r) => {
      const lists = [];
      for (const [scope, start] of from)
        lists.push(
          await r.listUsageEntries({
            customerId: p.customerId,
            resourceId: scope,
            featureId: p.featureId,
            from: start,
            before: to,
          }),
        );
      return lists.flat().sort((a, b) => a.at - b.at);
    });
    const reading = feature.meter ? aggregationOp[feature.meter.aggregation.function] : 'add';
    const history = usageHistory({ segments, entries, groupBy: p.groupBy ?? [], from: p.startDate, to, reading });
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

  async prune(params: { before: Date | string | number }): Promise<{ pruned: number }> {
    const { before } = parse(pruneHistorySchema, params, 'pruneUsageHistory');
    await this.#engine.ready();
    return { pruned: await this.#engine.store.transaction([], (tx) => tx.pruneUsageHistory(before)) };
  }
}
