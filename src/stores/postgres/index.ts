export type { PgPool, PgPoolClient, PgQueryConfig, PgQueryResult } from './postgres-driver.js';
export { type PostgresStoreOptions, postgresStore } from './postgres-store.js';
