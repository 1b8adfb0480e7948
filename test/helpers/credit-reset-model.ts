// A reference model of one credit pool with recurring grants, rollover rules, resets (by hand and
// on a schedule) and debt, for the model-based tests. It shares no code with src/: it walks time
// instant by instant through every boundary (the engine skips those that change nothing), and
// computes periods by stepping from the anchor.
import { Decimal } from 'decimal.js';

export type ModelInterval = 'HOUR' | 'DAY' | 'WEEK' | 'MONTH';
export interface ModelRecurrence {
  readonly interval: ModelInterval;
  readonly intervalCount: number;
  readonly anchor: number;
}
export interface ModelRule {
  readonly maxAmount?: string;
  readonly minAmount?: string;
  readonly percentage?: string;
}
export type ModelOverage = 'CARRY' | 'FORGIVE';

export interface ModelGrant {
  readonly id: string;
  readonly amount: Decimal;
  readonly grantType: 'PAID' | 'PROMOTIONAL';
  readonly priority: number;
  readonly effectiveAt: number;
  readonly expireAt: number | null;
  readonly createdAt: number;
  readonly recurrence: ModelRecurrence | null;
  readonly rollover: ModelRule | null;
  consumed: Decimal;
  activated: boolean;
  expired: boolean;
  voided: boolean;
}

interface ModelSchedule {
  recurrence: ModelRecurrence;
  rollover: ModelRule | null;
  overage: ModelOverage;
  resetAfter: number;
}

const HOUR = 3_600_000;
const FIXED: Record<Exclude<ModelInterval, 'MONTH'>, number> = { HOUR, DAY: 24 * HOUR, WEEK: 7 * 24 * HOUR };
const ZERO = new Decimal(0);

/** `ms` plus `n` calendar months in UTC, the day clamped to the target month's last day. */
function addMonths(ms: number, n: number): number {
  const d = new Date(ms);
  const index = d.getUTCFullYear() * 12 + d.getUTCMonth() + n;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(d.getUTCDate(), last)) + (((ms % 86_400_000) + 86_400_000) % 86_400_000);
}

/** The k-th boundary of `r`: anchor + k × count × interval. */
function boundary(r: ModelRecurrence, k: number): number {
  return r.interval === 'MONTH'
    ? addMonths(r.anchor, k * r.intervalCount)
    : r.anchor + k * r.intervalCount * FIXED[r.interval];
}

/** The first boundary of `r` strictly after `t`: from a rough guess of k, stepped to the exact one. */
export function nextBoundary(r: ModelRecurrence, t: number): number {
  const a = new Date(r.anchor);
  const b = new Date(t);
  const units =
    r.interval === 'MONTH'
      ? (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth()
      : (t - r.anchor) / FIXED[r.interval];
  let k = Math.floor(units / r.intervalCount);
  while (boundary(r, k) > t) k--;
  while (boundary(r, k) <= t) k++;
  return boundary(r, k);
}

/** True when `t` is a boundary of `r`. */
function isBoundary(r: ModelRecurrence, t: number): boolean {
  return nextBoundary(r, t - 1) === t;
}

const TYPE_RANK = { PROMOTIONAL: 0, PAID: 2 } as const;
const cmp = (a: number, b: number) => (a < b ? -1 : a > b ? 1 : 0);
function burnCompare(a: ModelGrant, b: ModelGrant): number {
  return (
    cmp(a.priority, b.priority) ||
    cmp(a.expireAt ?? Number.POSITIVE_INFINITY, b.expireAt ?? Number.POSITIVE_INFINITY) ||
    cmp(TYPE_RANK[a.grantType], TYPE_RANK[b.grantType]) ||
    cmp(a.effectiveAt, b.effectiveAt) ||
    cmp(a.createdAt, b.createdAt) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** What a reset leaves of `remainder` under `rule`, from the rule's words. */
function kept(rule: ModelRule | null, amount: Decimal, remainder: Decimal): Decimal {
  if (rule === null || remainder.lte(0)) return ZERO;
  let cap: Decimal | null =
    rule.percentage === undefined
      ? null
      : amount.times(rule.percentage).div(100).toDecimalPlaces(4, Decimal.ROUND_DOWN);
  if (cap !== null && rule.minAmount !== undefined && cap.lt(rule.minAmount)) cap = new Decimal(rule.minAmount);
  if (rule.maxAmount !== undefined && (cap === null || cap.gt(rule.maxAmount))) cap = new Decimal(rule.maxAmount);
  return cap === null || remainder.lt(cap) ? remainder : cap;
}

/** What a reset did. */
export interface ModelResetSummary {
  readonly rolledOver: Decimal;
  readonly forfeited: Decimal;
  readonly debtForgiven: Decimal;
}

export class CreditPoolModel {
  readonly grants: ModelGrant[] = [];
  debt = ZERO;
  schedule: ModelSchedule | null = null;

  constructor(public now: number) {}

  live(g: ModelGrant): boolean {
    return g.activated && !g.expired && !g.voided;
  }

  remainder(g: ModelGrant): Decimal {
    return this.live(g) ? g.amount.minus(g.consumed) : ZERO;
  }

  balance(): Decimal {
    return this.grants.reduce((s, g) => s.plus(this.remainder(g)), ZERO).minus(this.debt);
  }

  /** Walks every instant in (now, to] at which anything may happen, in order. */
  advance(to: number): void {
    for (;;) {
      const t = this.nextInstant();
      if (t === null || t > to) break;
      this.at(t);
    }
    this.now = Math.max(this.now, to);
  }

  private activationAt(g: ModelGrant): number {
    return Math.max(g.effectiveAt, g.createdAt);
  }

  private refills(g: ModelGrant, t: number): boolean {
    return (
      g.recurrence !== null && this.live(g) && (g.expireAt === null || t < g.expireAt) && isBoundary(g.recurrence, t)
    );
  }

  private nextInstant(): number | null {
    const times: number[] = [];
    for (const g of this.grants) {
      if (g.voided || g.expired) continue;
      if (!g.activated) times.push(this.activationAt(g));
      if (g.expireAt !== null) times.push(g.expireAt);
      // A boundary is only an instant for a grant that takes effect before it.
      if (g.recurrence !== null)
        times.push(nextBoundary(g.recurrence, Math.max(this.now, g.activated ? this.now : this.activationAt(g))));
    }
    if (this.schedule !== null)
      times.push(nextBoundary(this.schedule.recurrence, Math.max(this.now, this.schedule.resetAfter)));
    const later = times.filter((t) => t > this.now);
    return later.length === 0 ? null : Math.min(...later);
  }

  /** Everything at instant `t`: expiries, then the scheduled reset, then grants taking effect and refills in burn order. */
  private at(t: number): void {
    this.now = t;
    for (const g of this.grants)
      if (!g.voided && !g.expired && g.expireAt !== null && g.expireAt <= t) g.expired = true;
    const s = this.schedule;
    if (s !== null && t > s.resetAfter && isBoundary(s.recurrence, t)) {
      this.resetAll(s.rollover, s.overage);
      s.resetAfter = t;
    }
    // Refills first decided from the state before this instant's activations (a grant taking effect now does not refill now).
    const refilling = this.grants.filter((g) => this.refills(g, t));
    const starting = this.grants.filter((g) => !g.voided && !g.expired && !g.activated && this.activationAt(g) <= t);
    for (const g of [...refilling, ...starting].sort(burnCompare)) {
      g.activated = true;
      g.consumed = ZERO;
      this.settle(g);
    }
  }

  private settle(g: ModelGrant): void {
    const pay = Decimal.min(this.debt, g.amount.minus(g.consumed));
    g.consumed = g.consumed.plus(pay);
    this.debt = this.debt.minus(pay);
  }

  private resetAll(rule: ModelRule | null, overage: ModelOverage): ModelResetSummary {
    let rolledOver = ZERO;
    let forfeited = ZERO;
    for (const g of this.grants) {
      if (!this.live(g)) continue;
      const left = g.amount.minus(g.consumed);
      const keep = kept(g.rollover ?? rule, g.amount, left);
      rolledOver = rolledOver.plus(keep);
      forfeited = forfeited.plus(left.minus(keep));
      g.consumed = g.amount.minus(keep);
    }
    const debtForgiven = overage === 'FORGIVE' ? this.debt : ZERO;
    this.debt = this.debt.minus(debtForgiven);
    return { rolledOver, forfeited, debtForgiven };
  }

  grant(g: Omit<ModelGrant, 'consumed' | 'activated' | 'expired' | 'voided' | 'createdAt'>): void {
    const grant: ModelGrant = {
      ...g,
      createdAt: this.now,
      consumed: ZERO,
      activated: false,
      expired: false,
      voided: false,
    };
    this.grants.push(grant);
    if (this.activationAt(grant) <= this.now) {
      grant.activated = true;
      this.settle(grant);
    }
  }

  /** False (nothing changes) when the live grants cannot cover `amount` and debt is not allowed. */
  consume(amount: Decimal, allowDebt: boolean): boolean {
    const live = this.grants.filter((g) => this.live(g) && g.amount.gt(g.consumed)).sort(burnCompare);
    const available = live.reduce((s, g) => s.plus(g.amount.minus(g.consumed)), ZERO);
    if (amount.gt(available) && !allowDebt) return false;
    let left = amount;
    for (const g of live) {
      const take = Decimal.min(left, g.amount.minus(g.consumed));
      g.consumed = g.consumed.plus(take);
      left = left.minus(take);
    }
    this.debt = this.debt.plus(left);
    return true;
  }

  /** The outcome of voiding `id` now. */
  void(id: string): 'OK' | 'CREDIT_GRANT_NOT_FOUND' | 'CREDIT_GRANT_VOIDED' | 'CREDIT_GRANT_EXPIRED' {
    const g = this.grants.find((x) => x.id === id);
    if (g === undefined) return 'CREDIT_GRANT_NOT_FOUND';
    if (g.voided) return 'CREDIT_GRANT_VOIDED';
    if (g.expired) return 'CREDIT_GRANT_EXPIRED';
    g.voided = true;
    return 'OK';
  }

  reset(request: { rollover?: ModelRule; overage?: ModelOverage; moveAnchor?: boolean }): ModelResetSummary {
    const s = this.schedule;
    const summary = this.resetAll(request.rollover ?? s?.rollover ?? null, request.overage ?? s?.overage ?? 'CARRY');
    if (request.moveAnchor && s !== null) {
      s.recurrence = { ...s.recurrence, anchor: this.now };
      s.resetAfter = this.now;
    }
    return summary;
  }

  setSchedule(rules: { recurrence: ModelRecurrence; rollover: ModelRule | null; overage: ModelOverage } | null): void {
    this.schedule = rules === null ? null : { ...rules, resetAfter: this.now };
  }
}
