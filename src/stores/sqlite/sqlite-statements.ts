// Kysely compiles a query on every execution (~13 µs), more than the SQLite statement costs. So each
// data query is compiled once, with a unique marker string standing for each named parameter, into a
// prepared statement; at run time the values are passed in the positions the markers took.
import { type Compilable, DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import {
  deleteCreditSpentExpiry,
  insertCreditEventField,
  insertCreditLedgerEntry,
  selectAutoRecharge,
  selectCreditConsumption,
  selectCreditEventFields,
  selectCreditGrant,
  selectCreditLedger,
  selectCreditSpentExpiries,
  selectCreditTotals,
  selectCustomerCreditGrants,
  selectCustomerCreditSpentExpiries,
  selectCustomerCreditTotals,
  selectCustomerHeldCreditGrants,
  selectHeldCreditGrants,
  upsertAutoRecharge,
  upsertCreditGrant,
  upsertCreditSpentExpiry,
  upsertCreditTotals,
} from '../sql/credit-queries.js';
import { selectCustomer, upsertCustomer } from '../sql/customer-queries.js';
import {
  deleteGovernanceBudgets,
  deleteGovernanceEntity,
  deleteGovernanceUsage,
  selectGovernanceBudgets,
  selectGovernanceEntities,
  selectGovernanceUsage,
  upsertGovernanceBudget,
  upsertGovernanceEntity,
  upsertGovernanceUsage,
} from '../sql/governance-queries.js';
import { insertIdempotencyResult, selectIdempotencyResult } from '../sql/idempotency-queries.js';
import {
  deleteJournalChanges,
  foldJournalSums,
  insertJournalChange,
  insertJournalEntry,
  markJournalFolded,
  selectChangedCustomers,
  selectCustomerJournal,
  selectJournalComplexEntry,
  selectJournalEntries,
  selectJournalLast,
  selectStoreStates,
  upsertStoreState,
} from '../sql/journal-queries.js';
import { selectPackageVersions, upsertPackageVersion } from '../sql/package-version-queries.js';
import { deletePromotion, selectCustomerPromotions, upsertPromotion } from '../sql/promotion-queries.js';
import type { Database } from '../sql/schema.js';
import {
  countSubscriptions,
  selectCustomerSubscriptions,
  selectSubscription,
  selectSubscriptionPage,
  upsertSubscription,
} from '../sql/subscription-queries.js';
import {
  deleteEventsBefore,
  deleteUsageHistoryBefore,
  insertEvent,
  insertUniqueMember,
  selectCustomerUsage,
  selectUsageCounter,
  selectUsageHistory,
  selectUsageHistoryPruneEnd,
  type UsageKeyColumns,
  upsertUsageCounter,
  type usageEntryToRow,
} from '../sql/usage-queries.js';
import type { SubscriptionFilter, SubscriptionPageQuery } from '../store.js';
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

/**
 * Lists the parameters a builder reads, a list parameter by its length; optional ones may be left
 * out to prepare a narrower variant.
 */
type ParamNames<P> = {
  readonly [K in keyof P]: NonNullable<P[K]> extends readonly unknown[] ? number : true;
};

const MARKER = '\u0000allot:param:';
/** Between a list parameter's name and an element's index in its marker. */
const INDEX = '\u0000';

/** Compiles `build` once with marker parameters and prepares it on `native`. */
function prepareQuery<P, R>(
  native: SqliteDatabase,
  db: Kysely<Database>,
  store: string,
  build: (db: Kysely<Database>, params: P) => Compilable<R>,
  names: NoInfer<ParamNames<P>>,
): PreparedQuery<P, R> {
  // A list of n elements gets n markers, one per position: the statement has one `?` for each.
  const markers = Object.fromEntries(
    Object.entries(names as Record<string, true | number>).map(([name, shape]) => [
      name,
      shape === true ? MARKER + name : Array.from({ length: shape }, (_, i) => MARKER + name + INDEX + i),
    ]),
  ) as P;
  const compiled = build(db, markers).compile();
  // A slot holds a parameter's name (and index, in a list), or the literal a builder bound itself
  // (a constant such as a grant type).
  const slots: { readonly name?: string; readonly index?: number; readonly value: unknown }[] = compiled.parameters.map(
    (value) => {
      if (typeof value !== 'string' || !value.startsWith(MARKER)) return { value };
      const [name, index] = value.slice(MARKER.length).split(INDEX);
      return index === undefined ? { name, value } : { name, index: Number(index), value };
    },
  );
  const args = (params: P): unknown[] => {
    const values = params as Record<string, unknown>;
    return slots.map((slot) => {
      if (slot.name === undefined) return slot.value;
      const value = values[slot.name];
      return slot.index === undefined ? value : (value as readonly unknown[])[slot.index];
    });
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

/**
 * A query whose statement depends on its parameters' shape (which optional ones are given, how
 * long its lists are): one statement per shape, prepared on first use. The most recently used
 * `capacity` are kept, so callers varying list lengths cannot grow the cache without bound.
 */
function prepareShapes<P, R>(
  store: string,
  build: (db: Kysely<Database>, params: P) => Compilable<R>,
  prepare: (names: ParamNames<P>) => PreparedQuery<P, R>,
  shapeOf: (params: P) => ParamNames<P>,
  capacity = 64,
): PreparedQuery<P, R> {
  const prepared = new Map<string, PreparedQuery<P, R>>();
  const statement = (params: P): PreparedQuery<P, R> => {
    const shape = shapeOf(params);
    const key = JSON.stringify(shape);
    let query = prepared.get(key);
    if (query === undefined) {
      try {
        query = prepare(shape);
      } catch (e) {
        // Prepared while serving a read, not at open: e.g. more list elements than SQLite takes parameters.
        throw storeError(store, build.name, e);
      }
      if (prepared.size >= capacity) prepared.delete(prepared.keys().next().value as string);
    } else {
      prepared.delete(key);
    }
    prepared.set(key, query);
    return query;
  };
  return {
    get: (params) => statement(params).get(params),
    all: (params) => statement(params).all(params),
    run: (params) => statement(params).run(params),
  };
}

/**
 * The parameters a subscription filter's statement reads: the filters given, each list by its
 * length (so lists are deduplicated first, for statements to be shared).
 */
function subscriptionFilterShape(p: SubscriptionFilter): ParamNames<SubscriptionFilter> {
  return {
    ...(p.customerId === undefined ? {} : { customerId: true }),
    ...(p.resourceIds === undefined ? {} : { resourceIds: p.resourceIds.length }),
    ...(p.productIds === undefined ? {} : { productIds: p.productIds.length }),
    ...(p.statuses === undefined ? {} : { statuses: p.statuses.length, now: true }),
  };
}

/** The filter's parameters, the cursor given and the limit. */
function subscriptionPageShape(p: SubscriptionPageQuery): ParamNames<SubscriptionPageQuery> {
  return {
    ...subscriptionFilterShape(p),
    ...(p.afterId === undefined ? {} : { afterId: true }),
    ...(p.beforeId === undefined ? {} : { beforeId: true }),
    limit: true,
  };
}

/** Every data statement of the SQLite store, prepared on one connection. */
export type SqliteStatements = ReturnType<typeof prepareStatements>;

/** Prepares every data statement once, at open. */
export function prepareStatements(native: SqliteDatabase, store: string) {
  const db = sqliteCompiler();
  const prepare = <P, R>(build: (db: Kysely<Database>, params: P) => Compilable<R>, names: NoInfer<ParamNames<P>>) =>
    prepareQuery(native, db, store, build, names);
  const shapes = <P, R>(
    build: (db: Kysely<Database>, params: P) => Compilable<R>,
    shapeOf: (params: P) => NoInfer<ParamNames<P>>,
  ) => prepareShapes(store, build, (names) => prepare(build, names), shapeOf);
  const noParams = {} as const;
  return {
    selectCustomer: prepare(selectCustomer, { customerId: true }),
    upsertCustomer: prepare(upsertCustomer, {
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
    selectSubscription: prepare(selectSubscription, { subscriptionId: true }),
    selectCustomerSubscriptions: prepare(selectCustomerSubscriptions, { customerId: true }),
    // One statement per filter combination, so each keeps its index instead of `? IS NULL OR ...`.
    selectSubscriptionPage: shapes(selectSubscriptionPage, subscriptionPageShape),
    countSubscriptions: shapes(countSubscriptions, subscriptionFilterShape),
    upsertSubscription: prepare(upsertSubscription, {
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
    selectCustomerPromotions: prepare(selectCustomerPromotions, { customerId: true }),
    upsertPromotion: prepare(upsertPromotion, {
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
    deletePromotion: prepare(deletePromotion, { promotionId: true }),
    selectCustomerUsage: prepare(selectCustomerUsage, { customerId: true, now: true }),
    selectUsageCounter: prepare(selectUsageCounter, usageKeyNames),
    upsertUsageCounter: prepare(upsertUsageCounter, {
      ...usageKeyNames,
      period_start: true,
      period_end: true,
      value: true,
      count: true,
      updated_at: true,
    }),
    insertUniqueMember: prepare(insertUniqueMember, { ...usageKeyNames, member: true }),
    insertEvent: prepare(insertEvent, { customer_id: true, idempotency_key: true, at: true }),
    deleteEventsBefore: prepare(deleteEventsBefore, { before: true }),
    selectUsageHistory: prepare(selectUsageHistory, {
      customerId: true,
      featureId: true,
      resourceId: true,
      from: true,
      before: true,
    }),
    deleteUsageHistoryBefore: prepare(deleteUsageHistoryBefore, { before: true, lastSeq: true }),
    selectUsageHistoryPruneEnd: prepare(selectUsageHistoryPruneEnd, { before: true, lastSeq: true }),
    insertJournalEntry: prepare(insertJournalEntry, { ...usageEntryNames, origin: true }),
    insertJournalChange: prepare(insertJournalChange, { origin: true, customerId: true }),
    selectJournalLast: prepare(selectJournalLast, noParams),
    selectChangedCustomers: prepare(selectChangedCustomers, { afterSeq: true, origin: true }),
    selectJournalEntries: prepare(selectJournalEntries, { afterSeq: true, throughSeq: true }),
    selectJournalComplexEntry: prepare(selectJournalComplexEntry, { afterSeq: true, throughSeq: true }),
    foldJournalSums: prepare(foldJournalSums, { afterSeq: true, throughSeq: true }),
    markJournalFolded: prepare(markJournalFolded, { afterSeq: true, throughSeq: true }),
    deleteJournalChanges: prepare(deleteJournalChanges, { afterSeq: true, throughSeq: true }),
    selectCustomerJournal: prepare(selectCustomerJournal, { afterSeq: true, customerId: true }),
    selectStoreStates: prepare(selectStoreStates, noParams),
    selectHeldCreditGrants: prepare(selectHeldCreditGrants, poolNames),
    selectCreditGrant: prepare(selectCreditGrant, { grantId: true }),
    selectCustomerCreditGrants: prepare(selectCustomerCreditGrants, { customerId: true }),
    upsertCreditGrant: prepare(upsertCreditGrant, {
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
      held: true,
    }),
    selectCreditTotals: prepare(selectCreditTotals, poolNames),
    upsertCreditTotals: prepare(upsertCreditTotals, {
      customer_id: true,
      currency_id: true,
      resource_id: true,
      debt: true,
      spent: true,
      spent_revision: true,
    }),
    selectCreditSpentExpiries: prepare(selectCreditSpentExpiries, poolNames),
    upsertCreditSpentExpiry: prepare(upsertCreditSpentExpiry, {
      customer_id: true,
      currency_id: true,
      resource_id: true,
      expire_at: true,
      amount: true,
    }),
    deleteCreditSpentExpiry: prepare(deleteCreditSpentExpiry, {
      customer_id: true,
      currency_id: true,
      resource_id: true,
      expire_at: true,
    }),
    insertCreditLedgerEntry: prepare(insertCreditLedgerEntry, {
      customer_id: true,
      currency_id: true,
      resource_id: true,
      event_type: true,
      entry: true,
      at: true,
    }),
    selectCustomerHeldCreditGrants: prepare(selectCustomerHeldCreditGrants, { customerId: true }),
    selectCustomerCreditTotals: prepare(selectCustomerCreditTotals, { customerId: true }),
    selectCustomerCreditSpentExpiries: prepare(selectCustomerCreditSpentExpiries, { customerId: true }),
    selectCreditConsumption: prepare(selectCreditConsumption, { customerId: true, from: true, before: true }),
    insertCreditEventField: prepare(insertCreditEventField, { customer_id: true, currency_id: true, field: true }),
    selectCreditEventFields: prepare(selectCreditEventFields, { customerId: true }),
    selectGovernanceEntities: prepare(selectGovernanceEntities, { ownerId: true }),
    selectGovernanceBudgets: prepare(selectGovernanceBudgets, { ownerId: true }),
    selectGovernanceUsage: prepare(selectGovernanceUsage, { ownerId: true, now: true }),
    upsertGovernanceEntity: prepare(upsertGovernanceEntity, {
      owner_id: true,
      entity_id: true,
      parent_id: true,
      display_name: true,
      type: true,
      metadata: true,
      created_at: true,
      updated_at: true,
    }),
    deleteGovernanceEntity: prepare(deleteGovernanceEntity, { ownerId: true, entityId: true }),
    upsertGovernanceBudget: prepare(upsertGovernanceBudget, {
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
      all: prepare(deleteGovernanceBudgets, { ownerId: true, entityId: true }),
      one: prepare(deleteGovernanceBudgets, { ownerId: true, entityId: true, capabilityId: true }),
    },
    deleteGovernanceUsage: {
      all: prepare(deleteGovernanceUsage, { ownerId: true, entityId: true }),
      one: prepare(deleteGovernanceUsage, { ownerId: true, entityId: true, capabilityId: true }),
    },
    upsertGovernanceUsage: prepare(upsertGovernanceUsage, {
      owner_id: true,
      entity_id: true,
      capability_id: true,
      window_key: true,
      period_end: true,
      amount: true,
    }),
    selectCreditLedger: prepare(selectCreditLedger, { customerId: true, afterSeq: true, limit: true }),
    selectAutoRecharge: prepare(selectAutoRecharge, { customerId: true, currencyId: true }),
    upsertAutoRecharge: prepare(upsertAutoRecharge, { customer_id: true, currency_id: true, auto_recharge: true }),
    upsertStoreState: prepare(upsertStoreState, { name: true, value: true }),
    selectIdempotencyResult: prepare(selectIdempotencyResult, { scope: true, key: true }),
    insertIdempotencyResult: prepare(insertIdempotencyResult, {
      scope: true,
      key: true,
      result: true,
      created_at: true,
    }),
    selectPackageVersions: prepare(selectPackageVersions, noParams),
    upsertPackageVersion: prepare(upsertPackageVersion, {
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

const usageKeyNames: ParamNames<UsageKeyColumns> = {
  customer_id: true,
  resource_id: true,
  feature_id: true,
  window_key: true,
};

const usageEntryNames: ParamNames<ReturnType<typeof usageEntryToRow>> = {
  ...usageKeyNames,
  period_start: true,
  period_end: true,
  op: true,
  amount: true,
  at: true,
  dimensions: true,
};
