// Run as a separate process by contention.test.ts. Opens the SQLite file named in the
// environment, prints "ready", waits for "go" on stdin (so every process starts at once), then
// makes `ATTEMPTS` checkAndReportUsage calls of value 1 for one customer and prints one JSON
// line `{"granted":n,"denied":m,"usages":[...]}`, `usages` holding each granted call's
// acknowledged currentUsage. The first half run one at a time; the second half in groups
// of `GROUP` at once, so calls racing inside one process are exercised as well as across them.
import { createInterface } from 'node:readline';
import { Allot, type CatalogInput, ManualClock } from '../../src/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';

export interface ContentionChildEnv {
  CONTENTION_FILE: string;
  /** The catalog, as JSON: every process must see the same one. */
  CONTENTION_CATALOG: string;
  /** ISO instant for a ManualClock, so every process agrees on the time. */
  CONTENTION_NOW: string;
  CONTENTION_CUSTOMER: string;
  CONTENTION_FEATURE: string;
  CONTENTION_ATTEMPTS: string;
}

const GROUP = 5;

function env(name: keyof ContentionChildEnv): string {
  const value = process.env[name];
  if (!value) throw new Error(`contention-child: ${name} is not set`);
  return value;
}

const filename = env('CONTENTION_FILE');
const catalog = JSON.parse(env('CONTENTION_CATALOG')) as CatalogInput;
const clock = new ManualClock(env('CONTENTION_NOW'));
const customerId = env('CONTENTION_CUSTOMER');
const featureId = env('CONTENTION_FEATURE');
const attempts = Number(env('CONTENTION_ATTEMPTS'));
if (!Number.isInteger(attempts) || attempts < 0) throw new Error(`contention-child: bad attempts ${attempts}`);

const allot = Allot.initialize({ catalog, clock, store: sqliteStore({ filename }) });
await allot.waitForInitialization();
// Load the customer before the start line, so every process is warm when the race begins.
await allot.getMeteredEntitlement({ customerId, featureId });

const lines = createInterface({ input: process.stdin });
const go = new Promise<void>((resolve, reject) => {
  lines.on('line', (line) => {
    if (line.trim() === 'go') resolve();
  });
  lines.on('close', () => reject(new Error('contention-child: stdin closed before "go"')));
});
process.stdout.write('ready\n');
await go;
lines.close();

let granted = 0;
let denied = 0;
const usages: number[] = [];
const attempt = async () => {
  const { hasAccess, usage } = await allot.checkAndReportUsage({ customerId, featureId, value: 1 });
  if (hasAccess !== (usage !== undefined)) throw new Error('contention-child: usage ack does not match hasAccess');
  if (usage) usages.push(usage.currentUsage);
  if (hasAccess) granted++;
  else denied++;
};

const sequential = Math.floor(attempts / 2);
for (let i = 0; i < sequential; i++) await attempt();
for (let done = sequential; done < attempts; done += GROUP) {
  const size = Math.min(GROUP, attempts - done);
  await Promise.all(Array.from({ length: size }, attempt));
}

await allot.close();
process.stdout.write(`${JSON.stringify({ granted, denied, usages })}\n`);
