// Credits: grants, voids and consumption of a pool (each one transaction, idempotent by key),
// balances answered from the warm customer, and automatic recharge settings.
import type { z } from 'zod';
import type { Catalog } from '../../catalog/catalog.js';
import type { CreditCurrency } from '../../catalog/credit-schema.js';
import { requireCustomerState } from '../../core/customer-records.js';
import { monthlyRechargeSpend } from '../../credits/auto-recharge.js';
import {
  type AutoRechargeConfig,
  autoRechargeConfigSchema,
  type GrantExpirationPeriod,
  type RechargeMethod,
  type ThresholdType,
} from '../../credits/auto-recharge-schema.js';
import { requireCreditCurrency, soleCreditCurrency } from '../../credits/credit-currency.js';
import {
  balance,
  consumeCredits as consumeFrom,
  creditPoolKey,
  grantCredits as grantCreditsTo,
  voidGrant,
} from '../../credits/credit-pool.js';
import type { CreditPool } from '../../credits/credit-pool-state.js';
import type { CreditGrantRecord } from '../../credits/credit-records.js';
import { AllotError } from '../../errors.js';
import type { StoreReader } from '../../stores/store.js';
import {
  autoRechargeKeySchema,
  consumeCreditsSchema,
  creditBalanceSchema,
  creditEntitlementSchema,
  grantCreditsSchema,
  saveAutoRechargeSchema,
  voidCreditGrantSchema,
} from '../credit-input-schemas.js';
import {
  type CreditEntitlement,
  type CreditGrant,
  creditCurrencyShape,
  creditEntitlementShape,
  creditGrantShape,
} from '../credit-shapes.js';
import { type CreditChange, type CreditIdempotency, changeCredits, PoolWriter } from '../credit-writes.js';
import type { CustomerEntry } from '../engine/customer-entry.js';
import type { Engine } from '../engine/engine.js';
import type { AutoRechargeSkippedEvent } from '../engine/listeners.js';
import { itemError } from '../engine/mutation.js';
import {
  type CreditEntitlementFallback,
  creditFallbackEntitlement,
  FallbackLog,
  storeFailure,
  unreachable,
} from '../fallback.js';
import { plainCreditCheck } from '../fast-input.js';
import { randomHex, rechargeId } from '../ids.js';
import { customerResourceSchema, parse } from '../input-schemas.js';
import type {
  ConsumeCreditsAsyncParams,
  ConsumeCreditsParams,
  CreditEntitlementParams,
  GetAutoRechargeParams,
  GetCreditBalanceParams,
  GrantCreditsParams,
  SaveAutoRechargeParams,
} from '../params.js';
import { consumeCreditsAsyncSchema } from '../sdk-input-schemas.js';

/** What `consumeCredits` acknowledges once durable: the amount and the pool's totals after it. */
export interface ConsumeCreditsResult {
  customerId: string;
  currencyId: string;
  resourceId: string | null;
  amount: number;
  timestamp: Date;
  credit: { currencyId: string; currentUsage: number; usageLimit: number; timestamp: Date };
}

/** A customer's automatic recharge for a currency, with the month's recharge spend so far. */
export interface AutoRechargeSettings {
  customerId: string;
  currencyId: string;
  isEnabled: boolean;
  thresholdType: ThresholdType;
  thresholdValue: number;
  /** Null for a FIXED recharge, which has no target. */
  targetBalance: number | null;
  maxSpendLimit: number | null;
  grantExpirationPeriod: GrantExpirationPeriod | null;
  /** allot extensions (see `saveAutomaticRechargeConfiguration`); their defaults are the reference's behaviour. */
  rechargeMethod: RechargeMethod;
  rechargeAmount: number | null;
  minimumPurchase: number | null;
  bonusCredits: number | null;
  grantType: 'PAID' | 'PROMOTIONAL';
  currentMonthlySpend: number;
  /** When first and last saved; null for settings saved before allot kept these. */
  createdAt: Date | null;
  updatedAt: Date | null;
}

/** What a consumption stores for idempotent replays: amounts as decimal strings, the instant as epoch ms. */
interface ConsumptionRecord {
  amount: string;
  timestamp: number;
  totalConsumed: string;
  totalGranted: string;
}

/** The idempotency scope of consumptions: one key consumes once, through `consumeCredits` or `consumeCreditsAsync`. */
const CONSUMPTION_SCOPE = 'credit-consumption';

export class Credits {
  readonly #engine: Engine;
  readonly #fallbacks: Readonly<Record<string, CreditEntitlementFallback>>;
  readonly #fallbackLog: FallbackLog;

  constructor(engine: Engine, fallbacks: Readonly<Record<string, CreditEntitlementFallback>>) {
    this.#engine = engine;
    this.#fallbacks = fallbacks;
    this.#fallbackLog = new FallbackLog(engine.log);
  }

  async grant(params: GrantCreditsParams): Promise<CreditGrant> {
    const p = parse(grantCreditsSchema, params, 'grantCredits');
    const key = { customerId: p.customerId, currencyId: p.currencyId, resourceId: p.resourceId ?? null };
    const idempotency: CreditIdempotency<CreditGrantRecord> = {
      scope: 'credit-grant',
      key: p.idempotencyKey,
      replay: async (prior, tx) => {
        const grant = await tx.getCreditGrant((prior as { grantId: string }).grantId);
        if (!grant) throw new AllotError('STORE_ERROR', 'an idempotent credit grant is missing from the store');
        return grant;
      },
    };
    return changeCredits(
      this.#engine,
      key,
      (pool, now) => {
        const change = grantCreditsTo(
          pool,
          {
            id: `grant-${randomHex(16)}`,
            grantType: p.grantType,
            amount: p.amount,
            displayName: p.displayName,
            ...(p.priority === undefined ? {} : { priority: p.priority }),
            ...(p.effectiveAt === undefined ? {} : { effectiveAt: p.effectiveAt }),
            ...(p.expireAt === undefined ? {} : { expireAt: p.expireAt }),
            cost: p.cost ? { amount: p.cost.amount, currency: p.cost.currency.toUpperCase() } : null,
            comment: p.comment ?? null,
            metadata: { ...p.additionalMetaData, ...p.metadata },
            // A recurrence counts from when the grant takes effect unless told otherwise.
            recurrence: p.recurrence ? { ...p.recurrence, anchor: p.recurrence.anchor ?? p.effectiveAt ?? now } : null,
            rollover: p.rollover ?? null,
          },
          now,
        );
        return { ...change, result: change.grant, record: { grantId: change.grant.id } };
      },
      { idempotency },
    ).then((grant) => creditGrantShape(grant, this.#engine.clock.now()));
  }

  async void(params: { id: string }): Promise<CreditGrant> {
    const { id } = parse(voidCreditGrantSchema, params, 'voidCreditGrant');
    await this.#engine.ready();
    const grant = await this.#engine.store.read((r) => r.getCreditGrant(id));
    if (!grant)
      throw new AllotError('CREDIT_GRANT_NOT_FOUND', `credit grant "${id}" does not exist`, {
        details: { grantId: id },
      });
    // A closed grant cannot be voided: say why rather than that it is missing from the pool.
    if (grant.voidedAt !== null || grant.expiredAt !== null) {
      const voided = grant.voidedAt !== null;
      throw new AllotError(
        voided ? 'CREDIT_GRANT_VOIDED' : 'CREDIT_GRANT_EXPIRED',
        `credit grant "${id}" is already ${voided ? 'voided' : 'expired'}`,
        { details: { grantId: id } },
      );
    }
    const key = { customerId: grant.customerId, currencyId: grant.currencyId, resourceId: grant.resourceId };
    const voided = await changeCredits(this.#engine, key, async (pool, now, tx) => {
      // Read again under the customer's lock: a spent grant is voided from its stored record.
      const change = voidGrant(pool, id, now, await tx.getCreditGrant(id));
      return { ...change, result: change.grant, record: null };
    });
    return creditGrantShape(voided, this.#engine.clock.now());
  }

  async consume(params: ConsumeCreditsParams): Promise<ConsumeCreditsResult> {
    const p = parse(consumeCreditsSchema, params, 'consumeCredits');
    const key = { customerId: p.customerId, currencyId: p.currencyId, resourceId: p.resourceId ?? null };
    const idempotency: CreditIdempotency<ConsumptionRecord> = {
      scope: CONSUMPTION_SCOPE,
      key: p.idempotencyKey,
      replay: async (prior) => prior as ConsumptionRecord,
    };
    const record = await changeCredits(this.#engine, key, (pool, now) => consumption(pool, p, now), {
      idempotency,
      recharge: true,
    });
    const credit = {
      currencyId: key.currencyId,
      currentUsage: Number(record.totalConsumed),
      usageLimit: Number(record.totalGranted),
      timestamp: new Date(record.timestamp),
    };
    return {
      customerId: key.customerId,
      currencyId: key.currencyId,
      resourceId: key.resourceId,
      amount: Number(record.amount),
      timestamp: new Date(record.timestamp),
      credit,
    };
  }

  /** The deprecated `getCreditBalance`: a credit entitlement, of the catalog's only currency when none is named. */
  async balance(params: GetCreditBalanceParams): Promise<CreditEntitlement> {
    const p = parse(creditBalanceSchema, params, 'getCreditBalance');
    const currencyId = p.currencyId ?? soleCreditCurrency(await this.#engine.ready());
    return this.entitlement({ ...p, currencyId });
  }

  /**
   * `consume` for up to 1,000 consumptions of any customers and pools, in one transaction: each
   * applied as that call would apply it (a repeated key once), in order, all or none; an error
   * names the item. Resolves once they are durable, with nothing to answer (the reference's
   * asynchronous call returns nothing either).
   */
  async consumeAll(params: ConsumeCreditsAsyncParams): Promise<void> {
    const p = parse(consumeCreditsAsyncSchema, params, 'consumeCreditsAsync');
    await this.#engine.writeEach(p.consumptions, async (entry, customerId, items, tx, now, catalog) => {
      const pools = new Map<string, CreditPool>();
      const rechargesSkipped: AutoRechargeSkippedEvent[] = [];
      const scope = `${CONSUMPTION_SCOPE}:${customerId}`;
      for (const { item, index } of items)
        try {
          const state = requireCustomerState(entry.state, customerId);
          requireCreditCurrency(catalog, item.currencyId);
          if ((await tx.getIdempotencyResult(scope, item.idempotencyKey)) !== undefined) continue;
          const key = { customerId, currencyId: item.currencyId, resourceId: item.resourceId ?? null };
          // Opened from the transaction, not the cache: an earlier item may have changed the pool.
          const writer = await PoolWriter.open(tx, state, catalog, key, now);
          const { record } = writer.apply((pool) => consumption(pool, item, now));
          const written = await writer.commit({ newId: rechargeId });
          await tx.putIdempotencyResult(scope, item.idempotencyKey, record, now);
          pools.set(creditPoolKey(key), written.pool);
          if (written.skipped) rechargesSkipped.push(written.skipped);
        } catch (error) {
          throw itemError(index, error);
        }
      return { result: items.map(() => undefined), credits: [...pools.values()], rechargesSkipped };
    });
  }

  /**
   * A pool's balance, from the warm customer or loaded once. When the store cannot be read, a
   * customer cached before answers from the cache, else the credit fallback does; bad input, an
   * unknown currency or customer still throw.
   */
  async entitlement(params: CreditEntitlementParams): Promise<CreditEntitlement> {
    const p = plainCreditCheck(params) ? params : parse(creditEntitlementSchema, params, 'getCreditEntitlement');
    const engine = this.#engine;
    const currency = requireCreditCurrency(engine, p.currencyId);
    const requested = p.options?.requestedUsage ?? 0;
    try {
      await engine.ready();
      const entry = await engine.entry(p.customerId);
      this.#fallbackLog.recovered();
      return this.#balance(entry, p, currency, requested);
    } catch (error) {
      if (!storeFailure(error)) throw error;
      const known = unreachable(error) ? engine.lastKnown(p.customerId, engine.clock.now()) : undefined;
      if (known?.state) return this.#balance(known, p, currency, requested);
      this.#fallbackLog.fellBack(error);
      const key = { customerId: p.customerId, currencyId: p.currencyId, resourceId: p.resourceId ?? null };
      const fallback = p.options?.fallback ?? this.#fallbacks[p.currencyId];
      return creditFallbackEntitlement(key, creditCurrencyShape(currency), fallback, requested);
    }
  }

  #balance(entry: CustomerEntry, p: CreditEntitlementParams, currency: CreditCurrency, requested: number) {
    requireCustomerState(entry.state, p.customerId);
    const now = this.#engine.clock.now();
    // Refills and expiries due now count at once; the next write, or a read of history, stores them.
    const { pool, currentBalance, shown } = entry.creditPool(
      this.#engine.catalog,
      p.currencyId,
      p.resourceId ?? null,
      now,
    );
    return creditEntitlementShape(pool, currentBalance, shown, currency, requested);
  }

  /**
   * The credit entitlements a customer (or resource) holds: one per currency whose pool there has
   * held credits or been written; none for an unknown or archived customer.
   */
  async entitlements(customerId: string, resourceId?: string | null): Promise<CreditEntitlement[]> {
    const [id, scope = null] = parse(customerResourceSchema, [customerId, resourceId], 'getEntitlementsStateV2');
    const catalog = await this.#engine.ready();
    const entry = await this.#engine.entry(id);
    if (entry.state === undefined || entry.state.customer.archivedAt !== null) return [];
    const now = this.#engine.clock.now();
    return [...catalog.creditCurrencies.values()].flatMap((currency) => {
      const { pool, currentBalance, shown } = entry.creditPool(catalog, currency.currencyId, scope, now);
      const held = entry.storedPool(currency.currencyId, scope) !== undefined || shown.totalGranted !== 0;
      return held ? [creditEntitlementShape(pool, currentBalance, shown, currency, 0)] : [];
    });
  }

  /** Saves the settings: fields left out keep their saved values (a first save defaults the threshold type). */
  async saveAutoRecharge(params: SaveAutoRechargeParams): Promise<AutoRechargeSettings> {
    const method = 'saveAutomaticRechargeConfiguration';
    const { customerId, currencyId, config: input } = parse(saveAutoRechargeSchema, params, method);
    return this.#engine.mutate(customerId, async (entry, tx, now, catalog) => {
      requireCustomerState(entry.state, customerId);
      const currency = requireCreditCurrency(catalog, currencyId);
      const {
        createdAt = now,
        updatedAt: _,
        ...saved
      } = (await tx.getAutoRecharge(customerId, currencyId)) ?? {
        thresholdType: 'CREDIT_AMOUNT',
      };
      const changes = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
      const config = {
        ...parse(autoRechargeConfigSchema, { ...saved, ...changes }, method),
        createdAt,
        updatedAt: now,
      };
      if ((config.thresholdType === 'DOLLAR_AMOUNT' || config.maxSpendLimit !== null) && !currency.unitCost)
        throw new AllotError(
          'INVALID_INPUT',
          `credit currency "${currencyId}" has no unitCost to price recharges with`,
          {
            details: { currencyId },
          },
        );
      await tx.putAutoRecharge(customerId, currencyId, config);
      return { result: await this.#autoRechargeSettings(tx, customerId, currencyId, config, catalog, now) };
    });
  }

  async autoRecharge(params: GetAutoRechargeParams): Promise<AutoRechargeSettings | null> {
    const { customerId, currencyId } = parse(autoRechargeKeySchema, params, 'getAutomaticRechargeConfiguration');
    const catalog = await this.#engine.ready();
    requireCreditCurrency(catalog, currencyId);
    const now = this.#engine.clock.now();
    return this.#engine.store.read(async (r) => {
      const config = await r.getAutoRecharge(customerId, currencyId);
      return config ? this.#autoRechargeSettings(r, customerId, currencyId, config, catalog, now) : null;
    });
  }

  async #autoRechargeSettings(
    reader: StoreReader,
    customerId: string,
    currencyId: string,
    config: AutoRechargeConfig,
    catalog: Catalog,
    now: number,
  ): Promise<AutoRechargeSettings> {
    const unitCost = catalog.creditCurrencies.get(currencyId)?.unitCost;
    const grants = unitCost ? await reader.listCreditGrants({ customerId, currencyId, resourceId: null }) : [];
    return {
      customerId,
      currencyId,
      isEnabled: config.isEnabled,
      thresholdType: config.thresholdType,
      thresholdValue: Number(config.thresholdValue),
      targetBalance: numberOrNull(config.targetBalance),
      maxSpendLimit: numberOrNull(config.maxSpendLimit),
      grantExpirationPeriod: config.grantExpirationPeriod,
      rechargeMethod: config.rechargeMethod ?? 'TARGET',
      rechargeAmount: numberOrNull(config.rechargeAmount),
      minimumPurchase: numberOrNull(config.minimumPurchase),
      bonusCredits: numberOrNull(config.bonusCredits),
      grantType: config.grantType ?? 'PAID',
      currentMonthlySpend: unitCost ? Number(monthlyRechargeSpend(grants, now, unitCost.currency)) : 0,
      createdAt: config.createdAt === undefined ? null : new Date(config.createdAt),
      updatedAt: config.updatedAt === undefined ? null : new Date(config.updatedAt),
    };
  }
}

/** One consumption from a pool, and what it stores for an idempotent repeat. */
function consumption(
  pool: CreditPool,
  p: z.output<typeof consumeCreditsSchema>,
  now: number,
): CreditChange<ConsumptionRecord> {
  const change = consumeFrom(
    pool,
    {
      id: `consume-${randomHex(16)}`,
      amount: p.amount,
      idempotencyKey: p.idempotencyKey,
      ...(p.featureId ? { featureId: p.featureId } : {}),
      ...(p.dimensions ? { dimensions: p.dimensions } : {}),
    },
    now,
  );
  const b = balance(change.pool, now);
  const result: ConsumptionRecord = {
    amount: p.amount,
    timestamp: now,
    totalConsumed: b.totalConsumed,
    totalGranted: b.totalGranted,
  };
  return { ...change, result, record: result };
}

/** A stored decimal as a result's number; null when absent. */
const numberOrNull = (value: string | null | undefined): number | null =>
  value === null || value === undefined ? null : Number(value);
