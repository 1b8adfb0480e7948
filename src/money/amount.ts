// Internal: credit amounts as exact decimals, carried as plain decimal strings in records.
import { AllotError } from '../errors.js';
import { Decimal, type DecimalValue, decimalOf } from './money.js';

/** A decimal string in plain notation (never an exponent), with `-0` printed as `0`. */
export function decimalString(value: Decimal): string {
  return value.isZero() ? '0' : value.toFixed();
}

/** The Decimal of a record's decimal string (trusted: records only ever hold what we wrote). */
export function dec(value: DecimalValue): Decimal {
  return new Decimal(value);
}

/** A strictly positive finite amount from caller input; anything else throws INVALID_INPUT naming `what`. */
export function positiveAmount(value: DecimalValue, what: string): Decimal {
  const d = decimalOf(value, what);
  if (!d.isPositive() || d.isZero())
    throw new AllotError('INVALID_INPUT', `${what} must be greater than 0, got ${String(value)}`, {
      details: { [what]: String(value) },
    });
  return d;
}

/** A finite amount of at least 0 from caller input; anything else throws INVALID_INPUT naming `what`. */
export function nonNegativeAmount(value: DecimalValue, what: string): Decimal {
  const d = decimalOf(value, what);
  if (d.isNegative() && !d.isZero())
    throw new AllotError('INVALID_INPUT', `${what} must not be negative, got ${String(value)}`, {
      details: { [what]: String(value) },
    });
  return d;
}

/** The sum of decimal values, exactly. */
export function sumOf(values: Iterable<DecimalValue>): Decimal {
  let total = new Decimal(0);
  for (const v of values) total = total.plus(v);
  return total;
}
