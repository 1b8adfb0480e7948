import {
  type AddonEntitlement,
  type Catalog,
  type PlanEntitlement,
  type PlanVersion,
  versionKey,
} from '../catalog/catalog.js';
import type { FeatureDefinition } from '../catalog/catalog-schema.js';
import type { FeatureCreditRate } from '../catalog/credit-schema.js';
import type { EntitlementsStateAccessDeniedReason } from '../model/enums.js';
import type {
  CustomerState,
  EntitlementSpec,
  PromotionRecord,
  SubscriptionAddon,
  SubscriptionRecord,
} from '../model/records.js';
import { Decimal } from '../money/money.js';
import type { ResetPeriodConfiguration } from './entitlement-results.js';
import { effectiveSubscription, isLive, nextTransition } from './subscription-state.js';
import { type CounterAnchor, counterAnchor } from './usage-counter.js';
import {
  type ByFeature,
  NO_WINDOWS,
  resetConfiguration,
  type UsageWindowSource,
  windowList,
  windowOf,
} from './usage-windows.js';

/**
 * One feature's entitlement after merging every source: the most generous value wins. It holds
 * no per-customer data, so equal ones can be shared between customers (see `resolveEntitlements`).
 */
export interface EffectiveEntitlement {
  readonly feature: FeatureDefinition;
  readonly usageLimit: number | null;
  readonly hasUnlimitedUsage: boolean;
  readonly hasSoftLimit: boolean;
  readonly enumValues: readonly string[] | null;
  /** The reset period of its usage window; null when usage never resets. */
  readonly resetPeriod: EntitlementSpec['resetPeriod'];
  /** How many reset periods one usage window spans: 1 unless configured. */
  readonly resetIntervalCount: number;
  /** The reference's `resetPeriodConfiguration`, built once and shared by every result. */
  readonly resetPeriodConfiguration: ResetPeriodConfiguration | undefined;
  /** What a unit of usage costs in credits (a credit-backed feature), or null. */
  readonly creditRate: FeatureCreditRate | null;
}

/** A customer's (or one resource's) whole entitlement set at an instant. */
export interface CustomerEntitlements {
  readonly customerId: string;
  readonly resourceId: string | null;
  /** Customer-level denial, or null. */
  readonly accessDeniedReason: EntitlementsStateAccessDeniedReason | null;
  /** True when `resourceId` is set and no subscription was ever scoped to it. */
  readonly unknownResource: boolean;
  readonly entitlements: ReadonlyMap<string, EffectiveEntitlement>;
  /** The usage window of each metered entitlement: the per-customer part, kept apart from the values. */
  readonly windows: ByFeature<UsageWindowSource>;
  /** The next instant the set may change by itself (trial end, promotion end, scheduled update). */
  readonly validUntil: number;
}

/**
 * Returns a value equal to `value` that may be shared, given a key that identifies its content.
 * The client passes one that interns entitlement sets, so a thousand customers on one plan hold
 * one set; the default keeps every value as built.
 */
export type Share = <T>(key: string, value: T) => T;
const keepAsBuilt: Share = (_key, value) => value;

/** One grant of a feature: a live subscription's value for it (all its sources merged), or a promotion's. */
export interface Candidate {
  readonly spec: EntitlementSpec;
  readonly window: UsageWindowSource;
  /** The subscription or promotion it comes from. */
  readonly source: string;
  /** Window preference: a paid subscription's window beats a trial's, which beats a promotion's. */
  readonly rank: number;
  /** Among equal ranks the oldest source gives the window, so the choice never depends on list order. */
  readonly start: number;
  /** The credit rate the source's plan sets for the feature, if any. */
  readonly rate?: FeatureCreditRate | undefined;
}

/**
 * Window preference, lowest first: a check on a resource counts usage on that resource's own
 * subscription before a customer-wide one, and paid subscriptions before trials and promotions.
 */
const WINDOW_RANK = { resource: 0, subscription: 1, resourceTrial: 2, trial: 3, promotion: 4 } as const;

/** What kind of grant a candidate is, from its window rank. */
export function candidateKind(c: Candidate): 'SUBSCRIPTION' | 'TRIAL' | 'PROMOTION' {
  if (c.rank === WINDOW_RANK.promotion) return 'PROMOTION';
  return c.rank === WINDOW_RANK.trial || c.rank === WINDOW_RANK.resourceTrial ? 'TRIAL' : 'SUBSCRIPTION';
}

/**
 * Why `a` is more generous than `b`, or null when it is not: unlimited beats any limit, then the
 * higher limit wins. The one rule every merge applies; an explanation quotes its answer.
 */
export function outbids(a: EntitlementSpec, b: EntitlementSpec): 'UNLIMITED' | 'HIGHER_LIMIT' | null {
  if (a.hasUnlimitedUsage !== b.hasUnlimitedUsage) return a.hasUnlimitedUsage ? 'UNLIMITED' : null;
  return (a.usageLimit ?? 0) > (b.usageLimit ?? 0) ? 'HIGHER_LIMIT' : null;
}

const moreGenerous = (a: EntitlementSpec, b: EntitlementSpec): boolean => outbids(a, b) !== null;

/**
 * How a source entered its subscription's value for a feature: the plan's is the `BASE`; an
 * Increment add-on `ADDS` value × quantity; the largest Override add-on `OVERRIDES` (a smaller one
 * is `OUTBID`); a custom entitlement `REPLACES` the rest when more generous, else is `LESS_GENEROUS`.
 */
export type SourceEffect = 'BASE' | 'ADDS' | 'OVERRIDES' | 'OUTBID' | 'REPLACES' | 'LESS_GENEROUS';

/** One source of a subscription's value, as the merge used it; an add-on's spec is per unit of quantity. */
export type TracedSource =
  | {
      readonly kind: 'PLAN' | 'BASE_PLAN';
      readonly spec: PlanEntitlement;
      readonly effect: SourceEffect;
      readonly plan: PlanVersion;
    }
  | {
      readonly kind: 'ADDON';
      readonly spec: AddonEntitlement;
      readonly effect: SourceEffect;
      /** The add-on's line on the subscription: id, version, quantity. */
      readonly addon: SubscriptionAddon;
    }
  | { readonly kind: 'CUSTOM'; readonly spec: EntitlementSpec; readonly effect: SourceEffect };

/** What the merge across a feature's grants chose. */
export interface TracedMerge {
  readonly candidates: readonly Candidate[];
  /** The most generous grant: it sets the limit. */
  readonly best: Candidate;
  /** The grant whose usage window counts. */
  readonly windowFrom: Candidate;
  /** The grant whose plan set the (cheapest) credit rate; none when the rate is the feature's own or there is none. */
  readonly rateFrom: Candidate | undefined;
  readonly entitlement: EffectiveEntitlement;
  readonly window: UsageWindowSource;
}

/**
 * Watches the merge of one feature as it runs: each source of each subscription, then the merge
 * across grants. `explainEntitlement` passes one; checks pass none and pay nothing for it.
 */
export interface EntitlementTrace {
  readonly featureId: string;
  source(subscription: SubscriptionRecord, source: TracedSource): void;
  merged(merge: TracedMerge): void;
}

function unionValues(a: readonly string[] | null, b: readonly string[] | null): readonly string[] | null {
  if (!a) return b;
  if (!b) return a;
  return [...new Set([...a, ...b])];
}

/**
 * One subscription's entitlements: its plan version's (base plans already flattened in), add-ons
 * (Increment adds value × quantity, Override replaces and the largest override wins), then its
 * custom entitlements, which win where more generous.
 */
function subscriptionSpecs(catalog: Catalog, sub: SubscriptionRecord, trace?: EntitlementTrace): EntitlementSpec[] {
  const plan = catalog.planVersions.get(versionKey(sub.planId, sub.planVersion));
  const specs = new Map<string, EntitlementSpec>(plan?.entitlements.map((e) => [e.featureId, e]));
  const overrides = new Map<string, EntitlementSpec>();
  const increments = new Map<string, EntitlementSpec>();
  const tracedAddons: [SubscriptionAddon, AddonEntitlement][] | undefined = trace && [];
  for (const subAddon of sub.addons) {
    const { addonId, version, quantity } = subAddon;
    const addon = catalog.addonVersions.get(versionKey(addonId, version));
    for (const e of addon?.entitlements ?? []) {
      if (e.featureId === trace?.featureId) tracedAddons?.push([subAddon, e]);
      const scaled = { ...e, usageLimit: e.usageLimit === null ? null : e.usageLimit * quantity };
      const bucket = e.behavior === 'Override' ? overrides : increments;
      const prior = bucket.get(e.featureId);
      if (e.behavior === 'Override') {
        if (!prior || moreGenerous(e, prior)) bucket.set(e.featureId, e);
      } else {
        bucket.set(e.featureId, prior ? addSpecs(prior, scaled) : scaled);
      }
    }
  }
  if (trace) traceBase(trace, sub, plan, tracedAddons ?? [], overrides);
  for (const [featureId, override] of overrides) specs.set(featureId, withConfigOf(override, specs.get(featureId)));
  for (const [featureId, increment] of increments) {
    const base = specs.get(featureId);
    specs.set(featureId, base ? addSpecs(base, increment) : increment);
  }
  for (const custom of sub.entitlements) {
    const base = specs.get(custom.featureId);
    const replaces = !base || moreGenerous(custom, base);
    if (replaces) specs.set(custom.featureId, withConfigOf(custom, base));
    if (custom.featureId === trace?.featureId)
      trace.source(sub, { kind: 'CUSTOM', spec: custom, effect: replaces ? 'REPLACES' : 'LESS_GENEROUS' });
  }
  return [...specs.values()];
}

/** Tells the trace the plan's entitlement and the add-ons', with the effect the merge gave each. */
function traceBase(
  trace: EntitlementTrace,
  sub: SubscriptionRecord,
  plan: PlanVersion | undefined,
  addons: readonly [SubscriptionAddon, AddonEntitlement][],
  overrides: ReadonlyMap<string, EntitlementSpec>,
): void {
  const own = plan?.byFeature.get(trace.featureId);
  if (plan && own) trace.source(sub, { kind: own.inherited ? 'BASE_PLAN' : 'PLAN', spec: own, effect: 'BASE', plan });
  for (const [addon, e] of addons) {
    const effect = e.behavior !== 'Override' ? 'ADDS' : overrides.get(e.featureId) === e ? 'OVERRIDES' : 'OUTBID';
    trace.source(sub, { kind: 'ADDON', spec: e, effect, addon });
  }
}

/** `base` plus `extra`: limits add, unlimited and soft are sticky, enum values unite; `base` keeps its reset. */
function addSpecs(base: EntitlementSpec, extra: EntitlementSpec): EntitlementSpec {
  const unlimited = base.hasUnlimitedUsage || extra.hasUnlimitedUsage;
  const sum: EntitlementSpec = {
    ...base,
    // A limit only exists where one side has one (boolean and enum entitlements have none).
    usageLimit:
      unlimited || (base.usageLimit === null && extra.usageLimit === null)
        ? null
        : (base.usageLimit ?? 0) + (extra.usageLimit ?? 0),
    hasUnlimitedUsage: unlimited,
    hasSoftLimit: base.hasSoftLimit || extra.hasSoftLimit,
    enumValues: unionValues(base.enumValues, extra.enumValues),
  };
  return base.resetPeriod || !extra.resetPeriod ? sum : withResetOf(sum, extra);
}

/**
 * `value` replacing `base`'s limit while keeping `base`'s reset configuration when it has none;
 * an anchor of its own still applies to the period it inherits.
 */
function withConfigOf(value: EntitlementSpec, base: EntitlementSpec | undefined): EntitlementSpec {
  if (!base || value.resetPeriod) return value;
  return withResetOf(value, base, value.usagePeriodAnchor ?? base.usagePeriodAnchor);
}

/** `spec` with the reset configuration of `from`: its period, "according to" and interval count, and `anchor`. */
function withResetOf(spec: EntitlementSpec, from: EntitlementSpec, anchor = from.usagePeriodAnchor): EntitlementSpec {
  const { resetIntervalCount: _count, usagePeriodAnchor: _anchor, ...rest } = spec;
  return {
    ...rest,
    resetPeriod: from.resetPeriod,
    accordingTo: from.accordingTo,
    ...(from.resetIntervalCount === undefined ? {} : { resetIntervalCount: from.resetIntervalCount }),
    ...(anchor === undefined ? {} : { usagePeriodAnchor: anchor }),
  };
}

export function isPromotionActive(promotion: PromotionRecord, now: number): boolean {
  return promotion.startDate <= now && (promotion.endDate === null || now < promotion.endDate);
}

/** Does this subscription apply to a check scoped to `resourceId`? Customer-wide ones apply everywhere. */
function inScope(sub: SubscriptionRecord, resourceId: string | null): boolean {
  return sub.resourceId === null || sub.resourceId === resourceId;
}

/**
 * Every entitlement a customer holds at `now` for `resourceId` (null: customer-wide), from live
 * subscriptions (plan, base plans, add-ons, custom entitlements, a parallel trial) and active
 * promotions. Across sources the most generous wins and unlimited beats any limit.
 */
export function resolveEntitlements(
  catalog: Catalog,
  state: CustomerState | undefined,
  resourceId: string | null,
  now: number,
  share: Share = keepAsBuilt,
  trace?: EntitlementTrace,
): CustomerEntitlements {
  const empty = (reason: EntitlementsStateAccessDeniedReason | null, validUntil = Number.POSITIVE_INFINITY) => ({
    customerId: state?.customer.id ?? '',
    resourceId,
    accessDeniedReason: reason,
    unknownResource: false,
    entitlements: NONE,
    windows: NO_WINDOWS,
    validUntil,
  });
  if (!state) return empty('CustomerNotFound');
  if (state.customer.archivedAt !== null) return empty('CustomerIsArchived');

  let validUntil = Number.POSITIVE_INFINITY;
  const candidates = new Map<string, Candidate[]>();
  const add = (c: Candidate) => {
    const list = candidates.get(c.spec.featureId);
    if (list) list.push(c);
    else candidates.set(c.spec.featureId, [c]);
  };
  let live = 0;
  // Features of one subscription with the same reset configuration share one window object.
  const sources = new Map<string, UsageWindowSource>();
  const windowFor = (spec: EntitlementSpec, from: CounterAnchor, epoch: string, scope: string | null) => {
    const reset = `${spec.resetPeriod}\u0000${spec.accordingTo}\u0000${spec.resetIntervalCount}\u0000${spec.usagePeriodAnchor}`;
    const key = `${reset}\u0000${from.at}\u0000${from.explicit}\u0000${epoch}\u0000${scope}`;
    let source = sources.get(key);
    if (source === undefined) {
      source = windowOf(spec, from, epoch, scope);
      sources.set(key, source);
    }
    return source;
  };
  for (const record of state.subscriptions) {
    if (!inScope(record, resourceId)) continue;
    validUntil = Math.min(validUntil, nextTransition(record, now));
    const sub = effectiveSubscription(record, catalog, now);
    if (!isLive(sub, now)) continue;
    live++;
    const trial = sub.trialEndDate !== null && now < sub.trialEndDate;
    const own = sub.resourceId !== null;
    const rank = trial
      ? own
        ? WINDOW_RANK.resourceTrial
        : WINDOW_RANK.trial
      : own
        ? WINDOW_RANK.resource
        : WINDOW_RANK.subscription;
    const rates = catalog.planVersions.get(versionKey(sub.planId, sub.planVersion))?.creditRates;
    const anchor = counterAnchor(sub, state.subscriptions);
    for (const spec of subscriptionSpecs(catalog, sub, trace))
      add({
        spec,
        window: windowFor(spec, anchor, sub.usageEpoch, sub.resourceId),
        source: sub.id,
        rank,
        start: sub.startDate,
        rate: rates?.find((r) => r.featureId === spec.featureId),
      });
  }
  for (const promotion of state.promotions) {
    if (promotion.startDate > now) validUntil = Math.min(validUntil, promotion.startDate);
    if (!isPromotionActive(promotion, now)) continue;
    if (promotion.endDate !== null) validUntil = Math.min(validUntil, promotion.endDate);
    // A promotion's start anchors its reset period, so a re-grant starts a new period; its usage
    // epoch is the feature's, so lifetime usage carries over a re-grant.
    const from = { at: promotion.startDate, explicit: false };
    const window = windowFor(promotion.entitlement, from, `promotion:${promotion.featureId}`, null);
    add({
      spec: promotion.entitlement,
      window,
      source: promotion.id,
      rank: WINDOW_RANK.promotion,
      start: promotion.startDate,
    });
  }

  const entitlements = new Map<string, EffectiveEntitlement>();
  const windowKeys: string[] = [];
  const windowValues: UsageWindowSource[] = [];
  const keys: string[] = [];
  for (const [featureId, list] of candidates) {
    const feature = catalog.features.get(featureId);
    if (!feature) continue;
    const merged = merge(feature, list, featureId === trace?.featureId ? trace : undefined);
    entitlements.set(featureId, merged.entitlement);
    keys.push(entitlementKey(merged.entitlement));
    if (feature.meterType !== 'None') {
      windowKeys.push(featureId);
      windowValues.push(merged.window);
    }
  }
  const unknownResource = resourceId !== null && !state.subscriptions.some((s) => s.resourceId === resourceId);
  return {
    customerId: state.customer.id,
    resourceId,
    accessDeniedReason: live === 0 ? 'NoActiveSubscription' : null,
    unknownResource,
    entitlements: entitlements.size ? share(`[${keys.join(',')}]`, entitlements) : NONE,
    windows: windowKeys.length
      ? windowList(share(`windows:${windowKeys.join('\u0000')}`, windowKeys), windowValues)
      : NO_WINDOWS,
    validUntil,
  };
}

const NONE: ReadonlyMap<string, EffectiveEntitlement> = new Map();
/**
 * Identifies an entitlement's content as JSON, so no value (an enum value with a comma, say) can
 * make two different entitlements look alike. The feature object is the catalog's: its id stands for it.
 */
function entitlementKey(e: EffectiveEntitlement): string {
  return JSON.stringify([
    e.feature.id,
    e.usageLimit,
    e.hasUnlimitedUsage,
    e.hasSoftLimit,
    e.enumValues,
    e.resetPeriod,
    e.resetIntervalCount,
    e.resetPeriodConfiguration ?? null,
    e.creditRate,
  ]);
}

function windowsBefore(a: Candidate, b: Candidate): boolean {
  if (a.rank !== b.rank) return a.rank < b.rank;
  if (a.start !== b.start) return a.start < b.start;
  return a.source < b.source;
}

function merge(
  feature: FeatureDefinition,
  list: readonly Candidate[],
  trace: EntitlementTrace | undefined,
): { entitlement: EffectiveEntitlement; window: UsageWindowSource } {
  let best = list[0] as Candidate;
  let windowSource = best;
  let soft = false;
  let values: readonly string[] | null = null;
  let rateFrom: Candidate | undefined;
  for (const c of list) {
    if (moreGenerous(c.spec, best.spec)) best = c;
    if (c.rate && (!rateFrom?.rate || cheaper(c.rate, rateFrom.rate))) rateFrom = c;
    if (windowsBefore(c, windowSource)) windowSource = c;
    soft ||= c.spec.hasSoftLimit;
    values = unionValues(values, c.spec.enumValues);
  }
  const rate = rateFrom?.rate;
  // Fluctuating meters (seats) count a level, not a flow: they never reset.
  const window: UsageWindowSource =
    feature.meterType === 'Fluctuating'
      ? {
          ...windowSource.window,
          resetPeriod: null,
          accordingTo: null,
          intervalCount: 1,
          keyedByBounds: false,
          epoch: 'fluctuating',
        }
      : windowSource.window;
  const entitlement: EffectiveEntitlement = {
    feature,
    usageLimit: best.spec.hasUnlimitedUsage ? null : best.spec.usageLimit,
    hasUnlimitedUsage: best.spec.hasUnlimitedUsage,
    hasSoftLimit: soft,
    enumValues: values,
    resetPeriod: window.resetPeriod,
    resetIntervalCount: window.intervalCount,
    resetPeriodConfiguration: resetConfiguration(window),
    creditRate: rate
      ? { currencyId: rate.currencyId, creditsPerUnit: rate.creditsPerUnit }
      : (feature.creditRate ?? null),
  };
  trace?.merged({ candidates: list, best, windowFrom: windowSource, rateFrom, entitlement, window });
  return { entitlement, window };
}

/** Across plans the cheapest credit rate wins, like the most generous limit; ties go to the lower currency id. */
function cheaper(a: FeatureCreditRate, b: FeatureCreditRate): boolean {
  const c = new Decimal(a.creditsPerUnit).cmp(b.creditsPerUnit);
  return c < 0 || (c === 0 && a.currencyId < b.currencyId);
}
