// A customer's record through its life: created, updated, archived (ending its subscriptions)
// and restored. Pure: the services persist what these return.
import { AllotError } from '../errors.js';
import type { CustomerBilling, CustomerBillingInfo } from '../model/billing.js';
import type { CustomerRecord, CustomerState, SubscriptionRecord } from '../model/records.js';
import { isOpen } from './subscription-state.js';

/** The details a customer is created or updated with; on update, a field left out is kept (null clears it). */
export interface CustomerDetails {
  readonly name?: string | null | undefined;
  readonly email?: string | null | undefined;
  readonly billingId?: string | null | undefined;
  readonly couponId?: string | null | undefined;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  readonly billingInfo?: CustomerBillingInfo | null | undefined;
  readonly salesforceId?: string | null | undefined;
  readonly awsMarketplaceCustomerId?: string | null | undefined;
}

const BILLING_FIELDS = ['billingInfo', 'salesforceId', 'awsMarketplaceCustomerId'] as const;

/** The customer's billing details with the given ones in place: undefined keeps one, null removes it. */
function withBilling(customer: CustomerRecord, details: CustomerDetails): CustomerRecord {
  const { billing, ...rest } = customer;
  const next: Record<string, unknown> = { ...billing };
  for (const field of BILLING_FIELDS) {
    const value = details[field];
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  return Object.keys(next).length === 0 ? rest : { ...rest, billing: next as CustomerBilling };
}

/** The customer's state; CUSTOMER_NOT_FOUND when there is none, CUSTOMER_ARCHIVED unless `allowArchived`. */
export function requireCustomerState(
  state: CustomerState | undefined,
  customerId: string,
  opts: { readonly allowArchived?: boolean } = {},
): CustomerState {
  if (!state)
    throw new AllotError('CUSTOMER_NOT_FOUND', `customer "${customerId}" does not exist`, { details: { customerId } });
  if (state.customer.archivedAt !== null && !opts.allowArchived)
    throw new AllotError('CUSTOMER_ARCHIVED', `customer "${customerId}" is archived`, { details: { customerId } });
  return state;
}

/**
 * A new customer's record. An id already taken throws CUSTOMER_ALREADY_EXISTS, or
 * CUSTOMER_ARCHIVED when its customer is archived: archived ids are never reused.
 */
export function newCustomer(
  existing: CustomerState | undefined,
  customerId: string,
  details: CustomerDetails,
  now: number,
): CustomerState {
  if (existing) {
    const archived = existing.customer.archivedAt !== null;
    throw new AllotError(
      archived ? 'CUSTOMER_ARCHIVED' : 'CUSTOMER_ALREADY_EXISTS',
      archived
        ? `customer "${customerId}" is archived; an archived id cannot be reused`
        : `customer "${customerId}" already exists`,
      { details: { customerId } },
    );
  }
  const customer: CustomerRecord = {
    id: customerId,
    name: details.name ?? null,
    email: details.email ?? null,
    billingId: details.billingId ?? null,
    couponId: details.couponId ?? null,
    couponAppliedAt: details.couponId ? now : null,
    metadata: details.metadata ?? {},
    createdAt: now,
    updatedAt: now,
    archivedAt: null,
  };
  return { customer: withBilling(customer, details), subscriptions: [], promotions: [], usage: [] };
}

/** The record with the given details changed; a new coupon starts its discount periods now. */
export function updatedCustomer(customer: CustomerRecord, details: CustomerDetails, now: number): CustomerRecord {
  return {
    ...withBilling(customer, details),
    ...(details.name !== undefined ? { name: details.name } : {}),
    ...(details.email !== undefined ? { email: details.email } : {}),
    ...(details.billingId !== undefined ? { billingId: details.billingId } : {}),
    ...(details.couponId !== undefined && details.couponId !== customer.couponId
      ? { couponId: details.couponId, couponAppliedAt: details.couponId === null ? null : now }
      : {}),
    ...(details.metadata !== undefined ? { metadata: details.metadata } : {}),
    updatedAt: now,
  };
}

/** The customer archived now, and their open subscriptions ended now; undefined when already archived. */
export function archivedCustomer(
  state: CustomerState,
  now: number,
): { customer: CustomerRecord; ended: SubscriptionRecord[] } | undefined {
  if (state.customer.archivedAt !== null) return undefined;
  const ended = state.subscriptions
    .filter((s) => isOpen(s, now))
    .map((s) => ({
      ...s,
      endDate: now,
      cancellationDate: now,
      cancelReason: 'CustomerArchived' as const,
      scheduledUpdates: [],
      updatedAt: now,
    }));
  return { customer: { ...state.customer, archivedAt: now, updatedAt: now }, ended };
}

/** The customer restored; CUSTOMER_NOT_ARCHIVED when they are not archived. Ended subscriptions stay ended. */
export function unarchivedCustomer(state: CustomerState, now: number): CustomerRecord {
  const { customer } = state;
  if (customer.archivedAt === null)
    throw new AllotError('CUSTOMER_NOT_ARCHIVED', `customer "${customer.id}" is not archived`, {
      details: { customerId: customer.id },
    });
  return { ...customer, archivedAt: null, updatedAt: now };
}
