import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Allot, type AllotOptions, type Logger, type LogLevel, ManualClock } from '../../src/index.js';
import { memoryStore } from '../../src/stores/memory/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import { AI_CREDITS, creditCatalog } from '../helpers/credit-fixtures.js';
import { catalog, errorCode } from '../helpers/fixtures.js';

/** A logger that keeps what it is given, by method. */
function recordingLogger() {
  const calls: { method: keyof Logger; message: string; detail: unknown }[] = [];
  const record =
    (method: keyof Logger) =>
    (message: string, detail?: unknown): void => {
      calls.push({ method, message, detail });
    };
  return { logger: { log: record('log'), debug: record('debug'), error: record('error') }, calls };
}

const T0 = '2025-01-01T00:00:00Z';
// A directory is not a database file: opening it fails, so every read of this store fails.
const dir = mkdtempSync(`${tmpdir()}/allot-unopenable-`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const brokenStore = () => sqliteStore({ filename: dir });

describe('logConfiguration', () => {
  let consoleError: ReturnType<typeof vi.spyOn>;
  let consoleLog: ReturnType<typeof vi.spyOn>;
  let consoleWarn: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    consoleLog = vi.spyOn(console, 'log').mockImplementation(() => {});
    consoleWarn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());
  const consoleCalls = () =>
    consoleError.mock.calls.length + consoleLog.mock.calls.length + consoleWarn.mock.calls.length;

  it('a store error caught during a check goes to the given logger, once per outage, and not to the console', async () => {
    const { logger, calls } = recordingLogger();
    const allot = Allot.initialize({ catalog, store: brokenStore(), logConfiguration: { logger, logLevel: 'ERROR' } });
    const check = await allot.getBooleanEntitlement({ customerId: 'c', featureId: 'sso' });
    expect(check).toMatchObject({ hasAccess: false, isFallback: true });
    await allot.getMeteredEntitlement({ customerId: 'c', featureId: 'api-calls' });
    expect(calls).toEqual([
      {
        method: 'error',
        message: '[allot] the store cannot be read; checks answer from the fallback until it can',
        detail: expect.objectContaining({ code: 'STORE_ERROR' }),
      },
    ]);
    expect(consoleCalls()).toBe(0);
    await allot.close();
  });

  /** A caught error (a throwing listener) and a warning (a subscription that cannot move to a new plan version). */
  async function errorAndWarning(logLevel: LogLevel | undefined) {
    const { logger, calls } = recordingLogger();
    const store = memoryStore();
    const clock = new ManualClock(T0);
    const first = Allot.initialize({ catalog, store, clock });
    await first.provisionCustomer({
      customerId: 'acme',
      subscriptionParams: { planId: 'pro', addons: [{ addonId: 'extra-seats' }] },
    });
    const noSeats = {
      ...catalog,
      plans: catalog.plans.map((p) => (p.id === 'pro' ? { ...p, compatibleAddonIds: ['extra-calls'] } : p)),
    };
    const logConfiguration = { logger, ...(logLevel ? { logLevel } : {}) };
    const allot = Allot.initialize({
      catalog: noSeats,
      store,
      clock,
      catalogMigration: 'ALL_CUSTOMERS',
      logConfiguration,
    });
    await allot.waitForInitialization();
    allot.addListener('subscriptionUpdated', () => {
      throw new Error('listener bug');
    });
    await allot.provisionCustomer({ customerId: 'globex', subscriptionParams: { planId: 'free' } });
    await allot.close();
    await first.close();
    return calls.map(({ method, message }) => `${method}: ${message}`);
  }

  const ERROR = 'error: [allot] a subscriptionUpdated listener threw';
  const WARNING = expect.stringMatching(/^log: \[allot\] subscription "subscription-pro-\w+" kept its version$/);

  it.each([
    ['ERROR', [ERROR]],
    [undefined, [ERROR]],
    ['LOG', [WARNING, ERROR]],
    ['ALL', [WARNING, ERROR]],
    ['NONE', []],
  ] as const)('level %s lets through what the reference SDK does', async (level, expected) => {
    expect(await errorAndWarning(level)).toEqual(expected);
    expect(consoleCalls()).toBe(0);
  });

  it('defaults to errors on the console, as the reference SDK', async () => {
    const allot = Allot.initialize({ catalog, store: brokenStore() });
    await allot.getBooleanEntitlement({ customerId: 'c', featureId: 'sso' });
    expect(consoleError).toHaveBeenCalledOnce();
    expect(consoleError.mock.calls[0]?.[0]).toBe(
      '[allot] the store cannot be read; checks answer from the fallback until it can',
    );
    await allot.close();
  });

  it('a closed instance answers from the fallback without a log line', async () => {
    const { logger, calls } = recordingLogger();
    const allot = Allot.initialize({ catalog, logConfiguration: { logger, logLevel: 'ALL' } });
    await allot.waitForInitialization();
    await allot.close();
    expect(await allot.getBooleanEntitlement({ customerId: 'c', featureId: 'sso' })).toMatchObject({
      isFallback: true,
    });
    expect(calls).toEqual([]);
  });

  it('a logger that throws does not fail the check that was logging', async () => {
    const angry = {
      log: () => {},
      debug: () => {},
      error: () => {
        throw new Error('logger down');
      },
    };
    const allot = Allot.initialize({ catalog, store: brokenStore(), logConfiguration: { logger: angry } });
    expect(await allot.getBooleanEntitlement({ customerId: 'c', featureId: 'sso' })).toMatchObject({
      isFallback: true,
    });
    await allot.close();
  });

  it('refuses a logger without the reference SDK’s methods, and unknown levels', () => {
    const refused = (logConfiguration: unknown) =>
      expect(() => Allot.initialize({ catalog, logConfiguration } as AllotOptions)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    refused({ logger: { error: () => {} } });
    refused({ logLevel: 'WARN' });
    refused({ logger: console, logLevel: 'ERROR', extra: true });
  });
});

describe('creditEntitlementsFallback', () => {
  const credits = creditCatalog();
  const pool = { customerId: 'acme', currencyId: AI_CREDITS };
  const quiet = { logger: recordingLogger().logger };

  it('answers credit checks from the configured fallback when the store cannot be read', async () => {
    const allot = Allot.initialize({
      catalog: credits,
      store: brokenStore(),
      logConfiguration: quiet,
      creditEntitlementsFallback: { [AI_CREDITS]: { hasAccess: true, usageLimit: 100, currentUsage: 30 } },
    });
    const expected = {
      customerId: 'acme',
      resourceId: null,
      hasAccess: true,
      isFallback: true,
      currency: {
        currencyId: AI_CREDITS,
        displayName: 'AI credits',
        units: { singular: 'credit', plural: 'credits' },
        symbol: null,
      },
      currentBalance: 70,
      remaining: 70,
      totalGranted: 100,
      totalConsumed: 30,
      requestedUsage: 0,
      nextResetDate: null,
    };
    expect(await allot.getCreditEntitlement(pool)).toEqual(expected);
    expect(await allot.getCreditBalance(pool)).toEqual(expected);
    expect(await allot.getCreditEntitlement({ ...pool, options: { requestedUsage: 20 } })).toMatchObject({
      remaining: 50,
      requestedUsage: 20,
    });
    // The per-call fallback wins over the configured one, as for feature checks.
    expect(
      await allot.getCreditEntitlement({ ...pool, resourceId: 'r1', options: { fallback: { hasAccess: false } } }),
    ).toMatchObject({ resourceId: 'r1', hasAccess: false, accessDeniedReason: 'Unknown', currentBalance: 0 });
    await allot.close();
  });

  it('without a fallback for the currency, denies; bad input and unknown currencies still throw', async () => {
    const allot = Allot.initialize({ catalog: credits, store: brokenStore(), logConfiguration: quiet });
    expect(await allot.getCreditEntitlement(pool)).toMatchObject({
      hasAccess: false,
      isFallback: true,
      accessDeniedReason: 'Unknown',
      currentBalance: 0,
      remaining: 0,
    });
    expect(await errorCode(allot.getCreditEntitlement({ ...pool, currencyId: 'gold' }))).toBe('CURRENCY_NOT_FOUND');
    expect(
      await errorCode(allot.getCreditEntitlement({ ...pool, options: { fallback: { hasAccess: 'yes' } } } as never)),
    ).toBe('INVALID_INPUT');
    await allot.close();
  });

  it('a readable store answers from the pool, not the fallback; a closed instance from the fallback', async () => {
    const allot = Allot.initialize({
      catalog: credits,
      clock: new ManualClock(T0),
      creditEntitlementsFallback: { [AI_CREDITS]: { hasAccess: true, usageLimit: 5 } },
    });
    await allot.provisionCustomer({ customerId: 'acme' });
    await allot.grantCredits({ ...pool, amount: 40, displayName: 'Top-up' });
    expect(await allot.getCreditEntitlement(pool)).toMatchObject({ isFallback: false, currentBalance: 40 });
    expect(await errorCode(allot.getCreditEntitlement({ ...pool, customerId: 'nobody' }))).toBe('CUSTOMER_NOT_FOUND');
    await allot.close();
    expect(await allot.getCreditEntitlement(pool)).toMatchObject({ isFallback: true, currentBalance: 5 });
  });

  it('refuses a fallback of the wrong shape at initialize', () => {
    expect(() =>
      Allot.initialize({
        catalog: credits,
        creditEntitlementsFallback: { [AI_CREDITS]: { hasAccess: true, value: 3 } },
      } as never),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('the reference SDK’s connection options', () => {
  it('are accepted with their types and change nothing; unknown options are still refused', async () => {
    const allot = Allot.initialize({
      catalog,
      apiKey: 'YOUR_FULL_ACCESS_KEY',
      baseUri: 'https://api.stigg.io',
      baseEdgeUri: 'https://edge.api.stigg.io',
      wsUrl: 'wss://api.stigg.io',
      realtimeUpdatesEnabled: false,
      enableEdge: false,
      redis: { host: 'localhost', port: 6379 },
      memoryCacheMaxSizeBytes: 1_000_000,
      clientName: 'my-app',
      clientVersion: '1.0.0',
      enableRemoteConfig: false,
      timeout: 1000,
      entitlementsTimeout: 1000,
      offline: true,
    });
    await allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'pro' } });
    // Offline or not, the engine evaluates: the plan grants, no fallback answers.
    expect(await allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'sso' })).toMatchObject({
      hasAccess: true,
      isFallback: false,
    });
    await allot.close();
    const refused = (options: object) =>
      expect(() => Allot.initialize({ catalog, ...options } as AllotOptions)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    refused({ apiKey: 42 });
    refused({ offline: 'yes' });
    refused({ realtimeUpdates: true });
  });
});
