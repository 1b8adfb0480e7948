import type { UsageAggregate, UsageOp } from '../core/usage-aggregate.js';
import type { CellSummary, TimeRange } from '../core/usage-summary.js';
import type { AutoRechargeConfig } from '../credits/auto-recharge-schema.js';
import type { CreditPool, CreditPoolKey } from '../credits/credit-pool-state.js';
import type { CreditGrantRecord, CreditLedgerEntry, CreditLedgerEventType } from '../credits/credit-records.js';
import type { CreditResetSchedule } from '../credits/rollover.js';
import type { SpentCredits, SpentExpiry } from '../credits/spent-credits.js';
import type {
  GovernanceBudgetRecord,
  GovernanceEntityRecord,
  GovernanceRecords,
  GovernanceUsageRecord,
} from '../governance/governance-records.js';
import type { SubscriptionStatus } from '../model/enums.js';
import type { Dimensions } from '../model/meters.js';
import type {
  CustomerRecord,
  CustomerState,
  PackageVersionRecord,
  PromotionRecord,
  SubscriptionRecord,
  UsageRecord,
} from '../model/records.js';

/** What a backend can do; the façade adapts to these instead of probing the store. */
export interface StoreCapabilities {
  /** Acknowledged writes survive a process crash. */
  readonly durable: boolean;
  /** Other processes may commit to the same data, so caches must watch `changeToken` and `changesSince`. */
  readonly sharedAcrossProcesses: boolean;
  /**
   * `changeToken` moves the moment another process commits (SQLite's `data_version`), so a write
   * that finds it unchanged may skip reading the change feed. Absent or false (a token woken by a
   * notification, as on PostgreSQL): every write reads the feed under its locks, since atomic
   * operations must never decide from a stale cache.
   */
  readonly exactChangeToken?: boolean;
}

/** Identifies one usage counter. `resourceId` null is the customer-wide counter; resource ids are never empty. */
export interface UsageKey {
  readonly customerId: string;
  readonly resourceId: string | null;
  readonly featureId: string;
}

/** One usage counter in one window. */
export interface UsageWindowKey extends UsageKey {
  /** The usage window's key (usage epoch and period start); each window aggregates on its own. */
  readonly window: string;
}

/** One usage contribution, as logged: the store folds it into its window's aggregate with `applyUsageOp`. */
export interface UsageEntry extends UsageWindowKey {
  /** The window's period, so a store can load the windows that are still current; null: no reset. */
  readonly periodStart: number | null;
  readonly periodEnd: number | null;
  readonly op: UsageOp;
  readonly amount: number;
  /** When the usage happened (the report's `createdAt` or the event's `timestamp`). */
  readonly at: number;
  readonly dimensions: Dimensions | null;
}

/** A raw event as reported; a store keeps its `EventKey`, and `(customerId, idempotencyKey)` is unique. */
export interface UsageEventRecord {
  readonly customerId: string;
  readonly idempotencyKey: string;
  readonly eventName: string;
  readonly resourceId: string | null;
  readonly dimensions: Dimensions;
  readonly timestamp: number;
  readonly createdAt: number;
}

/** What a store keeps of a raw event: its key, for deduplication, and when it arrived, for retention. */
export type EventKey = Pick<UsageEventRecord, 'customerId' | 'idempotencyKey' | 'createdAt'>;

/** A page of a customer's event keys, ordered by key. */
export interface EventKeyQuery {
  readonly customerId: string;
  /** Exclusive cursor: keys after this one. */
  readonly afterKey?: string | undefined;
  readonly limit: number;
}

/** A member of a UNIQUE window's set. */
export interface UniqueMember extends UsageWindowKey {
  readonly member: string;
}

/** A page of a customer's UNIQUE members, ordered by resource (null first), feature, window and member. */
export interface UniqueMemberQuery {
  readonly customerId: string;
  /** Exclusive cursor: the last member of the previous page. */
  readonly after?: UniqueMember | undefined;
  readonly limit: number;
}

/** The stored result of an idempotent write. */
export interface IdempotencyRecord {
  readonly scope: string;
  readonly key: string;
  readonly result: unknown;
  readonly createdAt: number;
}

/** A page of idempotency results, ordered by scope then key. */
export interface IdempotencyQuery {
  /** Exclusive cursor: the last result of the previous page. */
  readonly after?: { readonly scope: string; readonly key: string } | undefined;
  readonly limit: number;
}

/** A page of customers, ordered by id. */
export interface CustomerPageQuery {
  /** Exclusive cursor: customers with an id greater than this. */
  readonly afterId?: string | undefined;
  readonly limit: number;
}

/** A customer's automatic recharge settings for one currency. */
export interface AutoRechargeRecord {
  readonly customerId: string;
  readonly currencyId: string;
  readonly config: AutoRechargeConfig;
}

/** A page of the whole usage log: every entry history keeps, of every customer. */
export interface UsageLogQuery {
  /** Where the previous page ended (its `next`); absent for the first page. */
  readonly after?: string | undefined;
  readonly limit: number;
}

export interface UsageLogPage {
  /** Each counter's entries in log order; counters may interleave in any order the store likes. */
  readonly entries: readonly UsageEntry[];
  /** Resumes after this page, within the same `read`; null when there is no more. */
  readonly next: string | null;
}

/** The usage entries of one counter, for history. */
export interface UsageEntryQuery extends UsageKey {
  /** Entries that happened in one of these stretches, which are in time order and do not overlap. */
  readonly ranges: readonly TimeRange[];
}

/** A counter's entries that happened in `[from, before)`, summarized per window and per cell of a grid. */
export interface UsageSummaryQuery extends UsageKey, TimeRange {
  /** Cells are `width` ms wide from `origin` (at or before `from`) on. */
  readonly origin: number;
  readonly width: number;
}

/** A pool's own row: its debt, its spent credits' total and revision (see `SpentCredits`), and its reset schedule. */
export interface CreditTotals {
  readonly debt: string;
  readonly spent: string;
  readonly revision: number;
  readonly schedule: CreditResetSchedule | null;
}

/** A customer's credit grants, optionally of one currency and one pool scope. */
export interface CreditGrantQuery {
  readonly customerId: string;
  readonly currencyId?: string | undefined;
  /** Undefined: every scope; null: the customer-wide pool only. */
  readonly resourceId?: string | null | undefined;
}

/** Whether a grant or ledger entry is in a query's currency and scope (the customer is matched by the store). */
export function inCreditQuery(r: { currencyId: string; resourceId: string | null }, q: CreditGrantQuery): boolean {
  return (
    (q.currencyId === undefined || r.currencyId === q.currencyId) &&
    (q.resourceId === undefined || r.resourceId === q.resourceId)
  );
}

/** A page of a customer's credit ledger, in the order it was written. */
export interface CreditLedgerQuery extends CreditGrantQuery {
  readonly eventTypes?: readonly CreditLedgerEventType[] | undefined;
  /** Exclusive cursor: entries written after the one with this `seq`. */
  readonly afterSeq?: number | undefined;
  readonly limit: number;
}

/** A customer's consumption entries (`CREDITS_CONSUMED`, `DEBT_CREATED`) that happened in `[from, before)`. */
export interface CreditConsumptionQuery extends CreditGrantQuery {
  readonly from: number;
  readonly before: number;
}

/** A ledger entry and its position, the cursor for the next page. */
export interface CreditLedgerRow {
  readonly seq: number;
  readonly entry: CreditLedgerEntry;
}

/**
 * A page of the subscriptions a filter matches, ordered by id. Every filter given must match; an
 * absent (or undefined) one does not filter, an empty list matches nothing.
 */
export interface SubscriptionPageQuery {
  readonly customerId?: string;
  /** Subscriptions of one of these resources; a customer-wide subscription (resourceId null) never matches. */
  readonly resourceIds?: readonly string[];
  readonly productIds?: readonly string[];
  /**
   * Subscriptions whose status at `now` is one of these, as `subscriptionStatus` derives it from
   * the stored dates and cancel reason (so PAYMENT_PENDING matches nothing). Requires `now`.
   */
  readonly statuses?: readonly SubscriptionStatus[];
  /** The instant (epoch ms) statuses are taken at: required with `statuses`, unused without. */
  readonly now?: number;
  /** Exclusive cursor: the first `limit` matches with an id greater than this. */
  readonly afterId?: string;
  /** Exclusive cursor: the last `limit` matches with an id less than this, still in ascending order. Not with `afterId`. */
  readonly beforeId?: string;
  /** A non-negative integer. */
  readonly limit: number;
}

/** Which subscriptions a count matches: a page query without its cursor and limit. */
export type SubscriptionFilter = Omit<SubscriptionPageQuery, 'afterId' | 'beforeId' | 'limit'>;

/** Reads, inside or outside a transaction. Missing rows are `undefined`, never an error. */
export interface StoreReader {
  getCustomer(customerId: string): Promise<CustomerRecord | undefined>;
  /**
   * The customer with all their subscriptions (history included), promotions, and the usage
   * aggregates of windows that have not ended by `now`; subscriptions and promotions ordered by id.
   */
  getCustomerState(customerId: string, now: number): Promise<CustomerState | undefined>;
  getSubscription(subscriptionId: string): Promise<SubscriptionRecord | undefined>;
  /**
   * A page of the subscriptions `query` matches, ordered by id. Rejects with INVALID_INPUT when
   * both cursors are given, `statuses` comes without a finite `now`, or `limit` is not a
   * non-negative integer.
   */
  listSubscriptions(query: SubscriptionPageQuery): Promise<SubscriptionRecord[]>;
  /**
   * How many subscriptions the filter matches (a cursor and limit, if the object has them, are
   * ignored). Rejects with INVALID_INPUT when `statuses` comes without a finite `now`.
   */
  countSubscriptions(query: SubscriptionFilter): Promise<number>;
  /** The stored result of an idempotent write, or undefined when the key is new. */
  getIdempotencyResult(scope: string, key: string): Promise<unknown>;
  listPackageVersions(): Promise<PackageVersionRecord[]>;
  /** The aggregate of one usage window, or undefined when nothing was counted in it. */
  getUsage(key: UsageWindowKey): Promise<UsageAggregate | undefined>;
  /** A counter's entries in the query's stretches, by time (then log order), while history keeps them. */
  listUsageEntries(query: UsageEntryQuery): Promise<UsageEntry[]>;
  /**
   * A counter's entries in the query's stretch, as `CellSummaries` would summarize the ones
   * `listUsageEntries` lists (a cell's stretch may be wider than its entries span); one summary per
   * window and cell that has entries. What history reads instead of the entries themselves, so a
   * store should answer it from rollups kept as entries are written, not from the entries.
   */
  summarizeUsage(query: UsageSummaryQuery): Promise<CellSummary[]>;
  /**
   * A credit pool as stored: its held grants (`isHeldGrant`) by id, read without touching the
   * grants it let go, its debt ('0' when none) and its spent credits (none when never set). With
   * `known`, spent credits read earlier: while the stored expiries are still at its revision, its
   * `expiring` is returned as given rather than read again.
   */
  getCreditPool(key: CreditPoolKey, known?: SpentCredits): Promise<CreditPool>;
  getCreditGrant(grantId: string): Promise<CreditGrantRecord | undefined>;
  /** Grants, open or not, oldest first (then by id). */
  listCreditGrants(query: CreditGrantQuery): Promise<CreditGrantRecord[]>;
  listCreditLedger(query: CreditLedgerQuery): Promise<CreditLedgerRow[]>;
  /** Every pool of a customer with a held grant or totals set, each as `getCreditPool` returns it. */
  listCreditPools(customerId: string): Promise<CreditPool[]>;
  /** Consumption entries in a time range, by time (then ledger order). */
  listCreditConsumption(query: CreditConsumptionQuery): Promise<CreditLedgerEntry[]>;
  /** The dimension keys the customer's consumptions (of a currency, if given) carried, sorted. */
  listCreditEventFields(query: { customerId: string; currencyId?: string | undefined }): Promise<string[]>;
  /** An owner's governance entities and budgets, and the usage of windows not ended by `now`. */
  getGovernance(ownerId: string, now: number): Promise<GovernanceRecords>;
  /** A customer's automatic recharge settings for a currency, if saved. */
  getAutoRecharge(customerId: string, currencyId: string): Promise<AutoRechargeConfig | undefined>;
  // What an export walks: every row a store holds can be reached from these and the reads above.
  /** A page of customers by id (archived ones too). */
  listCustomers(query: CustomerPageQuery): Promise<CustomerRecord[]>;
  /** A page of a customer's event keys, by key. */
  listEventKeys(query: EventKeyQuery): Promise<EventKey[]>;
  /** A page of the members of a customer's UNIQUE windows. */
  listUniqueMembers(query: UniqueMemberQuery): Promise<UniqueMember[]>;
  /** A page of the stored results of idempotent writes. */
  listIdempotencyResults(query: IdempotencyQuery): Promise<IdempotencyRecord[]>;
  /** A customer's automatic recharge settings, by currency. */
  listAutoRecharge(customerId: string): Promise<AutoRechargeRecord[]>;
  /** A page of every usage entry history keeps (the aggregates are in `getCustomerState`). */
  listUsageLog(query: UsageLogQuery): Promise<UsageLogPage>;
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
  /** Logs usage contributions, in order; each window's aggregate folds them in with `applyUsageOp`. */
  appendUsage(entries: readonly UsageEntry[]): Promise<void>;
  /** Adds a member to a window's UNIQUE set; false when it was already there. */
  addUniqueMember(key: UsageWindowKey, member: string): Promise<boolean>;
  /**
   * Stores raw events, in one statement where the backend can; for each, in order, whether it was
   * new: false (and nothing stored) when its customer already had its idempotency key, earlier in
   * the list included.
   */
  putEvents(events: readonly EventKey[]): Promise<boolean[]>;
  /** Inserts or replaces credit grants by id; a pool holds those `isHeldGrant` says it does. */
  putCreditGrants(grants: readonly CreditGrantRecord[]): Promise<void>;
  /** Sets a pool's debt, the total of its spent credits (decimal strings, '0' for none), their revision and its reset schedule. */
  putCreditTotals(key: CreditPoolKey, totals: CreditTotals): Promise<void>;
  /** Sets what of a pool's spent credits expires at each instant listed; an amount of '0' removes the instant. */
  putCreditExpiries(key: CreditPoolKey, expiries: readonly SpentExpiry[]): Promise<void>;
  /** Appends ledger entries, in order; the ledger is never rewritten. */
  appendCreditLedger(entries: readonly CreditLedgerEntry[]): Promise<void>;
  putAutoRecharge(customerId: string, currencyId: string, config: AutoRechargeConfig): Promise<void>;
  /** Inserts or replaces governance entities by (owner, entity). */
  putGovernanceEntities(entities: readonly GovernanceEntityRecord[]): Promise<void>;
  /** Deletes an entity with its budgets and their usage. */
  deleteGovernanceEntity(ownerId: string, entityId: string): Promise<void>;
  /** Inserts or replaces budgets by (owner, entity, capability). */
  putGovernanceBudgets(budgets: readonly GovernanceBudgetRecord[]): Promise<void>;
  /** Deletes a budget and its usage. */
  deleteGovernanceBudget(ownerId: string, entityId: string, capabilityId: string): Promise<void>;
  /** Inserts or replaces usage windows by (owner, entity, capability, window): amounts are absolute. */
  putGovernanceUsage(usage: readonly GovernanceUsageRecord[]): Promise<void>;
  /**
   * Forgets usage entries that happened, and raw events that arrived, before `before`; aggregates
   * are untouched, summaries then summarize the entries left. Returns how many went.
   */
  pruneUsageHistory(before: number): Promise<number>;
  /** Records the result of an idempotent write; a key is stored once per scope. */
  putIdempotencyResult(scope: string, key: string, result: unknown, createdAt: number): Promise<void>;
  putPackageVersion(version: PackageVersionRecord): Promise<void>;
  // What an import writes besides the writes above: aggregates and history restored as they were,
  // which `appendUsage` (history and aggregate always together) cannot do once history was pruned.
  /** Sets window aggregates exactly as given, by window; logs no entry. */
  putUsageCounters(counters: readonly UsageRecord[]): Promise<void>;
  /** Logs entries for history, in order, without folding them into any aggregate. */
  appendUsageHistory(entries: readonly UsageEntry[]): Promise<void>;
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
   * Runs `fn` in one read-write transaction that locks `keys` (the engine names the customers and
   * governance owners a write touches, as `customer:<id>`, and `catalog` for catalog versions): it
   * is serialised with every transaction that shares a key and may run beside the others, so a
   * store may scale writes out by key. A store may serialise more (SQLite has one writer, the
   * memory store one mutex), never less. A throw rolls it all back. `fn` must use only `tx`:
   * calling `read` or `transaction` from inside may wait forever. A store may run several
   * transactions' `fn`s in one database transaction and commit them together (group commit, see
   * `GroupCommit`); each call still resolves only after that commit, and when one `fn` throws the
   * others run again without it, so an `fn` may run more than once and must have no effect outside
   * `tx` before its promise settles.
   */
  transaction<T>(keys: readonly string[], fn: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /** Runs `fn` against a consistent snapshot. */
  read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T>;
  /**
   * A cheap, synchronous token that changes when another process commits. Only stores with
   * `sharedAcrossProcesses` need it; the hot path calls it, so it must not allocate or block.
   */
  changeToken?(): number;
}
