import type { Catalog } from '../../catalog/catalog.js';
import { type CustomerEntitlements, resolveEntitlements, type Share } from '../../core/effective-entitlements.js';
import type { UsageSource, UsageView } from '../../core/evaluate-entitlement.js';
import { type PeriodDates, periodDates } from '../../core/period-dates.js';
import { aggregateUsage, type UsageAggregate } from '../../core/usage-aggregate.js';
import { creditScope, type UsageWindowSource, usageWindow, windowKey } from '../../core/usage-windows.js';
import { balance, type CreditPool, emptyCreditPool } from '../../credits/credit-pool.js';
import { poolAt } from '../../credits/subscription-credits.js';
import type { GovernanceIndex } from '../../governance/governance-index.js';
import type { CustomerState, SubscriptionRecord } from '../../model/records.js';
import { Decimal } from '../../money/money.js';
import { type ShownBalance, shownBalance } from '../credit-shapes.js';

/** A usage window's aggregate, as cached. */
export interface CounterValue extends UsageAggregate {
  readonly window: string;
  /** When the window ends (null: never); an ended window is dropped from the cache. */
  readonly periodEnd: number | null;
}

/** One cached window of one counter. Immutable, so a check can read it while a write replaces it. */
interface CachedCounter extends CounterValue {
  /** Whose counter (null: customer-wide). */
  readonly scope: string | null;
  readonly featureId: string;
}

/**
 * The usage window of one metered feature at the time it was last computed, reused until
 * `periodEnd`. It is also the evaluator's usage view, and writes update its `currentUsage` in
 * place, so a warm check reads it and allocates nothing for usage.
 */
export class FeatureWindow implements UsageView {
  currentUsage = 0;
  /**
   * The counter's key once a counter was read: that string, shared. Until then the key is built
   * when asked for (by writes), so a customer that is only checked holds no key of its own.
   */
  #key: string | undefined;
  /** Undefined until the first result asks for dates, null after it, the dates from the second on. */
  #dates: PeriodDates | null | undefined;

  constructor(
    readonly featureId: string,
    /** The entitlement's window source: its epoch, anchor, key form and scope. */
    readonly source: UsageWindowSource,
    readonly periodStart: number | null,
    readonly periodEnd: number | null,
  ) {}

  /** The anchor the period counts from: the source's, for a window that resets. */
  get periodAnchor(): number | null {
    return this.periodStart === null ? null : this.source.anchor;
  }

  /** The counter's window key. */
  get key(): string {
    return this.#key ?? windowKey(this.source, this.periodStart, this.periodEnd);
  }

  /** The resource whose counter holds this usage (null: the customer-wide counter). */
  get scope(): string | null {
    return this.source.scope;
  }

  /** Fresh at `now`: inside its period. */
  covers(now: number): boolean {
    return this.periodEnd === null || (now < this.periodEnd && now >= (this.periodStart ?? 0));
  }

  /**
   * The period's result dates: made for each result until the window's second one, then kept, so
   * a customer checked once per window holds no dates (three Dates are ~300 B per window).
   */
  periodDates(): PeriodDates | undefined {
    if (this.#dates) return this.#dates;
    const { periodAnchor: anchor, periodStart: start, periodEnd: end } = this;
    if (anchor === null || start === null || end === null) return undefined;
    const dates = periodDates(anchor, start, end);
    this.#dates = this.#dates === undefined ? null : dates;
    return dates;
  }

  read(counter: CounterValue | undefined): void {
    // No counter for the current window means no usage in it yet: the lazy reset.
    if (counter === undefined) {
      this.currentUsage = 0;
      return;
    }
    this.#key = counter.window;
    this.currentUsage = this.usage(counter);
  }

  protected usage(counter: CounterValue): number {
    return counter.value;
  }
}

/** The window of an AVG meter: its usage is the mean of the samples, not the aggregate's value. */
class MeanWindow extends FeatureWindow {
  protected override usage(counter: CounterValue): number {
    return aggregateUsage(counter, 'avg');
  }
}

/**
 * A credit pool brought to an instant, reused until it could change by itself: checks of
 * credit-backed features and balance reads are answered from it without touching the store.
 */
export interface CachedPool {
  readonly pool: CreditPool;
  /** False when time moved the pool since it was stored (an expiry, a refill): stored history lags. */
  readonly settled: boolean;
  readonly currentBalance: Decimal;
  /** The balance as results show it, computed once for the span the pool is valid for. */
  readonly shown: ShownBalance;
  readonly from: number;
  readonly until: number;
  readonly catalog: Catalog;
}

const NO_COUNTERS: readonly never[] = Object.freeze([]);

/** What few customers have: kept out of line, so the many without pay one field for all of it. */
interface EntryExtras {
  /** The customer's promotions as stored. */
  promotions?: CustomerState['promotions'];
  /** Credit pools as stored: held grants, debt and spent credits. Absent pools are empty. */
  pools?: readonly CreditPool[];
  /** Resolved views of resources, by resource id. */
  views?: Map<string, ResourceView>;
  /** Pools brought to recent instants, by currency and scope. */
  poolsAt?: CachedPool[];
  /**
   * The customer's governance tree as its owner, once asked for: it holds every usage window not
   * ended at `loadedAt`, so a clock moved back before that reloads it.
   */
  governance?: { readonly index: GovernanceIndex; readonly loadedAt: number } | undefined;
}
const NO_USAGE: UsageView = Object.freeze({ currentUsage: 0, periodAnchor: null, periodStart: null, periodEnd: null });
const UNRESOLVED: CustomerEntitlements = Object.freeze({
  customerId: '',
  resourceId: null,
  accessDeniedReason: null,
  unknownResource: false,
  entitlements: new Map(),
  windows: new Map(),
  validUntil: Number.NEGATIVE_INFINITY,
});

/**
 * A customer's (or resource's) resolved entitlements, valid until the set can change by itself,
 * re-resolved in place when it no longer is. A warm check on a metered feature reads this object
 * and the feature's window.
 */
export abstract class ResourceView implements UsageSource {
  // Copied from the set, so a check reads them here instead of one more object away, and the
  // set itself is not kept.
  /** When the set was resolved: a clock moved back before it makes the view stale. */
  resolvedAt = Number.POSITIVE_INFINITY;
  validUntil = Number.NEGATIVE_INFINITY;
  accessDeniedReason: CustomerEntitlements['accessDeniedReason'] = null;
  unknownResource = false;
  entitlements: CustomerEntitlements['entitlements'] = UNRESOLVED.entitlements;
  windows: CustomerEntitlements['windows'] = UNRESOLVED.windows;
  /**
   * The windows made, by the feature's metered slot in the catalog: the one window itself until a
   * second feature needs one (most customers are checked on one meter), then an array.
   */
  #slots: FeatureWindow | (FeatureWindow | undefined)[] | undefined;
  /** The catalog of the last resolution. */
  #catalog: Catalog | undefined;
  /** The customer's entry. */
  protected abstract readonly entry: CustomerEntry;
  /** The resource viewed; null for the customer-wide view. */
  protected abstract readonly resourceId: string | null;

  /** Fresh at `now`: resolved no later and still before the next transition. */
  validAt(now: number): boolean {
    return now >= this.resolvedAt && now < this.validUntil;
  }

  /** This view, re-resolved first unless fresh at `now`. */
  at(catalog: Catalog, now: number, share: Share): this {
    if (this.validAt(now)) return this;
    const set = resolveEntitlements(catalog, this.entry.state, this.resourceId, now, share);
    this.resolvedAt = now;
    this.validUntil = set.validUntil;
    this.accessDeniedReason = set.accessDeniedReason;
    this.unknownResource = set.unknownResource;
    this.entitlements = set.entitlements;
    this.windows = set.windows;
    this.#slots = undefined;
    this.#catalog = catalog;
    return this;
  }

  /** The window a metered feature's usage counts in at `now`, recomputed only when `now` leaves it. */
  window(featureId: string, now: number): FeatureWindow | undefined {
    const one = this.#slots;
    if (one instanceof FeatureWindow && one.featureId === featureId && one.covers(now)) return one;
    const catalog = this.#catalog;
    const slot = catalog?.meteredSlots.get(featureId);
    if (catalog === undefined || slot === undefined) return undefined;
    const cached = this.#inSlot(featureId, slot);
    if (cached?.covers(now)) return cached;
    const source = this.windows.get(featureId);
    if (!source) return undefined;
    const w = usageWindow(source, now);
    const avg = catalog.features.get(featureId)?.meter?.aggregation.function === 'AVG';
    const fresh = new (avg ? MeanWindow : FeatureWindow)(featureId, source, w.periodStart, w.periodEnd);
    fresh.read(this.entry.counter(source.scope, featureId, w.key));
    const slots = this.#slots;
    if (slots === undefined || (slots instanceof FeatureWindow && slots.featureId === featureId)) this.#slots = fresh;
    else if (slots instanceof FeatureWindow) {
      // Sized once: an array grown by assignment keeps room for 17.
      const all = new Array<FeatureWindow | undefined>(catalog.meteredSlots.size);
      all[catalog.meteredSlots.get(slots.featureId) ?? slot] = slots;
      all[slot] = fresh;
      this.#slots = all;
    } else slots[slot] = fresh;
    return fresh;
  }

  /** The window made last for a feature, if any. */
  #inSlot(featureId: string, slot: number): FeatureWindow | undefined {
    const slots = this.#slots;
    if (slots instanceof FeatureWindow) return slots.featureId === featureId ? slots : undefined;
    return slots?.[slot];
  }

  /** The balance of the pool a credit-backed feature draws from: the pool of the scope its usage counts in. */
  creditBalance(featureId: string, currencyId: string, now: number): Decimal {
    const catalog = this.#catalog;
    if (catalog === undefined) return ZERO;
    return this.entry.creditPool(catalog, currencyId, this.creditScope(featureId), now).currentBalance;
  }

  /** The scope whose pool a feature's usage draws on: its window's (null for a customer-wide subscription), else this view's. */
  creditScope(featureId: string): string | null {
    return creditScope(this.windows, this.resourceId, featureId);
  }

  usageView(featureId: string, now: number): UsageView {
    return this.window(featureId, now) ?? NO_USAGE;
  }

  /** A committed counter value reaches the cached window showing it. */
  update(counter: CachedCounter): void {
    const slot = this.#catalog?.meteredSlots.get(counter.featureId);
    const w = slot === undefined ? undefined : this.#inSlot(counter.featureId, slot);
    if (w !== undefined && w.key === counter.window && w.scope === counter.scope) w.read(counter);
  }
}

/** The view of one of a customer's resources. */
class ScopedView extends ResourceView {
  constructor(
    protected readonly entry: CustomerEntry,
    protected readonly resourceId: string,
  ) {
    super();
  }
}

/**
 * Everything cached for one customer: the stored state, usage counters, and the resolved views;
 * the entry is itself the customer-wide view, which nearly every check uses. Partitioned per
 * customer so a write rebuilds one entry, never the whole cache; kept flat (arrays, no
 * per-customer maps) so a hundred thousand of them stay small and a check touches few cache lines.
 */
export class CustomerEntry extends ResourceView {
  // The entry is its own customer-wide view: getters, not two fields per customer.
  protected get entry(): CustomerEntry {
    return this;
  }
  protected get resourceId(): null {
    return null;
  }
  // The stored state, without its usage (the counters hold it), in fields: a state object and a
  // one-subscription list per customer would be two more objects each.
  readonly #customer: CustomerState['customer'] | undefined;
  readonly #subscriptions: SubscriptionRecord | CustomerState['subscriptions'];
  #extras: EntryExtras | undefined;
  /** Every cached window of every counter; a customer has a handful. */
  #counters: readonly CachedCounter[];
  /**
   * Since when the counters hold every window that has not ended: the load, or the latest write
   * that dropped ended windows. A clock moved back before it needs a reload.
   */
  completeSince: number;

  constructor(
    state: CustomerState | undefined,
    loadedAt: number,
    counters: readonly CachedCounter[] = NO_COUNTERS,
    pools: readonly CreditPool[] = NO_COUNTERS,
  ) {
    super();
    this.#customer = state?.customer;
    const subscriptions = state?.subscriptions ?? NO_COUNTERS;
    this.#subscriptions = subscriptions.length === 1 ? (subscriptions[0] as SubscriptionRecord) : subscriptions;
    if (state !== undefined && state.promotions.length > 0) this.#extras = { promotions: state.promotions };
    if (pools.length > 0) {
      this.#extras ??= {};
      this.#extras.pools = pools;
    }
    this.#counters = counters;
    this.completeSince = loadedAt;
    for (const u of state?.usage ?? []) this.setCounter(u.resourceId, u.featureId, u, loadedAt);
  }

  /** The customer as stored, without usage (the counters hold it); undefined for a missing customer. */
  get state(): CustomerState | undefined {
    const customer = this.#customer;
    if (customer === undefined) return undefined;
    const promotions = this.#extras?.promotions ?? NO_COUNTERS;
    return { customer, subscriptions: this.#subscriptionList(), promotions, usage: NO_COUNTERS };
  }

  #subscriptionList(): CustomerState['subscriptions'] {
    const s = this.#subscriptions;
    return Array.isArray(s) ? s : [s as SubscriptionRecord];
  }

  /** Credit pools as stored: held grants, debt and spent credits. Absent pools are empty. */
  get #pools(): readonly CreditPool[] {
    return this.#extras?.pools ?? NO_COUNTERS;
  }

  /**
   * The customer's governance tree as its owner, once asked for: it holds every usage window not
   * ended at `loadedAt`, so a clock moved back before that reloads it.
   */
  get governance(): EntryExtras['governance'] {
    return this.#extras?.governance;
  }
  set governance(governance: EntryExtras['governance']) {
    this.#extras = { ...this.#extras, governance };
  }

  /** The cached aggregate of a window, if the cache holds it. */
  counter(scope: string | null, featureId: string, window: string): CounterValue | undefined {
    for (const c of this.#counters) if (c.window === window && c.featureId === featureId && c.scope === scope) return c;
    return undefined;
  }

  /** The resolved view for a resource (null: customer-wide) at `now`. */
  view(catalog: Catalog, resourceId: string | null, now: number, share: Share): ResourceView {
    if (resourceId === null) return this.at(catalog, now, share);
    let view = this.#extras?.views?.get(resourceId);
    if (view === undefined) {
      view = new ScopedView(this, resourceId);
      this.#extras ??= {};
      this.#extras.views ??= new Map();
      this.#extras.views.set(resourceId, view);
    }
    return view.at(catalog, now, share);
  }

  /** Records a committed window aggregate, dropping windows that ended by `now`. */
  setCounter(scope: string | null, featureId: string, value: CounterValue, now: number): void {
    if (now > this.completeSince) this.completeSince = now;
    const counter: CachedCounter = {
      scope,
      featureId,
      window: value.window,
      periodEnd: value.periodEnd,
      value: value.value,
      count: value.count,
    };
    // A new array, not the old one changed: an entry made by `withState` shares it. One pass, no
    // closure: a batch of events sets a counter for each of its customers.
    const kept: CachedCounter[] = [];
    for (const c of this.#counters) {
      const replaced = c.window === counter.window && c.featureId === featureId && c.scope === scope;
      if (!replaced && (c.periodEnd === null || c.periodEnd > now)) kept.push(c);
    }
    kept.push(counter);
    this.#counters = kept;
    this.update(counter);
    const views = this.#extras?.views;
    if (views !== undefined) for (const view of views.values()) view.update(counter);
  }

  /** A new entry for changed state, keeping the usage counters and credit pools. */
  withState(state: CustomerState): CustomerEntry {
    const next = new CustomerEntry(state, this.completeSince, this.#counters, this.#pools);
    next.governance = this.governance;
    return next;
  }

  /** The governance index if it is valid at `now`. */
  governanceAt(now: number): GovernanceIndex | undefined {
    const g = this.governance;
    return g !== undefined && now >= g.loadedAt ? g.index : undefined;
  }

  /**
   * A credit pool at `now`: expiries, scheduled grants and recurring refills applied, as the next
   * write will store them. Recomputed only when `now` leaves the span it was valid for.
   */
  creditPool(catalog: Catalog, currencyId: string, resourceId: string | null, now: number): CachedPool {
    const cached = this.#extras?.poolsAt?.find(
      (c) => c.pool.currencyId === currencyId && c.pool.resourceId === resourceId,
    );
    if (cached && cached.catalog === catalog && now >= cached.from && now < cached.until) return cached;
    const state = this.state;
    const key = { customerId: state?.customer.id ?? '', currencyId, resourceId };
    const stored = this.storedPool(currencyId, resourceId) ?? emptyCreditPool(key);
    const at = state ? poolAt(stored, state, catalog, now) : { pool: stored, validUntil: now };
    const b = balance(at.pool, now);
    const fresh: CachedPool = {
      pool: at.pool,
      settled: at.pool === stored,
      currentBalance: new Decimal(b.currentBalance),
      shown: shownBalance(b),
      from: now,
      until: at.validUntil,
      catalog,
    };
    this.#extras ??= {};
    this.#extras.poolsAt = [...(this.#extras.poolsAt ?? []).filter((c) => c !== cached), fresh];
    return fresh;
  }

  /** A credit pool as stored, if the customer has it. */
  storedPool(currencyId: string, resourceId: string | null): CreditPool | undefined {
    return this.#pools.find((p) => p.currencyId === currencyId && p.resourceId === resourceId);
  }

  /** The scopes the customer's pools may live in: customer-wide, each subscription's resource, each stored pool's. */
  creditScopes(): (string | null)[] {
    return [
      ...new Set([null, ...this.#subscriptionList().map((s) => s.resourceId), ...this.#pools.map((p) => p.resourceId)]),
    ];
  }

  /** Records pools a committed write left, as stored (compacted, as a load would read them). */
  setPools(pools: readonly CreditPool[]): void {
    const same = (a: CreditPool, b: CreditPool) => a.currencyId === b.currencyId && a.resourceId === b.resourceId;
    // A write may store a pool more than once (settled, then changed): the last one stands.
    const open = pools.filter((p, i) => !pools.slice(i + 1).some((later) => same(later, p)));
    this.#extras ??= {};
    this.#extras.pools = [...this.#pools.filter((p) => !open.some((o) => same(o, p))), ...open];
    const rarely = this.#extras;
    if (rarely?.poolsAt) rarely.poolsAt = rarely.poolsAt.filter((c) => !open.some((o) => same(o, c.pool)));
  }
}

const ZERO = new Decimal(0);

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
