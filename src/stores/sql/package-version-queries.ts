// The package version queries of the SQL stores, and the package version row mappers.
import type { PackageVersionRecord } from '../../model/records.js';
import type { PackageVersionsTable } from './schema.js';
import type { Db } from './sql-rows.js';

/** Every stored package version, by kind, id and version. */
export function selectPackageVersions(db: Db) {
  return db.selectFrom('package_versions').selectAll().orderBy('kind').orderBy('ref_id').orderBy('version');
}

/** Inserts the package version or replaces the one with the same kind, id and version. */
export function upsertPackageVersion(db: Db, row: PackageVersionsTable) {
  const { kind, ref_id, version, ...rest } = row;
  return db
    .insertInto('package_versions')
    .values(row)
    .onConflict((oc) => oc.columns(['kind', 'ref_id', 'version']).doUpdateSet(rest));
}

/** Columns of a package version. */
export function packageVersionToRow(v: PackageVersionRecord): PackageVersionsTable {
  return {
    kind: v.kind,
    ref_id: v.refId,
    version: v.version,
    hash: v.hash,
    snapshot: JSON.stringify(v.snapshot),
    created_at: v.createdAt,
  };
}

/** The package version a row holds. */
export function rowToPackageVersion(r: PackageVersionsTable): PackageVersionRecord {
  return {
    kind: r.kind as PackageVersionRecord['kind'],
    refId: r.ref_id,
    version: r.version,
    hash: r.hash,
    snapshot: JSON.parse(r.snapshot),
    createdAt: r.created_at,
  };
}
