import { latestCatalog } from '../catalog/catalog.js';
import type { CatalogInput } from '../catalog/catalog-schema.js';
import { AllotError } from '../errors.js';
import type { AllotOptions } from './options.js';

/** Options of `Allot.open`: those of `Allot.initialize` but the catalog, which comes from the store. */
export type OpenOptions = Omit<AllotOptions, 'catalog' | 'catalogMigration'> & Required<Pick<AllotOptions, 'store'>>;

/**
 * The options with the newest catalog stored in their store: INVALID_INPUT for options without a
 * store or with a catalog of their own, CATALOG_NOT_FOUND when the store holds none.
 */
export async function withStoredCatalog(options: OpenOptions): Promise<AllotOptions> {
  const given: unknown = options;
  if (typeof given !== 'object' || given === null || !('store' in given))
    throw new AllotError('INVALID_INPUT', 'Allot.open: give the store to open, as { store }');
  if ('catalog' in given || 'catalogMigration' in given)
    throw new AllotError(
      'INVALID_INPUT',
      'Allot.open reads the catalog from the store: give one to Allot.initialize instead',
    );
  const { store } = options;
  if (typeof store?.open !== 'function' || typeof store.read !== 'function')
    throw new AllotError('INVALID_INPUT', 'Allot.open: store must be a Store');
  await store.open();
  const latest = latestCatalog(await store.read((r) => r.listPackageVersions()));
  if (latest === undefined)
    throw new AllotError(
      'CATALOG_NOT_FOUND',
      `${store.name} holds no catalog: Allot.initialize({ catalog, store }) stores its catalog there (this version of allot and later)`,
    );
  return { ...options, catalog: latest.snapshot as CatalogInput };
}
