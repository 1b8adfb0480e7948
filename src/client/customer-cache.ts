import type { Catalog } from '../core/catalog.js';
import {
  type CustomerEntitlements,
  resolveEntitlements,
  type Share,
  usageWindow,
} from '../core/effective-entitlements.js';
import type { UsageSource, UsageView } from '../core/evaluate-entitlement.js';
import type { CustomerState } from '../core/records.js';
import { aggregateUsage, type UsageAggregate } from '../core/usage-aggregate.js';

/** A usage window's aggregate, as cached. */
export interface CounterValue extends UsageAggregate {
  readonly window: string;
  /** When the window ends (null: never); an ended window is dropped from the cache. */
  readonly periodEnd: number | null;
}

/**
 * The cached windows of one counter, newest first: usually one, more only while windows of an
 * earlier usage epoch have not ended. Immutable, so a check can read it while a write replaces it.
 */
interface CachedCounter extends CounterValue {
  readonly next: CachedCounter | undefined;
}

/** The usage window of one feature at the time it was last computed; reused until `periodEnd`. */
export interface FeatureWindow {
  readonly key: string;
  /** The resource whose counter holds this usage (null: the customer-wide counter). */
  readonly scope: string | null;
  readonly counters: Counters;
  readonly periodStart: number | null;
  readonly periodEnd: number | null;
  /** The usage is the mean of the samples (an AVG meter), not the aggregate's value. */
  readonly avg: boolean;
  /** Reused as the evaluator's usage view, so a warm check allocates nothing for it. */
  readonly view: {
    currentUsage: number;
    periodAnchor: number | null;
    periodStart: number | null;
    periodEnd: number | null;
  };
}

type Counters = Map<string, CachedCounter>;

/** A customer's (or resource's) resolved entitlements, valid until the set can change by itself. */
class ResourceView implements UsageSource {
  #windows: Map<string, FeatureWindow> | undefined;

  constructor(
    readonly set: CustomerEntitlements,
    /** When the set was resolved: a clock moved back before it makes the view stale. */
    readonly resolvedAt: number,
    readonly countersOf: (scope: string | null) => Counters,
    readonly catalog: Catalog,
  ) {}

  /** Fresh at `now`: resolved no later and still before the next transition. */
  validAt(now: number): boolean {
    return now >= this.resolvedAt && now < this.set.validUntil;
  }

  /** The window a metered feature's usage counts in at `now`, recomputed only when `now` leaves it. */
  window(featureId: string, now: number): FeatureWindow | undefined {
    const cached = this.#windows?.get(featureId);
    if (cached && (cached.periodEnd === null || (now < cached.periodEnd && now >= (cached.periodStart ?? 0))))
      return cached;
    const source = this.set.windows.get(featureId);
    if (!source) return undefined;
    const w = usageWindow(source, now);
    const fresh: FeatureWindow = {
      key: w.key,
      scope: source.scope,
      counters: this.countersOf(source.scope),
      periodStart: w.periodStart,
      periodEnd: w.periodEnd,
      avg: this.catalog.features.get(featureId)?.meter?.aggregation.function === 'AVG',
      view: { currentUsage: 0, periodAnchor: w.anchor, periodStart: w.periodStart, periodEnd: w.periodEnd },
    };
    this.#windows ??= new Map();
    this.#windows.set(featureId, fresh);
    return fresh;
  }

  usageView(featureId: string, now: number): UsageView {
    const w = this.window(featureId, now);
    if (!w) return NO_USAGE;
    let counter = w.counters.get(featureId);
    while (counter !== undefined && counter.window !== w.key) counter = counter.next;
    // No counter for the current window means no usage in it yet: the lazy reset.
    w.view.currentUsage = counter === undefined ? 0 : w.avg ? aggregateUsage(counter, 'avg') : counter.value;
    return w.view;
  }
}

const NO_USAGE: UsageView = Object.freeze({ currentUsage: 0, periodAnchor: null, periodStart: null, periodEnd: null });

const resourceKey = (resourceId: string | null): string => resourceId ?? '';

/**
 * Everything cached for one customer: the stored state, usage counters per resource, and the
 * resolved views. Partitioned per customer so a write rebuilds one entry, never the whole cache;
 * maps are created only when needed, since most customers have one scope and few counters.
 */
export class CustomerEntry {
  /** The customer-wide view, which nearly every check uses; resource views live in `#views`. */
  #global: ResourceView | undefined;
  #views: Map<string, ResourceView> | undefined;
  /** resource key → feature id → counter. */
  readonly #counters: Map<string, Counters>;

  /** The customer as stored, without usage (the counters hold it). */
  readonly state: CustomerState | undefined;

  /** Shared with the entries `withState` derives, like the counters whose completeness it states. */
  readonly #coverage: { since: number };

  constructor(
    state: CustomerState | undefined,
    loadedAt: number,
    counters?: { readonly counters: Map<string, Counters>; readonly coverage: { since: number } },
  ) {
    this.state = state && state.usage.length > 0 ? { ...state, usage: [] } : state;
    this.#counters = counters?.counters ?? new Map();
    this.#coverage = counters?.coverage ?? { since: loadedAt };
    if (counters) return;
    for (const u of state?.usage ?? []) this.setCounter(u.resourceId, u.featureId, u, loadedAt);
  }

  /**
   * Since when the counters hold every window that has not ended: the load, or the latest write
   * that dropped ended windows. A clock moved back before it needs a reload.
   */
  get completeSince(): number {
    return this.#coverage.since;
  }

  readonly #countersFor = (scope: string | null): Counters => this.#countersOf(scope);

  #countersOf(resourceId: string | null): Counters {
    const key = resourceKey(resourceId);
    let counters = this.#counters.get(key);
    if (!counters) {
      counters = new Map();
      this.#counters.set(key, counters);
    }
    return counters;
  }

  /** The cached aggregate of a window, if the cache holds it. */
  counter(scope: string | null, featureId: string, window: string): CounterValue | undefined {
    let c = this.#counters.get(resourceKey(scope))?.get(featureId);
    while (c !== undefined && c.window !== window) c = c.next;
    return c;
  }

  /** The resolved view for a resource (null: customer-wide) at `now`. */
  view(catalog: Catalog, resourceId: string | null, now: number, share: Share): ResourceView {
    const cached = resourceId === null ? this.#global : this.#views?.get(resourceId);
    if (cached?.validAt(now)) return cached;
    const set = resolveEntitlements(catalog, this.state, resourceId, now, share);
    const view = new ResourceView(set, now, this.#countersFor, catalog);
    if (resourceId === null) this.#global = view;
    else {
      this.#views ??= new Map();
      this.#views.set(resourceId, view);
    }
    return view;
  }

  /** Records a committed window aggregate, dropping windows that ended by `now`. */
  setCounter(scope: string | null, featureId: string, value: CounterValue, now: number): void {
    const counters = this.#countersOf(scope);
    if (now > this.#coverage.since) this.#coverage.since = now;
    let kept: CounterValue[] = [];
    for (let c = counters.get(featureId); c !== undefined; c = c.next)
      if (c.window !== value.window && (c.periodEnd === null || c.periodEnd > now)) kept.push(c);
    kept = [value, ...kept];
    let chain: CachedCounter | undefined;
    for (let i = kept.length - 1; i >= 0; i--) {
      const c = kept[i] as CounterValue;
      chain = { window: c.window, periodEnd: c.periodEnd, value: c.value, count: c.count, next: chain };
    }
    if (chain) counters.set(featureId, chain);
  }

  /** A new entry for changed state, keeping the usage counters. */
  withState(state: CustomerState): CustomerEntry {
    return new CustomerEntry(state, this.#coverage.since, { counters: this.#counters, coverage: this.#coverage });
  }
}

/**
 * Shares equal entitlement sets between customers: customers on one plan version hold one set.
 * Bounded, so arbitrary custom limits cannot grow it without end; past the bound sets stay private.
 */
export function entitlementInterner(limit = 10_000): Share {
  const shared = new Map<string, unknown>();
  return <T>(key: string, value: T): T => {
    const existing = shared.get(key);
    if (existing !== undefined) return existing as T;
    if (shared.size < limit) shared.set(key, value);
    return value;
  };
}
