import type { Entitlement, EntitlementType } from '../core/entitlement-results.js';

/** What a check answers when the store cannot be read: per feature, or per call in `options.fallback`. */
export interface EntitlementFallback {
  hasAccess: boolean;
  value?: number;
  usageLimit?: number;
  isUnlimited?: boolean;
  hasSoftLimit?: boolean;
  currentUsage?: number;
  enumValues?: string[];
}

const DEFAULTS: { [K in EntitlementType]: Omit<Extract<Entitlement, { type: K }>, 'hasAccess' | 'isFallback'> } = {
  BOOLEAN: { type: 'BOOLEAN' },
  NUMERIC: { type: 'NUMERIC', isUnlimited: false },
  METERED: { type: 'METERED', isUnlimited: false, hasSoftLimit: false, currentUsage: 0, requestedUsage: 0 },
  ENUM: { type: 'ENUM', enumValues: [] },
};

/**
 * The fallback answer for a check: the type's neutral values, overlaid with the fallback given.
 * Unlike the reference SDK, a fallback that grants access carries no `accessDeniedReason`.
 */
export function fallbackEntitlement(
  type: EntitlementType,
  fallback: EntitlementFallback | undefined,
  requestedUsage?: number,
): Entitlement {
  const result = { ...DEFAULTS[type], hasAccess: false, ...fallback, isFallback: true } as Entitlement;
  if (result.type === 'METERED' && requestedUsage !== undefined) result.requestedUsage = requestedUsage;
  if (!result.hasAccess) result.accessDeniedReason = 'Unknown';
  return result;
}
