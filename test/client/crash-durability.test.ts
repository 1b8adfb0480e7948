// Nothing acknowledged is lost: a process writing to SQLite or PostgreSQL with many calls in flight
// (so they share commits) is killed with SIGKILL mid-stream; every acknowledged report is stored.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Allot, ManualClock, type Store } from '../../src/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import { catalog, START } from '../helpers/fixtures.js';
import {
  dropSchema,
  freshSchema,
  postgresTestStore,
  requirePostgresUrl,
  skipWithoutPostgres,
} from '../helpers/postgres.js';

const child = join(import.meta.dirname, '../helpers/crash-writer.ts');
const WORKERS = 32;

/**
 * Starts the writer on the SQLite file `target` (or the PostgreSQL schema, with `postgres`), kills it
 * with SIGKILL once `acks` reports are acknowledged, and counts them per customer (in `log`).
 */
async function writeUntilKilled(
  target: string,
  log: string,
  acks: number,
  kind = 'sqlite',
): Promise<Map<string, number>> {
  writeFileSync(log, '');
  const writer = spawn(process.execPath, ['--import', 'tsx', child, target, String(WORKERS), log, kind], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  writer.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => writer.on('exit', (_code, signal) => resolve(signal)));
  // Only whole lines count: the kill may cut the last one short.
  const lines = () => readFileSync(log, 'utf8').split('\n').slice(0, -1);
  while (writer.exitCode === null && writer.signalCode === null && lines().length < acks)
    await new Promise((resolve) => setTimeout(resolve, 10));
  writer.kill('SIGKILL');
  if ((await exited) !== 'SIGKILL') throw new Error(`the writer exited on its own: ${stderr}`);
  const acked = new Map<string, number>();
  for (const line of lines()) acked.set(line, (acked.get(line) ?? 0) + 1);
  return acked;
}

/** Every acknowledged report is in `store`, and at most the one in flight per worker when killed. */
async function expectAcknowledged(store: Store, acked: Map<string, number>): Promise<void> {
  const after = Allot.initialize({ catalog, store, clock: new ManualClock(START) });
  try {
    for (let w = 0; w < WORKERS; w++) {
      const customerId = `w${w}`;
      const { currentUsage } = await after.getMeteredEntitlement({ customerId, featureId: 'api-calls' });
      const acknowledged = acked.get(customerId) ?? 0;
      expect(currentUsage).toBeGreaterThanOrEqual(acknowledged);
      expect(currentUsage).toBeLessThanOrEqual(acknowledged + 1);
    }
  } finally {
    await after.close();
  }
}

/** Provisions the writer's customers. */
async function provision(store: Store): Promise<void> {
  const setup = Allot.initialize({ catalog, store, clock: new ManualClock(START) });
  for (let w = 0; w < WORKERS; w++)
    await setup.provisionCustomer({ customerId: `w${w}`, subscriptionParams: { planId: 'pro' } });
  await setup.close();
}

describe('a SQLite writer killed with SIGKILL', () => {
  let dir: string;
  let filename: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'allot-crash-'));
    filename = join(dir, 'allot.db');
    await provision(sqliteStore({ filename }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loses no acknowledged report, with commits shared between concurrent calls', async () => {
    const acked = await writeUntilKilled(filename, `${filename}.acks`, 3_000);
    await expectAcknowledged(sqliteStore({ filename }), acked);
  }, 60_000);
});

describe.skipIf(skipWithoutPostgres)('a PostgreSQL writer killed with SIGKILL', () => {
  let dir: string;
  let schema: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'allot-crash-'));
    schema = freshSchema('allot_crash');
    await provision(postgresTestStore({ connectionString: requirePostgresUrl(), schema }));
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropSchema(schema);
  });

  it('loses no acknowledged report, with commits and usage statements shared between concurrent calls', async () => {
    const acked = await writeUntilKilled(schema, join(dir, 'acks'), 3_000, 'postgres');
    await expectAcknowledged(postgresTestStore({ connectionString: requirePostgresUrl(), schema }), acked);
  }, 60_000);
});
