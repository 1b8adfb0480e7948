// Column types are the plain ones SQLite and PostgreSQL share: text, integer epoch ms, double
// precision for usage values, and JSON stored as text (jsonb would not exist in SQLite).
import type { Generated } from 'kysely';

/** The SQL tables behind the SQL stores, as kysely sees them. */
export interface Database {
  customers: CustomersTable;
  subscriptions: SubscriptionsTable;
  promotions: PromotionsTable;
  usage_counters: UsageCountersTable;
  usage_rollups: UsageRollupsTable;
  journal: JournalTable;
  usage_unique: UsageUniqueTable;
  events: EventsTable;
  store_state: StoreStateTable;
  credit_grants: CreditGrantsTable;
  credit_pools: CreditPoolsTable;
  credit_spent_expiries: CreditSpentExpiriesTable;
  credit_ledger: CreditLedgerTable;
  credit_settings: CreditSettingsTable;
  credit_event_fields: CreditEventFieldsTable;
  governance_entities: GovernanceEntitiesTable;
  governance_budgets: GovernanceBudgetsTable;
  governance_usage: GovernanceUsageTable;
  idempotency: IdempotencyTable;
  package_versions: PackageVersionsTable;
  schema_migrations: SchemaMigrationsTable;
}

/** One customer; `metadata` is JSON text, with the billing details when it has any (see `metadataColumn`). */
export interface CustomersTable {
  id: string;
  name: string | null;
  email: string | null;
  billing_id: string | null;
  coupon_id: string | null;
  coupon_applied_at: number | null;
  metadata: string;
  created_at: number;
  updated_at: number;
  archived_at: number | null;
}

/** One subscription; its list and map fields are JSON text, `metadata` with the billing details (see `metadataColumn`). */
export interface SubscriptionsTable {
  id: string;
  customer_id: string;
  resource_id: string | null;
  product_id: string;
  plan_id: string;
  plan_version: number;
  billing_period: string;
  addons: string;
  billable_features: string;
  entitlements: string;
  metadata: string;
  start_date: number;
  billing_anchor: number;
  /** `SubscriptionRecord.usagePeriodAnchor`, or null (v6). */
  usage_period_anchor: number | null;
  usage_reset_at: number;
  usage_epoch: string;
  trial_end_date: number | null;
  trial_end_behavior: string | null;
  end_date: number | null;
  cancellation_date: number | null;
  cancel_reason: string | null;
  /** JSON of `SubscriptionRecord.endBeforeConversion`, or null. */
  end_before_conversion: string | null;
  scheduled_updates: string;
  created_at: number;
  updated_at: number;
  /** Set while the subscription is delegated to another customer (schema version 6 / 4). */
  paying_customer_id: string | null;
}

/** One promotional entitlement; `entitlement` is JSON text, `is_visible` 0 or 1. */
export interface PromotionsTable {
  id: string;
  customer_id: string;
  feature_id: string;
  period: string;
  entitlement: string;
  is_visible: number;
  start_date: number;
  end_date: number | null;
  created_at: number;
  updated_at: number;
  /** The group of `grantPromotionalEntitlementsGroup`, or null (schema version 6 / 4). */
  feature_group_id: string | null;
}

/**
 * The folded aggregate of one usage window, keyed by (customer_id, resource_id, feature_id,
 * window_key); `resource_id` '' stands for null. Entries newer than the fold are still in `journal`.
 */
export interface UsageCountersTable {
  customer_id: string;
  resource_id: string;
  feature_id: string;
  /** The usage window's key; `window` itself is reserved in SQL. */
  window_key: string;
  period_start: number | null;
  period_end: number | null;
  value: number;
  count: number;
  updated_at: number;
}

/**
 * Per counter, window and bucket (`span` ms from `bucket`: an hour and a day), the summary of
 * the entries in it that history reads instead of them (see core/usage-summary.ts); `resource_id`
 * '' stands for null. On SQLite it holds the folded entries only.
 */
export interface UsageRollupsTable {
  customer_id: string;
  resource_id: string;
  feature_id: string;
  span: number;
  bucket: number;
  window_key: string;
  count: number;
  total: number;
  high: number;
  low: number;
  /** A `SummaryKind`. */
  kind: string;
}

/** The columns a usage entry has in `journal`. */
export interface UsageEntryColumns {
  resource_id: string;
  feature_id: string;
  window_key: string;
  period_start: number | null;
  period_end: number | null;
  op: string;
  amount: number;
  at: number;
  /** JSON text, or null. */
  dimensions: string | null;
}

/**
 * Append-only, the one write a usage report makes: a row per usage entry, and a row with null
 * usage columns per customer another write changed. Other processes read it as their change
 * feed. Entries are folded into `usage_counters` in batches, which also sets `folded` and so
 * adds them to the history index: the index costs one batch of writes, not one per report.
 */
export interface JournalTable extends Nullable<UsageEntryColumns> {
  seq: Generated<number>;
  /** The store instance that wrote it, so a process skips its own commits in the feed. */
  origin: string;
  customer_id: string;
  /** 1 once folded (and in the history index); null before. */
  folded: number | null;
}

type Nullable<T> = { [K in keyof T]: T[K] | null };

/** A journal row that holds a usage entry. */
export type UsageEntryRow = UsageEntryColumns & { seq: number; customer_id: string };

/** The members of each UNIQUE window. */
export interface UsageUniqueTable {
  customer_id: string;
  resource_id: string;
  feature_id: string;
  window_key: string;
  member: string;
}

/**
 * The idempotency keys of raw events, per customer: what dedupes them. Kept narrow, since every
 * event inserts one at a random place in this b-tree; what an event counted is in `journal`.
 */
export interface EventsTable {
  customer_id: string;
  idempotency_key: string;
  /** When it arrived (not its own timestamp), so retention forgets a key only after its retries. */
  at: number;
}

/** One credit grant; amounts are decimal text, `resource_id` '' stands for null, JSON fields as text. */
export interface CreditGrantsTable {
  id: string;
  customer_id: string;
  currency_id: string;
  resource_id: string;
  grant_type: string;
  amount: string;
  consumed: string;
  priority: number;
  effective_at: number;
  expire_at: number | null;
  cost: string | null;
  display_name: string;
  comment: string | null;
  metadata: string;
  source: string | null;
  /** JSON of a caller's recurring grant's recurrence, or null. */
  recurrence: string | null;
  /** JSON of the grant's rollover rule, or null. */
  rollover: string | null;
  created_at: number;
  updated_at: number;
  activated_at: number | null;
  refilled_at: number | null;
  expired_at: number | null;
  voided_at: number | null;
  /** 1 while its pool holds it (`isHeldGrant`), else 0: a partial index serves the held ones. */
  held: number;
}

/**
 * A credit pool's totals, once it has any: its debt, the sum and revision of its spent credits,
 * and its reset schedule (JSON, or null).
 */
export interface CreditPoolsTable {
  customer_id: string;
  currency_id: string;
  resource_id: string;
  debt: string;
  spent: string;
  spent_revision: number;
  schedule: string | null;
}

/** What of a pool's spent credits expires at `expire_at`; an amount above 0. */
export interface CreditSpentExpiriesTable {
  customer_id: string;
  currency_id: string;
  resource_id: string;
  expire_at: number;
  amount: string;
}

/** The append-only credit ledger; `entry` is the whole entry as JSON, the other columns index it. */
export interface CreditLedgerTable {
  seq: Generated<number>;
  customer_id: string;
  currency_id: string;
  resource_id: string;
  event_type: string;
  entry: string;
  /** The entry's instant, for time-range reads (v3; older rows backfilled from `entry`). */
  at: number | null;
}

/** The dimension keys a customer's consumptions of a currency have carried, for getCreditEventsFields. */
export interface CreditEventFieldsTable {
  customer_id: string;
  currency_id: string;
  field: string;
}

/** One entity of an owner's governance tree; `parent_id` '' is a root, `metadata` JSON text. */
export interface GovernanceEntitiesTable {
  owner_id: string;
  entity_id: string;
  parent_id: string;
  display_name: string | null;
  type: string | null;
  metadata: string;
  created_at: number;
  updated_at: number;
}

/** A budget of one entity for one capability; `limit_amount` a decimal string. */
export interface GovernanceBudgetsTable {
  owner_id: string;
  entity_id: string;
  capability_id: string;
  limit_amount: string;
  reset_period: string | null;
  /** 1 unless the budget spans several reset periods (v6). */
  reset_interval_count: number;
  anchor: number;
  created_at: number;
  updated_at: number;
}

/** Usage of a budget's window; `amount` a decimal string, `window_key` the window's start or 'all'. */
export interface GovernanceUsageTable {
  owner_id: string;
  entity_id: string;
  capability_id: string;
  window_key: string;
  period_end: number | null;
  amount: string;
}

/** A customer's automatic recharge settings per credit currency, as JSON. */
export interface CreditSettingsTable {
  customer_id: string;
  currency_id: string;
  auto_recharge: string;
}

/** Named integers the store keeps about itself: the journal's fold position, feed floor and fractional flag. */
export interface StoreStateTable {
  name: string;
  value: number;
}

/** The JSON text result of an idempotent write, keyed by (scope, key). */
export interface IdempotencyTable {
  scope: string;
  key: string;
  result: string;
  created_at: number;
}

/** A stored plan or add-on version, keyed by (kind, ref_id, version); `snapshot` is JSON text. */
export interface PackageVersionsTable {
  kind: string;
  ref_id: string;
  version: number;
  hash: string;
  snapshot: string;
  created_at: number;
}

/** The migrations applied to this database. */
export interface SchemaMigrationsTable {
  version: number;
  applied_at: number;
}
