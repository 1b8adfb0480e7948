import { AllotError } from '../errors.js';
import type { SubscriptionFilter } from './store.js';

/** The backend failure `cause`, as a STORE_ERROR naming the store and what it was doing. */
export function storeError(store: string, operation: string, cause: unknown): AllotError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new AllotError('STORE_ERROR', `${store}: ${operation} failed: ${reason}`, { cause });
}

/** The store was used before `open()` resolved, or after `close()`. */
export function notOpenError(store: string, closed: boolean): AllotError {
  return closed
    ? new AllotError('CLOSED', `${store}: the store is closed`)
    : new AllotError('NOT_INITIALIZED', `${store}: call open() before using the store`);
}

/** A transaction or reader was used after its callback settled, when its writes would escape it. */
export function transactionEndedError(store: string): AllotError {
  return new AllotError('INVALID_OPERATION', `${store}: the transaction has already ended`);
}

/** A subscription listing or count that breaks the contract, as INVALID_INPUT; undefined when it is sound. */
export function subscriptionQueryError(
  store: string,
  query: SubscriptionFilter & { readonly afterId?: string; readonly beforeId?: string; readonly limit?: number },
  paged: boolean,
): AllotError | undefined {
  const invalid = (reason: string) => new AllotError('INVALID_INPUT', `${store}: ${reason}`);
  if (query.statuses !== undefined && !Number.isFinite(query.now))
    return invalid('a subscription status filter needs the instant `now` to take statuses at');
  if (!paged) return undefined;
  if (query.afterId !== undefined && query.beforeId !== undefined) return invalid('give afterId or beforeId, not both');
  const { limit } = query;
  if (limit === undefined || !Number.isInteger(limit) || limit < 0)
    return invalid(`limit must be a non-negative integer, not ${String(limit)}`);
  return undefined;
}
