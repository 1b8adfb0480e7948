import { applyUsageOp, EMPTY_AGGREGATE } from '../../core/usage-aggregate.js';
import type { AutoRechargeConfig } from '../../credits/auto-recharge-schema.js';
import { type CreditPoolKey, isHeldGrant } from '../../credits/credit-pool-state.js';
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
import type { CreditTotals, EventKey, StoreTransaction, UsageEntry, UsageWindowKey } from '../store.js';
import { MemoryReader } from './memory-reader.js';
import {
  budgetKey,
  entityKey,
  expiryKey,
  governanceUsageKey,
  idempotencyKey,
  memberKey,
  usageKey,
} from './memory-schema.js';
import type { MemoryTable } from './memory-table.js';

/** Writes straight into the tables, serialised by the store's mutex, and logs how to undo each one. */
export class MemoryTransaction extends MemoryReader implements StoreTransaction {
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
