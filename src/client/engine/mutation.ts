// What a service's write hands the kernel, and how a batch names the item that failed.
import type { CreditPool } from '../../credits/credit-pool.js';
import { AllotError } from '../../errors.js';
import type { GovernanceIndex } from '../../governance/governance-index.js';
import type { CustomerState, SubscriptionRecord } from '../../model/records.js';
import type { WrittenCounter } from '../usage-batch.js';
import type { AutoRechargeSkippedEvent } from './listeners.js';

/** What a write did to one customer: its result, the new state, and what to cache and announce after commit. */
export interface Mutation<T> {
  result: T;
  state?: CustomerState;
  /** Usage windows written. */
  counters?: readonly WrittenCounter[];
  /** Credit pools written, as they now stand in the store (compacted). */
  credits?: readonly CreditPool[];
  /** Automatic recharges that were due but skipped by the spend limit. */
  rechargesSkipped?: readonly AutoRechargeSkippedEvent[];
  /** Scopes whose entitlements may have changed (null: customer-wide). */
  changedResources?: Iterable<string | null>;
  subscriptions?: readonly SubscriptionRecord[];
  /** The owner's governance index after the write. */
  governance?: GovernanceIndex;
}

/** An item of a batch and its position in it (none for a single-item call). */
export interface Indexed<T> {
  readonly item: T;
  readonly index?: number;
}

/** A batch's items by customer, each with its position in the batch, customers in order of first appearance. */
export function byCustomer<I extends { customerId: string }>(items: readonly I[]): Map<string, Required<Indexed<I>>[]> {
  const groups = new Map<string, Required<Indexed<I>>[]>();
  items.forEach((item, index) => {
    const list = groups.get(item.customerId);
    if (list) list.push({ item, index });
    else groups.set(item.customerId, [{ item, index }]);
  });
  return groups;
}

/** The error of a batch's item `index`: an AllotError names the item, so a rejected batch says which one failed; anything else passes as it is. */
export function itemError(index: number | undefined, e: unknown): unknown {
  if (index === undefined || !AllotError.is(e)) return e;
  const details = typeof e.details === 'object' && e.details !== null ? e.details : { cause: e.details };
  return new AllotError(e.code, `item ${index}: ${e.message.replace(/^\[allot\] /, '')}`, {
    details: { ...details, index },
    cause: e,
  });
}
