// `npm run bench`: the hot paths next to a plain-Map baseline, printed and written as JSON to
// bench/results/. Sized for a 2-core machine: the whole run takes a few minutes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { Allot, type AllotOptions, ManualClock, type Store, type UsageEntry } from '../src/index.js';
import { memoryStore } from '../src/stores/memory/index.js';
import { insertJournalEntry } from '../src/stores/sql/journal-queries.js';
import type { Database } from '../src/stores/sql/schema.js';
import { usageEntryToRow } from '../src/stores/sql/usage-queries.js';
import { sqliteStore } from '../src/stores/sqlite/index.js';
import { catalog } from './catalog.js';

interface Figure {
  name: string;
  opsPerSec: number;
  nsPerOp: number;
  p50Ns?: number;
  p99Ns?: number;
  note?: string;
}
const figures: Figure[] = [];

function record(f: Figure): void {
  figures.push(f);
  const pct = f.p50Ns === undefined ? '' : `  p50 ${f.p50Ns.toFixed(0)} ns  p99 ${f.p99Ns?.toFixed(0)} ns`;
  console.log(
    `${f.name.padEnd(58)} ${Math.round(f.opsPerSec).toLocaleString('en-US').padStart(12)} ops/s ${f.nsPerOp.toFixed(0).padStart(7)} ns/op${pct}${f.note ? `  (${f.note})` : ''}`,
  );
}

/** Runs `op` over `n` iterations after a warm-up; throughput from the whole loop. */
async function throughput(name: string, n: number, op: (i: number) => unknown | Promise<unknown>, note?: string) {
  for (let i = 0; i < Math.min(n, 10_000); i++) await op(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await op(i);
  const ns = Number(process.hrtime.bigint() - start);
  record({ name, opsPerSec: (n / ns) * 1e9, nsPerOp: ns / n, ...(note ? { note } : {}) });
}

/** Per-operation latency percentiles, sampling each call with hrtime (which adds ~40 ns). */
async function latency(name: string, n: number, op: (i: number) => unknown | Promise<unknown>) {
  const samples = new Float64Array(n);
  for (let i = 0; i < Math.min(n, 10_000); i++) await op(i);
  const begin = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await op(i);
    samples[i] = Number(process.hrtime.bigint() - t);
  }
  const total = Number(process.hrtime.bigint() - begin);
  samples.sort();
  record({
    name,
    opsPerSec: (n / total) * 1e9,
    nsPerOp: total / n,
    p50Ns: samples[Math.floor(n * 0.5)] ?? 0,
    p99Ns: samples[Math.floor(n * 0.99)] ?? 0,
  });
}

async function engine(store: Store, customers: number, options: Partial<AllotOptions> = {}): Promise<Allot> {
  const allot = Allot.initialize({ catalog, store, clock: new ManualClock('2025-01-15T00:00:00Z'), ...options });
  await allot.waitForInitialization();
  for (let i = 0; i < customers; i++)
    await allot.provisionCustomer({ customerId: `c${i}`, subscriptionParams: { planId: 'pro' } });
  // Warm every customer so checks are served from memory.
  for (let i = 0; i < customers; i++) await allot.getBooleanEntitlement({ customerId: `c${i}`, featureId: 'sso' });
  return allot;
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'allot-bench-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fixed pseudo-random access order, so runs compare. */
function randomOrder(size: number, n: number): Uint32Array {
  const order = new Uint32Array(n);
  let x = 2463534242;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    order[i] = (x >>> 0) % size;
  }
  return order;
}

async function checks(customers: number, n: number) {
  const label = customers >= 1000 ? `${customers / 1000}k` : String(customers);
  const ids = Array.from({ length: customers }, (_, i) => `c${i}`);
  const order = randomOrder(customers, n);
  const id = (i: number) => ids[order[i] ?? 0] ?? 'c0';

  const map = new Map(ids.map((c) => [c, { limit: 1_000_000, usage: 0 }]));
  await latency(`baseline: Map.get + compare, ${label} customers`, n, (i) => {
    const e = map.get(id(i));
    return e !== undefined && e.usage + 1 <= e.limit;
  });

  const allot = await engine(memoryStore(), customers);
  await latency(`getMeteredEntitlement (async), ${label} customers`, n, (i) =>
    allot.getMeteredEntitlement({ customerId: id(i), featureId: 'api-calls', options: { requestedUsage: 1 } }),
  );
  await throughput(`getMeteredEntitlement (async, tight loop), ${label} customers`, n, (i) =>
    allot.getMeteredEntitlement({ customerId: id(i), featureId: 'api-calls', options: { requestedUsage: 1 } }),
  );
  await latency(`getBooleanEntitlement (async), ${label} customers`, n, (i) =>
    allot.getBooleanEntitlement({ customerId: id(i), featureId: 'sso' }),
  );
  await latency(`getEntitlementSync METERED, ${label} customers`, n, (i) =>
    allot.getEntitlementSync({ customerId: id(i), featureId: 'api-calls' }, 'METERED'),
  );
  await throughput(`getEntitlementSync METERED (tight loop), ${label} customers`, n, (i) =>
    allot.getEntitlementSync({ customerId: id(i), featureId: 'api-calls' }, 'METERED'),
  );
  await throughput(`getEntitlementSync BOOLEAN (tight loop), ${label} customers`, n, (i) =>
    allot.getEntitlementSync({ customerId: id(i), featureId: 'sso' }, 'BOOLEAN'),
  );
  await allot.close();
}

/** Heap held by the cache per warm customer (10 features), on SQLite so no store copy is counted. */
async function heapPerWarmCustomer(customers: number) {
  await withTempDir(async (dir) => {
    const filename = join(dir, 'bench.db');
    await (await engine(sqliteStore({ filename }), customers)).close();
    const allot = await engine(sqliteStore({ filename }), 0);
    const heap = () => {
      globalThis.gc?.();
      return process.memoryUsage().heapUsed;
    };
    await allot.getBooleanEntitlement({ customerId: 'c0', featureId: 'sso' });
    const before = heap();
    for (let i = 0; i < customers; i++)
      await allot.getMeteredEntitlement({ customerId: `c${i}`, featureId: 'api-calls' });
    const perCustomer = (heap() - before) / customers;
    const note = globalThis.gc ? 'after GC' : 'without --expose-gc, so garbage included';
    console.log(`heap per warm customer (10 features, 1 metered): ${Math.round(perCustomer)} B (${note})`);
    figures.push({ name: 'heap per warm customer', opsPerSec: 0, nsPerOp: 0, note: `${Math.round(perCustomer)} B` });
    await allot.close();
  });
}

/**
 * Why the SQLite store compiles its kysely queries once: the same journal insert, one transaction
 * per call, through kysely's SqliteDialect (compiled on every call) and through the store.
 */
async function kyselyVersusPrepared(n: number) {
  await withTempDir(async (dir) => {
    const filename = join(dir, 'bench.db');
    const store = sqliteStore({ filename });
    await store.open();
    const entry: UsageEntry = {
      customerId: 'c',
      resourceId: null,
      featureId: 'f',
      window: 'w',
      periodStart: null,
      periodEnd: null,
      op: 'add',
      amount: 1,
      at: 1,
      dimensions: null,
    };
    const row = { ...usageEntryToRow(entry), origin: 'bench' };
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(filename) }) });
    await throughput('journal insert tx via kysely SqliteDialect (compiles per call)', n, () =>
      db.transaction().execute((trx) => insertJournalEntry(trx, row).execute()),
    );
    await db.destroy();
    await throughput('journal insert tx via the store (compiled once)', n, () =>
      store.transaction([], (tx) => tx.appendUsage([entry])),
    );
    await store.close();
  });
}

/** Warm checks on SQLite: memory answers them, but each first probes for other processes' commits. */
async function sqliteChecks(n: number) {
  await withTempDir(async (dir) => {
    const filename = join(dir, 'bench.db');
    await (await engine(sqliteStore({ filename }), 1000)).close();
    for (const interval of [0, 10]) {
      const allot = await engine(sqliteStore({ filename }), 0, { changeCheckIntervalMs: interval });
      for (let i = 0; i < 1000; i++) await allot.getBooleanEntitlement({ customerId: `c${i}`, featureId: 'sso' });
      await latency(`getMeteredEntitlement (async), SQLite 1k, changeCheckIntervalMs ${interval}`, n, (i) =>
        allot.getMeteredEntitlement({
          customerId: `c${i % 1000}`,
          featureId: 'api-calls',
          options: { requestedUsage: 1 },
        }),
      );
      await allot.close();
    }
  });
}

async function durableReportUsage(n: number) {
  await withTempDir(async (dir) => {
    const allot = await engine(sqliteStore({ filename: join(dir, 'bench.db') }), 1000);
    await throughput(
      'reportUsage on SQLite (WAL, one transaction per call)',
      n,
      (i) => allot.reportUsage({ customerId: `c${i % 1000}`, featureId: 'api-calls', value: 1 }),
      'durable: resolved after COMMIT',
    );
    await throughput('reportUsage with idempotencyKey on SQLite', n, (i) =>
      allot.reportUsage({ customerId: `c${i % 1000}`, featureId: 'api-calls', value: 1, idempotencyKey: `k${i}` }),
    );
    await throughput(
      'reportUsageBulk on SQLite, 100 per call (reports/s)',
      n / 100,
      (i) =>
        allot.reportUsageBulk({
          usages: Array.from({ length: 100 }, (_, j) => ({
            customerId: `c${(i * 100 + j) % 1000}`,
            featureId: 'api-calls',
            value: 1,
          })),
        }),
      'ops here are calls of 100 reports',
    );
    await throughput('checkAndReportUsage on SQLite (one transaction per call)', n / 2, (i) =>
      allot.checkAndReportUsage({ customerId: `c${i % 1000}`, featureId: 'api-calls', value: 1 }),
    );
    let key = 0;
    const events = (i: number) =>
      Array.from({ length: 1000 }, (_, j) => ({
        customerId: `c${(i * 1000 + j) % 1000}`,
        eventName: 'llm.call',
        // Random, not time-ordered: the dedupe index's worst case.
        idempotencyKey: `${Math.random().toString(36).slice(2)}-${key++}`,
        dimensions: { tokens: 120, model: 'small' },
      }));
    await throughput('reportEvent on SQLite, 1,000 per call, random keys (events/s)', n / 1000, (i) =>
      allot.reportEvent(events(i)),
    );
    await allot.close();
  });
}

/**
 * Credits and governance over 1,000 funded customers on SQLite: the durable writes (one
 * transaction per call) and the warm reads, which answer from memory.
 */
async function creditsAndGovernance(n: number) {
  await withTempDir(async (dir) => {
    const allot = await engine(sqliteStore({ filename: join(dir, 'bench.db') }), 1000);
    const pool = (i: number) => ({ customerId: `c${i % 1000}`, currencyId: 'ai-credits' });
    for (let i = 0; i < 1000; i++) {
      await allot.provisionSubscription({ customerId: `c${i}`, planId: 'ai' });
      await allot.grantCredits({ ...pool(i), amount: 1e9, displayName: 'bench' });
      await allot.governance.upsertEntities(`c${i}`, {
        entities: [{ entityId: 'org' }, { entityId: 'team', parentId: 'org' }, { entityId: 'user', parentId: 'team' }],
      });
      await allot.governance.setBudgets(`c${i}`, {
        budgets: ['org', 'team', 'user'].map((entityId) => ({
          entityId,
          capabilityId: 'ai-credits',
          limit: 1e12,
          resetPeriod: 'MONTH' as const,
        })),
      });
    }
    await throughput('consumeCredits on SQLite (one transaction per call)', n, (i) =>
      allot.consumeCredits({ ...pool(i), amount: 1, idempotencyKey: `k${i}` }),
    );
    await throughput('reportUsage of a credit-backed feature on SQLite', n, (i) =>
      allot.reportUsage({ customerId: `c${i % 1000}`, featureId: 'images', value: 1 }),
    );
    await throughput('governance.ingest on SQLite, 3-level path', n, (i) =>
      allot.governance.ingest(`c${i % 1000}`, {
        events: [{ entityIds: ['user'], capabilityId: 'ai-credits', amount: 1 }],
      }),
    );
    await latency('getCreditEntitlement (warm), 1k customers', n * 10, (i) => allot.getCreditEntitlement(pool(i)));
    await latency('credit-backed getMeteredEntitlement (warm), 1k customers', n * 10, (i) =>
      allot.getMeteredEntitlement({ customerId: `c${i % 1000}`, featureId: 'images', options: { requestedUsage: 1 } }),
    );
    await latency('governance.check (warm), 3-level path, 1k owners', n * 10, (i) =>
      allot.governance.check(`c${i % 1000}`, { entityIds: ['user'], capabilityId: 'ai-credits', requestedAmount: 1 }),
    );
    await allot.close();
  });
}

/**
 * A fresh process opening a SQLite file that holds `customers` customers and answering its first
 * check: customers load lazily, so only the catalog and the one customer are read.
 */
async function coldStart(customers: number) {
  await withTempDir(async (dir) => {
    const filename = join(dir, 'cold.db');
    const seed = await engine(sqliteStore({ filename }), 0);
    const started = process.hrtime.bigint();
    for (let i = 0; i < customers; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, customers - i) }, (_, j) => `c${i + j}`);
      await Promise.all(
        batch.map((customerId) => seed.provisionCustomer({ customerId, subscriptionParams: { planId: 'pro' } })),
      );
    }
    const seeded = Number(process.hrtime.bigint() - started) / 1e9;
    await seed.close();
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'cold-start.ts'), filename],
      {
        encoding: 'utf8',
      },
    );
    if (child.status !== 0) throw new Error(`cold-start child failed: ${child.stderr}`);
    const { fromProcessStart, fromInitialize } = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as {
      fromProcessStart: number;
      fromInitialize: number;
    };
    const note = `${customers.toLocaleString('en-US')} customers (seeded in ${seeded.toFixed(0)} s); ${fromProcessStart.toFixed(0)} ms from process start`;
    console.log(
      `${'cold start: initialize to first check answered'.padEnd(58)} ${fromInitialize.toFixed(1).padStart(12)} ms  (${note})`,
    );
    figures.push({ name: 'cold start: initialize to first check', opsPerSec: 0, nsPerOp: fromInitialize * 1e6, note });
  });
}

/** The PostgreSQL figures, ratios first, when a server is configured (see bench/postgres.ts). */
async function postgres(n: number) {
  const url = process.env.ALLOT_BENCH_POSTGRES_URL ?? process.env.ALLOT_TEST_POSTGRES_URL;
  if (url === undefined) {
    console.log('\npostgres figures skipped: set ALLOT_BENCH_POSTGRES_URL (or ALLOT_TEST_POSTGRES_URL) to a server');
    return;
  }
  const { postgresFigures } = await import('./postgres.js');
  console.log('\nPostgreSQL, each figure beside its floor on the same server:');
  for (const f of await postgresFigures(url, n)) {
    const ratio = f.floor ? `${(f.value / f.floor.value).toFixed(2)}× ` : '';
    const floor = f.floor ? `  (${f.floor.name}: ${Math.round(f.floor.value).toLocaleString('en-US')} ${f.unit})` : '';
    console.log(
      `${ratio}${f.name.padEnd(58)} ${f.value.toFixed(f.unit === 'ms' ? 2 : 0).padStart(10)} ${f.unit}${floor}`,
    );
    figures.push({
      name: `postgres: ${f.name}`,
      opsPerSec: f.unit === 'ops/s' ? f.value : 0,
      nsPerOp: f.unit === 'ms' ? f.value * 1e6 : 1e9 / f.value,
      ...(f.floor
        ? { note: `${f.floor.name}: ${f.floor.value.toFixed(0)}; ratio ${(f.value / f.floor.value).toFixed(2)}` }
        : {}),
    });
  }
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`allot bench on ${machine}\n`);
await checks(1_000, 200_000);
await checks(100_000, 500_000);
await kyselyVersusPrepared(20_000);
await sqliteChecks(200_000);
await heapPerWarmCustomer(20_000);
await durableReportUsage(50_000);
await creditsAndGovernance(20_000);
await coldStart(100_000);
await postgres(20_000);

const out = join(import.meta.dirname, 'results');
mkdirSync(out, { recursive: true });
const file = join(out, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ machine, date: new Date().toISOString(), figures }, null, 2)}\n`);
console.log(`\nwritten to ${file}`);
