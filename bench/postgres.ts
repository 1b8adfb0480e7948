// The PostgreSQL figures of `npm run bench`, each beside its floor on the same server in the same
// run: pgbench's simple-update transaction (-N) with the same client count. Runs when
// ALLOT_BENCH_POSTGRES_URL (or ALLOT_TEST_POSTGRES_URL) names a server it may create schemas on.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'pg-connection-string';
import { Allot, ManualClock } from '../src/index.js';
import { postgresStore } from '../src/stores/postgres/index.js';
import { catalog } from './catalog.js';
import { callsPerSecond } from './timing.js';

/** A figure beside its floor: `ratio` is the figure over the floor. */
export interface FloorFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly floor?: { readonly name: string; readonly value: number };
}

const CUSTOMERS = 1000;
const PGBENCH_DB = 'allot_pgbench';

/** psql/pgbench connection arguments from a postgresql:// URL (its host may be a socket directory). */
function connection(url: string): { args: string[]; database: string } {
  const c = parse(url);
  const args = ['-h', c.host ?? 'localhost', ...(c.port ? ['-p', c.port] : []), '-U', c.user ?? 'postgres'];
  return { args, database: c.database ?? 'postgres' };
}

/** The floor database, created and initialised (scale 10) on first use. */
function pgbenchDatabase(url: string): string[] {
  const { args } = connection(url);
  const exists = execFileSync(
    'psql',
    [...args, '-d', 'postgres', '-Atc', `select 1 from pg_database where datname = '${PGBENCH_DB}'`],
    { encoding: 'utf8' },
  );
  if (exists.trim() !== '1') {
    execFileSync('psql', [...args, '-d', 'postgres', '-c', `create database ${PGBENCH_DB}`], { stdio: 'ignore' });
    execFileSync('pgbench', [...args, '-i', '-s', '10', '-q', PGBENCH_DB], { stdio: 'ignore' });
  }
  return args;
}

/** pgbench with `clients` clients for `seconds` (-N, or the `script` given): transactions/s. */
function pgbenchTps(url: string, clients: number, seconds: number, script?: string): number {
  const args = pgbenchDatabase(url);
  const dir = script === undefined ? undefined : mkdtempSync(join(tmpdir(), 'allot-pgbench-'));
  try {
    const workload = dir === undefined ? ['-N'] : ['-f', join(dir, 'script.sql')];
    if (dir !== undefined) writeFileSync(join(dir, 'script.sql'), script ?? '');
    const out = execFileSync(
      'pgbench',
      [
        ...args,
        ...workload,
        '-n',
        '-c',
        String(clients),
        '-j',
        String(Math.min(clients, 2)),
        '-T',
        String(seconds),
        PGBENCH_DB,
      ],
      { encoding: 'utf8' },
    );
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1];
    if (!tps) throw new Error(`pgbench printed no tps:\n${out}`);
    return Number(tps);
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/** The events floor: INSERT … ON CONFLICT DO NOTHING of 1,000 rows with random keys per transaction, rows/s. */
function pgbenchEvents(url: string, seconds: number): number {
  const { args } = connection(url);
  pgbenchDatabase(url);
  execFileSync(
    'psql',
    [
      ...args,
      '-d',
      PGBENCH_DB,
      '-c',
      // Empty at every run, as allot's events start in a fresh schema: the table outlives the run
      // in the pgbench database, and a floor that grew run after run slowed to half its speed.
      'drop table if exists floor_events; create table floor_events (customer_id text, key text, at bigint, primary key (customer_id, key))',
    ],
    { stdio: 'ignore' },
  );
  const script = `insert into floor_events select 'c' || (g % 1000), md5(random()::text), g from generate_series(1, 1000) g on conflict do nothing;\n`;
  return pgbenchTps(url, 1, seconds, script) * 1000;
}

/** reportUsage from one process, one call at a time and then 64 in flight (group commit), and reportEvent batches. */
async function oneProcess(url: string, schema: string, n: number) {
  const allot = Allot.initialize({
    catalog,
    store: postgresStore({ connectionString: url, schema }),
    clock: new ManualClock('2025-01-15T00:00:00Z'),
  });
  await allot.waitForInitialization();
  const report = (i: number) =>
    allot.reportUsage({ customerId: `c${i % CUSTOMERS}`, featureId: 'api-calls', value: 1 });
  // Every customer is loaded before either figure, so neither counts cold loads: the ratio
  // compares warm calls with warm calls.
  const oneAtATime = await callsPerSecond(n / 10, report, { warmUp: CUSTOMERS });
  const inFlight = await callsPerSecond(n, report, { inFlight: 64, warmUp: CUSTOMERS });
  let key = 0;
  const events =
    (await callsPerSecond(
      20,
      (i) =>
        allot.reportEvent(
          Array.from({ length: 1000 }, (_, j) => ({
            customerId: `c${(i * 1000 + j) % CUSTOMERS}`,
            eventName: 'llm.call',
            idempotencyKey: `${Math.random().toString(36).slice(2)}-${key++}`,
            dimensions: { tokens: 120, model: 'small' },
          })),
        ),
      // Two batches load every customer first, as the other figures' customers are warm.
      { warmUp: 2 },
    )) * 1000;
  await allot.close();
  return { oneAtATime, inFlight, events };
}

/** Starts a worker process and resolves once it is connected and waiting for the go. */
function worker(url: string, schema: string, op: string, customers: string[], n: number) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'postgres-worker.ts'),
      url,
      schema,
      op,
      customers.join(','),
      String(n),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
  return next().then(() => ({
    go: () => child.stdin?.write('go\n'),
    done: next().then((l) => JSON.parse(l) as { n: number; ms: number; granted: number }),
  }));
}

/** `processes` workers at once, each over its own share of `customers`: total operations per second of wall time. */
async function acrossProcesses(url: string, schema: string, op: string, customers: string[][], n: number) {
  const workers = await Promise.all(customers.map((share) => worker(url, schema, op, share, n)));
  const start = performance.now();
  for (const w of workers) w.go();
  const results = await Promise.all(workers.map((w) => w.done));
  const ms = performance.now() - start;
  return {
    perSecond: (results.reduce((s, r) => s + r.n, 0) / ms) * 1000,
    granted: results.reduce((s, r) => s + r.granted, 0),
  };
}

/** How long after an instance's write is acknowledged a check on a second instance shows it. */
async function staleness(url: string, schema: string, samples: number) {
  const open = () =>
    Allot.initialize({
      catalog,
      store: postgresStore({ connectionString: url, schema }),
      clock: new ManualClock('2025-01-15T00:00:00Z'),
    });
  const writer = open();
  const reader = open();
  await Promise.all([writer.waitForInitialization(), reader.waitForInitialization()]);
  const check = () => reader.getMeteredEntitlement({ customerId: 'c1', featureId: 'api-calls' });
  const lags: number[] = [];
  for (let i = 0; i < samples; i++) {
    const { currentUsage } = await writer.reportUsage({ customerId: 'c1', featureId: 'api-calls', value: 1 });
    const acked = performance.now();
    while ((await check()).currentUsage < currentUsage) await new Promise((resolve) => setTimeout(resolve, 0));
    lags.push(performance.now() - acked);
  }
  await Promise.all([writer.close(), reader.close()]);
  lags.sort((a, b) => a - b);
  return {
    p50: lags[Math.floor(samples * 0.5)] ?? 0,
    p99: lags[Math.floor(samples * 0.99)] ?? 0,
    max: lags.at(-1) ?? 0,
  };
}

export async function postgresFigures(url: string, n: number): Promise<FloorFigure[]> {
  const schema = `bench_${Math.random().toString(36).slice(2, 8)}`;
  const seed = Allot.initialize({
    catalog,
    store: postgresStore({ connectionString: url, schema }),
    clock: new ManualClock('2025-01-15T00:00:00Z'),
  });
  await seed.waitForInitialization();
  const ids = Array.from({ length: CUSTOMERS }, (_, i) => `c${i}`);
  for (const customerId of ids) await seed.provisionCustomer({ customerId, subscriptionParams: { planId: 'pro' } });
  await seed.close();
  const figures: FloorFigure[] = [];
  try {
    const shares = (k: number) => Array.from({ length: k }, (_, j) => ids.filter((_, i) => i % k === j));
    const seconds = 8;
    let fourClients = 0;
    for (const clients of [1, 4]) {
      const floor = pgbenchTps(url, clients, seconds);
      if (clients === 4) fourClients = floor;
      const { perSecond } = await acrossProcesses(url, schema, 'report', shares(clients), n / clients);
      figures.push({
        name: `reportUsage, ${clients} process${clients > 1 ? 'es' : ''}, one call at a time each`,
        value: perSecond,
        unit: 'ops/s',
        floor: { name: `pgbench -N, ${clients} client${clients > 1 ? 's' : ''}`, value: floor },
      });
    }
    const single = await oneProcess(url, schema, n);
    figures.push({
      name: 'reportUsage, one process, 64 calls in flight',
      value: single.inFlight,
      unit: 'ops/s',
      floor: { name: 'the same process, one call at a time', value: single.oneAtATime },
    });
    figures.push({
      name: 'reportUsage, one process, 64 calls in flight, vs pgbench',
      value: single.inFlight,
      unit: 'ops/s',
      floor: { name: 'pgbench -N, 64 clients', value: pgbenchTps(url, 64, seconds) },
    });
    figures.push({
      name: 'reportEvent, 1,000 per call, random keys',
      value: single.events,
      unit: 'events/s',
      floor: {
        name: 'INSERT … ON CONFLICT DO NOTHING, 1,000 rows per transaction',
        value: pgbenchEvents(url, seconds),
      },
    });
    const hot = await acrossProcesses(url, schema, 'check-and-report', [['c0'], ['c0'], ['c0'], ['c0']], n / 8);
    figures.push({
      name: 'checkAndReportUsage on one hot customer, 4 processes',
      value: hot.perSecond,
      unit: 'ops/s',
      floor: { name: 'pgbench -N, 4 clients', value: fourClients },
    });
    const lag = await staleness(url, schema, 200);
    figures.push({ name: 'staleness of a check on a second instance, p50', value: lag.p50, unit: 'ms' });
    figures.push({ name: 'staleness of a check on a second instance, p99', value: lag.p99, unit: 'ms' });
    figures.push({ name: 'staleness of a check on a second instance, max', value: lag.max, unit: 'ms' });
  } finally {
    const { args, database } = connection(url);
    execFileSync('psql', [...args, '-d', database, '-c', `drop schema if exists ${schema} cascade`], {
      stdio: 'ignore',
    });
  }
  return figures;
}
