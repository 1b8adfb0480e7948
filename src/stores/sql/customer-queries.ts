// The customer queries of the SQL stores, and the customer row mappers.
import type { CustomerRecord } from '../../model/records.js';
import type { CustomersTable } from './schema.js';
import { type Building, type Db, metadataColumn, parseMetadataColumn } from './sql-rows.js';

/** The customer with this id. */
export function selectCustomer(db: Db, p: { customerId: string }) {
  return db.selectFrom('customers').selectAll().where('id', '=', p.customerId);
}

/** A page of customers with an id greater than `afterId` ('' for the first page), by id. */
export function selectCustomerPage(db: Db, p: { afterId: string; limit: number }) {
  return db.selectFrom('customers').selectAll().where('id', '>', p.afterId).orderBy('id').limit(p.limit);
}

/** Inserts the customer or replaces the one with the same id. */
export function upsertCustomer(db: Db, row: CustomersTable) {
  const { id, ...rest } = row;
  return db
    .insertInto('customers')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(rest));
}

/** Columns of a customer. */
export function customerToRow(c: CustomerRecord): CustomersTable {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    billing_id: c.billingId,
    coupon_id: c.couponId,
    coupon_applied_at: c.couponAppliedAt,
    metadata: metadataColumn(c.metadata, c.billing),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    archived_at: c.archivedAt,
  };
}

/** The customer a row holds. */
export function rowToCustomer(r: CustomersTable): CustomerRecord {
  const { metadata, billing } = parseMetadataColumn<CustomerRecord['billing']>(r.metadata);
  const c: Building<CustomerRecord> = {
    id: r.id,
    name: r.name,
    email: r.email,
    billingId: r.billing_id,
    couponId: r.coupon_id,
    couponAppliedAt: r.coupon_applied_at,
    metadata,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    archivedAt: r.archived_at,
  };
  if (billing !== undefined) c.billing = billing;
  return c;
}
