// Run by crash-durability.test.ts as a separate process, which the test kills with SIGKILL: reports
// usage for `workers` customers (w0, w1, …) with one call in flight each, so commits are shared,
// and appends each acknowledgement's customer to the `acks` file synchronously, before the next
// call (a file, not stdout: a full pipe would make a synchronous write fail with EAGAIN). The store
// is the SQLite file `target`, or with `postgres` the schema `target` on ALLOT_TEST_POSTGRES_URL.
import { openSync, writeSync } from 'node:fs';
import { Allot, ManualClock } from '../../src/index.js';
import { postgresStore } from '../../src/stores/postgres/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import { catalog, START } from './fixtures.js';

const [target, workers, acks, kind = 'sqlite'] = process.argv.slice(2);
if (!target || !workers || !acks) throw new Error('usage: crash-writer <file|schema> <workers> <acks> [postgres]');
const log = openSync(acks, 'a');
const store =
  kind === 'postgres'
    ? postgresStore({ connectionString: process.env.ALLOT_TEST_POSTGRES_URL ?? '', schema: target })
    : sqliteStore({ filename: target });
const allot = Allot.initialize({ catalog, store, clock: new ManualClock(START) });
await allot.waitForInitialization();
await Promise.all(
  Array.from({ length: Number(workers) }, async (_, w) => {
    for (;;) {
      await allot.reportUsage({ customerId: `w${w}`, featureId: 'api-calls', value: 1 });
      writeSync(log, `w${w}\n`);
    }
  }),
);
