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

/**
 * A non-negative decimal given as a number or a string, kept as a string so no float ever touches
 * a credit amount: the same rule as money amounts.
 *
 * @example creditDecimal.parse(12.5) // '12.5'
 */
export const creditDecimal = decimalAmount;

/**
 * A decimal greater than 0, as a string.
 *
 * @example positiveCreditDecimal.parse('0.5') // '0.5'
 */
export const positiveCreditDecimal = z.lazy(() =>
  creditDecimal.refine((v) => /[1-9]/.test(v), 'must be greater than 0'),
);
