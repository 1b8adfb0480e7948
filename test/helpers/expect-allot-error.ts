import { expect } from 'vitest';
import { AllotError, type AllotErrorCode } from '../../src/errors.js';

/**
 * Runs `fn`, which must throw an AllotError with `code` (and `details.reason` when given) whose
 * message carries the `[allot] ` prefix; returns the error for further checks.
 */
export function expectAllotError(fn: () => unknown, code: AllotErrorCode, reason?: string): AllotError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error(`expected AllotError ${code}, nothing was thrown`);
  if (!AllotError.is(thrown)) throw new Error(`expected AllotError ${code}, got ${String(thrown)}`);
  expect(thrown.code).toBe(code);
  expect(thrown.message.startsWith('[allot] ')).toBe(true);
  if (reason !== undefined) expect((thrown.details as { reason?: string }).reason).toBe(reason);
  return thrown;
}
