import { subscriptionStatus } from '../../core/subscription-state.js';
import { applyUsageOp, EMPTY_AGGREGATE, type UsageAggregate } from '../../core/usage-aggregate.js';
import { CellSummaries, type CellSummary } from '../../core/usage-summary.js';
import type { AutoRechargeConfig } from '../../credits/auto-recharge-schema.js';
import { type CreditPool, type CreditPoolKey, creditPoolKey, isHeldGrant } from '../../credits/credit-pool-state.js';
import type { CreditGrantRecord, CreditLedgerEntry } from '../../credits/credit-records.js';
import { NO_SPENT_CREDITS, type SpentCredits, type SpentExpiry } from '../../credits/spent-credits.js';
import type {
  GovernanceBudgetRecord,
  GovernanceEntityRecord,
  GovernanceRecords,
  GovernanceUsageRecord,
} from '../../governance/governance-records.js';
import type {
  CustomerRecord,
  CustomerState,
  PackageVersionRecord,
  PromotionRecord,
  SubscriptionRecord,
  UsageRecord,
} from '../../model/records.js';
import { createMutex } from '../mutex.js';
import {
  type AutoRechargeRecord,
  type CreditConsumptionQuery,
  type CreditGrantQuery,
  type CreditLedgerQuery,
  type CreditLedgerRow,
  type CreditTotals,
  type CustomerPageQuery,
  type EventKey,
  type EventKeyQuery,
  type IdempotencyQuery,
  type IdempotencyRecord,
  inCreditQuery,
  type Store,
  type StoreCapabilities,
  type StoreReader,
  type StoreTransaction,
  type SubscriptionFilter,
  type SubscriptionPageQuery,
  type UniqueMember,
  type UniqueMemberQuery,
  type UsageEntry,
  type UsageEntryQuery,
  type UsageKey,
  type UsageLogPage,
  type UsageLogQuery,
  type UsageSummaryQuery,
  type UsageWindowKey,
} from '../store.js';
import { notOpenError, subscriptionQueryError, transactionEndedError } from '../store-errors.js';
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
  readonly createdAt: number;
}

interface Tables {
  readonly customers: MemoryTable<CustomerRecord>;
  readonly subscriptions: MemoryTable<SubscriptionRecord>;
  readonly promotions: MemoryTable<PromotionRecord>;
  readonly usage: MemoryTable<UsageRecord>;
  readonly idempotency: MemoryTable<IdempotencyRow>;
  readonly packageVersions: MemoryTable<PackageVersionRecord>;
  /** Usage entries kept for history, per customer, in log order. */
  readonly entries: Map<string, UsageEntry[]>;
  readonly members: MemoryTable<UniqueMember>;
  readonly events: MemoryTable<EventKey>;
  readonly creditGrants: MemoryTable<CreditGrantRecord>;
  /** The grants pools hold (`isHeldGrant`), so a pool is read without its history. */
  readonly heldCreditGrants: MemoryTable<CreditGrantRecord>;
  readonly creditTotals: MemoryTable<CreditTotalsRow>;
  readonly creditExpiries: MemoryTable<CreditExpiryRow>;
  /** Ledger rows per customer, in the order written; `seq` counts across all of them. */
  readonly creditLedger: Map<string, CreditLedgerRow[]>;
  readonly ledgerSeq: { last: number };
  readonly autoRecharge: MemoryTable<AutoRechargeRecord>;
  readonly governanceEntities: MemoryTable<GovernanceEntityRecord>;
  readonly governanceBudgets: MemoryTable<GovernanceBudgetRecord>;
  readonly governanceUsage: MemoryTable<GovernanceUsageRecord>;
}

interface CreditTotalsRow extends CreditPoolKey, CreditTotals {}

interface CreditExpiryRow extends CreditPoolKey, SpentExpiry {}

/** The ledger entries that spend credits: what getCreditUsage and getCreditEventsFields read. */
const CONSUMPTION: ReadonlySet<string> = new Set(['CREDITS_CONSUMED', 'DEBT_CREATED']);

const byId = (row: { readonly id: string }) => row.id;
const ownerOf = (row: { readonly customerId: string }) => row.customerId;
// JSON arrays keep composite keys unambiguous whatever characters the parts contain.
const usageKey = (k: UsageWindowKey) => JSON.stringify([k.customerId, k.resourceId ?? '', k.featureId, k.window]);
const memberKey = (m: UniqueMember) =>
  JSON.stringify([m.customerId, m.resourceId ?? '', m.featureId, m.window, m.member]);
const rechargeKey = (r: { customerId: string; currencyId: string }) => JSON.stringify([r.customerId, r.currencyId]);
const idempotencyKey = (k: { scope: string; key: string }) => JSON.stringify([k.scope, k.key]);
const expiryKey = (e: CreditExpiryRow) => JSON.stringify([e.customerId, e.currencyId, e.resourceId, e.at]);
const ownedByOwner = (row: { readonly ownerId: string }) => row.ownerId;
const entityKey = (r: { ownerId: string; entityId: string }) => JSON.stringify([r.ownerId, r.entityId]);
const budgetKey = (r: { ownerId: string; entityId: string; capabilityId: string }) =>
  JSON.stringify([r.ownerId, r.entityId, r.capabilityId]);
const governanceUsageKey = (r: GovernanceUsageRecord) =>
  JSON.stringify([r.ownerId, r.entityId, r.capabilityId, r.window]);

function createTables(): Tables {
  return {
    customers: new MemoryTable<CustomerRecord>(byId),
    subscriptions: new MemoryTable<SubscriptionRecord>(byId, ownerOf),
    promotions: new MemoryTable<PromotionRecord>(byId, ownerOf),
    usage: new MemoryTable<UsageRecord>(usageKey, ownerOf),
    idempotency: new MemoryTable<IdempotencyRow>(idempotencyKey),
    packageVersions: new MemoryTable<PackageVersionRecord>((v) => JSON.stringify([v.kind, v.refId, v.version])),
    entries: new Map(),
    members: new MemoryTable<UniqueMember>(memberKey, ownerOf),
    events: new MemoryTable<EventKey>((e) => JSON.stringify([e.customerId, e.idempotencyKey]), ownerOf),
    creditGrants: new MemoryTable<CreditGrantRecord>(byId, ownerOf),
    heldCreditGrants: new MemoryTable<CreditGrantRecord>(byId, ownerOf),
    creditTotals: new MemoryTable<CreditTotalsRow>(creditPoolKey, ownerOf),
    creditExpiries: new MemoryTable<CreditExpiryRow>(expiryKey, ownerOf),
    creditLedger: new Map(),
    ledgerSeq: { last: 0 },
    autoRecharge: new MemoryTable<AutoRechargeRecord>(rechargeKey, ownerOf),
    governanceEntities: new MemoryTable<GovernanceEntityRecord>(entityKey, ownedByOwner),
    governanceBudgets: new MemoryTable<GovernanceBudgetRecord>(budgetKey, ownedByOwner),
    governanceUsage: new MemoryTable<GovernanceUsageRecord>(governanceUsageKey, ownedByOwner),
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

  /** One writer at a time whatever the keys: serialising more than the keys ask is always allowed. */
  transaction<T>(_keys: readonly string[], fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
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
const inPool = (g: { currencyId: string; resourceId: string | null }, key: CreditPoolKey) =>
  g.currencyId === key.currencyId && g.resourceId === key.resourceId;

const compareIds = (a: { readonly id: string }, b: { readonly id: string }) => compare(a.id, b.id);
const compareMembers = (a: UniqueMember, b: UniqueMember) =>
  compare(a.resourceId ?? '', b.resourceId ?? '') ||
  compare(a.featureId, b.featureId) ||
  compare(a.window, b.window) ||
  compare(a.member, b.member);
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

  async getCustomerState(customerId: string, now: number): Promise<CustomerState | undefined> {
    const t = this.tables;
    const customer = t.customers.get(customerId);
    if (customer === undefined) return undefined;
    return {
      customer,
      subscriptions: t.subscriptions.ownedBy(customerId).sort(compareIds),
      promotions: t.promotions.ownedBy(customerId).sort(compareIds),
      usage: t.usage
        .ownedBy(customerId)
        .filter((u) => u.periodEnd === null || u.periodEnd > now)
        .sort(compareUsage),
    };
  }

  async getUsage(key: UsageWindowKey): Promise<UsageAggregate | undefined> {
    const row = this.tables.usage.get(usageKey(key));
    return row && { value: row.value, count: row.count };
  }

  async listUsageEntries(query: UsageEntryQuery): Promise<UsageEntry[]> {
    return this.#counterEntries(query, (at) => query.ranges.some((r) => at >= r.from && at < r.before)).sort(
      (a, b) => a.at - b.at,
    );
  }

  /** Summarized from the log itself: a scan of memory costs about what reading rollups would. */
  async summarizeUsage(query: UsageSummaryQuery): Promise<CellSummary[]> {
    const summaries = new CellSummaries();
    for (const e of this.#counterEntries(query, (at) => at >= query.from && at < query.before))
      summaries.addEntry(e, query.origin, query.width);
    return summaries.list();
  }

  /** A counter's entries that happened when `when` says, in log order. */
  #counterEntries(key: UsageKey, when: (at: number) => boolean): UsageEntry[] {
    return (this.tables.entries.get(key.customerId) ?? []).filter(
      (e) => e.featureId === key.featureId && e.resourceId === key.resourceId && when(e.at),
    );
  }

  async getSubscription(subscriptionId: string): Promise<SubscriptionRecord | undefined> {
    return this.tables.subscriptions.get(subscriptionId);
  }

  async listSubscriptions(query: SubscriptionPageQuery): Promise<SubscriptionRecord[]> {
    const invalid = subscriptionQueryError(NAME, query, true);
    if (invalid) throw invalid;
    const { afterId, beforeId, limit } = query;
    const page = this.#matchingSubscriptions(query)
      .filter((s) => (afterId === undefined || s.id > afterId) && (beforeId === undefined || s.id < beforeId))
      .sort(compareIds);
    // Before a cursor, the last `limit` of them (never slice(-0), which is all of them).
    return beforeId === undefined ? page.slice(0, limit) : page.slice(Math.max(0, page.length - limit));
  }

  async countSubscriptions(filter: SubscriptionFilter): Promise<number> {
    const invalid = subscriptionQueryError(NAME, filter, false);
    if (invalid) throw invalid;
    return this.#matchingSubscriptions(filter).length;
  }

  /** A fresh array of the subscriptions the filter matches, in no order. */
  #matchingSubscriptions(filter: SubscriptionFilter): SubscriptionRecord[] {
    const subscriptions = this.tables.subscriptions;
    const { customerId } = filter;
    const candidates = customerId === undefined ? subscriptions.values() : subscriptions.ownedBy(customerId);
    const resources = filter.resourceIds && new Set(filter.resourceIds);
    const products = filter.productIds && new Set(filter.productIds);
    const statuses = filter.statuses && new Set(filter.statuses);
    const { now } = filter; // checked present with statuses; without it they match nothing
    if (resources === undefined && products === undefined && statuses === undefined) return candidates;
    return candidates.filter(
      (s) =>
        (resources === undefined || (s.resourceId !== null && resources.has(s.resourceId))) &&
        (products === undefined || products.has(s.productId)) &&
        (statuses === undefined || (now !== undefined && statuses.has(subscriptionStatus(s, now)))),
    );
  }

  async getIdempotencyResult(scope: string, key: string): Promise<unknown> {
    const row = this.tables.idempotency.get(idempotencyKey({ scope, key }));
    return row && JSON.parse(row.text);
  }

  async listPackageVersions(): Promise<PackageVersionRecord[]> {
    return this.tables.packageVersions.values().sort(comparePackageVersions);
  }

  async getCreditPool(key: CreditPoolKey, known?: SpentCredits): Promise<CreditPool> {
    const t = this.tables;
    const grants = t.heldCreditGrants
      .ownedBy(key.customerId)
      .filter((g) => inPool(g, key))
      .sort(compareIds);
    const totals = t.creditTotals.get(creditPoolKey(key));
    if (totals === undefined) return { ...key, grants, debt: '0', spent: NO_SPENT_CREDITS, schedule: null };
    const expiring =
      known?.revision === totals.revision
        ? known.expiring
        : t.creditExpiries
            .ownedBy(key.customerId)
            .filter((e) => inPool(e, key))
            .sort((a, b) => a.at - b.at)
            .map((e) => ({ at: e.at, amount: e.amount }));
    const spent = { total: totals.spent, expiring, revision: totals.revision };
    return { ...key, grants, debt: totals.debt, spent, schedule: totals.schedule };
  }

  async listCreditPools(customerId: string): Promise<CreditPool[]> {
    const t = this.tables;
    const keys = new Map<string, CreditPoolKey>();
    const add = (k: CreditPoolKey) => keys.set(creditPoolKey(k), k);
    for (const g of t.heldCreditGrants.ownedBy(customerId)) add(g);
    for (const d of t.creditTotals.ownedBy(customerId)) add(d);
    const pools: CreditPool[] = [];
    for (const k of keys.values()) pools.push(await this.getCreditPool(k));
    return pools;
  }

  async listCreditConsumption(query: CreditConsumptionQuery): Promise<CreditLedgerEntry[]> {
    return (this.tables.creditLedger.get(query.customerId) ?? [])
      .map((row) => row.entry)
      .filter(
        (e) => CONSUMPTION.has(e.eventType) && e.at >= query.from && e.at < query.before && inCreditQuery(e, query),
      )
      .sort((a, b) => a.at - b.at);
  }

  async listCreditEventFields(query: { customerId: string; currencyId?: string | undefined }): Promise<string[]> {
    const fields = new Set<string>();
    for (const { entry } of this.tables.creditLedger.get(query.customerId) ?? [])
      if (CONSUMPTION.has(entry.eventType) && inCreditQuery(entry, query))
        for (const key of Object.keys(entry.dimensions ?? {})) fields.add(key);
    return [...fields].sort();
  }

  async getGovernance(ownerId: string, now: number): Promise<GovernanceRecords> {
    const t = this.tables;
    return {
      entities: t.governanceEntities.ownedBy(ownerId),
      budgets: t.governanceBudgets.ownedBy(ownerId),
      usage: t.governanceUsage.ownedBy(ownerId).filter((u) => u.periodEnd === null || u.periodEnd > now),
    };
  }

  async getCreditGrant(grantId: string): Promise<CreditGrantRecord | undefined> {
    return this.tables.creditGrants.get(grantId);
  }

  async getAutoRecharge(customerId: string, currencyId: string): Promise<AutoRechargeConfig | undefined> {
    return this.tables.autoRecharge.get(rechargeKey({ customerId, currencyId }))?.config;
  }

  async listCustomers(query: CustomerPageQuery): Promise<CustomerRecord[]> {
    const { afterId } = query;
    return this.tables.customers
      .values()
      .filter((c) => afterId === undefined || c.id > afterId)
      .sort(compareIds)
      .slice(0, query.limit);
  }

  async listEventKeys(query: EventKeyQuery): Promise<EventKey[]> {
    const { afterKey } = query;
    return this.tables.events
      .ownedBy(query.customerId)
      .filter((e) => afterKey === undefined || e.idempotencyKey > afterKey)
      .sort((a, b) => compare(a.idempotencyKey, b.idempotencyKey))
      .slice(0, query.limit);
  }

  async listUniqueMembers(query: UniqueMemberQuery): Promise<UniqueMember[]> {
    const { after } = query;
    return this.tables.members
      .ownedBy(query.customerId)
      .filter((m) => after === undefined || compareMembers(m, after) > 0)
      .sort(compareMembers)
      .slice(0, query.limit);
  }

  async listIdempotencyResults(query: IdempotencyQuery): Promise<IdempotencyRecord[]> {
    const { after } = query;
    const order = (a: { scope: string; key: string }, b: { scope: string; key: string }) =>
      compare(a.scope, b.scope) || compare(a.key, b.key);
    return this.tables.idempotency
      .values()
      .filter((row) => after === undefined || order(row, after) > 0)
      .sort(order)
      .slice(0, query.limit)
      .map(({ scope, key, text, createdAt }) => ({ scope, key, result: JSON.parse(text), createdAt }));
  }

  async listAutoRecharge(customerId: string): Promise<AutoRechargeRecord[]> {
    return this.tables.autoRecharge.ownedBy(customerId).sort((a, b) => compare(a.currencyId, b.currencyId));
  }

  /** The cursor counts the entries already listed: within one read nothing moves. */
  async listUsageLog(query: UsageLogQuery): Promise<UsageLogPage> {
    let skip = query.after === undefined ? 0 : Number(query.after);
    const entries: UsageEntry[] = [];
    for (const log of this.tables.entries.values()) {
      if (entries.length === query.limit) break;
      if (skip >= log.length) {
        skip -= log.length;
        continue;
      }
      entries.push(...log.slice(skip, skip + query.limit - entries.length));
      skip = 0;
    }
    const listed = (query.after === undefined ? 0 : Number(query.after)) + entries.length;
    return { entries, next: entries.length < query.limit ? null : String(listed) };
  }

  async listCreditGrants(query: CreditGrantQuery): Promise<CreditGrantRecord[]> {
    return this.tables.creditGrants
      .ownedBy(query.customerId)
      .filter((g) => inCreditQuery(g, query))
      .sort((a, b) => a.createdAt - b.createdAt || compareIds(a, b));
  }

  async listCreditLedger(query: CreditLedgerQuery): Promise<CreditLedgerRow[]> {
    return (this.tables.creditLedger.get(query.customerId) ?? [])
      .filter(
        ({ seq, entry }) =>
          seq > (query.afterSeq ?? 0) &&
          inCreditQuery(entry, query) &&
          (query.eventTypes === undefined || query.eventTypes.includes(entry.eventType)),
      )
      .slice(0, query.limit);
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
    this.#remove(this.tables.promotions, promotionId);
  }

  async appendUsage(entries: readonly UsageEntry[]): Promise<void> {
    const usage = this.tables.usage;
    for (const e of entries) {
      const stored = usage.get(usageKey(e));
      const next = applyUsageOp(stored ?? EMPTY_AGGREGATE, e.op, e.amount);
      this.#put(usage, {
        customerId: e.customerId,
        resourceId: e.resourceId,
        featureId: e.featureId,
        window: e.window,
        periodStart: e.periodStart,
        periodEnd: e.periodEnd,
        value: next.value,
        count: next.count,
        updatedAt: e.at,
      });
    }
    await this.appendUsageHistory(entries);
  }

  async appendUsageHistory(entries: readonly UsageEntry[]): Promise<void> {
    const logs = this.tables.entries;
    for (const e of entries) {
      let log = logs.get(e.customerId);
      if (log === undefined) {
        log = [];
        logs.set(e.customerId, log);
      }
      const appended = log;
      appended.push(e);
      this.#undo.push(() => appended.pop());
    }
  }

  async putUsageCounters(counters: readonly UsageRecord[]): Promise<void> {
    for (const counter of counters) this.#put(this.tables.usage, counter);
  }

  async addUniqueMember(key: UsageWindowKey, member: string): Promise<boolean> {
    const members = this.tables.members;
    const { customerId, resourceId, featureId, window } = key;
    const row = { customerId, resourceId, featureId, window, member };
    if (members.get(memberKey(row)) !== undefined) return false;
    this.#put(members, row);
    return true;
  }

  async putEvents(list: readonly EventKey[]): Promise<boolean[]> {
    const events = this.tables.events;
    return list.map(({ customerId, idempotencyKey, createdAt }) => {
      const event = { customerId, idempotencyKey, createdAt };
      if (events.get(events.keyOf(event)) !== undefined) return false;
      this.#put(events, event);
      return true;
    });
  }

  async pruneUsageHistory(before: number): Promise<number> {
    const t = this.tables;
    let pruned = 0;
    for (const [customerId, log] of t.entries) {
      const kept = log.filter((e) => e.at >= before);
      if (kept.length === log.length) continue;
      pruned += log.length - kept.length;
      t.entries.set(customerId, kept);
      this.#undo.push(() => t.entries.set(customerId, log));
    }
    for (const event of t.events.values()) {
      if (event.createdAt >= before) continue;
      t.events.remove(t.events.keyOf(event));
      this.#undo.push(() => t.events.put(event));
      pruned += 1;
    }
    return pruned;
  }

  async putCreditGrants(grants: readonly CreditGrantRecord[]): Promise<void> {
    const { creditGrants, heldCreditGrants } = this.tables;
    for (const g of grants) {
      this.#put(creditGrants, g);
      if (isHeldGrant(g)) this.#put(heldCreditGrants, g);
      else this.#remove(heldCreditGrants, g.id);
    }
  }

  async putCreditTotals(key: CreditPoolKey, totals: CreditTotals): Promise<void> {
    const { customerId, currencyId, resourceId } = key;
    const { debt, spent, revision, schedule } = totals;
    this.#put(this.tables.creditTotals, { customerId, currencyId, resourceId, debt, spent, revision, schedule });
  }

  async putCreditExpiries(key: CreditPoolKey, expiries: readonly SpentExpiry[]): Promise<void> {
    const { customerId, currencyId, resourceId } = key;
    const table = this.tables.creditExpiries;
    for (const { at, amount } of expiries) {
      const row = { customerId, currencyId, resourceId, at, amount };
      if (amount === '0') this.#remove(table, expiryKey(row));
      else this.#put(table, row);
    }
  }

  async putGovernanceEntities(entities: readonly GovernanceEntityRecord[]): Promise<void> {
    for (const e of entities) this.#put(this.tables.governanceEntities, e);
  }

  async deleteGovernanceEntity(ownerId: string, entityId: string): Promise<void> {
    const t = this.tables;
    this.#remove(t.governanceEntities, entityKey({ ownerId, entityId }));
    for (const b of t.governanceBudgets.ownedBy(ownerId))
      if (b.entityId === entityId) await this.deleteGovernanceBudget(ownerId, entityId, b.capabilityId);
  }

  async putGovernanceBudgets(budgets: readonly GovernanceBudgetRecord[]): Promise<void> {
    for (const b of budgets) this.#put(this.tables.governanceBudgets, b);
  }

  async deleteGovernanceBudget(ownerId: string, entityId: string, capabilityId: string): Promise<void> {
    const t = this.tables;
    this.#remove(t.governanceBudgets, budgetKey({ ownerId, entityId, capabilityId }));
    for (const u of t.governanceUsage.ownedBy(ownerId))
      if (u.entityId === entityId && u.capabilityId === capabilityId)
        this.#remove(t.governanceUsage, governanceUsageKey(u));
  }

  async putGovernanceUsage(usage: readonly GovernanceUsageRecord[]): Promise<void> {
    for (const u of usage) this.#put(this.tables.governanceUsage, u);
  }

  async putAutoRecharge(customerId: string, currencyId: string, config: AutoRechargeConfig): Promise<void> {
    this.#put(this.tables.autoRecharge, { customerId, currencyId, config });
  }

  async appendCreditLedger(entries: readonly CreditLedgerEntry[]): Promise<void> {
    const { creditLedger, ledgerSeq } = this.tables;
    for (const entry of entries) {
      let rows = creditLedger.get(entry.customerId);
      if (rows === undefined) {
        rows = [];
        creditLedger.set(entry.customerId, rows);
      }
      const appended = rows;
      appended.push({ seq: ++ledgerSeq.last, entry });
      this.#undo.push(() => {
        appended.pop();
        ledgerSeq.last -= 1;
      });
    }
  }

  async putIdempotencyResult(scope: string, key: string, result: unknown, createdAt: number): Promise<void> {
    const idempotency = this.tables.idempotency;
    if (idempotency.get(idempotencyKey({ scope, key })) === undefined) {
      this.#put(idempotency, { scope, key, text: JSON.stringify(result ?? null), createdAt });
    }
  }

  async putPackageVersion(version: PackageVersionRecord): Promise<void> {
    this.#put(this.tables.packageVersions, version);
  }

  #remove<V>(table: MemoryTable<V>, key: string): void {
    const removed = table.remove(key);
    if (removed !== undefined) this.#undo.push(() => table.put(removed));
  }

  #put<V>(table: MemoryTable<V>, row: V): void {
    const previous = table.put(row);
    this.#undo.push(previous === undefined ? () => table.remove(table.keyOf(row)) : () => table.put(previous));
  }
}
