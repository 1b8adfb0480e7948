import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Allot, type AllotOptions, type CatalogInput, ManualClock, type Store } from '../../src/index.js';
import { memoryStore } from '../../src/stores/memory/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';

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
  create(): { store: Store; reopen: () => Store; cleanup: () => void };
}

/** Every store the engine ships; integration tests loop over all of them. */
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
    create: () => {
      const dir = mkdtempSync(join(tmpdir(), 'allot-test-'));
      const filename = join(dir, 'allot.db');
      return {
        store: sqliteStore({ filename }),
        reopen: () => sqliteStore({ filename }),
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
];

export interface Harness {
  allot: Allot;
  clock: ManualClock;
  store: Store;
  /** A second engine over the same data (a new process, for SQLite). */
  reopen(options?: Partial<AllotOptions>): Promise<Allot>;
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
  const allot = await open({}, store);
  return {
    allot,
    clock,
    store,
    reopen: (extra = {}) => open(extra, reopen()),
    close: async () => {
      for (const a of opened) await a.close();
      cleanup();
    },
  };
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
