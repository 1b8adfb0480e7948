// Usage, folded at write time: under the customer's lock one statement logs the entries, adds
// them to the rollups and folds them into their windows' counters. A window with one entry in the
// write (a reportUsage, most events) is folded by the statement itself, with `applyUsageOp`'s
// arithmetic in SQL (same IEEE doubles, same order, so a cached value and a stored one never
// disagree); a window with several is read first and folded in JS, and the statement sets it.
// The statement is prepared once per connection and takes its rows as arrays, so its text, and
// the server's plan, are the same whatever the number of entries.
import { type Kysely, sql } from 'kysely';
import { applyUsageOp, EMPTY_AGGREGATE, type UsageAggregate } from '../../core/usage-aggregate.js';
import type { UsageRecord } from '../../model/records.js';
import { entryRollups } from '../sql/rollup-plan.js';
import { ROLLUP_COLUMNS, upsertRollups } from '../sql/rollup-queries.js';
import type { Database, UsageCountersTable } from '../sql/schema.js';
import { type UsageKeyColumns, usageEntryToRow, usageKeyToRow, usageRecordToRow } from '../sql/usage-queries.js';
import type { UsageEntry } from '../store.js';
import type { PgStatements, PreparedStatement } from './postgres-driver.js';
import { arrayLiteral, quoteIdent } from './postgres-sql.js';

/**
 * Entries written per statement, so one statement's arrays stay moderate; the counters read
 * first (4 parameters a window) stay below PostgreSQL's 65,535 parameters.
 */
const CHUNK = 4_000;

/** A window's id: PostgreSQL's text holds no NUL, so NUL separates its key's parts. */
const windowIdOf = (customerId: string, resourceId: string, featureId: string, window: string) =>
  `${customerId}\u0000${resourceId}\u0000${featureId}\u0000${window}`;
const windowId = (k: UsageKeyColumns) => windowIdOf(k.customer_id, k.resource_id, k.feature_id, k.window_key);

/** The prepared statements of the usage write, for one schema. */
export interface UsageStatements {
  /** Logs entries, adds their rollups and folds their windows (see `appendUsage`). */
  readonly write: PreparedStatement;
  /** Stores event keys, skipping taken ones; returns those it stored. */
  readonly events: PreparedStatement;
}

/** `$from::type[]`, … for consecutive parameters. */
const arrays = (from: number, types: readonly string[]) => types.map((t, i) => `$${from + i}::${t}[]`).join(', ');

const sameWindow = (a: string, b: string) =>
  ['customer_id', 'resource_id', 'feature_id', 'window_key'].map((c) => `${a}.${c} = ${b}.${c}`).join(' and ');

/**
 * `applyUsageOp` in SQL for one entry (`w.op`, `w.amount`) on an aggregate (`value`, `count`);
 * op 'put' sets the value JS folded (`w.amount`) and its count (`w.count`).
 */
const fold = (value: string, count: string) => `case w.op
    when 'add' then greatest(0, ${value} + w.amount)
    when 'set' then greatest(0, w.amount)
    when 'max' then case when ${count} = 0 then greatest(0, w.amount) else greatest(${value}, w.amount) end
    when 'min' then greatest(0, case when ${count} = 0 then w.amount else least(${value}, w.amount) end)
    when 'avg' then ${value} + w.amount
    else w.amount end`;
const foldCount = (count: string) => `case when w.op = 'put' then w.count else ${count} + 1 end`;

export function usageStatements(db: Kysely<Database>, schema: string): UsageStatements {
  const s = quoteIdent(schema);
  const rollupTypes = [
    'text',
    'text',
    'text',
    'bigint',
    'bigint',
    'text',
    'integer',
    'float8',
    'float8',
    'float8',
    'text',
  ];
  const rollups = upsertRollups(db, sql`select * from unnest(${sql.raw(arrays(12, rollupTypes))})`).compile().sql;
  const write = `with entries as (
      select * from unnest(${arrays(2, ['text', 'text', 'text', 'text', 'bigint', 'bigint', 'text', 'float8', 'bigint', 'text'])})
        with ordinality as e (customer_id, resource_id, feature_id, window_key, period_start, period_end, op, amount, at, dimensions, ord)),
    rollups as (${rollups}),
    windows as (
      select * from unnest(${arrays(23, ['text', 'text', 'text', 'text', 'bigint', 'bigint', 'text', 'float8', 'integer', 'bigint'])})
        as w (customer_id, resource_id, feature_id, window_key, period_start, period_end, op, amount, count, updated_at)),
    updated as (
      update ${s}.usage_counters c set value = ${fold('c.value', 'c.count')}, count = ${foldCount('c.count')},
        period_start = w.period_start, period_end = w.period_end, updated_at = w.updated_at
      from windows w where ${sameWindow('c', 'w')}),
    inserted as (
      insert into ${s}.usage_counters (customer_id, resource_id, feature_id, window_key, period_start, period_end, value, count, updated_at)
      select w.customer_id, w.resource_id, w.feature_id, w.window_key, w.period_start, w.period_end,
        ${fold('0::float8', '0')}, ${foldCount('0')}, w.updated_at
      from windows w where not exists (select from ${s}.usage_counters c where ${sameWindow('c', 'w')}))
    insert into ${s}.journal (origin, customer_id, resource_id, feature_id, window_key, period_start, period_end, op, amount, at, dimensions)
    select $1, customer_id, resource_id, feature_id, window_key, period_start, period_end, op, amount, at, dimensions
    from entries order by ord`;
  const events = `insert into ${s}.events (customer_id, idempotency_key, at)
    select * from unnest($1::text[], $2::text[], $3::bigint[])
    on conflict do nothing returning customer_id, idempotency_key`;
  // Unique per text: a pool may serve stores of several schemas.
  return {
    write: { name: `allot:${schema}:usage`, text: write },
    events: { name: `allot:${schema}:events`, text: events },
  };
}

/** Each of `keys`' values in `rows`, as one array literal per key: a statement's unnest parameters. */
function columns<R extends Record<K, string | number | null>, K extends keyof R>(
  rows: readonly R[],
  keys: readonly K[],
): string[] {
  return keys.map((k) => arrayLiteral(rows.map((r) => r[k])));
}

const ENTRY_COLUMNS = [
  'customer_id',
  'resource_id',
  'feature_id',
  'window_key',
  'period_start',
  'period_end',
  'op',
  'amount',
  'at',
  'dimensions',
] as const;

interface WindowWrite extends UsageKeyColumns {
  period_start: number | null;
  period_end: number | null;
  /** The entry's op, or 'put': set `amount` and `count` as folded in JS. */
  op: string;
  amount: number;
  count: number;
  updated_at: number;
}

const WINDOW_COLUMNS = [
  'customer_id',
  'resource_id',
  'feature_id',
  'window_key',
  'period_start',
  'period_end',
  'op',
  'amount',
  'count',
  'updated_at',
] as const;

/** The stored counters of the windows of `keys`. */
function selectCounters(db: Kysely<Database>, keys: readonly UsageKeyColumns[]) {
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

/** What each window of `entries` comes to: its one entry, or its entries folded onto the stored counter. */
async function windowWrites(
  connection: PgStatements,
  db: Kysely<Database>,
  entries: readonly UsageEntry[],
): Promise<WindowWrite[]> {
  const windows = new Map<string, UsageEntry[]>();
  for (const entry of entries) {
    const id = windowIdOf(entry.customerId, entry.resourceId ?? '', entry.featureId, entry.window);
    const list = windows.get(id);
    if (list) list.push(entry);
    else windows.set(id, [entry]);
  }
  const several = [...windows.values()].filter((list) => list.length > 1);
  const stored = new Map<string, UsageAggregate>();
  if (several.length > 0) {
    const keys = several.map((list) => usageKeyToRow(list[0] as UsageEntry));
    for (const row of await connection.run('appendUsage', selectCounters(db, keys).compile()))
      stored.set(windowId(row), { value: row.value, count: row.count });
  }
  return Array.from(windows, ([id, list]) => {
    // The newest entry says the period (a plan change may keep the key, not the period).
    const newest = list[list.length - 1] as UsageEntry;
    const folded =
      list.length === 1
        ? { op: newest.op, amount: newest.amount, count: 0 }
        : foldedWindow(list.reduce((a, e) => applyUsageOp(a, e.op, e.amount), stored.get(id) ?? EMPTY_AGGREGATE));
    // Written out: spread from `usageKeyToRow`, these rows cost node about 5 µs more per event
    // of a 1,000-event batch (measured), to build and to read into the statement's arrays.
    return {
      customer_id: newest.customerId,
      resource_id: newest.resourceId ?? '',
      feature_id: newest.featureId,
      window_key: newest.window,
      period_start: newest.periodStart,
      period_end: newest.periodEnd,
      ...folded,
      updated_at: newest.at,
    };
  });
}

/** A window's aggregate folded in JS, for the statement to set. */
const foldedWindow = ({ value, count }: UsageAggregate) => ({ op: 'put', amount: value, count });

/** Logs `entries`, adds their rollups and, unless `historyOnly`, folds them into their windows' counters. */
async function write(
  connection: PgStatements,
  db: Kysely<Database>,
  statements: UsageStatements,
  origin: string,
  entries: readonly UsageEntry[],
  historyOnly: boolean,
): Promise<void> {
  for (let i = 0; i < entries.length; i += CHUNK) {
    const chunk = entries.slice(i, i + CHUNK);
    const windows = historyOnly ? [] : await windowWrites(connection, db, chunk);
    const values = [
      origin,
      ...columns(chunk.map(usageEntryToRow), ENTRY_COLUMNS),
      ...columns(entryRollups(chunk), ROLLUP_COLUMNS),
      ...columns(windows, WINDOW_COLUMNS),
    ];
    await connection.prepared(historyOnly ? 'appendUsageHistory' : 'appendUsage', statements.write, values);
  }
}

/** Folds `entries` into their windows' counters and rollups and logs them, on a connection holding their customers' locks. */
export function appendUsage(
  connection: PgStatements,
  db: Kysely<Database>,
  statements: UsageStatements,
  origin: string,
  entries: readonly UsageEntry[],
): Promise<void> {
  return write(connection, db, statements, origin, entries, false);
}

/** Logs `entries` for history with their rollups, leaving every counter as it is. */
export function appendHistory(
  connection: PgStatements,
  db: Kysely<Database>,
  statements: UsageStatements,
  origin: string,
  entries: readonly UsageEntry[],
): Promise<void> {
  return write(connection, db, statements, origin, entries, true);
}

/** Sets counters as given, by window. */
function upsertCounters(db: Kysely<Database>, counters: readonly UsageCountersTable[]) {
  return db
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

/** Counters set per statement: 9 parameters each, below PostgreSQL's 65,535. */
const COUNTERS_CHUNK = 1_000;

/** Sets counters as given. */
export async function putCounters(
  connection: PgStatements,
  db: Kysely<Database>,
  counters: readonly UsageRecord[],
): Promise<void> {
  for (let i = 0; i < counters.length; i += COUNTERS_CHUNK)
    await connection.run(
      'putUsageCounters',
      upsertCounters(db, counters.slice(i, i + COUNTERS_CHUNK).map(usageRecordToRow)).compile(),
    );
}
