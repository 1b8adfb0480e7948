export type { SqliteDatabase, SqliteStatement } from './sqlite-statements.js';
export { type SqliteStoreOptions, sqliteStore } from './sqlite-store.js';
