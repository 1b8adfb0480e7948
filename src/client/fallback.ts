import type { Entitlement, EntitlementType } from '../core/entitlement-results.js';
import type { CreditPoolKey } from '../credits/credit-pool.js';
import { AllotError } from '../errors.js';
import { Decimal } from '../money/money.js';
import type { CreditCurrencyShape, CreditEntitlement } from './credit-shapes.js';
import type { AllotLogger } from './logger.js';

/** What a check answers when the store cannot be read: per feature, or per call in `options.fallback`. */
export interface EntitlementFallback {
  hasAccess: boolean;
  /** NUMERIC. */
  value?: number;
  /** METERED. */
  usageLimit?: number;
  /** NUMERIC and METERED. */
  isUnlimited?: boolean;
  /** METERED. */
  hasSoftLimit?: boolean;
  /** METERED. */
  currentUsage?: number;
  /** ENUM. */
  enumValues?: string[];
}

/** The type a fallback describes, for a feature the catalog cannot tell (unknown, or not loaded). */
export function fallbackType(fallback: EntitlementFallback | undefined): EntitlementType {
  if (fallback?.usageLimit !== undefined || fallback?.currentUsage !== undefined) return 'METERED';
  if (fallback?.value !== undefined) return 'NUMERIC';
  if (fallback?.enumValues !== undefined) return 'ENUM';
  return 'BOOLEAN';
}

/**
 * The fallback answer for a check of `type`: the type's neutral values with the fields of the
 * fallback that belong to that type. Unlike the reference SDK, a fallback that grants access
 * carries no `accessDeniedReason`; one that denies it says `Unknown`.
 */
export function fallbackEntitlement(
  type: EntitlementType,
  fallback: EntitlementFallback | undefined,
  requestedUsage = 0,
): Entitlement {
  const hasAccess = fallback?.hasAccess ?? false;
  const base = { hasAccess, isFallback: true, ...(hasAccess ? {} : { accessDeniedReason: 'Unknown' as const }) };
  switch (type) {
    case 'BOOLEAN':
      return { type, ...base };
    case 'NUMERIC':
      return {
        type,
        ...base,
        isUnlimited: fallback?.isUnlimited ?? false,
        ...(fallback?.value === undefined ? {} : { value: fallback.value }),
      };
    case 'METERED':
      return {
        type,
        ...base,
        isUnlimited: fallback?.isUnlimited ?? false,
        hasSoftLimit: fallback?.hasSoftLimit ?? false,
        currentUsage: fallback?.currentUsage ?? 0,
        requestedUsage,
        ...(fallback?.usageLimit === undefined ? {} : { usageLimit: fallback.usageLimit }),
      };
    case 'ENUM':
      return { type, ...base, enumValues: [...(fallback?.enumValues ?? [])] };
  }
}

/**
 * What a credit check answers when the store cannot be read: per currency in
 * `creditEntitlementsFallback`, or per call in `options.fallback`. As in the reference SDK,
 * `usageLimit` is the credits granted and `currentUsage` those consumed.
 */
export interface CreditEntitlementFallback {
  hasAccess: boolean;
  usageLimit?: number;
  currentUsage?: number;
}

/** The fallback answer of a credit check: the balance the fallback describes (none: zero), with its `hasAccess`. */
export function creditFallbackEntitlement(
  key: CreditPoolKey,
  currency: CreditCurrencyShape,
  fallback: CreditEntitlementFallback | undefined,
  requestedUsage = 0,
): CreditEntitlement {
  const hasAccess = fallback?.hasAccess ?? false;
  const totalGranted = fallback?.usageLimit ?? 0;
  const totalConsumed = fallback?.currentUsage ?? 0;
  const balance = new Decimal(totalGranted).minus(totalConsumed);
  return {
    customerId: key.customerId,
    resourceId: key.resourceId,
    hasAccess,
    isFallback: true,
    ...(hasAccess ? {} : { accessDeniedReason: 'Unknown' as const }),
    currency,
    currentBalance: balance.toNumber(),
    remaining: Decimal.max(0, balance.minus(requestedUsage)).toNumber(),
    totalGranted,
    totalConsumed,
    requestedUsage,
    nextResetDate: null,
  };
}

/** Errors that mean the store cannot answer, so a check falls back. */
const STORE_FAILURES: ReadonlySet<string> = new Set([
  'STORE_ERROR',
  'STORE_UNAVAILABLE',
  'CLOSED',
  'NOT_INITIALIZED',
  'INVALID_CATALOG',
]);

/** Whether `error` means the store cannot answer (rather than a bad call). */
export const storeFailure = (error: unknown): boolean => AllotError.is(error) && STORE_FAILURES.has(error.code);

/** The store's server cannot be reached: a warm customer is still answered, from the cache. */
export const unreachable = (error: unknown): boolean => AllotError.is(error) && error.code === 'STORE_UNAVAILABLE';

/**
 * Reports why checks answer from a fallback: a store that cannot be read once per outage (until
 * a check reads it again), so an outage does not log once per check; anything unexpected every
 * time. A closed instance is the caller's own doing and not reported.
 */
export class FallbackLog {
  readonly #log: AllotLogger;
  #outage = false;

  constructor(log: AllotLogger) {
    this.#log = log;
  }

  /** A check read the store: the next failure starts a new outage. */
  recovered(): void {
    if (this.#outage) this.#outage = false;
  }

  fellBack(error: unknown): void {
    if (!storeFailure(error)) {
      this.#log.error('unexpected error in a check; answering from the fallback', error);
      return;
    }
    if (this.#outage || (AllotError.is(error) && error.code === 'CLOSED')) return;
    this.#outage = true;
    this.#log.error('the store cannot be read; checks answer from the fallback until it can', error);
  }
}
