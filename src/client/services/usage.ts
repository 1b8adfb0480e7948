// Usage and raw events: reported (one, or a batch in one transaction), checked and reported
// atomically, aggregated into the window of their time, and charged to credit pools for
// credit-backed features in the same transaction.
import type { z } from 'zod';
import { type Catalog, requireMeteredFeature } from '../../catalog/catalog.js';
import { requireCustomerState } from '../../core/customer-records.js';
import type { MeteredEntitlement } from '../../core/entitlement-results.js';
import { aggregationOp } from '../../core/usage-aggregate.js';
import { AllotError } from '../../errors.js';
import { type Dimensions, matchesMeter, meterSample } from '../../model/meters.js';
import type { EventKey, StoreTransaction, UsageEntry } from '../../stores/store.js';
import type { CustomerEntry } from '../engine/customer-entry.js';
import type { Engine } from '../engine/engine.js';
import { byCustomer, type Indexed, itemError, type Mutation } from '../engine/mutation.js';
import { plainCheckAndReport, plainEvents, plainReport } from '../fast-input.js';
import { rechargeId, usageChargeId } from '../ids.js';
import {
  checkAndReportUsageSchema,
  parse,
  type reportEventSchema,
  reportEventsSchema,
  reportUsageBulkSchema,
  reportUsageSchema,
} from '../input-schemas.js';
import type {
  CheckAndReportUsageParams,
  ReportEventParams,
  ReportUsageBulkParams,
  ReportUsageParams,
} from '../params.js';
import { type Contribution, type PlacedWindow, UsageBatch } from '../usage-batch.js';
import {
  type CreditChargeRecord,
  type EventCreditCharge,
  eventCreditCharges,
  type UsageCreditAck,
  UsageCredits,
  usageCreditAck,
} from '../usage-credits.js';

/** What `reportUsage` acknowledges once the usage is durable. */
export interface ReportUsageAck {
  measurementId: string;
  customerId: string;
  featureId: string;
  resourceId: string | null;
  currentUsage: number;
  timestamp: Date;
  usagePeriodStart?: Date;
  usagePeriodEnd?: Date;
  /** @deprecated equals `usagePeriodEnd`. */
  nextResetDate?: Date;
  /** On a credit-backed feature: what the report cost and the pool's totals after it. */
  credit?: UsageCreditAck;
}

/** `checkAndReportUsage`'s answer: the check as it was made and, when granted, the recorded usage. */
export interface CheckAndReportUsageResult {
  hasAccess: boolean;
  /** The check before recording, with `requestedUsage` = value; its `accessDeniedReason` says why a denial was made. */
  entitlement: MeteredEntitlement;
  /** The acknowledgement of the recorded usage; absent when denied. */
  usage?: ReportUsageAck;
}

/** What `reportEvent` did with the events: how many counted, how many repeated an idempotency key already seen. */
export interface ReportEventResult {
  accepted: number;
  duplicates: number;
  /** The credits the accepted events drew, one entry per pool charged; absent when none were. */
  credits?: EventCreditCharge[];
}

/** An ack as stored for idempotent replays: instants as epoch ms. */
interface AckRecord {
  measurementId: string;
  customerId: string;
  featureId: string;
  resourceId: string | null;
  currentUsage: number;
  timestamp: number;
  periodStart: number | null;
  periodEnd: number | null;
  credit?: CreditChargeRecord;
}

type UsageInput = z.output<typeof reportUsageSchema>;
type EventInput = z.output<typeof reportEventSchema>;

const USAGE_SCOPE = 'usage';
/** How far ahead of the clock an event or report may be stamped: producers' clocks drift. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export class Usage {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async report(params: ReportUsageParams): Promise<ReportUsageAck> {
    const p = plainReport(params) ?? parse(reportUsageSchema, params, 'reportUsage');
    const [ack] = await this.#engine.mutate(p.customerId, (entry, tx, now, catalog) =>
      this.#applyUsages(entry, p.customerId, [{ item: p }], tx, now, catalog),
    );
    return ack as ReportUsageAck;
  }

  async reportBulk(params: ReportUsageBulkParams): Promise<ReportUsageAck[]> {
    const p = plainBulk(params) ?? parse(reportUsageBulkSchema, params, 'reportUsageBulk');
    return this.#engine.writeEach(p.usages, (entry, customerId, usages, tx, now, catalog) =>
      this.#applyUsages(entry, customerId, usages, tx, now, catalog),
    );
  }

  /** Decides under the customer's write lock, inside the transaction: the cache is never trusted for it. */
  async checkAndReport(params: CheckAndReportUsageParams): Promise<CheckAndReportUsageResult> {
    const p = plainCheckAndReport(params) ?? {
      ...parse(checkAndReportUsageSchema, params, 'checkAndReportUsage'),
      updateBehavior: 'DELTA' as const,
    };
    return this.#engine.mutate<CheckAndReportUsageResult>(p.customerId, async (entry, tx, now, catalog) => {
      requireCustomerState(entry.state, p.customerId);
      const resourceId = p.resourceId ?? null;
      const prior = await priorAck(tx, p.customerId, p.idempotencyKey);
      const requestedUsage = prior ? 0 : p.value;
      const options = { requestedUsage };
      const entitlement = this.#engine.evaluate(entry, resourceId, p.featureId, 'METERED', options, now);
      const metered = entitlement as MeteredEntitlement;
      if (prior) return { result: { hasAccess: true, entitlement: metered, usage: toAck(prior) } };
      if (!metered.hasAccess) return { result: { hasAccess: false, entitlement: metered } };
      const mutation = await this.#applyUsages(entry, p.customerId, [{ item: p }], tx, now, catalog);
      const ack = mutation.result[0] as ReportUsageAck;
      return { ...mutation, result: { hasAccess: true, entitlement: metered, usage: ack } };
    });
  }

  /**
   * One transaction for the whole batch, with one store call for every event's key and one for
   * every counted entry, whatever the customers: on PostgreSQL a round trip per event or per
   * customer would dominate. The keys' unique index decides which events are new; those count, in
   * order. A customer none of whose events was new is left as it was.
   */
  async reportEvents(events: ReportEventParams | ReportEventParams[]): Promise<ReportEventResult> {
    const list = plainEvents(events) ?? parse(reportEventsSchema, events, 'reportEvent');
    const items: readonly EventInput[] = Array.isArray(list) ? list : [list];
    const groups = byCustomer(items);
    const engine = this.#engine;
    return engine.write([...groups.keys()], async (entries, tx, now) => {
      const keys: EventKey[] = new Array(items.length);
      const times: number[] = new Array(items.length);
      for (let index = 0; index < items.length; index++) {
        const e = items[index] as EventInput;
        try {
          requireCustomerState(entries.get(e.customerId)?.state, e.customerId);
          times[index] = pastOrNow(e.timestamp, now, 'timestamp');
        } catch (error) {
          throw itemError(index, error);
        }
        keys[index] = { customerId: e.customerId, idempotencyKey: e.idempotencyKey, createdAt: now };
      }
      const fresh = await tx.putEvents(keys);
      const mutations = new Map<string, Mutation<unknown>>();
      const logged: UsageEntry[] = [];
      const charges: { index: number; customerId: string; charge: CreditChargeRecord }[] = [];
      for (const [customerId, group] of groups) {
        const counted = group.filter(({ index }) => fresh[index] === true);
        if (counted.length === 0) continue;
        const entry = entries.get(customerId) as CustomerEntry;
        const { batch, mutation } = await this.#countEvents(entry, customerId, counted, times, charges, tx, now);
        for (const e of batch.entries) logged.push(e);
        mutations.set(customerId, mutation);
      }
      if (logged.length > 0) await tx.appendUsage(logged);
      let accepted = 0;
      for (const f of fresh) if (f) accepted++;
      // Credits in the order of the events that drew them, whichever customer's came first.
      const credits = eventCreditCharges(charges.sort((a, b) => a.index - b.index));
      const result = { accepted, duplicates: items.length - accepted, ...(credits.length > 0 ? { credits } : {}) };
      return { result, mutations };
    });
  }

  async #applyUsages(
    entry: CustomerEntry,
    customerId: string,
    usages: readonly Indexed<UsageInput>[],
    tx: StoreTransaction,
    now: number,
    catalog: Catalog,
  ): Promise<Mutation<ReportUsageAck[]>> {
    const batch = new UsageBatch(customerId, entry, catalog, tx, now, this.#engine.share);
    const credits = new UsageCredits(tx, entry, catalog, now, usageChargeId);
    const acks: ReportUsageAck[] = [];
    // A plain try per report rather than a closure and a promise each: a bulk call holds up to 1,000.
    for (const { item: u, index } of usages) {
      try {
        requireCustomerState(entry.state, customerId);
        reportableFeature(catalog, u.featureId);
        const key = u.idempotencyKey;
        const prior = key === undefined ? undefined : await priorAck(tx, customerId, key);
        if (prior) {
          acks.push(toAck(prior));
          continue;
        }
        const resourceId = u.resourceId ?? null;
        const at = pastOrNow(u.createdAt, now, 'createdAt');
        const window = batch.place(u.featureId, resourceId, at);
        const op = u.updateBehavior === 'SET' ? 'set' : 'add';
        const dimensions = u.dimensions ?? null;
        const before = batch.before(u.featureId, window) ?? (await batch.stored(u.featureId, window));
        const used = batch.apply(u.featureId, resourceId, window, op, u.value, at, dimensions, before);
        const charging = this.#charge(credits, entry, resourceId, u.featureId, window, used, dimensions, now);
        const record: AckRecord = {
          measurementId: globalThis.crypto.randomUUID(),
          customerId,
          featureId: u.featureId,
          resourceId,
          currentUsage: used.currentUsage,
          timestamp: at,
          periodStart: window.periodStart,
          periodEnd: window.periodEnd,
        };
        if (charging !== undefined) record.credit = await charging;
        if (key !== undefined) await tx.putIdempotencyResult(`${USAGE_SCOPE}:${customerId}`, key, record, now);
        acks.push(toAck(record));
      } catch (error) {
        throw itemError(index, error);
      }
    }
    await batch.flush();
    const mutation: Mutation<ReportUsageAck[]> = { result: acks, counters: batch.counters() };
    if (!credits.untouched) await commitCharges(credits, mutation);
    return mutation;
  }

  /** Counts one customer's new events into its meters and charges their credits; the entries stay in the batch. */
  async #countEvents(
    entry: CustomerEntry,
    customerId: string,
    counted: readonly Required<Indexed<EventInput>>[],
    times: readonly number[],
    charges: { index: number; customerId: string; charge: CreditChargeRecord }[],
    tx: StoreTransaction,
    now: number,
  ): Promise<{ batch: UsageBatch; mutation: Mutation<unknown> }> {
    const catalog = this.#engine.catalog;
    const batch = new UsageBatch(customerId, entry, catalog, tx, now, this.#engine.share);
    const credits = new UsageCredits(tx, entry, catalog, now, usageChargeId);
    // A plain try per event rather than a closure and a promise each: a batch holds up to 1,000.
    for (const { item, index } of counted) {
      const { eventName } = item;
      const resourceId = item.resourceId ?? null;
      const dimensions = item.dimensions ?? {};
      const at = times[index] as number;
      try {
        for (const feature of catalog.metersByEvent.get(eventName) ?? []) {
          if (!matchesMeter(feature.meter, eventName, dimensions)) continue;
          const sample = meterSample(feature.meter, feature.id, dimensions);
          const window = batch.place(feature.id, resourceId, at);
          if (sample.member !== undefined && !(await batch.addMember(feature.id, window, sample.member))) continue;
          const op = aggregationOp[feature.meter.aggregation.function];
          const amount = sample.member === undefined ? sample.amount : 1;
          const before = batch.before(feature.id, window) ?? (await batch.stored(feature.id, window));
          const used = batch.apply(feature.id, resourceId, window, op, amount, at, dimensions, before);
          const charging = this.#charge(credits, entry, resourceId, feature.id, window, used, dimensions, now);
          const charge = charging === undefined ? undefined : await charging;
          if (charge !== undefined && charge.consumed !== '0') charges.push({ index, customerId, charge });
        }
      } catch (error) {
        throw itemError(index, error);
      }
    }
    const mutation: Mutation<unknown> = { result: undefined, counters: batch.counters() };
    if (!credits.untouched) await commitCharges(credits, mutation);
    return { batch, mutation };
  }

  /** Charges a credit-backed feature's usage increase to its pool; undefined for any other feature. */
  #charge(
    credits: UsageCredits,
    entry: CustomerEntry,
    resourceId: string | null,
    featureId: string,
    window: PlacedWindow,
    used: Contribution,
    dimensions: Dimensions | null,
    now: number,
  ): Promise<CreditChargeRecord> | undefined {
    const rate = this.#engine.view(entry, resourceId, now).entitlements.get(featureId)?.creditRate;
    if (!rate) return undefined;
    const usage = { previous: used.previousUsage, current: used.currentUsage };
    return credits.charge(featureId, rate, window.scope, usage, dimensions);
  }
}

/** Writes the pools a usage write charged, and records them in its mutation. */
async function commitCharges(credits: UsageCredits, mutation: Mutation<unknown>): Promise<void> {
  const { pools, skipped } = await credits.commit(rechargeId);
  if (pools.length > 0) mutation.credits = pools;
  if (skipped.length > 0) mutation.rechargesSkipped = skipped;
}

/** A bulk report of plain reports (see `plainReport`) in its parsed form; undefined for anything else. */
function plainBulk(p: unknown): { usages: UsageInput[] } | undefined {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return undefined;
  const { usages, ...rest } = p as { usages?: unknown };
  if (Object.keys(rest).length > 0 || !Array.isArray(usages) || usages.length === 0 || usages.length > 1000)
    return undefined;
  const parsed: UsageInput[] = [];
  for (const u of usages) {
    const plain = plainReport(u);
    if (plain === undefined) return undefined;
    parsed.push(plain);
  }
  return { usages: parsed };
}

/** A feature that takes reported usage: metered, and counted from reports rather than events. */
function reportableFeature(catalog: Catalog, featureId: string): void {
  const feature = requireMeteredFeature(catalog, featureId);
  if (feature.meter)
    throw new AllotError(
      'INVALID_OPERATION',
      `feature "${featureId}" counts "${feature.meter.eventName}" events; report them with reportEvent`,
      { details: { featureId } },
    );
}

async function priorAck(tx: StoreTransaction, customerId: string, key: string | undefined) {
  if (key === undefined) return undefined;
  return (await tx.getIdempotencyResult(`${USAGE_SCOPE}:${customerId}`, key)) as AckRecord | undefined;
}

/** When usage stamped `at` happened: now when unstamped, and never later than now. */
function pastOrNow(at: number | undefined, now: number, field: string): number {
  if (at === undefined) return now;
  if (at > now + MAX_CLOCK_SKEW_MS)
    throw new AllotError('INVALID_INPUT', `${field} ${new Date(at).toISOString()} is in the future`, {
      details: { [field]: at, now },
    });
  return Math.min(at, now);
}

function toAck(r: AckRecord): ReportUsageAck {
  const ack: ReportUsageAck = {
    measurementId: r.measurementId,
    customerId: r.customerId,
    featureId: r.featureId,
    resourceId: r.resourceId,
    currentUsage: r.currentUsage,
    timestamp: new Date(r.timestamp),
  };
  if (r.periodStart !== null && r.periodEnd !== null) {
    ack.usagePeriodStart = new Date(r.periodStart);
    ack.usagePeriodEnd = new Date(r.periodEnd);
    ack.nextResetDate = new Date(r.periodEnd);
  }
  if (r.credit) ack.credit = usageCreditAck(r.credit);
  return ack;
}
