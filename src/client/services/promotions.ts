// Promotional entitlements: granted across all of a customer's subscriptions until their period
// ends, and revoked; alone, or as a named group granted, revoked or unlinked together.
import { assertEntitlementsFit } from '../../catalog/catalog.js';
import { toEntitlementSpec } from '../../catalog/entitlement-spec.js';
import { requireCustomerState } from '../../core/customer-records.js';
import {
  grantPromotions,
  type PromotionGrant,
  revokePromotion,
  revokePromotionsGroup,
  unlinkPromotionsGroup,
} from '../../core/promotions.js';
import { resourcesOf } from '../../core/subscription-scope.js';
import type { PromotionRecord } from '../../model/records.js';
import type { Engine } from '../engine/engine.js';
import { randomHex } from '../ids.js';
import { grantPromotionsSchema, parse, revokePromotionSchema } from '../input-schemas.js';
import type {
  GrantPromotionalEntitlementsGroupParams,
  GrantPromotionalEntitlementsParams,
  PromotionalEntitlementsGroupParams,
  RevokePromotionalEntitlementsParams,
} from '../params.js';
import { type PromotionalEntitlement, promotionShape } from '../result-shapes.js';
import { grantPromotionsGroupSchema, promotionsGroupSchema } from '../sdk-input-schemas.js';

const promotionId = (featureId: string) => `promotion-${featureId}-${randomHex(16)}`;

export class Promotions {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async grant(params: GrantPromotionalEntitlementsParams): Promise<PromotionalEntitlement[]> {
    const p = parse(grantPromotionsSchema, params, 'grantPromotionalEntitlements');
    return this.#grant(p.customerId, p.promotionalEntitlements);
  }

  /** Grants the promotions as group `featureGroupId`, replacing the group's earlier grant whole. */
  async grantGroup(params: GrantPromotionalEntitlementsGroupParams): Promise<PromotionalEntitlement[]> {
    const p = parse(grantPromotionsGroupSchema, params, 'grantPromotionalEntitlementsGroup');
    return this.#grant(p.customerId, p.promotionalEntitlements, p.featureGroupId);
  }

  async revoke(params: RevokePromotionalEntitlementsParams): Promise<{ id: string }> {
    const p = parse(revokePromotionSchema, params, 'revokePromotionalEntitlements');
    return this.#engine.mutate(p.customerId, async (entry, tx) => {
      const state = requireCustomerState(entry.state, p.customerId, { allowArchived: true });
      const { revoked, promotions } = revokePromotion(state, p.featureId);
      await tx.deletePromotion(revoked.id);
      return { result: { id: revoked.id }, state: { ...state, promotions }, changedResources: resourcesOf(state) };
    });
  }

  /** Revokes every promotion of the group; answers them as they were. */
  async revokeGroup(params: PromotionalEntitlementsGroupParams): Promise<PromotionalEntitlement[]> {
    const p = parse(promotionsGroupSchema, params, 'revokePromotionalEntitlementsGroup');
    return this.#engine.mutate(p.customerId, async (entry, tx, now) => {
      const state = requireCustomerState(entry.state, p.customerId, { allowArchived: true });
      const { revoked, promotions } = revokePromotionsGroup(state, p.featureGroupId);
      for (const r of revoked) await tx.deletePromotion(r.id);
      return {
        result: this.#shapes(revoked, now),
        state: { ...state, promotions },
        changedResources: resourcesOf(state),
      };
    });
  }

  /** Detaches the group's promotions from it: they stay granted, each now revoked on its own. */
  async unlinkGroup(params: PromotionalEntitlementsGroupParams): Promise<PromotionalEntitlement[]> {
    const p = parse(promotionsGroupSchema, params, 'unlinkPromotionalEntitlementsGroup');
    return this.#engine.mutate(p.customerId, async (entry, tx, now) => {
      const state = requireCustomerState(entry.state, p.customerId, { allowArchived: true });
      const { unlinked, promotions } = unlinkPromotionsGroup(state, p.featureGroupId, now);
      for (const u of unlinked) await tx.putPromotion(u);
      return { result: this.#shapes(unlinked, now), state: { ...state, promotions } };
    });
  }

  #grant(customerId: string, grants: readonly PromotionGrant[], featureGroupId?: string) {
    return this.#engine.mutate(customerId, async (entry, tx, now, catalog) => {
      const state = requireCustomerState(entry.state, customerId);
      assertEntitlementsFit(catalog, grants.map(toEntitlementSpec));
      const { granted, replaced, promotions } = grantPromotions(state, grants, now, promotionId, featureGroupId);
      for (const old of replaced) await tx.deletePromotion(old.id);
      for (const g of granted) await tx.putPromotion(g);
      return {
        result: this.#shapes(granted, now),
        state: { ...state, promotions },
        changedResources: resourcesOf(state),
      };
    });
  }

  #shapes(promotions: readonly PromotionRecord[], now: number): PromotionalEntitlement[] {
    return promotions.map((p) => promotionShape(p, this.#engine.featureInfo(p.featureId), now));
  }
}
