import type { Entitlement, EntitlementType } from '../core/entitlement-results.js';

/** What a check answers when the store cannot be read: per feature, or per call in `options.fallback`. */
export interface EntitlementFallback {
  hasAccess: boolean;
  /** NUMERIC. */
  value?: number;
  /** METERED. */
  usageLimit?: number;
  /** NUMERIC and METERED. */
  isUnlimited?: boolean;
  /** METERED. */
  hasSoftLimit?: boolean;
  /** METERED. */
  currentUsage?: number;
  /** ENUM. */
  enumValues?: string[];
}

/** The type a fallback describes, for a feature the catalog cannot tell (unknown, or not loaded). */
export function fallbackType(fallback: EntitlementFallback | undefined): EntitlementType {
  if (fallback?.usageLimit !== undefined || fallback?.currentUsage !== undefined) return 'METERED';
  if (fallback?.value !== undefined) return 'NUMERIC';
  if (fallback?.enumValues !== undefined) return 'ENUM';
  return 'BOOLEAN';
}

/**
 * The fallback answer for a check of `type`: the type's neutral values with the fields of the
 * fallback that belong to that type. Unlike the reference SDK, a fallback that grants access
 * carries no `accessDeniedReason`; one that denies it says `Unknown`.
 */
export function fallbackEntitlement(
  type: EntitlementType,
  fallback: EntitlementFallback | undefined,
  requestedUsage = 0,
): Entitlement {
  const hasAccess = fallback?.hasAccess ?? false;
  const base = { hasAccess, isFallback: true, ...(hasAccess ? {} : { accessDeniedReason: 'Unknown' as const }) };
  switch (type) {
    case 'BOOLEAN':
      return { type, ...base };
    case 'NUMERIC':
      return {
        type,
        ...base,
        isUnlimited: fallback?.isUnlimited ?? false,
        ...(fallback?.value === undefined ? {} : { value: fallback.value }),
      };
    case 'METERED':
      return {
        type,
        ...base,
        isUnlimited: fallback?.isUnlimited ?? false,
        hasSoftLimit: fallback?.hasSoftLimit ?? false,
        currentUsage: fallback?.currentUsage ?? 0,
        requestedUsage,
        ...(fallback?.usageLimit === undefined ? {} : { usageLimit: fallback.usageLimit }),
      };
    case 'ENUM':
      return { type, ...base, enumValues: [...(fallback?.enumValues ?? [])] };
  }
}
