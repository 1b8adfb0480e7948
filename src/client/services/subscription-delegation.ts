// Delegation of a subscription to another customer: one transaction over the holder and the
// delegate, moving the subscription's records and its recurring credits.
import { requireCustomerState } from '../../core/customer-records.js';
import { delegateSubscription, payerOf } from '../../core/subscription-delegation.js';
import { subscriptionNotFound } from '../../core/subscription-rules.js';
import { byId, type CustomerState, type SubscriptionRecord } from '../../model/records.js';
import { moveSubscriptionCredits, settlePools } from '../credit-writes.js';
import type { Engine } from '../engine/engine.js';
import type { Mutation } from '../engine/mutation.js';
import { parse } from '../input-schemas.js';
import type { DelegateSubscriptionParams } from '../params.js';
import { type Subscription, subscriptionShape } from '../result-shapes.js';
import { delegateSubscriptionSchema } from '../sdk-input-schemas.js';

/** The state with `upserts` in place of the records of the same id and without the `removed` ones. */
function withSubscriptions(
  state: CustomerState,
  upserts: readonly SubscriptionRecord[],
  removed: ReadonlySet<string> = new Set(),
): CustomerState {
  const replaced = new Set(upserts.map((s) => s.id));
  const kept = state.subscriptions.filter((s) => !replaced.has(s.id) && !removed.has(s.id));
  return { ...state, subscriptions: [...kept, ...upserts].sort(byId) };
}

export class SubscriptionDelegation {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /** Gives the subscription to `destinationCustomerId` (none: back to its payer); its payer keeps paying. */
  async delegate(params: DelegateSubscriptionParams): Promise<Subscription> {
    const p = parse(delegateSubscriptionSchema, params, 'delegateSubscriptionToCustomer');
    const engine = this.#engine;
    await engine.ready();
    const owner = await engine.store.read((r) => r.getSubscription(p.subscriptionId));
    if (!owner) throw subscriptionNotFound(p.subscriptionId);
    const from = owner.customerId;
    const to = p.destinationCustomerId ?? payerOf(owner);
    return engine.write([...new Set([from, to])], async (entries, tx, now) => {
      const catalog = engine.catalog;
      const holder = requireCustomerState(entries.get(from)?.state, from);
      const delegate = requireCustomerState(entries.get(to)?.state, to);
      if (from === to) {
        const sub = holder.subscriptions.find((s) => s.id === p.subscriptionId);
        if (!sub) throw subscriptionNotFound(p.subscriptionId);
        return { result: subscriptionShape(catalog, sub, now), mutations: new Map() };
      }
      const { moved, kept, subscription } = delegateSubscription(catalog, holder, delegate, p.subscriptionId, now);
      const scope = subscription.resourceId;
      // Both sides' pools stored as time left them, then the subscription's credits go with it.
      const credits = [
        ...(await settlePools(tx, holder, catalog, [scope], now)),
        ...(await settlePools(tx, delegate, catalog, [scope], now)),
        ...(await moveSubscriptionCredits(
          tx,
          catalog,
          subscription.id,
          { from: { state: holder, resourceId: scope }, to: { state: delegate, resourceId: scope } },
          now,
        )),
      ];
      for (const s of [...moved, ...kept]) await tx.putSubscription(s);
      const side = (state: CustomerState, changed: readonly SubscriptionRecord[]): Mutation<unknown> => ({
        result: undefined,
        state,
        credits: credits.filter((c) => c.customerId === state.customer.id),
        changedResources: [scope],
        subscriptions: changed,
      });
      const mutations = new Map([
        [from, side(withSubscriptions(holder, kept, new Set(moved.map((s) => s.id))), kept)],
        [to, side(withSubscriptions(delegate, moved), moved)],
      ]);
      return { result: subscriptionShape(catalog, subscription, now), mutations };
    });
  }
}
