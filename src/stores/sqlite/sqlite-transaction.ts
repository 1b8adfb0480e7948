import type { UsageAggregate } from '../../core/usage-aggregate.js';
import type { CellSummary } from '../../core/usage-summary.js';
import type { AutoRechargeConfig } from '../../credits/auto-recharge-schema.js';
import type { CreditPool, CreditPoolKey } from '../../credits/credit-pool-state.js';
import type { CreditGrantRecord, CreditLedgerEntry } from '../../credits/credit-records.js';
import type { SpentCredits, SpentExpiry } from '../../credits/spent-credits.js';
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
import {
  creditGrantToRow,
  creditLedgerToRow,
  creditPoolOf,
  creditPoolsOf,
  creditPoolToRow,
  creditTotalsToRow,
  knownExpiries,
  pageCreditLedger,
  rowToAutoRecharge,
  rowToCreditGrant,
  rowToSpentExpiry,
} from '../sql/credit-queries.js';
import { customerToRow, rowToCustomer } from '../sql/customer-queries.js';
import {
  governanceBudgetToRow,
  governanceEntityToRow,
  governanceUsageToRow,
  rowToGovernanceBudget,
  rowToGovernanceEntity,
  rowToGovernanceUsage,
} from '../sql/governance-queries.js';
import { idempotencyResultToText, rowToIdempotency } from '../sql/idempotency-queries.js';
import { packageVersionToRow, rowToPackageVersion } from '../sql/package-version-queries.js';
import { promotionToRow, rowToPromotion } from '../sql/promotion-queries.js';
import type { UsageEntryRow } from '../sql/schema.js';
import { rowToSubscription, subscriptionToRow } from '../sql/subscription-queries.js';
import {
  eventToRow,
  rowToEventKey,
  rowToUniqueMember,
  rowToUsageEntry,
  usageEntryToRow,
  usageKeyToRow,
} from '../sql/usage-queries.js';
import {
  type AutoRechargeRecord,
  type ChangeSet,
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
  type StoreReader,
  type StoreTransaction,
  type SubscriptionFilter,
  type SubscriptionPageQuery,
  type UniqueMember,
  type UniqueMemberQuery,
  type UsageEntry,
  type UsageEntryQuery,
  type UsageLogPage,
  type UsageLogQuery,
  type UsageSummaryQuery,
  type UsageWindowKey,
} from '../store.js';
import { subscriptionQueryError, transactionEndedError } from '../store-errors.js';
import {
  appendHistory,
  changesAfter,
  counterEntries,
  counterSummaries,
  customerUsage,
  pruneHistory,
  putCounters,
  windowUsage,
} from './sqlite-journal.js';
import type { SqliteDatabase, SqliteStatements } from './sqlite-statements.js';

/**
 * The filter as the statements take it: only the fields it gives, lists deduplicated (a statement
 * is prepared per list length); undefined when an empty list means nothing can match.
 */
function statementFilter(f: SubscriptionFilter): SubscriptionFilter | undefined {
  const unique = (list: readonly string[] | undefined) => list && [...new Set(list)];
  const resourceIds = unique(f.resourceIds);
  const productIds = unique(f.productIds);
  const statuses = f.statuses && [...new Set(f.statuses)];
  if (resourceIds?.length === 0 || productIds?.length === 0 || statuses?.length === 0) return undefined;
  return {
    ...(f.customerId === undefined ? {} : { customerId: f.customerId }),
    ...(resourceIds === undefined ? {} : { resourceIds }),
    ...(productIds === undefined ? {} : { productIds }),
    ...(statuses === undefined ? {} : { statuses, now: f.now }),
  };
}

/** Reads through prepared statements; useless once its transaction ends, so a leaked one cannot write outside it. */
export class SqliteReader implements StoreReader {
  readonly #statements: SqliteStatements;
  readonly #native: Pick<SqliteDatabase, 'inTransaction'>;
  protected readonly store: string;
  /** This store instance's id in the journal. */
  protected readonly origin: string;
  #finished = false;

  constructor(
    statements: SqliteStatements,
    native: Pick<SqliteDatabase, 'inTransaction'>,
    store: string,
    origin: string,
  ) {
    this.#statements = statements;
    this.#native = native;
    this.store = store;
    this.origin = origin;
  }

  /** Called when the transaction ends; every later call is rejected. */
  finish(): void {
    this.#finished = true;
  }

  /**
   * The statements, while the transaction is alive. SQLite aborts a transaction by itself on some
   * errors (SQLITE_FULL, I/O errors); a statement run after that would commit on its own, outside
   * the transaction, so from then on every call is rejected.
   */
  protected get q(): SqliteStatements {
    if (this.#finished || !this.#native.inTransaction) throw transactionEndedError(this.store);
    return this.#statements;
  }

  /** Seq 0 means "since the beginning": every customer still in the log, or null once it was pruned. */
  async changesSince(seq: number): Promise<ChangeSet> {
    return changesAfter(this.q, seq, this.origin);
  }

  async getCustomer(customerId: string): Promise<CustomerRecord | undefined> {
    const row = this.q.selectCustomer.get({ customerId });
    return row && rowToCustomer(row);
  }

  async getCustomerState(customerId: string, now: number): Promise<CustomerState | undefined> {
    const q = this.q;
    const row = q.selectCustomer.get({ customerId });
    if (row === undefined) return undefined;
    const customer = rowToCustomer(row);
    // Every record names the customer: one string instance, not one per row.
    const ownedBy = <T extends { customerId: string }>(r: T): T => ({ ...r, customerId: customer.id });
    const subscriptions = q.selectCustomerSubscriptions.all({ customerId }).map((r) => ownedBy(rowToSubscription(r)));
    const promotions = q.selectCustomerPromotions.all({ customerId }).map((r) => ownedBy(rowToPromotion(r)));
    return { customer, subscriptions, promotions, usage: customerUsage(q, customerId, now) };
  }

  async getSubscription(subscriptionId: string): Promise<SubscriptionRecord | undefined> {
    const row = this.q.selectSubscription.get({ subscriptionId });
    return row && rowToSubscription(row);
  }

  async listSubscriptions(query: SubscriptionPageQuery): Promise<SubscriptionRecord[]> {
    const invalid = subscriptionQueryError(this.store, query, true);
    if (invalid) throw invalid;
    const q = this.q;
    const filter = statementFilter(query);
    if (filter === undefined || query.limit === 0) return [];
    const { afterId, beforeId, limit } = query;
    return (await q.selectSubscriptionPage.all({ ...filter, afterId, beforeId, limit })).map(rowToSubscription);
  }

  async countSubscriptions(filter: SubscriptionFilter): Promise<number> {
    const invalid = subscriptionQueryError(this.store, filter, false);
    if (invalid) throw invalid;
    const q = this.q;
    const params = statementFilter(filter);
    return params === undefined ? 0 : ((await q.countSubscriptions.get(params))?.count ?? 0);
  }

  async getIdempotencyResult(scope: string, key: string): Promise<unknown> {
    const row = this.q.selectIdempotencyResult.get({ scope, key });
    return row && JSON.parse(row.result);
  }

  async listPackageVersions(): Promise<PackageVersionRecord[]> {
    return this.q.selectPackageVersions.all({}).map(rowToPackageVersion);
  }

  async getCreditPool(key: CreditPoolKey, known?: SpentCredits): Promise<CreditPool> {
    const q = this.q;
    const p = { customerId: key.customerId, currencyId: key.currencyId, resourceId: key.resourceId ?? '' };
    const totals = q.selectCreditTotals.get(p);
    const expiring = knownExpiries(totals, known) ?? q.selectCreditSpentExpiries.all(p).map(rowToSpentExpiry);
    return creditPoolOf(key, q.selectHeldCreditGrants.all(p), totals, expiring);
  }

  async listCreditPools(customerId: string): Promise<CreditPool[]> {
    const q = this.q;
    return creditPoolsOf(
      customerId,
      q.selectCustomerHeldCreditGrants.all({ customerId }),
      q.selectCustomerCreditTotals.all({ customerId }),
      q.selectCustomerCreditSpentExpiries.all({ customerId }),
    );
  }

  async listCreditConsumption(query: CreditConsumptionQuery): Promise<CreditLedgerEntry[]> {
    return this.q.selectCreditConsumption
      .all({ customerId: query.customerId, from: query.from, before: query.before })
      .filter((r) => inCreditQuery({ currencyId: r.currency_id, resourceId: r.resource_id || null }, query))
      .map((r) => JSON.parse(r.entry) as CreditLedgerEntry);
  }

  async listCreditEventFields(query: { customerId: string; currencyId?: string | undefined }): Promise<string[]> {
    const fields = new Set<string>();
    for (const r of this.q.selectCreditEventFields.all({ customerId: query.customerId }))
      if (query.currencyId === undefined || r.currency_id === query.currencyId) fields.add(r.field);
    return [...fields].sort();
  }

  async getGovernance(ownerId: string, now: number): Promise<GovernanceRecords> {
    const q = this.q;
    return {
      entities: q.selectGovernanceEntities.all({ ownerId }).map(rowToGovernanceEntity),
      budgets: q.selectGovernanceBudgets.all({ ownerId }).map(rowToGovernanceBudget),
      usage: q.selectGovernanceUsage.all({ ownerId, now }).map(rowToGovernanceUsage),
    };
  }

  async getCreditGrant(grantId: string): Promise<CreditGrantRecord | undefined> {
    const row = this.q.selectCreditGrant.get({ grantId });
    return row && rowToCreditGrant(row);
  }

  async getAutoRecharge(customerId: string, currencyId: string): Promise<AutoRechargeConfig | undefined> {
    const row = this.q.selectAutoRecharge.get({ customerId, currencyId });
    return row && (JSON.parse(row.auto_recharge) as AutoRechargeConfig);
  }

  async listCreditGrants(query: CreditGrantQuery): Promise<CreditGrantRecord[]> {
    return this.q.selectCustomerCreditGrants
      .all({ customerId: query.customerId })
      .map(rowToCreditGrant)
      .filter((g) => inCreditQuery(g, query));
  }

  listCreditLedger(query: CreditLedgerQuery): Promise<CreditLedgerRow[]> {
    return pageCreditLedger(query, (p) => this.q.selectCreditLedger.all(p));
  }

  async getUsage(key: UsageWindowKey): Promise<UsageAggregate | undefined> {
    return windowUsage(this.q, key);
  }

  async listUsageEntries(query: UsageEntryQuery): Promise<UsageEntry[]> {
    return counterEntries(this.q, query);
  }

  async summarizeUsage(query: UsageSummaryQuery): Promise<CellSummary[]> {
    return counterSummaries(this.q, query);
  }

  async listCustomers(query: CustomerPageQuery): Promise<CustomerRecord[]> {
    return this.q.selectCustomerPage.all({ afterId: query.afterId ?? '', limit: query.limit }).map(rowToCustomer);
  }

  async listEventKeys(query: EventKeyQuery): Promise<EventKey[]> {
    const { customerId, afterKey = '', limit } = query;
    return this.q.selectEventKeys.all({ customerId, afterKey, limit }).map(rowToEventKey);
  }

  async listUniqueMembers(query: UniqueMemberQuery): Promise<UniqueMember[]> {
    const { after } = query;
    const cursor = after ? { ...usageKeyToRow(after), member: after.member } : ALL_MEMBERS;
    return this.q.selectUniqueMembers
      .all({ ...cursor, customerId: query.customerId, limit: query.limit })
      .map(rowToUniqueMember);
  }

  async listIdempotencyResults(query: IdempotencyQuery): Promise<IdempotencyRecord[]> {
    const { scope = '', key = '' } = query.after ?? {};
    return this.q.selectIdempotencyPage.all({ scope, key, limit: query.limit }).map(rowToIdempotency);
  }

  async listAutoRecharge(customerId: string): Promise<AutoRechargeRecord[]> {
    return this.q.selectCustomerAutoRecharge.all({ customerId }).map(rowToAutoRecharge);
  }

  async listUsageLog(query: UsageLogQuery): Promise<UsageLogPage> {
    const rows = this.q.selectUsageLog.all({ afterSeq: Number(query.after ?? 0), limit: query.limit });
    const last = rows.at(-1);
    return {
      entries: rows.map((r) => rowToUsageEntry(r as UsageEntryRow)),
      next: last === undefined || rows.length < query.limit ? null : String(last.seq),
    };
  }
}

/** The cursor before every member: no key column is ever below ''. */
const ALL_MEMBERS = { resource_id: '', feature_id: '', window_key: '', member: '' };

/** Writes of one transaction; remembers the customers it touched for the journal. */
export class SqliteTransaction extends SqliteReader implements StoreTransaction {
  readonly touched = new Set<string>();
  /** How many usage entries it journaled, so the journal may need a fold before commit. */
  appended = 0;
  /** Whether it folded or pruned the journal itself, so where the journal stands must be read again. */
  rewroteJournal = false;

  async putCustomer(customer: CustomerRecord): Promise<void> {
    this.q.upsertCustomer.run(customerToRow(customer));
    this.touched.add(customer.id);
  }

  async putSubscription(subscription: SubscriptionRecord): Promise<void> {
    this.q.upsertSubscription.run(subscriptionToRow(subscription));
    this.touched.add(subscription.customerId);
  }

  async putPromotion(promotion: PromotionRecord): Promise<void> {
    this.q.upsertPromotion.run(promotionToRow(promotion));
    this.touched.add(promotion.customerId);
  }

  async deletePromotion(promotionId: string): Promise<void> {
    for (const row of this.q.deletePromotion.all({ promotionId })) this.touched.add(row.customer_id);
  }

  async appendUsage(entries: readonly UsageEntry[]): Promise<void> {
    const q = this.q;
    for (const e of entries) {
      // The row is fresh and takes the origin itself: a spread copy per entry cost a batch about 8%.
      const row = usageEntryToRow(e) as UsageEntryRow & { origin: string };
      row.origin = this.origin;
      q.insertJournalEntry.run(row);
    }
    this.appended += entries.length;
  }

  async addUniqueMember(key: UsageWindowKey, member: string): Promise<boolean> {
    return this.q.insertUniqueMember.run({ ...usageKeyToRow(key), member }) > 0;
  }

  async putUsageCounters(counters: readonly UsageRecord[]): Promise<void> {
    putCounters(this.q, counters);
    this.rewroteJournal = true;
    for (const c of counters) this.touched.add(c.customerId);
  }

  async appendUsageHistory(entries: readonly UsageEntry[]): Promise<void> {
    appendHistory(this.q, this.origin, entries);
    this.rewroteJournal = true;
  }

  async putEvents(events: readonly EventKey[]): Promise<boolean[]> {
    const q = this.q;
    // A prepared insert per row: in-process, a statement per row costs no round trip.
    return events.map((event) => q.insertEvent.run(eventToRow(event)) > 0);
  }

  async pruneUsageHistory(before: number): Promise<number> {
    const q = this.q;
    this.rewroteJournal = true;
    return pruneHistory(q, before) + q.deleteEventsBefore.run({ before });
  }

  async putCreditGrants(grants: readonly CreditGrantRecord[]): Promise<void> {
    const q = this.q;
    for (const g of grants) {
      q.upsertCreditGrant.run(creditGrantToRow(g));
      this.touched.add(g.customerId);
    }
  }

  async putCreditTotals(key: CreditPoolKey, totals: CreditTotals): Promise<void> {
    this.q.upsertCreditTotals.run(creditTotalsToRow(key, totals));
    this.touched.add(key.customerId);
  }

  async putCreditExpiries(key: CreditPoolKey, expiries: readonly SpentExpiry[]): Promise<void> {
    const q = this.q;
    const pool = creditPoolToRow(key);
    for (const { at, amount } of expiries)
      if (amount === '0') q.deleteCreditSpentExpiry.run({ ...pool, expire_at: at });
      else q.upsertCreditSpentExpiry.run({ ...pool, expire_at: at, amount });
    this.touched.add(key.customerId);
  }

  async putAutoRecharge(customerId: string, currencyId: string, config: AutoRechargeConfig): Promise<void> {
    this.q.upsertAutoRecharge.run({
      customer_id: customerId,
      currency_id: currencyId,
      auto_recharge: JSON.stringify(config),
    });
    this.touched.add(customerId);
  }

  async appendCreditLedger(entries: readonly CreditLedgerEntry[]): Promise<void> {
    const q = this.q;
    for (const e of entries) {
      q.insertCreditLedgerEntry.run(creditLedgerToRow(e));
      if (e.dimensions !== undefined && (e.eventType === 'CREDITS_CONSUMED' || e.eventType === 'DEBT_CREATED'))
        for (const field of Object.keys(e.dimensions))
          q.insertCreditEventField.run({ customer_id: e.customerId, currency_id: e.currencyId, field });
    }
  }

  async putGovernanceEntities(entities: readonly GovernanceEntityRecord[]): Promise<void> {
    const q = this.q;
    for (const e of entities) {
      q.upsertGovernanceEntity.run(governanceEntityToRow(e));
      this.touched.add(e.ownerId);
    }
  }

  async deleteGovernanceEntity(ownerId: string, entityId: string): Promise<void> {
    const q = this.q;
    q.deleteGovernanceUsage.run({ ownerId, entityId });
    q.deleteGovernanceBudgets.run({ ownerId, entityId });
    q.deleteGovernanceEntity.run({ ownerId, entityId });
    this.touched.add(ownerId);
  }

  async putGovernanceBudgets(budgets: readonly GovernanceBudgetRecord[]): Promise<void> {
    const q = this.q;
    for (const b of budgets) {
      q.upsertGovernanceBudget.run(governanceBudgetToRow(b));
      this.touched.add(b.ownerId);
    }
  }

  async deleteGovernanceBudget(ownerId: string, entityId: string, capabilityId: string): Promise<void> {
    const q = this.q;
    q.deleteGovernanceCapabilityUsage.run({ ownerId, entityId, capabilityId });
    q.deleteGovernanceCapabilityBudget.run({ ownerId, entityId, capabilityId });
    this.touched.add(ownerId);
  }

  async putGovernanceUsage(usage: readonly GovernanceUsageRecord[]): Promise<void> {
    const q = this.q;
    for (const u of usage) {
      q.upsertGovernanceUsage.run(governanceUsageToRow(u));
      this.touched.add(u.ownerId);
    }
  }

  async putIdempotencyResult(scope: string, key: string, result: unknown, createdAt: number): Promise<void> {
    this.q.insertIdempotencyResult.run({ scope, key, result: idempotencyResultToText(result), created_at: createdAt });
  }

  async putPackageVersion(version: PackageVersionRecord): Promise<void> {
    this.q.upsertPackageVersion.run(packageVersionToRow(version));
  }
}
