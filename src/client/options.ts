import type { CatalogInput } from '../catalog/catalog-schema.js';
import type { Store } from '../stores/store.js';
import type { Clock } from './clock.js';
import type { CreditEntitlementFallback, EntitlementFallback } from './fallback.js';
import type { LogConfiguration } from './logger.js';
import type { ProgressListener } from './progress.js';

/**
 * The reference SDK's `Stigg.initialize` options that concern its connection to the Stigg service.
 * Allot accepts them, so construction code written for the SDK runs with only the import and the
 * catalog and store added, and ignores them: it has no service to reach, its cache is bounded by
 * `maxCachedCustomers`, and its writes are visible to its reads at once.
 */
export interface StiggConnectionOptions {
  /** Ignored: there is no service to authenticate with. */
  apiKey?: string;
  /** Ignored, as every URL: there is no service to reach. */
  baseUri?: string;
  baseEdgeUri?: string;
  wsUrl?: string;
  /** Ignored: writes update this instance's cache at once; other instances learn of them through the store's change feed. */
  realtimeUpdatesEnabled?: boolean;
  /** Ignored: there is no Edge API; checks read the local cache. */
  enableEdge?: boolean;
  /** Ignored: the store is the persistent state, shared by every instance that opens it. */
  redis?: Record<string, unknown>;
  /** Ignored: the cache is bounded by `maxCachedCustomers` instead. */
  memoryCacheMaxSizeBytes?: number;
  /** Ignored: there is no API to name the client to. */
  clientName?: string;
  clientVersion?: string;
  /** Ignored: there is no API key to validate at initialization. */
  enableRemoteConfig?: boolean;
  /** Ignored: no call goes over a network. */
  timeout?: number;
  entitlementsTimeout?: number;
  /**
   * Accepted for the reference SDK's offline mode, whatever its value: allot is always offline and
   * runs the whole engine locally, so checks are evaluated rather than answered from fallbacks.
   */
  offline?: boolean;
}

/** Options of `Allot.initialize`. */
export interface AllotOptions extends StiggConnectionOptions {
  /** Features, products, plans and add-ons; validated at initialization. */
  catalog: CatalogInput;
  /** Where state lives; defaults to an in-memory store. */
  store?: Store;
  /** Where time comes from; defaults to the system clock. Pass a `ManualClock` to travel in time. */
  clock?: Clock;
  /** Per-feature answers for checks when the store cannot be read. */
  entitlementsFallback?: Record<string, EntitlementFallback>;
  /** Per-currency answers for credit checks (`getCreditEntitlement`) when the store cannot be read. */
  creditEntitlementsFallback?: Record<string, CreditEntitlementFallback>;
  /**
   * Where warnings and caught errors go, as in the reference SDK: `logger` (default `console`)
   * with `log`, `debug` and `error` methods, and `logLevel` (`ERROR`, the default, reports caught
   * errors; `LOG` and `ALL` warnings too; `NONE` nothing).
   */
  logConfiguration?: LogConfiguration;
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
   * How many customers the cache holds (default 100,000, about 1 KB each on a plan with ten
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
