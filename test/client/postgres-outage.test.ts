// The server going away under a live engine (DESIGN §5 and §6): checks answer from the warm cache or the
// fallback and never throw, writes reject with STORE_UNAVAILABLE within the connection timeout and leave
// nothing half-written, and the same engine recovers when the server is back. The file runs a cluster of
// its own (scripts/postgres-server.sh), since it crashes, freezes and restarts it; each test starts with
// it up and works in a schema of its own (the last one in the default schema, `allot`).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Allot, type AllotOptions, type CatalogInput, ManualClock, type Store } from '../../src/index.js';
import { catalog, errorCode, START } from '../helpers/fixtures.js';
import { freshSchema, postgresTestStore, skipWithoutPostgres, ThrowawayServer } from '../helpers/postgres.js';

const TIMEOUT_MS = 1000;

const withCredits = {
  ...catalog,
  creditCurrencies: [{ currencyId: 'ai-credits', displayName: 'AI credits', units: { singular: 'c', plural: 'cs' } }],
} satisfies CatalogInput;

const fallback = { 'api-calls': { hasAccess: true, usageLimit: 42 } };

/** How long a promise took to settle, and how. */
async function timed(promise: Promise<unknown>): Promise<{ ms: number; code: string | undefined }> {
  const started = performance.now();
  let code: string | undefined;
  try {
    await promise;
  } catch (error) {
    code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : String(error);
  }
  return { ms: performance.now() - started, code };
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skipWithoutPostgres)('PostgreSQL going away under a live engine', () => {
  const server = new ThrowawayServer();
  let clock: ManualClock;
  let schema: string | undefined;
  const engines: Allot[] = [];

  const store = (): Store =>
    postgresTestStore({
      connectionString: server.url,
      ...(schema ? { schema } : {}),
      poolSize: 3,
      connectionTimeoutMs: TIMEOUT_MS,
    });
  const engine = (options: Partial<AllotOptions> = {}) => {
    const allot = Allot.initialize({
      catalog: withCredits,
      store: store(),
      clock,
      entitlementsFallback: fallback,
      ...options,
    });
    engines.push(allot);
    return allot;
  };
  const usage = async (allot: Allot, customerId = 'acme') =>
    allot.getMeteredEntitlement({ customerId, featureId: 'api-calls' });

  beforeAll(() => server.start(), 60_000);
  afterAll(() => server.destroy(), 60_000);
  beforeEach(async () => {
    await server.start(); // up again after a test that left it crashed
    clock = new ManualClock(START);
    schema = freshSchema('allot_outage');
  }, 60_000);
  afterEach(async () => {
    server.thaw();
    for (const allot of engines.splice(0)) await allot.close().catch(() => {});
  }, 60_000);

  it('checks answer from the cache or the fallback, writes reject STORE_UNAVAILABLE, and it all recovers', async () => {
    const allot = engine();
    await allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
    await allot.provisionCustomer({ customerId: 'globex', subscriptionParams: { planId: 'free' } });
    await allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 3 });
    expect(await usage(allot)).toMatchObject({ currentUsage: 3, isFallback: false }); // warm
    // A second instance: acme is warm there, globex (never read through it) is cold.
    const other = engine();
    expect(await usage(other)).toMatchObject({ currentUsage: 3, isFallback: false });

    await server.crash();

    // A warm customer is answered from memory: at once, and still after the store's feed has ticked
    // (its 1 s poll), when the engine would look for other instances' commits and cannot.
    for (const wait of [0, 1_500]) {
      await tick(wait);
      expect(await usage(other)).toMatchObject({ currentUsage: 3, usageLimit: 100, isFallback: false });
      expect(other.getEntitlementSync({ customerId: 'acme', featureId: 'api-calls' })).toMatchObject({
        currentUsage: 3,
        isFallback: false,
      });
    }
    // A cold one, from the fallback, without throwing.
    expect(await usage(other, 'globex')).toMatchObject({ hasAccess: true, usageLimit: 42, isFallback: true });
    expect(await other.getBooleanEntitlement({ customerId: 'globex', featureId: 'sso' })).toMatchObject({
      hasAccess: false,
      isFallback: true,
    });

    // Writes reject, typed, within the connection timeout.
    const writes: (() => Promise<unknown>)[] = [
      () => other.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 50 }),
      () => other.checkAndReportUsage({ customerId: 'acme', featureId: 'api-calls', value: 1 }),
      () => other.provisionSubscription({ customerId: 'acme', planId: 'pro', skipTrial: true }),
      () => other.provisionCustomer({ customerId: 'initech' }),
      () => other.grantCredits({ customerId: 'acme', currencyId: 'ai-credits', amount: 5, displayName: 'x' }),
    ];
    for (const write of writes) {
      const { ms, code } = await timed(write());
      expect(code).toBe('STORE_UNAVAILABLE');
      expect(ms).toBeLessThan(TIMEOUT_MS + 2000);
    }

    await server.start();

    // The same engines, no restart: writes and cold checks work again, and nothing failed was applied.
    const ack = await other.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 1 });
    expect(ack.currentUsage).toBe(4);
    expect(await usage(other, 'globex')).toMatchObject({ currentUsage: 0, usageLimit: 100, isFallback: false });
    expect((await other.getActiveSubscriptions({ customerId: 'acme' })).map((s) => s.planId)).toEqual(['free']);
    expect(await errorCode(other.getCustomer('initech'))).toBe('CUSTOMER_NOT_FOUND');
    expect((await other.getCreditBalance({ customerId: 'acme', currencyId: 'ai-credits' })).currentBalance).toBe(0);
    // And each learns of the other's commits again, through a change feed that reconnected by itself.
    await allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 1 });
    let seen = 0;
    for (let i = 0; i < 50 && seen !== 5; i++) {
      seen = (await usage(other)).currentUsage ?? 0;
      if (seen !== 5) await tick(100);
    }
    expect(seen).toBe(5);
  }, 60_000);

  it('writes in flight when the server crashes are applied whole or not at all', async () => {
    const allot = engine();
    await allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'pro', skipTrial: true } });
    const pool = { customerId: 'acme', currencyId: 'ai-credits' };
    await allot.grantCredits({ ...pool, amount: 10_000, displayName: 'Top-up' });

    // Writers run until the server goes; the crash lands in the middle of them.
    let acknowledged = 0;
    let consumed = 0;
    const failures = new Set<string>();
    const writer = async (i: number) => {
      for (let n = 0; ; n++) {
        try {
          if (i % 2 === 0) {
            await allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 1 });
            acknowledged++;
          } else {
            await allot.consumeCredits({ ...pool, amount: 3, idempotencyKey: `w${i}-${n}` });
            consumed++;
          }
        } catch (error) {
          failures.add(
            typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : `${error}`,
          );
          return;
        }
      }
    };
    const writers = Promise.all([0, 1, 2, 3].map(writer));
    await tick(300);
    await server.crash();
    await writers;
    expect(acknowledged).toBeGreaterThan(0);
    expect(consumed).toBeGreaterThan(0);
    expect([...failures]).toEqual(['STORE_UNAVAILABLE']);
    await server.start();

    // A new instance reads what the server kept: every acknowledged write, and at most the ones whose
    // acknowledgement the crash cut off (committed, but never answered).
    const fresh = engine();
    const { currentUsage } = await usage(fresh);
    expect(currentUsage).toBeGreaterThanOrEqual(acknowledged);
    expect(currentUsage).toBeLessThanOrEqual(acknowledged + 2);
    const balance = (await fresh.getCreditBalance(pool)).currentBalance;
    expect(balance).toBeLessThanOrEqual(10_000 - 3 * consumed);
    expect(balance).toBeGreaterThanOrEqual(10_000 - 3 * (consumed + 2));
    // Whole: every consumption is in the ledger with its grant's burn, and the ledger sums to the balance.
    let sum = 0;
    let after: string | undefined;
    for (;;) {
      const page = await fresh.getCreditLedger({ ...pool, paging: { first: 1000, ...(after ? { after } : {}) } });
      sum += page.data.reduce((s, e) => s + e.amount, 0);
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
      after = page.pageInfo.endCursor;
    }
    expect(sum).toBe(balance);
  }, 60_000);

  it('acknowledged reports that shared commits survive a crash of the server', async () => {
    const allot = engine();
    const customers = Array.from({ length: 32 }, (_, i) => `c${i}`);
    for (const customerId of customers)
      await allot.provisionCustomer({ customerId, subscriptionParams: { planId: 'pro', skipTrial: true } });
    // One call in flight per customer, 32 at once: they share transactions and usage statements.
    const acked = new Map<string, number>();
    const failures = new Set<string>();
    const writer = async (customerId: string) => {
      for (;;) {
        try {
          await allot.reportUsage({ customerId, featureId: 'api-calls', value: 1 });
          acked.set(customerId, (acked.get(customerId) ?? 0) + 1);
        } catch (error) {
          failures.add(
            typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : `${error}`,
          );
          return;
        }
      }
    };
    const writers = Promise.all(customers.map(writer));
    await tick(300);
    await server.crash();
    await writers;
    expect([...failures]).toEqual(['STORE_UNAVAILABLE']);
    await server.start();

    const fresh = engine();
    for (const customerId of customers) {
      const { currentUsage } = await usage(fresh, customerId);
      expect(currentUsage).toBeGreaterThanOrEqual(acked.get(customerId) ?? 0);
      expect(currentUsage).toBeLessThanOrEqual((acked.get(customerId) ?? 0) + 1);
    }
  }, 60_000);

  it('a write to a server that stops answering rejects STORE_UNAVAILABLE within the timeout', async () => {
    const allot = engine();
    await allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
    await allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 2 });

    server.freeze(); // connections stay open, nothing answers: a hung server or a partition
    try {
      const { ms, code } = await timed(allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 1 }));
      expect(code).toBe('STORE_UNAVAILABLE');
      expect(ms).toBeLessThan(TIMEOUT_MS + 4000);
      expect(await usage(allot)).toMatchObject({ currentUsage: 2, isFallback: false });
    } finally {
      server.thaw();
    }

    // Back: the same engine writes again (the frozen write may or may not have committed).
    const ack = await allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 10 });
    expect([12, 13]).toContain(ack.currentUsage);
  }, 60_000);

  it('an engine initialized while the server is down recovers once it is up', async () => {
    await server.crash();
    const allot = engine();
    const { ms, code } = await timed(allot.waitForInitialization());
    expect(code).toBe('STORE_UNAVAILABLE');
    expect(ms).toBeLessThan(TIMEOUT_MS + 2000);
    expect(await usage(allot)).toMatchObject({ hasAccess: true, usageLimit: 42, isFallback: true });
    expect(await errorCode(allot.provisionCustomer({ customerId: 'acme' }))).toBe('STORE_UNAVAILABLE');

    await server.start();

    await allot.waitForInitialization();
    await allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
    expect((await allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 1 })).currentUsage).toBe(1);
    expect(await usage(allot)).toMatchObject({ currentUsage: 1, isFallback: false });
  }, 60_000);

  it('an acknowledged write survives a crash of the server', async () => {
    schema = undefined; // the default schema, created by the first engine
    const allot = engine();
    await allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
    await allot.provisionSubscription({ customerId: 'acme', planId: 'pro', skipTrial: true });
    await allot.grantCredits({ customerId: 'acme', currencyId: 'ai-credits', amount: 100, displayName: 'Top-up' });
    await allot.consumeCredits({ customerId: 'acme', currencyId: 'ai-credits', amount: 30, idempotencyKey: 'k' });
    const ack = await allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 7 });
    expect(ack.currentUsage).toBe(7);

    await server.crash(); // no checkpoint, no clean shutdown: what was acknowledged must be in the WAL
    await server.start();

    const fresh = engine();
    expect(await usage(fresh)).toMatchObject({ currentUsage: 7, usageLimit: 1000, isFallback: false });
    expect((await fresh.getActiveSubscriptions({ customerId: 'acme' })).map((s) => s.planId)).toEqual(['pro']);
    expect((await fresh.getCreditBalance({ customerId: 'acme', currencyId: 'ai-credits' })).currentBalance).toBe(70);
  }, 60_000);
});
