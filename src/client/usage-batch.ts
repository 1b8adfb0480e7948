import type { Catalog } from '../catalog/catalog.js';
import { resolveEntitlements, type Share } from '../core/effective-entitlements.js';
import {
  aggregateUsage,
  applyUsageOp,
  EMPTY_AGGREGATE,
  type UsageAggregate,
  type UsageOp,
} from '../core/usage-aggregate.js';
import { UNENTITLED_WINDOW } from '../core/usage-history.js';
import { usageWindow } from '../core/usage-windows.js';
import type { Dimensions } from '../model/meters.js';
import type { StoreTransaction, UsageEntry } from '../stores/store.js';
import type { CounterValue, CustomerEntry } from './engine/customer-entry.js';

/** The usage window a contribution lands in, and whose counter holds it. */
export interface PlacedWindow {
  readonly key: string;
  /** The resource whose counter it is (null: customer-wide). */
  readonly scope: string | null;
  readonly periodStart: number | null;
  readonly periodEnd: number | null;
}

/** What one contribution left: its window and the window's usage before and after it. */
export interface Contribution {
  readonly window: PlacedWindow;
  readonly previousUsage: number;
  readonly currentUsage: number;
}

/** A written window, for the cache after commit; `resourceId` is the scope the usage was reported for. */
export interface WrittenCounter {
  readonly resourceId: string | null;
  readonly scope: string | null;
  readonly featureId: string;
  readonly counter: CounterValue;
}

/**
 * The usage contributions of one write for one customer: places each in the window of its time,
 * folds it onto that window's aggregate (cached, pending in this batch, or read from the store)
 * and collects the entries to log and the counters to cache after commit.
 */
export class UsageBatch {
  readonly entries: UsageEntry[] = [];
  readonly #pending = new Map<string, WrittenCounter>();

  constructor(
    readonly customerId: string,
    private readonly entry: CustomerEntry,
    private readonly catalog: Catalog,
    private readonly tx: StoreTransaction,
    private readonly now: number,
    private readonly share: Share,
  ) {}

  /**
   * The window that usage at `at` (never after now) falls in. Usage since the view was resolved
   * shares the current window when inside its period; older usage resolves the entitlements it
   * had then, so a late event lands in the period, and usage epoch, of its own time.
   */
  place(featureId: string, resourceId: string | null, at: number): PlacedWindow {
    const view = this.entry.view(this.catalog, resourceId, this.now, this.share);
    if (at >= view.resolvedAt) {
      const current = view.window(featureId, this.now);
      if (current === undefined) return unentitled(resourceId);
      if (current.periodStart === null || at >= current.periodStart) return current;
    }
    const set = resolveEntitlements(this.catalog, this.entry.state, resourceId, at, this.share);
    const source = set.windows.get(featureId);
    if (source === undefined) return unentitled(resourceId);
    const w = usageWindow(source, at);
    return { key: w.key, scope: source.scope, periodStart: w.periodStart, periodEnd: w.periodEnd };
  }

  /** Adds a member to a UNIQUE window's set; false when the window already had it. */
  addMember(featureId: string, window: PlacedWindow, member: string): Promise<boolean> {
    return this.tx.addUniqueMember(
      { customerId: this.customerId, resourceId: window.scope, featureId, window: window.key },
      member,
    );
  }

  /**
   * A window's aggregate before the next contribution, when known without the store: pending in
   * this batch, or cached. The cache holds every window that has not ended (it loaded those of its
   * load time, and learns every write to them); undefined for an ended one, which `stored` reads.
   */
  before(featureId: string, window: PlacedWindow): UsageAggregate | undefined {
    const pending = this.#pending.get(windowId(featureId, window));
    if (pending !== undefined) return pending.counter;
    if (window.periodEnd !== null && window.periodEnd <= this.now) return undefined;
    return this.entry.counter(window.scope, featureId, window.key) ?? EMPTY_AGGREGATE;
  }

  /** An ended window's aggregate: it may have been written since it was cached (writes to ended windows are not), so it is read. */
  async stored(featureId: string, window: PlacedWindow): Promise<UsageAggregate> {
    const key = { customerId: this.customerId, resourceId: window.scope, featureId, window: window.key };
    return (await this.tx.getUsage(key)) ?? EMPTY_AGGREGATE;
  }

  /** Folds one contribution onto its window's aggregate `before` it (see `before`) and logs it. */
  apply(
    featureId: string,
    resourceId: string | null,
    window: PlacedWindow,
    op: UsageOp,
    amount: number,
    at: number,
    dimensions: Dimensions | null,
    before: UsageAggregate,
  ): Contribution {
    const after = applyUsageOp(before, op, amount);
    this.#pending.set(windowId(featureId, window), {
      resourceId,
      scope: window.scope,
      featureId,
      counter: { window: window.key, periodEnd: window.periodEnd, value: after.value, count: after.count },
    });
    this.entries.push({
      customerId: this.customerId,
      resourceId: window.scope,
      featureId,
      window: window.key,
      periodStart: window.periodStart,
      periodEnd: window.periodEnd,
      op,
      amount,
      at,
      dimensions,
    });
    return { window, previousUsage: aggregateUsage(before, op), currentUsage: aggregateUsage(after, op) };
  }

  /** Logs the entries; call once, after the last contribution. */
  flush(): Promise<void> | undefined {
    return this.entries.length > 0 ? this.tx.appendUsage(this.entries) : undefined;
  }

  /** The windows written, for the cache: ended ones are left out, as a load would. */
  counters(): WrittenCounter[] {
    const written: WrittenCounter[] = [];
    for (const c of this.#pending.values())
      if (c.counter.periodEnd === null || c.counter.periodEnd > this.now) written.push(c);
    return written;
  }
}

/** Where usage lands when the feature is not entitled at its time: a window of its own, never reset. */
function unentitled(resourceId: string | null): PlacedWindow {
  return { key: UNENTITLED_WINDOW, scope: resourceId, periodStart: null, periodEnd: null };
}

/** A batch's name for a window of a feature's counter. */
function windowId(featureId: string, window: PlacedWindow): string {
  return `${window.scope ?? ''}\u0000${featureId}\u0000${window.key}`;
}
