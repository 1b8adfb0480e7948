// `npm run bench`: every figure beside its floor measured in the same run (SQLite's own write
// speed, the Stigg Node SDK's warm cache, a bare better-sqlite3 child process, allot itself at a
// smaller size), with the ratio; the goals of each figure at the end, as one table. Printed and
// written as JSON to bench/results/. Sized for a 2-core machine: a default run takes about ten
// minutes, three of them the heap soak. `npm run bench -- --quick` shortens the soak and the
// loops; `--million` adds 1M customers in SQLite (check p50/p99 and cold start) and a credit pool
// of 100,000 grants.
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
import { callsPerSecond, randomOrder, sampleLatency } from './timing.js';

/** One timed run: mean time per call and its percentiles. */
type Timed = { nsPerOp: number; p50Ns: number; p99Ns: number };

interface Figure {
  name: string;
  opsPerSec: number;
  nsPerOp: number;
  p50Ns?: number;
  p99Ns?: number;
  note?: string;
}
const figures: Figure[] = [];
const quick = process.argv.includes('--quick');

/** One line of the goals table: a figure, what it is compared with, and the goal. */
interface Goal {
  figure: string;
  value: string;
  floor: string;
  /** How the figure compares with its floor, e.g. "0.72×" or "5.1× faster". */
  ratio: string;
  goal: string;
  met: boolean;
}
const goals: Goal[] = [];

function goal(g: Goal): void {
  goals.push(g);
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

function record(f: Figure): void {
  figures.push(f);
  const pct = f.p50Ns === undefined ? '' : `  p50 ${f.p50Ns.toFixed(0)} ns  p99 ${f.p99Ns?.toFixed(0)} ns`;
  console.log(
    `${f.name.padEnd(58)} ${Math.round(f.opsPerSec).toLocaleString('en-US').padStart(12)} ops/s ${f.nsPerOp.toFixed(0).padStart(7)} ns/op${pct}${f.note ? `  (${f.note})` : ''}`,
  );
}

/** Runs `op` over `n` iterations after a warm-up; throughput from the whole loop. */
async function throughput(name: string, n: number, op: (i: number) => unknown, note?: string): Promise<Figure> {
  const opsPerSec = await callsPerSecond(n, op, { warmUp: Math.min(n, 10_000) });
  const figure = { name, opsPerSec, nsPerOp: 1e9 / opsPerSec, ...(note ? { note } : {}) };
  record(figure);
  return figure;
}

/** Per-operation latency percentiles. */
async function latency(name: string, n: number, op: (i: number) => unknown): Promise<Figure> {
  const { nsPerOp, p50Ns, p99Ns } = await sampleLatency(n, op);
  const figure = { name, opsPerSec: 1e9 / nsPerOp, nsPerOp, p50Ns, p99Ns };
  record(figure);
  return figure;
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
    goal({
      figure: 'heap per warm customer, 10 features',
      value: `${fmt(perCustomer)} B`,
      floor: '—',
      ratio: '—',
      goal: '≤ 1 KB',
      met: perCustomer <= 1024,
    });
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

/**
 * Rounds of the warm-check comparison. Each round times allot on memory, allot on SQLite and the
 * Stigg SDK one after the other, and each figure is its median round: on a shared machine a slow
 * spell then lands on every side alike instead of on whichever was timed during it (single runs of
 * the same code read anywhere from 4.6× to 7×).
 */
const CHECK_ROUNDS = 3;

/** The round of median time per call. */
const medianRound = <T extends { nsPerOp: number }>(rounds: T[]): T =>
  [...rounds].sort((a, b) => a.nsPerOp - b.nsPerOp)[Math.floor(rounds.length / 2)] as T;

/**
 * The warm metered check on memory and on SQLite with default options, beside the Stigg Node SDK's
 * warm cache asked the same question over as many customers in the same order (bench/stigg-floor.ts),
 * in interleaved rounds (`CHECK_ROUNDS`).
 */
async function warmChecksVersusStigg(n: number) {
  const order = randomOrder(1000, n);
  // The ids made once, as the Stigg floor makes them: a fresh string per call would add its hashing to allot's side only.
  const ids = Array.from({ length: 1000 }, (_, i) => `c${i}`);
  const ask = (allot: Allot) => (i: number) =>
    allot.getMeteredEntitlement({
      customerId: ids[order[i] ?? 0] ?? 'c0',
      featureId: 'api-calls',
      options: { requestedUsage: 1 },
    });
  const { stiggWarmCheck } = await import('./stigg-floor.js');
  await withTempDir(async (dir) => {
    const filename = join(dir, 'bench.db');
    await (await engine(sqliteStore({ filename }), 1000)).close();
    const warmSqlite = async (options: Partial<AllotOptions>) => {
      const allot = await engine(sqliteStore({ filename }), 0, options);
      for (let i = 0; i < 1000; i++) await allot.getBooleanEntitlement({ customerId: `c${i}`, featureId: 'sso' });
      return allot;
    };
    const memory = await engine(memoryStore(), 1000);
    const sqlite = await warmSqlite({});
    const rounds = { memory: [] as Timed[], sqlite: [] as Timed[], stigg: [] as Timed[] };
    let stiggVersion: string | undefined;
    for (let round = 0; round < CHECK_ROUNDS; round++) {
      rounds.memory.push(await sampleLatency(n, ask(memory)));
      rounds.sqlite.push(await sampleLatency(n, ask(sqlite)));
      const stigg = await stiggWarmCheck(n);
      if ('skipped' in stigg) console.log(`Stigg SDK warm cache: skipped (${stigg.skipped})`);
      else {
        rounds.stigg.push(stigg);
        stiggVersion = stigg.version;
      }
    }
    await memory.close();
    await sqlite.close();
    const perRound = (list: Timed[]) => `rounds: ${list.map((r) => `${fmt(r.nsPerOp)} ns`).join(', ')}`;
    const figure = (name: string, list: Timed[]): Figure => {
      const { nsPerOp, p50Ns, p99Ns } = medianRound(list);
      const f = { name, opsPerSec: 1e9 / nsPerOp, nsPerOp, p50Ns, p99Ns, note: perRound(list) };
      record(f);
      return f;
    };
    const onMemory = figure('getMeteredEntitlement (warm), memory, 1k customers', rounds.memory);
    const onSqlite = figure('getMeteredEntitlement (warm), SQLite, 1k customers, default options', rounds.sqlite);
    // Not compared with Stigg: timed once, with its own engine (one store per file per process).
    const probing = await warmSqlite({ changeCheckIntervalMs: 0 });
    await latency(
      'getMeteredEntitlement (warm), SQLite, 1k customers, changeCheckIntervalMs 0 (a probe per check)',
      n,
      ask(probing),
    );
    await probing.close();
    if (rounds.stigg.length === 0) return;
    const stigg = figure(`Stigg SDK ${stiggVersion} getMeteredEntitlement (warm cache), 1k customers`, rounds.stigg);
    for (const [store, f] of [
      ['memory', onMemory],
      ['SQLite, default options', onSqlite],
    ] as const) {
      const faster = stigg.nsPerOp / f.nsPerOp;
      goal({
        figure: `warm metered check, ${store}`,
        value: `${fmt(f.nsPerOp)} ns`,
        floor: `Stigg SDK warm cache ${fmt(stigg.nsPerOp)} ns`,
        ratio: `${faster.toFixed(1)}× faster`,
        goal: '≥ 5× faster',
        met: faster >= 5,
      });
    }
  });
}

/** The durable writes on SQLite, each beside SQLite's own floor measured in the same run (bench/sqlite-writes.ts). */
async function writesVersusSqlite(n: number) {
  const { sqliteWrites } = await import('./sqlite-writes.js');
  const results = await sqliteWrites(n);
  const goals: Record<string, number> = {
    'reportUsage, one call at a time': 0.7,
    'reportUsage, 64 in flight vs one at a time': 4,
    'reportUsageBulk, 1,000 per call': 0.3,
    'reportEvent, 1,000 per call, random keys': 0.7,
  };
  for (const f of results) {
    console.log(
      `${f.name.padEnd(58)} ${fmt(f.value).padStart(12)} ${f.unit}  ${f.ratio.toFixed(2)}× ${f.floor.name} (${fmt(f.floor.value)})`,
    );
    figures.push({
      name: f.name,
      opsPerSec: f.value,
      nsPerOp: 1e9 / f.value,
      note: `${f.ratio.toFixed(2)}× ${f.floor.name}`,
    });
    const target = goals[f.name];
    if (target !== undefined)
      goal({
        figure: `SQLite: ${f.name}`,
        value: `${fmt(f.value)} ${f.unit}`,
        floor: `${f.floor.name} ${fmt(f.floor.value)}`,
        ratio: `${f.ratio.toFixed(2)}×`,
        goal: `≥ ${target}×`,
        met: f.ratio >= target,
      });
  }
}

/** Writes with no floor of their own: idempotent reports and check-and-report, one transaction per call. */
async function otherWrites(n: number) {
  await withTempDir(async (dir) => {
    const allot = await engine(sqliteStore({ filename: join(dir, 'bench.db') }), 1000);
    await throughput('reportUsage with idempotencyKey on SQLite', n, (i) =>
      allot.reportUsage({ customerId: `c${i % 1000}`, featureId: 'api-calls', value: 1, idempotencyKey: `k${i}` }),
    );
    await throughput('checkAndReportUsage on SQLite, one call at a time', n / 2, (i) =>
      allot.checkAndReportUsage({ customerId: `c${i % 1000}`, featureId: 'api-calls', value: 1 }),
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
          limit: 1e10,
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
 * check through the built package, beside a bare better-sqlite3 child reading one customer from
 * the same file (bench/import-cost.ts); customers load lazily, so only the catalog and one are read.
 */
async function coldStart(customers: number) {
  const { importCost, seedCustomers } = await import('./import-cost.js');
  await withTempDir(async (dir) => {
    const filename = join(dir, 'cold.db');
    const started = performance.now();
    await seedCustomers(filename, customers);
    const seeded = (performance.now() - started) / 1000;
    const { wall, cpu } = importCost(filename, { runs: quick ? 3 : 7 });
    const label = `${fmt(customers)} customers`;
    for (const [name, ms] of [
      ['node -e 0', wall.node],
      ["import 'allot' (ESM)", wall.importEsm],
      ["require('allot') (CJS)", wall.requireCjs],
      ["import 'allot/stores/sqlite'", wall.importSqliteStore],
      [`bare better-sqlite3 child: open, read one customer (${label})`, wall.bareSqliteRead],
      [`fresh process to first check (${label}, seeded in ${seeded.toFixed(0)} s)`, wall.firstCheck],
    ] as const) {
      console.log(`${name.padEnd(74)} ${ms.toFixed(1).padStart(8)} ms`);
      figures.push({ name: `start: ${name}`, opsPerSec: 0, nsPerOp: ms * 1e6 });
    }
    console.log(
      `CPU of the same children: first check ${cpu.firstCheck.toFixed(0)} ms, bare read ${cpu.bareSqliteRead.toFixed(0)} ms`,
    );
    goal({
      figure: `fresh process → first check, ${label} in SQLite`,
      value: `${wall.firstCheck.toFixed(0)} ms`,
      floor: `bare better-sqlite3 child ${wall.bareSqliteRead.toFixed(0)} ms`,
      ratio: `${wall.ratio.toFixed(2)}×`,
      goal: '≤ 2×',
      met: wall.ratio <= 2,
    });
  });
}

/**
 * `--million`: one million customers in SQLite. Checks at random over all of them (the cache holds
 * 100,000 by default, so most are loads, and evictions), then over a working set the cache holds;
 * and a fresh process's first check on the file.
 */
async function million() {
  const { importCost, seedCustomers } = await import('./import-cost.js');
  await withTempDir(async (dir) => {
    const filename = join(dir, 'million.db');
    const customers = 1_000_000;
    const started = performance.now();
    await seedCustomers(filename, customers);
    console.log(`seeded ${fmt(customers)} customers in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    const allot = await engine(sqliteStore({ filename }), 0);
    const all = randomOrder(customers, 200_000);
    await latency('getMeteredEntitlement, 1M customers in SQLite, random over all (mostly loads)', 200_000, (i) =>
      allot.getMeteredEntitlement({ customerId: `c${all[i] ?? 0}`, featureId: 'api-calls' }),
    );
    const set = randomOrder(50_000, 500_000);
    for (let i = 0; i < 50_000; i++) await allot.getBooleanEntitlement({ customerId: `c${i * 20}`, featureId: 'sso' });
    await latency('getMeteredEntitlement, 1M customers in SQLite, a warm working set of 50k', 500_000, (i) =>
      allot.getMeteredEntitlement({ customerId: `c${(set[i] ?? 0) * 20}`, featureId: 'api-calls' }),
    );
    await allot.close();
    const { wall } = importCost(filename, { runs: 3 });
    console.log(
      `fresh process to first check, 1M customers: ${wall.firstCheck.toFixed(0)} ms (bare better-sqlite3 child ${wall.bareSqliteRead.toFixed(0)} ms, ${wall.ratio.toFixed(2)}×)`,
    );
    figures.push({
      name: 'start: fresh process to first check, 1M customers',
      opsPerSec: 0,
      nsPerOp: wall.firstCheck * 1e6,
    });
  });
}

/** getUsageHistory of ~3 points for one customer as its stored reports grow (bench/history-scaling.ts). */
async function history() {
  const { historyScaling } = await import('./history-scaling.js');
  const curve = await historyScaling([1_000, 10_000, 100_000]);
  for (const { n, ms } of curve) {
    console.log(`${`getUsageHistory, 3 points, ${fmt(n)} stored reports`.padEnd(58)} ${ms.toFixed(2).padStart(12)} ms`);
    figures.push({ name: `getUsageHistory at ${n} reports`, opsPerSec: 1000 / ms, nsPerOp: ms * 1e6 });
  }
  const [small, large] = [curve[0], curve.at(-1)];
  if (small && large)
    goal({
      figure: 'getUsageHistory, 3 points, at 100k stored reports',
      value: `${large.ms.toFixed(2)} ms`,
      floor: `the same at 1k: ${small.ms.toFixed(2)} ms`,
      ratio: `${(large.ms / small.ms).toFixed(2)}×`,
      goal: '≤ 2×',
      met: large.ms / small.ms <= 2,
    });
}

/** One credit pool granted then consumed whole n times (bench/credits-scaling.ts): linear in n. */
async function creditPools(sizes: number[]) {
  const { creditScaling } = await import('./credits-scaling.js');
  const curve = await creditScaling(sizes);
  for (const { n, seconds } of curve) {
    console.log(`${`one pool, ${fmt(n)} grants each consumed whole`.padEnd(58)} ${seconds.toFixed(2).padStart(12)} s`);
    figures.push({ name: `credit pool of ${n} grants`, opsPerSec: n / seconds, nsPerOp: (seconds * 1e9) / n });
  }
  const [small, large] = [curve.find((c) => c.n === 2_000), curve.find((c) => c.n === 20_000)];
  if (small && large)
    goal({
      figure: 'one credit pool of 20,000 grants (grant, consume whole)',
      value: `${large.seconds.toFixed(1)} s`,
      floor: `2,000 grants: ${small.seconds.toFixed(1)} s`,
      ratio: `${(large.seconds / small.seconds).toFixed(1)}×`,
      goal: '≤ 12×',
      met: large.seconds / small.seconds <= 12,
    });
}

/** Heap after GC over a steady mixed load on fixed customers (bench/heap-soak.ts). */
async function soak(seconds: number) {
  const { heapSoak } = await import('./heap-soak.js');
  const result = await heapSoak(2000, seconds);
  const samples = result.samplesMb.map((mb) => mb.toFixed(1)).join(' → ');
  console.log(
    `heap after GC, ${seconds} s mixed load, 2,000 customers: ${samples} MB (${fmt(result.operations)} calls)`,
  );
  figures.push({ name: 'heap soak', opsPerSec: 0, nsPerOp: 0, note: `${samples} MB` });
  goal({
    figure: `heap after GC, ${seconds} s mixed load (checks, usage, events, grants consumed whole)`,
    value: `${result.samplesMb.at(-1)?.toFixed(1)} MB`,
    floor: `after warm-up ${result.samplesMb[Math.floor(result.samplesMb.length / 4)]?.toFixed(1)} MB`,
    ratio: `${(result.growth * 100).toFixed(1)}% growth`,
    goal: '≤ 10% growth',
    met: result.growth <= 0.1,
  });
}

/** The goals table: each figure, its floor, the ratio, the goal, and whether this run met it. */
function printGoals() {
  console.log('\nGoals (issue 12), this run:');
  const rows = [
    ['figure', 'value', 'floor (same run)', 'ratio', 'goal', 'met'],
    ...goals.map((g) => [g.figure, g.value, g.floor, g.ratio, g.goal, g.met ? 'yes' : 'NO']),
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  for (const row of rows) console.log(`| ${row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`);
}

/** The goals of the PostgreSQL figures that have one: the same as SQLite's where they apply. */
const POSTGRES_GOALS: Record<string, number> = {
  'reportUsage, one process, 64 calls in flight': 4,
  'reportEvent, 1,000 per call, random keys': 0.7,
};

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
    const target = POSTGRES_GOALS[f.name];
    if (f.floor && target !== undefined)
      goal({
        figure: `PostgreSQL: ${f.name}`,
        value: `${fmt(f.value)} ${f.unit}`,
        floor: `${f.floor.name} ${fmt(f.floor.value)}`,
        ratio: `${(f.value / f.floor.value).toFixed(2)}×`,
        goal: `≥ ${target}×`,
        met: f.value / f.floor.value >= target,
      });
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
await warmChecksVersusStigg(quick ? 50_000 : 200_000);
await heapPerWarmCustomer(20_000);
await writesVersusSqlite(quick ? 10_000 : 50_000);
await otherWrites(quick ? 5_000 : 20_000);
await creditsAndGovernance(20_000);
await coldStart(100_000);
await history();
await creditPools(process.argv.includes('--million') ? [2_000, 20_000, 100_000] : [2_000, 20_000]);
await soak(quick ? 30 : 180);
if (process.argv.includes('--million')) await million();
await postgres(20_000);
printGoals();

const out = join(import.meta.dirname, 'results');
mkdirSync(out, { recursive: true });
const file = join(out, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ machine, date: new Date().toISOString(), figures, goals }, null, 2)}\n`);
console.log(`\nwritten to ${file}`);
