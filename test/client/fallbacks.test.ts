import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { Allot, ManualClock } from '../../src/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import { catalog, harness, stores } from '../helpers/fixtures.js';

describe('when the store cannot be read', () => {
  // A directory is not a database file: opening it fails, so every read fails.
  const dir = mkdtempSync(`${tmpdir()}/allot-unopenable-`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const broken = () =>
    Allot.initialize({
      catalog,
      store: sqliteStore({ filename: dir }),
      clock: new ManualClock('2025-01-01T00:00:00Z'),
      entitlementsFallback: { 'api-calls': { hasAccess: true, usageLimit: 500 }, sso: { hasAccess: true } },
      logConfiguration: { logLevel: 'NONE' },
    });

  it('initialization rejects with a store error naming the store', async () => {
    await expect(broken().waitForInitialization()).rejects.toMatchObject({
      code: 'STORE_ERROR',
      message: expect.stringContaining(`sqlite(${dir})`),
    });
  });

  it('checks, entitlement lists and reloads answer from the fallbacks without throwing', async () => {
    const allot = broken();
    expect(await allot.getEntitlement({ customerId: 'c', featureId: 'api-calls' })).toEqual({
      type: 'METERED',
      hasAccess: true,
      isFallback: true,
      isUnlimited: false,
      hasSoftLimit: false,
      currentUsage: 0,
      requestedUsage: 0,
      usageLimit: 500,
    });
    expect(await allot.getBooleanEntitlement({ customerId: 'c', featureId: 'region' })).toEqual({
      type: 'BOOLEAN',
      hasAccess: false,
      isFallback: true,
      accessDeniedReason: 'Unknown',
    });
    expect(allot.getEntitlementSync({ customerId: 'c', featureId: 'sso' })).toMatchObject({
      hasAccess: true,
      isFallback: true,
    });
    const state = await allot.getEntitlementsState('c');
    expect(state.accessDeniedReason).toBeNull();
    expect(state.entitlements.map((e) => [e.type, e.hasAccess])).toEqual([
      ['METERED', true],
      ['BOOLEAN', true],
    ]);
    expect(await allot.reloadEntitlements('c')).toEqual({ entitledEntityExists: true });
    await allot.close();
  });
});

describe.each(stores)('fallback type ($name)', (fixture) => {
  it('a fallback takes the type of the catalog feature, keeping only that type’s fields', async () => {
    const h = await harness(fixture, { entitlementsFallback: { 'api-calls': { hasAccess: true, value: 3 } } });
    await h.allot.close();
    expect(await h.allot.getEntitlement({ customerId: 'c', featureId: 'api-calls' })).toEqual({
      type: 'METERED',
      hasAccess: true,
      isFallback: true,
      isUnlimited: false,
      hasSoftLimit: false,
      currentUsage: 0,
      requestedUsage: 0,
    });
    await h.close();
  });
});
