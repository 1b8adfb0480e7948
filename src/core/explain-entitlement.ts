// Why a check answers as it does: the merge of `resolveEntitlements` watched through a trace as it
// runs, and the decision of `evaluateEntitlement` on what it resolved. Nothing here decides
// anything: it reports what those two did, so an explanation cannot drift from the checks.
import { type Catalog, type PlanVersion, requireFeature } from '../catalog/catalog.js';
import type {
  EntitlementBehavior,
  EntitlementResetPeriod,
  EntitlementsStateAccessDeniedReason,
} from '../model/enums.js';
import type { CustomerState, EntitlementSpec, SubscriptionRecord } from '../model/records.js';
import { requireCustomerState } from './customer-records.js';
import {
  type Candidate,
  candidateKind,
  type EffectiveEntitlement,
  type EntitlementTrace,
  outbids,
  resolveEntitlements,
  type SourceEffect,
  type TracedMerge,
  type TracedSource,
} from './effective-entitlements.js';
import type { Entitlement } from './entitlement-results.js';
import { entitlementFeature, evaluateEntitlement, NO_CHECK_OPTIONS, type UsageSource } from './evaluate-entitlement.js';
import { creditScope } from './usage-windows.js';

export type { SourceEffect } from './effective-entitlements.js';

/** An entitlement value as a source, a grant or the merge of them sets it. */
export interface ExplainedValue {
  usageLimit: number | null;
  isUnlimited: boolean;
  hasSoftLimit: boolean;
  enumValues: string[] | null;
  resetPeriod: EntitlementResetPeriod | null;
}

/** One source of a grant's value: a plan, a base plan, an add-on, a custom entitlement or a promotion. */
export interface ExplainedSource {
  kind: 'PLAN' | 'BASE_PLAN' | 'ADDON' | 'CUSTOM_ENTITLEMENT' | 'PROMOTION';
  /**
   * The plan; for BASE_PLAN the base plan that defines the entitlement (as the catalog is now); the
   * add-on; the promotion; for a custom entitlement, the subscription.
   */
  id: string;
  /** The plan or add-on version the subscription is on. */
  version?: number;
  /** As the source defines it: an add-on's per unit of quantity. */
  value: ExplainedValue;
  /** An add-on's quantity on the subscription. */
  quantity?: number;
  behavior?: EntitlementBehavior;
  /** How it entered the grant's value (see {@link SourceEffect}). */
  effect: SourceEffect;
}

/** Why the winning grant beats another: it is unlimited, its limit is higher, or it is as generous and comes first. */
export type GrantComparison = 'UNLIMITED' | 'HIGHER_LIMIT' | 'TIE';

/** One grant of the feature: a live subscription (its sources merged) or an active promotion. */
export interface ExplainedGrant {
  kind: 'SUBSCRIPTION' | 'TRIAL' | 'PROMOTION';
  /** The subscription's or the promotion's id. */
  id: string;
  planId?: string;
  planVersion?: number;
  /** The resource the subscription is scoped to; null for a customer-wide one and for promotions. */
  resourceId: string | null;
  /** When it stops counting (a trial's end, a promotion's, a subscription's); null when open-ended. */
  until: Date | null;
  sources: ExplainedSource[];
  /** The grant's value: its sources merged. */
  value: ExplainedValue;
  /** The credit rate its plan sets for the feature, if any. */
  creditRate: { currencyId: string; creditsPerUnit: string } | null;
  /** The grant that sets the limit. */
  won: boolean;
  /** On a losing grant, why the winner beats it. */
  lostBecause?: GrantComparison;
  /** Usage counts in this grant's window. */
  countsUsage: boolean;
}

/** The most generous grant and the rule that made it win. */
export interface ExplainedWinner {
  grantId: string;
  rule: 'ONLY_GRANT' | 'UNLIMITED' | 'HIGHEST_LIMIT' | 'TIE';
  reason: string;
}

/** The usage window that counts and the usage in it. */
export interface ExplainedUsage {
  currentUsage: number;
  resetPeriod: EntitlementResetPeriod | null;
  periodAnchor: Date | null;
  periodStart: Date | null;
  periodEnd: Date | null;
  /** Whose counter: the resource of the subscription granting the window, or null (customer-wide). */
  counterResourceId: string | null;
  /** The grant whose window counts: a resource's own subscription first, then paid, trial, promotion; the oldest among equals. */
  windowFrom: string;
}

/** The credits behind a credit-backed feature. */
export interface ExplainedCredits {
  currencyId: string;
  creditsPerUnit: string;
  /** The grant whose plan sets the rate (the cheapest of them wins), or null for the feature's own rate. */
  rateFrom: string | null;
  /** The balance at the instant explained of the pool usage draws on. */
  balance: number;
  /** That pool's resource; null for the customer-wide pool. */
  poolResourceId: string | null;
}

/** Everything behind one check: see `Allot.explainEntitlement`. */
export interface EntitlementExplanation {
  customerId: string;
  resourceId: string | null;
  featureId: string;
  /** The instant explained. */
  at: Date;
  /** A customer-level denial (archived, no live subscription), or null. */
  accessDeniedReason: EntitlementsStateAccessDeniedReason | null;
  /** Every grant of the feature, in the order the merge reads them: subscriptions by id, then promotions. */
  grants: ExplainedGrant[];
  winner: ExplainedWinner | null;
  /**
   * The merged value: the winner's limit, soft when any grant is, every grant's enum values, the
   * reset of the counting window. Null when nothing grants the feature.
   */
  effective: ExplainedValue | null;
  /** For a metered feature that is granted something. */
  usage: ExplainedUsage | null;
  /** For a credit-backed feature. */
  credits: ExplainedCredits | null;
  /** What `getEntitlement` answers at this instant. */
  decision: Entitlement;
  /** One line: granted or denied, and why. */
  summary: string;
}

/** A trace that keeps what the merge did for one feature. */
class Recorder implements EntitlementTrace {
  readonly sources = new Map<string, { sub: SubscriptionRecord; sources: TracedSource[] }>();
  merge: TracedMerge | undefined;

  constructor(readonly featureId: string) {}

  source(sub: SubscriptionRecord, source: TracedSource): void {
    const seen = this.sources.get(sub.id);
    if (seen) seen.sources.push(source);
    else this.sources.set(sub.id, { sub, sources: [source] });
  }

  merged(merge: TracedMerge): void {
    this.merge = merge;
  }
}

/**
 * Explains a customer's entitlement to a feature at `now`: every grant and its sources, the winner
 * and why, the usage window and the usage in it, the credits behind it, and the decision, which is
 * `evaluateEntitlement`'s on the set `resolveEntitlements` resolved while the trace watched.
 * CUSTOMER_NOT_FOUND and FEATURE_NOT_FOUND when either is unknown; an archived customer is explained.
 */
export function explainEntitlement(
  catalog: Catalog,
  state: CustomerState | undefined,
  query: { readonly customerId: string; readonly featureId: string; readonly resourceId: string | null },
  usage: Required<UsageSource>,
  now: number,
): EntitlementExplanation {
  const { customerId, featureId, resourceId } = query;
  const customer = requireCustomerState(state, customerId, { allowArchived: true });
  const feature = requireFeature(catalog, featureId);
  const trace = new Recorder(featureId);
  const set = resolveEntitlements(catalog, customer, resourceId, now, undefined, trace);
  const decision = evaluateEntitlement(
    set,
    featureId,
    feature,
    entitlementFeature(feature),
    undefined,
    NO_CHECK_OPTIONS,
    usage,
    now,
  );
  const merge = trace.merge;
  const grants = merge ? merge.candidates.map((c) => grantOf(catalog, customer, trace, merge, c)) : [];
  const ent = merge?.entitlement;
  const explanation: EntitlementExplanation = {
    customerId,
    resourceId,
    featureId,
    at: new Date(now),
    accessDeniedReason: set.accessDeniedReason,
    grants,
    winner: merge ? winnerOf(merge, grants) : null,
    effective: ent ? effectiveValue(ent) : null,
    usage: merge && feature.meterType !== 'None' ? usageOf(merge, usage, featureId, now) : null,
    credits: null,
    decision,
    summary: '',
  };
  if (merge && ent?.creditRate && feature.meterType !== 'None') {
    const rate = ent.creditRate;
    explanation.credits = {
      currencyId: rate.currencyId,
      creditsPerUnit: rate.creditsPerUnit,
      rateFrom: merge.rateFrom?.source ?? null,
      balance: usage.creditBalance(featureId, rate.currencyId, now).toNumber(),
      poolResourceId: creditScope(set.windows, set.resourceId, featureId),
    };
  }
  explanation.summary = summaryOf(explanation);
  return explanation;
}

function specValue(spec: EntitlementSpec): ExplainedValue {
  return {
    usageLimit: spec.hasUnlimitedUsage ? null : spec.usageLimit,
    isUnlimited: spec.hasUnlimitedUsage,
    hasSoftLimit: spec.hasSoftLimit,
    enumValues: spec.enumValues ? [...spec.enumValues] : null,
    resetPeriod: spec.resetPeriod,
  };
}

function effectiveValue(e: EffectiveEntitlement): ExplainedValue {
  return {
    usageLimit: e.usageLimit,
    isUnlimited: e.hasUnlimitedUsage,
    hasSoftLimit: e.hasSoftLimit,
    enumValues: e.enumValues ? [...e.enumValues] : null,
    resetPeriod: e.resetPeriod,
  };
}

function grantOf(
  catalog: Catalog,
  state: CustomerState,
  trace: Recorder,
  merge: TracedMerge,
  c: Candidate,
): ExplainedGrant {
  const kind = candidateKind(c);
  const won = c === merge.best;
  const common = {
    value: specValue(c.spec),
    creditRate: c.rate ? { currencyId: c.rate.currencyId, creditsPerUnit: c.rate.creditsPerUnit } : null,
    won,
    ...(won ? {} : { lostBecause: outbids(merge.best.spec, c.spec) ?? ('TIE' as const) }),
    countsUsage: c === merge.windowFrom,
  };
  if (kind === 'PROMOTION') {
    const promotion = state.promotions.find((p) => p.id === c.source);
    const end = promotion?.endDate ?? null;
    return {
      kind,
      id: c.source,
      resourceId: null,
      until: end === null ? null : new Date(end),
      sources: [{ kind: 'PROMOTION', id: c.source, value: specValue(c.spec), effect: 'BASE' }],
      ...common,
    };
  }
  const traced = trace.sources.get(c.source);
  const sub = traced?.sub;
  const end = kind === 'TRIAL' ? (sub?.trialEndDate ?? null) : (sub?.endDate ?? null);
  return {
    kind,
    id: c.source,
    ...(sub ? { planId: sub.planId, planVersion: sub.planVersion } : {}),
    resourceId: sub?.resourceId ?? null,
    until: end === null ? null : new Date(end),
    sources: (traced?.sources ?? []).map((s) => sourceOf(catalog, c.source, s)),
    ...common,
  };
}

function sourceOf(catalog: Catalog, subscriptionId: string, s: TracedSource): ExplainedSource {
  const value = specValue(s.spec);
  const effect = s.effect;
  switch (s.kind) {
    case 'PLAN':
      return { kind: 'PLAN', id: s.plan.id, version: s.plan.version, value, effect };
    case 'BASE_PLAN':
      return { kind: 'BASE_PLAN', id: definingBasePlan(catalog, s.plan, s.spec.featureId), value, effect };
    case 'ADDON': {
      const { addonId, version, quantity } = s.addon;
      return { kind: 'ADDON', id: addonId, version, quantity, behavior: s.spec.behavior, value, effect };
    }
    case 'CUSTOM':
      return { kind: 'CUSTOM_ENTITLEMENT', id: subscriptionId, value, effect };
  }
}

/**
 * The base plan an inherited entitlement comes from: the first plan up the chain that defines it
 * itself. A version stands alone (inheritance is flattened into it), so the chain is read from the
 * catalog as it is now; the direct base plan when the chain no longer defines it.
 */
function definingBasePlan(catalog: Catalog, plan: PlanVersion, featureId: string): string {
  const seen = new Set<string>();
  for (let id = plan.basePlanId; id !== null && !seen.has(id); id = catalog.plans.get(id)?.basePlanId ?? null) {
    seen.add(id);
    if (catalog.plans.get(id)?.byFeature.get(featureId)?.inherited === false) return id;
  }
  return plan.basePlanId ?? plan.id;
}

/** A grant as a reader names it: the plan first (the subscription id is opaque), or the promotion. */
function label(grant: ExplainedGrant): string {
  if (grant.kind === 'PROMOTION') return `promotion ${grant.id}`;
  const plan = grant.planId === undefined ? 'a plan' : `plan ${grant.planId}`;
  return `${plan}${grant.kind === 'TRIAL' ? ' in trial' : ''} (subscription ${grant.id})`;
}

function winnerOf(merge: TracedMerge, grants: readonly ExplainedGrant[]): ExplainedWinner {
  const winner = grants[merge.candidates.indexOf(merge.best)] as ExplainedGrant;
  const name = label(winner);
  const losses = grants.filter((g) => !g.won).map((g) => g.lostBecause);
  if (losses.length === 0) return { grantId: winner.id, rule: 'ONLY_GRANT', reason: `the only grant is ${name}` };
  if (losses.every((l) => l === 'TIE'))
    return {
      grantId: winner.id,
      rule: 'TIE',
      reason: `every grant is as generous: the first, ${name}, is kept (the others still add soft limits and enum values)`,
    };
  if (losses.includes('UNLIMITED'))
    return { grantId: winner.id, rule: 'UNLIMITED', reason: `${name} is unlimited, and unlimited beats any limit` };
  return {
    grantId: winner.id,
    rule: 'HIGHEST_LIMIT',
    reason: `${name} has the highest limit (${winner.value.usageLimit}): the most generous grant wins`,
  };
}

function usageOf(merge: TracedMerge, usage: UsageSource, featureId: string, now: number): ExplainedUsage {
  // Copied at once: the source may reuse the object it returns.
  const view = usage.usageView(featureId, now);
  const date = (t: number | null) => (t === null ? null : new Date(t));
  return {
    currentUsage: view.currentUsage,
    resetPeriod: merge.entitlement.resetPeriod,
    periodAnchor: date(view.periodAnchor),
    periodStart: date(view.periodStart),
    periodEnd: date(view.periodEnd),
    counterResourceId: merge.window.scope,
    windowFrom: merge.windowFrom.source,
  };
}

/** Why a check is denied, in words, by its reason. */
const DENIALS: Partial<Record<string, (e: EntitlementExplanation) => string>> = {
  CustomerIsArchived: () => 'the customer is archived',
  NoActiveSubscription: () => 'the customer has no live subscription, and no active promotion grants the feature',
  NoFeatureEntitlementInSubscription: () => 'no live subscription or active promotion grants the feature',
  CustomerResourceNotFound: (e) => `no subscription was ever scoped to resource "${e.resourceId}"`,
  RequestedUsageExceedingLimit: (e) => `usage ${e.usage?.currentUsage} is over the limit ${e.effective?.usageLimit}`,
  InsufficientCredits: (e) => `the ${e.credits?.currencyId} balance (${e.credits?.balance}) cannot pay for usage`,
};

function summaryOf(e: EntitlementExplanation): string {
  const reason = e.decision.accessDeniedReason;
  if (reason !== undefined) return `denied (${reason}): ${DENIALS[reason]?.(e) ?? reason}`;
  const parts: string[] = [];
  const value = e.effective;
  if (value?.isUnlimited) parts.push('unlimited');
  else if (value?.usageLimit != null) parts.push(`limit ${value.usageLimit}${value.hasSoftLimit ? ' (soft)' : ''}`);
  const period = e.usage?.periodEnd ? ` in the period ending ${e.usage.periodEnd.toISOString()}` : '';
  if (e.usage) parts.push(`${e.usage.currentUsage} used${period}`);
  if (e.credits) parts.push(`${e.credits.balance} ${e.credits.currencyId} left`);
  const winner = e.grants.find((g) => g.won);
  return `granted by ${winner ? label(winner) : 'no grant'}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}
