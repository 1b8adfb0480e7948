// Generated from sqlite-sql.ts by scripts/compile-sql.ts (`npm run compile-sql`): do not edit.
// test/sqlite-sql.test.ts fails when this no longer matches the builders.
import type { SqliteStatementName } from './sqlite-sql.js';
import type { CompiledMigration, CompiledStatement } from './sqlite-compiled.js';

export const statements = {
  selectCustomer: { sql: `select * from "customers" where "id" = ?`, slots: ["customerId"] },
  upsertCustomer: { sql: `insert into "customers" ("id", "name", "email", "billing_id", "coupon_id", "coupon_applied_at", "metadata", "created_at", "updated_at", "archived_at") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict ("id") do update set "name" = ?, "email" = ?, "billing_id" = ?, "coupon_id" = ?, "coupon_applied_at" = ?, "metadata" = ?, "created_at" = ?, "updated_at" = ?, "archived_at" = ?`, slots: ["id","name","email","billing_id","coupon_id","coupon_applied_at","metadata","created_at","updated_at","archived_at","name","email","billing_id","coupon_id","coupon_applied_at","metadata","created_at","updated_at","archived_at"] },
  selectSubscription: { sql: `select * from "subscriptions" where "id" = ?`, slots: ["subscriptionId"] },
  selectCustomerSubscriptions: { sql: `select * from "subscriptions" where "customer_id" = ? order by "id"`, slots: ["customerId"] },
  upsertSubscription: { sql: `insert into "subscriptions" ("id", "customer_id", "resource_id", "product_id", "plan_id", "plan_version", "billing_period", "addons", "billable_features", "entitlements", "metadata", "start_date", "billing_anchor", "usage_period_anchor", "usage_reset_at", "usage_epoch", "trial_end_date", "trial_end_behavior", "end_date", "cancellation_date", "cancel_reason", "end_before_conversion", "scheduled_updates", "created_at", "updated_at", "paying_customer_id") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict ("id") do update set "customer_id" = ?, "resource_id" = ?, "product_id" = ?, "plan_id" = ?, "plan_version" = ?, "billing_period" = ?, "addons" = ?, "billable_features" = ?, "entitlements" = ?, "metadata" = ?, "start_date" = ?, "billing_anchor" = ?, "usage_period_anchor" = ?, "usage_reset_at" = ?, "usage_epoch" = ?, "trial_end_date" = ?, "trial_end_behavior" = ?, "end_date" = ?, "cancellation_date" = ?, "cancel_reason" = ?, "end_before_conversion" = ?, "scheduled_updates" = ?, "created_at" = ?, "updated_at" = ?, "paying_customer_id" = ?`, slots: ["id","customer_id","resource_id","product_id","plan_id","plan_version","billing_period","addons","billable_features","entitlements","metadata","start_date","billing_anchor","usage_period_anchor","usage_reset_at","usage_epoch","trial_end_date","trial_end_behavior","end_date","cancellation_date","cancel_reason","end_before_conversion","scheduled_updates","created_at","updated_at","paying_customer_id","customer_id","resource_id","product_id","plan_id","plan_version","billing_period","addons","billable_features","entitlements","metadata","start_date","billing_anchor","usage_period_anchor","usage_reset_at","usage_epoch","trial_end_date","trial_end_behavior","end_date","cancellation_date","cancel_reason","end_before_conversion","scheduled_updates","created_at","updated_at","paying_customer_id"] },
  selectCustomerPromotions: { sql: `select * from "promotions" where "customer_id" = ? order by "id"`, slots: ["customerId"] },
  upsertPromotion: { sql: `insert into "promotions" ("id", "customer_id", "feature_id", "period", "entitlement", "is_visible", "start_date", "end_date", "created_at", "updated_at", "feature_group_id") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict ("id") do update set "customer_id" = ?, "feature_id" = ?, "period" = ?, "entitlement" = ?, "is_visible" = ?, "start_date" = ?, "end_date" = ?, "created_at" = ?, "updated_at" = ?, "feature_group_id" = ?`, slots: ["id","customer_id","feature_id","period","entitlement","is_visible","start_date","end_date","created_at","updated_at","feature_group_id","customer_id","feature_id","period","entitlement","is_visible","start_date","end_date","created_at","updated_at","feature_group_id"] },
  deletePromotion: { sql: `delete from "promotions" where "id" = ? returning "customer_id"`, slots: ["promotionId"] },
  selectCustomerUsage: { sql: `select * from "usage_counters" where "customer_id" = ? and ("period_end" is null or "period_end" > ?) order by "resource_id", "feature_id", "window_key"`, slots: ["customerId","now"] },
  selectUsageCounter: { sql: `select * from "usage_counters" where "customer_id" = ? and "resource_id" = ? and "feature_id" = ? and "window_key" = ?`, slots: ["customer_id","resource_id","feature_id","window_key"] },
  upsertUsageCounter: { sql: `insert into "usage_counters" ("customer_id", "resource_id", "feature_id", "window_key", "period_start", "period_end", "value", "count", "updated_at") values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict ("customer_id", "resource_id", "feature_id", "window_key") do update set "period_start" = ?, "period_end" = ?, "value" = ?, "count" = ?, "updated_at" = ?`, slots: ["customer_id","resource_id","feature_id","window_key","period_start","period_end","value","count","updated_at","period_start","period_end","value","count","updated_at"] },
  insertUniqueMember: { sql: `insert into "usage_unique" ("customer_id", "resource_id", "feature_id", "window_key", "member") values (?, ?, ?, ?, ?) on conflict do nothing`, slots: ["customer_id","resource_id","feature_id","window_key","member"] },
  insertEvent: { sql: `insert into "events" ("customer_id", "idempotency_key", "at") values (?, ?, ?) on conflict do nothing`, slots: ["customer_id","idempotency_key","at"] },
  deleteEventsBefore: { sql: `delete from "events" where "at" < ?`, slots: ["before"] },
  selectUsageHistory: { sql: `select * from "journal" where "customer_id" = ? and "feature_id" = ? and "folded" is not null and ("at" >= ? and "at" < ?) and "resource_id" = ? order by "at", "seq"`, slots: ["customerId","featureId",["froms",0],["befores",0],"resourceId"] },
  selectJournalCells: { sql: `select window_key as "window_key", (at - cast(? as bigint)) / cast(? as bigint) as "cell", count(*) as "count", sum(amount) as "total", max(amount) as "high", min(amount) as "low", case when min(case when op in ('add', 'avg') and amount >= 0 and amount = round(amount) then 'sum' when op in ('max', 'min') then op else 'ordered' end) = max(case when op in ('add', 'avg') and amount >= 0 and amount = round(amount) then 'sum' when op in ('max', 'min') then op else 'ordered' end) then min(case when op in ('add', 'avg') and amount >= 0 and amount = round(amount) then 'sum' when op in ('max', 'min') then op else 'ordered' end) else 'ordered' end as "kind", min(at) as "start_at", max(at) + 1 as "end_at" from "journal" where "customer_id" = ? and "feature_id" = ? and "folded" is not null and ("at" >= ? and "at" < ?) and "resource_id" = ? group by window_key, cell`, slots: ["origin","width","customerId","featureId",["froms",0],["befores",0],"resourceId"] },
  selectUnfoldedCells: { sql: `select window_key as "window_key", (at - cast(? as bigint)) / cast(? as bigint) as "cell", count(*) as "count", sum(amount) as "total", max(amount) as "high", min(amount) as "low", case when min(case when op in ('add', 'avg') and amount >= 0 and amount = round(amount) then 'sum' when op in ('max', 'min') then op else 'ordered' end) = max(case when op in ('add', 'avg') and amount >= 0 and amount = round(amount) then 'sum' when op in ('max', 'min') then op else 'ordered' end) then min(case when op in ('add', 'avg') and amount >= 0 and amount = round(amount) then 'sum' when op in ('max', 'min') then op else 'ordered' end) else 'ordered' end as "kind", min(at) as "start_at", max(at) + 1 as "end_at" from "journal" where "customer_id" = ? and "feature_id" = ? and "seq" > ? and ("at" >= ? and "at" < ?) and "resource_id" = ? group by window_key, cell`, slots: ["origin","width","customerId","featureId","afterSeq",["froms",0],["befores",0],"resourceId"] },
  deleteRollupsBefore: { sql: `delete from "usage_rollups" where "bucket" < ?`, slots: ["before"] },
  rebuildRollups: { sql: `insert into "usage_rollups" ("customer_id", "resource_id", "feature_id", "span", "bucket", "window_key", "count", "total", "high", "low", "kind") select "e"."customer_id", "e"."resource_id", "e"."feature_id", "e"."span", "e"."bucket", "e"."window_key", count(*) as "count", sum("e"."amount") as "total", max("e"."amount") as "high", min("e"."amount") as "low", case when min("e"."kind") = max("e"."kind") then min("e"."kind") else 'ordered' end as "kind" from (select "customer_id", "resource_id", "feature_id", "window_key", "amount", "s"."span", at - ((at % s.span) + s.span) % s.span as "bucket", case when op in ('add', 'avg') and amount >= 0 and amount = round(amount) then 'sum' when op in ('max', 'min') then op else 'ordered' end as "kind" from "journal", (select 3600000 as "span" union all select 86400000 as "span") as "s" where ("folded" is not null and "feature_id" is not null and "at" < ?)) as "e" where "e"."bucket" < ? group by "e"."customer_id", "e"."resource_id", "e"."feature_id", "e"."span", "e"."bucket", "e"."window_key" on conflict ("customer_id", "resource_id", "feature_id", "span", "bucket", "window_key") do update set "count" = "usage_rollups"."count" + "excluded"."count", "total" = "usage_rollups"."total" + "excluded"."total", "high" = case when "excluded"."high" > "usage_rollups"."high" then "excluded"."high" else "usage_rollups"."high" end, "low" = case when "excluded"."low" < "usage_rollups"."low" then "excluded"."low" else "usage_rollups"."low" end, "kind" = case when "excluded"."kind" = "usage_rollups"."kind" then "excluded"."kind" else 'ordered' end`, slots: ["until","before"] },
  deleteUsageHistoryBefore: { sql: `delete from "journal" where "folded" is not null and "at" < ? and "seq" < ?`, slots: ["before","lastSeq"] },
  selectUsageHistoryPruneEnd: { sql: `select max("seq") as "seq" from "journal" where "folded" is not null and "at" < ? and "seq" < ?`, slots: ["before","lastSeq"] },
  insertJournalEntry: { sql: `insert into "journal" ("customer_id", "resource_id", "feature_id", "window_key", "period_start", "period_end", "op", "amount", "at", "dimensions", "origin") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, slots: ["customer_id","resource_id","feature_id","window_key","period_start","period_end","op","amount","at","dimensions","origin"] },
  insertJournalChange: { sql: `insert into "journal" ("origin", "customer_id") values (?, ?)`, slots: ["origin","customerId"] },
  selectJournalLast: { sql: `select "seq" from "journal" order by "seq" desc limit ?`, slots: [{"value":1}] },
  selectChangedCustomers: { sql: `select distinct "customer_id" from "journal" where "seq" > ? and "origin" <> ?`, slots: ["afterSeq","origin"] },
  selectJournalEntries: { sql: `select * from "journal" where ("seq" > ? and "seq" <= ? and "feature_id" is not null) order by "seq"`, slots: ["afterSeq","throughSeq"] },
  selectJournalComplexEntry: { sql: `select "seq" from "journal" where ("seq" > ? and "seq" <= ? and "feature_id" is not null) and ("op" <> ? or "amount" < ? or "amount" <> round("amount")) limit ?`, slots: ["afterSeq","throughSeq",{"value":"add"},{"value":0},{"value":1}] },
  createFoldGroups: { sql: `create temporary table if not exists "fold_groups" ("customer_id" text not null, "resource_id" text not null, "feature_id" text not null, "window_key" text not null, "day" bigint not null, "hour" bigint not null, "count" integer not null, "total" double precision not null, "high" double precision not null, "low" double precision not null, "kind" text not null, "period_start" bigint, "period_end" bigint, "last_at" bigint not null, constraint "fold_groups_pk" primary key ("customer_id", "resource_id", "feature_id", "window_key", "day", "hour")) without rowid`, slots: [] },
  insertFoldGroups: { sql: `insert into "fold_groups" ("customer_id", "resource_id", "feature_id", "window_key", "day", "hour", "count", "total", "high", "low", "kind", "period_start", "period_end", "last_at") select coalesce("customer_id", ?) as "customer_id", coalesce("resource_id", ?) as "resource_id", coalesce("feature_id", ?) as "feature_id", coalesce("window_key", ?) as "window_key", at - ((at % 86400000) + 86400000) % 86400000 as "day", at - ((at % 3600000) + 3600000) % 3600000 as "hour", count(*) as "count", sum("amount") as "total", max("amount") as "high", min("amount") as "low", case when min(case when op in ('add', 'avg') and amount >= 0 and amount = round(amount) then 'sum' when op in ('max', 'min') then op else 'ordered' end) = max(case when op in ('add', 'avg') and amount >= 0 and amount = round(amount) then 'sum' when op in ('max', 'min') then op else 'ordered' end) then min(case when op in ('add', 'avg') and amount >= 0 and amount = round(amount) then 'sum' when op in ('max', 'min') then op else 'ordered' end) else 'ordered' end as "kind", max("period_start") as "period_start", max("period_end") as "period_end", max("at") as "last_at" from "journal" where ("seq" > ? and "seq" <= ? and "feature_id" is not null) group by "customer_id", "resource_id", "feature_id", "window_key", "hour"`, slots: [{"value":""},{"value":""},{"value":""},{"value":""},"afterSeq","throughSeq"] },
  foldGroupCounters: { sql: `insert into "usage_counters" ("customer_id", "resource_id", "feature_id", "window_key", "period_start", "period_end", "value", "count", "updated_at") select "customer_id", "resource_id", "feature_id", "window_key", max("period_start") as "period_start", max("period_end") as "period_end", sum("total") as "value", sum("count") as "count", max("last_at") as "updated_at" from "fold_groups" group by "customer_id", "resource_id", "feature_id", "window_key" on conflict ("customer_id", "resource_id", "feature_id", "window_key") do update set "value" = "usage_counters"."value" + "excluded"."value", "count" = "usage_counters"."count" + "excluded"."count", "period_start" = "excluded"."period_start", "period_end" = "excluded"."period_end", "updated_at" = "excluded"."updated_at"`, slots: [] },
  foldGroupHours: { sql: `insert into "usage_rollups" ("customer_id", "resource_id", "feature_id", "span", "bucket", "window_key", "count", "total", "high", "low", "kind") select "customer_id", "resource_id", "feature_id", 3600000 as "span", "hour" as "bucket", "window_key", "count", "total", "high", "low", "kind" from "fold_groups" where true on conflict ("customer_id", "resource_id", "feature_id", "span", "bucket", "window_key") do update set "count" = "usage_rollups"."count" + "excluded"."count", "total" = "usage_rollups"."total" + "excluded"."total", "high" = case when "excluded"."high" > "usage_rollups"."high" then "excluded"."high" else "usage_rollups"."high" end, "low" = case when "excluded"."low" < "usage_rollups"."low" then "excluded"."low" else "usage_rollups"."low" end, "kind" = case when "excluded"."kind" = "usage_rollups"."kind" then "excluded"."kind" else 'ordered' end`, slots: [] },
  foldGroupDays: { sql: `insert into "usage_rollups" ("customer_id", "resource_id", "feature_id", "span", "bucket", "window_key", "count", "total", "high", "low", "kind") select "customer_id", "resource_id", "feature_id", 86400000 as "span", "day" as "bucket", "window_key", sum("count") as "count", sum("total") as "total", max("high") as "high", min("low") as "low", case when min("kind") = max("kind") then min("kind") else 'ordered' end as "kind" from "fold_groups" group by "customer_id", "resource_id", "feature_id", "window_key", "day" on conflict ("customer_id", "resource_id", "feature_id", "span", "bucket", "window_key") do update set "count" = "usage_rollups"."count" + "excluded"."count", "total" = "usage_rollups"."total" + "excluded"."total", "high" = case when "excluded"."high" > "usage_rollups"."high" then "excluded"."high" else "usage_rollups"."high" end, "low" = case when "excluded"."low" < "usage_rollups"."low" then "excluded"."low" else "usage_rollups"."low" end, "kind" = case when "excluded"."kind" = "usage_rollups"."kind" then "excluded"."kind" else 'ordered' end`, slots: [] },
  clearFoldGroups: { sql: `delete from "fold_groups"`, slots: [] },
  markJournalFolded: { sql: `update "journal" set "folded" = ? where ("seq" > ? and "seq" <= ? and "feature_id" is not null)`, slots: [{"value":1},"afterSeq","throughSeq"] },
  deleteJournalChanges: { sql: `delete from "journal" where "seq" > ? and "seq" <= ? and "feature_id" is null`, slots: ["afterSeq","throughSeq"] },
  selectCustomerJournal: { sql: `select * from "journal" where "seq" > ? and "customer_id" = ? and "feature_id" is not null order by "seq"`, slots: ["afterSeq","customerId"] },
  selectStoreStates: { sql: `select "name", "value" from "store_state"`, slots: [] },
  selectHeldCreditGrants: { sql: `select * from "credit_grants" where "customer_id" = ? and "currency_id" = ? and "resource_id" = ? and "held" = 1 order by "id"`, slots: ["customerId","currencyId","resourceId"] },
  selectCreditGrant: { sql: `select * from "credit_grants" where "id" = ?`, slots: ["grantId"] },
  selectCustomerCreditGrants: { sql: `select * from "credit_grants" where "customer_id" = ? order by "created_at", "id"`, slots: ["customerId"] },
  upsertCreditGrant: { sql: `insert into "credit_grants" ("id", "customer_id", "currency_id", "resource_id", "grant_type", "amount", "consumed", "priority", "effective_at", "expire_at", "cost", "display_name", "comment", "metadata", "source", "recurrence", "rollover", "created_at", "updated_at", "activated_at", "refilled_at", "expired_at", "voided_at", "held") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict ("id") do update set "customer_id" = ?, "currency_id" = ?, "resource_id" = ?, "grant_type" = ?, "amount" = ?, "consumed" = ?, "priority" = ?, "effective_at" = ?, "expire_at" = ?, "cost" = ?, "display_name" = ?, "comment" = ?, "metadata" = ?, "source" = ?, "recurrence" = ?, "rollover" = ?, "created_at" = ?, "updated_at" = ?, "activated_at" = ?, "refilled_at" = ?, "expired_at" = ?, "voided_at" = ?, "held" = ?`, slots: ["id","customer_id","currency_id","resource_id","grant_type","amount","consumed","priority","effective_at","expire_at","cost","display_name","comment","metadata","source","recurrence","rollover","created_at","updated_at","activated_at","refilled_at","expired_at","voided_at","held","customer_id","currency_id","resource_id","grant_type","amount","consumed","priority","effective_at","expire_at","cost","display_name","comment","metadata","source","recurrence","rollover","created_at","updated_at","activated_at","refilled_at","expired_at","voided_at","held"] },
  selectCreditTotals: { sql: `select "debt", "spent", "spent_revision", "schedule" from "credit_pools" where "customer_id" = ? and "currency_id" = ? and "resource_id" = ?`, slots: ["customerId","currencyId","resourceId"] },
  upsertCreditTotals: { sql: `insert into "credit_pools" ("customer_id", "currency_id", "resource_id", "debt", "spent", "spent_revision", "schedule") values (?, ?, ?, ?, ?, ?, ?) on conflict ("customer_id", "currency_id", "resource_id") do update set "debt" = ?, "spent" = ?, "spent_revision" = ?, "schedule" = ?`, slots: ["customer_id","currency_id","resource_id","debt","spent","spent_revision","schedule","debt","spent","spent_revision","schedule"] },
  selectCreditSpentExpiries: { sql: `select * from "credit_spent_expiries" where "customer_id" = ? and "currency_id" = ? and "resource_id" = ? order by "expire_at"`, slots: ["customerId","currencyId","resourceId"] },
  upsertCreditSpentExpiry: { sql: `insert into "credit_spent_expiries" ("customer_id", "currency_id", "resource_id", "expire_at", "amount") values (?, ?, ?, ?, ?) on conflict ("customer_id", "currency_id", "resource_id", "expire_at") do update set "amount" = ?`, slots: ["customer_id","currency_id","resource_id","expire_at","amount","amount"] },
  deleteCreditSpentExpiry: { sql: `delete from "credit_spent_expiries" where "customer_id" = ? and "currency_id" = ? and "resource_id" = ? and "expire_at" = ?`, slots: ["customer_id","currency_id","resource_id","expire_at"] },
  insertCreditLedgerEntry: { sql: `insert into "credit_ledger" ("customer_id", "currency_id", "resource_id", "event_type", "entry", "at") values (?, ?, ?, ?, ?, ?)`, slots: ["customer_id","currency_id","resource_id","event_type","entry","at"] },
  selectCustomerHeldCreditGrants: { sql: `select * from "credit_grants" where "customer_id" = ? and "held" = 1 order by "currency_id", "resource_id", "id"`, slots: ["customerId"] },
  selectCustomerCreditTotals: { sql: `select * from "credit_pools" where "customer_id" = ?`, slots: ["customerId"] },
  selectCustomerCreditSpentExpiries: { sql: `select * from "credit_spent_expiries" where "customer_id" = ? order by "expire_at"`, slots: ["customerId"] },
  selectCreditConsumption: { sql: `select "entry", "currency_id", "resource_id" from "credit_ledger" where "customer_id" = ? and "at" >= ? and "at" < ? and "event_type" in (?, ?) order by "at", "seq"`, slots: ["customerId","from","before",{"value":"CREDITS_CONSUMED"},{"value":"DEBT_CREATED"}] },
  insertCreditEventField: { sql: `insert into "credit_event_fields" ("customer_id", "currency_id", "field") values (?, ?, ?) on conflict do nothing`, slots: ["customer_id","currency_id","field"] },
  selectCreditEventFields: { sql: `select "currency_id", "field" from "credit_event_fields" where "customer_id" = ?`, slots: ["customerId"] },
  selectGovernanceEntities: { sql: `select * from "governance_entities" where "owner_id" = ? order by "entity_id"`, slots: ["ownerId"] },
  selectGovernanceBudgets: { sql: `select * from "governance_budgets" where "owner_id" = ? order by "entity_id", "capability_id"`, slots: ["ownerId"] },
  selectGovernanceUsage: { sql: `select * from "governance_usage" where "owner_id" = ? and ("period_end" is null or "period_end" > ?)`, slots: ["ownerId","now"] },
  upsertGovernanceEntity: { sql: `insert into "governance_entities" ("owner_id", "entity_id", "parent_id", "display_name", "type", "metadata", "created_at", "updated_at") values (?, ?, ?, ?, ?, ?, ?, ?) on conflict ("owner_id", "entity_id") do update set "parent_id" = ?, "display_name" = ?, "type" = ?, "metadata" = ?, "updated_at" = ?`, slots: ["owner_id","entity_id","parent_id","display_name","type","metadata","created_at","updated_at","parent_id","display_name","type","metadata","updated_at"] },
  deleteGovernanceEntity: { sql: `delete from "governance_entities" where "owner_id" = ? and "entity_id" = ?`, slots: ["ownerId","entityId"] },
  upsertGovernanceBudget: { sql: `insert into "governance_budgets" ("owner_id", "entity_id", "capability_id", "limit_amount", "reset_period", "reset_interval_count", "anchor", "created_at", "updated_at") values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict ("owner_id", "entity_id", "capability_id") do update set "limit_amount" = ?, "reset_period" = ?, "reset_interval_count" = ?, "anchor" = ?, "updated_at" = ?`, slots: ["owner_id","entity_id","capability_id","limit_amount","reset_period","reset_interval_count","anchor","created_at","updated_at","limit_amount","reset_period","reset_interval_count","anchor","updated_at"] },
  deleteGovernanceBudgets: { sql: `delete from "governance_budgets" where "owner_id" = ? and "entity_id" = ?`, slots: ["ownerId","entityId"] },
  deleteGovernanceCapabilityBudget: { sql: `delete from "governance_budgets" where "owner_id" = ? and "entity_id" = ? and "capability_id" = ?`, slots: ["ownerId","entityId","capabilityId"] },
  deleteGovernanceUsage: { sql: `delete from "governance_usage" where "owner_id" = ? and "entity_id" = ?`, slots: ["ownerId","entityId"] },
  deleteGovernanceCapabilityUsage: { sql: `delete from "governance_usage" where "owner_id" = ? and "entity_id" = ? and "capability_id" = ?`, slots: ["ownerId","entityId","capabilityId"] },
  upsertGovernanceUsage: { sql: `insert into "governance_usage" ("owner_id", "entity_id", "capability_id", "window_key", "period_end", "amount") values (?, ?, ?, ?, ?, ?) on conflict ("owner_id", "entity_id", "capability_id", "window_key") do update set "amount" = ?, "period_end" = ?`, slots: ["owner_id","entity_id","capability_id","window_key","period_end","amount","amount","period_end"] },
  selectCreditLedger: { sql: `select "seq", "entry", "currency_id", "resource_id", "event_type" from "credit_ledger" where "customer_id" = ? and "seq" > ? order by "seq" limit ?`, slots: ["customerId","afterSeq","limit"] },
  selectAutoRecharge: { sql: `select "auto_recharge" from "credit_settings" where "customer_id" = ? and "currency_id" = ?`, slots: ["customerId","currencyId"] },
  upsertAutoRecharge: { sql: `insert into "credit_settings" ("customer_id", "currency_id", "auto_recharge") values (?, ?, ?) on conflict ("customer_id", "currency_id") do update set "auto_recharge" = ?`, slots: ["customer_id","currency_id","auto_recharge","auto_recharge"] },
  upsertStoreState: { sql: `insert into "store_state" ("name", "value") values (?, ?) on conflict ("name") do update set "value" = ?`, slots: ["name","value","value"] },
  selectIdempotencyResult: { sql: `select "result" from "idempotency" where "scope" = ? and "key" = ?`, slots: ["scope","key"] },
  insertIdempotencyResult: { sql: `insert into "idempotency" ("scope", "key", "result", "created_at") values (?, ?, ?, ?) on conflict ("scope", "key") do nothing`, slots: ["scope","key","result","created_at"] },
  selectPackageVersions: { sql: `select * from "package_versions" order by "kind", "ref_id", "version"`, slots: [] },
  selectCustomerPage: { sql: `select * from "customers" where "id" > ? order by "id" limit ?`, slots: ["afterId","limit"] },
  selectEventKeys: { sql: `select * from "events" where "customer_id" = ? and "idempotency_key" > ? order by "idempotency_key" limit ?`, slots: ["customerId","afterKey","limit"] },
  selectUniqueMembers: { sql: `select * from "usage_unique" where "customer_id" = ? and ("resource_id", "feature_id", "window_key", "member") > (?, ?, ?, ?) order by "resource_id", "feature_id", "window_key", "member" limit ?`, slots: ["customerId","resource_id","feature_id","window_key","member","limit"] },
  selectIdempotencyPage: { sql: `select * from "idempotency" where ("scope", "key") > (?, ?) order by "scope", "key" limit ?`, slots: ["scope","key","limit"] },
  selectCustomerAutoRecharge: { sql: `select * from "credit_settings" where "customer_id" = ? order by "currency_id"`, slots: ["customerId"] },
  selectUsageLog: { sql: `select * from "journal" where "seq" > ? and "feature_id" is not null order by "seq" limit ?`, slots: ["afterSeq","limit"] },
  upsertPackageVersion: { sql: `insert into "package_versions" ("kind", "ref_id", "version", "hash", "snapshot", "created_at") values (?, ?, ?, ?, ?, ?) on conflict ("kind", "ref_id", "version") do update set "hash" = ?, "snapshot" = ?, "created_at" = ?`, slots: ["kind","ref_id","version","hash","snapshot","created_at","hash","snapshot","created_at"] },
} satisfies Record<SqliteStatementName, CompiledStatement>;

export const schemaMigrations = {
  create: `create table if not exists "schema_migrations" ("version" integer primary key, "applied_at" bigint not null)`,
  select: { sql: `select "version" from "schema_migrations"`, slots: [] },
  insert: { sql: `insert into "schema_migrations" ("version", "applied_at") values (?, ?)`, slots: ["version","applied_at"] },
};

export const migrations: readonly CompiledMigration[] = [
  {
    version: 1,
    statements: [
      `create table "customers" ("id" text not null primary key, "name" text, "email" text, "billing_id" text, "coupon_id" text, "metadata" text not null, "created_at" bigint not null, "updated_at" bigint not null, "archived_at" bigint)`,
      `create table "subscriptions" ("id" text not null primary key, "customer_id" text not null, "resource_id" text, "product_id" text not null, "plan_id" text not null, "plan_version" integer not null, "billing_period" text not null, "addons" text not null, "billable_features" text not null, "entitlements" text not null, "metadata" text not null, "start_date" bigint not null, "billing_anchor" bigint not null, "usage_reset_at" bigint not null, "usage_epoch" text not null, "trial_end_date" bigint, "trial_end_behavior" text, "end_date" bigint, "cancellation_date" bigint, "cancel_reason" text, "end_before_conversion" text, "scheduled_updates" text not null, "created_at" bigint not null, "updated_at" bigint not null)`,
      `create index "subscriptions_customer" on "subscriptions" ("customer_id", "id")`,
      `create table "promotions" ("id" text not null primary key, "customer_id" text not null, "feature_id" text not null, "period" text not null, "entitlement" text not null, "is_visible" integer not null, "start_date" bigint not null, "end_date" bigint, "created_at" bigint not null, "updated_at" bigint not null)`,
      `create index "promotions_customer" on "promotions" ("customer_id", "id")`,
      `create table "usage" ("customer_id" text not null, "resource_id" text not null, "feature_id" text not null, "value" double precision not null, "window_key" text not null, "updated_at" bigint not null, constraint "usage_pk" primary key ("customer_id", "resource_id", "feature_id")) without rowid`,
      `create table "idempotency" ("scope" text not null, "key" text not null, "result" text not null, "created_at" bigint not null, constraint "idempotency_pk" primary key ("scope", "key"))`,
      `create table "package_versions" ("kind" text not null, "ref_id" text not null, "version" integer not null, "hash" text not null, "snapshot" text not null, "created_at" bigint not null, constraint "package_versions_pk" primary key ("kind", "ref_id", "version"))`,
      `create table "change_log" ("seq" integer primary key, "customer_id" text not null, "at" bigint not null)`,
    ],
  },
  {
    version: 2,
    statements: [
      `create table "usage_counters" ("customer_id" text not null, "resource_id" text not null, "feature_id" text not null, "window_key" text not null, "period_start" bigint, "period_end" bigint, "value" double precision not null, "count" integer not null, "updated_at" bigint not null, constraint "usage_counters_pk" primary key ("customer_id", "resource_id", "feature_id", "window_key")) without rowid`,
      `INSERT INTO usage_counters (customer_id, resource_id, feature_id, window_key, value, count, updated_at)
       SELECT customer_id, resource_id, feature_id, window_key, value, 1, updated_at FROM usage`,
      `drop table "usage"`,
      `alter table "customers" add column "coupon_applied_at" bigint`,
      `drop table "change_log"`,
      `create table "journal" ("seq" integer primary key, "origin" text not null, "customer_id" text not null, "resource_id" text, "feature_id" text, "window_key" text, "period_start" bigint, "period_end" bigint, "op" text, "amount" double precision, "at" bigint, "dimensions" text, "folded" integer)`,
      `create index "journal_history" on "journal" ("customer_id", "feature_id", "at") where "folded" is not null`,
      `create table "usage_unique" ("customer_id" text not null, "resource_id" text not null, "feature_id" text not null, "window_key" text not null, "member" text not null, constraint "usage_unique_pk" primary key ("customer_id", "resource_id", "feature_id", "window_key", "member")) without rowid`,
      `create table "events" ("customer_id" text not null, "idempotency_key" text not null, "at" bigint not null, constraint "events_pk" primary key ("customer_id", "idempotency_key")) without rowid`,
      `create index "events_arrival" on "events" ("at")`,
      `create table "credit_grants" ("id" text not null primary key, "customer_id" text not null, "currency_id" text not null, "resource_id" text not null, "grant_type" text not null, "amount" text not null, "consumed" text not null, "priority" integer not null, "effective_at" bigint not null, "expire_at" bigint, "cost" text, "display_name" text not null, "comment" text, "metadata" text not null, "source" text, "created_at" bigint not null, "updated_at" bigint not null, "activated_at" bigint, "expired_at" bigint, "voided_at" bigint)`,
      `create index "credit_grants_pool" on "credit_grants" ("customer_id", "currency_id", "resource_id", "created_at")`,
      `create table "credit_pools" ("customer_id" text not null, "currency_id" text not null, "resource_id" text not null, "debt" text not null, constraint "credit_pools_pk" primary key ("customer_id", "currency_id", "resource_id")) without rowid`,
      `create table "credit_ledger" ("seq" integer primary key, "customer_id" text not null, "currency_id" text not null, "resource_id" text not null, "event_type" text not null, "entry" text not null)`,
      `create index "credit_ledger_customer" on "credit_ledger" ("customer_id", "seq")`,
      `create table "credit_settings" ("customer_id" text not null, "currency_id" text not null, "auto_recharge" text not null, constraint "credit_settings_pk" primary key ("customer_id", "currency_id")) without rowid`,
      `create table "store_state" ("name" text not null primary key, "value" integer not null) without rowid`,
    ],
  },
  {
    version: 3,
    statements: [
      `alter table "credit_ledger" add column "at" bigint`,
      `UPDATE credit_ledger SET at = json_extract(entry, '$.at')`,
      `create index "credit_ledger_time" on "credit_ledger" ("customer_id", "at")`,
      `create table "credit_event_fields" ("customer_id" text not null, "currency_id" text not null, "field" text not null, constraint "credit_event_fields_pk" primary key ("customer_id", "currency_id", "field")) without rowid`,
      `INSERT OR IGNORE INTO credit_event_fields (customer_id, currency_id, field)
         SELECT l.customer_id, l.currency_id, d.key FROM credit_ledger l, json_each(l.entry, '$.dimensions') d
         WHERE l.event_type IN ('CREDITS_CONSUMED', 'DEBT_CREATED')`,
      `create table "governance_entities" ("owner_id" text not null, "entity_id" text not null, "parent_id" text not null, "display_name" text, "type" text, "metadata" text not null, "created_at" bigint not null, "updated_at" bigint not null, constraint "governance_entities_pk" primary key ("owner_id", "entity_id")) without rowid`,
      `create table "governance_budgets" ("owner_id" text not null, "entity_id" text not null, "capability_id" text not null, "limit_amount" text not null, "reset_period" text, "anchor" bigint not null, "created_at" bigint not null, "updated_at" bigint not null, constraint "governance_budgets_pk" primary key ("owner_id", "entity_id", "capability_id")) without rowid`,
      `create table "governance_usage" ("owner_id" text not null, "entity_id" text not null, "capability_id" text not null, "window_key" text not null, "period_end" bigint, "amount" text not null, constraint "governance_usage_pk" primary key ("owner_id", "entity_id", "capability_id", "window_key")) without rowid`,
    ],
  },
  {
    version: 4,
    statements: [
      `create table "usage_rollups" ("customer_id" text not null, "resource_id" text not null, "feature_id" text not null, "span" bigint not null, "bucket" bigint not null, "window_key" text not null, "count" integer not null, "total" double precision not null, "high" double precision not null, "low" double precision not null, "kind" text not null, constraint "usage_rollups_pk" primary key ("customer_id", "resource_id", "feature_id", "span", "bucket", "window_key")) without rowid`,
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
    version: 5,
    statements: [
      `alter table "credit_grants" add column "held" integer default 1 not null`,
      `UPDATE credit_grants SET held = 0 WHERE expired_at IS NOT NULL OR (voided_at IS NOT NULL AND grant_type <> 'RECURRING')`,
      `create index "credit_grants_held" on "credit_grants" ("customer_id", "currency_id", "resource_id", "id") where "held" = 1`,
      `alter table "credit_pools" add column "spent" text default '0' not null`,
      `alter table "credit_pools" add column "spent_revision" integer default 0 not null`,
      `create table "credit_spent_expiries" ("customer_id" text not null, "currency_id" text not null, "resource_id" text not null, "expire_at" bigint not null, "amount" text not null, constraint "credit_spent_expiries_pk" primary key ("customer_id", "currency_id", "resource_id", "expire_at")) without rowid`,
    ],
  },
  {
    version: 6,
    statements: [
      `alter table "subscriptions" add column "usage_period_anchor" bigint`,
      `alter table "governance_budgets" add column "reset_interval_count" integer default 1 not null`,
    ],
  },
  {
    version: 7,
    statements: [
      `alter table "subscriptions" add column "paying_customer_id" text`,
      `alter table "promotions" add column "feature_group_id" text`,
    ],
  },
  {
    version: 8,
    statements: [
      `alter table "credit_grants" add column "recurrence" text`,
      `alter table "credit_grants" add column "rollover" text`,
      `alter table "credit_grants" add column "refilled_at" bigint`,
      `alter table "credit_pools" add column "schedule" text`,
    ],
  },
  {
    version: 9,
    statements: [
      `drop index "events_arrival"`,
      `alter table "events" rename to "events_v2"`,
      `create table "events" ("customer_id" text not null, "idempotency_key" text not null, "at" bigint not null)`,
      `INSERT INTO events (customer_id, idempotency_key, at)
       SELECT customer_id, idempotency_key, at FROM events_v2 ORDER BY at`,
      `drop table "events_v2"`,
      `create unique index "events_key" on "events" ("customer_id", "idempotency_key")`,
      `create index "events_arrival" on "events" ("at")`,
    ],
  },
];
