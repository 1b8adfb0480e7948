// Kysely compiles a query on every execution (~13 µs), more than the SQLite statement costs. So each
// data query is compiled once, with a unique marker string standing for each named parameter, into a
// prepared statement; at run time the values are passed in the positions the markers took.
import { type Compilable, DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import * as q from '../sql/queries.js';
import type { Database } from '../sql/schema.js';
import { storeError } from '../store-errors.js';

/** The prepared statement of a better-sqlite3-compatible driver, declared by what the store uses. */
export interface SqliteStatement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** A better-sqlite3-compatible connection, declared by what the store uses so nothing depends on its types. */
export interface SqliteDatabase {
  /** The file the connection opened. */
  readonly name: string;
  readonly inTransaction: boolean;
  prepare(sql: string): SqliteStatement;
  /** better-sqlite3's switch between numbers and BigInts for integers. */
  defaultSafeIntegers?(toggle: boolean): unknown;
  exec(sql: string): unknown;
  close(): unknown;
}

/** A Kysely that only compiles SQLite statements; they run synchronously on the native connection. */
export function sqliteCompiler(): Kysely<Database> {
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
}

/** A query compiled once; every run binds new values and wraps driver failures as STORE_ERROR. */
export interface PreparedQuery<P, R> {
  get(params: P): R | undefined;
  all(params: P): R[];
  /** Runs it; returns how many rows it changed. */
  run(params: P): number;
}

/** Lists the parameters a builder reads; optional ones may be left out to prepare a narrower variant. */
type ParamNames<P> = { readonly [K in keyof P]: true };

const MARKER = '\u0000allot:param:';

/** Compiles `build` once with marker parameters and prepares it on `native`. */
function prepareQuery<P, R>(
  native: SqliteDatabase,
  db: Kysely<Database>,
  store: string,
  build: (db: Kysely<Database>, params: P) => Compilable<R>,
  names: NoInfer<ParamNames<P>>,
): PreparedQuery<P, R> {
  const markers = Object.fromEntries(Object.keys(names).map((name) => [name, MARKER + name])) as P;
  const compiled = build(db, markers).compile();
  // A slot holds a parameter's name, or the literal a builder bound itself (a constant such as a grant type).
  const slots: { readonly name?: string; readonly value: unknown }[] = compiled.parameters.map((value) =>
    typeof value === 'string' && value.startsWith(MARKER) ? { name: value.slice(MARKER.length), value } : { value },
  );
  const args = (params: P): unknown[] => {
    const values = params as Record<string, unknown>;
    return slots.map((slot) => (slot.name === undefined ? slot.value : values[slot.name]));
  };
  const statement = native.prepare(compiled.sql);
  const failed = (e: unknown) => storeError(store, build.name, e);
  return {
    get(params) {
      try {
        return statement.get(...args(params)) as R | undefined;
      } catch (e) {
        throw failed(e);
      }
    },
    all(params) {
      try {
        return statement.all(...args(params)) as R[];
      } catch (e) {
        throw failed(e);
      }
    },
    run(params) {
      try {
        return (statement.run(...args(params)) as { changes: number }).changes;
      } catch (e) {
        throw failed(e);
      }
    },
  };
}

/** Every data statement of the SQLite store, prepared on one connection. */
export type SqliteStatements = ReturnType<typeof prepareStatements>;

/** Prepares every data statement once, at open. */
export function prepareStatements(native: SqliteDatabase, store: string) {
  const db = sqliteCompiler();
  const prepare = <P, R>(build: (db: Kysely<Database>, params: P) => Compilable<R>, names: NoInfer<ParamNames<P>>) =>
    prepareQuery(native, db, store, build, names);
  const noParams = {} as const;
  return {
    selectCustomer: prepare(q.selectCustomer, { customerId: true }),
    upsertCustomer: prepare(q.upsertCustomer, {
      id: true,
      name: true,
      email: true,
      billing_id: true,
      coupon_id: true,
      coupon_applied_at: true,
      metadata: true,
      created_at: true,
      updated_at: true,
      archived_at: true,
    }),
    selectSubscription: prepare(q.selectSubscription, { subscriptionId: true }),
    selectCustomerSubscriptions: prepare(q.selectCustomerSubscriptions, { customerId: true }),
    // One statement per filter combination, so each keeps its index instead of `? IS NULL OR ...`.
    selectSubscriptionPage: {
      unfiltered: prepare(q.selectSubscriptionPage, { limit: true }),
      ofCustomer: prepare(q.selectSubscriptionPage, { limit: true, customerId: true }),
      after: prepare(q.selectSubscriptionPage, { limit: true, afterId: true }),
      ofCustomerAfter: prepare(q.selectSubscriptionPage, { limit: true, customerId: true, afterId: true }),
    },
    upsertSubscription: prepare(q.upsertSubscription, {
      id: true,
      customer_id: true,
      resource_id: true,
      product_id: true,
      plan_id: true,
      plan_version: true,
      billing_period: true,
      addons: true,
      billable_features: true,
      entitlements: true,
      metadata: true,
      start_date: true,
      billing_anchor: true,
      usage_reset_at: true,
      usage_epoch: true,
      trial_end_date: true,
      trial_end_behavior: true,
      end_date: true,
      cancellation_date: true,
      cancel_reason: true,
      end_before_conversion: true,
      scheduled_updates: true,
      created_at: true,
      updated_at: true,
    }),
    selectCustomerPromotions: prepare(q.selectCustomerPromotions, { customerId: true }),
    upsertPromotion: prepare(q.upsertPromotion, {
      id: true,
      customer_id: true,
      feature_id: true,
      period: true,
      entitlement: true,
      is_visible: true,
      start_date: true,
      end_date: true,
      created_at: true,
      updated_at: true,
    }),
    deletePromotion: prepare(q.deletePromotion, { promotionId: true }),
    selectCustomerUsage: prepare(q.selectCustomerUsage, { customerId: true, now: true }),
    selectUsageCounter: prepare(q.selectUsageCounter, usageKeyNames),
    upsertUsageCounter: prepare(q.upsertUsageCounter, {
      ...usageKeyNames,
      period_start: true,
      period_end: true,
      value: true,
      count: true,
      updated_at: true,
    }),
    insertUniqueMember: prepare(q.insertUniqueMember, { ...usageKeyNames, member: true }),
    insertEvent: prepare(q.insertEvent, { customer_id: true, idempotency_key: true, at: true }),
    deleteEventsBefore: prepare(q.deleteEventsBefore, { before: true }),
    selectUsageHistory: prepare(q.selectUsageHistory, {
      customerId: true,
      featureId: true,
      resourceId: true,
      from: true,
      before: true,
    }),
    deleteUsageHistoryBefore: prepare(q.deleteUsageHistoryBefore, { before: true, lastSeq: true }),
    selectUsageHistoryPruneEnd: prepare(q.selectUsageHistoryPruneEnd, { before: true, lastSeq: true }),
    insertJournalEntry: prepare(q.insertJournalEntry, { ...usageEntryNames, origin: true }),
    insertJournalChange: prepare(q.insertJournalChange, { origin: true, customerId: true }),
    selectJournalLast: prepare(q.selectJournalLast, noParams),
    selectChangedCustomers: prepare(q.selectChangedCustomers, { afterSeq: true, origin: true }),
    selectJournalEntries: prepare(q.selectJournalEntries, { afterSeq: true, throughSeq: true }),
    selectJournalComplexEntry: prepare(q.selectJournalComplexEntry, { afterSeq: true, throughSeq: true }),
    foldJournalSums: prepare(q.foldJournalSums, { afterSeq: true, throughSeq: true }),
    markJournalFolded: prepare(q.markJournalFolded, { afterSeq: true, throughSeq: true }),
    deleteJournalChanges: prepare(q.deleteJournalChanges, { afterSeq: true, throughSeq: true }),
    selectCustomerJournal: prepare(q.selectCustomerJournal, { afterSeq: true, customerId: true }),
    selectStoreStates: prepare(q.selectStoreStates, noParams),
    selectHeldCreditGrants: prepare(q.selectHeldCreditGrants, poolNames),
    selectCreditGrant: prepare(q.selectCreditGrant, { grantId: true }),
    selectCustomerCreditGrants: prepare(q.selectCustomerCreditGrants, { customerId: true }),
    upsertCreditGrant: prepare(q.upsertCreditGrant, {
      id: true,
      customer_id: true,
      currency_id: true,
      resource_id: true,
      grant_type: true,
      amount: true,
      consumed: true,
      priority: true,
      effective_at: true,
      expire_at: true,
      cost: true,
      display_name: true,
      comment: true,
      metadata: true,
      source: true,
      created_at: true,
      updated_at: true,
      activated_at: true,
      expired_at: true,
      voided_at: true,
    }),
    selectCreditDebt: prepare(q.selectCreditDebt, poolNames),
    upsertCreditDebt: prepare(q.upsertCreditDebt, {
      customer_id: true,
      currency_id: true,
      resource_id: true,
      debt: true,
    }),
    insertCreditLedgerEntry: prepare(q.insertCreditLedgerEntry, {
      customer_id: true,
      currency_id: true,
      resource_id: true,
      event_type: true,
      entry: true,
      at: true,
    }),
    selectCustomerHeldCreditGrants: prepare(q.selectCustomerHeldCreditGrants, { customerId: true }),
    selectCustomerCreditDebts: prepare(q.selectCustomerCreditDebts, { customerId: true }),
    selectCreditConsumption: prepare(q.selectCreditConsumption, { customerId: true, from: true, before: true }),
    insertCreditEventField: prepare(q.insertCreditEventField, { customer_id: true, currency_id: true, field: true }),
    selectCreditEventFields: prepare(q.selectCreditEventFields, { customerId: true }),
    selectGovernanceEntities: prepare(q.selectGovernanceEntities, { ownerId: true }),
    selectGovernanceBudgets: prepare(q.selectGovernanceBudgets, { ownerId: true }),
    selectGovernanceUsage: prepare(q.selectGovernanceUsage, { ownerId: true, now: true }),
    upsertGovernanceEntity: prepare(q.upsertGovernanceEntity, {
      owner_id: true,
      entity_id: true,
      parent_id: true,
      display_name: true,
      type: true,
      metadata: true,
      created_at: true,
      updated_at: true,
    }),
    deleteGovernanceEntity: prepare(q.deleteGovernanceEntity, { ownerId: true, entityId: true }),
    upsertGovernanceBudget: prepare(q.upsertGovernanceBudget, {
      owner_id: true,
      entity_id: true,
      capability_id: true,
      limit_amount: true,
      reset_period: true,
      anchor: true,
      created_at: true,
      updated_at: true,
    }),
    deleteGovernanceBudgets: {
      all: prepare(q.deleteGovernanceBudgets, { ownerId: true, entityId: true }),
      one: prepare(q.deleteGovernanceBudgets, { ownerId: true, entityId: true, capabilityId: true }),
    },
    deleteGovernanceUsage: {
      all: prepare(q.deleteGovernanceUsage, { ownerId: true, entityId: true }),
      one: prepare(q.deleteGovernanceUsage, { ownerId: true, entityId: true, capabilityId: true }),
    },
    upsertGovernanceUsage: prepare(q.upsertGovernanceUsage, {
      owner_id: true,
      entity_id: true,
      capability_id: true,
      window_key: true,
      period_end: true,
      amount: true,
    }),
    selectCreditLedger: prepare(q.selectCreditLedger, { customerId: true, afterSeq: true, limit: true }),
    selectAutoRecharge: prepare(q.selectAutoRecharge, { customerId: true, currencyId: true }),
    upsertAutoRecharge: prepare(q.upsertAutoRecharge, { customer_id: true, currency_id: true, auto_recharge: true }),
    upsertStoreState: prepare(q.upsertStoreState, { name: true, value: true }),
    selectIdempotencyResult: prepare(q.selectIdempotencyResult, { scope: true, key: true }),
    insertIdempotencyResult: prepare(q.insertIdempotencyResult, {
      scope: true,
      key: true,
      result: true,
      created_at: true,
    }),
    selectPackageVersions: prepare(q.selectPackageVersions, noParams),
    upsertPackageVersion: prepare(q.upsertPackageVersion, {
      kind: true,
      ref_id: true,
      version: true,
      hash: true,
      snapshot: true,
      created_at: true,
    }),
  };
}

const poolNames = { customerId: true, currencyId: true, resourceId: true } as const;

const usageKeyNames: ParamNames<q.UsageKeyColumns> = {
  customer_id: true,
  resource_id: true,
  feature_id: true,
  window_key: true,
};

const usageEntryNames: ParamNames<ReturnType<typeof q.usageEntryToRow>> = {
  ...usageKeyNames,
  period_start: true,
  period_end: true,
  op: true,
  amount: true,
  at: true,
  dimensions: true,
};
