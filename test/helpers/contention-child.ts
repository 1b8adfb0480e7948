// A separate process for the cross-process contention tests (contention.test.ts on SQLite,
// postgres-contention.test.ts): one app instance on the store the environment names (a SQLite file, or a
// PostgreSQL schema). Driven over stdin/stdout by helpers/contention.ts, one JSON line per message:
//
//   parent: {"job": ContentionJob}   child: "ready"         (it has loaded the job's customer: warm)
//   parent: "go"                     child: ContentionChildResult, as JSON, once every call has returned
//   ... any number of jobs ...; end of stdin: the child closes its engine and exits.
//
// The parent sends "go" to every child only when all are ready, so the calls race across processes.
// Of a job's `attempts` calls, the first half run one at a time and the second half in groups of
// `GROUP` at once, so calls racing inside one process are exercised as well as across them.
// - `checkAndReport`: checkAndReportUsage of `amount`; `usages` holds each granted call's acknowledged
//   currentUsage.
// - `consumeCredits`: consumeCredits of `amount` from the pool of currency `featureId`, a fresh
//   idempotency key per call; granted counts successes, denied INSUFFICIENT_CREDITS refusals; `usages`
//   holds each success's acknowledged credit.currentUsage.
// - `reportIdempotent`: reportUsage of `amount` with the keys `<key>-0` … `<key>-<attempts - 1>`, the same
//   keys in every process; every call is granted; `usages` holds each ack's currentUsage.
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Allot, type CatalogInput, ManualClock, type Store } from '../../src/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';

/** The store and the engine, fixed for the child's life. */
export interface ContentionChildEnv {
  /** 'sqlite' (the default) or 'postgres'. */
  CONTENTION_STORE?: 'sqlite' | 'postgres';
  /** The SQLite file. */
  CONTENTION_FILE?: string;
  /** The PostgreSQL server and schema. */
  CONTENTION_POSTGRES_URL?: string;
  CONTENTION_SCHEMA?: string;
  /** The catalog, as JSON: every process must see the same one. */
  CONTENTION_CATALOG: string;
  /** ISO instant for a ManualClock, so every process agrees on the time. */
  CONTENTION_NOW: string;
}

/** One race: what every child does once released. */
export interface ContentionJob {
  op: 'checkAndReport' | 'consumeCredits' | 'reportIdempotent';
  customerId: string;
  /** The metered feature; for consumeCredits, the credit currency. */
  featureId: string;
  attempts: number;
  /** Each call's value or amount. */
  amount: number;
  /** reportIdempotent: the idempotency keys' prefix, shared by every process. */
  key?: string;
}

export interface ContentionChildResult {
  granted: number;
  denied: number;
  usages: number[];
}

const GROUP = 5;

function env(name: keyof ContentionChildEnv): string {
  const value = process.env[name];
  if (!value) throw new Error(`contention-child: ${name} is not set`);
  return value;
}

async function openStore(): Promise<Store> {
  if ((process.env.CONTENTION_STORE ?? 'sqlite') === 'sqlite') return sqliteStore({ filename: env('CONTENTION_FILE') });
  const { postgresStore } = await import('../../src/stores/postgres/index.js');
  return postgresStore({
    connectionString: env('CONTENTION_POSTGRES_URL'),
    schema: env('CONTENTION_SCHEMA'),
    poolSize: GROUP,
  });
}

const catalog = JSON.parse(env('CONTENTION_CATALOG')) as CatalogInput;
const clock = new ManualClock(env('CONTENTION_NOW'));
const allot = Allot.initialize({ catalog, clock, store: await openStore() });
await allot.waitForInitialization();

function operation(job: ContentionJob, result: ContentionChildResult): (i: number) => Promise<void> {
  const { customerId, featureId, amount } = job;
  switch (job.op) {
    case 'checkAndReport':
      return async () => {
        const { hasAccess, usage } = await allot.checkAndReportUsage({ customerId, featureId, value: amount });
        if (hasAccess !== (usage !== undefined))
          throw new Error('contention-child: usage ack does not match hasAccess');
        if (usage) result.usages.push(usage.currentUsage);
        if (hasAccess) result.granted++;
        else result.denied++;
      };
    case 'consumeCredits':
      return async () => {
        try {
          const consumed = await allot.consumeCredits({
            customerId,
            currencyId: featureId,
            amount,
            idempotencyKey: randomUUID(),
          });
          result.usages.push(consumed.credit.currentUsage);
          result.granted++;
        } catch (error) {
          if (
            !(typeof error === 'object' && error !== null && 'code' in error && error.code === 'INSUFFICIENT_CREDITS')
          )
            throw error;
          result.denied++;
        }
      };
    case 'reportIdempotent':
      return async (i) => {
        const idempotencyKey = `${job.key ?? 'key'}-${i}`;
        const ack = await allot.reportUsage({ customerId, featureId, value: amount, idempotencyKey });
        result.usages.push(ack.currentUsage);
        result.granted++;
      };
  }
}

async function run(job: ContentionJob): Promise<ContentionChildResult> {
  const result: ContentionChildResult = { granted: 0, denied: 0, usages: [] };
  const attempt = operation(job, result);
  const sequential = Math.floor(job.attempts / 2);
  for (let i = 0; i < sequential; i++) await attempt(i);
  for (let done = sequential; done < job.attempts; done += GROUP) {
    const size = Math.min(GROUP, job.attempts - done);
    await Promise.all(Array.from({ length: size }, (_, j) => attempt(done + j)));
  }
  return result;
}

let job: ContentionJob | undefined;
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'go') {
    if (!job) throw new Error('contention-child: "go" before a job');
    const result = await run(job);
    job = undefined;
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else if (line.trim() !== '') {
    job = (JSON.parse(line) as { job: ContentionJob }).job;
    // Load the customer before the start line, so every process is warm when the race begins.
    if (job.op === 'consumeCredits')
      await allot.getCreditEntitlement({ customerId: job.customerId, currencyId: job.featureId });
    else await allot.getMeteredEntitlement({ customerId: job.customerId, featureId: job.featureId });
    process.stdout.write('ready\n');
  }
}
await allot.close();
