/**
 * The PostgreSQL store (pg, an optional peer dependency loaded only here): one database shared by many
 * app instances.
 *
 * @module allot/stores/postgres
 */
export type { PgPool, PgPoolClient, PgQueryConfig, PgQueryResult } from './postgres-driver.js';
export { type PostgresStoreOptions, postgresStore } from './postgres-store.js';
