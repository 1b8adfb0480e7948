// Opening the store a command names, without ever creating one by mistake: a SQLite file must
// exist (read-only for commands that only read), a PostgreSQL schema must exist, except for a
// command that creates its store (import), which may remove it again should it fail.
import { existsSync, rmSync, statSync } from 'node:fs';
import type { Store } from '../index.js';
import type { PgPool } from '../stores/postgres/index.js';
import type { SqliteDatabase } from '../stores/sqlite/index.js';
import { type StoreAccess, stringOption, UsageError } from './command.js';

/** A failure that is not a mistake in the call (a missing file, a server down): exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

export interface OpenedStore {
  readonly store: Store;
  /** What the store is, for messages: the file, or the schema and server (no password). */
  readonly label: string;
  /** Whether opening created it: a new SQLite file, a new schema. */
  readonly created: boolean;
  /** Closes the store and the connection opened for it; with `discard`, removes it when opening created it. */
  close(discard?: boolean): Promise<void>;
}

type StoreOptions = Readonly<Record<string, string | boolean | undefined>>;

/** The store `--db` or `--postgres` names, opened as `access` says. */
export async function openStore(options: StoreOptions, access: StoreAccess): Promise<OpenedStore> {
  const db = stringOption(options.db);
  const url = stringOption(options.postgres);
  const schema = stringOption(options.schema);
  if (db !== undefined && url !== undefined) throw new UsageError('give --db or --postgres, not both');
  if (schema !== undefined && url === undefined) throw new UsageError('--schema goes with --postgres');
  if (db !== undefined) return openSqlite(db, access);
  if (url !== undefined) return openPostgres(url, schema ?? 'allot', access);
  throw new UsageError('name the store: --db <file> (SQLite) or --postgres <url> [--schema <name>]');
}

async function openSqlite(file: string, access: StoreAccess): Promise<OpenedStore> {
  const exists = existsSync(file);
  if (!exists && access !== 'create') throw new CliError(`${file}: no such file`);
  if (exists && !statSync(file).isFile()) throw new CliError(`${file}: not a file`);
  const { sqliteStore } = await import('../stores/sqlite/index.js');
  const Database = await load<new (file: string, options: object) => SqliteDatabase>(
    'better-sqlite3',
    '--db needs the better-sqlite3 package (npm install better-sqlite3)',
  );
  let database: SqliteDatabase;
  try {
    database = new Database(file, { readonly: access === 'read', fileMustExist: access !== 'create' });
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`);
  }
  const store = sqliteStore({ database });
  const opened: OpenedStore = {
    store,
    label: file,
    created: !exists,
    async close(discard = false) {
      await store.close();
      database.close();
      if (discard && !exists) for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    },
  };
  try {
    return await opening(opened);
  } catch (e) {
    // Migrating is a write: a file opened read-only can only say it needs one.
    if (access === 'read' && /readonly/.test(String((e as Error).message)))
      throw new CliError(`${file} needs migrating to this version of allot: run allot migrate --db ${file}`);
    throw e;
  }
}

async function openPostgres(url: string, schema: string, access: StoreAccess): Promise<OpenedStore> {
  const label = `schema "${schema}" of ${withoutPassword(url)}`;
  const pg = await load<new (config: object) => Pool>('pg', '--postgres needs the pg package (npm install pg)', 'Pool');
  const pool = new pg({ connectionString: url, max: 3, connectionTimeoutMillis: 10_000, allowExitOnIdle: true });
  pool.on('error', () => undefined);
  let exists: boolean;
  try {
    exists = (await pool.query('select 1 from pg_namespace where nspname = $1', [schema])).rows.length > 0;
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new CliError(`cannot reach ${withoutPassword(url)}: ${(e as Error).message}`);
  }
  if (!exists && access !== 'create') {
    await pool.end().catch(() => undefined);
    throw new CliError(`${label}: no such schema`);
  }
  const { postgresStore } = await import('../stores/postgres/index.js');
  let store: Store;
  try {
    store = postgresStore({ pool, schema });
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw e;
  }
  const opened: OpenedStore = {
    store,
    label,
    created: !exists,
    async close(discard = false) {
      try {
        await store.close();
        // The name passed the store's check (letters, digits, underscores): safe to quote as is.
        if (discard && !exists) await pool.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await pool.end().catch(() => undefined);
      }
    },
  };
  return opening(opened);
}

/** Opens the store (migrating it); should that fail, closes it and removes what opening created. */
async function opening(opened: OpenedStore): Promise<OpenedStore> {
  try {
    await opened.store.open();
    return opened;
  } catch (e) {
    await opened.close(true).catch(() => undefined);
    throw e;
  }
}

/** The pg pool, as the command line uses it. */
interface Pool extends PgPool {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}

/** The connection string without its password, for messages. */
function withoutPassword(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}

/** An optional dependency's default export (or its `member`), or a line saying how to install it. */
async function load<T>(name: string, missing: string, member?: string): Promise<T> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(name)) as Record<string, unknown>;
  } catch {
    throw new CliError(missing);
  }
  const module = (loaded.default ?? loaded) as Record<string, unknown>;
  return (member === undefined ? module : module[member]) as T;
}
