/**
 * The SQLite store (better-sqlite3, an optional peer dependency loaded only here): one file, shared by
 * the processes of one host.
 *
 * @module allot/stores/sqlite
 */
export type { SqliteDatabase, SqliteStatement } from './sqlite-statements.js';
export { type SqliteStoreOptions, sqliteStore } from './sqlite-store.js';
