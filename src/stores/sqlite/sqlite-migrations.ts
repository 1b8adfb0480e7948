// Schema changes, written with kysely's schema builder so a PostgreSQL store can mirror them, and
// compiled ahead into sqlite-sql.generated.ts (see sqlite-sql.ts), which `migrate` in
// sqlite-statements.ts runs. Append new versions; never edit a shipped one.
import { type Compilable, type Kysely, sql } from 'kysely';
import type { Database } from '../sql/schema.js';

/** One schema version: the statements that bring the previous version to this one. */
export interface SqliteMigration {
  readonly version: number;
  /** Built queries, or SQL text for what a builder cannot say (copying rows between tables). */
  up(db: Kysely<Database>): readonly (Compilable | string)[];
}

/** Every schema version, oldest first. */
export const sqliteMigrations: readonly SqliteMigration[] = [
  {
    version: 1,
    up: (db) => [
      // NOT NULL on text keys: SQLite, unlike PostgreSQL, lets a PRIMARY KEY column hold nulls.
      db.schema
        .createTable('customers')
        .addColumn('id', 'text', (c) => c.primaryKey().notNull())
        .addColumn('name', 'text')
        .addColumn('email', 'text')
        .addColumn('billing_id', 'text')
        .addColumn('coupon_id', 'text')
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('archived_at', 'bigint'),
      db.schema
        .createTable('subscriptions')
        .addColumn('id', 'text', (c) => c.primaryKey().notNull())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text')
        .addColumn('product_id', 'text', (c) => c.notNull())
        .addColumn('plan_id', 'text', (c) => c.notNull())
        .addColumn('plan_version', 'integer', (c) => c.notNull())
        .addColumn('billing_period', 'text', (c) => c.notNull())
        .addColumn('addons', 'text', (c) => c.notNull())
        .addColumn('billable_features', 'text', (c) => c.notNull())
        .addColumn('entitlements', 'text', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('start_date', 'bigint', (c) => c.notNull())
        .addColumn('billing_anchor', 'bigint', (c) => c.notNull())
        .addColumn('usage_reset_at', 'bigint', (c) => c.notNull())
        .addColumn('usage_epoch', 'text', (c) => c.notNull())
        .addColumn('trial_end_date', 'bigint')
        .addColumn('trial_end_behavior', 'text')
        .addColumn('end_date', 'bigint')
        .addColumn('cancellation_date', 'bigint')
        .addColumn('cancel_reason', 'text')
        .addColumn('end_before_conversion', 'text')
        .addColumn('scheduled_updates', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull()),
      db.schema.createIndex('subscriptions_customer').on('subscriptions').columns(['customer_id', 'id']),
      db.schema
        .createTable('promotions')
        .addColumn('id', 'text', (c) => c.primaryKey().notNull())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('feature_id', 'text', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('entitlement', 'text', (c) => c.notNull())
        .addColumn('is_visible', 'integer', (c) => c.notNull())
        .addColumn('start_date', 'bigint', (c) => c.notNull())
        .addColumn('end_date', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull()),
      db.schema.createIndex('promotions_customer').on('promotions').columns(['customer_id', 'id']),
      db.schema
        .createTable('usage')
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('feature_id', 'text', (c) => c.notNull())
        .addColumn('value', 'double precision', (c) => c.notNull())
        .addColumn('window_key', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('usage_pk', ['customer_id', 'resource_id', 'feature_id'])
        // The counters are only ever reached by their key: one b-tree instead of a table plus index.
        .modifyEnd(sql`without rowid`),
      db.schema
        .createTable('idempotency')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_pk', ['scope', 'key']),
      db.schema
        .createTable('package_versions')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('ref_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('snapshot', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('package_versions_pk', ['kind', 'ref_id', 'version']),
      // No AUTOINCREMENT: pruning never deletes the newest row, so the rowid never goes back, and
      // each commit is spared a write to sqlite_sequence.
      db.schema
        .createTable('change_log')
        .addColumn('seq', 'integer', (c) => c.primaryKey())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull()),
    ],
  },
  {
    // Usage moves to an append-only journal folded into per-window counters, which is also the
    // usage history and the feed other processes read (replacing change_log); raw events and
    // UNIQUE sets get tables.
    version: 2,
    up: (db) => [
      db.schema
        .createTable('usage_counters')
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('feature_id', 'text', (c) => c.notNull())
        .addColumn('window_key', 'text', (c) => c.notNull())
        .addColumn('period_start', 'bigint')
        .addColumn('period_end', 'bigint')
        .addColumn('value', 'double precision', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('usage_counters_pk', ['customer_id', 'resource_id', 'feature_id', 'window_key'])
        .modifyEnd(sql`without rowid`),
      // A v1 counter's period is unknown: without an end it is loaded with its customer, until a
      // write to its window records the period.
      `INSERT INTO usage_counters (customer_id, resource_id, feature_id, window_key, value, count, updated_at)
       SELECT customer_id, resource_id, feature_id, window_key, value, 1, updated_at FROM usage`,
      db.schema.dropTable('usage'),
      db.schema.alterTable('customers').addColumn('coupon_applied_at', 'bigint'),
      db.schema.dropTable('change_log'),
      db.schema
        .createTable('journal')
        .addColumn('seq', 'integer', (c) => c.primaryKey())
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text')
        .addColumn('feature_id', 'text')
        .addColumn('window_key', 'text')
        .addColumn('period_start', 'bigint')
        .addColumn('period_end', 'bigint')
        .addColumn('op', 'text')
        .addColumn('amount', 'double precision')
        .addColumn('at', 'bigint')
        .addColumn('dimensions', 'text')
        .addColumn('folded', 'integer'),
      // Partial: an entry joins the history index when folded, in a batch, not at its own commit.
      db.schema
        .createIndex('journal_history')
        .on('journal')
        .columns(['customer_id', 'feature_id', 'at'])
        .where(sql.ref('folded'), 'is not', null),
      db.schema
        .createTable('usage_unique')
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('feature_id', 'text', (c) => c.notNull())
        .addColumn('window_key', 'text', (c) => c.notNull())
        .addColumn('member', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('usage_unique_pk', [
          'customer_id',
          'resource_id',
          'feature_id',
          'window_key',
          'member',
        ])
        .modifyEnd(sql`without rowid`),
      db.schema
        .createTable('events')
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('events_pk', ['customer_id', 'idempotency_key'])
        .modifyEnd(sql`without rowid`),
      // By arrival, so nearly append-only: retention deletes from its start.
      db.schema.createIndex('events_arrival').on('events').column('at'),
      db.schema
        .createTable('credit_grants')
        .addColumn('id', 'text', (c) => c.primaryKey().notNull())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('currency_id', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('grant_type', 'text', (c) => c.notNull())
        .addColumn('amount', 'text', (c) => c.notNull())
        .addColumn('consumed', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('effective_at', 'bigint', (c) => c.notNull())
        .addColumn('expire_at', 'bigint')
        .addColumn('cost', 'text')
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('comment', 'text')
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('source', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('activated_at', 'bigint')
        .addColumn('expired_at', 'bigint')
        .addColumn('voided_at', 'bigint'),
      db.schema
        .createIndex('credit_grants_pool')
        .on('credit_grants')
        .columns(['customer_id', 'currency_id', 'resource_id', 'created_at']),
      db.schema
        .createTable('credit_pools')
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('currency_id', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('debt', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('credit_pools_pk', ['customer_id', 'currency_id', 'resource_id'])
        .modifyEnd(sql`without rowid`),
      // Never deleted from, so its rowid only grows: it is the ledger's order and page cursor.
      db.schema
        .createTable('credit_ledger')
        .addColumn('seq', 'integer', (c) => c.primaryKey())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('currency_id', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('entry', 'text', (c) => c.notNull()),
      db.schema.createIndex('credit_ledger_customer').on('credit_ledger').columns(['customer_id', 'seq']),
      db.schema
        .createTable('credit_settings')
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('currency_id', 'text', (c) => c.notNull())
        .addColumn('auto_recharge', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('credit_settings_pk', ['customer_id', 'currency_id'])
        .modifyEnd(sql`without rowid`),
      db.schema
        .createTable('store_state')
        .addColumn('name', 'text', (c) => c.primaryKey().notNull())
        .addColumn('value', 'integer', (c) => c.notNull())
        .modifyEnd(sql`without rowid`),
    ],
  },
  {
    version: 3,
    up: (db) => [
      // Consumption by time, for getCreditUsage; older entries carry their instant in the JSON.
      db.schema.alterTable('credit_ledger').addColumn('at', 'bigint'),
      `UPDATE credit_ledger SET at = json_extract(entry, '$.at')`,
      db.schema.createIndex('credit_ledger_time').on('credit_ledger').columns(['customer_id', 'at']),
      db.schema
        .createTable('credit_event_fields')
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('currency_id', 'text', (c) => c.notNull())
        .addColumn('field', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('credit_event_fields_pk', ['customer_id', 'currency_id', 'field'])
        .modifyEnd(sql`without rowid`),
      `INSERT OR IGNORE INTO credit_event_fields (customer_id, currency_id, field)
         SELECT l.customer_id, l.currency_id, d.key FROM credit_ledger l, json_each(l.entry, '$.dimensions') d
         WHERE l.event_type IN ('CREDITS_CONSUMED', 'DEBT_CREATED')`,
      db.schema
        .createTable('governance_entities')
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text')
        .addColumn('type', 'text')
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('governance_entities_pk', ['owner_id', 'entity_id'])
        .modifyEnd(sql`without rowid`),
      db.schema
        .createTable('governance_budgets')
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('capability_id', 'text', (c) => c.notNull())
        .addColumn('limit_amount', 'text', (c) => c.notNull())
        .addColumn('reset_period', 'text')
        .addColumn('anchor', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('governance_budgets_pk', ['owner_id', 'entity_id', 'capability_id'])
        .modifyEnd(sql`without rowid`),
      db.schema
        .createTable('governance_usage')
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('capability_id', 'text', (c) => c.notNull())
        .addColumn('window_key', 'text', (c) => c.notNull())
        .addColumn('period_end', 'bigint')
        .addColumn('amount', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('governance_usage_pk', ['owner_id', 'entity_id', 'capability_id', 'window_key'])
        .modifyEnd(sql`without rowid`),
    ],
  },
  {
    // Usage rollups per hour and day, so history reads a few rows per point instead of every
    // entry; backfilled from the folded entries (the next fold adds the others).
    version: 4,
    up: (db) => [
      db.schema
        .createTable('usage_rollups')
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('feature_id', 'text', (c) => c.notNull())
        .addColumn('span', 'bigint', (c) => c.notNull())
        .addColumn('bucket', 'bigint', (c) => c.notNull())
        .addColumn('window_key', 'text', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('total', 'double precision', (c) => c.notNull())
        .addColumn('high', 'double precision', (c) => c.notNull())
        .addColumn('low', 'double precision', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('usage_rollups_pk', [
          'customer_id',
          'resource_id',
          'feature_id',
          'span',
          'bucket',
          'window_key',
        ])
        .modifyEnd(sql`without rowid`),
      // The fold's rollups (rollup-queries.ts) as of this version, for every span at once.
      `INSERT INTO usage_rollups (customer_id, resource_id, feature_id, span, bucket, window_key, count, total, high, low, kind)
       SELECT customer_id, resource_id, feature_id, span, bucket, window_key, count(*), sum(amount), max(amount), min(amount),
         CASE WHEN min(kind) = max(kind) THEN min(kind) ELSE 'ordered' END
       FROM (
         SELECT customer_id, resource_id, feature_id, window_key, amount, s.span,
           at - ((at % s.span) + s.span) % s.span AS bucket,
           CASE WHEN op IN ('add', 'avg') AND amount >= 0 AND amount = round(amount) THEN 'sum'
             WHEN op IN ('max', 'min') THEN op ELSE 'ordered' END AS kind
         FROM journal, (SELECT 3600000 AS span UNION ALL SELECT 86400000) s
         WHERE folded IS NOT NULL AND feature_id IS NOT NULL)
       GROUP BY customer_id, resource_id, feature_id, span, bucket, window_key`,
    ],
  },
  {
    // A pool is loaded from its held grants alone, through a partial index, so its closed and spent
    // grants cost nothing to load; what its spent grants still count is kept beside its debt.
    // Grants held before are marked held: the next write to their pool lets the spent ones go.
    version: 5,
    up: (db) => [
      db.schema.alterTable('credit_grants').addColumn('held', 'integer', (c) => c.notNull().defaultTo(1)),
      `UPDATE credit_grants SET held = 0 WHERE expired_at IS NOT NULL OR (voided_at IS NOT NULL AND grant_type <> 'RECURRING')`,
      db.schema
        .createIndex('credit_grants_held')
        .on('credit_grants')
        .columns(['customer_id', 'currency_id', 'resource_id', 'id'])
        .where(sql.ref('held'), '=', sql.lit(1)),
      db.schema.alterTable('credit_pools').addColumn('spent', 'text', (c) => c.notNull().defaultTo('0')),
      db.schema.alterTable('credit_pools').addColumn('spent_revision', 'integer', (c) => c.notNull().defaultTo(0)),
      db.schema
        .createTable('credit_spent_expiries')
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('currency_id', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('expire_at', 'bigint', (c) => c.notNull())
        .addColumn('amount', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('credit_spent_expiries_pk', ['customer_id', 'currency_id', 'resource_id', 'expire_at'])
        .modifyEnd(sql`without rowid`),
    ],
  },
  {
    // A subscription's own usage period anchor, and budgets whose window spans several reset periods.
    version: 6,
    up: (db) => [
      db.schema.alterTable('subscriptions').addColumn('usage_period_anchor', 'bigint'),
      db.schema
        .alterTable('governance_budgets')
        .addColumn('reset_interval_count', 'integer', (c) => c.notNull().defaultTo(1)),
    ],
  },
  {
    // Who pays for a subscription delegated to another customer, and the group a promotion was
    // granted in (grantPromotionalEntitlementsGroup); null for the rest.
    version: 7,
    up: (db) => [
      db.schema.alterTable('subscriptions').addColumn('paying_customer_id', 'text'),
      db.schema.alterTable('promotions').addColumn('feature_group_id', 'text'),
    ],
  },
  {
    // Recurring grants (their recurrence, and the last boundary each was brought through), each
    // grant's rollover rule, and a pool's reset schedule; all null for what came before.
    version: 8,
    up: (db) => [
      db.schema.alterTable('credit_grants').addColumn('recurrence', 'text'),
      db.schema.alterTable('credit_grants').addColumn('rollover', 'text'),
      db.schema.alterTable('credit_grants').addColumn('refilled_at', 'bigint'),
      db.schema.alterTable('credit_pools').addColumn('schedule', 'text'),
    ],
  },
  {
    // Event keys move to a rowid table with a unique index, as `INSERT OR IGNORE` is fastest: rows
    // append, and the arrival index, whose entries end with the rowid, appends too. Keyed by the
    // idempotency key (version 2), the arrival index's entries ended with the key, so a batch
    // arriving at one instant landed at random places in it as well as in the key's b-tree.
    version: 9,
    up: (db) => [
      db.schema.dropIndex('events_arrival'),
      db.schema.alterTable('events').renameTo('events_v2'),
      db.schema
        .createTable('events')
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull()),
      `INSERT INTO events (customer_id, idempotency_key, at)
       SELECT customer_id, idempotency_key, at FROM events_v2 ORDER BY at`,
      db.schema.dropTable('events_v2'),
      db.schema.createIndex('events_key').unique().on('events').columns(['customer_id', 'idempotency_key']),
      db.schema.createIndex('events_arrival').on('events').column('at'),
    ],
  },
];

/** The table of applied versions, created by the first open. */
export function schemaMigrationsTable(db: Kysely<Database>) {
  return db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('applied_at', 'bigint', (c) => c.notNull());
}

export function selectSchemaMigrations(db: Kysely<Database>) {
  return db.selectFrom('schema_migrations').select('version');
}

export function insertSchemaMigration(db: Kysely<Database>, row: { version: number; applied_at: number }) {
  return db.insertInto('schema_migrations').values(row);
}
