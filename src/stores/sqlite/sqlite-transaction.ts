import type {
  CustomerRecord,
  CustomerState,
  PackageVersionRecord,
  PromotionRecord,
  SubscriptionRecord,
} from '../../core/records.js';
import {
  customerToRow,
  idempotencyResultToText,
  packageVersionToRow,
  promotionToRow,
  rowToCustomer,
  rowToPackageVersion,
  rowToPromotion,
  rowToSubscription,
  rowToUsage,
  subscriptionToRow,
  usageWriteToRow,
} from '../sql/queries.js';
import type { ChangeSet, StoreReader, StoreTransaction, SubscriptionPageQuery, UsageWrite } from '../store.js';
import { storeError, transactionEndedError } from '../store-errors.js';
import type { SqliteDatabase, SqliteStatements } from './sqlite-statements.js';

/** Reads through prepared statements; useless once its transaction ends, so a leaked one cannot write outside it. */
export class SqliteReader implements StoreReader {
  readonly #statements: SqliteStatements;
  readonly #native: Pick<SqliteDatabase, 'inTransaction'>;
  protected readonly store: string;
  #finished = false;

  constructor(statements: SqliteStatements, native: Pick<SqliteDatabase, 'inTransaction'>, store: string) {
    this.#statements = statements;
    this.#native = native;
    this.store = store;
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
    return changesAfter(this.q, seq);
  }

  async getCustomer(customerId: string): Promise<CustomerRecord | undefined> {
    const row = this.q.selectCustomer.get({ customerId });
    return row && rowToCustomer(row);
  }

  async getCustomerState(customerId: string): Promise<CustomerState | undefined> {
    const q = this.q;
    const row = q.selectCustomer.get({ customerId });
    if (row === undefined) return undefined;
    return {
      customer: rowToCustomer(row),
      subscriptions: q.selectCustomerSubscriptions.all({ customerId }).map(rowToSubscription),
      promotions: q.selectCustomerPromotions.all({ customerId }).map(rowToPromotion),
      usage: q.selectCustomerUsage.all({ customerId }).map(rowToUsage),
    };
  }

  async getSubscription(subscriptionId: string): Promise<SubscriptionRecord | undefined> {
    const row = this.q.selectSubscription.get({ subscriptionId });
    return row && rowToSubscription(row);
  }

  async listSubscriptions(query: SubscriptionPageQuery): Promise<SubscriptionRecord[]> {
    const pages = this.q.selectSubscriptionPage;
    const { customerId, afterId } = query;
    const page =
      customerId === undefined
        ? afterId === undefined
          ? pages.unfiltered
          : pages.after
        : afterId === undefined
          ? pages.ofCustomer
          : pages.ofCustomerAfter;
    return page.all(query).map(rowToSubscription);
  }

  async getIdempotencyResult(scope: string, key: string): Promise<unknown> {
    const row = this.q.selectIdempotencyResult.get({ scope, key });
    return row && JSON.parse(row.result);
  }

  async listPackageVersions(): Promise<PackageVersionRecord[]> {
    return this.q.selectPackageVersions.all({}).map(rowToPackageVersion);
  }
}

/** Writes of one transaction; remembers the customers it touched for change_log. */
export class SqliteTransaction extends SqliteReader implements StoreTransaction {
  readonly touched = new Set<string>();

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

  async addUsage(write: UsageWrite & { readonly delta: number }): Promise<number> {
    const row = this.q.addUsage.get({ ...usageWriteToRow(write), delta: write.delta });
    this.touched.add(write.customerId);
    return this.#returned(row, 'addUsage');
  }

  async setUsage(write: UsageWrite & { readonly value: number }): Promise<number> {
    const row = this.q.setUsage.get({ ...usageWriteToRow(write), value: write.value });
    this.touched.add(write.customerId);
    return this.#returned(row, 'setUsage');
  }

  async putIdempotencyResult(scope: string, key: string, result: unknown, createdAt: number): Promise<void> {
    this.q.insertIdempotencyResult.run({ scope, key, result: idempotencyResultToText(result), created_at: createdAt });
  }

  async putPackageVersion(version: PackageVersionRecord): Promise<void> {
    this.q.upsertPackageVersion.run(packageVersionToRow(version));
  }

  #returned(row: { value: number } | undefined, operation: string): number {
    if (row === undefined) throw storeError(this.store, operation, 'the upsert returned no row');
    return row.value;
  }
}

function changesAfter(statements: SqliteStatements, seq: number): ChangeSet {
  const bounds = statements.selectChangeBounds.get({});
  const first = bounds?.first ?? null;
  const last = bounds?.last ?? 0;
  // Behind the oldest kept change (pruned), or ahead of the newest (another file): changes unknown.
  if (seq > last || (first !== null && seq < first - 1)) return { seq: last, customerIds: null };
  if (seq === last) return { seq, customerIds: [] };
  return { seq: last, customerIds: statements.selectChangedCustomers.all({ afterSeq: seq }).map((r) => r.customer_id) };
}
