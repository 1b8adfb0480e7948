// The PostgreSQL schema, as versioned migrations in the store's own schema. Tables and columns
// are those of src/stores/sql/schema.ts, so the shared kysely builders run unchanged; types are
// PostgreSQL's:
// - instants are bigint epoch milliseconds, exactly as the records hold them: no timestamptz, so
//   no session time zone or driver conversion can ever shift one;
// - exact decimals (credit amounts, money, budgets) are text, exactly as the records hold them:
//   the core computes with decimal.js, and no float ever touches them;
// - JSON is text, not jsonb: the store never queries inside it, and text returns byte for byte
//   what was written (jsonb reorders keys and rewrites numbers), with no parse on the server;
// - keys and ids are text COLLATE "C": ordered by code point as JavaScript (and SQLite) order
//   them, whatever the database's collation, and compared faster.
// Append new versions; never edit a shipped one.
import { MAINTENANCE_MS, type PgConnection } from './postgres-driver.js';
import { quoteIdent } from './postgres-sql.js';

/** One schema version: DDL that brings the previous version to this one, `$s` standing for the schema. */
interface PostgresMigration {
  readonly version: number;
  readonly statements: readonly string[];
}

const postgresMigrations: readonly PostgresMigration[] = [
  {
    version: 1,
    statements: [
      `create table $s.customers (
        id text collate "C" primary key, name text, email text, billing_id text, coupon_id text,
        coupon_applied_at bigint, metadata text not null, created_at bigint not null,
        updated_at bigint not null, archived_at bigint)`,
      `create table $s.subscriptions (
        id text collate "C" primary key, customer_id text collate "C" not null, resource_id text collate "C",
        product_id text collate "C" not null, plan_id text not null, plan_version integer not null,
        billing_period text not null, addons text not null, billable_features text not null,
        entitlements text not null, metadata text not null, start_date bigint not null,
        billing_anchor bigint not null, usage_reset_at bigint not null, usage_epoch text not null,
        trial_end_date bigint, trial_end_behavior text, end_date bigint, cancellation_date bigint,
        cancel_reason text, end_before_conversion text, scheduled_updates text not null,
        created_at bigint not null, updated_at bigint not null)`,
      'create index subscriptions_customer on $s.subscriptions (customer_id, id)',
      `create table $s.promotions (
        id text collate "C" primary key, customer_id text collate "C" not null, feature_id text not null,
        period text not null, entitlement text not null, is_visible integer not null,
        start_date bigint not null, end_date bigint, created_at bigint not null, updated_at bigint not null)`,
      'create index promotions_customer on $s.promotions (customer_id, id)',
      // Folded at write time, under the customer's lock: a window's aggregate is always current.
      `create table $s.usage_counters (
        customer_id text collate "C" not null, resource_id text collate "C" not null,
        feature_id text collate "C" not null, window_key text collate "C" not null,
        period_start bigint, period_end bigint, value double precision not null,
        count integer not null, updated_at bigint not null,
        primary key (customer_id, resource_id, feature_id, window_key))`,
      // Usage history: every entry, logged already folded (folded = 1), for listUsageEntries.
      `create table $s.journal (
        seq bigserial primary key, origin text not null, customer_id text collate "C" not null,
        resource_id text collate "C", feature_id text collate "C", window_key text, period_start bigint,
        period_end bigint, op text, amount double precision, at bigint, dimensions text,
        folded integer default 1)`,
      'create index journal_history on $s.journal (customer_id, feature_id, resource_id, at)',
      // BRIN: entries arrive roughly in time order, and only the hourly retention prune reads by time.
      'create index journal_time on $s.journal using brin (at)',
      `create table $s.usage_unique (
        customer_id text collate "C" not null, resource_id text collate "C" not null,
        feature_id text collate "C" not null, window_key text collate "C" not null,
        member text collate "C" not null,
        primary key (customer_id, resource_id, feature_id, window_key, member))`,
      `create table $s.events (
        customer_id text collate "C" not null, idempotency_key text collate "C" not null,
        at bigint not null, primary key (customer_id, idempotency_key))`,
      'create index events_arrival on $s.events using brin (at)',
      'create table $s.store_state (name text collate "C" primary key, value bigint not null)',
      `create table $s.credit_grants (
        id text collate "C" primary key, customer_id text collate "C" not null,
        currency_id text collate "C" not null, resource_id text collate "C" not null,
        grant_type text not null, amount text not null, consumed text not null, priority integer not null,
        effective_at bigint not null, expire_at bigint, cost text, display_name text not null, comment text,
        metadata text not null, source text, created_at bigint not null, updated_at bigint not null,
        activated_at bigint, expired_at bigint, voided_at bigint)`,
      'create index credit_grants_pool on $s.credit_grants (customer_id, currency_id, resource_id, created_at)',
      `create table $s.credit_pools (
        customer_id text collate "C" not null, currency_id text collate "C" not null,
        resource_id text collate "C" not null, debt text not null,
        primary key (customer_id, currency_id, resource_id))`,
      // Written only under the customer's lock, so a customer's seqs grow in commit order: the page cursor.
      `create table $s.credit_ledger (
        seq bigserial primary key, customer_id text collate "C" not null, currency_id text collate "C" not null,
        resource_id text collate "C" not null, event_type text not null, entry text not null, at bigint)`,
      'create index credit_ledger_customer on $s.credit_ledger (customer_id, seq)',
      'create index credit_ledger_time on $s.credit_ledger (customer_id, at)',
      `create table $s.credit_settings (
        customer_id text collate "C" not null, currency_id text collate "C" not null,
        auto_recharge text not null, primary key (customer_id, currency_id))`,
      `create table $s.credit_event_fields (
        customer_id text collate "C" not null, currency_id text collate "C" not null,
        field text collate "C" not null, primary key (customer_id, currency_id, field))`,
      `create table $s.governance_entities (
        owner_id text collate "C" not null, entity_id text collate "C" not null,
        parent_id text collate "C" not null, display_name text, type text, metadata text not null,
        created_at bigint not null, updated_at bigint not null, primary key (owner_id, entity_id))`,
      `create table $s.governance_budgets (
        owner_id text collate "C" not null, entity_id text collate "C" not null,
        capability_id text collate "C" not null, limit_amount text not null, reset_period text,
        anchor bigint not null, created_at bigint not null, updated_at bigint not null,
        primary key (owner_id, entity_id, capability_id))`,
      `create table $s.governance_usage (
        owner_id text collate "C" not null, entity_id text collate "C" not null,
        capability_id text collate "C" not null, window_key text collate "C" not null,
        period_end bigint, amount text not null,
        primary key (owner_id, entity_id, capability_id, window_key))`,
      `create table $s.idempotency (
        scope text collate "C" not null, key text collate "C" not null, result text not null,
        created_at bigint not null, primary key (scope, key))`,
      `create table $s.package_versions (
        kind text collate "C" not null, ref_id text collate "C" not null, version integer not null,
        hash text not null, snapshot text not null, created_at bigint not null,
        primary key (kind, ref_id, version))`,
      // One row per lock key (customer:<id>, catalog), never deleted: a write locks its keys' rows.
      'create table $s.locks (key text collate "C" primary key)',
      // The change feed: one row per customer a commit changed, read by transaction id (see postgres-feed.ts).
      `create table $s.changes (
        seq bigserial primary key, xid xid8 not null default pg_current_xact_id(), origin text not null,
        customer_id text collate "C" not null,
        created_at bigint not null default (extract(epoch from clock_timestamp()) * 1000)::bigint)`,
      'create index changes_xid on $s.changes (xid)',
    ],
  },
  {
    // Usage rollups per hour and day, so history reads a few rows per point instead of every
    // entry; backfilled from the journal.
    version: 2,
    statements: [
      `create table $s.usage_rollups (
        customer_id text collate "C" not null, resource_id text collate "C" not null,
        feature_id text collate "C" not null, span bigint not null, bucket bigint not null,
        window_key text collate "C" not null, count integer not null, total double precision not null,
        high double precision not null, low double precision not null, kind text not null,
        primary key (customer_id, resource_id, feature_id, span, bucket, window_key))`,
      // The rollups a write adds (rollup-queries.ts) as of this version, for every span at once.
      `insert into $s.usage_rollups (customer_id, resource_id, feature_id, span, bucket, window_key, count, total, high, low, kind)
       select customer_id, resource_id, feature_id, span, bucket, window_key, count(*), sum(amount), max(amount), min(amount),
         case when min(kind) = max(kind) then min(kind) else 'ordered' end
       from (
         select customer_id, resource_id, feature_id, window_key, amount, s.span,
           at - ((at % s.span) + s.span) % s.span as bucket,
           case when op in ('add', 'avg') and amount >= 0 and amount = round(amount) then 'sum'
             when op in ('max', 'min') then op else 'ordered' end as kind
         from $s.journal, (values (3600000::bigint), (86400000)) s (span)
         where feature_id is not null) e
       group by customer_id, resource_id, feature_id, span, bucket, window_key`,
    ],
  },
  {
    // A pool is loaded from its held grants alone, through a partial index, so its closed and spent
    // grants cost nothing to load; what its spent grants still count is kept beside its debt.
    // Grants held before are marked held: the next write to their pool lets the spent ones go.
    version: 3,
    statements: [
      'alter table $s.credit_grants add column held integer not null default 1',
      `update $s.credit_grants set held = 0
        where expired_at is not null or (voided_at is not null and grant_type <> 'RECURRING')`,
      `create index credit_grants_held on $s.credit_grants (customer_id, currency_id, resource_id, id)
        where held = 1`,
      `alter table $s.credit_pools add column spent text not null default '0',
        add column spent_revision integer not null default 0`,
      `create table $s.credit_spent_expiries (
        customer_id text collate "C" not null, currency_id text collate "C" not null,
        resource_id text collate "C" not null, expire_at bigint not null, amount text not null,
        primary key (customer_id, currency_id, resource_id, expire_at))`,
    ],
  },
  {
    // A subscription's own usage period anchor, and budgets whose window spans several reset periods.
    version: 4,
    statements: [
      'alter table $s.subscriptions add column usage_period_anchor bigint',
      'alter table $s.governance_budgets add column reset_interval_count integer not null default 1',
    ],
  },
  {
    // Who pays for a subscription delegated to another customer, and the group a promotion was
    // granted in (grantPromotionalEntitlementsGroup); null for the rest.
    version: 5,
    statements: [
      'alter table $s.subscriptions add column paying_customer_id text',
      'alter table $s.promotions add column feature_group_id text',
    ],
  },
  {
    // Recurring grants (their recurrence, and the last boundary each was brought through), each
    // grant's rollover rule, and a pool's reset schedule; all null for what came before.
    version: 6,
    statements: [
      `alter table $s.credit_grants add column recurrence text, add column rollover text,
        add column refilled_at bigint`,
      'alter table $s.credit_pools add column schedule text',
    ],
  },
  {
    // Every report rewrites its counter and the rollups of its hour and day. Room left on their
    // pages lets PostgreSQL update those rows in place (HOT: no new index entries, dead versions
    // pruned on the page), which cut a 1,000-event batch's usage statement by about a quarter.
    // It applies to pages written from now on.
    version: 7,
    statements: [
      'alter table $s.usage_counters set (fillfactor = 50)',
      'alter table $s.usage_rollups set (fillfactor = 50)',
    ],
  },
];

/** The newest schema version this release knows. */
export const SCHEMA_VERSION = Math.max(...postgresMigrations.map((m) => m.version));

/**
 * Creates the schema when missing and applies the pending migrations, in one transaction that
 * holds an advisory lock derived from the schema's name: several instances starting at once
 * queue on it, and each sees what the one before it applied. `CREATE SCHEMA IF NOT EXISTS` alone
 * races (two creators can both fail on the catalog's unique index), so it runs under the lock too.
 */
export async function migrate(connection: PgConnection, schema: string, now: number): Promise<void> {
  const s = quoteIdent(schema);
  const run = (text: string, values?: readonly unknown[]) => connection.query('migrate', text, values, MAINTENANCE_MS);
  // A server that does not answer fails the open within the store's timeout; the lock may wait longer.
  await connection.query('migrate', 'begin isolation level read committed');
  try {
    await run('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`allot:${schema}`]);
    const { rows } = await run('select 1 from pg_namespace where nspname = $1', [schema]);
    if (rows.length === 0) await run(`create schema ${s}`);
    await run(`create table if not exists ${s}.migrations (version integer primary key, applied_at bigint not null)`);
    const applied = await run(`select version from ${s}.migrations`);
    const versions = new Set(applied.rows.map((r) => (r as { version: number }).version));
    const newest = Math.max(0, ...versions);
    // A newer release migrated this schema; its tables may not be what these queries expect.
    if (newest > SCHEMA_VERSION)
      throw new Error(`the schema is at version ${newest}, newer than this version of allot knows (${SCHEMA_VERSION})`);
    for (const migration of postgresMigrations) {
      if (versions.has(migration.version)) continue;
      for (const statement of migration.statements) await run(statement.replaceAll('$s', s));
      await run(`insert into ${s}.migrations (version, applied_at) values ($1, $2)`, [migration.version, now]);
    }
    await run('commit');
  } catch (e) {
    await run('rollback').catch(() => undefined);
    throw e;
  }
}
