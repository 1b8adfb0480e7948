// The filtered subscription listings of the SQL stores. Apart from subscription-queries.ts because
// they need kysely's `sql` at run time: the SQLite store loads that module's row mappers at open
// without loading kysely, and compiles these on first use (one statement per filter shape).
import { type Compilable, type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { SubscriptionStatus as Status, SubscriptionCancelReason, type SubscriptionStatus } from '../../model/enums.js';
import type { SubscriptionFilter, SubscriptionPageQuery } from '../store.js';
import type { Database, SubscriptionsTable } from './schema.js';
import type { Db } from './sql-rows.js';

/**
 * One page of the subscriptions a filter matches, in id order: the first `limit` after `afterId`,
 * or the last `limit` before `beforeId` (read backwards, then put back in ascending order).
 */
export function selectSubscriptionPage(db: Db, p: SubscriptionPageQuery): Compilable<SubscriptionsTable> {
  const matching = subscriptionsMatching(db, p).selectAll();
  if (p.beforeId === undefined) {
    const page = matching.orderBy('id').limit(p.limit);
    return p.afterId === undefined ? page : page.where('id', '>', p.afterId);
  }
  const last = matching.where('id', '<', p.beforeId).orderBy('id', 'desc').limit(p.limit);
  return db.selectFrom(last.as('page')).selectAll().orderBy('id');
}

/** How many subscriptions a filter matches. */
export function countSubscriptions(db: Db, p: SubscriptionFilter) {
  return subscriptionsMatching(db, p).select((eb) => eb.fn.countAll<number>().as('count'));
}

/**
 * The subscriptions a filter matches. Absent filters are left out of the statement, not matched
 * against null, so each combination keeps the (customer_id, id) or primary key index.
 */
function subscriptionsMatching(db: Db, p: SubscriptionFilter) {
  let query = db.selectFrom('subscriptions');
  if (p.customerId !== undefined) query = query.where('customer_id', '=', p.customerId);
  // A customer-wide subscription's null resource_id is in no list.
  const { resourceIds, productIds } = p;
  if (resourceIds !== undefined) query = query.where((eb) => oneOf(eb, eb.ref('resource_id'), resourceIds));
  if (productIds !== undefined) query = query.where((eb) => oneOf(eb, eb.ref('product_id'), productIds));
  const { statuses, now } = p;
  // Callers check `now` comes with statuses; without it they match nothing.
  if (statuses !== undefined)
    query = query.where((eb) => (now === undefined ? sql<SqlBool>`1 = 0` : oneOf(eb, statusAt(eb, now), statuses)));
  return query;
}

/** `value IN (list)`; false for an empty list, which is no valid SQL in PostgreSQL. */
function oneOf(
  eb: ExpressionBuilder<Database, 'subscriptions'>,
  value: Expression<string | null>,
  list: readonly string[],
): Expression<SqlBool> {
  return list.length > 0 ? eb(value, 'in', list) : sql<SqlBool>`1 = 0`;
}

/**
 * A subscription's status at `now` over its stored columns: `subscriptionStatus` in
 * core/subscription-state.ts, case for case. Keep the two in step.
 */
function statusAt(eb: ExpressionBuilder<Database, 'subscriptions'>, now: number) {
  const status = (s: SubscriptionStatus) => sql.lit(s);
  return eb
    .case()
    .when(eb.and([eb('end_date', 'is not', null), eb('end_date', '<=', now)]))
    .then(
      eb
        .case()
        .when('cancel_reason', '=', sql.lit(SubscriptionCancelReason.TrialEnded))
        .then(status(Status.Expired))
        .else(status(Status.Canceled))
        .end(),
    )
    .when('start_date', '>', now)
    .then(status(Status.NotStarted))
    .when(eb.and([eb('trial_end_date', 'is not', null), eb('trial_end_date', '>', now)]))
    .then(status(Status.InTrial))
    .else(status(Status.Active))
    .end();
}
