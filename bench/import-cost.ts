// What a fresh process pays before allot answers: importing the built package and reaching the first
// check on a large SQLite file, beside plain node and a bare better-sqlite3 read of the same file.
// Measures dist/, so run `npm run build` first; children run plain node (tsx would add its own cost).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Allot } from '../src/index.js';
import { sqliteStore } from '../src/stores/sqlite/index.js';
import { catalog } from './catalog.js';

/** Milliseconds a fresh process takes, median of the runs. */
export interface ImportCostFigures {
  /** `node -e 0`. */
  readonly node: number;
  /** `import 'allot'`, the built ESM entry. */
  readonly importEsm: number;
  /** `require('allot')`, the built CJS entry. */
  readonly requireCjs: number;
  /** `import 'allot/stores/sqlite'`. */
  readonly importSqliteStore: number;
  /** better-sqlite3 alone: import, open the file, one SELECT of a customer by primary key, close. */
  readonly bareSqliteRead: number;
  /** allot through dist: import, initialize on the file, first `getMeteredEntitlement`, close. */
  readonly firstCheck: number;
  /** `firstCheck / bareSqliteRead`. */
  readonly ratio: number;
}

export interface ImportCost {
  /** Spawn to exit, as a user waits for it. */
  readonly wall: ImportCostFigures;
  /** CPU the child used (user + system, its helper threads included): steadier than wall time on a busy machine. */
  readonly cpu: ImportCostFigures;
}

const CUSTOMER = 'c77777';

/**
 * Runs each child `runs` times (interleaved, so a burst of load on a shared machine hits every
 * figure alike) and takes medians. `filename` is a SQLite file written by allot with bench/catalog.ts
 * that holds customer `c77777` on plan 'pro', e.g. the 100k-customer file `seedCustomers` builds.
 * `root` is the package whose dist/ is measured: this one unless comparing another checkout.
 */
export function importCost(filename: string, { runs = 7, root = join(import.meta.dirname, '..') } = {}): ImportCost {
  // Each child reports its CPU time as it exits.
  const reportCpu = `process.on('exit', () => console.log(JSON.stringify(process.cpuUsage())));`;
  const cjs = (source: string) => ['-e', `${reportCpu}\n${source}`];
  const esm = (source: string) => ['--input-type=module', ...cjs(source)];
  const children = {
    node: cjs(''),
    importEsm: esm(`import 'allot';`),
    requireCjs: cjs(`require('allot');`),
    importSqliteStore: esm(`import 'allot/stores/sqlite';`),
    bareSqliteRead: esm(`
      import Database from 'better-sqlite3';
      const db = new Database(${JSON.stringify(filename)});
      if (!db.prepare('SELECT * FROM customers WHERE id = ?').get(${JSON.stringify(CUSTOMER)})) throw new Error('no customer');
      db.close();`),
    firstCheck: esm(`
      import { Allot } from 'allot';
      import { sqliteStore } from 'allot/stores/sqlite';
      const allot = Allot.initialize({ catalog: ${JSON.stringify(catalog)}, store: sqliteStore({ filename: ${JSON.stringify(filename)} }) });
      const check = await allot.getMeteredEntitlement({ customerId: ${JSON.stringify(CUSTOMER)}, featureId: 'api-calls' });
      if (!check.hasAccess) throw new Error('unexpected denial: ' + check.accessDeniedReason);
      await allot.close();`),
  };
  const wall = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const add = (samples: Map<string, number[]>, name: string, ms: number) =>
    samples.set(name, [...(samples.get(name) ?? []), ms]);
  for (let i = 0; i < runs; i++) {
    for (const [name, args] of Object.entries(children)) {
      const start = process.hrtime.bigint();
      // From the package root, so `allot` resolves to this package's own exports (dist/).
      const child = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
      add(wall, name, Number(process.hrtime.bigint() - start) / 1e6);
      if (child.status !== 0) throw new Error(`import-cost child ${name} failed: ${child.stderr}`);
      const { user, system } = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as NodeJS.CpuUsage;
      add(cpu, name, (user + system) / 1000);
    }
  }
  return { wall: medians(wall), cpu: medians(cpu) };
}

function medians(samples: Map<string, number[]>): ImportCostFigures {
  const median = (ms: number[]) => ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)] ?? Number.NaN;
  const figures = Object.fromEntries([...samples].map(([name, ms]) => [name, median(ms)])) as Omit<
    ImportCostFigures,
    'ratio'
  >;
  return { ...figures, ratio: figures.firstCheck / figures.bareSqliteRead };
}

/**
 * Writes `customers` customers on plan 'pro' (ids c0, c1, ...) into a SQLite file, created when
 * missing, as `importCost` needs; 100k take about 20 s on a 2-core machine.
 */
export async function seedCustomers(filename: string, customers: number): Promise<void> {
  const allot = Allot.initialize({ catalog, store: sqliteStore({ filename }) });
  for (let i = 0; i < customers; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, customers - i) }, (_, j) => `c${i + j}`);
    await Promise.all(
      batch.map((customerId) => allot.provisionCustomer({ customerId, subscriptionParams: { planId: 'pro' } })),
    );
  }
  await allot.close();
}
