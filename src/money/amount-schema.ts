// Every schema here is z.lazy, built on its first parse, so importing allot builds none.
import { z } from 'zod';

const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * A non-negative decimal amount given as a number or a string, kept as a string so no float ever
 * touches money. A number must print as plain decimal digits (1e-7 or 1e21 would not); pass a
 * string to be sure of the digits, since a float such as 0.1 + 0.2 prints as 0.30000000000000004.
 *
 * @example decimalAmount.parse(12.5) // '12.5'
 */
export const decimalAmount = z.lazy(() =>
  z
    .union([
      z
        .number()
        .refine(
          (n) => DECIMAL.test(String(n)),
          'a number that prints as plain decimal digits; use a string such as "12.50"',
        ),
      z.string().regex(DECIMAL, 'a non-negative decimal such as "12.50"'),
    ])
    .transform((v) => (typeof v === 'number' ? String(v) : v)),
);

/**
 * An ISO 4217 currency code, upper-cased so comparisons never depend on the catalog's spelling.
 *
 * @example currencyCode.parse('usd') // 'USD'
 */
export const currencyCode = z.lazy(() =>
  z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'an ISO 4217 currency code')
    .transform((c) => c.toUpperCase()),
);

/** The decimal places a credit amount may have. */
export const CREDIT_SCALE = 4;
/**
 * Credit amounts stay below this: with at most CREDIT_SCALE decimal places, amount × 10^4 is below
 * 10^15, so an amount has at most 15 significant digits (DBL_DIG). That is what makes it round-trip
 * exactly through a double (the number-typed result fields; 9007199254740993 would read back as
 * ...992) and keeps sums of amounts exact integers of 10^-4 well inside Number.MAX_SAFE_INTEGER.
 */
export const CREDIT_LIMIT = 1e11;
// Leading zeros add no digits; trailing zeros of the fraction add no places.
const CREDIT = /^0*\d{1,11}(\.\d{0,4}0*)?$/;

/**
 * A non-negative credit amount given as a number or a string, kept as a string so no float ever
 * touches it: the same rule as money amounts, bounded below CREDIT_LIMIT with at most CREDIT_SCALE
 * (4) decimal places, so 99999999999.9999 is the largest.
 *
 * @example creditDecimal.parse(12.5) // '12.5'
 */
export const creditDecimal = z.lazy(() =>
  decimalAmount.refine(
    (v) => CREDIT.test(v),
    `a credit amount below ${CREDIT_LIMIT} with at most ${CREDIT_SCALE} decimal places`,
  ),
);

const greaterThanZero = (v: string) => /[1-9]/.test(v);

/**
 * A credit amount greater than 0, as a string.
 *
 * @example positiveCreditDecimal.parse('0.5') // '0.5'
 */
export const positiveCreditDecimal = z.lazy(() => creditDecimal.refine(greaterThanZero, 'must be greater than 0'));

/**
 * A rate greater than 0 (credits per unit of usage), as a string: a rate multiplies amounts rather
 * than being one, so it keeps every decimal place (0.00000015 credits per token).
 *
 * @example positiveRate.parse('0.5') // '0.5'
 */
export const positiveRate = z.lazy(() => decimalAmount.refine(greaterThanZero, 'must be greater than 0'));
