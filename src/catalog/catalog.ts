import { AllotError } from '../errors.js';
import type { Meter } from '../model/meters.js';
import type { EntitlementSpec, PackageKind, PackageVersionRecord, SubscriptionRecord } from '../model/records.js';
import { type CatalogIssue, invalidCatalog, zodIssues } from './catalog-issues.js';
import { checkEntitlement, checkReferences } from './catalog-references.js';
import {
  type CatalogDefinition,
  type CatalogInput,
  catalogSchema,
  type FeatureDefinition,
  type ProductDefinition,
} from './catalog-schema.js';
import { contentHash } from './content-hash.js';
import type { Coupon } from './coupon-schema.js';
import type { CreditCurrency } from './credit-schema.js';
import {
  type AddonSnapshot,
  addonSnapshot,
  type PlanEntitlement,
  type PlanSnapshot,
  planSnapshot,
} from './package-snapshots.js';
import { type ResolvedProration, resolveProration } from './proration-schema.js';

// What plan and add-on versions are made of, beside them for their users.
export type { AddonEntitlement, PlanEntitlement, TrialConfig } from './package-snapshots.js';

export interface Versioned {
  readonly version: number;
  readonly hash: string;
}

export interface PlanVersion extends PlanSnapshot, Versioned {
  readonly byFeature: ReadonlyMap<string, PlanEntitlement>;
}

export interface AddonVersion extends AddonSnapshot, Versioned {}

/** The validated, versioned catalog every evaluation reads. Immutable once built. */
export interface Catalog {
  readonly features: ReadonlyMap<string, FeatureDefinition>;
  /** The features whose meter counts each event name, in catalog order. */
  readonly metersByEvent: ReadonlyMap<string, readonly MeteredFeature[]>;
  /** A dense index per metered feature, so per-customer caches can keep their windows in arrays. */
  readonly meteredSlots: ReadonlyMap<string, number>;
  readonly products: ReadonlyMap<string, ProductDefinition>;
  /** The current (latest) version of every plan in the catalog, in catalog order. */
  readonly plans: ReadonlyMap<string, PlanVersion>;
  readonly addons: ReadonlyMap<string, AddonVersion>;
  /** Every known version, including plans since removed, keyed by `versionKey`. */
  readonly planVersions: ReadonlyMap<string, PlanVersion>;
  readonly addonVersions: ReadonlyMap<string, AddonVersion>;
  /** Coupons by id. Not versioned: a customer's coupon is read as the catalog says now. */
  readonly coupons: ReadonlyMap<string, Coupon>;
  /** The catalog's proration settings, defaults filled in; a plan's own `proration` overrides them. */
  readonly proration: ResolvedProration;
  /** Where estimates round: each line, or only the total. */
  readonly priceRounding: 'PER_LINE' | 'TOTAL';
  readonly creditCurrencies: ReadonlyMap<string, CreditCurrency>;
}

export const versionKey = (id: string, version: number): string => `${id}@${version}`;

/** The catalog validated and compiled, before versioning: pure, no store involved. */
export interface CompiledCatalog {
  readonly definition: CatalogDefinition;
  readonly plans: readonly PlanSnapshot[];
  readonly addons: readonly AddonSnapshot[];
}

/**
 * Validates a catalog (shape with zod, then references, base-plan cycles and value types) and
 * flattens base-plan inheritance. Throws `INVALID_CATALOG` listing every problem found.
 */
export function compileCatalog(input: CatalogInput): CompiledCatalog {
  // Parsed once per process: zod's compiled fast path would cost more to generate than it saves.
  const parsed = catalogSchema.safeParse(input, { jitless: true });
  if (!parsed.success) throw invalidCatalog(zodIssues(parsed.error));
  const issues: CatalogIssue[] = [];
  const { plans } = checkReferences(parsed.data, issues);
  if (issues.length) throw invalidCatalog(issues);
  return {
    definition: parsed.data,
    plans: parsed.data.plans.map((p) => planSnapshot(p, plans)),
    addons: parsed.data.addons.map(addonSnapshot),
  };
}

function withVersion<S extends { id: string }>(
  kind: PackageKind,
  snapshots: readonly S[],
  stored: readonly PackageVersionRecord[],
  now: number,
  added: PackageVersionRecord[],
): { current: Map<string, S & Versioned>; all: Map<string, S & Versioned> } {
  const all = new Map<string, S & Versioned>();
  const newest = new Map<string, number>();
  // The newest stored version of each content: a definition seen before gets its version back, so
  // processes alternating two catalogs (a rolling deploy) do not pile up versions.
  const byContent = new Map<string, S & Versioned>();
  for (const record of stored) {
    if (record.kind !== kind) continue;
    const version = { ...(record.snapshot as S), version: record.version, hash: record.hash };
    all.set(versionKey(record.refId, record.version), version);
    newest.set(record.refId, Math.max(newest.get(record.refId) ?? 0, record.version));
    const key = `${record.refId}\u0000${record.hash}`;
    if ((byContent.get(key)?.version ?? 0) < record.version) byContent.set(key, version);
  }
  const current = new Map<string, S & Versioned>();
  for (const snapshot of snapshots) {
    const hash = contentHash(snapshot);
    const known = byContent.get(`${snapshot.id}\u0000${hash}`);
    if (known) {
      current.set(snapshot.id, known);
      continue;
    }
    const version = { ...snapshot, version: (newest.get(snapshot.id) ?? 0) + 1, hash };
    added.push({ kind, refId: snapshot.id, version: version.version, hash, snapshot, createdAt: now });
    all.set(versionKey(snapshot.id, version.version), version);
    current.set(snapshot.id, version);
  }
  return { current, all };
}

const withIndex = (plan: PlanSnapshot & Versioned): PlanVersion => ({
  ...plan,
  byFeature: new Map(plan.entitlements.map((e) => [e.featureId, e])),
});

function mapValues<K, V, W>(map: ReadonlyMap<K, V>, fn: (v: V) => W): Map<K, W> {
  return new Map([...map].map(([k, v]) => [k, fn(v)]));
}

/**
 * Versions a compiled catalog against the versions already stored: an unchanged plan or add-on
 * keeps its version, a changed one gets the next. Returns the catalog and the versions to store.
 */
export function versionCatalog(
  compiled: CompiledCatalog,
  stored: readonly PackageVersionRecord[],
  now: number,
): { catalog: Catalog; added: PackageVersionRecord[] } {
  const added: PackageVersionRecord[] = [];
  const plans = withVersion('plan', compiled.plans, stored, now, added);
  const addons = withVersion('addon', compiled.addons, stored, now, added);
  const planVersions = mapValues(plans.all, withIndex);
  const catalog: Catalog = {
    features: new Map(compiled.definition.features.map((f) => [f.id, f])),
    metersByEvent: metersByEvent(compiled.definition.features),
    meteredSlots: new Map(
      compiled.definition.features.filter((f) => f.meterType !== 'None').map((f, i) => [f.id, i] as const),
    ),
    products: new Map(compiled.definition.products.map((p) => [p.id, p])),
    plans: mapValues(plans.current, (p) => planVersions.get(versionKey(p.id, p.version)) ?? withIndex(p)),
    addons: addons.current,
    planVersions,
    addonVersions: addons.all,
    coupons: new Map(compiled.definition.coupons.map((c) => [c.id, c])),
    proration: resolveProration({
      ...compiled.definition.proration,
      convention: compiled.definition.proration?.convention ?? compiled.definition.prorationConvention,
    }),
    priceRounding: compiled.definition.priceRounding,
    creditCurrencies: new Map(compiled.definition.creditCurrencies.map((c) => [c.currencyId, c])),
  };
  return { catalog, added };
}

/** A feature that counts raw events. */
export type MeteredFeature = FeatureDefinition & { readonly meter: Meter };

function metersByEvent(features: readonly FeatureDefinition[]): Map<string, MeteredFeature[]> {
  const byEvent = new Map<string, MeteredFeature[]>();
  for (const f of features) {
    if (!f.meter) continue;
    const list = byEvent.get(f.meter.eventName);
    if (list) list.push(f as MeteredFeature);
    else byEvent.set(f.meter.eventName, [f as MeteredFeature]);
  }
  return byEvent;
}

/** Whether every plan and add-on version these subscriptions reference (scheduled ones too) is known. */
export function knowsVersions(catalog: Catalog, subscriptions: readonly SubscriptionRecord[]): boolean {
  return subscriptions.every(
    (s) =>
      catalog.planVersions.has(versionKey(s.planId, s.planVersion)) &&
      s.addons.every((a) => catalog.addonVersions.has(versionKey(a.addonId, a.version))) &&
      s.scheduledUpdates.every(
        (u) =>
          (u.planId === undefined || catalog.planVersions.has(versionKey(u.planId, u.planVersion ?? 0))) &&
          (u.addons ?? []).every((a) => catalog.addonVersions.has(versionKey(a.addonId, a.version))),
      ),
  );
}

/**
 * The catalog with the stored versions it lacks added: another process on the same database may
 * have published (and subscribed customers to) versions this one never compiled. The current
 * version of each plan, used for new subscriptions, stays this process's own.
 */
export function withStoredVersions(catalog: Catalog, stored: readonly PackageVersionRecord[]): Catalog {
  const planVersions = new Map(catalog.planVersions);
  const addonVersions = new Map(catalog.addonVersions);
  for (const record of stored) {
    const key = versionKey(record.refId, record.version);
    const versioned = { version: record.version, hash: record.hash };
    if (record.kind === 'plan' && !planVersions.has(key))
      planVersions.set(key, withIndex({ ...(record.snapshot as PlanSnapshot), ...versioned }));
    if (record.kind === 'addon' && !addonVersions.has(key))
      addonVersions.set(key, { ...(record.snapshot as AddonSnapshot), ...versioned });
  }
  return { ...catalog, planVersions, addonVersions };
}

/** The ref id of the catalog's own stored versions (kind `catalog`). */
const CATALOG_REF = 'catalog';

/** The newest stored version of the whole catalog, if any. */
export function latestCatalog(stored: readonly PackageVersionRecord[]): PackageVersionRecord | undefined {
  let latest: PackageVersionRecord | undefined;
  for (const record of stored)
    if (record.kind === 'catalog' && record.version > (latest?.version ?? 0)) latest = record;
  return latest;
}

/**
 * The compiled catalog's definition as a version to store, when it differs from the newest one
 * stored: so the newest stored is always the catalog the last engine to change it started with,
 * what a tool opening the store without a catalog of its own (`Allot.open`) works from.
 */
export function catalogVersion(
  compiled: CompiledCatalog,
  stored: readonly PackageVersionRecord[],
  now: number,
): PackageVersionRecord | undefined {
  const hash = contentHash(compiled.definition);
  const latest = latestCatalog(stored);
  if (latest?.hash === hash) return undefined;
  const version = (latest?.version ?? 0) + 1;
  return { kind: 'catalog', refId: CATALOG_REF, version, hash, snapshot: compiled.definition, createdAt: now };
}

/** A feature of the catalog: FEATURE_NOT_FOUND otherwise. */
export function requireFeature(catalog: Catalog, featureId: string): FeatureDefinition {
  const feature = catalog.features.get(featureId);
  if (!feature)
    throw new AllotError('FEATURE_NOT_FOUND', `feature "${featureId}" is not in the catalog`, {
      details: { featureId },
    });
  return feature;
}

/** A metered feature of the catalog: FEATURE_NOT_FOUND or FEATURE_NOT_METERED otherwise. */
export function requireMeteredFeature(catalog: Catalog, featureId: string): FeatureDefinition {
  const feature = requireFeature(catalog, featureId);
  if (feature.meterType === 'None')
    throw new AllotError('FEATURE_NOT_METERED', `feature "${featureId}" is not metered`, { details: { featureId } });
  return feature;
}

/**
 * Checks entitlements given at run time (promotions, custom subscription entitlements) the way the
 * catalog checks its own: `FEATURE_NOT_FOUND` for an unknown feature, `INVALID_INPUT` for values
 * that do not fit it (an enum value it lacks, a reset period on a meter that does not reset).
 */
export function assertEntitlementsFit(catalog: Catalog, specs: readonly EntitlementSpec[]): void {
  const features = new Map(catalog.features);
  specs.forEach((spec, i) => {
    if (!features.has(spec.featureId))
      throw new AllotError('FEATURE_NOT_FOUND', `feature "${spec.featureId}" is not in the catalog`, {
        details: { featureId: spec.featureId },
      });
    const issues: CatalogIssue[] = [];
    checkEntitlement(
      { ...spec, enumValues: spec.enumValues ? [...spec.enumValues] : undefined },
      features,
      [i],
      issues,
    );
    if (issues.length)
      throw new AllotError(
        'INVALID_INPUT',
        `entitlement for "${spec.featureId}": ${issues.map((x) => x.message).join('; ')}`,
        {
          details: issues,
        },
      );
  });
}
