// Nothing acknowledged is lost: a process writing to SQLite with many calls in flight (so they
// share commits) is killed with SIGKILL mid-stream; every acknowledged report is in the file.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Allot, ManualClock } from '../../src/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import { catalog, START } from '../helpers/fixtures.js';

const child = join(import.meta.dirname, '../helpers/crash-writer.ts');
const WORKERS = 32;

/** Starts the writer, kills it with SIGKILL once `acks` reports are acknowledged, and counts them per customer. */
async function writeUntilKilled(filename: string, acks: number): Promise<Map<string, number>> {
  const log = `${filename}.acks`;
  writeFileSync(log, '');
  const writer = spawn(process.execPath, ['--import', 'tsx', child, filename, String(WORKERS), log], {
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

describe('a SQLite writer killed with SIGKILL', () => {
  let dir: string;
  let filename: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'allot-crash-'));
    filename = join(dir, 'allot.db');
    const setup = Allot.initialize({ catalog, store: sqliteStore({ filename }), clock: new ManualClock(START) });
    for (let w = 0; w < WORKERS; w++)
      await setup.provisionCustomer({ customerId: `w${w}`, subscriptionParams: { planId: 'pro' } });
    await setup.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loses no acknowledged report, with commits shared between concurrent calls', async () => {
    const acked = await writeUntilKilled(filename, 3_000);
    const after = Allot.initialize({ catalog, store: sqliteStore({ filename }), clock: new ManualClock(START) });
    try {
      for (let w = 0; w < WORKERS; w++) {
        const customerId = `w${w}`;
        const { currentUsage } = await after.getMeteredEntitlement({ customerId, featureId: 'api-calls' });
        const acknowledged = acked.get(customerId) ?? 0;
        // Every acknowledged report is there; at most the one in flight when killed is there too.
        expect(currentUsage).toBeGreaterThanOrEqual(acknowledged);
        expect(currentUsage).toBeLessThanOrEqual(acknowledged + 1);
      }
    } finally {
      await after.close();
    }
  }, 60_000);
});
