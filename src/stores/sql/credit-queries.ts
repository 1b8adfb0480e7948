// The credit queries of the SQL stores (grants, pool totals and spent expiries, ledger, recharge
// settings), and the credit row mappers.
import type { ExpressionBuilder } from 'kysely';
import { type CreditPool, type CreditPoolKey, emptyCreditPool, isHeldGrant } from '../../credits/credit-pool-state.js';
import type { CreditGrantRecord, CreditLedgerEntry, CreditLedgerEventType } from '../../credits/credit-records.js';
import type { SpentCredits, SpentExpiry } from '../../credits/spent-credits.js';
import {
  type AutoRechargeRecord,
  type CreditLedgerQuery,
  type CreditLedgerRow,
  type CreditTotals,
  inCreditQuery,
} from '../store.js';
import type {
  CreditEventFieldsTable,
  CreditGrantsTable,
  CreditLedgerTable,
  CreditPoolsTable,
  CreditSettingsTable,
  CreditSpentExpiriesTable,
  Database,
} from './schema.js';
import { type Db, parseJson } from './sql-rows.js';

/** The pool columns, `resource_id` '' standing for null. */
type PoolParams = { customerId: string; currencyId: string; resourceId: string };

// `held = 1` is a literal, not a parameter: only then may SQLite's planner use the partial index.
const held = (eb: ExpressionBuilder<Database, 'credit_grants'>) => eb('held', '=', eb.lit(1));

/** A pool's held grants (see `isHeldGrant`), by id, through the partial index of held grants. */
export function selectHeldCreditGrants(db: Db, p: PoolParams) {
  return db
    .selectFrom('credit_grants')
    .selectAll()
    .where('customer_id', '=', p.customerId)
    .where('currency_id', '=', p.currencyId)
    .where('resource_id', '=', p.resourceId)
    .where(held)
    .orderBy('id');
}

/** The grant with this id. */
export function selectCreditGrant(db: Db, p: { grantId: string }) {
  return db.selectFrom('credit_grants').selectAll().where('id', '=', p.grantId);
}

/** Every grant of a customer, oldest first; currency and scope are filtered by the caller. */
export function selectCustomerCreditGrants(db: Db, p: { customerId: string }) {
  return db
    .selectFrom('credit_grants')
    .selectAll()
    .where('customer_id', '=', p.customerId)
    .orderBy('created_at')
    .orderBy('id');
}

/** Inserts the grant or replaces the one with the same id. */
export function upsertCreditGrant(db: Db, row: CreditGrantsTable) {
  const { id, ...rest } = row;
  return db
    .insertInto('credit_grants')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(rest));
}

/** A pool's totals row. */
export function selectCreditTotals(db: Db, p: PoolParams) {
  return db
    .selectFrom('credit_pools')
    .select(['debt', 'spent', 'spent_revision', 'schedule'])
    .where('customer_id', '=', p.customerId)
    .where('currency_id', '=', p.currencyId)
    .where('resource_id', '=', p.resourceId);
}

export function upsertCreditTotals(db: Db, row: CreditPoolsTable) {
  return db
    .insertInto('credit_pools')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['customer_id', 'currency_id', 'resource_id']).doUpdateSet({
        debt: row.debt,
        spent: row.spent,
        spent_revision: row.spent_revision,
        schedule: row.schedule,
      }),
    );
}

/** When a pool's spent credits expire, soonest first. */
export function selectCreditSpentExpiries(db: Db, p: PoolParams) {
  return db
    .selectFrom('credit_spent_expiries')
    .selectAll()
    .where('customer_id', '=', p.customerId)
    .where('currency_id', '=', p.currencyId)
    .where('resource_id', '=', p.resourceId)
    .orderBy('expire_at');
}

export function upsertCreditSpentExpiry(db: Db, row: CreditSpentExpiriesTable) {
  return db
    .insertInto('credit_spent_expiries')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['customer_id', 'currency_id', 'resource_id', 'expire_at']).doUpdateSet({ amount: row.amount }),
    );
}

export function deleteCreditSpentExpiry(db: Db, row: Omit<CreditSpentExpiriesTable, 'amount'>) {
  return db
    .deleteFrom('credit_spent_expiries')
    .where('customer_id', '=', row.customer_id)
    .where('currency_id', '=', row.currency_id)
    .where('resource_id', '=', row.resource_id)
    .where('expire_at', '=', row.expire_at);
}

export function insertCreditLedgerEntry(db: Db, row: Omit<CreditLedgerTable, 'seq'>) {
  return db.insertInto('credit_ledger').values(row);
}

/** A customer's ledger after `afterSeq`, a chunk at a time; the caller filters currency, scope and type. */
export function selectCreditLedger(db: Db, p: { customerId: string; afterSeq: number; limit: number }) {
  return db
    .selectFrom('credit_ledger')
    .select(['seq', 'entry', 'currency_id', 'resource_id', 'event_type'])
    .where('customer_id', '=', p.customerId)
    .where('seq', '>', p.afterSeq)
    .orderBy('seq')
    .limit(p.limit);
}

/**
 * A customer's held grants, pool by pool, each by id: the order of the partial index of held
 * grants, which is what makes the planner read that index rather than every grant of the customer.
 */
export function selectCustomerHeldCreditGrants(db: Db, p: { customerId: string }) {
  return db
    .selectFrom('credit_grants')
    .selectAll()
    .where('customer_id', '=', p.customerId)
    .where(held)
    .orderBy('currency_id')
    .orderBy('resource_id')
    .orderBy('id');
}

/** A customer's totals rows, of every pool. */
export function selectCustomerCreditTotals(db: Db, p: { customerId: string }) {
  return db.selectFrom('credit_pools').selectAll().where('customer_id', '=', p.customerId);
}

/** When a customer's spent credits expire, of every pool, soonest first. */
export function selectCustomerCreditSpentExpiries(db: Db, p: { customerId: string }) {
  return db
    .selectFrom('credit_spent_expiries')
    .selectAll()
    .where('customer_id', '=', p.customerId)
    .orderBy('expire_at');
}

/** A customer's consumption entries in `[from, before)`, by time then ledger order; currency and scope are filtered by the caller. */
export function selectCreditConsumption(db: Db, p: { customerId: string; from: number; before: number }) {
  return db
    .selectFrom('credit_ledger')
    .select(['entry', 'currency_id', 'resource_id'])
    .where('customer_id', '=', p.customerId)
    .where('at', '>=', p.from)
    .where('at', '<', p.before)
    .where('event_type', 'in', ['CREDITS_CONSUMED', 'DEBT_CREATED'])
    .orderBy('at')
    .orderBy('seq');
}

/** Remembers a dimension key a consumption carried. */
export function insertCreditEventField(db: Db, row: CreditEventFieldsTable) {
  return db
    .insertInto('credit_event_fields')
    .values(row)
    .onConflict((oc) => oc.doNothing());
}

/** The dimension keys of a customer's consumptions, with their currency. */
export function selectCreditEventFields(db: Db, p: { customerId: string }) {
  return db.selectFrom('credit_event_fields').select(['currency_id', 'field']).where('customer_id', '=', p.customerId);
}

/** A customer's automatic recharge settings for a currency. */
export function selectAutoRecharge(db: Db, p: { customerId: string; currencyId: string }) {
  return db
    .selectFrom('credit_settings')
    .select('auto_recharge')
    .where('customer_id', '=', p.customerId)
    .where('currency_id', '=', p.currencyId);
}

/** Every automatic recharge setting of a customer, by currency. */
export function selectCustomerAutoRecharge(db: Db, p: { customerId: string }) {
  return db.selectFrom('credit_settings').selectAll().where('customer_id', '=', p.customerId).orderBy('currency_id');
}

/** The settings a row holds. */
export function rowToAutoRecharge(r: CreditSettingsTable): AutoRechargeRecord {
  return { customerId: r.customer_id, currencyId: r.currency_id, config: JSON.parse(r.auto_recharge) };
}

export function upsertAutoRecharge(db: Db, row: CreditSettingsTable) {
  return db
    .insertInto('credit_settings')
    .values(row)
    .onConflict((oc) => oc.columns(['customer_id', 'currency_id']).doUpdateSet({ auto_recharge: row.auto_recharge }));
}

/** The key columns of a pool's rows. */
export function creditPoolToRow(
  key: CreditPoolKey,
): Pick<CreditPoolsTable, 'customer_id' | 'currency_id' | 'resource_id'> {
  return { customer_id: key.customerId, currency_id: key.currencyId, resource_id: key.resourceId ?? '' };
}

/** Columns of a pool's totals row. */
export function creditTotalsToRow(key: CreditPoolKey, totals: CreditTotals): CreditPoolsTable {
  return {
    ...creditPoolToRow(key),
    debt: totals.debt,
    spent: totals.spent,
    spent_revision: totals.revision,
    schedule: totals.schedule === null ? null : JSON.stringify(totals.schedule),
  };
}

/** A spent expiry as a row holds it. */
export const rowToSpentExpiry = (r: Pick<CreditSpentExpiriesTable, 'expire_at' | 'amount'>): SpentExpiry => ({
  at: r.expire_at,
  amount: r.amount,
});

/**
 * The expiries of `known` (spent credits read earlier) when the stored ones are still at its
 * revision, so the store need not read them again; undefined when they must be read.
 */
export function knownExpiries(
  totals: Pick<CreditPoolsTable, 'spent_revision'> | undefined,
  known: SpentCredits | undefined,
): readonly SpentExpiry[] | undefined {
  if (totals === undefined) return [];
  return known !== undefined && known.revision === totals.spent_revision ? known.expiring : undefined;
}

/** Columns of a credit grant. */
export function creditGrantToRow(g: CreditGrantRecord): CreditGrantsTable {
  return {
    id: g.id,
    customer_id: g.customerId,
    currency_id: g.currencyId,
    resource_id: g.resourceId ?? '',
    grant_type: g.grantType,
    amount: g.amount,
    consumed: g.consumed,
    priority: g.priority,
    effective_at: g.effectiveAt,
    expire_at: g.expireAt,
    cost: g.cost === null ? null : JSON.stringify(g.cost),
    display_name: g.displayName,
    comment: g.comment,
    metadata: JSON.stringify(g.metadata),
    source: g.source === null ? null : JSON.stringify(g.source),
    recurrence: g.recurrence === null ? null : JSON.stringify(g.recurrence),
    rollover: g.rollover === null ? null : JSON.stringify(g.rollover),
    created_at: g.createdAt,
    updated_at: g.updatedAt,
    activated_at: g.activatedAt,
    refilled_at: g.refilledAt,
    expired_at: g.expiredAt,
    voided_at: g.voidedAt,
    held: isHeldGrant(g) ? 1 : 0,
  };
}

/** The credit grant a row holds. */
export function rowToCreditGrant(r: CreditGrantsTable): CreditGrantRecord {
  return {
    id: r.id,
    customerId: r.customer_id,
    currencyId: r.currency_id,
    resourceId: r.resource_id === '' ? null : r.resource_id,
    grantType: r.grant_type as CreditGrantRecord['grantType'],
    amount: r.amount,
    consumed: r.consumed,
    priority: r.priority,
    effectiveAt: r.effective_at,
    expireAt: r.expire_at,
    cost: r.cost === null ? null : (JSON.parse(r.cost) as CreditGrantRecord['cost']),
    displayName: r.display_name,
    comment: r.comment,
    metadata: parseJson(r.metadata),
    source: r.source === null ? null : (JSON.parse(r.source) as CreditGrantRecord['source']),
    recurrence: r.recurrence === null ? null : (JSON.parse(r.recurrence) as CreditGrantRecord['recurrence']),
    rollover: r.rollover === null ? null : (JSON.parse(r.rollover) as CreditGrantRecord['rollover']),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    activatedAt: r.activated_at,
    refilledAt: r.refilled_at,
    expiredAt: r.expired_at,
    voidedAt: r.voided_at,
  };
}

/** Columns of a ledger entry: the indexed ones, and the whole entry as JSON. */
export function creditLedgerToRow(e: CreditLedgerEntry): Omit<CreditLedgerTable, 'seq'> {
  return {
    customer_id: e.customerId,
    currency_id: e.currencyId,
    resource_id: e.resourceId ?? '',
    event_type: e.eventType,
    entry: JSON.stringify(e),
    at: e.at,
  };
}

/** Ledger rows read at once while filtering a page. */
const LEDGER_CHUNK = 500;

/** The columns of a ledger row a page is filtered on. */
interface LedgerChunkRow {
  readonly seq: number;
  readonly resource_id: string;
  readonly currency_id: string;
  readonly event_type: string;
  readonly entry: string;
}

/**
 * A page of a customer's ledger, filtered by currency, scope and event type. The filters are
 * applied here, over chunks read by `chunk` (`selectCreditLedger` on each store's connection),
 * until the page is full or the ledger ends.
 */
export async function pageCreditLedger(
  query: CreditLedgerQuery,
  chunk: (p: { customerId: string; afterSeq: number; limit: number }) => Promise<LedgerChunkRow[]> | LedgerChunkRow[],
): Promise<CreditLedgerRow[]> {
  const rows: CreditLedgerRow[] = [];
  for (let afterSeq = query.afterSeq ?? 0; rows.length < query.limit; ) {
    const read = await chunk({ customerId: query.customerId, afterSeq, limit: LEDGER_CHUNK });
    for (const r of read) {
      const resourceId = r.resource_id === '' ? null : r.resource_id;
      if (
        inCreditQuery({ currencyId: r.currency_id, resourceId }, query) &&
        (query.eventTypes === undefined || query.eventTypes.includes(r.event_type as CreditLedgerEventType))
      )
        rows.push({ seq: r.seq, entry: JSON.parse(r.entry) as CreditLedgerEntry });
      if (rows.length === query.limit) break;
    }
    const last = read.at(-1);
    if (last === undefined || read.length < LEDGER_CHUNK) break;
    afterSeq = last.seq;
  }
  return rows;
}

/**
 * A pool from its rows: held grants (by id), its totals row if any, and its spent expiries (soonest
 * first), as `getCreditPool` answers it.
 */
export function creditPoolOf(
  key: CreditPoolKey,
  grants: readonly CreditGrantsTable[],
  totals: Pick<CreditPoolsTable, 'debt' | 'spent' | 'spent_revision' | 'schedule'> | undefined,
  expiring: readonly SpentExpiry[],
): CreditPool {
  if (totals === undefined) return { ...emptyCreditPool(key), grants: grants.map(rowToCreditGrant) };
  const spent = { total: totals.spent, expiring, revision: totals.spent_revision };
  const schedule = totals.schedule === null ? null : (JSON.parse(totals.schedule) as CreditPool['schedule']);
  return { ...key, grants: grants.map(rowToCreditGrant), debt: totals.debt, spent, schedule };
}

/** The rows of one pool. */
interface PoolRows {
  readonly key: CreditPoolKey;
  readonly grants: CreditGrantsTable[];
  totals?: CreditPoolsTable;
  readonly expiries: SpentExpiry[];
}

/** A customer's pools from the rows of all of them, as `listCreditPools` answers them. */
export function creditPoolsOf(
  customerId: string,
  grants: Iterable<CreditGrantsTable>,
  totals: Iterable<CreditPoolsTable>,
  expiries: Iterable<CreditSpentExpiriesTable>,
): CreditPool[] {
  const pools = new Map<string, PoolRows>();
  const pool = (row: { currency_id: string; resource_id: string }) => {
    const id = JSON.stringify([row.currency_id, row.resource_id]);
    let found = pools.get(id);
    if (found === undefined) {
      const key = {
        customerId,
        currencyId: row.currency_id,
        resourceId: row.resource_id === '' ? null : row.resource_id,
      };
      found = { key, grants: [], expiries: [] };
      pools.set(id, found);
    }
    return found;
  };
  for (const row of grants) pool(row).grants.push(row);
  for (const row of totals) pool(row).totals = row;
  for (const row of expiries) pool(row).expiries.push(rowToSpentExpiry(row));
  return [...pools.values()].map((p) => creditPoolOf(p.key, p.grants, p.totals, p.expiries));
}
