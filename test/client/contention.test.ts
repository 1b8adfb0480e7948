import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Allot, type CatalogInput, ManualClock } from '../../src/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import type { ContentionChildEnv } from '../helpers/contention-child.js';

const childScript = join(import.meta.dirname, '../helpers/contention-child.ts');
const NOW = '2025-03-10T12:00:00.000Z';
const FEATURE = 'tokens';

const contentionCatalog = {
  features: [{ id: FEATURE, featureType: 'NUMBER', meterType: 'Incremental' }],
  products: [{ id: 'app' }],
  plans: [
    {
      id: 'hard',
      productId: 'app',
      entitlements: [{ featureId: FEATURE, usageLimit: 5000, resetPeriod: 'MONTH' }],
    },
    {
      id: 'soft',
      productId: 'app',
      entitlements: [{ featureId: FEATURE, usageLimit: 100, hasSoftLimit: true, resetPeriod: 'MONTH' }],
    },
  ],
} satisfies CatalogInput;

interface ChildResult {
  granted: number;
  denied: number;
  usages: number[];
}

interface Running {
  readonly process: ChildProcessWithoutNullStreams;
  readonly ready: Promise<void>;
  readonly result: Promise<ChildResult>;
}

/** Starts one child; `ready` settles when it has printed "ready", `result` when it exits. */
function startChild(env: ContentionChildEnv): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // A child that died early closes its stdin; the error then shows through `result`.
  child.stdin.on('error', () => {});
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const lines: string[] = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') markReady();
    else lines.push(line);
  });
  const result = new Promise<ChildResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const last = lines.at(-1);
      if (code !== 0 || last === undefined)
        return reject(new Error(`contention child exited with ${code ?? signal}:\n${stderr}\n${lines.join('\n')}`));
      resolve(JSON.parse(last) as ChildResult);
    });
  });
  // A child that dies before "ready" must not leave the parent waiting for it.
  return { process: child, ready: Promise.race([ready, result.then(() => {})]), result };
}

/** Runs `processes` children × `attempts` each against the file, all released at once. */
async function race(filename: string, customerId: string, processes: number, attempts: number) {
  const env: ContentionChildEnv = {
    CONTENTION_FILE: filename,
    CONTENTION_CATALOG: JSON.stringify(contentionCatalog),
    CONTENTION_NOW: NOW,
    CONTENTION_CUSTOMER: customerId,
    CONTENTION_FEATURE: FEATURE,
    CONTENTION_ATTEMPTS: String(attempts),
  };
  const children = Array.from({ length: processes }, () => startChild(env));
  try {
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.process.stdin.end('go\n');
    return await Promise.all(children.map((c) => c.result));
  } finally {
    for (const c of children) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill();
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('checkAndReportUsage across processes sharing one SQLite file', () => {
  let dir: string;
  let filename: string;
  const open = () =>
    Allot.initialize({ catalog: contentionCatalog, store: sqliteStore({ filename }), clock: new ManualClock(NOW) });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'allot-contention-'));
    filename = join(dir, 'allot.db');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Provisions the customer, then closes the engine so only the children write. */
  const provision = async (customerId: string, planId: string) => {
    const allot = open();
    try {
      await allot.provisionCustomer({ customerId, subscriptionParams: { planId } });
    } finally {
      await allot.close();
    }
  };

  /** What a fresh engine sees afterwards, and the usage entries the store logged. */
  const settled = async (customerId: string) => {
    const allot = open();
    try {
      const entitlement = await allot.getMeteredEntitlement({ customerId, featureId: FEATURE });
      const oneMore = await allot.getMeteredEntitlement({
        customerId,
        featureId: FEATURE,
        options: { requestedUsage: 1 },
      });
      const store = sqliteStore({ filename });
      await store.open();
      try {
        const entries = await store.read((r) =>
          r.listUsageEntries({
            customerId,
            resourceId: null,
            featureId: FEATURE,
            from: 0,
            before: Date.parse(NOW) + 1,
          }),
        );
        return { entitlement, oneMore, entries };
      } finally {
        await store.close();
      }
    } finally {
      await allot.close();
    }
  };

  it('grants exactly up to a hard limit: 4 processes × 2,500 attempts of 1 against 5,000', async () => {
    await provision('acme', 'hard');
    const results = await race(filename, 'acme', 4, 2500);

    for (const r of results) expect(r.granted + r.denied).toBe(2500);
    const granted = results.reduce((sum, r) => sum + r.granted, 0);
    const denied = results.reduce((sum, r) => sum + r.denied, 0);
    expect({ granted, denied }).toEqual({ granted: 5000, denied: 5000 });
    // Each grant was acknowledged at a distinct usage: the calls were serialised, none lost.
    const usages = results.flatMap((r) => r.usages).sort((a, b) => a - b);
    expect(usages).toEqual(range(5000));

    const { entitlement, oneMore, entries } = await settled('acme');
    expect(entitlement).toMatchObject({ currentUsage: 5000, usageLimit: 5000, hasAccess: true });
    expect(oneMore.hasAccess).toBe(false);
    expect(entries).toHaveLength(5000);
    expect(entries.every((e) => e.op === 'add' && e.amount === 1)).toBe(true);
  }, 120_000);

  it('grants every attempt over a soft limit: 2 processes × 300 against 100', async () => {
    await provision('globex', 'soft');
    const results = await race(filename, 'globex', 2, 300);

    expect(results.map((r) => r.granted)).toEqual([300, 300]);
    expect(results.map((r) => r.denied)).toEqual([0, 0]);
    const usages = results.flatMap((r) => r.usages).sort((a, b) => a - b);
    expect(usages).toEqual(range(600));

    const { entitlement, entries } = await settled('globex');
    expect(entitlement).toMatchObject({ currentUsage: 600, usageLimit: 100, hasSoftLimit: true, hasAccess: true });
    expect(entries).toHaveLength(600);
  }, 120_000);
});
