/** Stable error codes: callers branch on these, so values never change once published. */
export const ERROR_CODES = {
  INVALID_INPUT: 'INVALID_INPUT',
  INVALID_CATALOG: 'INVALID_CATALOG',
  /**
   * `loadCatalog` could not read the file (missing, a directory, not permitted; `details.code` is the
   * system's), or `Allot.open` found no catalog stored (the store was never initialized by an allot that stores one).
   */
  CATALOG_NOT_FOUND: 'CATALOG_NOT_FOUND',
  NOT_INITIALIZED: 'NOT_INITIALIZED',
  CLOSED: 'CLOSED',
  CUSTOMER_NOT_FOUND: 'CUSTOMER_NOT_FOUND',
  CUSTOMER_ALREADY_EXISTS: 'CUSTOMER_ALREADY_EXISTS',
  CUSTOMER_ARCHIVED: 'CUSTOMER_ARCHIVED',
  CUSTOMER_NOT_ARCHIVED: 'CUSTOMER_NOT_ARCHIVED',
  PLAN_NOT_FOUND: 'PLAN_NOT_FOUND',
  ADDON_NOT_FOUND: 'ADDON_NOT_FOUND',
  ADDON_NOT_COMPATIBLE: 'ADDON_NOT_COMPATIBLE',
  ADDON_QUANTITY_EXCEEDED: 'ADDON_QUANTITY_EXCEEDED',
  FEATURE_NOT_FOUND: 'FEATURE_NOT_FOUND',
  FEATURE_NOT_METERED: 'FEATURE_NOT_METERED',
  SUBSCRIPTION_NOT_FOUND: 'SUBSCRIPTION_NOT_FOUND',
  SUBSCRIPTION_ALREADY_EXISTS: 'SUBSCRIPTION_ALREADY_EXISTS',
  SUBSCRIPTION_NOT_ACTIVE: 'SUBSCRIPTION_NOT_ACTIVE',
  PROMOTIONAL_ENTITLEMENT_NOT_FOUND: 'PROMOTIONAL_ENTITLEMENT_NOT_FOUND',
  INVALID_OPERATION: 'INVALID_OPERATION',
  COUPON_NOT_FOUND: 'COUPON_NOT_FOUND',
  PROMOTION_CODE_NOT_FOUND: 'PROMOTION_CODE_NOT_FOUND',
  PROMOTION_CODE_NOT_APPLICABLE: 'PROMOTION_CODE_NOT_APPLICABLE',
  PRICE_NOT_FOUND: 'PRICE_NOT_FOUND',
  INSUFFICIENT_CREDITS: 'INSUFFICIENT_CREDITS',
  CREDIT_GRANT_NOT_FOUND: 'CREDIT_GRANT_NOT_FOUND',
  CREDIT_GRANT_VOIDED: 'CREDIT_GRANT_VOIDED',
  CREDIT_GRANT_EXPIRED: 'CREDIT_GRANT_EXPIRED',
  CREDIT_GRANT_ALREADY_EXISTS: 'CREDIT_GRANT_ALREADY_EXISTS',
  CURRENCY_NOT_FOUND: 'CURRENCY_NOT_FOUND',
  ENTITY_NOT_FOUND: 'ENTITY_NOT_FOUND',
  ENTITY_CYCLE: 'ENTITY_CYCLE',
  BUDGET_NOT_FOUND: 'BUDGET_NOT_FOUND',
  STORE_ERROR: 'STORE_ERROR',
  /** The store's server cannot be reached (PostgreSQL down, the pool's connection timeout passed); nothing was written. */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** `importStore` was given a store that already holds data; nothing was written. */
  STORE_NOT_EMPTY: 'STORE_NOT_EMPTY',
  /** The store holds an import that did not finish: importing the same dump again resumes it. */
  IMPORT_INCOMPLETE: 'IMPORT_INCOMPLETE',
} as const;

export type AllotErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

const BRAND = Symbol.for('allot.error');

export interface AllotErrorOptions {
  details?: unknown;
  cause?: unknown;
}

/**
 * The one error type allot throws. Branch on `code`; recognise it with `AllotError.is(e)`,
 * which works across the ESM and CJS builds where `instanceof` may not.
 *
 * @example
 * try { await allot.provisionSubscription(params) }
 * catch (e) { if (AllotError.is(e) && e.code === 'PLAN_NOT_FOUND') ... }
 */
export class AllotError extends Error {
  readonly code: AllotErrorCode;
  readonly details: unknown;
  readonly [BRAND] = true;

  constructor(code: AllotErrorCode, message: string, options: AllotErrorOptions = {}) {
    super(`[allot] ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AllotError';
    this.code = code;
    this.details = options.details;
  }

  /** True for any AllotError, from either build of the package. */
  static is(value: unknown): value is AllotError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
