// Every engine stores its catalog when it changed; `Allot.open` starts from the newest one stored,
// so a tool can read a store without the app's catalog at hand.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileCatalog } from '../../src/catalog/catalog.js';
import { contentHash } from '../../src/catalog/content-hash.js';
import { Allot, type CatalogInput, type Store } from '../../src/index.js';
import { memoryStore } from '../../src/stores/memory/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import { creditCatalog, monthlyCredits } from '../helpers/credit-fixtures.js';
import { catalog, errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';
import { pricedCatalog } from '../helpers/priced-catalog.js';

const catalogVersions = (store: Store) =>
  store.read(async (r) => (await r.listPackageVersions()).filter((v) => v.kind === 'catalog'));

const raised = {
  ...catalog,
  plans: catalog.plans.map((p) => (p.id === 'free' ? { ...p, displayName: 'Free forever' } : p)),
};

describe('a stored catalog reads back as itself', () => {
  const credits = creditCatalog({
    plans: [{ id: 'ai-pro', productId: 'ai', entitlements: [], creditEntitlements: monthlyCredits(100) }],
  });
  it.each([
    ['the fixture catalog', catalog],
    ['a priced catalog', pricedCatalog],
    ['a credit catalog', credits],
  ] as [string, CatalogInput][])('%s: its definition, through JSON, compiles to the same hashes', (_, input) => {
    const compiled = compileCatalog(input);
    const again = compileCatalog(JSON.parse(JSON.stringify(compiled.definition)));
    expect(contentHash(again.definition)).toBe(contentHash(compiled.definition));
    expect(again.plans.map(contentHash)).toEqual(compiled.plans.map(contentHash));
    expect(again.addons.map(contentHash)).toEqual(compiled.addons.map(contentHash));
  });
});

describe.each(stores)('Allot.open ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture);
  });
  afterEach(() => h.close());

  it('stores the catalog at initialize, once per change, and opens on the newest', async () => {
    expect((await catalogVersions(h.store)).map((v) => v.version)).toEqual([1]);
    await h.reopen();
    expect((await catalogVersions(h.store)).map((v) => v.version)).toEqual([1]);
    await h.reopen({ catalog: raised });
    expect((await catalogVersions(h.store)).map((v) => v.version)).toEqual([1, 2]);
    const opened = await Allot.open({ store: h.reopenStore() });
    expect(opened.catalog.plans.get('free')?.displayName).toBe('Free forever');
    await opened.close();
  });

  it('answers every check as the engine that wrote the store, and writes nothing', async () => {
    await h.allot.provisionCustomer({ customerId: 'c1', subscriptionParams: { planId: 'pro' } });
    await h.allot.reportUsage({ customerId: 'c1', featureId: 'api-calls', value: 42 });
    const before = await h.store.read((r) => r.listPackageVersions());
    const store = h.reopenStore();
    const opened = await Allot.open({ store, clock: h.clock });
    for (const featureId of catalog.features.map((f) => f.id))
      expect(await opened.getEntitlement({ customerId: 'c1', featureId })).toEqual(
        await h.allot.getEntitlement({ customerId: 'c1', featureId }),
      );
    expect(await store.read((r) => r.listPackageVersions())).toEqual(before);
    await opened.close();
  });
});

describe('Allot.open refuses', () => {
  it('a store with no catalog: CATALOG_NOT_FOUND', async () => {
    expect(await errorCode(Allot.open({ store: memoryStore() }))).toBe('CATALOG_NOT_FOUND');
  });

  it('options without a store, or with a catalog of their own: INVALID_INPUT', async () => {
    for (const options of [undefined, null, {}, { store: {} }, { store: memoryStore(), catalog }])
      expect(await errorCode(Allot.open(options as never))).toBe('INVALID_INPUT');
  });
});

describe('Allot.open on a read-only SQLite connection', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'allot-open-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers checks: initialization writes only when the catalog changed', async () => {
    const filename = join(dir, 'allot.db');
    const writer = Allot.initialize({ catalog, store: sqliteStore({ filename }) });
    await writer.waitForInitialization();
    await writer.provisionCustomer({ customerId: 'c1', subscriptionParams: { planId: 'free' } });
    await writer.close();
    const database = new Database(filename, { readonly: true, fileMustExist: true });
    try {
      const opened = await Allot.open({ store: sqliteStore({ database }) });
      expect((await opened.getEntitlement({ customerId: 'c1', featureId: 'seats' })).hasAccess).toBe(true);
      await opened.close();
    } finally {
      database.close();
    }
  });
});
