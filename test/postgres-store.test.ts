// The PostgreSQL store: the conformance suite on a fresh schema per store, then what only a server
// shared by many instances has: row locks per key, migrations racing, a caller's pool, int8 parsing
// that leaves pg's globals alone, connection failures, indexes, and pg loaded only when opened.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DummyDriver } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { AllotError } from '../src/errors.js';
import { Allot, ManualClock } from '../src/index.js';
import type { SubscriptionRecord } from '../src/model/records.js';
import { postgresStore } from '../src/stores/postgres/index.js';
import { postgresKysely } from '../src/stores/postgres/postgres-driver.js';
import {
  selectCreditConsumption,
  selectCreditLedger,
  selectCustomerHeldCreditGrants,
  selectHeldCreditGrants,
} from '../src/stores/sql/credit-queries.js';
import { selectJournalCells, selectRollupCells } from '../src/stores/sql/rollup-queries.js';
import { selectSubscriptionPage } from '../src/stores/sql/subscription-filter-queries.js';
import { selectUsageHistory } from '../src/stores/sql/usage-queries.js';
import type { Store } from '../src/stores/store.js';
import { AI_CREDITS, creditCatalog } from './helpers/credit-fixtures.js';
import { freshSchema, postgresUrl, skipWithoutPostgres } from './helpers/postgres.js';
import { customer, postgresTestFile } from './helpers/postgres-stores.js';
import { backfillEntries, backfillSummaries } from './helpers/rollup-backfill.js';
import { describeStoreConformance } from './store-conformance.js';

const url = postgresUrl() ?? '';
const { admin, dropLater, perTest } = postgresTestFile(url);

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)),
  ]);

// Creating a store's schema is ~30 CREATE statements: the conformance property, a fresh store per
// run, needs longer than the default timeout on a busy server.
describe.skipIf(skipWithoutPostgres)('postgres', { timeout: 120_000 }, () => {
  describeStoreConformance(
    'postgres',
    async () => {
      const schema = freshSchema('t');
      return {
        store: postgresStore({ connectionString: url, schema }),
        reopen: async () => postgresStore({ connectionString: url, schema }),
        cleanup: async () => dropLater(schema),
      };
    },
    { durable: true },
  );

  describe('postgres store', () => {
    const { schema, open, track } = perTest();

    /** An engine with the credit catalog on schema `s`, its clock fixed, its store closed after the test. */
    const creditEngine = (s: string) => {
      const store = postgresStore({ connectionString: url, schema: s });
      track(store);
      const clock = new ManualClock('2025-01-15T00:00:00Z');
      return Allot.initialize({ catalog: creditCatalog(), store, clock }).waitForInitialization();
    };

    it('runs transactions on disjoint keys at once (both reach a barrier) and serialises those sharing a key', async () => {
      const s = schema();
      const [a, b] = [await open({ schema: s }), await open({ schema: s })];
      // Disjoint keys, two instances: each waits inside its transaction for the other to arrive.
      const arrived = [signal(), signal()];
      const meet = (store: Store, me: 0 | 1, id: string) =>
        store.transaction([`customer:${id}`], async (tx) => {
          await tx.putCustomer(customer(id));
          arrived[me]?.resolve();
          await arrived[1 - me]?.promise;
        });
      await within(Promise.all([meet(a, 0, 'x'), meet(b, 1, 'y')]), 5_000, 'disjoint keys');
      // A shared key: the second starts only once the first committed, and sees its write.
      const events: string[] = [];
      const firstHolds = signal();
      const release = signal();
      const first = a.transaction(['customer:x', 'customer:z'], async (tx) => {
        firstHolds.resolve();
        events.push('first starts');
        await release.promise;
        await tx.putCustomer(customer('x', 'first'));
        events.push('first ends');
      });
      await firstHolds.promise;
      const second = b.transaction(['customer:y', 'customer:x'], async (tx) => {
        events.push('second starts');
        events.push(`second sees ${(await tx.getCustomer('x'))?.name}`);
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(events).toEqual(['first starts']);
      release.resolve();
      await Promise.all([first, second]);
      expect(events).toEqual(['first starts', 'first ends', 'second starts', 'second sees first']);
    });

    it('never deadlocks writers taking overlapping keys in opposite orders, across instances', async () => {
      const s = schema();
      const stores = [await open({ schema: s }), await open({ schema: s })];
      await stores[0]?.transaction([], (tx) => tx.putCustomer(customer('n', '0')));
      const keys = ['customer:p', 'customer:q', 'customer:r', 'customer:n'];
      const increment = (i: number) =>
        (stores[i % 2] as Store).transaction(i % 2 ? [...keys].reverse() : keys, async (tx) => {
          const seen = Number((await tx.getCustomer('n'))?.name);
          await tx.putCustomer(customer('n', String(seen + 1)));
        });
      await within(Promise.all(Array.from({ length: 40 }, (_, i) => increment(i))), 20_000, 'contended writers');
      expect((await stores[1]?.read((r) => r.getCustomer('n')))?.name).toBe('40');
    });

    it('migrates a fresh schema once when several instances open it at the same time', async () => {
      const s = schema();
      const stores = Array.from({ length: 4 }, () => postgresStore({ connectionString: url, schema: s }));
      track(...stores);
      await Promise.all(stores.map((store) => store.open()));
      const { rows } = await admin.query(`select version from "${s}".migrations order by version`);
      expect(rows).toEqual([1, 2, 3, 4, 5, 6, 7].map((version) => ({ version })));
      await stores[3]?.transaction(['customer:c1'], (tx) => tx.putCustomer(customer('c1')));
      expect(await stores[0]?.read((r) => r.getCustomer('c1'))).toEqual(customer('c1'));
    });

    it('migration 2 backfills the usage rollups of the entries written before it', async () => {
      const s = schema();
      const first = await open({ schema: s });
      await first.transaction(['customer:c1'], (tx) => tx.appendUsage(backfillEntries));
      const maintained = await backfillSummaries(first);
      // Back to the version 1 schema, as one written by the previous release would be.
      await admin.query(`drop table "${s}".usage_rollups; delete from "${s}".migrations where version = 2`);
      expect(await backfillSummaries(await open({ schema: s }))).toEqual(maintained);
    });

    it('migration 3 keeps the balances of a schema written before it, and its next write lets spent grants go', async () => {
      const s = schema();
      const pool = { customerId: 'c1', currencyId: AI_CREDITS };
      const engine = () => creditEngine(s);
      const first = await engine();
      await first.provisionCustomer({ customerId: 'c1' });
      await first.grantCredits({ ...pool, amount: 10, displayName: 'used up' });
      await first.consumeCredits({ ...pool, amount: 10, idempotencyKey: 'u1' });
      await first.grantCredits({ ...pool, amount: 10, displayName: 'in use' });
      await first.consumeCredits({ ...pool, amount: 4, idempotencyKey: 'u2' });
      await first.close();
      // Back to the version 2 schema, as the previous release left it: the used-up grant is held again.
      await admin.query(`
        drop index "${s}".credit_grants_held; alter table "${s}".credit_grants drop column held;
        alter table "${s}".credit_pools drop column spent, drop column spent_revision; drop table "${s}".credit_spent_expiries;
        delete from "${s}".migrations where version = 3`);
      const held = async () => {
        const store = await open({ schema: s });
        const read = await store.read((r) => r.getCreditPool({ ...pool, resourceId: null }));
        return { grants: read.grants.map((g) => g.displayName).sort(), spent: read.spent.total };
      };
      expect(await held()).toEqual({ grants: ['in use', 'used up'], spent: '0' });
      const migrated = await engine();
      const totals = async () => {
        const e = await migrated.getCreditEntitlement(pool);
        return [e.currentBalance, e.totalGranted, e.totalConsumed];
      };
      expect(await totals()).toEqual([6, 20, 14]);
      await migrated.consumeCredits({ ...pool, amount: 1, idempotencyKey: 'u3' });
      expect(await totals()).toEqual([5, 20, 15]);
      expect(await held()).toEqual({ grants: ['in use'], spent: '10' });
      await migrated.close();
    });

    it('migration 6 keeps the grants and pools of a schema written before it, which then take recurrences and schedules', async () => {
      const s = schema();
      const pool = { customerId: 'c1', currencyId: AI_CREDITS };
      const engine = () => creditEngine(s);
      const first = await engine();
      await first.provisionCustomer({ customerId: 'c1' });
      await first.grantCredits({ ...pool, amount: 10, displayName: 'old' });
      await first.consumeCredits({ ...pool, amount: 4, idempotencyKey: 'u1' });
      await first.close();
      // Back to the version 5 schema, as the previous release left it.
      await admin.query(`
        alter table "${s}".credit_grants drop column recurrence, drop column rollover, drop column refilled_at;
        alter table "${s}".credit_pools drop column schedule;
        delete from "${s}".migrations where version = 6`);
      const migrated = await engine();
      expect((await migrated.getCreditGrants({ customerId: 'c1' })).data).toMatchObject([
        { displayName: 'old', consumedAmount: 4, recurrence: null, rollover: null },
      ]);
      await migrated.grantCredits({ ...pool, amount: 5, displayName: 'new', recurrence: { interval: 'DAY' } });
      await migrated.saveCreditResetSchedule({ ...pool, schedule: { interval: 'WEEK' } });
      expect((await migrated.getCreditEntitlement(pool)).currentBalance).toBe(11);
      expect(await migrated.getCreditResetSchedule(pool)).toMatchObject({ interval: 'WEEK', overage: 'CARRY' });
      await migrated.close();
    });

    it('migration 7 leaves room on the pages of the usage counters and rollups, which every report rewrites', async () => {
      const s = schema();
      const options = async () => {
        const { rows } = await admin.query(
          `select relname, reloptions from pg_class where relnamespace = $1::regnamespace
            and relname in ('usage_counters', 'usage_rollups') order by relname`,
          [s],
        );
        return rows;
      };
      await (await open({ schema: s })).close();
      const migrated = [
        { relname: 'usage_counters', reloptions: ['fillfactor=50'] },
        { relname: 'usage_rollups', reloptions: ['fillfactor=50'] },
      ];
      expect(await options()).toEqual(migrated);
      // Back to the version 6 schema, as the previous release left it.
      await admin.query(`
        alter table "${s}".usage_counters reset (fillfactor); alter table "${s}".usage_rollups reset (fillfactor);
        delete from "${s}".migrations where version = 7`);
      expect((await options()).map((r) => r.reloptions)).toEqual([null, null]);
      await (await open({ schema: s })).close();
      expect(await options()).toEqual(migrated);
    });

    it('refuses a schema migrated by a newer version of allot', async () => {
      const s = schema();
      await (await open({ schema: s })).close();
      await admin.query(`insert into "${s}".migrations (version, applied_at) values (999, 0)`);
      await expect(postgresStore({ connectionString: url, schema: s }).open()).rejects.toThrow('version 999');
    });

    it('works on a pg Pool of the caller, and leaves it open on close', async () => {
      const s = schema();
      const pool = new pg.Pool({ connectionString: url, max: 3 });
      try {
        const store = postgresStore({ pool, schema: s });
        await store.open();
        await store.transaction(['customer:c1'], (tx) => tx.putCustomer(customer('c1')));
        expect(await store.read((r) => r.getCustomer('c1'))).toEqual(customer('c1'));
        await store.close();
        expect((await pool.query(`select id from "${s}".customers`)).rows).toEqual([{ id: 'c1' }]);
      } finally {
        await pool.end();
      }
    });

    it('reads int8 columns as numbers without touching pg’s global type parsers', async () => {
      const parser = pg.types.getTypeParser(20);
      const store = await open({ schema: schema() });
      await store.transaction(['customer:c1'], (tx) => tx.putCustomer(customer('c1')));
      const read = await store.read((r) => r.getCustomer('c1'));
      expect(typeof read?.createdAt).toBe('number');
      expect(read?.createdAt).toBe(1_700_000_000_000);
      expect(pg.types.getTypeParser(20)).toBe(parser);
      // Everyone else's int8 still reads as pg's default, a string.
      expect((await admin.query('select 1700000000000::int8 as n')).rows[0].n).toBe('1700000000000');
    });

    it('fails fast with STORE_UNAVAILABLE naming the store when no server listens, and can open later', async () => {
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'allot-no-server-'));
      try {
        const store = postgresStore({ connectionString: `postgresql://postgres@/postgres?host=${empty}`, schema: 'x' });
        const started = Date.now();
        const error = await store.open().catch((e: unknown) => e);
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(AllotError.is(error) && error.code).toBe('STORE_UNAVAILABLE');
        expect(String(error)).toContain('postgres(x)');
        await expect(store.transaction([], async () => undefined)).rejects.toMatchObject({ code: 'NOT_INITIALIZED' });
        await store.close();
      } finally {
        fs.rmSync(empty, { recursive: true, force: true });
      }
      // A pool that refuses its first connections: the open that failed is retried, not replayed.
      const real = new pg.Pool({ connectionString: url, max: 2 });
      let refuse = true;
      const flaky = {
        connect: () =>
          refuse
            ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
            : real.connect(),
        end: () => real.end(),
        on: (event: 'error', listener: (error: Error) => void) => real.on(event, listener),
        options: real.options,
      };
      try {
        const store = postgresStore({ pool: flaky, schema: schema() });
        await expect(store.open()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
        refuse = false;
        await store.open();
        await store.transaction(['customer:c1'], (tx) => tx.putCustomer(customer('c1')));
        await store.close();
      } finally {
        await real.end();
      }
    });

    it('rolls back a transaction whose connection dies mid-way, then carries on with a fresh one', async () => {
      const s = schema();
      const store = await open({ schema: s });
      const attempt = store.transaction(['customer:c1'], async (tx) => {
        await tx.putCustomer(customer('c1'));
        await admin.query(
          `select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and state = 'idle in transaction'`,
          [`allot:${s}`],
        );
        await tx.putCustomer(customer('c2'));
      });
      await expect(attempt).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await expect(attempt).rejects.toThrow(`postgres(${s})`);
      expect(await store.read(async (r) => [await r.getCustomer('c1'), await r.getCustomer('c2')])).toEqual([
        undefined,
        undefined,
      ]);
      await store.transaction(['customer:c3'], (tx) => tx.putCustomer(customer('c3')));
      expect(await store.read((r) => r.getCustomer('c3'))).toBeDefined();
    });

    it('rejects a write the server has not answered within the timeout (a key held too long), writing nothing', async () => {
      const s = schema();
      const store = await open({ schema: s, connectionTimeoutMs: 300 });
      await store.transaction(['customer:c1'], (tx) => tx.putCustomer(customer('c1', 'before')));
      const holder = await admin.connect();
      try {
        await holder.query('begin');
        await holder.query(`select 1 from "${s}".locks where key = 'customer:c1' for update`);
        const started = Date.now();
        const attempt = store.transaction(['customer:c1'], (tx) => tx.putCustomer(customer('c1', 'after')));
        await expect(attempt).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
        expect(Date.now() - started).toBeLessThan(2_000);
      } finally {
        await holder.query('rollback');
        holder.release();
      }
      expect((await store.read((r) => r.getCustomer('c1')))?.name).toBe('before');
      await store.transaction(['customer:c1'], (tx) => tx.putCustomer(customer('c1', 'later')));
      expect((await store.read((r) => r.getCustomer('c1')))?.name).toBe('later');
    });

    it('keeps nothing of a transaction whose callback swallowed a failed statement', async () => {
      const s = schema();
      const store = await open({ schema: s });
      const attempt = store.transaction(['customer:c1'], async (tx) => {
        await tx.putCustomer(customer('c1'));
        // Violates NOT NULL: PostgreSQL aborts the transaction, whatever the callback does next.
        await tx.putSubscription({ id: 's1', customerId: null } as unknown as SubscriptionRecord).catch(() => {});
      });
      await expect(attempt).rejects.toMatchObject({ code: 'STORE_ERROR' });
      expect(await store.read((r) => r.getCustomer('c1'))).toBeUndefined();
    });

    it('runs its hot queries on indexes (checked with sequential scans disabled)', async () => {
      const s = schema();
      const store = await open({ schema: s });
      const client = await admin.connect();
      const db = postgresKysely(new DummyDriver(), s);
      const plan = async (query: { sql: string; parameters: readonly unknown[] }) =>
        (await client.query(`explain ${query.sql}`, [...query.parameters])).rows.map((r) => r['QUERY PLAN']).join('\n');
      try {
        await client.query('set enable_seqscan = off');
        expect(
          await plan(selectSubscriptionPage(db, { customerId: 'c1', afterId: 's1', limit: 20 }).compile()),
        ).toContain('subscriptions_customer');
        const pool = { customerId: 'c1', currencyId: 'tokens', resourceId: '' };
        expect(await plan(selectHeldCreditGrants(db, pool).compile())).toContain('credit_grants_held');
        expect(await plan(selectCustomerHeldCreditGrants(db, pool).compile())).toContain('credit_grants_held');
        const ledger = { customerId: 'c1', afterSeq: 0, limit: 10 };
        expect(await plan(selectCreditLedger(db, ledger).compile())).toContain('credit_ledger_customer');
        const consumption = { customerId: 'c1', from: 0, before: 10 };
        expect(await plan(selectCreditConsumption(db, consumption).compile())).toContain('credit_ledger_time');
        const history = { customerId: 'c1', featureId: 'f', resourceId: '', froms: [0, 20], befores: [10, 30] };
        expect(await plan(selectUsageHistory(db, history).compile())).toContain('journal_history');
        const grid = { origin: 0, width: 60_000 };
        expect(await plan(selectJournalCells(db, { ...history, ...grid }).compile())).toContain('journal_history');
        const pieces = { spans: [60_000, 3_600_000], froms: [0, 60_000], befores: [60_000, 3_600_000] };
        const rollups = { customerId: 'c1', featureId: 'f', resourceId: '', ...grid, ...pieces };
        expect(await plan(selectRollupCells(db, rollups).compile())).toContain('usage_rollups_pkey');
        const changes = {
          sql: `select customer_id from "${s}".changes where xid >= $1::text::xid8`,
          parameters: ['5'],
        };
        expect(await plan(changes)).toContain('changes_xid');
      } finally {
        await client.query('reset enable_seqscan');
        client.release();
      }
      await store.close();
    });

    it('importing allot, its other stores, or this store before open never loads pg', async () => {
      const script = `
        import { createRequire } from 'node:module';
        const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((m) => /node_modules[\\\\/]pg[\\\\/]/.test(m));
        await import('./src/index.ts');
        await import('./src/stores/memory/index.ts');
        await import('./src/stores/sqlite/index.ts');
        const { postgresStore } = await import('./src/stores/postgres/index.ts');
        const before = loaded();
        const store = postgresStore({ connectionString: process.env.URL, schema: process.env.SCHEMA });
        await store.open();
        await store.close();
        console.log(JSON.stringify({ before, after: loaded() }));
      `;
      const s = schema();
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: path.resolve(import.meta.dirname, '..'), env: { ...process.env, URL: url, SCHEMA: s } },
      );
      // The positive control: opening the store does load it, and the check sees that.
      expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({ before: false, after: true });
    });
  });
});
