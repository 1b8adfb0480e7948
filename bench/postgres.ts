// The PostgreSQL figures of `npm run bench`, each beside its floor on the same server in the same
// run: pgbench's simple-update transaction (-N) with the same client count. Runs when
// ALLOT_BENCH_POSTGRES_URL (or ALLOT_TEST_POSTGRES_URL) names a server it may create schemas on.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'pg-connection-string';
import { Allot, ManualClock } from '../src/index.js';
import { postgresStore } from '../src/stores/postgres/index.js';
import { catalog } from './catalog.js';

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

/** pgbench -N (one simple UPDATE-INSERT transaction) with `clients` clients for `seconds`: transactions/s. */
function pgbenchTps(url: string, clients: number, seconds: number): number {
  const { args } = connection(url);
  const exists = execFileSync(
    'psql',
    [...args, '-d', 'postgres', '-Atc', `select 1 from pg_database where datname = '${PGBENCH_DB}'`],
    {
      encoding: 'utf8',
    },
  );
  if (exists.trim() !== '1') {
    execFileSync('psql', [...args, '-d', 'postgres', '-c', `create database ${PGBENCH_DB}`], { stdio: 'ignore' });
    execFileSync('pgbench', [...args, '-i', '-s', '10', '-q', PGBENCH_DB], { stdio: 'ignore' });
  }
  const out = execFileSync(
    'pgbench',
    [...args, '-N', '-n', '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(seconds), PGBENCH_DB],
    { encoding: 'utf8' },
  );
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1];
  if (!tps) throw new Error(`pgbench printed no tps:\n${out}`);
  return Number(tps);
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
    for (const clients of [1, 4]) {
      const floor = pgbenchTps(url, clients, seconds);
      const { perSecond } = await acrossProcesses(url, schema, 'report', shares(clients), n / clients);
      figures.push({
        name: `reportUsage, ${clients} process${clients > 1 ? 'es' : ''}, one call at a time each`,
        value: perSecond,
        unit: 'ops/s',
        floor: { name: `pgbench -N, ${clients} client${clients > 1 ? 's' : ''}`, value: floor },
      });
    }
    const hot = await acrossProcesses(url, schema, 'check-and-report', [['c0'], ['c0'], ['c0'], ['c0']], n / 8);
    figures.push({
      name: 'checkAndReportUsage on one hot customer, 4 processes',
      value: hot.perSecond,
      unit: 'ops/s',
      floor: { name: 'pgbench -N, 4 clients', value: figures.at(-1)?.floor?.value ?? 0 },
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
