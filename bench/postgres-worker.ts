// Run by bench/postgres.ts in child processes: one app instance writing to the shared schema.
// argv: <url> <schema> <op: report|check-and-report> <customers, comma-separated> <n>
import { Allot, ManualClock } from '../src/index.js';
import { postgresStore } from '../src/stores/postgres/index.js';
import { catalog } from './catalog.js';

const [url, schema, op, list, count] = process.argv.slice(2);
if (!url || !schema || !op || !list || !count)
  throw new Error('usage: postgres-worker.ts <url> <schema> <op> <customers> <n>');
const customers = list.split(',');
const n = Number(count);
const allot = Allot.initialize({
  catalog,
  store: postgresStore({ connectionString: url, schema, poolSize: 4 }),
  clock: new ManualClock('2025-01-15T00:00:00Z'),
});
await allot.waitForInitialization();
const call = (i: number) => {
  const customerId = customers[i % customers.length] as string;
  return op === 'report'
    ? allot.reportUsage({ customerId, featureId: 'api-calls', value: 1 })
    : allot.checkAndReportUsage({ customerId, featureId: 'api-calls', value: 1 });
};
// Told to start together, so the children's loops overlap.
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
// Nothing more comes on stdin: let it go, or the open pipe keeps this process alive after the run.
process.stdin.destroy();
const start = performance.now();
let granted = 0;
for (let i = 0; i < n; i++) {
  const result = await call(i);
  if (!('hasAccess' in result) || result.hasAccess) granted++;
}
const ms = performance.now() - start;
await allot.close();
process.stdout.write(`${JSON.stringify({ n, ms, granted })}\n`);
