// Nothing acknowledged is lost: a process writing to SQLite with many calls in flight (so they
// share commits) is killed with SIGKILL mid-stream; every acknowledged report is in the file.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Allot, ManualClock } from '../../src/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import { catalog, START } from '../helpers/fixtures.js';

const child = join(import.meta.dirname, '../helpers/crash-writer.ts');
const WORKERS = 32;

/** Starts the writer, kills it with SIGKILL once `acks` reports are acknowledged, and counts them per customer. */
function writeUntilKilled(filename: string, acks: number): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const writer = spawn(process.execPath, ['--import', 'tsx', child, filename, String(WORKERS)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Map<string, number>();
    let total = 0;
    let pending = '';
    let stderr = '';
    writer.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    writer.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready' || line === '') continue;
        acked.set(line, (acked.get(line) ?? 0) + 1);
        if (++total === acks) writer.kill('SIGKILL');
      }
    });
    writer.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`the writer exited on its own: ${stderr}`)),
    );
  });
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
