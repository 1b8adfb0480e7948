// Subscription reads: one by id, a filtered page of many (filtered, paged and counted by the
// store), and a customer's live ones.
import { requireCustomerState } from '../../core/customer-records.js';
import { subscriptionNotFound } from '../../core/subscription-rules.js';
import { isLive } from '../../core/subscription-state.js';
import type { SubscriptionPageQuery } from '../../stores/store.js';
import type { Engine } from '../engine/engine.js';
import { activeSubscriptionsSchema, getSubscriptionsSchema, parse, subscriptionIdSchema } from '../input-schemas.js';
import type { GetActiveSubscriptionsParams, GetSubscriptionsParams } from '../params.js';
import {
  type SlimSubscription,
  type Subscription,
  slimSubscriptionShape,
  subscriptionShape,
} from '../result-shapes.js';

/** A page of `getSubscriptions`, with the cursors of its first and last items. */
export interface GetSubscriptionsResult {
  data: Subscription[];
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const listOf = <T>(v: T | T[] | undefined): T[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

export class SubscriptionReads {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async get(params: { subscriptionId: string }): Promise<Subscription> {
    const p = parse(subscriptionIdSchema, params, 'getSubscription');
    const engine = this.#engine;
    await engine.ready();
    const [record] = await engine.store.read(async (r) =>
      engine.readSubscriptions(r, [await r.getSubscription(p.subscriptionId)]),
    );
    if (!record) throw subscriptionNotFound(p.subscriptionId);
    return subscriptionShape(engine.catalog, record, engine.clock.now());
  }

  /**
   * A page by id: after `startingAfter`, before `endingBefore`, or the first. Neighbours of the
   * page are probed with one row each, so the cost is the page, never the table.
   */
  async list(params?: GetSubscriptionsParams): Promise<GetSubscriptionsResult> {
    const p = parse(getSubscriptionsSchema, params, 'getSubscriptions');
    const engine = this.#engine;
    await engine.ready();
    const now = engine.clock.now();
    const resourceIds = listOf(p.resourceId);
    const productIds = listOf(p.productId);
    const statuses = listOf(p.status);
    const filter: Omit<SubscriptionPageQuery, 'limit'> = {
      ...(p.customerId ? { customerId: p.customerId } : {}),
      ...(resourceIds ? { resourceIds } : {}),
      ...(productIds ? { productIds } : {}),
      ...(statuses ? { statuses, now } : {}),
    };
    const limit = p.pagination?.limit ?? 20;
    const after = p.pagination?.startingAfter;
    const before = p.pagination?.endingBefore;
    const { records, totalCount, hasNextPage, hasPreviousPage } = await engine.store.read(async (r) => {
      const totalCount = await r.countSubscriptions(filter);
      const probe = async (query: Pick<SubscriptionPageQuery, 'afterId' | 'beforeId'>) =>
        (await r.listSubscriptions({ ...filter, ...query, limit: 1 })).length > 0;
      if (before !== undefined) {
        const rows = await r.listSubscriptions({ ...filter, beforeId: before, limit: limit + 1 });
        const page = rows.length > limit ? rows.slice(1) : rows;
        const last = page.at(-1);
        return {
          records: await engine.readSubscriptions(r, page),
          totalCount,
          // Nothing lies between the page and `endingBefore`: whatever follows the page is at or past it.
          hasNextPage: last === undefined ? totalCount > 0 : await probe({ afterId: last.id }),
          hasPreviousPage: rows.length > limit,
        };
      }
      const rows = await r.listSubscriptions({
        ...filter,
        ...(after !== undefined ? { afterId: after } : {}),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const first = page[0];
      return {
        records: await engine.readSubscriptions(r, page),
        totalCount,
        hasNextPage: rows.length > limit,
        // Everything before the page is at or before `startingAfter`.
        hasPreviousPage:
          after === undefined ? false : first === undefined ? totalCount > 0 : await probe({ beforeId: first.id }),
      };
    });
    const data = records.map((record) => subscriptionShape(engine.catalog, record, now));
    return {
      data,
      totalCount,
      pageInfo: {
        hasNextPage,
        hasPreviousPage,
        startCursor: data[0]?.id ?? null,
        endCursor: data.at(-1)?.id ?? null,
      },
    };
  }

  /** The customer's live subscriptions: without `resourceId` the customer-wide ones, with it those of the resource(s). */
  async active(params: GetActiveSubscriptionsParams, method: string) {
    const p = parse(activeSubscriptionsSchema, params, method);
    const catalog = await this.#engine.ready();
    const entry = await this.#engine.entry(p.customerId);
    const state = requireCustomerState(entry.state, p.customerId, { allowArchived: true });
    const now = this.#engine.clock.now();
    const resources = listOf<string | null>(p.resourceId) ?? [null];
    const subscriptions = state.subscriptions
      .filter((s) => resources.includes(s.resourceId) && isLive(s, now))
      .map((s) => subscriptionShape(catalog, s, now));
    return { customer: state.customer, subscriptions };
  }

  async activeList(params: GetActiveSubscriptionsParams): Promise<SlimSubscription[]> {
    const { customer, subscriptions } = await this.active(params, 'getActiveSubscriptionsList');
    return subscriptions.map((s) => slimSubscriptionShape(this.#engine.catalog, customer, s));
  }
}
