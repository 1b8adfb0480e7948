import type {
  CustomerRecord,
  CustomerState,
  PackageVersionRecord,
  PromotionRecord,
  SubscriptionRecord,
  UsageRecord,
} from '../../core/records.js';
import { createMutex } from '../mutex.js';
import type {
  Store,
  StoreCapabilities,
  StoreReader,
  StoreTransaction,
  SubscriptionPageQuery,
  UsageWrite,
} from '../store.js';
import { notOpenError, transactionEndedError } from '../store-errors.js';
import { MemoryTable } from './memory-table.js';

/**
 * A store in process memory: fast and empty at every start, for tests, demos and single-process
 * apps that rebuild their state.
 *
 * @example
 * const store = memoryStore();
 * await store.open();
 */
export function memoryStore(): Store {
  return new MemoryStore();
}

const NAME = 'memory';

interface IdempotencyRow {
  readonly scope: string;
  readonly key: string;
  /** JSON, as the SQL stores keep it, so results read back the same from every store. */
  readonly text: string;
}

interface Tables {
  readonly customers: MemoryTable<CustomerRecord>;
  readonly subscriptions: MemoryTable<SubscriptionRecord>;
  readonly promotions: MemoryTable<PromotionRecord>;
  readonly usage: MemoryTable<UsageRecord>;
  readonly idempotency: MemoryTable<IdempotencyRow>;
  readonly packageVersions: MemoryTable<PackageVersionRecord>;
}

const byId = (row: { readonly id: string }) => row.id;
const ownerOf = (row: { readonly customerId: string }) => row.customerId;
// JSON arrays keep composite keys unambiguous whatever characters the parts contain.
const usageKey = (k: { customerId: string; resourceId: string | null; featureId: string }) =>
  JSON.stringify([k.customerId, k.resourceId ?? '', k.featureId]);
const idempotencyKey = (k: { scope: string; key: string }) => JSON.stringify([k.scope, k.key]);

function createTables(): Tables {
  return {
    customers: new MemoryTable<CustomerRecord>(byId),
    subscriptions: new MemoryTable<SubscriptionRecord>(byId, ownerOf),
    promotions: new MemoryTable<PromotionRecord>(byId, ownerOf),
    usage: new MemoryTable<UsageRecord>(usageKey, ownerOf),
    idempotency: new MemoryTable<IdempotencyRow>(idempotencyKey),
    packageVersions: new MemoryTable<PackageVersionRecord>((v) => JSON.stringify([v.kind, v.refId, v.version])),
  };
}

class MemoryStore implements Store {
  readonly name = NAME;
  readonly capabilities: StoreCapabilities = { durable: false, sharedAcrossProcesses: false };
  readonly #tables = createTables();
  // Reads share the mutex with transactions: a read never sees a transaction's writes before it
  // commits or after it rolls back, and sees no commit land between its own awaits.
  readonly #mutex = createMutex();
  #state: 'new' | 'open' | 'closed' = 'new';

  async open(): Promise<void> {
    if (this.#state === 'closed') throw notOpenError(NAME, true);
    this.#state = 'open';
  }

  async close(): Promise<void> {
    this.#state = 'closed';
  }

  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.#within<MemoryTransaction, T>((tables) => new MemoryTransaction(tables), fn);
  }

  read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T> {
    return this.#within((tables) => new MemoryReader(tables), fn);
  }

  #within<S extends MemoryReader, T>(start: (tables: Tables) => S, fn: (scope: S) => Promise<T>): Promise<T> {
    return this.#mutex.run(async () => {
      const scope = start(this.#openTables());
      try {
        const result = await fn(scope);
        scope.finish(true);
        return result;
      } catch (e) {
        scope.finish(false);
        throw e;
      }
    });
  }

  #openTables(): Tables {
    if (this.#state !== 'open') throw notOpenError(NAME, this.#state === 'closed');
    return this.#tables;
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const compareIds = (a: { readonly id: string }, b: { readonly id: string }) => compare(a.id, b.id);
const compareUsage = (a: UsageRecord, b: UsageRecord) =>
  compare(a.resourceId ?? '', b.resourceId ?? '') || compare(a.featureId, b.featureId);
const comparePackageVersions = (a: PackageVersionRecord, b: PackageVersionRecord) =>
  compare(a.kind, b.kind) || compare(a.refId, b.refId) || a.version - b.version;

/** Reads the live tables; useless once its callback settles, so a leaked one cannot act outside it. */
class MemoryReader implements StoreReader {
  readonly #tables: Tables;
  #finished = false;

  constructor(tables: Tables) {
    this.#tables = tables;
  }

  /** Called when the callback settles; every later call is rejected. */
  finish(_committed: boolean): void {
    this.#finished = true;
  }

  protected get tables(): Tables {
    if (this.#finished) throw transactionEndedError(NAME);
    return this.#tables;
  }

  async getCustomer(customerId: string): Promise<CustomerRecord | undefined> {
    return this.tables.customers.get(customerId);
  }

  async getCustomerState(customerId: string): Promise<CustomerState | undefined> {
    const t = this.tables;
    const customer = t.customers.get(customerId);
    if (customer === undefined) return undefined;
    return {
      customer,
      subscriptions: t.subscriptions.ownedBy(customerId).sort(compareIds),
      promotions: t.promotions.ownedBy(customerId).sort(compareIds),
      usage: t.usage.ownedBy(customerId).sort(compareUsage),
    };
  }

  async getSubscription(subscriptionId: string): Promise<SubscriptionRecord | undefined> {
    return this.tables.subscriptions.get(subscriptionId);
  }

  async listSubscriptions(query: SubscriptionPageQuery): Promise<SubscriptionRecord[]> {
    const { customerId, afterId, limit } = query;
    const subscriptions = this.tables.subscriptions;
    const candidates = customerId === undefined ? subscriptions.values() : subscriptions.ownedBy(customerId);
    return candidates
      .filter((s) => afterId === undefined || s.id > afterId)
      .sort(compareIds)
      .slice(0, limit);
  }

  async getIdempotencyResult(scope: string, key: string): Promise<unknown> {
    const row = this.tables.idempotency.get(idempotencyKey({ scope, key }));
    return row && JSON.parse(row.text);
  }

  async listPackageVersions(): Promise<PackageVersionRecord[]> {
    return this.tables.packageVersions.values().sort(comparePackageVersions);
  }
}

/** Writes straight into the tables, serialised by the store's mutex, and logs how to undo each one. */
class MemoryTransaction extends MemoryReader implements StoreTransaction {
  readonly #undo: (() => void)[] = [];

  /** Ends the transaction, reverting every write, newest first, unless it committed. */
  override finish(committed: boolean): void {
    if (!committed) for (const revert of this.#undo.reverse()) revert();
    this.#undo.length = 0;
    super.finish(committed);
  }

  async putCustomer(customer: CustomerRecord): Promise<void> {
    this.#put(this.tables.customers, customer);
  }

  async putSubscription(subscription: SubscriptionRecord): Promise<void> {
    this.#put(this.tables.subscriptions, subscription);
  }

  async putPromotion(promotion: PromotionRecord): Promise<void> {
    this.#put(this.tables.promotions, promotion);
  }

  async deletePromotion(promotionId: string): Promise<void> {
    const promotions = this.tables.promotions;
    const removed = promotions.remove(promotionId);
    if (removed !== undefined) this.#undo.push(() => promotions.put(removed));
  }

  async addUsage(write: UsageWrite & { readonly delta: number }): Promise<number> {
    const stored = this.tables.usage.get(usageKey(write));
    const base = stored !== undefined && stored.window === write.window ? stored.value : 0;
    return this.#putUsage(write, base + write.delta);
  }

  async setUsage(write: UsageWrite & { readonly value: number }): Promise<number> {
    return this.#putUsage(write, write.value);
  }

  async putIdempotencyResult(scope: string, key: string, result: unknown, _createdAt: number): Promise<void> {
    const idempotency = this.tables.idempotency;
    if (idempotency.get(idempotencyKey({ scope, key })) === undefined) {
      this.#put(idempotency, { scope, key, text: JSON.stringify(result ?? null) });
    }
  }

  async putPackageVersion(version: PackageVersionRecord): Promise<void> {
    this.#put(this.tables.packageVersions, version);
  }

  #putUsage(write: UsageWrite, value: number): number {
    const floored = Math.max(value, 0);
    this.#put(this.tables.usage, {
      customerId: write.customerId,
      resourceId: write.resourceId === '' ? null : write.resourceId,
      featureId: write.featureId,
      value: floored,
      window: write.window,
      updatedAt: write.updatedAt,
    });
    return floored;
  }

  #put<V>(table: MemoryTable<V>, row: V): void {
    const previous = table.put(row);
    this.#undo.push(previous === undefined ? () => table.remove(table.keyOf(row)) : () => table.put(previous));
  }
}
