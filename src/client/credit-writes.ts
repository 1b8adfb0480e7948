// One credit pool's write inside a transaction, shared by the credit methods and by usage of
// credit-backed features: the stored pool brought to now, changed, topped up by automatic
// recharge when due, and its grants, debt and ledger entries written.
import type { Catalog } from '../catalog/catalog.js';
import { requireCustomerState } from '../core/customer-records.js';
import { autoRecharge, autoRechargeGrants, monthlyRechargeSpend } from '../credits/auto-recharge.js';
import { requireCreditCurrency } from '../credits/credit-currency.js';
import {
  balance,
  type CreditPool,
  type CreditPoolChange,
  type CreditPoolKey,
  compactPool,
  grantCredits,
  isSpentGrant,
} from '../credits/credit-pool.js';
import type { CreditLedgerEntry } from '../credits/credit-records.js';
import { type SpentExpiry, spentExpiryAt } from '../credits/spent-credits.js';
import { moveSubscriptionGrants, poolAt } from '../credits/subscription-credits.js';
import type { CustomerState } from '../model/records.js';
import type { StoreTransaction } from '../stores/store.js';
import type { Engine } from './engine/engine.js';
import type { AutoRechargeSkippedEvent } from './engine/listeners.js';
import { rechargeId } from './ids.js';

/** What an automatic recharge check added: the pool after a grant, or a skip to announce. */
interface Recharge {
  readonly pool?: CreditPool;
  readonly entries: readonly CreditLedgerEntry[];
  readonly skipped?: AutoRechargeSkippedEvent;
}
const NO_RECHARGE: Recharge = Object.freeze({ entries: [] });

/**
 * One pool's changes within a transaction: opened at `now` (expiries, scheduled grants and
 * recurring refills applied), changed any number of times in memory, written once by `commit`.
 */
export class PoolWriter {
  readonly #entries: CreditLedgerEntry[];
  #pool: CreditPool;

  private constructor(
    private readonly tx: StoreTransaction,
    private readonly catalog: Catalog,
    private readonly key: CreditPoolKey,
    private readonly stored: CreditPool,
    private readonly now: number,
    opened: CreditPoolChange,
  ) {
    this.#pool = opened.pool;
    this.#entries = [...opened.entries];
  }

  /**
   * Opens the pool as stored. `cached`, the pool as the customer's cache holds it, spares reading
   * its spent expiries again while they are current (see `getCreditPool`).
   */
  static async open(
    tx: StoreTransaction,
    state: CustomerState,
    catalog: Catalog,
    key: CreditPoolKey,
    now: number,
    cached?: CreditPool,
  ): Promise<PoolWriter> {
    const stored = await tx.getCreditPool(key, cached?.spent);
    return new PoolWriter(tx, catalog, key, stored, now, poolAt(stored, state, catalog, now));
  }

  get pool(): CreditPool {
    return this.#pool;
  }

  /** True when the pool differs from the stored one: time moved it (expiries, refills) or a change did. */
  get changed(): boolean {
    return this.#pool !== this.stored || this.#entries.length > 0;
  }

  /** Applies a change in memory; nothing is written before `commit`. */
  apply<C extends CreditPoolChange>(change: (pool: CreditPool) => C): C {
    const changed = change(this.#pool);
    this.#pool = changed.pool;
    this.#entries.push(...changed.entries);
    return changed;
  }

  /**
   * Writes the pool's changed grants, totals and ledger entries, the pool compacted as stores keep
   * it (see `compactPool`). With `recharge`, a pool left below the customer's automatic recharge
   * threshold buys its top-up first (a grant `recharge.newId` names), in the same transaction.
   */
  async commit(recharge?: { readonly newId: () => string }): Promise<PoolCommit> {
    const { tx, stored, now } = this;
    const recharged = recharge ? await rechargeAfter(tx, this.#pool, this.catalog, now, recharge.newId) : NO_RECHARGE;
    const changed = recharged.pool ?? this.#pool;
    const compact = compactPool(changed);
    const before = new Set(stored.grants);
    // A grant spent now leaves the pool: written with it, even when this write did not change it
    // (one held as spent by a database older than spent totals).
    const written = changed.grants.filter((g) => !before.has(g) || isSpentGrant(g));
    await tx.putCreditGrants(written);
    // Expiries change where time passed them and where a grant written now expires (spent, or
    // voided once spent): only those instants are compared, however many the pool keeps.
    const ahead = stored.spent.expiring.findIndex((e) => e.at > now);
    const passed = stored.spent.expiring.slice(0, ahead === -1 ? undefined : ahead).map((e) => e.at);
    const touched = written.flatMap((g) => (g.expireAt === null ? [] : [g.expireAt]));
    const expiries = expiryChanges(stored.spent.expiring, compact.spent.expiring, [...passed, ...touched]);
    const revision = stored.spent.revision + (expiries.length > 0 ? 1 : 0);
    const pool = { ...compact, spent: { ...compact.spent, revision } };
    if (
      pool.debt !== stored.debt ||
      pool.spent.total !== stored.spent.total ||
      revision !== stored.spent.revision ||
      pool.schedule !== stored.schedule
    )
      await tx.putCreditTotals(this.key, {
        debt: pool.debt,
        spent: pool.spent.total,
        revision,
        schedule: pool.schedule,
      });
    if (expiries.length > 0) await tx.putCreditExpiries(this.key, expiries);
    await tx.appendCreditLedger([...this.#entries, ...recharged.entries]);
    return { pool, ...(recharged.skipped ? { skipped: recharged.skipped } : {}) };
  }
}

/** The expiries to store at `instants` to go from `before` to `after`: the new amount, or '0' for none left. */
function expiryChanges(before: readonly SpentExpiry[], after: readonly SpentExpiry[], instants: readonly number[]) {
  const changes: SpentExpiry[] = [];
  for (const at of new Set(instants)) {
    // An expiry left unchanged is the same object in both.
    const is = spentExpiryAt(after, at);
    if (is !== spentExpiryAt(before, at)) changes.push(is ?? { at, amount: '0' });
  }
  return changes;
}

/** What a committed pool write left: the pool as stored, and a recharge skipped for the spend limit. */
export interface PoolCommit {
  readonly pool: CreditPool;
  readonly skipped?: AutoRechargeSkippedEvent;
}

/**
 * After a consumption from a customer-wide pool: when its balance fell below the customer's
 * automatic recharge threshold, the recharge its configuration decides (see `autoRecharge`: up to
 * the target or a fixed quantity, priced at the currency's unit cost, and its bonus); skipped (and
 * announced) when the month's recharges would pass the spend limit.
 */
async function rechargeAfter(
  tx: StoreTransaction,
  pool: CreditPool,
  catalog: Catalog,
  now: number,
  newId: () => string,
): Promise<Recharge> {
  if (pool.resourceId !== null) return NO_RECHARGE;
  const config = await tx.getAutoRecharge(pool.customerId, pool.currencyId);
  if (!config?.isEnabled) return NO_RECHARGE;
  const unitCost = catalog.creditCurrencies.get(pool.currencyId)?.unitCost ?? null;
  const input = { currentBalance: balance(pool, now).currentBalance, unitCost, monthlySpend: '0', now };
  let decision = autoRecharge(config, input);
  // The month's spend only decides a recharge that is due under a spend limit: only then is the
  // pool's grant history read, so a consumption above the threshold costs nothing more.
  if (decision !== null && config.maxSpendLimit !== null && unitCost) {
    const grants = await tx.listCreditGrants({
      customerId: pool.customerId,
      currencyId: pool.currencyId,
      resourceId: null,
    });
    decision = autoRecharge(config, { ...input, monthlySpend: monthlyRechargeSpend(grants, now, unitCost.currency) });
  }
  if (decision === null) return NO_RECHARGE;
  if ('skipped' in decision)
    return {
      entries: [],
      skipped: {
        customerId: pool.customerId,
        currencyId: pool.currencyId,
        reason: decision.skipped,
        amount: Number(decision.amount),
        cost: { amount: Number(decision.cost.amount), currency: decision.cost.currency },
        monthlySpend: Number(decision.monthlySpend),
        maxSpendLimit: Number(decision.maxSpendLimit),
      },
    };
  let recharged = pool;
  const entries: CreditLedgerEntry[] = [];
  for (const grant of autoRechargeGrants(decision, newId)) {
    const granted = grantCredits(recharged, grant, now);
    recharged = granted.pool;
    entries.push(...granted.entries);
  }
  return { pool: recharged, entries };
}

/**
 * Stores what time has done by `now` to the customer's pools of every credit currency in `scopes`
 * (expiries, scheduled grants taking effect, recurring refills), as `state` says; returns the
 * pools it changed. Run before a subscription change, so the period's refill is the one the
 * subscription earned, and before reads of stored history, so they show what balances show.
 */
export async function settlePools(
  tx: StoreTransaction,
  state: CustomerState,
  catalog: Catalog,
  scopes: Iterable<string | null>,
  now: number,
): Promise<CreditPool[]> {
  const settled: CreditPool[] = [];
  for (const resourceId of new Set(scopes))
    for (const currencyId of catalog.creditCurrencies.keys()) {
      const writer = await PoolWriter.open(
        tx,
        state,
        catalog,
        { customerId: state.customer.id, currencyId, resourceId },
        now,
      );
      if (writer.changed) settled.push((await writer.commit()).pool);
    }
  return settled;
}

/** One end of a move of a subscription's credits: a customer's state before the move, and the pool's scope. */
export interface CreditMoveEnd {
  readonly state: CustomerState;
  readonly resourceId: string | null;
}

/**
 * Moves a subscription's recurring credits with it when it moves to another resource or (by
 * delegation) to another customer, in every credit currency, each pool opened under its
 * customer's state before the move (so the destination is not refilled first); returns the pools
 * it changed.
 */
export async function moveSubscriptionCredits(
  tx: StoreTransaction,
  catalog: Catalog,
  subscriptionId: string,
  move: { readonly from: CreditMoveEnd; readonly to: CreditMoveEnd },
  now: number,
): Promise<CreditPool[]> {
  const moved: CreditPool[] = [];
  const open = ({ state, resourceId }: CreditMoveEnd, currencyId: string) =>
    PoolWriter.open(tx, state, catalog, { customerId: state.customer.id, currencyId, resourceId }, now);
  for (const currencyId of catalog.creditCurrencies.keys()) {
    const from = await open(move.from, currencyId);
    const to = await open(move.to, currencyId);
    const change = moveSubscriptionGrants(from.pool, to.pool, subscriptionId, now);
    from.apply(() => change.from);
    to.apply(() => change.to);
    for (const writer of [from, to]) if (writer.changed) moved.push((await writer.commit()).pool);
  }
  return moved;
}

/**
 * Stores what time has done to a customer's pools (refills, expiries, scheduled grants) when it
 * has done anything, so that stored history reads as balances do; a no-op on a settled customer.
 */
export async function settleCustomerPools(engine: Engine, customerId: string): Promise<void> {
  const catalog = await engine.ready();
  const entry = await engine.entry(customerId);
  if (entry.state === undefined) return;
  const now = engine.clock.now();
  const currencies = [...catalog.creditCurrencies.keys()];
  const pending = entry
    .creditScopes()
    .some((scope) => currencies.some((c) => !entry.creditPool(catalog, c, scope, now).settled));
  if (!pending) return;
  await engine.mutate(customerId, async (current, tx, at, catalog) => {
    const state = current.state;
    if (state === undefined) return { result: undefined };
    return { result: undefined, credits: await settlePools(tx, state, catalog, current.creditScopes(), at) };
  });
}

/** An idempotent credit write's scope and key (none: not idempotent), and how a repeat answers from what the first stored. */
export interface CreditIdempotency<R> {
  readonly scope: string;
  readonly key: string | undefined;
  readonly replay: (prior: unknown, tx: StoreTransaction) => Promise<R>;
}

/** A credit write's change to its pool, its result, and what an idempotent repeat answers from. */
export type CreditChange<R> = CreditPoolChange & { result: R; record: unknown };

/**
 * One credit write in one transaction: the pool brought to now (expiries, scheduled grants,
 * refills, scheduled resets), changed by `change`, its changed grants, totals and ledger entries
 * written. With an idempotency key, a repeat answers `replay(what the first stored)` and changes
 * nothing. With `recharge`, a pool left below the automatic recharge threshold is topped up.
 */
export function changeCredits<R>(
  engine: Engine,
  key: CreditPoolKey,
  change: (pool: CreditPool, now: number, tx: StoreTransaction) => CreditChange<R> | Promise<CreditChange<R>>,
  options: { readonly idempotency?: CreditIdempotency<R> | undefined; readonly recharge?: boolean } = {},
): Promise<R> {
  const { idempotency, recharge = false } = options;
  return engine.mutate(key.customerId, async (entry, tx, now, catalog) => {
    const state = requireCustomerState(entry.state, key.customerId);
    requireCreditCurrency(catalog, key.currencyId);
    const idem =
      idempotency?.key === undefined
        ? undefined
        : { scope: `${idempotency.scope}:${key.customerId}`, key: idempotency.key, replay: idempotency.replay };
    if (idem) {
      const prior = await tx.getIdempotencyResult(idem.scope, idem.key);
      if (prior !== undefined) return { result: await idem.replay(prior, tx) };
    }
    const writer = await PoolWriter.open(
      tx,
      state,
      catalog,
      key,
      now,
      entry.storedPool(key.currencyId, key.resourceId),
    );
    const computed = await change(writer.pool, now, tx);
    const changed = writer.apply(() => computed);
    const written = await writer.commit(recharge ? { newId: rechargeId } : undefined);
    if (idem) await tx.putIdempotencyResult(idem.scope, idem.key, changed.record, now);
    return {
      result: changed.result,
      credits: [written.pool],
      ...(written.skipped ? { rechargesSkipped: [written.skipped] } : {}),
    };
  });
}
