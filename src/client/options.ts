import type { CatalogInput } from '../catalog/catalog-schema.js';
import type { Store } from '../stores/store.js';
import type { Clock } from './clock.js';
import type { EntitlementFallback } from './fallback.js';
import type { ProgressListener } from './progress.js';

/** Options of `Allot.initialize`. */
export interface AllotOptions {
  /** Features, products, plans and add-ons; validated at initialization. */
  catalog: CatalogInput;
  /** Where state lives; defaults to an in-memory store. */
  store?: Store;
  /** Where time comes from; defaults to the system clock. Pass a `ManualClock` to travel in time. */
  clock?: Clock;
  /** Per-feature answers for checks when the store cannot be read. */
  entitlementsFallback?: Record<string, EntitlementFallback>;
  /**
   * For stores shared across processes: how often, at most, a check asks whether another process
   * committed (SQLite's `PRAGMA data_version`, ~1–3 µs). Default 10: a check sees another
   * process's commit at most 10 ms after it, and between probes costs one field read. 0 asks
   * before every check, so another process's write is seen at the very next check. Writes and
   * atomic operations (check-and-report, credit consumption, governance ingest) always catch up
   * first, inside their transaction, whatever this says.
   */
  changeCheckIntervalMs?: number;
  /**
   * How many customers the cache holds (default 100,000, about 1.5 KB each on a plan with ten
   * features); beyond it, the customer cached longest ago is evicted and reloaded at its next call.
   */
  maxCachedCustomers?: number;
  /**
   * How long usage history and raw event keys are kept, in milliseconds (default: forever). Older
   * ones are pruned about once an hour, after a write; aggregates never change. An event re-sent
   * after its key was pruned counts again, so keep this longer than any producer retries.
   */
  usageHistoryRetentionMs?: number;
  /**
   * What a changed plan or add-on means for existing subscriptions at initialize:
   * `NEW_CUSTOMERS` (default) keeps them on their version (grandfathering); `ALL_CUSTOMERS`
   * migrates every open one to the new version at once, keeping usage. Either way a
   * `packagePublished` event goes out per new version (add the listener before awaiting
   * `waitForInitialization`).
   */
  catalogMigration?: 'NEW_CUSTOMERS' | 'ALL_CUSTOMERS';
  /**
   * Told how a migration under `ALL_CUSTOMERS` advances: `{ operation: 'migrate', done, total }`
   * in subscriptions looked at, `done` rising to `total`.
   */
  onProgress?: ProgressListener;
}
