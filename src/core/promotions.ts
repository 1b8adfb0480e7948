// Promotional entitlements: when a grant ends, and a customer's promotions after a grant or a
// revocation. Pure: the service persists what these return.
import { type EntitlementInput, toEntitlementSpec } from '../catalog/entitlement-spec.js';
import { AllotError } from '../errors.js';
import type { PromotionalEntitlementPeriod } from '../model/enums.js';
import { byId, type CustomerState, type PromotionRecord } from '../model/records.js';
import { addMonthsUtc } from './reset-period.js';

const DAY_MS = 86_400_000;
const PERIOD_MONTHS: Partial<Record<PromotionalEntitlementPeriod, number>> = {
  ONE_MONTH: 1,
  SIX_MONTH: 6,
  ONE_YEAR: 12,
};

/** A promotion to grant: the feature's entitlement values, for how long, and whether the customer sees it. */
export interface PromotionGrant extends EntitlementInput {
  readonly period: PromotionalEntitlementPeriod;
  /** With `CUSTOM`: when it ends. */
  readonly customEndDate?: number | undefined;
  readonly isVisible?: boolean | undefined;
}

/** When a promotion granted at `now` ends: null for LIFETIME; calendar months from `now` (UTC). */
export function promotionEnd(period: PromotionalEntitlementPeriod, now: number, customEndDate?: number): number | null {
  if (period === 'LIFETIME') return null;
  if (period === 'CUSTOM') return customEndDate ?? now;
  if (period === 'ONE_WEEK') return now + 7 * DAY_MS;
  return addMonthsUtc(now, PERIOD_MONTHS[period] ?? 1);
}

/**
 * The records of the granted promotions and the customer's promotions after the grant: granting
 * a feature again replaces its earlier promotion (listed in `replaced`). With `featureGroupId`
 * the promotions are granted as that group, replacing the group's earlier grant whole. A
 * promotion that would end before it starts is refused.
 */
export function grantPromotions(
  state: CustomerState,
  grants: readonly PromotionGrant[],
  now: number,
  newId: (featureId: string) => string,
  featureGroupId?: string,
): { granted: PromotionRecord[]; replaced: PromotionRecord[]; promotions: PromotionRecord[] } {
  const granted = grants.map((g): PromotionRecord => {
    const endDate = promotionEnd(g.period, now, g.customEndDate);
    if (endDate !== null && endDate <= now)
      throw new AllotError('INVALID_INPUT', `promotion for "${g.featureId}" would end before it starts`, {
        details: { featureId: g.featureId },
      });
    return {
      id: newId(g.featureId),
      customerId: state.customer.id,
      featureId: g.featureId,
      period: g.period,
      entitlement: toEntitlementSpec(g),
      isVisible: g.isVisible ?? true,
      startDate: now,
      endDate,
      createdAt: now,
      updatedAt: now,
      ...(featureGroupId === undefined ? {} : { featureGroupId }),
    };
  });
  const features = new Set(granted.map((g) => g.featureId));
  const replaces = (old: PromotionRecord) =>
    features.has(old.featureId) || (featureGroupId !== undefined && old.featureGroupId === featureGroupId);
  const replaced = state.promotions.filter(replaces);
  const kept = state.promotions.filter((old) => !replaces(old));
  return { granted, replaced, promotions: [...kept, ...granted].sort(byId) };
}

/** The customer's promotions in a group; PROMOTIONAL_ENTITLEMENT_NOT_FOUND when the group has none. */
function requireGroup(state: CustomerState, featureGroupId: string): PromotionRecord[] {
  const group = state.promotions.filter((p) => p.featureGroupId === featureGroupId);
  if (group.length === 0)
    throw new AllotError(
      'PROMOTIONAL_ENTITLEMENT_NOT_FOUND',
      `customer "${state.customer.id}" has no promotional entitlements in group "${featureGroupId}"`,
      { details: { customerId: state.customer.id, featureGroupId } },
    );
  return group;
}

/** The promotions of a group, revoked together, and the customer's promotions without them. */
export function revokePromotionsGroup(
  state: CustomerState,
  featureGroupId: string,
): { revoked: PromotionRecord[]; promotions: PromotionRecord[] } {
  const revoked = requireGroup(state, featureGroupId);
  return { revoked, promotions: state.promotions.filter((p) => !revoked.includes(p)) };
}

/** The promotions of a group, detached from it and kept as promotions of their own, and the customer's promotions after. */
export function unlinkPromotionsGroup(
  state: CustomerState,
  featureGroupId: string,
  now: number,
): { unlinked: PromotionRecord[]; promotions: PromotionRecord[] } {
  const group = new Set(requireGroup(state, featureGroupId));
  const promotions = state.promotions.map((p) => {
    if (!group.has(p)) return p;
    const { featureGroupId: _, ...alone } = p;
    return { ...alone, updatedAt: now };
  });
  return { unlinked: promotions.filter((p, i) => state.promotions[i] !== p), promotions };
}

/** The customer's promotion of a feature and their promotions without it; PROMOTIONAL_ENTITLEMENT_NOT_FOUND when there is none. */
export function revokePromotion(
  state: CustomerState,
  featureId: string,
): { revoked: PromotionRecord; promotions: PromotionRecord[] } {
  const revoked = state.promotions.find((x) => x.featureId === featureId);
  if (!revoked)
    throw new AllotError(
      'PROMOTIONAL_ENTITLEMENT_NOT_FOUND',
      `customer "${state.customer.id}" has no promotional entitlement for "${featureId}"`,
      { details: { customerId: state.customer.id, featureId } },
    );
  return { revoked, promotions: state.promotions.filter((x) => x.id !== revoked.id) };
}
