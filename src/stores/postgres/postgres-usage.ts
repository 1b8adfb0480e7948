// Usage, folded at write time: under the customer's lock a transaction reads the counters of the
// windows its entries touch, applies the entries in JS with `applyUsageOp` (as the memory store
// does, so a cached value and a stored one can never disagree), then writes the counters, adds
// the entries to the rollups and logs them for history in one statement. Two round trips per
// `appendUsage`, whatever its size.
import { type Kysely, type QueryCreator, sql } from 'kysely';
import { applyUsageOp, EMPTY_AGGREGATE, type UsageAggregate } from '../../core/usage-aggregate.js';
import type { UsageRecord } from '../../model/records.js';
import { entryRollups } from '../sql/rollup-plan.js';
import { upsertRollups } from '../sql/rollup-queries.js';
import type { Database, UsageCountersTable, UsageRollupsTable } from '../sql/schema.js';
import { type UsageKeyColumns, usageEntryToRow, usageKeyToRow, usageRecordToRow } from '../sql/usage-queries.js';
import type { UsageEntry } from '../store.js';
import type { PgConnection } from './postgres-driver.js';

/**
 * Entries written per statement: each logs 11 parameters and adds to at most two rollup rows (11
 * each) and one counter (9), below PostgreSQL's 65,535 parameters.
 */
const CHUNK = 1_000;

const windowId = (k: UsageKeyColumns) => JSON.stringify([k.customer_id, k.resource_id, k.feature_id, k.window_key]);

/** The stored counters of the windows `entries` touch. */
function selectCounters(db: Kysely<Database>, entries: readonly UsageEntry[]) {
  const keys = [...new Map(entries.map((e) => [windowId(usageKeyToRow(e)), usageKeyToRow(e)])).values()];
  return db
    .selectFrom('usage_counters')
    .selectAll()
    .where((eb) =>
      eb(
        eb.refTuple('customer_id', 'resource_id', 'feature_id', 'window_key'),
        'in',
        keys.map((k) => eb.tuple(k.customer_id, k.resource_id, k.feature_id, k.window_key)),
      ),
    );
}

/** Sets counters as given, by window. */
function upsertCounters(qc: QueryCreator<Database>, counters: readonly UsageCountersTable[]) {
  return qc
    .insertInto('usage_counters')
    .values([...counters])
    .onConflict((oc) =>
      oc.columns(['customer_id', 'resource_id', 'feature_id', 'window_key']).doUpdateSet((eb) => ({
        period_start: eb.ref('excluded.period_start'),
        period_end: eb.ref('excluded.period_end'),
        value: eb.ref('excluded.value'),
        count: eb.ref('excluded.count'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    );
}

type JournalRow = ReturnType<typeof usageEntryToRow> & { origin: string };

/** Writes counters and rollups and logs entries, in one statement (a data-modifying CTE always runs). */
function writeCounters(
  db: Kysely<Database>,
  counters: readonly UsageCountersTable[],
  rollups: readonly UsageRollupsTable[],
  journal: readonly JournalRow[],
) {
  return db
    .with('rollups', (qc) => upsertRollups(qc, rollups).returning(sql<number>`1`.as('written')))
    .with('counters', () => upsertCounters(db, counters).returning(sql<number>`1`.as('written')))
    .insertInto('journal')
    .values([...journal]);
}

/** Adds entries to the rollups and logs them, in one statement. */
function writeHistory(db: Kysely<Database>, rollups: readonly UsageRollupsTable[], journal: readonly JournalRow[]) {
  return db
    .with('rollups', (qc) => upsertRollups(qc, rollups).returning(sql<number>`1`.as('written')))
    .insertInto('journal')
    .values([...journal]);
}

/** Folds `entries` into their windows' counters and rollups and logs them, on a connection holding their customers' locks. */
export async function appendUsage(
  connection: PgConnection,
  db: Kysely<Database>,
  origin: string,
  entries: readonly UsageEntry[],
): Promise<void> {
  for (let i = 0; i < entries.length; i += CHUNK) {
    const chunk = entries.slice(i, i + CHUNK);
    const aggregates = new Map<string, UsageAggregate>();
    for (const row of await connection.run('appendUsage', selectCounters(db, chunk).compile()))
      aggregates.set(windowId(row), { value: row.value, count: row.count });
    // Each window's newest entry, which says its period (a plan change may keep the key, not the period).
    const newest = new Map<string, UsageEntry>();
    for (const entry of chunk) {
      const id = windowId(usageKeyToRow(entry));
      aggregates.set(id, applyUsageOp(aggregates.get(id) ?? EMPTY_AGGREGATE, entry.op, entry.amount));
      newest.set(id, entry);
    }
    const counters = [...newest].map(([id, entry]): UsageCountersTable => {
      const { value, count } = aggregates.get(id) ?? EMPTY_AGGREGATE;
      const period = { period_start: entry.periodStart, period_end: entry.periodEnd };
      return { ...usageKeyToRow(entry), ...period, value, count, updated_at: entry.at };
    });
    const log = chunk.map((e) => ({ ...usageEntryToRow(e), origin }));
    await connection.run('appendUsage', writeCounters(db, counters, entryRollups(chunk), log).compile());
  }
}

/** Logs `entries` for history with their rollups, leaving every counter as it is. */
export async function appendHistory(
  connection: PgConnection,
  db: Kysely<Database>,
  origin: string,
  entries: readonly UsageEntry[],
): Promise<void> {
  for (let i = 0; i < entries.length; i += CHUNK) {
    const chunk = entries.slice(i, i + CHUNK);
    const log = chunk.map((e) => ({ ...usageEntryToRow(e), origin }));
    await connection.run('appendUsageHistory', writeHistory(db, entryRollups(chunk), log).compile());
  }
}

/** Sets counters as given: at most CHUNK (9 parameters each) per statement. */
export async function putCounters(
  connection: PgConnection,
  db: Kysely<Database>,
  counters: readonly UsageRecord[],
): Promise<void> {
  for (let i = 0; i < counters.length; i += CHUNK)
    await connection.run(
      'putUsageCounters',
      upsertCounters(db, counters.slice(i, i + CHUNK).map(usageRecordToRow)).compile(),
    );
}
