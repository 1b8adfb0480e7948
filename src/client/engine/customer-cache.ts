// The engine's customers in memory: entries by id, bounded, and loads shared by concurrent
// callers. A load overtaken by a write or an invalidation answers its callers but is not cached,
// so the cache never goes back to older data.
import { CustomerEntry } from './customer-entry.js';

interface Load {
  promise: Promise<CustomerEntry>;
  stale: boolean;
}

export class CustomerCache {
  readonly #entries = new Map<string, CustomerEntry>();
  readonly #loads = new Map<string, Load>();
  readonly #max: number;

  constructor(maxCustomers: number) {
    this.#max = maxCustomers;
  }

  /** The cached entry, unless the clock moved back before it was loaded (it may lack the windows of that time). */
  cached(customerId: string, now: number): CustomerEntry | undefined {
    const entry = this.#entries.get(customerId);
    return entry !== undefined && entry.completeSince <= now ? entry : undefined;
  }

  /** The entry cached or loaded by `load`, loaded once however many callers ask at the same time. */
  get(customerId: string, now: number, load: () => Promise<CustomerEntry>): Promise<CustomerEntry> {
    const cached = this.cached(customerId, now);
    if (cached) return Promise.resolve(cached);
    const inFlight = this.#loads.get(customerId);
    if (inFlight) return inFlight.promise;
    const pending: Load = { stale: false, promise: Promise.resolve(new CustomerEntry(undefined, now)) };
    pending.promise = load()
      .then((entry) => {
        if (pending.stale) return this.#entries.get(customerId) ?? entry;
        this.remember(customerId, entry);
        return entry;
      })
      .finally(() => {
        if (this.#loads.get(customerId) === pending) this.#loads.delete(customerId);
      });
    this.#loads.set(customerId, pending);
    return pending.promise;
  }

  /**
   * Caches an entry, evicting the customer cached longest ago beyond the bound. Any load of this
   * customer still in flight read older data, so it must not be cached after this.
   */
  remember(customerId: string, entry: CustomerEntry): void {
    this.#staleLoad(customerId);
    if (!entry.state) return; // a missing customer is not cached: any id could fill the cache
    if (!this.#entries.has(customerId) && this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(customerId, entry);
  }

  /** Drops a cached customer; an in-flight load of it is no longer trusted either. */
  forget(customerId: string): void {
    this.#entries.delete(customerId);
    this.#staleLoad(customerId);
  }

  forgetAll(): void {
    this.#entries.clear();
    for (const load of this.#loads.values()) load.stale = true;
  }

  #staleLoad(customerId: string): void {
    const load = this.#loads.get(customerId);
    if (load) load.stale = true;
  }
}
