// Run by crash-durability.test.ts as a separate process, which the test kills with SIGKILL: reports
// usage for `workers` customers (w0, w1, …) with one call in flight each, so commits are shared,
// and writes each acknowledgement's customer to stdout synchronously, before the next call.
import { writeSync } from 'node:fs';
import { Allot, ManualClock } from '../../src/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import { catalog, START } from './fixtures.js';

const [filename, workers] = process.argv.slice(2);
if (!filename || !workers) throw new Error('usage: crash-writer <filename> <workers>');
const allot = Allot.initialize({ catalog, store: sqliteStore({ filename }), clock: new ManualClock(START) });
await allot.waitForInitialization();
writeSync(1, 'ready\n');
await Promise.all(
  Array.from({ length: Number(workers) }, async (_, w) => {
    for (;;) {
      await allot.reportUsage({ customerId: `w${w}`, featureId: 'api-calls', value: 1 });
      writeSync(1, `w${w}\n`);
    }
  }),
);
