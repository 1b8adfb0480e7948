// Shared factories and arbitraries for the credit tests.
import { expect } from 'vitest';
import { type CreditPool, emptyCreditPool, grantCredits, type NewCreditGrant } from '../../src/credits/credit-pool.js';
import { AllotError } from '../../src/errors.js';
import { Decimal } from '../../src/money/money.js';
import { fc } from '../core/fc-setup.js';

export { fc };

export const DAY = 86_400_000;

/** An ISO instant that must carry its zone, as epoch ms, so no test depends on the local zone. */
export function at(iso: string): number {
  if (!/(Z|[+-]\d\d:\d\d)$/.test(iso)) throw new Error(`instant "${iso}" must be explicit UTC`);
  return Date.parse(iso);
}

export const T0 = at('2025-01-31T00:00:00Z');

/** A global pool of customer c1 in the `tokens` currency. */
export function pool(resourceId: string | null = null): CreditPool {
  return emptyCreditPool({ customerId: 'c1', currencyId: 'tokens', resourceId });
}

/** `pool` with `grants` added in order at `now`. */
export function withGrants(start: CreditPool, now: number, ...grants: NewCreditGrant[]): CreditPool {
  return grants.reduce((p, g) => grantCredits(p, g, now).pool, start);
}

/** A grant input with defaults: PAID, effective now, no expiry. */
export function grant(id: string, amount: string, extra: Partial<NewCreditGrant> = {}): NewCreditGrant {
  return { id, grantType: 'PAID', amount, displayName: id, ...extra };
}

export { expectAllotError } from '../helpers/expect-allot-error.js';

/** The failure reason of a thrown credit error, or undefined for anything else. */
export function reasonOf(e: unknown): string | undefined {
  return AllotError.is(e) ? (e.details as { reason?: string } | undefined)?.reason : undefined;
}

/** Exact decimal equality of decimal strings. */
export function expectDecimal(actual: string, expected: string | number): void {
  expect(new Decimal(actual).eq(expected), `${actual} = ${expected}`).toBe(true);
}

/**
 * A positive decimal string with up to 4 fraction digits (0.0001 .. 1000), built exactly; values
 * such as 0.1 and 0.2 are frequent, so float arithmetic would show.
 */
export const positiveDecimal = fc
  .tuple(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 4 }))
  .map(([units, scale]) => new Decimal(units).div(10 ** scale).toFixed());

/** A positive decimal string up to `max`, with up to 2 fraction digits. */
export function decimalUpTo(max: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: 1, max: max * 100 }), fc.constantFrom(0, 1, 2))
    .map(([units, scale]) => new Decimal(units).div(100).toDecimalPlaces(scale, Decimal.ROUND_UP).toFixed());
}

/** A decimal string of at least 0 with up to 4 fraction digits. */
export const nonNegativeDecimal = fc.oneof(fc.constant('0'), positiveDecimal);
