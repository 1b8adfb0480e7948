// allot's durable writes on SQLite beside SQLite's own floors (bench/sqlite-floors.ts), measured
// in the same run on the same machine: each figure comes with its floor and the ratio.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Allot, ManualClock } from '../src/index.js';
import { sqliteStore } from '../src/stores/sqlite/index.js';
import { catalog } from './catalog.js';
import { sqliteFloors } from './sqlite-floors.js';
import { callsPerSecond } from './timing.js';

export interface RatioFigure {
  name: string;
  value: number;
  unit: string;
  floor: { name: string; value: number };
  /** value / floor.value: above 1 is faster than the floor. */
  ratio: number;
}

export async function sqliteWrites(n: number): Promise<RatioFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'allot-bench-'));
  try {
    const floors = sqliteFloors(dir, n);
    const allot = Allot.initialize({
      catalog,
      store: sqliteStore({ filename: join(dir, 'allot.db') }),
      clock: new ManualClock('2025-01-15T00:00:00Z'),
    });
    await allot.waitForInitialization();
    for (let i = 0; i < 1000; i += 100)
      await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          allot.provisionCustomer({ customerId: `c${i + j}`, subscriptionParams: { planId: 'pro' } }),
        ),
      );
    const report = (i: number) => allot.reportUsage({ customerId: `c${i % 1000}`, featureId: 'api-calls', value: 1 });
    const oneAtATime = await callsPerSecond(n, report);
    const inFlight = await callsPerSecond(n, report, { inFlight: 64, warmUp: n });
    const bulk =
      (await callsPerSecond(Math.max(5, n / 1000), (i) =>
        allot.reportUsageBulk({
          usages: Array.from({ length: 1000 }, (_, j) => ({
            customerId: `c${(i * 1000 + j) % 1000}`,
            featureId: 'api-calls',
            value: 1,
          })),
        }),
      )) * 1000;
    let key = 0;
    const events =
      (await callsPerSecond(Math.max(5, n / 1000), (i) =>
        allot.reportEvent(
          Array.from({ length: 1000 }, (_, j) => ({
            customerId: `c${(i * 1000 + j) % 1000}`,
            eventName: 'llm.call',
            // Random, not time-ordered: the dedupe index's worst case.
            idempotencyKey: `${Math.random().toString(36).slice(2)}-${key++}`,
            dimensions: { tokens: 120, model: 'small' },
          })),
        ),
      )) * 1000;
    await allot.close();
    const updateTx = { name: 'raw 1-row UPDATE per transaction', value: floors.updateTx };
    const ratio = (name: string, value: number, unit: string, floor: RatioFigure['floor']): RatioFigure => ({
      name,
      value,
      unit,
      floor,
      ratio: value / floor.value,
    });
    return [
      ratio('reportUsage, one call at a time', oneAtATime, 'calls/s', updateTx),
      ratio('reportUsage, 64 calls in flight', inFlight, 'calls/s', updateTx),
      ratio('reportUsage, 64 in flight vs one at a time', inFlight, 'calls/s', {
        name: 'one at a time',
        value: oneAtATime,
      }),
      ratio('reportUsageBulk, 1,000 per call', bulk, 'reports/s', {
        name: 'raw 100 UPDATEs per transaction',
        value: floors.updates100,
      }),
      ratio('reportEvent, 1,000 per call, random keys', events, 'events/s', {
        name: 'raw INSERT OR IGNORE, 1,000 per transaction',
        value: floors.insertOrIgnore1000,
      }),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  for (const f of await sqliteWrites(Number(process.argv[2] ?? 20_000)))
    console.log(
      `${f.ratio.toFixed(2)}×  ${f.name.padEnd(46)} ${Math.round(f.value).toLocaleString('en-US').padStart(10)} ${f.unit}  (${f.floor.name}: ${Math.round(f.floor.value).toLocaleString('en-US')})`,
    );
}
