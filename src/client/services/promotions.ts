// Promotional entitlements: granted across all of a customer's subscriptions until their period
// ends, and revoked.
import { assertEntitlementsFit, toEntitlementSpec } from '../../catalog/catalog.js';
import { requireCustomerState } from '../../core/customer-records.js';
import { grantPromotions, revokePromotion } from '../../core/promotions.js';
import { resourcesOf } from '../../core/subscription-scope.js';
import type { Engine } from '../engine/engine.js';
import { randomHex } from '../ids.js';
import { grantPromotionsSchema, parse, revokePromotionSchema } from '../input-schemas.js';
import type { GrantPromotionalEntitlementsParams, RevokePromotionalEntitlementsParams } from '../params.js';
import { type PromotionalEntitlement, promotionShape } from '../result-shapes.js';

const promotionId = (featureId: string) => `promotion-${featureId}-${randomHex(16)}`;

export class Promotions {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async grant(params: GrantPromotionalEntitlementsParams): Promise<PromotionalEntitlement[]> {
    const p = parse(grantPromotionsSchema, params, 'grantPromotionalEntitlements');
    return this.#engine.mutate(p.customerId, async (entry, tx, now, catalog) => {
      const state = requireCustomerState(entry.state, p.customerId);
      assertEntitlementsFit(catalog, p.promotionalEntitlements.map(toEntitlementSpec));
      const { granted, replaced, promotions } = grantPromotions(state, p.promotionalEntitlements, now, promotionId);
      for (const old of replaced) await tx.deletePromotion(old.id);
      for (const g of granted) await tx.putPromotion(g);
      return {
        result: granted.map((g) => promotionShape(g, this.#engine.featureInfo(g.featureId), now)),
        state: { ...state, promotions },
        changedResources: resourcesOf(state),
      };
    });
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
}
