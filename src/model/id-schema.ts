// Every schema here is z.lazy, built on its first parse, so importing allot builds none.
import { z } from 'zod';

const MAX_ID = 255;
const NOT_BLANK = /\S/;
const NO_CONTROL = /^[^\p{Cc}]*$/u;

/**
 * An id: 1–255 characters, not blank, no control characters (they would hide in logs and keys).
 * Its own module so the catalog, coupon and credit schemas share it without an import cycle.
 */
export const id = z.lazy(() =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(MAX_ID)
    .regex(NOT_BLANK, 'must not be blank')
    .regex(NO_CONTROL, 'must not contain control characters'),
);

/** The same rules without zod, for hot paths that verify their input by hand. */
export function isId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_ID &&
    NOT_BLANK.test(value) &&
    NO_CONTROL.test(value)
  );
}
