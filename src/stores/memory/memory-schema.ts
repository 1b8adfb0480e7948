// The memory store's tables and the keys of their rows, shared by its reader, transaction and store.
import { type CreditPoolKey, creditPoolKey } from '../../credits/credit-pool-state.js';
import type { CreditGrantRecord } from '../../credits/credit-records.js';
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
import type {
  AutoRechargeRecord,
  CreditLedgerRow,
  CreditTotals,
  EventKey,
  UniqueMember,
  UsageEntry,
  UsageWindowKey,
} from '../store.js';
import { MemoryTable } from './memory-table.js';

/** The name this store goes by, in `Store.name` and in its errors. */
export const STORE_NAME = 'memory';

interface IdempotencyRow {
  readonly scope: string;
  readonly key: string;
  /** JSON, as the SQL stores keep it, so results read back the same from every store. */
  readonly text: string;
  readonly createdAt: number;
}

export interface Tables {
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

const byId = (row: { readonly id: string }) => row.id;
const ownerOf = (row: { readonly customerId: string }) => row.customerId;
// JSON arrays keep composite keys unambiguous whatever characters the parts contain.
export const usageKey = (k: UsageWindowKey) =>
  JSON.stringify([k.customerId, k.resourceId ?? '', k.featureId, k.window]);
export const memberKey = (m: UniqueMember) =>
  JSON.stringify([m.customerId, m.resourceId ?? '', m.featureId, m.window, m.member]);
export const rechargeKey = (r: { customerId: string; currencyId: string }) =>
  JSON.stringify([r.customerId, r.currencyId]);
export const idempotencyKey = (k: { scope: string; key: string }) => JSON.stringify([k.scope, k.key]);
export const expiryKey = (e: CreditExpiryRow) => JSON.stringify([e.customerId, e.currencyId, e.resourceId, e.at]);
const ownedByOwner = (row: { readonly ownerId: string }) => row.ownerId;
export const entityKey = (r: { ownerId: string; entityId: string }) => JSON.stringify([r.ownerId, r.entityId]);
export const budgetKey = (r: { ownerId: string; entityId: string; capabilityId: string }) =>
  JSON.stringify([r.ownerId, r.entityId, r.capabilityId]);
export const governanceUsageKey = (r: GovernanceUsageRecord) =>
  JSON.stringify([r.ownerId, r.entityId, r.capabilityId, r.window]);

export function createTables(): Tables {
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
