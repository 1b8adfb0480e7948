import { AllotError } from '../errors.js';

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
