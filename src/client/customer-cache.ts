import type { Catalog } from '../core/catalog.js';
import {
  type CustomerEntitlements,
  type EffectiveEntitlement,
  resolveEntitlements,
  usageWindow,
} from '../core/effective-entitlements.js';
import type { UsageSource, UsageView } from '../core/evaluate-entitlement.js';
import type { CustomerState } from '../core/records.js';

/** A usage counter as cached: its value counts within `window`. */
export interface CachedCounter {
  value: number;
  window: string;
}

/** The usage window of one feature at the time it was last computed; reused until `periodEnd`. */
interface FeatureWindow {
  key: string;
  periodStart: number | null;
  periodEnd: number | null;
  /** Reused as the evaluator's usage view, so a warm check allocates nothing for it. */
  view: { currentUsage: number; periodAnchor: number | null; periodStart: number | null; periodEnd: number | null };
}

const resourceKey = (resourceId: string | null): string => resourceId ?? '';

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/** A customer's (or resource's) resolved entitlements, valid until the set can change by itself. */
export class ResourceView implements UsageSource {
  readonly #windows = new Map<string, FeatureWindow>();

  constructor(
    readonly set: CustomerEntitlements,
    readonly counters: Map<string, CachedCounter>,
  ) {}

  /** The window a feature's usage counts in at `now`, recomputed only when `now` leaves it. */
  window(featureId: string, ent: EffectiveEntitlement, now: number): FeatureWindow {
    const cached = this.#windows.get(featureId);
    if (cached && (cached.periodEnd === null || (now < cached.periodEnd && now >= (cached.periodStart ?? 0))))
      return cached;
    const w = usageWindow(ent.window, now);
    const fresh: FeatureWindow = {
      key: w.key,
      periodStart: w.periodStart,
      periodEnd: w.periodEnd,
      view: { currentUsage: 0, periodAnchor: w.anchor, periodStart: w.periodStart, periodEnd: w.periodEnd },
    };
    this.#windows.set(featureId, fresh);
    return fresh;
  }

  /** Current usage: a counter from an earlier window counts as zero (the lazy reset). */
  currentUsage(featureId: string, window: string): number {
    const counter = this.counters.get(featureId);
    return counter !== undefined && counter.window === window ? counter.value : 0;
  }

  usageView(featureId: string, ent: EffectiveEntitlement, now: number): UsageView {
    const w = this.window(featureId, ent, now);
    w.view.currentUsage = this.currentUsage(featureId, w.key);
    return w.view;
  }
}

/**
 * Everything cached for one customer: the stored state, usage counters per resource, and the
 * resolved views. Partitioned per customer so a write rebuilds one entry, never the whole cache.
 */
export class CustomerEntry {
  readonly #views = new Map<string, { view: ResourceView; resolvedAt: number }>();
  /** resource key → feature id → counter. */
  readonly counters: Map<string, Map<string, CachedCounter>>;

  constructor(
    readonly state: CustomerState | undefined,
    counters?: Map<string, Map<string, CachedCounter>>,
  ) {
    this.counters = counters ?? CustomerEntry.#countersOf(state);
  }

  static #countersOf(state: CustomerState | undefined): Map<string, Map<string, CachedCounter>> {
    const counters = new Map<string, Map<string, CachedCounter>>();
    for (const u of state?.usage ?? []) {
      getOrCreate(counters, resourceKey(u.resourceId), () => new Map()).set(u.featureId, {
        value: u.value,
        window: u.window,
      });
    }
    return counters;
  }

  /** The resolved view for a resource (null: customer-wide) at `now`. */
  view(catalog: Catalog, resourceId: string | null, now: number): ResourceView {
    const key = resourceKey(resourceId);
    const cached = this.#views.get(key);
    if (cached && now < cached.view.set.validUntil && now >= cached.resolvedAt) return cached.view;
    const counters = getOrCreate(this.counters, key, () => new Map<string, CachedCounter>());
    const view = new ResourceView(resolveEntitlements(catalog, this.state, resourceId, now), counters);
    this.#views.set(key, { view, resolvedAt: now });
    return view;
  }

  /** Records a committed counter value. */
  setCounter(resourceId: string | null, featureId: string, counter: CachedCounter): void {
    getOrCreate(this.counters, resourceKey(resourceId), () => new Map()).set(featureId, counter);
  }

  /** A new entry for changed state, keeping the usage counters. */
  withState(state: CustomerState): CustomerEntry {
    return new CustomerEntry(state, this.counters);
  }
}
