import type { CreditCurrency } from '../catalog/credit-schema.js';
import type { CreditBalance, CreditPoolKey } from '../credits/credit-pool.js';
import { type CreditGrantRecord, type CreditLedgerEntry, grantStatus } from '../credits/credit-records.js';
import type { Recurrence } from '../credits/recurrence.js';
import type { RolloverRule } from '../credits/rollover.js';
import { Decimal } from '../money/money.js';

/** A credit grant as the client methods return it: amounts as numbers, instants as Dates. */
export interface CreditGrant {
  id: string;
  customerId: string;
  currencyId: string;
  resourceId: string | null;
  grantType: 'PAID' | 'PROMOTIONAL' | 'RECURRING';
  status: 'ACTIVE' | 'SCHEDULED' | 'EXPIRED' | 'VOIDED';
  amount: number;
  consumedAmount: number;
  priority: number;
  effectiveAt: Date;
  expireAt: Date | null;
  cost: { amount: number; currency: string } | null;
  displayName: string;
  comment: string | null;
  metadata: Record<string, string>;
  createdAt: Date;
  voidedAt: Date | null;
  /** An allot extension: refilled to `amount` every `intervalCount` × `interval` from `anchor`; null if not recurring. */
  recurrence: RecurrenceShape | null;
  /** An allot extension: what a pool reset lets the grant keep; null when the reset's rule decides. */
  rollover: RolloverShape | null;
}

/** A recurrence as results show it. */
export interface RecurrenceShape {
  interval: Recurrence['interval'];
  intervalCount: number;
  anchor: Date;
}

/** A rollover rule as results show it: amounts as numbers, only those the rule sets. */
export interface RolloverShape {
  maxAmount?: number;
  minAmount?: number;
  percentage?: number;
}

const dateOrNull = (ms: number | null) => (ms === null ? null : new Date(ms));

export const recurrenceShape = (r: Recurrence): RecurrenceShape => ({
  interval: r.interval,
  intervalCount: r.intervalCount,
  anchor: new Date(r.anchor),
});

export function rolloverShape(r: RolloverRule | null): RolloverShape | null {
  if (r === null) return null;
  return {
    ...(r.maxAmount === undefined ? {} : { maxAmount: Number(r.maxAmount) }),
    ...(r.minAmount === undefined ? {} : { minAmount: Number(r.minAmount) }),
    ...(r.percentage === undefined ? {} : { percentage: Number(r.percentage) }),
  };
}

export function creditGrantShape(g: CreditGrantRecord, now: number): CreditGrant {
  return {
    id: g.id,
    customerId: g.customerId,
    currencyId: g.currencyId,
    resourceId: g.resourceId,
    grantType: g.grantType,
    status: grantStatus(g, now),
    amount: Number(g.amount),
    consumedAmount: Number(g.consumed),
    priority: g.priority,
    effectiveAt: new Date(g.effectiveAt),
    expireAt: dateOrNull(g.expireAt),
    cost: g.cost && { amount: Number(g.cost.amount), currency: g.cost.currency },
    displayName: g.displayName,
    comment: g.comment,
    metadata: { ...g.metadata },
    createdAt: new Date(g.createdAt),
    voidedAt: dateOrNull(g.voidedAt),
    recurrence: g.recurrence && recurrenceShape(g.recurrence),
    rollover: rolloverShape(g.rollover),
  };
}

/** A credit currency as results name it. */
export interface CreditCurrencyShape {
  currencyId: string;
  displayName: string;
  units: { singular: string; plural: string };
  symbol: string | null;
}

export const creditCurrencyShape = (c: CreditCurrency): CreditCurrencyShape => ({
  currencyId: c.currencyId,
  displayName: c.displayName,
  units: { ...c.units },
  symbol: c.symbol ?? null,
});

/** `getCreditEntitlement`'s answer: the pool's balance and whether it covers `requestedUsage`. */
export interface CreditEntitlement {
  customerId: string;
  resourceId: string | null;
  hasAccess: boolean;
  /** True when the store could not be read and the answer comes from a credit fallback. */
  isFallback: boolean;
  /** Present when denied: `Unknown` when a fallback denies. */
  accessDeniedReason?: 'InsufficientCredits' | 'Unknown';
  currency: CreditCurrencyShape;
  currentBalance: number;
  /** What stays after `requestedUsage` (not below zero). */
  remaining: number;
  totalGranted: number;
  totalConsumed: number;
  requestedUsage: number;
  /** When the balance next changes by itself (a grant expiring or taking effect), if ever. */
  nextResetDate: Date | null;
}

/** A pool's balance as results show it: numbers, and the next instant it changes by itself. */
export interface ShownBalance {
  readonly currentBalance: number;
  readonly totalGranted: number;
  readonly totalConsumed: number;
  readonly nextChangeAt: number | null;
}

export function shownBalance(b: CreditBalance): ShownBalance {
  return {
    currentBalance: Number(b.currentBalance),
    totalGranted: Number(b.totalGranted),
    totalConsumed: Number(b.totalConsumed),
    nextChangeAt: b.nextChangeAt,
  };
}

/**
 * A credit entitlement from a pool's balance (`current` exact, `shown` as numbers): granted when
 * the balance covers `requestedUsage`, or, asking for nothing, when there is any balance at all.
 */
export function creditEntitlementShape(
  key: CreditPoolKey,
  current: Decimal,
  shown: ShownBalance,
  currency: CreditCurrency,
  requestedUsage: number,
): CreditEntitlement {
  const asked = requestedUsage === 0 ? null : new Decimal(requestedUsage);
  const hasAccess = asked === null ? current.gt(0) : current.gte(asked);
  const remaining =
    asked === null ? Math.max(0, shown.currentBalance) : Decimal.max(0, current.minus(asked)).toNumber();
  return {
    customerId: key.customerId,
    resourceId: key.resourceId,
    hasAccess,
    isFallback: false,
    ...(hasAccess ? {} : { accessDeniedReason: 'InsufficientCredits' as const }),
    currency: creditCurrencyShape(currency),
    currentBalance: shown.currentBalance,
    remaining,
    totalGranted: shown.totalGranted,
    totalConsumed: shown.totalConsumed,
    requestedUsage,
    nextResetDate: dateOrNull(shown.nextChangeAt),
  };
}

/** One ledger entry as `getCreditLedger` returns it. */
export interface CreditLedgerItem {
  id: string;
  currencyId: string;
  resourceId: string | null;
  grantId: string | null;
  eventType: CreditLedgerEntry['eventType'];
  amount: number;
  timestamp: Date;
  featureId: string | null;
  idempotencyKey: string | null;
  dimensions: Record<string, string | number | boolean> | null;
}

export const creditLedgerItem = (e: CreditLedgerEntry): CreditLedgerItem => ({
  id: e.id,
  currencyId: e.currencyId,
  resourceId: e.resourceId,
  grantId: e.grantId,
  eventType: e.eventType,
  amount: Number(e.amount),
  timestamp: new Date(e.at),
  featureId: e.featureId ?? null,
  idempotencyKey: e.idempotencyKey ?? null,
  dimensions: e.dimensions ? { ...e.dimensions } : null,
});
