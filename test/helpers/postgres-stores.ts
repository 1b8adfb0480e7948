// What the PostgreSQL store's own test files share: a pool that plays other writers and inspects
// the server, schemas dropped in the background, and stores opened for one test at a time.
import pg from 'pg';
import { afterAll, afterEach } from 'vitest';
import type { CustomerRecord } from '../../src/model/records.js';
import { postgresStore } from '../../src/stores/postgres/index.js';
import type { PostgresStoreOptions } from '../../src/stores/postgres/postgres-store.js';
import type { Store } from '../../src/stores/store.js';
import { dropSchema, freshSchema } from './postgres.js';

/**
 * Registers the file's hooks and returns its helpers. A drop (like the migration creating a
 * schema) is catalog work of ~100 ms, and the conformance property makes a fresh store per run:
 * dropping in the background keeps that off each test's clock.
 */
export function postgresTestFile(url: string) {
  /** Only connects when a server is configured and a test uses it. */
  const admin = new pg.Pool({ connectionString: url, max: 4 });
  const drops: Promise<void>[] = [];
  const dropLater = (schema: string) => {
    drops.push(dropSchema(schema, url).catch((e: unknown) => console.error(`dropping ${schema} failed`, e)));
  };
  afterAll(async () => {
    await Promise.all(drops);
    await admin.end();
  }, 60_000);

  /** Fresh schemas and opened stores for the tests of one `describe`, closed and dropped after each. */
  const perTest = () => {
    const schemas: string[] = [];
    const opened: Store[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0).reverse()) await store.close();
      for (const name of schemas.splice(0)) dropLater(name);
    });
    return {
      /** A fresh schema's name, dropped after the test. */
      schema(): string {
        const name = freshSchema('t');
        schemas.push(name);
        return name;
      },
      /** Stores a test opened itself, to close after it. */
      track(...stores: Store[]): void {
        opened.push(...stores);
      },
      /** An opened store (closed after the test); a large feedPollMs so only NOTIFY moves its token. */
      async open(options: Partial<PostgresStoreOptions> & { schema: string }): Promise<Store> {
        const store = postgresStore({ connectionString: url, feedPollMs: 600_000, ...options } as PostgresStoreOptions);
        opened.push(store);
        await store.open();
        return store;
      },
    };
  };
  return { admin, dropLater, perTest };
}

/** A customer record the store tests write and read back. */
export const customer = (id: string, name: string | null = null): CustomerRecord => ({
  id,
  name,
  email: null,
  billingId: null,
  couponId: null,
  couponAppliedAt: null,
  metadata: {},
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
  archivedAt: null,
});
