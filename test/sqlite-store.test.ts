import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { CreditLedgerEntry } from '../src/credits/credit-records.js';
import { AllotError } from '../src/errors.js';
import { Allot, ManualClock } from '../src/index.js';
import type { CustomerRecord, SubscriptionRecord } from '../src/model/records.js';
import { selectCustomerHeldCreditGrants, selectHeldCreditGrants } from '../src/stores/sql/credit-queries.js';
import { countSubscriptions, selectSubscriptionPage } from '../src/stores/sql/subscription-filter-queries.js';
import { sqliteStore } from '../src/stores/sqlite/index.js';
import { statements } from '../src/stores/sqlite/sqlite-sql.generated.js';
import { sqliteCompiler } from '../src/stores/sqlite/sqlite-sql.js';
import type { Store, SubscriptionPageQuery, UsageEntry } from '../src/stores/store.js';
import { AI_CREDITS, creditCatalog } from './helpers/credit-fixtures.js';
import { backfillEntries, backfillSummaries } from './helpers/rollup-backfill.js';
import { describeStoreConformance } from './store-conformance.js';

/** The change feed as seen from outside any transaction. */
const feed = (store: Store, seq: number) => store.read(async (r) => r.changesSince?.(seq));

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'allot-sqlite-'));
}

describeStoreConformance(
  'sqlite',
  async () => {
    const dir = tempDir();
    const filename = path.join(dir, 'allot.db');
    // Small folds, so the suite's 2,100-entry fillers cross two of them.
    return {
      store: sqliteStore({ filename, foldEvery: 1000 }),
      reopen: async () => sqliteStore({ filename, foldEvery: 1000 }),
      cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  },
  { durable: true },
);

const customer = (id: string): CustomerRecord => ({
  id,
  name: null,
  email: null,
  billingId: null,
  couponId: null,
  couponAppliedAt: null,
  metadata: {},
  createdAt: 1,
  updatedAt: 1,
  archivedAt: null,
});

const usage = (customerId: string): UsageEntry => ({
  customerId,
  resourceId: null,
  featureId: 'f',
  window: 'w',
  periodStart: null,
  periodEnd: null,
  op: 'add',
  amount: 1,
  at: 1,
  dimensions: null,
});

/** SQLite's plan for a compiled query, its lines joined. */
const queryPlan =
  (db: Database.Database) =>
  (query: { sql: string; parameters: readonly unknown[] }): string =>
    db
      .prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
      .all(...query.parameters)
      .map((row) => (row as { detail: string }).detail)
      .join('\n');

describe('sqlite store', () => {
  const dirs: string[] = [];
  const opened: { close(): unknown }[] = [];

  /** A path in a fresh temp dir, removed after the test with everything opened on it. */
  function tempFile(): string {
    const dir = tempDir();
    dirs.push(dir);
    return path.join(dir, 'allot.db');
  }

  async function open(filename: string): Promise<Store> {
    const store = sqliteStore({ filename });
    opened.push(store);
    await store.open();
    return store;
  }

  /** An engine with the credit catalog on `filename`, its clock fixed, closed after the test. */
  async function creditEngine(filename: string): Promise<Allot> {
    const allot = Allot.initialize({
      catalog: creditCatalog(),
      store: sqliteStore({ filename }),
      clock: new ManualClock('2025-01-15T00:00:00Z'),
    });
    opened.push(allot);
    return allot.waitForInitialization();
  }

  function raw(filename: string): Database.Database {
    const db = new Database(filename);
    opened.push(db);
    return db;
  }

  afterEach(async () => {
    for (const handle of opened.splice(0).reverse()) await handle.close();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs each migration once however often the file is reopened', async () => {
    const filename = tempFile();
    const first = await open(filename);
    await first.transaction([], (tx) => tx.putCustomer(customer('c1')));
    await first.close();
    for (let i = 0; i < 2; i++) await (await open(filename)).close();
    const again = await open(filename);
    expect(await again.read((r) => r.getCustomer('c1'))).toEqual(customer('c1'));
    expect(raw(filename).prepare('select version from schema_migrations').all()).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
      { version: 4 },
      { version: 5 },
      { version: 6 },
      { version: 7 },
      { version: 8 },
      { version: 9 },
    ]);
  });

  it('migration 3 backfills the instants and dimension keys of ledger entries written before it', async () => {
    const filename = tempFile();
    const entry = (id: string, at: number, eventType: CreditLedgerEntry['eventType']): CreditLedgerEntry => ({
      id,
      customerId: 'c1',
      currencyId: 'tokens',
      resourceId: null,
      grantId: 'g1',
      eventType,
      amount: eventType === 'CREDITS_GRANTED' ? '10' : '-1',
      at,
      dimensions: { [`${id}-key`]: 'v' },
    });
    const first = await open(filename);
    await first.transaction([], (tx) =>
      tx.appendCreditLedger([
        entry('granted', 1_000, 'CREDITS_GRANTED'),
        entry('a', 2_000, 'CREDITS_CONSUMED'),
        entry('b', 3_000, 'DEBT_CREATED'),
      ]),
    );
    await first.close();
    // Back to the version 2 schema, as a file written by the previous release would be.
    raw(filename).exec(`
      DROP INDEX credit_ledger_time; ALTER TABLE credit_ledger DROP COLUMN at;
      DROP TABLE credit_event_fields; DROP TABLE governance_entities; DROP TABLE governance_budgets;
      DROP TABLE governance_usage; DELETE FROM schema_migrations WHERE version = 3;`);
    const migrated = await open(filename);
    const consumed = await migrated.read((r) => r.listCreditConsumption({ customerId: 'c1', from: 0, before: 2_500 }));
    expect(consumed.map((e) => e.id)).toEqual(['a']);
    expect(await migrated.read((r) => r.listCreditEventFields({ customerId: 'c1' }))).toEqual(['a-key', 'b-key']);
  });

  it('migration 4 backfills the usage rollups of the entries folded before it', async () => {
    const filename = tempFile();
    const first = await open(filename);
    await first.transaction([], (tx) => tx.appendUsage(backfillEntries));
    const maintained = await backfillSummaries(first);
    await first.close();
    // Back to the version 3 schema, as a file written by the previous release would be.
    raw(filename).exec('DROP TABLE usage_rollups; DELETE FROM schema_migrations WHERE version = 4;');
    expect(await backfillSummaries(await open(filename))).toEqual(maintained);
  });

  it('migration 5 keeps the balances of a file written before it, and its next write lets spent grants go', async () => {
    const filename = tempFile();
    const pool = { customerId: 'c1', currencyId: AI_CREDITS };
    const engine = () => creditEngine(filename);
    const first = await engine();
    await first.provisionCustomer({ customerId: 'c1' });
    const used = await first.grantCredits({ ...pool, amount: 10, displayName: 'used up' });
    await first.consumeCredits({ ...pool, amount: 10, idempotencyKey: 'u1' });
    await first.grantCredits({ ...pool, amount: 10, displayName: 'in use' });
    await first.consumeCredits({ ...pool, amount: 4, idempotencyKey: 'u2' });
    await first.voidCreditGrant({ id: (await first.grantCredits({ ...pool, amount: 5, displayName: 'void' })).id });
    await first.close();
    // Back to the version 4 schema, as a file written by the previous release would be: the used-up
    // grant is held again, and no pool has spent credits.
    raw(filename).exec(`
      DROP INDEX credit_grants_held; ALTER TABLE credit_grants DROP COLUMN held;
      ALTER TABLE credit_pools DROP COLUMN spent; ALTER TABLE credit_pools DROP COLUMN spent_revision;
      DROP TABLE credit_spent_expiries;
      DELETE FROM schema_migrations WHERE version = 5;`);
    const heldGrants = async () => {
      const store = await open(filename);
      const read = await store.read((r) => r.getCreditPool({ ...pool, resourceId: null }));
      await store.close();
      return { grants: read.grants.map((g) => g.displayName).sort(), spent: read.spent.total };
    };
    expect(await heldGrants()).toEqual({ grants: ['in use', 'used up'], spent: '0' });

    const migrated = await engine();
    const totals = async () => {
      const e = await migrated.getCreditEntitlement(pool);
      return [e.currentBalance, e.totalGranted, e.totalConsumed];
    };
    expect(await totals()).toEqual([6, 20, 14]);
    await migrated.consumeCredits({ ...pool, amount: 1, idempotencyKey: 'u3' });
    expect(await totals()).toEqual([5, 20, 15]);
    await migrated.close();
    expect(await heldGrants()).toEqual({ grants: ['in use'], spent: '10' });
    const grants = (await (await engine()).getCreditGrants({ customerId: 'c1' })).data;
    expect(grants.map((g) => [g.id === used.id, g.status, g.consumedAmount]).sort()).toEqual([
      [false, 'ACTIVE', 5],
      [false, 'VOIDED', 0],
      [true, 'ACTIVE', 10],
    ]);
  });

  it('migration 7 reads subscriptions and promotions written before it as held by their payer, in no group', async () => {
    const filename = tempFile();
    const engine = () => creditEngine(filename);
    const first = await engine();
    await first.provisionCustomer({ customerId: 'c1', subscriptionParams: { planId: 'free' } });
    await first.grantPromotionalEntitlements({
      customerId: 'c1',
      promotionalEntitlements: [{ featureId: 'sso', period: 'LIFETIME' }],
    });
    const before = await first.getCustomer('c1');
    await first.close();
    // Back to the version 6 schema, as a file written by the previous release would be.
    raw(filename).exec(`
      ALTER TABLE subscriptions DROP COLUMN paying_customer_id; ALTER TABLE promotions DROP COLUMN feature_group_id;
      DELETE FROM schema_migrations WHERE version = 7;`);
    const after = await (await engine()).getCustomer('c1');
    expect(after).toEqual(before);
    expect(after.subscriptions[0]?.payingCustomer).toEqual({ id: 'c1' });
  });

  it('migration 8 keeps the grants and pools of a file written before it, which then take recurrences and schedules', async () => {
    const filename = tempFile();
    const pool = { customerId: 'c1', currencyId: AI_CREDITS };
    const engine = () => creditEngine(filename);
    const first = await engine();
    await first.provisionCustomer({ customerId: 'c1' });
    await first.grantCredits({ ...pool, amount: 10, displayName: 'old' });
    await first.consumeCredits({ ...pool, amount: 4, idempotencyKey: 'u1' });
    await first.close();
    // Back to the version 7 schema, as a file written by the previous release would be.
    raw(filename).exec(`
      ALTER TABLE credit_grants DROP COLUMN recurrence; ALTER TABLE credit_grants DROP COLUMN rollover;
      ALTER TABLE credit_grants DROP COLUMN refilled_at; ALTER TABLE credit_pools DROP COLUMN schedule;
      DELETE FROM schema_migrations WHERE version = 8;`);
    const migrated = await engine();
    expect((await migrated.getCreditGrants({ customerId: 'c1' })).data).toMatchObject([
      { displayName: 'old', consumedAmount: 4, recurrence: null, rollover: null },
    ]);
    await migrated.grantCredits({ ...pool, amount: 5, displayName: 'new', recurrence: { interval: 'DAY' } });
    await migrated.saveCreditResetSchedule({ ...pool, schedule: { interval: 'WEEK' } });
    expect((await migrated.getCreditEntitlement(pool)).currentBalance).toBe(11);
    expect(await migrated.getCreditResetSchedule(pool)).toMatchObject({ interval: 'WEEK', overage: 'CARRY' });
  });

  it('migration 9 keeps the event keys of a file written before it: repeated keys stay duplicates', async () => {
    const filename = tempFile();
    const events = (keys: string[]) =>
      keys.map((idempotencyKey) => ({ customerId: 'c1', idempotencyKey, createdAt: 5 }));
    const first = await open(filename);
    await first.transaction([], (tx) => tx.putEvents(events(['a', 'b'])));
    await first.close();
    // Back to the version 8 schema, as a file written by the previous release would be.
    raw(filename).exec(`
      DROP INDEX events_arrival; DROP INDEX events_key; ALTER TABLE events RENAME TO events_v9;
      CREATE TABLE events (customer_id text NOT NULL, idempotency_key text NOT NULL, at bigint NOT NULL,
        CONSTRAINT events_pk PRIMARY KEY (customer_id, idempotency_key)) WITHOUT ROWID;
      INSERT INTO events SELECT customer_id, idempotency_key, at FROM events_v9; DROP TABLE events_v9;
      CREATE INDEX events_arrival ON events (at); DELETE FROM schema_migrations WHERE version = 9;`);
    const migrated = await open(filename);
    expect(await migrated.transaction([], (tx) => tx.putEvents(events(['b', 'c', 'a', 'c'])))).toEqual([
      false,
      true,
      false,
      false,
    ]);
    expect(await migrated.read((r) => r.listEventKeys({ customerId: 'c1', limit: 10 }))).toEqual(
      events(['a', 'b', 'c']),
    );
    const plan = queryPlan(raw(filename));
    expect(plan({ sql: statements.deleteEventsBefore.sql, parameters: [1] })).toContain('USING INDEX events_arrival');
  });

  it('reads held credit grants through the partial index of held grants', async () => {
    const filename = tempFile();
    await (await open(filename)).close();
    const db = raw(filename);
    const plan = queryPlan(db);
    const compiler = sqliteCompiler();
    const p = { customerId: 'c1', currencyId: 'tokens', resourceId: '' };
    expect(plan(selectHeldCreditGrants(compiler, p).compile())).toContain(
      'USING INDEX credit_grants_held (customer_id=? AND currency_id=? AND resource_id=?)',
    );
    expect(plan(selectCustomerHeldCreditGrants(compiler, p).compile())).toContain(
      'USING INDEX credit_grants_held (customer_id=?)',
    );
  });

  it('filters subscriptions by lists of any length, past the statements it keeps prepared per shape', async () => {
    const store = await open(tempFile());
    const sub = (i: number): SubscriptionRecord => ({
      id: `s${String(i).padStart(4, '0')}`,
      customerId: `c${i % 3}`,
      resourceId: `r${i}`,
      productId: 'p',
      planId: 'plan',
      planVersion: 1,
      billingPeriod: 'MONTHLY',
      addons: [],
      billableFeatures: [],
      entitlements: [],
      metadata: {},
      startDate: 0,
      billingAnchor: 0,
      usageResetAt: 0,
      usageEpoch: 'e',
      trialEndDate: null,
      trialEndBehavior: null,
      endDate: null,
      cancellationDate: null,
      cancelReason: null,
      scheduledUpdates: [],
      createdAt: 0,
      updatedAt: 0,
    });
    await store.transaction([], async (tx) => {
      for (let i = 0; i < 200; i++) await tx.putSubscription(sub(i));
    });
    const resources = (n: number) => Array.from({ length: n }, (_, i) => `r${i}`);
    await store.read(async (r) => {
      // Twice over more list lengths than statements are kept, so shapes are evicted and prepared again.
      for (const round of [1, 2])
        for (let n = 1; n <= 100; n += round) {
          expect(await r.countSubscriptions({ resourceIds: resources(n) })).toBe(n);
          const page = await r.listSubscriptions({ resourceIds: resources(n), customerId: 'c0', limit: 5 });
          expect(page.map((s) => s.id)).toEqual([0, 3, 6, 9, 12].filter((i) => i < n).map((i) => sub(i).id));
        }
      // Thousands of ids, repeated: one parameter per distinct id.
      const many = [...resources(200), ...Array.from({ length: 5000 }, (_, i) => `other-${i}`), ...resources(200)];
      expect(await r.countSubscriptions({ resourceIds: many, statuses: ['ACTIVE'], now: 1 })).toBe(200);
    });
  });

  it('pages subscriptions along the primary key, or the (customer_id, id) index when a customer is given', async () => {
    const filename = tempFile();
    await (await open(filename)).close();
    const db = raw(filename);
    const plan = queryPlan(db);
    const compiler = sqliteCompiler();
    const filters = { resourceIds: ['r1', 'r2'], productIds: ['p'], statuses: ['ACTIVE' as const], now: 1 };
    const page = (query: SubscriptionPageQuery) => plan(selectSubscriptionPage(compiler, query).compile());
    expect(page({ ...filters, customerId: 'c1', afterId: 's1', limit: 20 })).toContain(
      'USING INDEX subscriptions_customer (customer_id=? AND id>?)',
    );
    expect(page({ ...filters, customerId: 'c1', beforeId: 's9', limit: 20 })).toContain(
      'USING INDEX subscriptions_customer (customer_id=? AND id<?)',
    );
    expect(page({ ...filters, afterId: 's1', limit: 20 })).toContain(
      'USING INDEX sqlite_autoindex_subscriptions_1 (id>?)',
    );
    expect(page({ ...filters, beforeId: 's9', limit: 20 })).toContain(
      'USING INDEX sqlite_autoindex_subscriptions_1 (id<?)',
    );
    expect(page({ ...filters, limit: 20 })).toContain(
      'SCAN subscriptions USING INDEX sqlite_autoindex_subscriptions_1',
    );
    expect(plan(countSubscriptions(compiler, { ...filters, customerId: 'c1' }).compile())).toContain(
      'USING INDEX subscriptions_customer (customer_id=?)',
    );
  });

  it('puts the file in WAL mode', async () => {
    const filename = tempFile();
    await open(filename);
    expect(raw(filename).pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('changes its changeToken when another connection commits, not on its own commits', async () => {
    const filename = tempFile();
    const ours = await open(filename);
    const theirs = await open(filename);
    const token = ours.changeToken?.();
    await ours.transaction([], (tx) => tx.putCustomer(customer('mine')));
    expect(ours.changeToken?.()).toBe(token);
    await theirs.transaction([], (tx) => tx.putCustomer(customer('theirs')));
    expect(ours.changeToken?.()).not.toBe(token);
  });

  it('two connections appending in turns past several folds and prunes keep every entry and the feed exact', async () => {
    // Each connection remembers where the journal stood after its own commits: the other's commits
    // in between must make it read again, or its folds and feed positions would drift.
    const filename = tempFile();
    const a = await open(filename);
    const b = await open(filename);
    const watcher = await open(filename);
    await a.transaction([], (tx) => tx.putCustomer(customer('start')));
    let seq = (await feed(watcher, 0))?.seq ?? 0;
    let x = 7;
    let total = 0;
    for (let round = 0; round < 120; round++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const writer = x % 3 === 0 ? b : a;
      const n = 1 + (x % 150);
      await writer.transaction([], (tx) => tx.appendUsage(Array.from({ length: n }, () => usage('c1'))));
      await writer.transaction([], (tx) => tx.putCustomer(customer(`k${round}`)));
      total += n;
      const changes = await feed(watcher, seq);
      expect([...(changes?.customerIds ?? [])].sort()).toEqual(['c1', `k${round}`]);
      seq = changes?.seq ?? seq;
    }
    const read = (store: Store) =>
      store.read(async (r) => ({
        counter: (await r.getUsage({ customerId: 'c1', resourceId: null, featureId: 'f', window: 'w' }))?.value,
        entries: (
          await r.listUsageEntries({
            customerId: 'c1',
            resourceId: null,
            featureId: 'f',
            ranges: [{ from: 0, before: 2 }],
          })
        ).length,
      }));
    expect(total).toBeGreaterThan(2 * 2048);
    for (const store of [a, b, watcher]) expect(await read(store)).toEqual({ counter: total, entries: total });
  });

  it('reports through changesSince the customers another connection touched, never its own', async () => {
    const filename = tempFile();
    const ours = await open(filename);
    const theirs = await open(filename);
    await ours.transaction([], (tx) => tx.putCustomer(customer('c0')));
    // From 0 (a reader starting with nothing cached) the answer is "everything", without a scan.
    const start = await feed(ours, 0);
    expect(start?.customerIds).toBeNull();
    await theirs.transaction([], (tx) => tx.putCustomer(customer('c0')));
    expect((await feed(ours, start?.seq ?? 0))?.customerIds).toEqual(['c0']);
    expect((await feed(theirs, start?.seq ?? 0))?.customerIds).toEqual([]);
    const mark = await feed(ours, start?.seq ?? 0);
    await theirs.transaction([], async (tx) => {
      await tx.putCustomer(customer('c1'));
      await tx.appendUsage([usage('c2')]);
    });
    await theirs.transaction([], (tx) => tx.putIdempotencyResult('scope', 'k', 1, 1));
    const changed = await feed(ours, mark?.seq ?? 0);
    expect([...(changed?.customerIds ?? [])].sort()).toEqual(['c1', 'c2']);
    expect(await feed(ours, changed?.seq ?? 0)).toEqual({ seq: changed?.seq, customerIds: [] });
  });

  it('answers changesSince with null when the changes are unknown: pruned, or from another file', async () => {
    const filename = tempFile();
    const ours = await open(filename);
    const theirs = await open(filename);
    expect(await feed(ours, 5)).toEqual({ seq: 0, customerIds: null });
    // Past the 10,000 journal rows kept, at the next batched prune.
    for (let i = 0; i < 11_100; i++) await theirs.transaction([], (tx) => tx.appendUsage([usage('c')]));
    expect(await feed(ours, 1)).toEqual({ seq: 11_100, customerIds: null });
    expect(await feed(ours, 11_099)).toEqual({ seq: 11_100, customerIds: ['c'] });
    const counted = await ours.read((r) =>
      r.getUsage({ customerId: 'c', resourceId: null, featureId: 'f', window: 'w' }),
    );
    expect(counted).toEqual({ value: 11_100, count: 11_100 });
  });

  it('leaves a connection it was given open on close', async () => {
    const db = raw(tempFile());
    const store = sqliteStore({ database: db });
    await store.open();
    await store.transaction([], (tx) => tx.putCustomer(customer('c1')));
    await store.close();
    expect(db.open).toBe(true);
    expect(db.prepare('select id from customers').all()).toEqual([{ id: 'c1' }]);
  });

  it('rolls back the whole transaction when a statement fails, naming the store', async () => {
    const filename = tempFile();
    const store = await open(filename);
    const broken = { id: 's1', customerId: null } as unknown as SubscriptionRecord;
    const attempt = store.transaction([], async (tx) => {
      await tx.putCustomer(customer('c1'));
      await tx.putSubscription(broken);
    });
    await expect(attempt).rejects.toMatchObject({ code: 'STORE_ERROR' });
    await expect(attempt).rejects.toThrow(`sqlite(${filename})`);
    expect(await store.read((r) => r.getCustomer('c1'))).toBeUndefined();
    await store.transaction([], (tx) => tx.putCustomer(customer('c2')));
    expect(await store.read((r) => r.getCustomer('c2'))).toBeDefined();
  });

  it('once SQLite aborts a transaction by itself, nothing the callback does afterwards is kept', async () => {
    const filename = tempFile();
    const store = await open(filename);
    // A trigger makes SQLite abandon the whole transaction, as SQLITE_FULL or an I/O error would.
    raw(filename).exec(
      "CREATE TRIGGER abort_on_boom BEFORE INSERT ON customers WHEN NEW.id = 'boom' BEGIN SELECT RAISE(ROLLBACK, 'boom'); END",
    );
    const swallowing = store.transaction([], async (tx) => {
      await tx.putCustomer(customer('first'));
      await tx.putCustomer(customer('boom')).catch(() => {}); // the callback swallows the failure
      await tx.putCustomer(customer('after'));
    });
    // The next statement is refused: the transaction it belonged to is gone.
    await expect(swallowing).rejects.toThrow('has already ended');
    const quiet = store.transaction([], async (tx) => {
      await tx.putCustomer(customer('first'));
      await tx.putCustomer(customer('boom')).catch(() => {});
    });
    await expect(quiet).rejects.toThrow('aborted the transaction');
    for (const id of ['first', 'after']) expect(await store.read((r) => r.getCustomer(id))).toBeUndefined();
    await store.transaction([], (tx) => tx.putCustomer(customer('later')));
    expect(await store.read((r) => r.getCustomer('later'))).toBeDefined();
  });

  it('folds the journal once foldEvery reports wait (8,192 by default), reads exact on either side', async () => {
    const folded = (filename: string) =>
      (
        raw(filename).prepare("select value from store_state where name = 'journal_folded_seq'").get() as
          | { value: number }
          | undefined
      )?.value ?? 0;
    const report = (store: Store, n: number) =>
      store.transaction(['customer:c1'], (tx) => tx.appendUsage(Array.from({ length: n }, () => usage('c1'))));
    const total = (store: Store) => store.read(async (r) => (await r.getUsage({ ...usage('c1') }))?.value);
    for (const [foldEvery, below] of [
      [undefined, 8191],
      [100, 99],
    ] as const) {
      const filename = tempFile();
      const store = sqliteStore({ filename, foldEvery });
      opened.push(store);
      await store.open();
      await report(store, below);
      expect(folded(filename)).toBe(0);
      expect(await total(store)).toBe(below);
      await report(store, 1);
      expect(folded(filename)).toBe(below + 1);
      expect(await total(store)).toBe(below + 1);
    }
  });

  it('rejects a foldEvery that is not an integer from 1 to 1,000,000 with INVALID_INPUT', () => {
    for (const foldEvery of [0, -1, 1.5, 1_000_001, Number.NaN]) {
      const error = (() => {
        try {
          sqliteStore({ filename: ':memory:', foldEvery });
        } catch (e) {
          return e;
        }
      })();
      expect(AllotError.is(error) && error.code).toBe('INVALID_INPUT');
    }
    expect(() => sqliteStore({ filename: ':memory:', foldEvery: 1 })).not.toThrow();
  });

  it('reports an in-memory database as neither durable nor shared', () => {
    expect(sqliteStore({ filename: ':memory:' }).capabilities).toEqual({
      durable: false,
      sharedAcrossProcesses: false,
      exactChangeToken: true,
    });
    expect(sqliteStore({ filename: tempFile() }).capabilities).toEqual({
      durable: true,
      sharedAcrossProcesses: true,
      exactChangeToken: true,
    });
  });

  it('reads timestamps as numbers even from a connection set to return BigInts', async () => {
    const db = raw(tempFile());
    db.defaultSafeIntegers(true);
    const store = sqliteStore({ database: db });
    await store.open();
    await store.transaction([], (tx) => tx.putCustomer(customer('c1')));
    expect(typeof (await store.read((r) => r.getCustomer('c1')))?.createdAt).toBe('number');
  });

  it('refuses a database migrated by a newer version of allot', async () => {
    const filename = tempFile();
    await (await open(filename)).close();
    raw(filename).exec('INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)');
    await expect(sqliteStore({ filename }).open()).rejects.toThrow('schema version 999');
  });

  it('fails to open a file that is not a database with STORE_ERROR naming the store', async () => {
    const filename = tempFile();
    fs.writeFileSync(filename, 'this is not a database, just some text that is long enough '.repeat(40));
    const error = await sqliteStore({ filename })
      .open()
      .catch((e: unknown) => e);
    expect(AllotError.is(error) && error.code).toBe('STORE_ERROR');
    expect(String(error)).toContain(`sqlite(${filename})`);
  });
});
