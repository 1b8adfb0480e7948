// Which PostgreSQL failures mean "the server cannot be reached" (STORE_UNAVAILABLE: retry later,
// nothing was written) and which are errors of the statement itself (STORE_ERROR).
import { AllotError } from '../../errors.js';
import { storeError } from '../store-errors.js';

/** Socket errors of a connection that never came up or went away. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** SQLSTATEs of a server shutting down or refusing connections (class 08 is handled by prefix). */
const SERVER_GONE: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03']);

/** pg's own messages for a connection that died, timed out, went unanswered or was closed under a query. */
const LOST =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Client was closed/i;

interface ErrorFields {
  readonly code?: unknown;
  readonly syscall?: unknown;
  readonly message?: unknown;
  readonly errors?: unknown;
}

/** Whether `cause` says the server is unreachable rather than that a statement failed. */
export function isConnectionError(cause: unknown): boolean {
  if (typeof cause !== 'object' || cause === null) return false;
  const e = cause as ErrorFields;
  const code = typeof e.code === 'string' ? e.code : '';
  if (NETWORK_CODES.has(code) || SERVER_GONE.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  // A unix socket path that does not exist: no server listens in that directory.
  if (code === 'ENOENT' && e.syscall === 'connect') return true;
  if (typeof e.message === 'string' && LOST.test(e.message)) return true;
  // Node's happy-eyeballs connect reports every address it tried.
  return Array.isArray(e.errors) && e.errors.some(isConnectionError);
}

/**
 * `cause` as an AllotError naming the store: STORE_UNAVAILABLE when the server cannot be reached,
 * STORE_ERROR otherwise. AllotErrors pass through unchanged.
 */
export function postgresError(store: string, operation: string, cause: unknown): AllotError {
  if (AllotError.is(cause)) return cause;
  if (!isConnectionError(cause)) return storeError(store, operation, cause);
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new AllotError('STORE_UNAVAILABLE', `${store}: ${operation} failed, the server is unreachable: ${reason}`, {
    cause,
  });
}
