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

/**
 * The same rules without zod, for hot paths that verify their input by hand: a loop over the
 * characters, since two regular expressions per id cost more than the check they guard.
 */
export function isId(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID) return false;
  // Printable ASCII other than a space is never blank; anything else asks the regular expression.
  const first = value.charCodeAt(0);
  if (!(first > 0x20 && first < 0x7f) && !NOT_BLANK.test(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // The control characters (\p{Cc}): C0, DEL and C1.
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return false;
  }
  return true;
}
