// Column types are the plain ones SQLite and PostgreSQL share: text, integer epoch ms, double
// precision for usage values, and JSON stored as text (jsonb would not exist in SQLite).
import type { Generated } from 'kysely';

/** The SQL tables behind the SQL stores, as kysely sees them. */
export interface Database {
  customers: CustomersTable;
  subscriptions: SubscriptionsTable;
  promotions: PromotionsTable;
  usage: UsageTable;
  idempotency: IdempotencyTable;
  package_versions: PackageVersionsTable;
  change_log: ChangeLogTable;
  schema_migrations: SchemaMigrationsTable;
}

/** One customer; `metadata` is JSON text. */
export interface CustomersTable {
  id: string;
  name: string | null;
  email: string | null;
  billing_id: string | null;
  coupon_id: string | null;
  metadata: string;
  created_at: number;
  updated_at: number;
  archived_at: number | null;
}

/** One subscription; its list and map fields are JSON text. */
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
}

/** One usage counter, keyed by (customer_id, resource_id, feature_id); `resource_id` '' stands for null. */
export interface UsageTable {
  customer_id: string;
  resource_id: string;
  feature_id: string;
  value: number;
  /** The usage window's key; `window` itself is reserved in SQL. */
  window_key: string;
  updated_at: number;
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

/** One row per customer touched by a committed write, read by other processes to invalidate caches. */
export interface ChangeLogTable {
  seq: Generated<number>;
  customer_id: string;
  at: number;
}

/** The migrations applied to this database. */
export interface SchemaMigrationsTable {
  version: number;
  applied_at: number;
}
