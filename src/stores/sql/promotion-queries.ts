// The promotion queries of the SQL stores, and the promotion row mappers.
import type { PromotionalEntitlementPeriod } from '../../model/enums.js';
import type { EntitlementSpec, PromotionRecord } from '../../model/records.js';
import type { PromotionsTable } from './schema.js';
import type { Db } from './sql-rows.js';

/** Every promotion of one customer, by id. */
export function selectCustomerPromotions(db: Db, p: { customerId: string }) {
  return db.selectFrom('promotions').selectAll().where('customer_id', '=', p.customerId).orderBy('id');
}

/** Inserts the promotion or replaces the one with the same id. */
export function upsertPromotion(db: Db, row: PromotionsTable) {
  const { id, ...rest } = row;
  return db
    .insertInto('promotions')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(rest));
}

/** Deletes a promotion, returning its customer so the change can be logged. */
export function deletePromotion(db: Db, p: { promotionId: string }) {
  return db.deleteFrom('promotions').where('id', '=', p.promotionId).returning('customer_id');
}

/** Columns of a promotion. */
export function promotionToRow(p: PromotionRecord): PromotionsTable {
  return {
    id: p.id,
    customer_id: p.customerId,
    feature_id: p.featureId,
    period: p.period,
    entitlement: JSON.stringify(p.entitlement),
    is_visible: p.isVisible ? 1 : 0,
    start_date: p.startDate,
    end_date: p.endDate,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    feature_group_id: p.featureGroupId ?? null,
  };
}

/** The promotion a row holds. */
export function rowToPromotion(r: PromotionsTable): PromotionRecord {
  return {
    id: r.id,
    customerId: r.customer_id,
    featureId: r.feature_id,
    period: r.period as PromotionalEntitlementPeriod,
    entitlement: JSON.parse(r.entitlement) as EntitlementSpec,
    isVisible: r.is_visible === 1,
    startDate: r.start_date,
    endDate: r.end_date,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(r.feature_group_id === null ? {} : { featureGroupId: r.feature_group_id }),
  };
}
