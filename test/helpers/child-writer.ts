// Run as a separate process by multi-process.test.ts: opens the SQLite file given in argv and
// performs the writes named there, so the parent can check it sees another process's commits.
import { Allot, ManualClock } from '../../src/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import { catalog, START } from './fixtures.js';

const [filename, action] = process.argv.slice(2);
if (!filename || !action) throw new Error('usage: child-writer <filename> <report|upgrade>');
const allot = Allot.initialize({ catalog, store: sqliteStore({ filename }), clock: new ManualClock(START) });
await allot.waitForInitialization();
if (action === 'report')
  for (let i = 0; i < 25; i++) await allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 2 });
else await allot.provisionSubscription({ customerId: 'acme', planId: 'pro', skipTrial: true });
await allot.close();
