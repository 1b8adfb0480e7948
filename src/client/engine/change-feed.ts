// Catching up with other processes that share the store: a cheap change token says whether
// anyone else committed; the change feed says which customers to drop from the cache.
import { AllotError } from '../../errors.js';
import type { ChangeSet, Store, StoreReader } from '../../stores/store.js';
import type { CustomerCache } from './customer-cache.js';

/** How long catch-ups fail fast after one found the store unreachable. */
const UNREACHABLE_RETRY_MS = 1000;

export class ChangeFeed {
  readonly #store: Store;
  readonly #cache: CustomerCache;
  readonly #intervalMs: number;
  /** The store's change token and feed position as of our last catch-up. */
  #token = 0;
  #seq = 0;
  /** Whether the next check probes the change token; a timer sets it again an interval after each probe. */
  #probeDue = true;
  readonly #allowProbe = () => {
    this.#probeDue = true;
  };
  #catchingUp: Promise<void> | undefined;
  /** After a catch-up found the store unreachable: when to try again, and the error to answer until then. */
  #retryAt = 0;
  #unreachable: unknown;

  constructor(store: Store, cache: CustomerCache, intervalMs: number) {
    this.#store = store;
    this.#cache = cache;
    this.#intervalMs = intervalMs;
  }

  /**
   * Whether another process may have committed since we last caught up, probing at most once per
   * interval: between probes a check costs one field read. The timer is armed only by a probe and
   * unref'd, so an idle process neither wakes nor stays alive for it.
   */
  foreignChanged(): boolean {
    if (this.#store.changeToken === undefined || !this.#probeDue) return false;
    if (this.#intervalMs > 0) {
      this.#probeDue = false;
      setTimeout(this.#allowProbe, this.#intervalMs).unref?.();
    }
    return this.#store.changeToken() !== this.#token;
  }

  /**
   * Drops cached customers that another process changed since we last caught up, reading the
   * feed through `reader` (a write's own transaction) or a read of its own, which concurrent
   * callers share. Compares the change token first: one probe when nothing changed, and then no
   * promise (undefined), since every write asks.
   */
  catchUp(reader?: StoreReader): Promise<void> | undefined {
    let token: number | undefined;
    try {
      token = this.#store.changeToken?.();
    } catch (error) {
      return Promise.reject(error);
    }
    if (token === undefined) return undefined;
    // A write reads the feed under its locks unless the token is exact: it must not decide from a stale cache.
    if (token === this.#token && (reader === undefined || this.#store.capabilities.exactChangeToken)) return undefined;
    const feed = (r: StoreReader) => r.changesSince?.(this.#seq) ?? Promise.resolve(undefined);
    if (reader) return feed(reader).then((changes) => this.#apply(token, changes));
    // While the store is unreachable, fail at once rather than wait out a connection timeout per call.
    if (performance.now() < this.#retryAt) return Promise.reject(this.#unreachable);
    this.#catchingUp ??= this.#store
      .read(feed)
      .then(
        (changes) => this.#apply(token, changes),
        (error: unknown) => {
          if (AllotError.is(error) && error.code === 'STORE_UNAVAILABLE') {
            this.#retryAt = performance.now() + UNREACHABLE_RETRY_MS;
            this.#unreachable = error;
          }
          throw error;
        },
      )
      .finally(() => {
        this.#catchingUp = undefined;
      });
    return this.#catchingUp;
  }

  #apply(token: number, changes: ChangeSet | undefined): void {
    if (changes?.customerIds) for (const id of changes.customerIds) this.#cache.forget(id);
    else this.#cache.forgetAll();
    if (changes) this.#seq = changes.seq;
    this.#token = token;
  }
}
