// Per-key write locks as row locks on `locks(key)`, one row per key (customer:<id>, catalog),
// taken in sorted order so two transactions never wait on each other in a circle. Row locks, not
// advisory locks: CockroachDB and YugabyteDB run SELECT ... FOR UPDATE too.
import type { PgConnection } from './postgres-driver.js';
import { postgresError } from './postgres-errors.js';
import { quoteIdent, quoteLiteral } from './postgres-sql.js';

const BEGIN = 'begin isolation level read committed';

/**
 * Begins a READ COMMITTED transaction holding the row locks of `keys`: every read after it sees
 * the latest commit of each key. Then runs the statement `after`, if given, in the same round
 * trip (so it sees those commits too), and returns its first row. The usual case is one round
 * trip (BEGIN and the lock, the keys inlined as literals), since the rows exist. A key seen for
 * the first time has no row, and inserting it inside the transaction, after rows already locked,
 * would break the sorted order. So the empty transaction ends, the missing rows are inserted on
 * their own (committed at once, holding nothing), and the transaction begins again. The wait for
 * a key counts toward the store's timeout: from here, a key held that long and a server that
 * stopped answering look the same.
 */
export async function beginLocked(
  connection: PgConnection,
  schema: string,
  keys: readonly string[],
  store: string,
  after?: string,
): Promise<unknown> {
  const then = after === undefined ? '' : `; ${after}`;
  if (keys.length === 0) return (await connection.script('begin', `${BEGIN}${then}`))[1]?.rows[0];
  const s = quoteIdent(schema);
  const unique = [...new Set(keys)];
  const list = `array[${unique.map(quoteLiteral).join(', ')}]`;
  // ORDER BY under FOR UPDATE: rows are locked in the order the sort returns them.
  const lock = `${BEGIN}; select key from ${s}.locks where key = any(${list}) order by key for update${then}`;
  const locked = async () => {
    const [, rows, result] = await connection.script('lock', lock);
    return { all: rows?.rows.length === unique.length, row: result?.rows[0] };
  };
  const first = await locked();
  if (first.all) return first.row;
  // Sorted too: two inserts of the same new keys in different orders could deadlock.
  const create = `insert into ${s}.locks (key) select unnest(${list}) order by 1 on conflict do nothing`;
  await connection.query('lock', `rollback; ${create}`);
  // Lock rows are never deleted, so they are all there now.
  const second = await locked();
  if (!second.all) throw postgresError(store, 'lock', new Error('a lock row is missing'));
  return second.row;
}
