import { z } from 'zod';

/**
 * An id: 1–255 characters, not blank, no control characters (they would hide in logs and keys).
 * Its own module so the catalog, coupon and credit schemas share it without an import cycle.
 */
export const id = z
  .string()
  .min(1, 'must not be empty')
  .max(255)
  .regex(/\S/, 'must not be blank')
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
