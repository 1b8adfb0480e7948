import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll } from 'vitest';
import { Allot, type AllotOptions, type CatalogInput, ManualClock, type Store } from '../../src/index.js';
import { memoryStore } from '../../src/stores/memory/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import { dropIdleSchemas, leaseSchema, postgresTestStore, postgresUrl, releaseSchema } from './postgres.js';

/** A small catalog that exercises every feature type, base plans, trials and add-ons. */
export const catalog = {
  features: [
    { id: 'api-calls', featureType: 'NUMBER', meterType: 'Incremental', units: 'call', unitsPlural: 'calls' },
    { id: 'seats', featureType: 'NUMBER', meterType: 'Fluctuating' },
    { id: 'daily-exports', featureType: 'NUMBER', meterType: 'Incremental' },
    { id: 'sso', featureType: 'BOOLEAN' },
    { id: 'audit-log', featureType: 'BOOLEAN' },
    { id: 'max-projects', featureType: 'NUMBER' },
    {
      id: 'region',
      featureType: 'ENUM',
      enumConfiguration: [{ value: 'eu' }, { value: 'us' }, { value: 'ap' }],
    },
  ],
  products: [
    { id: 'app', displayName: 'App', downgradePlanId: 'free' },
    { id: 'storage', multipleSubscriptions: true },
  ],
  plans: [
    {
      id: 'free',
      productId: 'app',
      displayName: 'Free',
      order: 0,
      entitlements: [
        { featureId: 'api-calls', usageLimit: 100, resetPeriod: 'MONTH' },
        { featureId: 'seats', usageLimit: 2 },
        { featureId: 'max-projects', usageLimit: 3 },
        { featureId: 'region', enumValues: ['eu'] },
      ],
      compatibleAddonIds: ['extra-calls'],
    },
    {
      id: 'pro',
      productId: 'app',
      displayName: 'Pro',
      order: 1,
      basePlanId: 'free',
      pricingType: 'PAID',
      entitlements: [
        { featureId: 'api-calls', usageLimit: 1000, resetPeriod: 'MONTH' },
        { featureId: 'seats', usageLimit: 10 },
        { featureId: 'sso' },
        { featureId: 'daily-exports', usageLimit: 5, resetPeriod: 'DAY' },
      ],
      defaultTrialConfig: { duration: 14, units: 'DAY' },
      compatibleAddonIds: ['extra-calls', 'extra-seats', 'unlimited-calls'],
      prices: [{ billingPeriod: 'MONTHLY', currency: 'USD', amount: '49.00' }],
    },
    {
      id: 'enterprise',
      productId: 'app',
      order: 2,
      basePlanId: 'pro',
      pricingType: 'CUSTOM',
      entitlements: [
        { featureId: 'api-calls', hasUnlimitedUsage: true, resetPeriod: 'MONTH' },
        { featureId: 'audit-log' },
        { featureId: 'region', enumValues: ['eu', 'us', 'ap'] },
      ],
    },
    {
      id: 'bucket',
      productId: 'storage',
      entitlements: [
        { featureId: 'audit-log' },
        { featureId: 'max-projects', usageLimit: 50 },
        { featureId: 'api-calls', usageLimit: 500, resetPeriod: 'MONTH' },
      ],
    },
  ],
  addons: [
    {
      id: 'extra-calls',
      productId: 'app',
      entitlements: [{ featureId: 'api-calls', usageLimit: 100 }],
      maxQuantity: 5,
    },
    { id: 'extra-seats', productId: 'app', entitlements: [{ featureId: 'seats', usageLimit: 5 }] },
    {
      id: 'unlimited-calls',
      productId: 'app',
      entitlements: [{ featureId: 'api-calls', hasUnlimitedUsage: true, behavior: 'Override' }],
    },
  ],
} satisfies CatalogInput;

export const START = '2025-01-31T10:00:00.000Z';

export interface StoreFixture {
  readonly name: string;
  /** Keeps its data where a second store can reach it: `reopen` is another process, or app instance. */
  readonly shared?: boolean;
  /**
   * How long another instance's commit may take to reach this instance's checks. SQLite checks probe
   * the file's data_version every changeCheckIntervalMs (10 by default), so well within 500 ms here
   * (the machine is shared and timers run late). PostgreSQL learns of it through LISTEN/NOTIFY, or
   * the store's poll tick when a notification is lost: within a bound.
   */
  readonly crossInstanceDelayMs?: number;
  create(): { store: Store; reopen: () => Store; cleanup: () => void | Promise<void> };
}

/**
 * PostgreSQL, when `ALLOT_TEST_POSTGRES_URL` names a server: each harness gets a schema of its own,
 * `reopen` is a second app instance on that schema. Cleanup empties the schema for the file's next
 * harness (creating and migrating one per test would triple the suite's time); the file's last hook
 * drops them.
 */
function postgresFixtures(): StoreFixture[] {
  const connectionString = postgresUrl();
  if (connectionString === undefined) return [];
  try {
    afterAll(() => dropIdleSchemas(connectionString));
  } catch {
    // Imported outside a test file (a child process of a test): it makes no harness.
  }
  return [
    {
      name: 'postgres',
      shared: true,
      // Generous next to the store's 1 s poll tick: CI machines are slow and loaded.
      crossInstanceDelayMs: 3_000,
      create: () => {
        const schema = leaseSchema();
        // Small pools: several test files run at once against one server.
        const open = () => postgresTestStore({ connectionString, schema, poolSize: 4 });
        return { store: open(), reopen: open, cleanup: () => releaseSchema(schema, connectionString) };
      },
    },
  ];
}

/** Every store the engine ships (PostgreSQL only when a server is configured); integration tests loop over all of them. */
export const stores: StoreFixture[] = [
  {
    name: 'memory',
    create: () => {
      const store = memoryStore();
      return { store, reopen: () => store, cleanup: () => {} };
    },
  },
  {
    name: 'sqlite',
    shared: true,
    crossInstanceDelayMs: 500,
    create: () => {
      const dir = mkdtempSync(join(tmpdir(), 'allot-test-'));
      const filename = join(dir, 'allot.db');
      // Small folds, so the suites' 2,100-entry fillers cross two of them.
      return {
        store: sqliteStore({ filename, foldEvery: 1000 }),
        reopen: () => sqliteStore({ filename, foldEvery: 1000 }),
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  ...postgresFixtures(),
];

/** The stores a second engine shares data with through the store (SQLite's file, PostgreSQL's schema). */
export const sharedStores: StoreFixture[] = stores.filter((s) => s.shared);

/**
 * Reads until the value equals `expected` (deeply) or the fixture's cross-instance delay has passed, and
 * returns the last value read: within the fixture's bound.
 */
export async function seen<T>(fixture: StoreFixture, read: () => Promise<T>, expected: T): Promise<T> {
  const deadline = Date.now() + (fixture.crossInstanceDelayMs ?? 0);
  for (;;) {
    const value = await read();
    if (isDeepStrictEqual(value, expected) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * How many runs a property test over stores makes on this one: `runs`, or a third of them on
 * PostgreSQL, where every step is a round trip to a server. The engine's semantics are the same on every
 * store and the store's own (its queries) are proven by the conformance suite, so the PostgreSQL runs
 * only need to show the engine over it agrees; CI runs every file one at a time on two cores.
 */
export function propertyRuns(fixture: StoreFixture, runs: number): number {
  return fixture.name === 'postgres' ? Math.max(5, Math.ceil(runs / 3)) : runs;
}

export interface Harness {
  allot: Allot;
  clock: ManualClock;
  store: Store;
  /** A second engine over the same data (a new process, for SQLite; another app instance, for PostgreSQL). */
  reopen(options?: Partial<AllotOptions>): Promise<Allot>;
  /** A second store over the same data (the same one, for memory), closed with the harness. */
  reopenStore(): Store;
  close(): Promise<void>;
}

/** An initialized engine on a fresh store with a ManualClock at `START`. */
export async function harness(fixture: StoreFixture, options: Partial<AllotOptions> = {}): Promise<Harness> {
  const { store, reopen, cleanup } = fixture.create();
  const clock = new ManualClock(START);
  const opened: Allot[] = [];
  const open = async (extra: Partial<AllotOptions>, s: Store) => {
    const allot = Allot.initialize({ catalog, store: s, clock, ...options, ...extra });
    opened.push(allot);
    await allot.waitForInitialization();
    return allot;
  };
  const stores: Store[] = [];
  const close = async () => {
    try {
      for (const a of opened) await a.close();
      for (const s of stores) await s.close();
    } finally {
      await cleanup();
    }
  };
  let allot: Allot;
  try {
    allot = await open({}, store);
  } catch (error) {
    await close();
    throw error;
  }
  const reopenStore = () => {
    const second = reopen();
    stores.push(second);
    return second;
  };
  return { allot, clock, store, reopen: (extra = {}) => open(extra, reopen()), reopenStore, close };
}

/** Awaits a promise expected to reject with an AllotError and returns its code. */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error) return String(error.code);
    throw error;
  }
  throw new Error('expected the call to reject');
}
