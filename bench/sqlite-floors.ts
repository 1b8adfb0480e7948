// SQLite's own write speed on this machine: the floors allot's SQLite writes are compared with in
// the same run. Same file settings as the store (WAL, synchronous NORMAL, 2 KiB pages), prepared
// statements, one process, no JavaScript beyond the loop.
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

export interface Floors {
  /** BEGIN IMMEDIATE; one 1-row UPDATE; COMMIT: per second. */
  updateTx: number;
  /** 100 1-row UPDATEs per transaction: rows per second. */
  updates100: number;
  /** INSERT OR IGNORE of 1,000 rows with random keys per transaction, into a table with a unique index: rows per second. */
  insertOrIgnore1000: number;
}

function open(filename: string): BetterSqlite3.Database {
  const db = new BetterSqlite3(filename);
  db.exec('PRAGMA page_size = 2048');
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA cache_size = -65536');
  return db;
}

function perSecond(n: number, run: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 2000); i++) run(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) run(i);
  return (n / Number(process.hrtime.bigint() - start)) * 1e9;
}

/** Measures the floors in `dir` (a fresh temporary directory). */
export function sqliteFloors(dir: string, n: number): Floors {
  const db = open(join(dir, 'floor.db'));
  db.exec('CREATE TABLE counter (id TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID');
  db.exec(
    'CREATE TABLE event (customer_id TEXT NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL, at INTEGER NOT NULL, data TEXT)',
  );
  db.exec('CREATE UNIQUE INDEX event_key ON event (customer_id, key)');
  const insert = db.prepare('INSERT INTO counter VALUES (?, 0)');
  db.transaction(() => {
    for (let i = 0; i < 1000; i++) insert.run(`c${i}`);
  })();
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const update = db.prepare('UPDATE counter SET value = value + 1 WHERE id = ?');
  const updateTx = perSecond(n, (i) => {
    begin.run();
    update.run(`c${i % 1000}`);
    commit.run();
  });
  const updates100 =
    perSecond(n / 100, (i) => {
      begin.run();
      for (let j = 0; j < 100; j++) update.run(`c${(i * 100 + j) % 1000}`);
      commit.run();
    }) * 100;
  const event = db.prepare('INSERT OR IGNORE INTO event VALUES (?, ?, ?, ?, ?)');
  let key = 0;
  const insertOrIgnore1000 =
    perSecond(Math.max(10, n / 1000), (i) => {
      begin.run();
      for (let j = 0; j < 1000; j++)
        event.run(
          `c${(i * 1000 + j) % 1000}`,
          `${Math.random().toString(36).slice(2)}-${key++}`,
          'llm.call',
          1,
          '{"tokens":120,"model":"small"}',
        );
      commit.run();
    }) * 1000;
  db.close();
  return { updateTx, updates100, insertOrIgnore1000 };
}
