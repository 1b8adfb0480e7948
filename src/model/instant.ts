// Every schema here is z.lazy, built on its first parse, so importing allot builds none.
import { z } from 'zod';

/** The range a JavaScript Date can hold, in epoch ms. */
const DATE_RANGE = 8.64e15;

/** An instant as a Date, an ISO string or epoch ms; parsed to whole epoch ms a Date can hold. */
export const instant = z.lazy(() =>
  z
    .union([z.date(), z.iso.datetime({ offset: true }), z.number()])
    .transform((v) => (v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : v))
    .refine(
      (ms) => Number.isInteger(ms) && Math.abs(ms) <= DATE_RANGE,
      'not a valid date (whole epoch ms in Date range)',
    ),
);
