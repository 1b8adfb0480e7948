// A reference model of allot's entitlement semantics (README "Semantics in one screen", DESIGN §4)
// for one product: free, pro with a 14-day trial, enterprise. Plain TypeScript on purpose: it
// shares no code with src/core, so a bug in the core cannot hide in the model too. Every answer
// it gives is computed here, from the commands it has seen and its own clock.
//
// Usage rule: usage counts in a counter (a usage epoch) split into reset periods counted from the
// billing anchor of the subscription that opened it. Each subscription opens a new one, except
// that a plan change under NEVER_RESET carries the counter on. A trial and the plan beside it
// share one counter (README "Differences from the Stigg SDK" → Trials): a trial starting beside
// a plan counts in the plan's, a plan starting beside a trial that runs alone in the trial's, and
// a plan replacing the one beside a trial opens a new one or not as the reset rule says. The trial
// goes on with it when the plan goes, and a conversion (a paid pro during the trial, or the
// trial's end) carries it on, reset periods included.
import type { CatalogInput } from '../../src/index.js';

export const CUSTOMERS = ['a', 'b', 'c'] as const;
export type CustomerId = (typeof CUSTOMERS)[number];
export const PLAN_IDS = ['free', 'pro', 'enterprise'] as const;
export type PlanId = (typeof PLAN_IDS)[number];
export const METERED = ['api-calls', 'exports', 'seats'] as const;
export type MeteredId = (typeof METERED)[number];
/** The features a promotion may grant: a boolean, and a limit raise on the monthly feature. */
export type PromotedId = 'sso' | 'api-calls';
/** How the product treats usage on a plan change; the test runs both. */
export type ResetRule = 'NEVER_RESET' | 'ALWAYS_RESET';
export type PromotionPeriod = 'ONE_WEEK' | 'ONE_MONTH' | 'LIFETIME' | 'CUSTOM';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
export const TRIAL_DAYS = 14;

interface PlanSpec {
  readonly order: number;
  readonly pricingType: 'FREE' | 'PAID' | 'CUSTOM';
  readonly sso: boolean;
  /** null: unlimited. */
  readonly limits: Readonly<Record<MeteredId, number | null>>;
}

// Limits small next to the reported amounts, so the hard limit is hit often.
const PLANS: Readonly<Record<PlanId, PlanSpec>> = {
  free: { order: 0, pricingType: 'FREE', sso: false, limits: { 'api-calls': 100, exports: 10, seats: 3 } },
  pro: { order: 1, pricingType: 'PAID', sso: true, limits: { 'api-calls': 400, exports: 30, seats: 10 } },
  // CUSTOM pricing: an enterprise history does not count as paid, so a later pro may trial unless it is a downgrade.
  enterprise: { order: 2, pricingType: 'CUSTOM', sso: true, limits: { 'api-calls': null, exports: 60, seats: 25 } },
};

/** Incremental features reset per period (counted from the subscription's billing anchor); seats never do. */
const RESETS: Readonly<Record<MeteredId, 'MONTH' | 'WEEK' | null>> = {
  'api-calls': 'MONTH',
  exports: 'WEEK',
  seats: null,
};

/** The catalog the engines run, built from the same table the model reads. */
export function catalogFor(rule: ResetRule): CatalogInput {
  return {
    features: [
      { id: 'sso', featureType: 'BOOLEAN' },
      { id: 'api-calls', featureType: 'NUMBER', meterType: 'Incremental' },
      { id: 'exports', featureType: 'NUMBER', meterType: 'Incremental' },
      { id: 'seats', featureType: 'NUMBER', meterType: 'Fluctuating' },
    ],
    products: [{ id: 'app', downgradePlanId: 'free', usageResetCutoffRule: rule }],
    plans: PLAN_IDS.map((id) => {
      const plan = PLANS[id];
      return {
        id,
        productId: 'app',
        order: plan.order,
        pricingType: plan.pricingType,
        ...(id === 'pro' ? { defaultTrialConfig: { duration: TRIAL_DAYS, units: 'DAY' as const } } : {}),
        entitlements: [
          ...(plan.sso ? [{ featureId: 'sso' }] : []),
          ...METERED.map((featureId) => {
            const limit = plan.limits[featureId];
            const reset = RESETS[featureId];
            return {
              featureId,
              ...(limit === null ? { hasUnlimitedUsage: true } : { usageLimit: limit }),
              ...(reset ? { resetPeriod: reset } : {}),
            };
          }),
        ],
      };
    }),
  };
}

/** `t` plus `n` calendar months in UTC, clamped to the month's last day (Jan 31 + 1 → Feb 28/29). */
export function plusMonths(t: number, n: number): number {
  const d = new Date(t);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + n;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(
    year,
    month,
    Math.min(d.getUTCDate(), lastDay),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

/** The period `[start, end)` holding `now`, with every boundary counted from `anchor` (never from the last one). */
function periodAt(reset: 'MONTH' | 'WEEK', anchor: number, now: number): { start: number; end: number } {
  if (reset === 'WEEK') {
    const n = Math.floor((now - anchor) / WEEK);
    return { start: anchor + n * WEEK, end: anchor + (n + 1) * WEEK };
  }
  let n = 0;
  while (plusMonths(anchor, n + 1) <= now) n++;
  return { start: plusMonths(anchor, n), end: plusMonths(anchor, n + 1) };
}

const iso = (t: number | null | undefined): string | undefined =>
  t === null || t === undefined ? undefined : new Date(t).toISOString();

// ─── what the engines answer, reduced to the fields the model predicts ───

export interface MeteredView {
  hasAccess: boolean;
  accessDeniedReason: string | undefined;
  isUnlimited: boolean;
  usageLimit: number | undefined;
  currentUsage: number;
  requestedUsage: number;
  resetPeriod: string | undefined;
  usagePeriodAnchor: string | undefined;
  usagePeriodStart: string | undefined;
  usagePeriodEnd: string | undefined;
}

export interface BooleanView {
  hasAccess: boolean;
  accessDeniedReason: string | undefined;
}

export interface AckView {
  currentUsage: number;
  usagePeriodStart: string | undefined;
  usagePeriodEnd: string | undefined;
}

export interface CheckAndReportView {
  hasAccess: boolean;
  entitlement: MeteredView;
  usage: AckView | undefined;
}

export interface SubscriptionView {
  planId: string;
  status: string;
}

export interface ProvisionCustomerView {
  subscriptionDecisionStrategy: string;
  subscription: SubscriptionView | undefined;
}

export interface PromotionView {
  featureId: string;
  status: string;
  endDate: string | undefined;
}

/** A call's result, or the `code` of the AllotError it threw. */
export type Outcome<T> = { ok: T } | { error: string };

// ─── the model's state ───

/** Where usage counts: an epoch starts a fresh count, its periods count from `anchor`. */
interface Counter {
  readonly epoch: string;
  readonly anchor: number;
}

interface Paid {
  readonly plan: PlanId;
  /** Its billing anchor: a counter it opens counts from here. */
  readonly anchor: number;
  readonly counter: Counter;
}

interface Trial {
  /** Its start, which stays the billing anchor when it converts. */
  readonly anchor: number;
  readonly end: number;
  /** Its own counter, which serves while it runs alone. */
  readonly own: Counter;
  /** The counter of the last plan that ran beside it and is gone, which it goes on with. */
  beside: Counter | null;
}

interface Promotion {
  readonly start: number;
  readonly end: number | null;
  /** The api-calls limit it grants; null for the boolean. */
  readonly limit: number | null;
}

interface Customer {
  /** The running non-trial subscription. */
  paid: Paid | null;
  /** The pro trial while it runs (it converts to `paid` when it ends). */
  trial: Trial | null;
  trialed: boolean;
  paidBefore: boolean;
  readonly promotions: Map<PromotedId, Promotion>;
  /** Usage by feature and window (epoch and period start); a window never seen counts 0. */
  readonly counters: Map<string, number>;
  /** The first acknowledgement of each idempotency key. */
  readonly acks: Map<string, AckView>;
}

/** Where a feature's usage counts now: a counter key, and the period when it resets. */
interface Window {
  readonly key: string;
  readonly reset: 'MONTH' | 'WEEK' | undefined;
  readonly anchor: number | undefined;
  readonly start: number | undefined;
  readonly end: number | undefined;
}

interface Effective {
  readonly unlimited: boolean;
  readonly limit: number;
  readonly window: Window;
}

const NOT_FOUND = { error: 'CUSTOMER_NOT_FOUND' } as const;

/** The plans granting entitlements now: the paid plan and the trial's. */
function livePlans(c: Customer): PlanId[] {
  return [...(c.paid ? [c.paid.plan] : []), ...(c.trial ? (['pro'] as const) : [])];
}

export class EntitlementModel {
  readonly #customers = new Map<CustomerId, Customer>();
  #epochs = 0;

  constructor(
    public now: number,
    readonly rule: ResetRule,
  ) {}

  advance(ms: number): void {
    this.now += ms;
  }

  /**
   * The customer with time's changes applied: a trial that has reached its end is now the paid
   * plan, and the usage shown goes on.
   */
  #customer(id: CustomerId): Customer | undefined {
    const c = this.#customers.get(id);
    if (c?.trial && this.now >= c.trial.end) {
      // The trial converts in place: its start stays the billing anchor and it carries on the
      // counter it counted in; whatever plan ran beside it ends at the same instant.
      c.paid = { plan: 'pro', anchor: c.trial.anchor, counter: this.#trialCounter(c, c.trial) };
      c.trial = null;
    }
    return c;
  }

  /** A new counter, opened by a subscription whose billing anchor is `anchor`. */
  #counter(anchor: number): Counter {
    return { epoch: `e${++this.#epochs}`, anchor };
  }

  /** The counter a trial counts in: the plan's beside it, else the last such plan's, else its own. */
  #trialCounter(c: Customer, trial: Trial): Counter {
    return c.paid?.counter ?? trial.beside ?? trial.own;
  }

  provisionCustomer(id: CustomerId, plan: PlanId | undefined): Outcome<ProvisionCustomerView> {
    if (this.#customers.has(id)) return { error: 'CUSTOMER_ALREADY_EXISTS' };
    this.#customers.set(id, {
      paid: null,
      trial: null,
      trialed: false,
      paidBefore: false,
      promotions: new Map(),
      counters: new Map(),
      acks: new Map(),
    });
    const sub = plan === undefined ? undefined : this.provisionSubscription(id, plan, false);
    return {
      ok: {
        subscriptionDecisionStrategy: plan ? 'REQUESTED_PLAN' : 'SKIPPED_SUBSCRIPTION_CREATION',
        subscription: sub && 'ok' in sub ? sub.ok : undefined,
      },
    };
  }

  /**
   * A new subscription replaces the running one (keeping its billing anchor; its counter too under
   * NEVER_RESET). Pro starts a trial beside the running plan unless skipped, already trialled or
   * paid for, or a downgrade. A paid pro during the trial converts it: the running plan's billing
   * anchor (else now), and the counter the customer sees, whatever the reset rule. Any plan that
   * starts beside a trial running alone counts in the trial's counter too.
   */
  provisionSubscription(id: CustomerId, plan: PlanId, skipTrial: boolean): Outcome<SubscriptionView> {
    const c = this.#customer(id);
    if (!c) return NOT_FOUND;
    const current = c.paid;
    const converting = c.trial !== null && plan === 'pro';
    const downgrade = current !== null && PLANS[plan].order < PLANS[current.plan].order;
    if (plan === 'pro' && !converting && !downgrade && !skipTrial && !c.trialed && !c.paidBefore) {
      c.trial = { anchor: this.now, end: this.now + TRIAL_DAYS * DAY, own: this.#counter(this.now), beside: null };
      c.trialed = true;
      return { ok: { planId: plan, status: 'IN_TRIAL' } };
    }
    const keep = current !== null && this.rule === 'NEVER_RESET';
    const anchor = current ? current.anchor : this.now;
    c.paid = {
      plan,
      anchor,
      counter:
        (converting || !current) && c.trial
          ? this.#trialCounter(c, c.trial)
          : keep && current
            ? current.counter
            : this.#counter(anchor),
    };
    if (converting) c.trial = null;
    if (PLANS[plan].pricingType === 'PAID') c.paidBefore = true;
    // A paid plan started beside a running trial ends when the trial converts: `#customer` does that.
    return { ok: { planId: plan, status: 'ACTIVE' } };
  }

  has(id: CustomerId, kind: 'paid' | 'trial'): boolean {
    const c = this.#customer(id);
    return kind === 'paid' ? Boolean(c?.paid) : Boolean(c?.trial);
  }

  /**
   * Cancels at once. The customer drops to the free plan (a new one: new anchor, fresh usage)
   * unless a plan still covers them (the trial about to convert, or the plan beside the trial),
   * or the plan canceled was free itself.
   */
  cancel(id: CustomerId, kind: 'paid' | 'trial'): Outcome<SubscriptionView> {
    const c = this.#customer(id);
    if (!c) return NOT_FOUND;
    const freshFree = (): Paid => ({ plan: 'free', anchor: this.now, counter: this.#counter(this.now) });
    if (kind === 'trial') {
      if (!c.trial) throw new Error('model: no trial to cancel');
      c.trial = null;
      if (!c.paid) c.paid = freshFree();
      return { ok: { planId: 'pro', status: 'CANCELED' } };
    }
    const canceled = c.paid;
    if (!canceled) throw new Error('model: no plan to cancel');
    // A trial left alone carries on the plan's counter: the usage shown does not change.
    if (c.trial) c.trial.beside = canceled.counter;
    c.paid = c.trial || canceled.plan === 'free' ? null : freshFree();
    return { ok: { planId: canceled.plan, status: 'CANCELED' } };
  }

  /**
   * The feature as the customer holds it now: the most generous limit of the live plans and an
   * active promotion (unlimited beats any), counted in the paid plan's counter, else the one the
   * trial counts in, else (api-calls granted by a promotion alone) one that never resets.
   */
  #effective(c: Customer, featureId: MeteredId): Effective | undefined {
    const limits = livePlans(c).map((p) => PLANS[p].limits[featureId]);
    const promotion = featureId === 'api-calls' ? this.#active(c, 'api-calls') : undefined;
    if (promotion) limits.push(promotion.limit ?? 0);
    if (limits.length === 0) return undefined;
    const unlimited = limits.includes(null);
    const limit = Math.max(...limits.map((l) => l ?? 0));
    const source = c.paid ? c.paid.counter : c.trial ? this.#trialCounter(c, c.trial) : undefined;
    const reset = RESETS[featureId];
    let window: Window;
    if (!source) window = { key: 'promotion', reset: undefined, anchor: undefined, start: undefined, end: undefined };
    // Seats count a level: one counter across every plan change, never reset.
    else if (!reset) window = { key: 'level', reset: undefined, anchor: undefined, start: undefined, end: undefined };
    else {
      const { start, end } = periodAt(reset, source.anchor, this.now);
      window = { key: `${source.epoch}@${start}`, reset, anchor: source.anchor, start, end };
    }
    return { unlimited, limit, window };
  }

  #active(c: Customer, featureId: PromotedId): Promotion | undefined {
    const p = c.promotions.get(featureId);
    return p && p.start <= this.now && (p.end === null || this.now < p.end) ? p : undefined;
  }

  /** Why a customer without the feature is denied. */
  #denial(c: Customer | undefined): string {
    if (!c) return 'CustomerNotFound';
    return c.paid || c.trial ? 'NoFeatureEntitlementInSubscription' : 'NoActiveSubscription';
  }

  metered(id: CustomerId, featureId: MeteredId, requestedUsage: number): MeteredView {
    const c = this.#customer(id);
    const e = c && this.#effective(c, featureId);
    if (!c || !e)
      return {
        hasAccess: false,
        accessDeniedReason: this.#denial(c),
        isUnlimited: false,
        usageLimit: undefined,
        currentUsage: 0,
        requestedUsage,
        resetPeriod: undefined,
        usagePeriodAnchor: undefined,
        usagePeriodStart: undefined,
        usagePeriodEnd: undefined,
      };
    const currentUsage = c.counters.get(`${featureId}:${e.window.key}`) ?? 0;
    const hasAccess = e.unlimited || currentUsage + requestedUsage <= e.limit;
    return {
      hasAccess,
      accessDeniedReason: hasAccess ? undefined : 'RequestedUsageExceedingLimit',
      isUnlimited: e.unlimited,
      usageLimit: e.unlimited ? undefined : e.limit,
      currentUsage,
      requestedUsage,
      resetPeriod: e.window.reset,
      usagePeriodAnchor: iso(e.window.anchor),
      usagePeriodStart: iso(e.window.start),
      usagePeriodEnd: iso(e.window.end),
    };
  }

  boolean(id: CustomerId): BooleanView {
    const c = this.#customer(id);
    const granted = c !== undefined && (livePlans(c).some((p) => PLANS[p].sso) || this.#active(c, 'sso') !== undefined);
    return { hasAccess: granted, accessDeniedReason: granted ? undefined : this.#denial(c) };
  }

  /** DELTA adds (never below 0), SET replaces; usage without an entitlement lands in a counter no check shows. */
  #apply(c: Customer, featureId: MeteredId, value: number, set: boolean): AckView {
    const window = this.#effective(c, featureId)?.window;
    const key = `${featureId}:${window?.key ?? 'unentitled'}`;
    const next = Math.max(0, set ? value : (c.counters.get(key) ?? 0) + value);
    c.counters.set(key, next);
    return { currentUsage: next, usagePeriodStart: iso(window?.start), usagePeriodEnd: iso(window?.end) };
  }

  reportUsage(
    id: CustomerId,
    featureId: MeteredId,
    value: number,
    set: boolean,
    idempotencyKey: string | undefined,
  ): Outcome<AckView> {
    const c = this.#customer(id);
    if (!c) return NOT_FOUND;
    const prior = idempotencyKey === undefined ? undefined : c.acks.get(idempotencyKey);
    if (prior) return { ok: prior };
    const ack = this.#apply(c, featureId, value, set);
    if (idempotencyKey !== undefined) c.acks.set(idempotencyKey, ack);
    return { ok: ack };
  }

  /** Records `value` only when the check for it grants; the entitlement answered is the one before. */
  checkAndReportUsage(id: CustomerId, featureId: MeteredId, value: number): Outcome<CheckAndReportView> {
    const c = this.#customer(id);
    if (!c) return NOT_FOUND;
    const entitlement = this.metered(id, featureId, value);
    const usage = entitlement.hasAccess ? this.#apply(c, featureId, value, false) : undefined;
    return { ok: { hasAccess: entitlement.hasAccess, entitlement, usage } };
  }

  /** A new grant replaces the feature's earlier one; `customEnd` is the CUSTOM period's end. */
  grant(
    id: CustomerId,
    featureId: PromotedId,
    period: PromotionPeriod,
    customEnd: number,
    limit: number,
  ): Outcome<PromotionView[]> {
    const c = this.#customer(id);
    if (!c) return NOT_FOUND;
    const end =
      period === 'ONE_WEEK'
        ? this.now + WEEK
        : period === 'ONE_MONTH'
          ? plusMonths(this.now, 1)
          : period === 'CUSTOM'
            ? customEnd
            : null;
    c.promotions.set(featureId, { start: this.now, end, limit: featureId === 'sso' ? null : limit });
    return { ok: [{ featureId, status: 'Active', endDate: iso(end) }] };
  }

  /** Revoking finds an expired promotion too: only a revoke removes one. */
  revoke(id: CustomerId, featureId: PromotedId): Outcome<string> {
    const c = this.#customer(id);
    if (!c) return NOT_FOUND;
    if (!c.promotions.delete(featureId)) return { error: 'PROMOTIONAL_ENTITLEMENT_NOT_FOUND' };
    return { ok: 'revoked' };
  }

  activeSubscriptions(id: CustomerId): Outcome<SubscriptionView[]> {
    const c = this.#customer(id);
    if (!c) return NOT_FOUND;
    const subs: SubscriptionView[] = [];
    if (c.paid) subs.push({ planId: c.paid.plan, status: 'ACTIVE' });
    if (c.trial) subs.push({ planId: 'pro', status: 'IN_TRIAL' });
    return { ok: subs };
  }

  promotions(id: CustomerId): Outcome<PromotionView[]> {
    const c = this.#customer(id);
    if (!c) return NOT_FOUND;
    return {
      ok: [...c.promotions].map(([featureId, p]) => ({
        featureId,
        status: this.#active(c, featureId) ? 'Active' : 'Expired',
        endDate: iso(p.end),
      })),
    };
  }

  /**
   * The instants after now at which the customer's state changes by itself: period ends, the
   * trial's end, promotions' ends. The test jumps onto them (or 1 ms short) to probe half-open bounds.
   */
  upcoming(id: CustomerId): number[] {
    const c = this.#customer(id);
    if (!c) return [];
    const ends = [
      ...METERED.map((f) => this.#effective(c, f)?.window.end),
      c.trial?.end,
      ...[...c.promotions.values()].map((p) => p.end),
    ];
    return ends.filter((t): t is number => typeof t === 'number' && t > this.now).sort((x, y) => x - y);
  }
}
