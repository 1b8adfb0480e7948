// Internal: an AllotError for each way a credit operation is refused.
import { AllotError } from '../errors.js';

/** Why a credit operation was refused; each is its own stable `ERROR_CODES` value. */
export type CreditFailure =
  | 'INSUFFICIENT_CREDITS'
  | 'CREDIT_GRANT_NOT_FOUND'
  | 'CREDIT_GRANT_VOIDED'
  | 'CREDIT_GRANT_EXPIRED'
  | 'CREDIT_GRANT_ALREADY_EXISTS'
  | 'CURRENCY_NOT_FOUND';

/** An AllotError for a credit failure: `details` carries `reason` (the code) plus the given facts. */
export function creditError(reason: CreditFailure, message: string, details: Record<string, unknown> = {}): AllotError {
  return new AllotError(reason, message, { details: { reason, ...details } });
}
