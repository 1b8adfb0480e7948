// The engine kernel every service goes through: the store, the clock, the catalog's versions,
// the customer cache and the write pipeline (load → core → persist in one transaction → install
// into the cache → emit after commit). It holds no domain rules: the services do.
import {
  type Catalog,
  type CompiledCatalog,
  catalogVersion,
  compileCatalog,
  knowsVersions,
  versionCatalog,
  withStoredVersions,
} from '../../catalog/catalog.js';
import type { CreditCurrency } from '../../catalog/credit-schema.js';
import type { CustomerEntitlements } from '../../core/effective-entitlements.js';
import type { Entitlement, EntitlementFeature, EntitlementType } from '../../core/entitlement-results.js';
import {
  type CheckOptions,
  entitlementFeature,
  evaluateEntitlement,
  NO_CHECK_OPTIONS,
} from '../../core/evaluate-entitlement.js';
import { resourcesOf } from '../../core/subscription-scope.js';
import { balance } from '../../credits/credit-pool.js';
import { AllotError } from '../../errors.js';
import type { PackageVersionRecord, SubscriptionRecord } from '../../model/records.js';
import { assertNoUnfinishedImport } from '../../stores/dump/import-markers.js';
import { memoryStore } from '../../stores/memory/memory-store.js';
import type { Store, StoreReader, StoreTransaction } from '../../stores/store.js';
import { type Clock, systemClock } from '../clock.js';
import { shownBalance } from '../credit-shapes.js';
import { allotOptionsSchema, parse } from '../input-schemas.js';
import { AllotLogger } from '../logger.js';
import type { AllotOptions } from '../options.js';
import { subscriptionShape } from '../result-shapes.js';
import { ChangeFeed } from './change-feed.js';
import { CustomerCache } from './customer-cache.js';
import { CustomerEntry, entitlementInterner, type ResourceView } from './customer-entry.js';
import { KeyedLock } from './keyed-lock.js';
import { Listeners, type PackagePublishedEvent } from './listeners.js';
import { byCustomer, type Indexed, type Mutation } from './mutation.js';
import { Retention } from './retention.js';

/** A write over several customers: their current entries in, the result and each one's mutation out. */
export type WriteBody<R> = (
  entries: ReadonlyMap<string, CustomerEntry>,
  tx: StoreTransaction,
  now: number,
) => Promise<{ result: R; mutations: ReadonlyMap<string, Mutation<unknown>> }>;

/** A write for one customer: `fn` returns its result and what changed. */
export type MutateBody<T> = (
  entry: CustomerEntry,
  tx: StoreTransaction,
  now: number,
  catalog: Catalog,
) => Promise<Mutation<T>>;

/** The lock key of a customer's (or governance owner's) data in a store transaction. */
const customerKey = (customerId: string): string => `customer:${customerId}`;
/** How often, at most, a check probes for other processes' commits unless told otherwise. */
const DEFAULT_CHANGE_CHECK_MS = 10;
/** The lock key of the catalog's stored versions. */
const CATALOG_KEY = 'catalog';

export class Engine {
  readonly store: Store;
  readonly clock: Clock;
  /** Where warnings and caught errors go (`logConfiguration`). */
  readonly log: AllotLogger;
  readonly listeners: Listeners;
  /** The catalog's credit currencies, known from construction on (they are not versioned). */
  readonly creditCurrencies: ReadonlyMap<string, CreditCurrency>;
  /** Equal entitlement sets are shared between customers, so the cache holds each once. */
  readonly share = entitlementInterner();
  readonly #cache: CustomerCache;
  readonly #feed: ChangeFeed;
  readonly #retention: Retention;
  readonly #writeLock = new KeyedLock();
  readonly #featureInfo = new Map<string, EntitlementFeature>();
  readonly #compiled: CompiledCatalog;
  readonly #migration: PackagePublishedEvent['migrationType'];
  #catalog: Catalog | undefined;
  #closed = false;
  /** The initialization under way or done; none after one failed, so the next call tries again. */
  #init: Promise<void> | undefined;
  #migrate: (published: readonly PackageVersionRecord[]) => Promise<void> = async () => {};

  /** Validates the options and the catalog at once (`INVALID_INPUT`, `INVALID_CATALOG`); `start` opens the store. */
  constructor(options: AllotOptions) {
    parse(allotOptionsSchema, options, 'Allot.initialize', true);
    this.#compiled = compileCatalog(options.catalog);
    this.creditCurrencies = new Map(this.#compiled.definition.creditCurrencies.map((c) => [c.currencyId, c]));
    this.#migration = options.catalogMigration ?? 'NEW_CUSTOMERS';
    this.store = options.store ?? memoryStore();
    this.clock = options.clock ?? systemClock;
    this.log = new AllotLogger(options.logConfiguration);
    this.listeners = new Listeners(this.log);
    this.#cache = new CustomerCache(options.maxCachedCustomers ?? 100_000);
    this.#feed = new ChangeFeed(this.store, this.#cache, options.changeCheckIntervalMs ?? DEFAULT_CHANGE_CHECK_MS);
    this.#retention = new Retention(this.store, options.usageHistoryRetentionMs, this.log);
  }

  /**
   * Opens the store in the background, versions the catalog and catches up; then `migrate` moves
   * subscribers of newly published versions (ALL_CUSTOMERS) and `packagePublished` goes out.
   */
  start(migrate: (published: readonly PackageVersionRecord[]) => Promise<void>): void {
    this.#migrate = migrate;
    this.#attempt();
  }

  /**
   * One attempt to initialize. One that fails before the catalog is versioned (the store was
   * down) is forgotten, so the next call tries again: an engine started while its store was
   * unreachable recovers without a restart. Callers who never await initialization still see a
   * failure on their first call, which retries.
   */
  #attempt(): Promise<void> {
    const attempt = this.#initialize(this.#compiled, this.#migration);
    this.#init = attempt;
    attempt.catch(() => {
      if (this.#init === attempt && this.#catalog === undefined) this.#init = undefined;
    });
    return attempt;
  }

  async #initialize(compiled: CompiledCatalog, migration: PackagePublishedEvent['migrationType']): Promise<void> {
    await this.store.open();
    const now = this.clock.now();
    const version = (stored: readonly PackageVersionRecord[]) => {
      const versioned = versionCatalog(compiled, stored, now);
      const definition = catalogVersion(compiled, stored, now);
      // A first version is a new package, not a new version of one: nobody to migrate or tell.
      const known = new Set(stored.map((v) => `${v.kind}:${v.refId}`));
      return {
        catalog: versioned.catalog,
        writes: definition ? [...versioned.added, definition] : versioned.added,
        published: versioned.added.filter((v) => known.has(`${v.kind}:${v.refId}`)),
      };
    };
    // Most starts find every version stored already: they read, and take the catalog's lock (and
    // need a writable store) only when there is something to add.
    let versioned = version(
      await this.store.read(async (r) => {
        await assertNoUnfinishedImport(r, this.store.name);
        return r.listPackageVersions();
      }),
    );
    if (versioned.writes.length > 0)
      versioned = await this.store.transaction([CATALOG_KEY], async (tx) => {
        const again = version(await tx.listPackageVersions());
        for (const record of again.writes) await tx.putPackageVersion(record);
        return again;
      });
    const { catalog, published } = versioned;
    this.#catalog = catalog;
    for (const feature of catalog.features.values()) this.#featureInfo.set(feature.id, entitlementFeature(feature));
    await this.#feed.catchUp();
    if (migration === 'ALL_CUSTOMERS' && published.length > 0) await this.#migrate(published);
    for (const v of published)
      this.listeners.emit('packagePublished', {
        packageType: v.kind === 'plan' ? 'PLAN' : 'ADDON',
        packageRefId: v.refId,
        packageVersion: v.version,
        migrationType: migration,
      });
  }

  /** Resolves once the store is open, migrated and the catalog versioned; rejects if that failed (and retries next time). */
  initialized(): Promise<void> {
    return this.#closed ? Promise.resolve() : (this.#init ?? this.#attempt());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cache.forgetAll();
    await this.#init?.catch(() => {});
    await this.store.close();
  }

  /** The catalog, once the store is open; CLOSED after `close`. */
  async ready(): Promise<Catalog> {
    if (this.#closed) throw new AllotError('CLOSED', `${this.store.name}: this Allot instance is closed`);
    if (!this.#catalog) await this.initialized();
    return this.catalog;
  }

  /** The version catalog as initialized. */
  get catalog(): Catalog {
    if (!this.#catalog) throw new AllotError('NOT_INITIALIZED', 'await waitForInitialization() first');
    return this.#catalog;
  }

  /** The catalog when the engine is open and initialized, without waiting: for the synchronous paths. */
  get openCatalog(): Catalog | undefined {
    return this.#closed ? undefined : this.#catalog;
  }

  /** The catalog once initialized, even after `close`: what a fallback answer may still consult. */
  get loadedCatalog(): Catalog | undefined {
    return this.#catalog;
  }

  // ─────────────────────────── cache and other processes' commits ───────────────────────────

  /** A warm customer's entry for a check: none when another process committed since (a load catches up). */
  warm(customerId: string, now: number): CustomerEntry | undefined {
    return this.openCatalog && !this.#feed.foreignChanged() ? this.#cache.cached(customerId, now) : undefined;
  }

  /**
   * The cached entry for the synchronous check, which cannot wait: a cold customer starts loading
   * in the background, and another process's commit is caught up in the background meanwhile.
   */
  warmOrStartLoad(customerId: string, now: number): CustomerEntry | undefined {
    if (!this.openCatalog) return undefined;
    if (this.#feed.foreignChanged()) this.#feed.catchUp()?.catch(() => {});
    const entry = this.#cache.cached(customerId, now);
    if (!entry) this.entry(customerId).catch(() => {});
    return entry;
  }

  /** The customer's entry: cached, or loaded once however many calls ask at the same time. */
  async entry(customerId: string): Promise<CustomerEntry> {
    await this.#feed.catchUp();
    const now = this.clock.now();
    return this.#cache.get(customerId, now, () => this.store.read((r) => this.#load(r, customerId, now)));
  }

  /**
   * The customer as last cached, whatever other processes committed since: what a check answers
   * while the store cannot be reached, which beats a fallback.
   */
  lastKnown(customerId: string, now: number): CustomerEntry | undefined {
    return this.openCatalog ? this.#cache.cached(customerId, now) : undefined;
  }

  /** Drops a cached customer, so the next call reloads it. */
  forget(customerId: string): void {
    this.#cache.forget(customerId);
  }

  /** Loads a customer, first learning any catalog version another process subscribed them to. */
  async #load(reader: StoreReader, customerId: string, now: number): Promise<CustomerEntry> {
    const state = await reader.getCustomerState(customerId, now);
    if (state && !knowsVersions(this.catalog, state.subscriptions)) await this.#learnVersions(reader);
    // Pools ride along so balances and credit-backed checks are answered from memory.
    const pools =
      state && this.catalog.creditCurrencies.size > 0 ? await reader.listCreditPools(customerId) : undefined;
    return new CustomerEntry(state, now, undefined, pools);
  }

  /** Subscriptions read directly, with any catalog version they reference learned first. */
  async readSubscriptions(
    reader: StoreReader,
    records: readonly (SubscriptionRecord | undefined)[],
  ): Promise<SubscriptionRecord[]> {
    const found = records.filter((r) => r !== undefined);
    if (!knowsVersions(this.catalog, found)) await this.#learnVersions(reader);
    return found;
  }

  async #learnVersions(reader: StoreReader): Promise<void> {
    this.#catalog = withStoredVersions(this.catalog, await reader.listPackageVersions());
  }

  // ─────────────────────────────────────── writes ───────────────────────────────────────

  /**
   * One write: a single transaction over the customers' current entries. Writes for a customer
   * are serialised here, and its cache entry is updated (and events emitted) before the next
   * write for it starts. Nothing is cached or emitted when the transaction fails.
   */
  async write<R>(customerIds: readonly string[], body: WriteBody<R>): Promise<R> {
    if (this.#catalog === undefined || this.#closed) await this.ready();
    const hold = this.#writeLock.acquire(customerIds);
    try {
      if (hold.ready !== undefined) await hold.ready;
      const now = this.clock.now();
      const { entries, outcome } = await this.store.transaction(customerIds.map(customerKey), async (tx) => {
        // Under the write lock, catch up with other processes once; then the cache is current.
        const catchingUp = this.#feed.catchUp(tx);
        if (catchingUp !== undefined) await catchingUp;
        const entries = new Map<string, CustomerEntry>();
        for (const id of customerIds) entries.set(id, this.#cache.cached(id, now) ?? (await this.#load(tx, id, now)));
        return { entries, outcome: await body(entries, tx, now) };
      });
      // forEach rather than for…of: no [key, value] array per customer.
      outcome.mutations.forEach((mutation, id) => {
        const entry = entries.get(id);
        if (entry) this.#install(id, entry, mutation, now);
      });
      this.#retention.pruneWhenDue(now);
      return outcome.result;
    } finally {
      hold.release();
    }
  }

  /** A write for one customer. */
  mutate<T>(customerId: string, fn: MutateBody<T>): Promise<T> {
    return this.write([customerId], (entries, tx, now) =>
      fn(entries.get(customerId) ?? new CustomerEntry(undefined, now), tx, now, this.catalog).then((mutation) => ({
        result: mutation.result,
        mutations: new Map<string, Mutation<unknown>>().set(customerId, mutation),
      })),
    );
  }

  /**
   * Items for several customers in one transaction, each customer's through `apply`; the per-item
   * results come back in input order. An error names the failing item's index.
   */
  writeEach<I extends { customerId: string }, R>(
    items: readonly I[],
    apply: (
      entry: CustomerEntry,
      customerId: string,
      items: readonly Indexed<I>[],
      tx: StoreTransaction,
      now: number,
      catalog: Catalog,
    ) => Promise<Mutation<R[]>>,
  ): Promise<R[]> {
    const groups = byCustomer(items);
    return this.write([...groups.keys()], async (entries, tx, now) => {
      const mutations = new Map<string, Mutation<R[]>>();
      const results: R[] = new Array(items.length);
      for (const [customerId, list] of groups) {
        const entry = entries.get(customerId) ?? new CustomerEntry(undefined, now);
        const mutation = await apply(entry, customerId, list, tx, now, this.catalog);
        mutations.set(customerId, mutation);
        for (let i = 0; i < list.length; i++)
          results[(list[i] as Required<Indexed<I>>).index] = mutation.result[i] as R;
      }
      return { result: results, mutations };
    });
  }

  /** After commit: the customer's new entry goes into the cache, then its events go out. */
  #install(customerId: string, entry: CustomerEntry, mutation: Mutation<unknown>, now: number): void {
    const next = mutation.state ? entry.withState(mutation.state) : entry;
    for (const { scope, featureId, counter } of mutation.counters ?? [])
      next.setCounter(scope, featureId, counter, now);
    if (mutation.credits) next.setPools(mutation.credits);
    if (mutation.governance) next.governance = { index: mutation.governance, loadedAt: now };
    this.#cache.remember(customerId, next);
    this.#emit(next, mutation, now);
  }

  /** After commit, the events of the write, built only for the events someone listens to. */
  #emit(entry: CustomerEntry, mutation: Mutation<unknown>, now: number): void {
    const { listeners, catalog } = this;
    if (mutation.subscriptions && listeners.has('subscriptionUpdated'))
      for (const s of mutation.subscriptions)
        listeners.emit('subscriptionUpdated', { subscription: subscriptionShape(catalog, s, now) });
    if (mutation.changedResources && listeners.has('entitlementsUpdated') && entry.state) {
      const changed = new Set(mutation.changedResources);
      // A customer-wide change reaches every resource view too, since they include it.
      if (changed.has(null)) for (const r of resourcesOf(entry.state)) changed.add(r);
      for (const resourceId of changed) {
        const view = this.view(entry, resourceId, now);
        listeners.emit('entitlementsUpdated', {
          customerId: entry.state.customer.id,
          resourceId,
          accessDeniedReason: view.accessDeniedReason,
          entitlements: this.evaluateAll(view, entry, resourceId, now),
        });
      }
    }
    if (mutation.credits && listeners.has('creditBalanceUpdated'))
      for (const pool of mutation.credits) {
        const { currentBalance, totalGranted, totalConsumed } = shownBalance(balance(pool, now));
        listeners.emit('creditBalanceUpdated', {
          customerId: pool.customerId,
          currencyId: pool.currencyId,
          resourceId: pool.resourceId,
          currentBalance,
          totalGranted,
          totalConsumed,
        });
      }
    for (const skipped of mutation.rechargesSkipped ?? []) listeners.emit('autoRechargeSkipped', skipped);
    if (mutation.counters && listeners.has('usageUpdated') && entry.state)
      for (const { resourceId, featureId } of mutation.counters) {
        const entitlement = this.evaluate(entry, resourceId, featureId, 'METERED', NO_CHECK_OPTIONS, now);
        if (entitlement.type !== 'METERED') continue;
        listeners.emit('usageUpdated', {
          usage: {
            customerId: entry.state.customer.id,
            resourceId,
            featureId,
            currentUsage: entitlement.currentUsage,
            ...(entitlement.usagePeriodStart ? { usagePeriodStart: entitlement.usagePeriodStart } : {}),
            ...(entitlement.usagePeriodEnd
              ? { usagePeriodEnd: entitlement.usagePeriodEnd, nextResetDate: entitlement.usagePeriodEnd }
              : {}),
          },
          entitlement,
        });
      }
  }

  // ───────────────────────────────────── evaluation ─────────────────────────────────────

  /** A customer's resolved view for a scope, against the current catalog, sharing equal sets. */
  view(entry: CustomerEntry, resourceId: string | null, now: number): ResourceView {
    return entry.view(this.catalog, resourceId, now, this.share);
  }

  /** The feature's shape as checks report it, when the catalog has the feature. */
  featureInfo(featureId: string): EntitlementFeature | undefined {
    return this.#featureInfo.get(featureId);
  }

  evaluate(
    entry: CustomerEntry,
    resourceId: string | null,
    featureId: string,
    type: EntitlementType | undefined,
    options: CheckOptions,
    now: number,
  ): Entitlement {
    const catalog = this.#catalog as Catalog;
    const view = this.view(entry, resourceId, now);
    const feature = catalog.features.get(featureId);
    return evaluateEntitlement(view, featureId, feature, this.#featureInfo.get(featureId), type, options, view, now);
  }

  /** Every entitlement of the set, in catalog order, so the list never depends on how the state was loaded. */
  evaluateAll(
    set: Pick<CustomerEntitlements, 'entitlements'>,
    entry: CustomerEntry,
    resourceId: string | null,
    now: number,
  ): Entitlement[] {
    return [...this.catalog.features.keys()]
      .filter((featureId) => set.entitlements.has(featureId))
      .map((featureId) => this.evaluate(entry, resourceId, featureId, undefined, NO_CHECK_OPTIONS, now));
  }
}
