import type {
  CustomerRecord,
  CustomerState,
  PackageVersionRecord,
  PromotionRecord,
  SubscriptionRecord,
} from '../core/records.js';

/** What a backend can do; the façade adapts to these instead of probing the store. */
export interface StoreCapabilities {
  /** Acknowledged writes survive a process crash. */
  readonly durable: boolean;
  /** Other processes may commit to the same data, so caches must watch `changeToken` and `changesSince`. */
  readonly sharedAcrossProcesses: boolean;
}

/** Identifies one usage counter. `resourceId` null is the customer-wide counter; resource ids are never empty. */
export interface UsageKey {
  readonly customerId: string;
  readonly resourceId: string | null;
  readonly featureId: string;
}

export interface UsageWrite extends UsageKey {
  /**
   * The window key the value belongs to; a stored counter of another window restarts at zero.
   * Keys are compared for equality only, so callers never write to a window older than the stored one.
   */
  readonly window: string;
  readonly updatedAt: number;
}

export interface SubscriptionPageQuery {
  readonly customerId?: string;
  /** Exclusive cursor: subscriptions with an id greater than this. */
  readonly afterId?: string;
  readonly limit: number;
}

/** Reads, inside or outside a transaction. Missing rows are `undefined`, never an error. */
export interface StoreReader {
  getCustomer(customerId: string): Promise<CustomerRecord | undefined>;
  /**
   * The customer with all their subscriptions (history included), promotions and usage counters;
   * subscriptions and promotions ordered by id.
   */
  getCustomerState(customerId: string): Promise<CustomerState | undefined>;
  getSubscription(subscriptionId: string): Promise<SubscriptionRecord | undefined>;
  /** Subscriptions ordered by id. */
  listSubscriptions(query: SubscriptionPageQuery): Promise<SubscriptionRecord[]>;
  /** The stored result of an idempotent write, or undefined when the key is new. */
  getIdempotencyResult(scope: string, key: string): Promise<unknown>;
  listPackageVersions(): Promise<PackageVersionRecord[]>;
  /**
   * Which customers were changed by commits since `seq` (0: since the beginning). Only stores
   * shared across processes implement it; readable inside a transaction, so a write can catch up
   * under its own lock.
   */
  changesSince?(seq: number): Promise<ChangeSet>;
}

/** Writes inside one transaction: all of them commit, or none. */
export interface StoreTransaction extends StoreReader {
  /** Insert or replace by id. */
  putCustomer(customer: CustomerRecord): Promise<void>;
  putSubscription(subscription: SubscriptionRecord): Promise<void>;
  putPromotion(promotion: PromotionRecord): Promise<void>;
  deletePromotion(promotionId: string): Promise<void>;
  /** Atomically adds `delta` (restarting at zero in a new window), floors the result at 0, returns it. */
  addUsage(write: UsageWrite & { readonly delta: number }): Promise<number>;
  /** Sets the counter (floored at 0) and its window; returns the stored value. */
  setUsage(write: UsageWrite & { readonly value: number }): Promise<number>;
  /** Records the result of an idempotent write; a key is stored once per scope. */
  putIdempotencyResult(scope: string, key: string, result: unknown, createdAt: number): Promise<void>;
  putPackageVersion(version: PackageVersionRecord): Promise<void>;
}

export interface ChangeSet {
  /** Pass back to the next `changesSince` call. */
  readonly seq: number;
  /** Customers another process changed; `null` when unknown, so every cached customer is stale. */
  readonly customerIds: readonly string[] | null;
}

/**
 * The persistence contract. Small on purpose: the façade does the thinking, a store only reads
 * and writes records atomically. Records are immutable once handed over, in either direction: a
 * store may keep the objects it is given (the memory store does), and callers never mutate what
 * it returns. Implement it to plug in another backend, and prove it with the
 * conformance suite in `test/store-conformance.ts`.
 */
export interface Store {
  /** Names the backend in error messages, e.g. "sqlite(/data/allot.db)". */
  readonly name: string;
  readonly capabilities: StoreCapabilities;
  /** Opens the backend and runs pending migrations. Idempotent. */
  open(): Promise<void>;
  close(): Promise<void>;
  /**
   * Runs `fn` in one read-write transaction, serialised with every other write; a throw rolls it
   * all back. `fn` must use only `tx`: calling `read` or `transaction` from inside waits forever.
   */
  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /** Runs `fn` against a consistent snapshot. */
  read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T>;
  /**
   * A cheap, synchronous token that changes when another process commits. Only stores with
   * `sharedAcrossProcesses` need it; the hot path calls it, so it must not allocate or block.
   */
  changeToken?(): number;
}
