// The credits one write's usage of credit-backed features draws: each report's increase in usage
// times the feature's rate, consumed from the pool of the scope the usage counts in, in the same
// transaction. Usage is already recorded when it is charged, so a pool that cannot cover it goes
// into debt, which the next grant settles first.
import type { Catalog } from '../catalog/catalog.js';
import type { FeatureCreditRate } from '../catalog/credit-schema.js';
import { usageCreditCost, usageIncrease } from '../credits/credit-cost.js';
import { balance, type CreditPool, consumeCredits } from '../credits/credit-pool.js';
import { AllotError } from '../errors.js';
import type { Dimensions } from '../model/meters.js';
import { Decimal } from '../money/money.js';
import type { StoreTransaction } from '../stores/store.js';
import { PoolWriter } from './credit-writes.js';
import type { CustomerEntry } from './engine/customer-entry.js';
import type { AutoRechargeSkippedEvent } from './engine/listeners.js';

/** What a report of a credit-backed feature cost, as its ack stores it: amounts are decimal strings. */
export interface CreditChargeRecord {
  /** The pool charged: the currency, and the resource of a resource's pool (null: customer-wide). */
  readonly currencyId: string;
  readonly resourceId?: string | null;
  /** The credits this report drew. */
  readonly consumed: string;
  /** The pool's totals right after it. */
  readonly totalConsumed: string;
  readonly totalGranted: string;
  /** When the pool next changes by itself (an expiry or refill); null if never. */
  readonly periodEnd: number | null;
  readonly timestamp: number;
}

/** The `credit` object of a usage ack, as the reference shapes it. */
export interface UsageCreditAck {
  currencyId: string;
  currentUsage: number;
  usageLimit: number;
  usagePeriodEnd?: Date;
  timestamp: Date;
  consumed: number;
}

export function usageCreditAck(r: CreditChargeRecord): UsageCreditAck {
  return {
    currencyId: r.currencyId,
    currentUsage: Number(r.totalConsumed),
    usageLimit: Number(r.totalGranted),
    ...(r.periodEnd === null ? {} : { usagePeriodEnd: new Date(r.periodEnd) }),
    timestamp: new Date(r.timestamp),
    consumed: Number(r.consumed),
  };
}

/** What a batch of events drew from one pool: the credits in all, and the pool's totals after. */
export interface EventCreditCharge extends Omit<UsageCreditAck, 'consumed'> {
  customerId: string;
  resourceId: string | null;
  /** The credits the batch's events drew from this pool, together. */
  consumed: number;
}

/**
 * Charges folded per pool, in the order the pools were first charged: consumption summed exactly,
 * totals from each pool's last charge.
 */
export function eventCreditCharges(
  charges: readonly { readonly customerId: string; readonly charge: CreditChargeRecord }[],
): EventCreditCharge[] {
  const byPool = new Map<string, { customerId: string; last: CreditChargeRecord; consumed: Decimal }>();
  for (const { customerId, charge } of charges) {
    const key = JSON.stringify([customerId, charge.currencyId, charge.resourceId ?? null]);
    const seen = byPool.get(key);
    byPool.set(key, {
      customerId,
      last: charge,
      consumed: (seen?.consumed ?? new Decimal(0)).plus(charge.consumed),
    });
  }
  return [...byPool.values()].map(({ customerId, last, consumed }) => ({
    ...usageCreditAck(last),
    customerId,
    resourceId: last.resourceId ?? null,
    consumed: consumed.toNumber(),
  }));
}

/** The pools one write charges, each opened once and written once. */
export class UsageCredits {
  /** Made at the first charge: most writes charge nothing. */
  #writers: Map<string, PoolWriter> | undefined;

  constructor(
    private readonly tx: StoreTransaction,
    /** Without state for a customer that does not exist: the caller refuses their usage before any charge. */
    private readonly entry: CustomerEntry,
    private readonly catalog: Catalog,
    private readonly now: number,
    private readonly newId: () => string,
  ) {}

  /**
   * Charges the increase from `previous` to `current` usage of a feature at `rate` to the pool of
   * `scope`. A decrease or no change costs nothing: credits are never given back for corrected usage.
   */
  async charge(
    featureId: string,
    rate: FeatureCreditRate,
    scope: string | null,
    usage: { readonly previous: number; readonly current: number },
    dimensions: Dimensions | null,
  ): Promise<CreditChargeRecord> {
    const writer = await this.#writer(rate.currencyId, scope);
    const { credits } = usageCreditCost(usageIncrease(usage.previous, usage.current), rate);
    if (credits !== '0')
      writer.apply((pool) =>
        consumeCredits(
          pool,
          { id: this.newId(), amount: credits, featureId, ...(dimensions ? { dimensions } : {}) },
          this.now,
          { allowDebt: true },
        ),
      );
    const b = balance(writer.pool, this.now);
    return {
      currencyId: rate.currencyId,
      resourceId: scope,
      consumed: credits,
      totalConsumed: b.totalConsumed,
      totalGranted: b.totalGranted,
      periodEnd: b.nextChangeAt,
      timestamp: this.now,
    };
  }

  /** Whether nothing was charged, so there is nothing to commit. */
  get untouched(): boolean {
    return this.#writers === undefined;
  }

  /** Writes every pool charged; automatic recharge runs after the last charge. */
  async commit(rechargeId: () => string): Promise<{ pools: CreditPool[]; skipped: AutoRechargeSkippedEvent[] }> {
    const pools: CreditPool[] = [];
    const skipped: AutoRechargeSkippedEvent[] = [];
    for (const writer of this.#writers?.values() ?? []) {
      const written = await writer.commit({ newId: rechargeId });
      pools.push(written.pool);
      if (written.skipped) skipped.push(written.skipped);
    }
    return { pools, skipped };
  }

  async #writer(currencyId: string, resourceId: string | null): Promise<PoolWriter> {
    const id = JSON.stringify([currencyId, resourceId]);
    let writer = this.#writers?.get(id);
    if (writer === undefined) {
      const state = this.entry.state;
      if (state === undefined) throw new AllotError('CUSTOMER_NOT_FOUND', 'credits charged for a missing customer');
      const key = { customerId: state.customer.id, currencyId, resourceId };
      const cached = this.entry.storedPool(currencyId, resourceId);
      writer = await PoolWriter.open(this.tx, state, this.catalog, key, this.now, cached);
      this.#writers ??= new Map();
      this.#writers.set(id, writer);
    }
    return writer;
  }
}
