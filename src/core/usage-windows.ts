// Usage windows: where a metered feature's usage window comes from (its reset period, anchor and
// usage epoch), the window that contains an instant, and its counter key.
import type { EntitlementSpec } from '../model/records.js';
import type { ResetPeriodConfiguration } from './entitlement-results.js';
import { periodAnchor, usagePeriod } from './reset-period.js';
import type { CounterAnchor } from './usage-counter.js';

/** Where a metered feature's usage window comes from: which reset period, anchored where. */
export interface UsageWindowSource {
  readonly resetPeriod: EntitlementSpec['resetPeriod'];
  readonly accordingTo: string | null;
  /** How many reset periods one window spans (1 unless the entitlement says `resetIntervalCount`). */
  readonly intervalCount: number;
  /** The anchor the period boundaries count from. */
  readonly anchor: number;
  /**
   * True where one start may open windows of different lengths (an interval count above 1, an
   * anchor the caller set and may move): the window's key then names its end too. Other windows
   * keep the key they always had, so the counters stored before these options still match.
   */
  readonly keyedByBounds: boolean;
  /** The usage epoch (see `SubscriptionRecord.usageEpoch`); a new epoch restarts usage at zero. */
  readonly epoch: string;
  /**
   * Whose counter the usage goes to: the resource of the subscription granting it, or null for a
   * customer-wide subscription or a promotion. A check on any resource then shares the limit of a
   * customer-wide plan instead of opening a fresh counter.
   */
  readonly scope: string | null;
}

/** Read access by feature id; a Map provides it too. */
export interface ByFeature<V> {
  get(featureId: string): V | undefined;
}

/**
 * A few values by feature id in two arrays: a set's windows are per customer, and a Map of two
 * entries costs several times these. The key list is shared between customers on one plan.
 */
class FeatureList<V> implements ByFeature<V> {
  constructor(
    private readonly keys: readonly string[],
    private readonly values: readonly V[],
  ) {}

  get(featureId: string): V | undefined {
    const i = this.keys.indexOf(featureId);
    return i < 0 ? undefined : this.values[i];
  }
}

/**
 * One window source for every feature listed, answering for each: the usual windows of a
 * customer, whose metered features all reset with the one subscription that grants them. Both
 * the list and its value, so a customer's windows are one object.
 */
class UniformWindows implements UsageWindowSource, ByFeature<UsageWindowSource> {
  readonly resetPeriod: UsageWindowSource['resetPeriod'];
  readonly accordingTo: string | null;
  readonly intervalCount: number;
  readonly anchor: number;
  readonly keyedByBounds: boolean;
  readonly epoch: string;
  readonly scope: string | null;
  /** The features, a list shared by every customer on the plan. */
  readonly #keys: readonly string[];

  constructor(keys: readonly string[], source: UsageWindowSource) {
    this.resetPeriod = source.resetPeriod;
    this.accordingTo = source.accordingTo;
    this.intervalCount = source.intervalCount;
    this.anchor = source.anchor;
    this.keyedByBounds = source.keyedByBounds;
    this.epoch = source.epoch;
    this.scope = source.scope;
    this.#keys = keys;
  }

  get(featureId: string): UsageWindowSource | undefined {
    return this.#keys.includes(featureId) ? this : undefined;
  }
}

/**
 * The window of `spec` for a source whose periods count from `from` (its start, or an anchor the
 * caller set): the entitlement's own anchor, when it has one, stands in for it, and its "according
 * to" aligns whichever applies.
 */
export function windowOf(
  spec: EntitlementSpec,
  from: CounterAnchor,
  epoch: string,
  scope: string | null,
): UsageWindowSource {
  const start = spec.usagePeriodAnchor ?? from.at;
  const intervalCount = spec.resetIntervalCount ?? 1;
  return {
    resetPeriod: spec.resetPeriod,
    accordingTo: spec.accordingTo,
    intervalCount,
    anchor: spec.resetPeriod ? periodAnchor(spec.resetPeriod, spec.accordingTo, start) : start,
    keyedByBounds: intervalCount !== 1 || from.explicit || spec.usagePeriodAnchor !== undefined,
    epoch,
    scope,
  };
}

/**
 * The resource whose credit pool a feature's usage draws on: the scope of its usage window (null
 * for a customer-wide subscription's), else the resource checked.
 */
export function creditScope(
  windows: ByFeature<UsageWindowSource>,
  resourceId: string | null,
  featureId: string,
): string | null {
  const window = windows.get(featureId);
  return window === undefined ? resourceId : window.scope;
}

/** No metered feature: no windows. */
export const NO_WINDOWS: ByFeature<UsageWindowSource> = new FeatureList([], []);

/**
 * The windows of a set, by feature, kept per customer: as small as their number allows. `keys`
 * is the list shared by every customer on the plan.
 */
export function windowList(
  keys: readonly string[],
  values: readonly UsageWindowSource[],
): ByFeature<UsageWindowSource> {
  const first = values[0];
  if (first === undefined) return NO_WINDOWS;
  if (values.every((v) => v === first)) return new UniformWindows(keys, first);
  // slice: an array grown by push keeps room for 17; this one is kept per customer.
  return new FeatureList(keys, values.slice());
}

const CONFIG_KEY = { MONTH: 'monthlyAccordingTo', WEEK: 'weeklyAccordingTo', YEAR: 'yearlyAccordingTo' } as const;

/** The reference's `{monthlyAccordingTo}`-style configuration of a window, or undefined for HOUR, DAY and no reset. */
export function resetConfiguration(window: UsageWindowSource): ResetPeriodConfiguration | undefined {
  const period = window.resetPeriod;
  if (period !== 'MONTH' && period !== 'WEEK' && period !== 'YEAR') return undefined;
  return Object.freeze({ [CONFIG_KEY[period]]: window.accordingTo ?? 'SubscriptionStart' }) as ResetPeriodConfiguration;
}

/** The usage window containing `now`: the reset period's span within the current usage epoch. */
export interface UsageWindow {
  /** The counter's window key: usage stored under another key counts as zero. */
  readonly key: string;
  readonly periodStart: number | null;
  readonly periodEnd: number | null;
  readonly anchor: number | null;
}

export function usageWindow(source: UsageWindowSource, now: number): UsageWindow {
  if (!source.resetPeriod) return { key: source.epoch, periodStart: null, periodEnd: null, anchor: null };
  const period = usagePeriod(source.resetPeriod, source.anchor, now, source.intervalCount);
  return {
    key: windowKey(source, period.start, period.end),
    periodStart: period.start,
    periodEnd: period.end,
    anchor: period.anchor,
  };
}

/** The counter key of a source's window with these bounds (null for a window that never resets). */
export function windowKey(source: UsageWindowSource, periodStart: number | null, periodEnd: number | null): string {
  if (periodStart === null) return source.epoch;
  return source.keyedByBounds ? `${source.epoch}:${periodStart}:${periodEnd}` : `${source.epoch}:${periodStart}`;
}
