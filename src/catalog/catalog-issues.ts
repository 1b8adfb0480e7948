import type { z } from 'zod';
import { AllotError } from '../errors.js';

/** One problem of an invalid catalog (`INVALID_CATALOG`'s details): where, what, and for unknown keys which ones. */
export interface CatalogIssue {
  path: (string | number)[];
  message: string;
  keys?: string[];
}

/** The INVALID_CATALOG error for the issues, one a line in its message. */
export function invalidCatalog(issues: CatalogIssue[]): AllotError {
  const lines = issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  return new AllotError('INVALID_CATALOG', `invalid catalog:\n  ${lines.join('\n  ')}`, { details: issues });
}

/** zod's issues in the catalog's terms: symbol keys as strings, unknown keys named. */
export function zodIssues(error: z.ZodError): CatalogIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: i.message,
    ...(i.code === 'unrecognized_keys' ? { keys: i.keys } : {}),
  }));
}
