// Reads of the PostgreSQL store: the shared kysely builders compiled for PostgreSQL and run on
// the transaction's connection, mapped back to records by the shared row mappers.
import { type AliasedExpression, type Compilable, type Kysely, sql } from 'kysely';
import type { UsageAggregate } from '../../core/usage-aggregate.js';
import type { CellSummary } from '../../core/usage-summary.js';
import type { AutoRechargeConfig } from '../../credits/auto-recharge-schema.js';
import type { CreditPool, CreditPoolKey } from '../../credits/credit-pool-state.js';
import type { CreditGrantRecord, CreditLedgerEntry } from '../../credits/credit-records.js';
import type { SpentCredits } from '../../credits/spent-credits.js';
import type { GovernanceRecords } from '../../governance/governance-records.js';
import type { CustomerRecord, CustomerState, PackageVersionRecord, SubscriptionRecord } from '../../model/records.js';
import {
  creditPoolOf,
  creditPoolsOf,
  knownExpiries,
  pageCreditLedger,
  rowToAutoRecharge,
  rowToCreditGrant,
  rowToSpentExpiry,
  selectAutoRecharge,
  selectCreditConsumption,
  selectCreditEventFields,
  selectCreditGrant,
  selectCreditLedger,
  selectCreditSpentExpiries,
  selectCreditTotals,
  selectCustomerAutoRecharge,
  selectCustomerCreditGrants,
  selectCustomerCreditSpentExpiries,
  selectCustomerCreditTotals,
  selectCustomerHeldCreditGrants,
  selectHeldCreditGrants,
} from '../sql/credit-queries.js';
import { rowToCustomer, selectCustomer, selectCustomerPage } from '../sql/customer-queries.js';
import {
  rowToGovernanceBudget,
  rowToGovernanceEntity,
  rowToGovernanceUsage,
  selectGovernanceBudgets,
  selectGovernanceEntities,
  selectGovernanceUsage,
} from '../sql/governance-queries.js';
import { rowToIdempotency, selectIdempotencyPage, selectIdempotencyResult } from '../sql/idempotency-queries.js';
import { rowToPackageVersion, selectPackageVersions } from '../sql/package-version-queries.js';
import { rowToPromotion, selectCustomerPromotions } from '../sql/promotion-queries.js';
import { type CellRow, cellSummaries, rollupCellParams, rollupPlan } from '../sql/rollup-plan.js';
import { selectJournalCells, selectRollupCells } from '../sql/rollup-queries.js';
import type { CustomersTable, Database, UsageEntryRow } from '../sql/schema.js';
import { countSubscriptions, selectSubscriptionPage } from '../sql/subscription-filter-queries.js';
import { rowToSubscription, selectCustomerSubscriptions, selectSubscription } from '../sql/subscription-queries.js';
import {
  historyParams,
  rowToEventKey,
  rowToUniqueMember,
  rowToUsage,
  rowToUsageEntry,
  selectCustomerUsage,
  selectEventKeys,
  selectUniqueMembers,
  selectUsageCounter,
  selectUsageHistory,
  selectUsageLog,
  usageKeyToRow,
} from '../sql/usage-queries.js';
import {
  type AutoRechargeRecord,
  type ChangeSet,
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
  type UsageLogPage,
  type UsageLogQuery,
  type UsageSummaryQuery,
  type UsageWindowKey,
} from '../store.js';
import { subscriptionQueryError, transactionEndedError } from '../store-errors.js';
import type { PgStatements } from './postgres-driver.js';
import { type FeedQueries, type PrefetchedChanges, readChanges } from './postgres-feed.js';
import type { UsageStatements } from './postgres-usage.js';

/** What a reader or transaction works with: one connection, and the store it belongs to. */
export interface PostgresScope<C extends PgStatements = PgStatements> {
  /** Runs its statements: the connection, or for a write the view of it that holds usage back. */
  readonly connection: C;
  /** Compiles the shared builders for PostgreSQL, every table in the store's schema. */
  readonly db: Kysely<Database>;
  readonly feed: FeedQueries;
  readonly store: string;
  /** This store instance's id in the change feed. */
  readonly origin: string;
  readonly statements: UsageStatements;
  /** Told the cursor of every change set handed out, so the next write can prefetch from it. */
  readonly sawChanges: (seq: number) => void;
  /** The feed as a write's begin read it, if it did. */
  readonly prefetched?: PrefetchedChanges | undefined;
}

/** A builder function's query, compiled: its name names the operation in errors. */
export type Builder<P, R> = (db: Kysely<Database>, params: P) => Compilable<R>;

/** Reads on one connection; useless once its transaction ends, so a leaked one cannot act outside it. */
export class PostgresReader<C extends PgStatements = PgStatements> implements StoreReader {
  readonly #scope: PostgresScope<C>;
  #finished = false;

  constructor(scope: PostgresScope<C>) {
    this.#scope = scope;
  }

  /** Called when the transaction ends; every later call is rejected. */
  finish(): void {
    this.#finished = true;
  }

  /** The scope, while the transaction is alive. */
  protected get scope(): PostgresScope<C> {
    if (this.#finished) throw transactionEndedError(this.#scope.store);
    return this.#scope;
  }

  /** Runs a shared builder with `params`; the rows it selects (or returns). */
  protected rows<P, R>(build: Builder<P, R>, params: P): Promise<R[]> {
    const { connection, db } = this.scope;
    return connection.run(build.name, build(db, params).compile());
  }

  protected async first<P, R>(build: Builder<P, R>, params: P): Promise<R | undefined> {
    return (await this.rows(build, params))[0];
  }

  async changesSince(seq: number): Promise<ChangeSet> {
    const { connection, feed, origin, prefetched, sawChanges } = this.scope;
    const changes = prefetched?.since(seq) ?? (await readChanges(connection, feed, seq, origin));
    sawChanges(changes.seq);
    return changes;
  }

  async getCustomer(customerId: string): Promise<CustomerRecord | undefined> {
    const row = await this.first(selectCustomer, { customerId });
    return row && rowToCustomer(row);
  }

  /** One round trip: the shared builders' rows, each list as a JSON array (see `jsonRows`). */
  async getCustomerState(customerId: string, now: number): Promise<CustomerState | undefined> {
    const { connection, db } = this.scope;
    const query = db.selectNoFrom([
      sql<CustomersTable | null>`(select row_to_json(x) from ${selectCustomer(db, { customerId }).as('x')})`.as(
        'customer',
      ),
      jsonRows(selectCustomerSubscriptions(db, { customerId }), 'x.id').as('subscriptions'),
      jsonRows(selectCustomerPromotions(db, { customerId }), 'x.id').as('promotions'),
      jsonRows(selectCustomerUsage(db, { customerId, now }), 'x.resource_id, x.feature_id, x.window_key').as('usage'),
    ]);
    const [row] = await connection.run('getCustomerState', query.compile());
    if (row?.customer == null) return undefined;
    const customer = rowToCustomer(row.customer);
    // Every record names the customer: one string instance, not one per row.
    const ownedBy = <T extends { customerId: string }>(r: T): T => ({ ...r, customerId: customer.id });
    return {
      customer,
      subscriptions: row.subscriptions.map((r) => ownedBy(rowToSubscription(r))),
      promotions: row.promotions.map((r) => ownedBy(rowToPromotion(r))),
      usage: row.usage.map((r) => ownedBy(rowToUsage(r))),
    };
  }

  async getSubscription(subscriptionId: string): Promise<SubscriptionRecord | undefined> {
    const row = await this.first(selectSubscription, { subscriptionId });
    return row && rowToSubscription(row);
  }

  async listSubscriptions(query: SubscriptionPageQuery): Promise<SubscriptionRecord[]> {
    const invalid = subscriptionQueryError(this.scope.store, query, true);
    if (invalid) throw invalid;
    if (query.limit === 0) return [];
    return (await this.rows(selectSubscriptionPage, deduplicated(query))).map(rowToSubscription);
  }

  async countSubscriptions(filter: SubscriptionFilter): Promise<number> {
    const invalid = subscriptionQueryError(this.scope.store, filter, false);
    if (invalid) throw invalid;
    return (await this.first(countSubscriptions, deduplicated(filter)))?.count ?? 0;
  }

  async getIdempotencyResult(scope: string, key: string): Promise<unknown> {
    const row = await this.first(selectIdempotencyResult, { scope, key });
    return row && JSON.parse(row.result);
  }

  async listPackageVersions(): Promise<PackageVersionRecord[]> {
    return (await this.rows(selectPackageVersions, undefined)).map(rowToPackageVersion);
  }

  async getUsage(key: UsageWindowKey): Promise<UsageAggregate | undefined> {
    const row = await this.first(selectUsageCounter, usageKeyToRow(key));
    return row && { value: row.value, count: row.count };
  }

  async listUsageEntries(query: UsageEntryQuery): Promise<UsageEntry[]> {
    const rows = await this.rows(selectUsageHistory, historyParams(query, query.ranges));
    return rows.map((r) => rowToUsageEntry(r as UsageEntryRow));
  }

  /** One round trip: the cells of the rollups and of the entries read one by one, each list as a JSON array. */
  async summarizeUsage(query: UsageSummaryQuery): Promise<CellSummary[]> {
    const { connection, db } = this.scope;
    const plan = rollupPlan(query);
    const grid = { origin: query.origin, width: query.width };
    const none = sql<CellRow[]>`'[]'::json`;
    const [row] = await connection.run(
      'summarizeUsage',
      db
        .selectNoFrom([
          (plan.pieces.length === 0 ? none : jsonRows(selectRollupCells(db, rollupCellParams(query, plan)))).as(
            'rollups',
          ),
          (plan.raw.length === 0
            ? none
            : jsonRows(selectJournalCells(db, { ...historyParams(query, plan.raw), ...grid }))
          ).as('entries'),
        ])
        .compile(),
    );
    return cellSummaries(query, [...(row?.rollups ?? []), ...(row?.entries ?? [])]);
  }

  /** One round trip, and a second for the spent expiries when `known` ones are not current. */
  async getCreditPool(key: CreditPoolKey, known?: SpentCredits): Promise<CreditPool> {
    const { connection, db } = this.scope;
    const p = { customerId: key.customerId, currencyId: key.currencyId, resourceId: key.resourceId ?? '' };
    const query = db.selectNoFrom([
      jsonRows(selectHeldCreditGrants(db, p), 'x.id').as('grants'),
      jsonRows(selectCreditTotals(db, p)).as('totals'),
    ]);
    const [row] = await connection.run('getCreditPool', query.compile());
    const totals = row?.totals[0];
    const expiring =
      knownExpiries(totals, known) ?? (await this.rows(selectCreditSpentExpiries, p)).map(rowToSpentExpiry);
    return creditPoolOf(key, row?.grants ?? [], totals, expiring);
  }

  async listCreditPools(customerId: string): Promise<CreditPool[]> {
    const { connection, db } = this.scope;
    const query = db.selectNoFrom([
      jsonRows(selectCustomerHeldCreditGrants(db, { customerId }), 'x.currency_id, x.resource_id, x.id').as('grants'),
      jsonRows(selectCustomerCreditTotals(db, { customerId })).as('totals'),
      jsonRows(selectCustomerCreditSpentExpiries(db, { customerId }), 'x.expire_at').as('expiries'),
    ]);
    const [row] = await connection.run('listCreditPools', query.compile());
    return creditPoolsOf(customerId, row?.grants ?? [], row?.totals ?? [], row?.expiries ?? []);
  }

  async listCreditConsumption(query: CreditConsumptionQuery): Promise<CreditLedgerEntry[]> {
    const { customerId, from, before } = query;
    return (await this.rows(selectCreditConsumption, { customerId, from, before }))
      .filter((r) => inCreditQuery({ currencyId: r.currency_id, resourceId: r.resource_id || null }, query))
      .map((r) => JSON.parse(r.entry) as CreditLedgerEntry);
  }

  async listCreditEventFields(query: { customerId: string; currencyId?: string | undefined }): Promise<string[]> {
    const fields = new Set<string>();
    for (const r of await this.rows(selectCreditEventFields, { customerId: query.customerId }))
      if (query.currencyId === undefined || r.currency_id === query.currencyId) fields.add(r.field);
    return [...fields].sort();
  }

  async getGovernance(ownerId: string, now: number): Promise<GovernanceRecords> {
    return {
      entities: (await this.rows(selectGovernanceEntities, { ownerId })).map(rowToGovernanceEntity),
      budgets: (await this.rows(selectGovernanceBudgets, { ownerId })).map(rowToGovernanceBudget),
      usage: (await this.rows(selectGovernanceUsage, { ownerId, now })).map(rowToGovernanceUsage),
    };
  }

  async getCreditGrant(grantId: string): Promise<CreditGrantRecord | undefined> {
    const row = await this.first(selectCreditGrant, { grantId });
    return row && rowToCreditGrant(row);
  }

  async getAutoRecharge(customerId: string, currencyId: string): Promise<AutoRechargeConfig | undefined> {
    const row = await this.first(selectAutoRecharge, { customerId, currencyId });
    return row && (JSON.parse(row.auto_recharge) as AutoRechargeConfig);
  }

  async listCreditGrants(query: CreditGrantQuery): Promise<CreditGrantRecord[]> {
    return (await this.rows(selectCustomerCreditGrants, { customerId: query.customerId }))
      .map(rowToCreditGrant)
      .filter((g) => inCreditQuery(g, query));
  }

  listCreditLedger(query: CreditLedgerQuery): Promise<CreditLedgerRow[]> {
    return pageCreditLedger(query, (p) => this.rows(selectCreditLedger, p));
  }

  async listCustomers(query: CustomerPageQuery): Promise<CustomerRecord[]> {
    return (await this.rows(selectCustomerPage, { afterId: query.afterId ?? '', limit: query.limit })).map(
      rowToCustomer,
    );
  }

  async listEventKeys(query: EventKeyQuery): Promise<EventKey[]> {
    const { customerId, afterKey = '', limit } = query;
    return (await this.rows(selectEventKeys, { customerId, afterKey, limit })).map(rowToEventKey);
  }

  async listUniqueMembers(query: UniqueMemberQuery): Promise<UniqueMember[]> {
    const { after } = query;
    const cursor = after
      ? { ...usageKeyToRow(after), member: after.member }
      : { resource_id: '', feature_id: '', window_key: '', member: '' };
    return (await this.rows(selectUniqueMembers, { ...cursor, customerId: query.customerId, limit: query.limit })).map(
      rowToUniqueMember,
    );
  }

  async listIdempotencyResults(query: IdempotencyQuery): Promise<IdempotencyRecord[]> {
    const { scope = '', key = '' } = query.after ?? {};
    return (await this.rows(selectIdempotencyPage, { scope, key, limit: query.limit })).map(rowToIdempotency);
  }

  async listAutoRecharge(customerId: string): Promise<AutoRechargeRecord[]> {
    return (await this.rows(selectCustomerAutoRecharge, { customerId })).map(rowToAutoRecharge);
  }

  async listUsageLog(query: UsageLogQuery): Promise<UsageLogPage> {
    const rows = await this.rows(selectUsageLog, { afterSeq: Number(query.after ?? 0), limit: query.limit });
    const last = rows.at(-1);
    return {
      entries: rows.map((r) => rowToUsageEntry(r as UsageEntryRow)),
      next: last === undefined || rows.length < query.limit ? null : String(last.seq),
    };
  }
}

/**
 * A builder's rows as one JSON array, `order` (over the alias `x`) keeping the builder's order, so
 * several lists come back in one statement. JSON keeps every value the mappers read exact: text
 * as is, bigint instants as numbers (far below 2^53), doubles in PostgreSQL's shortest exact form.
 */
function jsonRows<R>(query: { as(alias: 'x'): AliasedExpression<R, 'x'> }, order?: string) {
  const by = order === undefined ? sql`` : sql` order by ${sql.raw(order)}`;
  return sql<R[]>`(select coalesce(json_agg(x${by}), '[]') from ${query.as('x')})`;
}

/** The filter with its lists deduplicated: fewer parameters, the same matches. */
function deduplicated<F extends SubscriptionFilter>(f: F): F {
  const unique = <T>(list: readonly T[] | undefined) => list && [...new Set(list)];
  return {
    ...f,
    ...(f.resourceIds && { resourceIds: unique(f.resourceIds) }),
    ...(f.productIds && { productIds: unique(f.productIds) }),
    ...(f.statuses && { statuses: unique(f.statuses) }),
  };
}
