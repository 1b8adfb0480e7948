// The SQLite store's SQL, written once as the shared kysely builders and compiled here for SQLite.
// Loading kysely costs ~100 ms, so the store does not compile at open: scripts/compile-sql.ts
// writes what `renderSqliteSql` returns to sqlite-sql.generated.ts, which the store prepares.
// The store loads this module only for the statements whose text depends on their parameters'
// shape (the subscription filters), compiled on first use.
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
  selectCustomerAutoRecharge,
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
import { selectCustomer, selectCustomerPage, upsertCustomer } from '../sql/customer-queries.js';
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
import { insertIdempotencyResult, selectIdempotencyPage, selectIdempotencyResult } from '../sql/idempotency-queries.js';
import {
  deleteJournalChanges,
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
import { deleteRollupsBefore, rebuildRollups, selectJournalCells, selectRollupCells } from '../sql/rollup-queries.js';
import type { Database } from '../sql/schema.js';
import { countSubscriptions, selectSubscriptionPage } from '../sql/subscription-filter-queries.js';
import { selectCustomerSubscriptions, selectSubscription, upsertSubscription } from '../sql/subscription-queries.js';
import {
  deleteEventsBefore,
  deleteUsageHistoryBefore,
  insertEvent,
  insertUniqueMember,
  selectCustomerUsage,
  selectEventKeys,
  selectUniqueMembers,
  selectUsageCounter,
  selectUsageHistory,
  selectUsageHistoryPruneEnd,
  selectUsageLog,
  type UsageKeyColumns,
  upsertUsageCounter,
  type usageEntryToRow,
} from '../sql/usage-queries.js';
import type { CompiledMigration, CompiledStatement, ParamNames, Slot } from './sqlite-compiled.js';
import {
  clearFoldGroups,
  createFoldGroups,
  foldGroupCounters,
  foldGroupDays,
  foldGroupHours,
  insertFoldGroups,
} from './sqlite-fold-queries.js';
import {
  insertSchemaMigration,
  schemaMigrationsTable,
  selectSchemaMigrations,
  sqliteMigrations,
} from './sqlite-migrations.js';

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

type Builder<P, R> = (db: Kysely<Database>, params: P) => Compilable<R>;

/** A data statement before compiling: its builder and the parameters it reads. */
interface StatementSource<P, R> {
  readonly build: Builder<P, R>;
  readonly names: ParamNames<P>;
}

const statement = <P, R>(build: Builder<P, R>, names: NoInfer<ParamNames<P>>): StatementSource<P, R> => ({
  build,
  names,
});

const MARKER = '\u0000allot:param:';
/** Between a list parameter's name and an element's index in its marker. */
const INDEX = '\u0000';

/**
 * Compiles `build` with a unique marker string standing for each named parameter (a list of n
 * elements gets n markers, one per position), then reads from the compiled parameters which
 * parameter each `?` takes, or which literal the builder bound itself (a constant such as a grant type).
 */
export function compileStatement<P, R>(
  db: Kysely<Database>,
  build: Builder<P, R>,
  names: NoInfer<ParamNames<P>>,
): CompiledStatement {
  const markers = Object.fromEntries(
    Object.entries(names as Record<string, true | number>).map(([name, shape]) => [
      name,
      shape === true ? MARKER + name : Array.from({ length: shape }, (_, i) => MARKER + name + INDEX + i),
    ]),
  ) as P;
  const compiled = build(db, markers).compile();
  const slots = compiled.parameters.map((value): Slot => {
    if (typeof value !== 'string' || !value.startsWith(MARKER)) return { value };
    const [name = '', index] = value.slice(MARKER.length).split(INDEX);
    return index === undefined ? name : [name, Number(index)];
  });
  return { sql: compiled.sql, slots };
}

/**
 * The statements whose text depends on their parameters' shape: one per filter combination (so each
 * keeps its index instead of `? IS NULL OR ...`) and list length, compiled when the store first meets it.
 */
const shapedSources = { selectSubscriptionPage, countSubscriptions, selectRollupCells };
export type ShapedSources = typeof shapedSources;
type ShapedParams<K extends keyof ShapedSources> = Parameters<ShapedSources[K]>[1];

let compiler: Kysely<Database> | undefined;

/** One shape of a shaped statement, compiled by the one compiler this process keeps. */
export function compileShaped<K extends keyof ShapedSources>(
  name: K,
  shape: ParamNames<ShapedParams<K>>,
): CompiledStatement {
  compiler ??= sqliteCompiler();
  return compileStatement(compiler, shapedSources[name] as Builder<ShapedParams<K>, unknown>, shape);
}

const poolNames = { customerId: true, currencyId: true, resourceId: true } as const;
/** A counter's cells over one stretch (SQLite would not use the index for several stretches ORed). */
const journalCellNames = {
  customerId: true,
  featureId: true,
  resourceId: true,
  origin: true,
  width: true,
  froms: 1,
  befores: 1,
} as const;

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

/** Every data statement of fixed shape, by the name the store prepares it under. */
export const sqliteStatementSources = {
  selectCustomer: statement(selectCustomer, { customerId: true }),
  upsertCustomer: statement(upsertCustomer, {
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
  selectSubscription: statement(selectSubscription, { subscriptionId: true }),
  selectCustomerSubscriptions: statement(selectCustomerSubscriptions, { customerId: true }),
  upsertSubscription: statement(upsertSubscription, {
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
    usage_period_anchor: true,
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
    paying_customer_id: true,
  }),
  selectCustomerPromotions: statement(selectCustomerPromotions, { customerId: true }),
  upsertPromotion: statement(upsertPromotion, {
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
    feature_group_id: true,
  }),
  deletePromotion: statement(deletePromotion, { promotionId: true }),
  selectCustomerUsage: statement(selectCustomerUsage, { customerId: true, now: true }),
  selectUsageCounter: statement(selectUsageCounter, usageKeyNames),
  upsertUsageCounter: statement(upsertUsageCounter, {
    ...usageKeyNames,
    period_start: true,
    period_end: true,
    value: true,
    count: true,
    updated_at: true,
  }),
  insertUniqueMember: statement(insertUniqueMember, { ...usageKeyNames, member: true }),
  insertEvent: statement(insertEvent, { customer_id: true, idempotency_key: true, at: true }),
  deleteEventsBefore: statement(deleteEventsBefore, { before: true }),
  // One stretch per run: SQLite would not use the index for several stretches ORed.
  selectUsageHistory: statement(selectUsageHistory, {
    customerId: true,
    featureId: true,
    resourceId: true,
    froms: 1,
    befores: 1,
  }),
  selectJournalCells: statement(selectJournalCells, journalCellNames),
  selectUnfoldedCells: statement(selectJournalCells, { ...journalCellNames, afterSeq: true }),
  deleteRollupsBefore: statement(deleteRollupsBefore, { before: true }),
  rebuildRollups: statement(rebuildRollups, { before: true, until: true }),
  deleteUsageHistoryBefore: statement(deleteUsageHistoryBefore, { before: true, lastSeq: true }),
  selectUsageHistoryPruneEnd: statement(selectUsageHistoryPruneEnd, { before: true, lastSeq: true }),
  insertJournalEntry: statement(insertJournalEntry, { ...usageEntryNames, origin: true }),
  insertJournalChange: statement(insertJournalChange, { origin: true, customerId: true }),
  selectJournalLast: statement(selectJournalLast, {}),
  selectChangedCustomers: statement(selectChangedCustomers, { afterSeq: true, origin: true }),
  selectJournalEntries: statement(selectJournalEntries, { afterSeq: true, throughSeq: true }),
  selectJournalComplexEntry: statement(selectJournalComplexEntry, { afterSeq: true, throughSeq: true }),
  createFoldGroups: statement(createFoldGroups, {}),
  insertFoldGroups: statement(insertFoldGroups, { afterSeq: true, throughSeq: true }),
  foldGroupCounters: statement(foldGroupCounters, {}),
  foldGroupHours: statement(foldGroupHours, {}),
  foldGroupDays: statement(foldGroupDays, {}),
  clearFoldGroups: statement(clearFoldGroups, {}),
  markJournalFolded: statement(markJournalFolded, { afterSeq: true, throughSeq: true }),
  deleteJournalChanges: statement(deleteJournalChanges, { afterSeq: true, throughSeq: true }),
  selectCustomerJournal: statement(selectCustomerJournal, { afterSeq: true, customerId: true }),
  selectStoreStates: statement(selectStoreStates, {}),
  selectHeldCreditGrants: statement(selectHeldCreditGrants, poolNames),
  selectCreditGrant: statement(selectCreditGrant, { grantId: true }),
  selectCustomerCreditGrants: statement(selectCustomerCreditGrants, { customerId: true }),
  upsertCreditGrant: statement(upsertCreditGrant, {
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
    recurrence: true,
    rollover: true,
    created_at: true,
    updated_at: true,
    activated_at: true,
    refilled_at: true,
    expired_at: true,
    voided_at: true,
    held: true,
  }),
  selectCreditTotals: statement(selectCreditTotals, poolNames),
  upsertCreditTotals: statement(upsertCreditTotals, {
    customer_id: true,
    currency_id: true,
    resource_id: true,
    debt: true,
    spent: true,
    spent_revision: true,
    schedule: true,
  }),
  selectCreditSpentExpiries: statement(selectCreditSpentExpiries, poolNames),
  upsertCreditSpentExpiry: statement(upsertCreditSpentExpiry, {
    customer_id: true,
    currency_id: true,
    resource_id: true,
    expire_at: true,
    amount: true,
  }),
  deleteCreditSpentExpiry: statement(deleteCreditSpentExpiry, {
    customer_id: true,
    currency_id: true,
    resource_id: true,
    expire_at: true,
  }),
  insertCreditLedgerEntry: statement(insertCreditLedgerEntry, {
    customer_id: true,
    currency_id: true,
    resource_id: true,
    event_type: true,
    entry: true,
    at: true,
  }),
  selectCustomerHeldCreditGrants: statement(selectCustomerHeldCreditGrants, { customerId: true }),
  selectCustomerCreditTotals: statement(selectCustomerCreditTotals, { customerId: true }),
  selectCustomerCreditSpentExpiries: statement(selectCustomerCreditSpentExpiries, { customerId: true }),
  selectCreditConsumption: statement(selectCreditConsumption, { customerId: true, from: true, before: true }),
  insertCreditEventField: statement(insertCreditEventField, { customer_id: true, currency_id: true, field: true }),
  selectCreditEventFields: statement(selectCreditEventFields, { customerId: true }),
  selectGovernanceEntities: statement(selectGovernanceEntities, { ownerId: true }),
  selectGovernanceBudgets: statement(selectGovernanceBudgets, { ownerId: true }),
  selectGovernanceUsage: statement(selectGovernanceUsage, { ownerId: true, now: true }),
  upsertGovernanceEntity: statement(upsertGovernanceEntity, {
    owner_id: true,
    entity_id: true,
    parent_id: true,
    display_name: true,
    type: true,
    metadata: true,
    created_at: true,
    updated_at: true,
  }),
  deleteGovernanceEntity: statement(deleteGovernanceEntity, { ownerId: true, entityId: true }),
  upsertGovernanceBudget: statement(upsertGovernanceBudget, {
    owner_id: true,
    entity_id: true,
    capability_id: true,
    limit_amount: true,
    reset_period: true,
    reset_interval_count: true,
    anchor: true,
    created_at: true,
    updated_at: true,
  }),
  deleteGovernanceBudgets: statement(deleteGovernanceBudgets, { ownerId: true, entityId: true }),
  deleteGovernanceCapabilityBudget: statement(deleteGovernanceBudgets, {
    ownerId: true,
    entityId: true,
    capabilityId: true,
  }),
  deleteGovernanceUsage: statement(deleteGovernanceUsage, { ownerId: true, entityId: true }),
  deleteGovernanceCapabilityUsage: statement(deleteGovernanceUsage, {
    ownerId: true,
    entityId: true,
    capabilityId: true,
  }),
  upsertGovernanceUsage: statement(upsertGovernanceUsage, {
    owner_id: true,
    entity_id: true,
    capability_id: true,
    window_key: true,
    period_end: true,
    amount: true,
  }),
  selectCreditLedger: statement(selectCreditLedger, { customerId: true, afterSeq: true, limit: true }),
  selectAutoRecharge: statement(selectAutoRecharge, { customerId: true, currencyId: true }),
  upsertAutoRecharge: statement(upsertAutoRecharge, { customer_id: true, currency_id: true, auto_recharge: true }),
  upsertStoreState: statement(upsertStoreState, { name: true, value: true }),
  selectIdempotencyResult: statement(selectIdempotencyResult, { scope: true, key: true }),
  insertIdempotencyResult: statement(insertIdempotencyResult, {
    scope: true,
    key: true,
    result: true,
    created_at: true,
  }),
  selectPackageVersions: statement(selectPackageVersions, {}),
  selectCustomerPage: statement(selectCustomerPage, { afterId: true, limit: true }),
  selectEventKeys: statement(selectEventKeys, { customerId: true, afterKey: true, limit: true }),
  selectUniqueMembers: statement(selectUniqueMembers, {
    customerId: true,
    resource_id: true,
    feature_id: true,
    window_key: true,
    member: true,
    limit: true,
  }),
  selectIdempotencyPage: statement(selectIdempotencyPage, { scope: true, key: true, limit: true }),
  selectCustomerAutoRecharge: statement(selectCustomerAutoRecharge, { customerId: true }),
  selectUsageLog: statement(selectUsageLog, { afterSeq: true, limit: true }),
  upsertPackageVersion: statement(upsertPackageVersion, {
    kind: true,
    ref_id: true,
    version: true,
    hash: true,
    snapshot: true,
    created_at: true,
  }),
};

export type SqliteStatementSources = typeof sqliteStatementSources;
export type SqliteStatementName = keyof SqliteStatementSources;

/** A migration statement runs as text: one whose builder bound a parameter cannot be compiled ahead. */
function text(query: Compilable | string): string {
  if (typeof query === 'string') return query;
  const compiled = query.compile();
  if (compiled.parameters.length > 0) throw new Error(`a migration statement binds parameters: ${compiled.sql}`);
  return compiled.sql;
}

/** The source of sqlite-sql.generated.ts: every fixed statement and migration compiled for SQLite. */
export function renderSqliteSql(): string {
  const db = sqliteCompiler();
  const statements = Object.fromEntries(
    Object.entries(sqliteStatementSources).map(([name, s]) => [
      name,
      compileStatement(db, s.build as Builder<unknown, unknown>, s.names as ParamNames<unknown>),
    ]),
  );
  const schemaMigrations = {
    create: text(schemaMigrationsTable(db)),
    select: compileStatement(db, selectSchemaMigrations, {}),
    insert: compileStatement(db, insertSchemaMigration, { version: true, applied_at: true }),
  };
  const migrations: CompiledMigration[] = sqliteMigrations.map((m) => ({
    version: m.version,
    statements: m.up(db).map(text),
  }));
  return [
    '// Generated from sqlite-sql.ts by scripts/compile-sql.ts (`npm run compile-sql`): do not edit.',
    '// test/sqlite-sql.test.ts fails when this no longer matches the builders.',
    "import type { SqliteStatementName } from './sqlite-sql.js';",
    "import type { CompiledMigration, CompiledStatement } from './sqlite-compiled.js';",
    '',
    `export const statements = {\n${Object.entries(statements)
      .map(([name, compiled]) => `  ${name}: ${statementLiteral(compiled)},\n`)
      .join('')}} satisfies Record<SqliteStatementName, CompiledStatement>;`,
    '',
    'export const schemaMigrations = {',
    `  create: ${stringLiteral(schemaMigrations.create)},`,
    `  select: ${statementLiteral(schemaMigrations.select)},`,
    `  insert: ${statementLiteral(schemaMigrations.insert)},`,
    '};',
    '',
    `export const migrations: readonly CompiledMigration[] = [\n${migrations
      .map(
        (m) =>
          `  {\n    version: ${m.version},\n    statements: [\n${m.statements.map((t) => `      ${stringLiteral(t)},\n`).join('')}    ],\n  },\n`,
      )
      .join('')}];`,
    '',
  ].join('\n');
}

/** SQL as a template literal, readable as written, unless it holds what one would interpret. */
const stringLiteral = (text: string) => (/`|\\|\$\{/.test(text) ? JSON.stringify(text) : `\`${text}\``);

const statementLiteral = ({ sql, slots }: CompiledStatement) =>
  `{ sql: ${stringLiteral(sql)}, slots: ${JSON.stringify(slots)} }`;
