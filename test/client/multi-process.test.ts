import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Allot, ManualClock } from '../../src/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import { catalog, START } from '../helpers/fixtures.js';

const run = promisify(execFile);
const child = join(import.meta.dirname, '../helpers/child-writer.ts');

describe('another process writing the same SQLite file', () => {
  let dir: string;
  let filename: string;
  let allot: Allot;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'allot-multi-'));
    filename = join(dir, 'allot.db');
    allot = Allot.initialize({ catalog, store: sqliteStore({ filename }), clock: new ManualClock(START) });
    await allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
  });
  afterEach(async () => {
    await allot.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (action: string) => run(process.execPath, ['--import', 'tsx', child, filename, action]);

  it('is seen at the first check after the probe interval (10 ms), with no reload asked for', async () => {
    const before = await allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' });
    expect(before.currentUsage).toBe(0); // the customer is now cached here
    await write('report');
    expect((await allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' })).currentUsage).toBe(50);
    await write('upgrade');
    expect((await allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'sso' })).hasAccess).toBe(true);
    // Our own write lands on top of theirs.
    const ack = await allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 1 });
    expect(ack.currentUsage).toBe(1); // the upgrade started a new usage epoch
  }, 60_000);
});
