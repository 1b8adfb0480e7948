// Writes of the PostgreSQL store: the shared kysely builders (upserts are `ON CONFLICT`, portable
// to PostgreSQL as they are), batched into multi-row statements where a write takes a list.
import type { AutoRechargeConfig } from '../../credits/auto-recharge-schema.js';
import type { CreditPoolKey } from '../../credits/credit-pool-state.js';
import type { CreditGrantRecord, CreditLedgerEntry } from '../../credits/credit-records.js';
import type { SpentExpiry } from '../../credits/spent-credits.js';
import type {
  GovernanceBudgetRecord,
  GovernanceEntityRecord,
  GovernanceUsageRecord,
} from '../../governance/governance-records.js';
import type {
  CustomerRecord,
  PackageVersionRecord,
  PromotionRecord,
  SubscriptionRecord,
  UsageRecord,
} from '../../model/records.js';
import {
  creditGrantToRow,
  creditLedgerToRow,
  creditPoolToRow,
  creditTotalsToRow,
  deleteCreditSpentExpiry,
  upsertAutoRecharge,
  upsertCreditGrant,
  upsertCreditSpentExpiry,
  upsertCreditTotals,
} from '../sql/credit-queries.js';
import { customerToRow, upsertCustomer } from '../sql/customer-queries.js';
import {
  deleteGovernanceBudgets,
  deleteGovernanceEntity,
  deleteGovernanceUsage,
  governanceBudgetToRow,
  governanceEntityToRow,
  governanceUsageToRow,
  upsertGovernanceBudget,
  upsertGovernanceEntity,
  upsertGovernanceUsage,
} from '../sql/governance-queries.js';
import { idempotencyResultToText, insertIdempotencyResult } from '../sql/idempotency-queries.js';
import { packageVersionToRow, upsertPackageVersion } from '../sql/package-version-queries.js';
import { deletePromotion, promotionToRow, upsertPromotion } from '../sql/promotion-queries.js';
import { rebuildBefore } from '../sql/rollup-plan.js';
import { deleteRollupsBefore, rebuildRollups } from '../sql/rollup-queries.js';
import type { EventsTable } from '../sql/schema.js';
import { subscriptionToRow, upsertSubscription } from '../sql/subscription-queries.js';
import {
  deleteEventsBefore,
  deleteUsageHistoryBefore,
  eventToRow,
  insertUniqueMember,
  usageKeyToRow,
} from '../sql/usage-queries.js';
import type { CreditTotals, EventKey, StoreTransaction, UsageEntry, UsageWindowKey } from '../store.js';
import { MAINTENANCE_MS } from './postgres-driver.js';
import type { HeldUsage } from './postgres-held-usage.js';
import { type Builder, PostgresReader } from './postgres-reader.js';
import { arrayLiteral } from './postgres-sql.js';
import { appendHistory, putCounters } from './postgres-usage.js';

/** The ledger entries whose dimension keys getCreditEventsFields lists. */
const CONSUMPTION: ReadonlySet<string> = new Set(['CREDITS_CONSUMED', 'DEBT_CREATED']);

/**
 * Writes of one call of a write batch, on the batch's connection; remembers the customers it
 * touched for the change feed. Its usage is held back to be written with the batch's (see `HeldUsage`).
 */
export class PostgresTransaction extends PostgresReader<HeldUsage> implements StoreTransaction {
  readonly touched = new Set<string>();

  /** Runs a shared builder; how many rows it inserted, updated or deleted. */
  async #changed<P, R>(build: Builder<P, R>, params: P, timeoutMs?: number): Promise<number> {
    const { connection, db } = this.scope;
    const compiled = build(db, params).compile();
    return (await connection.query(build.name, compiled.sql, compiled.parameters, timeoutMs)).rowCount ?? 0;
  }

  async putCustomer(customer: CustomerRecord): Promise<void> {
    await this.#changed(upsertCustomer, customerToRow(customer));
    this.touched.add(customer.id);
  }

  async putSubscription(subscription: SubscriptionRecord): Promise<void> {
    await this.#changed(upsertSubscription, subscriptionToRow(subscription));
    this.touched.add(subscription.customerId);
  }

  async putPromotion(promotion: PromotionRecord): Promise<void> {
    await this.#changed(upsertPromotion, promotionToRow(promotion));
    this.touched.add(promotion.customerId);
  }

  async deletePromotion(promotionId: string): Promise<void> {
    for (const row of await this.rows(deletePromotion, { promotionId })) this.touched.add(row.customer_id);
  }

  /** Resolves at once: the entries are written before the transaction's next statement, or its commit. */
  async appendUsage(entries: readonly UsageEntry[]): Promise<void> {
    const { connection } = this.scope;
    if (entries.length === 0) return;
    connection.hold(entries);
    for (const e of entries) this.touched.add(e.customerId);
  }

  async putUsageCounters(counters: readonly UsageRecord[]): Promise<void> {
    const { connection, db } = this.scope;
    await putCounters(connection, db, counters);
    for (const c of counters) this.touched.add(c.customerId);
  }

  async appendUsageHistory(entries: readonly UsageEntry[]): Promise<void> {
    const { connection, db, statements, origin } = this.scope;
    if (entries.length === 0) return;
    await appendHistory(connection, db, statements, origin, entries);
  }

  async addUniqueMember(key: UsageWindowKey, member: string): Promise<boolean> {
    return (await this.#changed(insertUniqueMember, { ...usageKeyToRow(key), member })) > 0;
  }

  /** One prepared statement for the whole list: a round trip per event would dominate a batch. */
  async putEvents(events: readonly EventKey[]): Promise<boolean[]> {
    if (events.length === 0) return [];
    const { connection, statements } = this.scope;
    const rows = events.map(eventToRow);
    const keys = [rows.map((r) => r.customer_id), rows.map((r) => r.idempotency_key), rows.map((r) => r.at)];
    const { rows: stored } = await connection.prepared('putEvents', statements.events, keys.map(arrayLiteral));
    // PostgreSQL's text holds no NUL, so NUL separates a key's two parts.
    const key = (r: EventsTable) => `${r.customer_id}\u0000${r.idempotency_key}`;
    const inserted = new Set((stored as EventsTable[]).map(key));
    // The first of repeated keys is the one inserted; a key returned was new.
    return rows.map((r) => inserted.delete(key(r)));
  }

  async pruneUsageHistory(before: number): Promise<number> {
    // Every logged entry is folded; the journal is not the change feed here, so nothing else to keep.
    const all = { before, lastSeq: Number.MAX_SAFE_INTEGER };
    const entries = await this.#changed(deleteUsageHistoryBefore, all, MAINTENANCE_MS);
    if (entries > 0) {
      await this.#changed(deleteRollupsBefore, { before }, MAINTENANCE_MS);
      await this.#changed(rebuildRollups, rebuildBefore(before), MAINTENANCE_MS);
    }
    return entries + (await this.#changed(deleteEventsBefore, { before }, MAINTENANCE_MS));
  }

  async putCreditGrants(grants: readonly CreditGrantRecord[]): Promise<void> {
    for (const g of grants) {
      await this.#changed(upsertCreditGrant, creditGrantToRow(g));
      this.touched.add(g.customerId);
    }
  }

  async putCreditTotals(key: CreditPoolKey, totals: CreditTotals): Promise<void> {
    await this.#changed(upsertCreditTotals, creditTotalsToRow(key, totals));
    this.touched.add(key.customerId);
  }

  async putCreditExpiries(key: CreditPoolKey, expiries: readonly SpentExpiry[]): Promise<void> {
    const pool = creditPoolToRow(key);
    for (const { at, amount } of expiries)
      if (amount === '0') await this.#changed(deleteCreditSpentExpiry, { ...pool, expire_at: at });
      else await this.#changed(upsertCreditSpentExpiry, { ...pool, expire_at: at, amount });
    this.touched.add(key.customerId);
  }

  async putAutoRecharge(customerId: string, currencyId: string, config: AutoRechargeConfig): Promise<void> {
    await this.#changed(upsertAutoRecharge, {
      customer_id: customerId,
      currency_id: currencyId,
      auto_recharge: JSON.stringify(config),
    });
    this.touched.add(customerId);
  }

  async appendCreditLedger(entries: readonly CreditLedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const { connection, db } = this.scope;
    // One statement, rows in order: PostgreSQL draws their seqs in the order of the VALUES list.
    const insert = db.insertInto('credit_ledger').values(entries.map(creditLedgerToRow));
    await connection.run('appendCreditLedger', insert.compile());
    const fields = entries.flatMap((e) =>
      e.dimensions !== undefined && CONSUMPTION.has(e.eventType)
        ? Object.keys(e.dimensions).map((field) => ({ customer_id: e.customerId, currency_id: e.currencyId, field }))
        : [],
    );
    // DO NOTHING also skips a key repeated within the statement.
    if (fields.length > 0)
      await connection.run(
        'appendCreditLedger',
        db
          .insertInto('credit_event_fields')
          .values(fields)
          .onConflict((oc) => oc.doNothing())
          .compile(),
      );
  }

  async putGovernanceEntities(entities: readonly GovernanceEntityRecord[]): Promise<void> {
    for (const e of entities) {
      await this.#changed(upsertGovernanceEntity, governanceEntityToRow(e));
      this.touched.add(e.ownerId);
    }
  }

  async deleteGovernanceEntity(ownerId: string, entityId: string): Promise<void> {
    await this.#changed(deleteGovernanceUsage, { ownerId, entityId });
    await this.#changed(deleteGovernanceBudgets, { ownerId, entityId });
    await this.#changed(deleteGovernanceEntity, { ownerId, entityId });
    this.touched.add(ownerId);
  }

  async putGovernanceBudgets(budgets: readonly GovernanceBudgetRecord[]): Promise<void> {
    for (const b of budgets) {
      await this.#changed(upsertGovernanceBudget, governanceBudgetToRow(b));
      this.touched.add(b.ownerId);
    }
  }

  async deleteGovernanceBudget(ownerId: string, entityId: string, capabilityId: string): Promise<void> {
    await this.#changed(deleteGovernanceUsage, { ownerId, entityId, capabilityId });
    await this.#changed(deleteGovernanceBudgets, { ownerId, entityId, capabilityId });
    this.touched.add(ownerId);
  }

  async putGovernanceUsage(usage: readonly GovernanceUsageRecord[]): Promise<void> {
    for (const u of usage) {
      await this.#changed(upsertGovernanceUsage, governanceUsageToRow(u));
      this.touched.add(u.ownerId);
    }
  }

  async putIdempotencyResult(scope: string, key: string, result: unknown, createdAt: number): Promise<void> {
    await this.#changed(insertIdempotencyResult, {
      scope,
      key,
      result: idempotencyResultToText(result),
      created_at: createdAt,
    });
  }

  async putPackageVersion(version: PackageVersionRecord): Promise<void> {
    await this.#changed(upsertPackageVersion, packageVersionToRow(version));
  }
}
