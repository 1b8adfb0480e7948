import type { z } from 'zod';
import { AllotError } from '../errors.js';
import type { EntitlementBehavior, PricingType, TrialEndBehavior, TrialPeriodUnits } from '../model/enums.js';
import type { Meter } from '../model/meters.js';
import type { EntitlementSpec, PackageKind, PackageVersionRecord, SubscriptionRecord } from '../model/records.js';
import {
  type AddonDefinition,
  type CatalogDefinition,
  type CatalogInput,
  catalogSchema,
  type FeatureDefinition,
  type PlanDefinition,
  type ProductDefinition,
  type UsageThresholdDefinition,
} from './catalog-schema.js';
import { contentHash } from './content-hash.js';
import type { Coupon } from './coupon-schema.js';
import type { CreditCurrency, CreditEntitlement, PlanCreditRate } from './credit-schema.js';
import type { Price } from './price-schema.js';
import { type ProrationSettings, type ResolvedProration, resolveProration } from './proration-schema.js';

export interface EntitlementPresentation {
  readonly displayNameOverride: string | null;
  readonly hiddenFromWidgets: readonly string[];
}

export interface PlanEntitlement extends EntitlementSpec, EntitlementPresentation {
  /** True when it comes from the base plan chain rather than the plan itself. */
  readonly inherited: boolean;
}

export interface AddonEntitlement extends EntitlementSpec, EntitlementPresentation {
  readonly behavior: EntitlementBehavior;
}

export interface TrialConfig {
  readonly duration: number;
  readonly units: TrialPeriodUnits;
  readonly trialEndBehavior: TrialEndBehavior;
}

/** A plan as versioned: base-plan inheritance already flattened in, so a version stands alone. */
export interface PlanSnapshot {
  readonly id: string;
  readonly productId: string;
  readonly displayName: string | null;
  readonly description: string | null;
  readonly order: number;
  readonly basePlanId: string | null;
  readonly pricingType: PricingType;
  readonly entitlements: readonly PlanEntitlement[];
  readonly defaultTrialConfig: TrialConfig | null;
  readonly compatibleAddonIds: readonly string[];
  readonly prices: readonly Price[];
  readonly hidden: boolean;
  readonly metadata: Readonly<Record<string, string>>;
  /** Recurring credits, own and inherited; absent when none, so older versions hash the same. */
  readonly creditEntitlements?: readonly CreditEntitlement[];
  /** Credit rates of metered features, own and inherited; absent when none, for the same reason. */
  readonly creditRates?: readonly PlanCreditRate[];
  /** The plan's own proration settings, over the catalog's; absent when none, for the same reason. */
  readonly proration?: ProrationSettings;
  /** Progressive billing thresholds; absent when none, for the same reason. */
  readonly usageThresholds?: readonly UsageThresholdDefinition[];
}

export interface AddonSnapshot {
  readonly id: string;
  readonly productId: string;
  readonly displayName: string | null;
  readonly description: string | null;
  readonly entitlements: readonly AddonEntitlement[];
  readonly maxQuantity: number | null;
  readonly prices: readonly Price[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly creditEntitlements?: readonly CreditEntitlement[];
}

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

/** An entitlement value in any of its input forms: plan, add-on, promotion or custom. */
export interface EntitlementInput {
  readonly featureId: string;
  readonly usageLimit?: number | null | undefined;
  readonly hasUnlimitedUsage?: boolean | undefined;
  readonly hasSoftLimit?: boolean | undefined;
  readonly resetPeriod?: EntitlementSpec['resetPeriod'] | undefined;
  readonly resetPeriodConfiguration?: { readonly accordingTo: string } | null | undefined;
  readonly resetIntervalCount?: number | undefined;
  /** Custom and promotional entitlements only: where this entitlement's periods count from. */
  readonly usagePeriodAnchor?: number | undefined;
  readonly enumValues?: readonly string[] | undefined;
}

/** Normalises an entitlement value from any input form into the spec every source shares. */
export function toEntitlementSpec(e: EntitlementInput): EntitlementSpec {
  const unlimited = e.hasUnlimitedUsage === true;
  return {
    featureId: e.featureId,
    usageLimit: unlimited ? null : (e.usageLimit ?? null),
    hasUnlimitedUsage: unlimited,
    hasSoftLimit: e.hasSoftLimit === true,
    resetPeriod: e.resetPeriod ?? null,
    accordingTo: e.resetPeriod ? (e.resetPeriodConfiguration?.accordingTo ?? null) : null,
    // Absent unless set, so a catalog written before these options keeps its content hashes.
    ...(e.resetPeriod && e.resetIntervalCount !== undefined && e.resetIntervalCount !== 1
      ? { resetIntervalCount: e.resetIntervalCount }
      : {}),
    // Kept without a reset period too: a custom entitlement inheriting its plan's period anchors it.
    ...(e.usagePeriodAnchor === undefined ? {} : { usagePeriodAnchor: e.usagePeriodAnchor }),
    enumValues: e.enumValues ? [...e.enumValues] : null,
  };
}

/** One problem of an invalid catalog (`INVALID_CATALOG`'s details): where, what, and for unknown keys which ones. */
export interface CatalogIssue {
  path: (string | number)[];
  message: string;
  keys?: string[];
}

function invalid(issues: CatalogIssue[]): AllotError {
  const lines = issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  return new AllotError('INVALID_CATALOG', `invalid catalog:\n  ${lines.join('\n  ')}`, { details: issues });
}

function indexById<T extends { id: string }>(
  items: readonly T[],
  kind: string,
  issues: CatalogIssue[],
): Map<string, T> {
  const map = new Map<string, T>();
  items.forEach((item, i) => {
    if (map.has(item.id)) issues.push({ path: [kind, i, 'id'], message: `duplicate id "${item.id}"` });
    else map.set(item.id, item);
  });
  return map;
}

/** Checks an entitlement against its feature: it must exist and its values must fit its type. */
function checkEntitlement(
  e: { featureId: string; usageLimit?: number | null; resetPeriod?: string | null; enumValues?: string[] },
  features: Map<string, FeatureDefinition>,
  path: (string | number)[],
  issues: CatalogIssue[],
): void {
  const feature = features.get(e.featureId);
  if (!feature) {
    issues.push({ path: [...path, 'featureId'], message: `unknown feature "${e.featureId}"` });
    return;
  }
  if (e.resetPeriod && feature.meterType !== 'Incremental')
    issues.push({
      path: [...path, 'resetPeriod'],
      message: `only Incremental meters reset; "${feature.id}" is ${feature.featureType}/${feature.meterType}`,
    });
  if (e.usageLimit != null && feature.featureType !== 'NUMBER')
    issues.push({ path: [...path, 'usageLimit'], message: `"${feature.id}" is ${feature.featureType}, not NUMBER` });
  if (e.enumValues) {
    const allowed = new Set(feature.enumConfiguration?.map((v) => v.value));
    for (const v of e.enumValues)
      if (!allowed.has(v))
        issues.push({ path: [...path, 'enumValues'], message: `"${v}" is not a value of "${feature.id}"` });
  }
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

function checkReferences(def: CatalogDefinition, issues: CatalogIssue[]) {
  const features = indexById(def.features, 'features', issues);
  const products = indexById(def.products, 'products', issues);
  const plans = indexById(def.plans, 'plans', issues);
  const addons = indexById(def.addons, 'addons', issues);
  const checkPrices = (prices: readonly Price[], path: (string | number)[]) =>
    prices.forEach((p, i) => {
      if (p.featureId && !features.has(p.featureId))
        issues.push({ path: [...path, 'prices', i, 'featureId'], message: `unknown feature "${p.featureId}"` });
    });
  const currencies = new Set(def.creditCurrencies.map((c) => c.currencyId));
  const checkCredits = (credits: readonly { currencyId: string }[] | undefined, path: (string | number)[]) =>
    credits?.forEach((c, i) => {
      if (!currencies.has(c.currencyId))
        issues.push({
          path: [...path, 'creditEntitlements', i, 'currencyId'],
          message: `unknown credit currency "${c.currencyId}"`,
        });
    });

  def.features.forEach((f, i) => {
    if (f.creditRate && !currencies.has(f.creditRate.currencyId))
      issues.push({
        path: ['features', i, 'creditRate', 'currencyId'],
        message: `unknown credit currency "${f.creditRate.currencyId}"`,
      });
  });
  const checkRates = (plan: PlanDefinition, path: (string | number)[]) =>
    plan.creditRates?.forEach((r, j) => {
      const feature = features.get(r.featureId);
      if (!feature || feature.meterType === 'None')
        issues.push({
          path: [...path, 'creditRates', j, 'featureId'],
          message: feature ? `feature "${r.featureId}" is not metered` : `unknown feature "${r.featureId}"`,
        });
      if (!currencies.has(r.currencyId))
        issues.push({
          path: [...path, 'creditRates', j, 'currencyId'],
          message: `unknown credit currency "${r.currencyId}"`,
        });
    });

  def.products.forEach((product, i) => {
    const plan = product.downgradePlanId ? plans.get(product.downgradePlanId) : undefined;
    if (product.downgradePlanId && plan?.productId !== product.id)
      issues.push({
        path: ['products', i, 'downgradePlanId'],
        message: `"${product.downgradePlanId}" is not a plan of product "${product.id}"`,
      });
  });
  const noRepeats = (ids: readonly string[], path: (string | number)[], what: string) => {
    const seen = new Set<string>();
    ids.forEach((x, j) => {
      if (seen.has(x)) issues.push({ path: [...path, j], message: `${what} "${x}" is listed twice` });
      seen.add(x);
    });
  };
  def.plans.forEach((plan, i) => {
    const path = ['plans', i];
    noRepeats(
      plan.entitlements.map((e) => e.featureId),
      [...path, 'entitlements'],
      'feature',
    );
    noRepeats(plan.compatibleAddonIds, [...path, 'compatibleAddonIds'], 'add-on');
    if (!products.has(plan.productId))
      issues.push({ path: [...path, 'productId'], message: `unknown product "${plan.productId}"` });
    if (plan.basePlanId) {
      const base = plans.get(plan.basePlanId);
      if (!base) issues.push({ path: [...path, 'basePlanId'], message: `unknown plan "${plan.basePlanId}"` });
      else if (base.productId !== plan.productId)
        issues.push({ path: [...path, 'basePlanId'], message: `base plan "${base.id}" belongs to another product` });
    }
    plan.entitlements.forEach((e, j) => {
      checkEntitlement(e, features, [...path, 'entitlements', j], issues);
    });
    plan.compatibleAddonIds.forEach((addonId, j) => {
      const addon = addons.get(addonId);
      if (!addon) issues.push({ path: [...path, 'compatibleAddonIds', j], message: `unknown add-on "${addonId}"` });
      else if (addon.productId !== plan.productId)
        issues.push({
          path: [...path, 'compatibleAddonIds', j],
          message: `add-on "${addonId}" belongs to another product`,
        });
    });
    checkPrices(plan.prices, path);
    checkCredits(plan.creditEntitlements, path);
    checkRates(plan, path);
  });
  def.addons.forEach((addon, i) => {
    noRepeats(
      addon.entitlements.map((e) => e.featureId),
      ['addons', i, 'entitlements'],
      'feature',
    );
    if (!products.has(addon.productId))
      issues.push({ path: ['addons', i, 'productId'], message: `unknown product "${addon.productId}"` });
    addon.entitlements.forEach((e, j) => {
      checkEntitlement(e, features, ['addons', i, 'entitlements', j], issues);
    });
    checkPrices(addon.prices, ['addons', i]);
    checkCredits(addon.creditEntitlements, ['addons', i]);
  });
  // A basePlan chain must end; walk each one with a visited set.
  def.plans.forEach((plan, i) => {
    const seen = new Set<string>([plan.id]);
    for (let next = plan.basePlanId; next; next = plans.get(next)?.basePlanId) {
      if (seen.has(next)) {
        issues.push({ path: ['plans', i, 'basePlanId'], message: `basePlan cycle: ${[...seen, next].join(' → ')}` });
        break;
      }
      seen.add(next);
    }
  });
  return { features, products, plans };
}

function planSnapshot(plan: PlanDefinition, plans: Map<string, PlanDefinition>): PlanSnapshot {
  const own = new Set(plan.entitlements.map((e) => e.featureId));
  const inherited: PlanEntitlement[] = [];
  const credits = [...(plan.creditEntitlements ?? [])];
  const rates = [...(plan.creditRates ?? [])];
  for (let base = plan.basePlanId ? plans.get(plan.basePlanId) : undefined; base; ) {
    for (const e of base.entitlements) {
      if (own.has(e.featureId)) continue;
      own.add(e.featureId);
      inherited.push({ ...presentation(e), ...toEntitlementSpec(e), inherited: true });
    }
    for (const c of base.creditEntitlements ?? [])
      if (!credits.some((own) => own.currencyId === c.currencyId)) credits.push(c);
    for (const r of base.creditRates ?? []) if (!rates.some((own) => own.featureId === r.featureId)) rates.push(r);
    base = base.basePlanId ? plans.get(base.basePlanId) : undefined;
  }
  return {
    id: plan.id,
    productId: plan.productId,
    displayName: plan.displayName ?? null,
    description: plan.description ?? null,
    order: plan.order ?? 0,
    basePlanId: plan.basePlanId ?? null,
    pricingType: plan.pricingType,
    entitlements: [
      ...plan.entitlements.map((e) => ({ ...presentation(e), ...toEntitlementSpec(e), inherited: false })),
      ...inherited,
    ],
    defaultTrialConfig: plan.defaultTrialConfig ?? null,
    compatibleAddonIds: plan.compatibleAddonIds,
    prices: plan.prices,
    hidden: plan.hidden,
    metadata: plan.metadata ?? {},
    ...(credits.length > 0 ? { creditEntitlements: credits } : {}),
    ...(rates.length > 0 ? { creditRates: rates } : {}),
    ...(plan.proration ? { proration: plan.proration } : {}),
    ...(plan.usageThresholds ? { usageThresholds: plan.usageThresholds } : {}),
  };
}

function presentation(e: { displayNameOverride?: string | undefined; hiddenFromWidgets?: string[] | undefined }) {
  return { displayNameOverride: e.displayNameOverride ?? null, hiddenFromWidgets: e.hiddenFromWidgets ?? [] };
}

function addonSnapshot(addon: AddonDefinition): AddonSnapshot {
  return {
    id: addon.id,
    productId: addon.productId,
    displayName: addon.displayName ?? null,
    description: addon.description ?? null,
    entitlements: addon.entitlements.map((e) => ({
      ...presentation(e),
      ...toEntitlementSpec(e),
      behavior: e.behavior,
    })),
    maxQuantity: addon.maxQuantity ?? null,
    prices: addon.prices,
    metadata: addon.metadata ?? {},
    ...(addon.creditEntitlements?.length ? { creditEntitlements: addon.creditEntitlements } : {}),
  };
}

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
  if (!parsed.success) throw invalid(zodIssues(parsed.error));
  const issues: CatalogIssue[] = [];
  const { plans } = checkReferences(parsed.data, issues);
  if (issues.length) throw invalid(issues);
  return {
    definition: parsed.data,
    plans: parsed.data.plans.map((p) => planSnapshot(p, plans)),
    addons: parsed.data.addons.map(addonSnapshot),
  };
}

function zodIssues(error: z.ZodError): CatalogIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: i.message,
    ...(i.code === 'unrecognized_keys' ? { keys: i.keys } : {}),
  }));
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
