// A customer's record through its life: created, updated, archived (ending its subscriptions)
// and restored. Pure: the services persist what these return.
import { AllotError } from '../errors.js';
import type { CustomerRecord, CustomerState, SubscriptionRecord } from '../model/records.js';
import { isOpen } from './subscription-state.js';

/** The details a customer is created or updated with; on update, a field left out is kept. */
export interface CustomerDetails {
  readonly name?: string | null | undefined;
  readonly email?: string | null | undefined;
  readonly billingId?: string | null | undefined;
  readonly couponId?: string | null | undefined;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
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
  return { customer, subscriptions: [], promotions: [], usage: [] };
}

/** The record with the given details changed; a new coupon starts its discount periods now. */
export function updatedCustomer(customer: CustomerRecord, details: CustomerDetails, now: number): CustomerRecord {
  return {
    ...customer,
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
