import { subscriptionStatus } from '../../core/subscription-state.js';
import type { UsageAggregate } from '../../core/usage-aggregate.js';
import { CellSummaries, type CellSummary } from '../../core/usage-summary.js';
import type { AutoRechargeConfig } from '../../credits/auto-recharge-schema.js';
import { type CreditPool, type CreditPoolKey, creditPoolKey } from '../../credits/credit-pool-state.js';
import type { CreditGrantRecord, CreditLedgerEntry } from '../../credits/credit-records.js';
import { NO_SPENT_CREDITS, type SpentCredits } from '../../credits/spent-credits.js';
import type { GovernanceRecords } from '../../governance/governance-records.js';
import type {
  CustomerRecord,
  CustomerState,
  PackageVersionRecord,
  SubscriptionRecord,
  UsageRecord,
} from '../../model/records.js';
import {
  type AutoRechargeRecord,
  type CreditConsumptionQuery,
  type CreditGrantQuery,
  type CreditLedgerQuery,
  type CreditLedgerRow,
  type CustomerPageQuery,
  type EventKey,
  type EventKeyQuery,
  type IdempotencyQuery,
  type IdempotencyRecord,
  inCreditQuery,
  type StoreReader,
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
import { subscriptionQueryError, transactionEndedError } from '../store-errors.js';
import { idempotencyKey, rechargeKey, STORE_NAME, type Tables, usageKey } from './memory-schema.js';

/** The ledger entries that spend credits: what getCreditUsage and getCreditEventsFields read. */
const CONSUMPTION: ReadonlySet<string> = new Set(['CREDITS_CONSUMED', 'DEBT_CREATED']);

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
export class MemoryReader implements StoreReader {
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
    if (this.#finished) throw transactionEndedError(STORE_NAME);
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
    const invalid = subscriptionQueryError(STORE_NAME, query, true);
    if (invalid) throw invalid;
    const { afterId, beforeId, limit } = query;
    const page = this.#matchingSubscriptions(query)
      .filter((s) => (afterId === undefined || s.id > afterId) && (beforeId === undefined || s.id < beforeId))
      .sort(compareIds);
    // Before a cursor, the last `limit` of them (never slice(-0), which is all of them).
    return beforeId === undefined ? page.slice(0, limit) : page.slice(Math.max(0, page.length - limit));
  }

  async countSubscriptions(filter: SubscriptionFilter): Promise<number> {
    const invalid = subscriptionQueryError(STORE_NAME, filter, false);
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
