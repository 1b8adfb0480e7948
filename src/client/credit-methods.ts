// The credit methods behind `Allot` (documented there): grants, consumption, balances, the
// ledger, usage reports, cost estimates and automatic recharge. They lend the engine's cache,
// write path and clock through a host, as `allot.governance` does.
import type { z } from 'zod';
import type { Catalog } from '../catalog/catalog.js';
import type { CreditCurrency } from '../catalog/credit-schema.js';
import { monthlyRechargeSpend } from '../credits/auto-recharge.js';
import { type AutoRechargeConfig, autoRechargeConfigSchema } from '../credits/auto-recharge-schema.js';
import { usageIncrease } from '../credits/credit-cost.js';
import {
  balance,
  type CreditPool,
  type CreditPoolChange,
  type CreditPoolKey,
  consumeCredits as consumeFrom,
  grantCredits as grantCreditsTo,
  voidGrant,
} from '../credits/credit-pool.js';
import type { CreditGrantRecord } from '../credits/credit-records.js';
import { creditUsageRange, creditUsageSeries } from '../credits/credit-usage.js';
import { AllotError } from '../errors.js';
import { matchesMeter, meterSample } from '../model/meters.js';
import type { CustomerState } from '../model/records.js';
import type { Decimal } from '../money/money.js';
import type { Store, StoreReader, StoreTransaction } from '../stores/store.js';
import type { Clock } from './clock.js';
import { type CostItem, type CreditCostEstimates, creditCostEstimates } from './credit-estimates.js';
import {
  type CreditCurrencyShape,
  type CreditEntitlement,
  type CreditGrant,
  type CreditLedgerItem,
  creditCurrencyShape,
  creditEntitlementShape,
  creditGrantShape,
  creditLedgerItem,
} from './credit-shapes.js';
import { PoolWriter, settlePools } from './credit-writes.js';
import type { CustomerEntry, ResourceView } from './customer-cache.js';
import { plainCreditCheck } from './fast-input.js';
import { randomHex, rechargeId } from './ids.js';
import {
  autoRechargeKeySchema,
  consumeCreditsSchema,
  creditEntitlementSchema,
  creditEventsFieldsSchema,
  creditGrantsSchema,
  creditLedgerSchema,
  creditUsageSchema,
  estimateEventCostSchema,
  estimateUsageCostSchema,
  grantCreditsSchema,
  parse,
  saveAutoRechargeSchema,
  voidCreditGrantSchema,
} from './input-schemas.js';
import type { AutoRechargeSkippedEvent } from './listeners.js';

/** `grantCredits`'s input. */
export type GrantCreditsParams = z.input<typeof grantCreditsSchema>;

/** `consumeCredits`'s input. */
export type ConsumeCreditsParams = z.input<typeof consumeCreditsSchema>;

/** `getCreditEntitlement`'s input. */
export type CreditEntitlementParams = z.input<typeof creditEntitlementSchema>;

/** `getCreditGrants`'s input. */
export type GetCreditGrantsParams = z.input<typeof creditGrantsSchema>;

/** `getCreditLedger`'s input. */
export type GetCreditLedgerParams = z.input<typeof creditLedgerSchema>;

/** What `consumeCredits` acknowledges once durable: the amount and the pool's totals after it. */
export interface ConsumeCreditsResult {
  customerId: string;
  currencyId: string;
  resourceId: string | null;
  amount: number;
  timestamp: Date;
  credit: { currencyId: string; currentUsage: number; usageLimit: number; timestamp: Date };
}

/** `getCreditUsage`'s input. */
export type GetCreditUsageParams = z.input<typeof creditUsageSchema>;

/** `getCreditEventsFields`'s input. */
export type GetCreditEventsFieldsParams = z.input<typeof creditEventsFieldsSchema>;

/** `estimateUsageCost`'s input. */
export type EstimateUsageCostParams = z.input<typeof estimateUsageCostSchema>;

/** `estimateEventCost`'s input. */
export type EstimateEventCostParams = z.input<typeof estimateEventCostSchema>;

/** A customer's credit consumption over time, as `getCreditUsage` returns it. */
export interface CreditUsage {
  series: {
    featureId: string | null;
    featureName: string | null;
    totalCredits: number;
    /** When grouped: the dimension values of this series, in `groupBy` order. */
    tags?: { key: string; value: string }[];
    points: { timestamp: Date; value: number }[];
  }[];
  currency: CreditCurrencyShape;
}

/** A page of `getCreditLedger`. */
export interface CreditLedgerPage {
  data: CreditLedgerItem[];
  pageInfo: PageInfo;
}

/** Where a page of a cursor-paged list ends; pass `endCursor` as `paging.after` for the next. */
export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

/** A page of `getCreditGrants`, with how many grants match in all. */
export interface CreditGrantsPage {
  data: CreditGrant[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** `saveAutomaticRechargeConfiguration`'s input. */
export type SaveAutoRechargeParams = z.input<typeof saveAutoRechargeSchema>;

/** A customer's automatic recharge for a currency, with the month's recharge spend so far. */
export interface AutoRechargeSettings {
  customerId: string;
  currencyId: string;
  isEnabled: boolean;
  thresholdType: 'CREDIT_AMOUNT' | 'DOLLAR_AMOUNT';
  thresholdValue: number;
  targetBalance: number;
  maxSpendLimit: number | null;
  grantExpirationPeriod: 'MONTH' | 'YEAR' | null;
  currentMonthlySpend: number;
}

/** A credit write's mutation: its result, and the pools (and skipped recharges) it left. */
export interface CreditMutation<T> {
  result: T;
  credits?: readonly CreditPool[];
  rechargesSkipped?: readonly AutoRechargeSkippedEvent[];
}

/** What the engine lends the credit methods. */
export interface CreditHost {
  readonly store: Store;
  readonly clock: Clock;
  /** The catalog, once the store is open and migrated. */
  ready(): Promise<Catalog>;
  /** A customer's cache entry, loaded when not yet cached. */
  entry(customerId: string): Promise<CustomerEntry>;
  /** The customer's state; CUSTOMER_NOT_FOUND (or an archived customer's error) otherwise. */
  requireCustomer(entry: CustomerEntry, customerId: string, opts?: { allowArchived?: boolean }): CustomerState;
  /** A customer's resolved view for a scope at `now`. */
  view(entry: CustomerEntry, resourceId: string | null, now: number): ResourceView;
  /** One write for one customer, under its lock, in one transaction. */
  mutate<T>(
    customerId: string,
    fn: (entry: CustomerEntry, tx: StoreTransaction, now: number, catalog: Catalog) => Promise<CreditMutation<T>>,
  ): Promise<T>;
}

/** Idempotency scopes of the credit writes: a grant's key and a consumption's key never meet. */
const CREDIT_SCOPES = { grant: 'credit-grant', consume: 'credit-consumption' } as const;

/** An idempotent credit write's key (none: not idempotent), and how a repeat answers from what the first stored. */
interface CreditIdempotency<R> {
  readonly kind: keyof typeof CREDIT_SCOPES;
  readonly key: string | undefined;
  readonly replay: (prior: unknown, tx: StoreTransaction) => Promise<R>;
}

/** What a consumption stores for idempotent replays: amounts as decimal strings, the instant as epoch ms. */
interface ConsumptionRecord {
  amount: string;
  timestamp: number;
  totalConsumed: string;
  totalGranted: string;
}

/** The catalog's credit currency when it has just one; a call naming none needs it. */
function soleCreditCurrency(catalog: Catalog): string {
  const [only, ...others] = catalog.creditCurrencies.keys();
  if (only === undefined || others.length > 0)
    throw new AllotError('INVALID_INPUT', 'currencyId is required unless the catalog has exactly one credit currency', {
      details: { currencies: [...catalog.creditCurrencies.keys()] },
    });
  return only;
}

/** A credit currency of the catalog. */
function requireCreditCurrency(catalog: Catalog, currencyId: string): CreditCurrency {
  const currency = catalog.creditCurrencies.get(currencyId);
  if (!currency)
    throw new AllotError('CURRENCY_NOT_FOUND', `credit currency "${currencyId}" is not in the catalog`, {
      details: { currencyId },
    });
  return currency;
}

/** The credit methods of one engine. */
export class CreditMethods {
  readonly #host: CreditHost;

  constructor(host: CreditHost) {
    this.#host = host;
  }

  async grantCredits(params: GrantCreditsParams): Promise<CreditGrant> {
    const p = parse(grantCreditsSchema, params, 'grantCredits');
    const key = { customerId: p.customerId, currencyId: p.currencyId, resourceId: p.resourceId ?? null };
    const idempotency: CreditIdempotency<CreditGrantRecord> = {
      kind: 'grant',
      key: p.idempotencyKey,
      replay: async (prior, tx) => {
        const grant = await tx.getCreditGrant((prior as { grantId: string }).grantId);
        if (!grant) throw new AllotError('STORE_ERROR', 'an idempotent credit grant is missing from the store');
        return grant;
      },
    };
    return this.#changeCredits(
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
            metadata: p.metadata ?? {},
          },
          now,
        );
        return { ...change, result: change.grant, record: { grantId: change.grant.id } };
      },
      { idempotency },
    ).then((grant) => creditGrantShape(grant, this.#host.clock.now()));
  }

  async voidCreditGrant(params: { id: string }): Promise<CreditGrant> {
    const { id } = parse(voidCreditGrantSchema, params, 'voidCreditGrant');
    await this.#host.ready();
    const grant = await this.#host.store.read((r) => r.getCreditGrant(id));
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
    const voided = await this.#changeCredits(key, (pool, now) => {
      const change = voidGrant(pool, id, now);
      return { ...change, result: change.grant, record: null };
    });
    return creditGrantShape(voided, this.#host.clock.now());
  }

  async consumeCredits(params: ConsumeCreditsParams): Promise<ConsumeCreditsResult> {
    const p = parse(consumeCreditsSchema, params, 'consumeCredits');
    const key = { customerId: p.customerId, currencyId: p.currencyId, resourceId: p.resourceId ?? null };
    const idempotency: CreditIdempotency<ConsumptionRecord> = {
      kind: 'consume',
      key: p.idempotencyKey,
      replay: async (prior) => prior as ConsumptionRecord,
    };
    const record = await this.#changeCredits(
      key,
      (pool, now) => {
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
      },
      { idempotency, recharge: true },
    );
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

  async getCreditEntitlement(params: CreditEntitlementParams): Promise<CreditEntitlement> {
    const p = plainCreditCheck(params) ? params : parse(creditEntitlementSchema, params, 'getCreditEntitlement');
    const catalog = await this.#host.ready();
    const currency = requireCreditCurrency(catalog, p.currencyId);
    const entry = await this.#host.entry(p.customerId);
    this.#host.requireCustomer(entry, p.customerId);
    const now = this.#host.clock.now();
    // Refills and expiries due now count at once; the next write, or a read of history, stores them.
    const { pool, currentBalance, shown } = entry.creditPool(catalog, p.currencyId, p.resourceId ?? null, now);
    return creditEntitlementShape(pool, currentBalance, shown, currency, p.options?.requestedUsage ?? 0);
  }

  /**
   * Stores what time has done to a customer's pools (refills, expiries, scheduled grants) when it
   * has done anything, so that stored history reads as balances do; a no-op on a settled customer.
   */
  async #settleCredits(customerId: string): Promise<void> {
    const catalog = await this.#host.ready();
    const entry = await this.#host.entry(customerId);
    if (entry.state === undefined) return;
    const now = this.#host.clock.now();
    const currencies = [...catalog.creditCurrencies.keys()];
    const pending = entry
      .creditScopes()
      .some((scope) => currencies.some((c) => !entry.creditPool(catalog, c, scope, now).settled));
    if (!pending) return;
    await this.#host.mutate(customerId, async (current, tx, at, catalog) => {
      const state = current.state;
      if (state === undefined) return { result: undefined };
      return { result: undefined, credits: await settlePools(tx, state, catalog, current.creditScopes(), at) };
    });
  }

  async getCreditGrants(params: GetCreditGrantsParams): Promise<CreditGrantsPage> {
    const p = parse(creditGrantsSchema, params, 'getCreditGrants');
    await this.#settleCredits(p.customerId);
    const grants = await this.#host.store.read((r) =>
      r.listCreditGrants({
        customerId: p.customerId,
        ...(p.currencyId ? { currencyId: p.currencyId } : {}),
        ...(p.resourceId !== undefined ? { resourceId: p.resourceId } : {}),
      }),
    );
    const now = this.#host.clock.now();
    const start = p.paging.after === undefined ? 0 : grants.findIndex((g) => g.id === p.paging.after) + 1;
    if (start === 0 && p.paging.after !== undefined)
      throw new AllotError('INVALID_INPUT', `paging.after "${p.paging.after}" is not a grant of this list`, {
        details: { after: p.paging.after },
      });
    const page = grants.slice(start, start + p.paging.first);
    return {
      data: page.map((g) => creditGrantShape(g, now)),
      pageInfo: { hasNextPage: start + page.length < grants.length, endCursor: page.at(-1)?.id ?? null },
      totalCount: grants.length,
    };
  }

  async getCreditLedger(params: GetCreditLedgerParams): Promise<CreditLedgerPage> {
    const p = parse(creditLedgerSchema, params, 'getCreditLedger');
    await this.#settleCredits(p.customerId);
    const { first, after } = p.paging;
    const rows = await this.#host.store.read((r) =>
      r.listCreditLedger({
        customerId: p.customerId,
        ...(p.currencyId ? { currencyId: p.currencyId } : {}),
        ...(p.resourceId !== undefined ? { resourceId: p.resourceId } : {}),
        ...(p.eventType ? { eventTypes: p.eventType } : {}),
        ...(after ? { afterSeq: Number(after) } : {}),
        limit: first + 1,
      }),
    );
    const page = rows.slice(0, first);
    return {
      data: page.map((row) => creditLedgerItem(row.entry)),
      pageInfo: { hasNextPage: rows.length > first, endCursor: page.at(-1)?.seq.toString() ?? null },
    };
  }

  async getCreditUsage(params: GetCreditUsageParams): Promise<CreditUsage> {
    const p = parse(creditUsageSchema, params, 'getCreditUsage');
    const catalog = await this.#host.ready();
    this.#host.requireCustomer(await this.#host.entry(p.customerId), p.customerId, { allowArchived: true });
    const currency = requireCreditCurrency(catalog, p.currencyId ?? soleCreditCurrency(catalog));
    const range = creditUsageRange(p, this.#host.clock.now());
    const entries = await this.#host.store.read((r) =>
      r.listCreditConsumption({
        customerId: p.customerId,
        currencyId: currency.currencyId,
        ...(p.resourceId !== undefined ? { resourceId: p.resourceId } : {}),
        from: range.from,
        before: range.to,
      }),
    );
    const featureNames = new Map([...catalog.features.values()].map((f) => [f.id, f.displayName ?? f.id]));
    const { series } = creditUsageSeries({ entries, ...range, groupBy: p.groupBy, featureNames });
    return {
      series: series.map((s) => ({
        featureId: s.featureId,
        featureName: s.featureName,
        totalCredits: Number(s.totalCredits),
        ...(s.tags ? { tags: s.tags.map((t) => ({ ...t })) } : {}),
        points: s.points.map((pt) => ({ timestamp: new Date(pt.timestamp), value: Number(pt.value) })),
      })),
      currency: creditCurrencyShape(currency),
    };
  }

  async getCreditEventsFields(params: GetCreditEventsFieldsParams): Promise<{ fields: string[] }> {
    const p = parse(creditEventsFieldsSchema, params, 'getCreditEventsFields');
    await this.#host.ready();
    const fields = await this.#host.store.read((r) =>
      r.listCreditEventFields({ customerId: p.customerId, ...(p.currencyId ? { currencyId: p.currencyId } : {}) }),
    );
    const search = p.search?.toLowerCase() ?? '';
    return { fields: fields.filter((f) => f.toLowerCase().includes(search)) };
  }

  async estimateUsageCost(params: EstimateUsageCostParams): Promise<CreditCostEstimates> {
    const p = parse(estimateUsageCostSchema, params, 'estimateUsageCost');
    const catalog = await this.#host.ready();
    const entry = await this.#host.entry(p.customerId);
    this.#host.requireCustomer(entry, p.customerId);
    const now = this.#host.clock.now();
    if (!catalog.features.has(p.featureId)) return { estimates: [], warnings: ['FEATURE_NOT_FOUND'] };
    const item = this.#costItem(entry, p.resourceId ?? null, p.featureId, now, (current) =>
      p.updateBehavior === 'SET' ? usageIncrease(current, p.value) : p.value,
    );
    return this.#estimates(entry, catalog, now, item ? [item] : [], 1);
  }

  async estimateEventCost(params: EstimateEventCostParams): Promise<CreditCostEstimates> {
    const p = parse(estimateEventCostSchema, params, 'estimateEventCost');
    const catalog = await this.#host.ready();
    const entry = await this.#host.entry(p.customerId);
    this.#host.requireCustomer(entry, p.customerId);
    const now = this.#host.clock.now();
    const dimensions = p.dimensions ?? {};
    const matched = (catalog.metersByEvent.get(p.eventName) ?? []).filter((f) =>
      matchesMeter(f.meter, p.eventName, dimensions),
    );
    const items = matched.flatMap((feature) => {
      const sample = meterSample(feature.meter, feature.id, dimensions);
      const fn = feature.meter.aggregation.function;
      const item = this.#costItem(entry, p.resourceId ?? null, feature.id, now, (current) => {
        // A UNIQUE member may already be counted: 1 is the most it can add.
        if (sample.member !== undefined) return 1;
        if (fn === 'MIN' || fn === 'AVG') return null;
        return fn === 'MAX' ? usageIncrease(current, sample.amount) : sample.amount;
      });
      return item ? [item] : [];
    });
    return this.#estimates(entry, catalog, now, items, matched.length);
  }

  /** A credit-backed feature's cost item for an estimate; undefined when the feature is not credit-backed here. */
  #costItem(
    entry: CustomerEntry,
    resourceId: string | null,
    featureId: string,
    now: number,
    units: (currentUsage: number) => Decimal | number | null,
  ): CostItem | undefined {
    const view = this.#host.view(entry, resourceId, now);
    const rate = view.entitlements.get(featureId)?.creditRate;
    if (!rate) return undefined;
    return {
      featureId,
      rate,
      scope: view.creditScope(featureId),
      units: units(view.usageView(featureId, now).currentUsage),
    };
  }

  #estimates(
    entry: CustomerEntry,
    catalog: Catalog,
    now: number,
    items: readonly CostItem[],
    reached: number,
  ): CreditCostEstimates {
    if (items.length === 0)
      return { estimates: [], warnings: [reached > 0 ? 'FEATURE_NOT_CREDIT_BASED' : 'FEATURE_NOT_FOUND'] };
    const balanceOf = (currencyId: string, scope: string | null) =>
      entry.creditPool(catalog, currencyId, scope, now).currentBalance;
    return { estimates: creditCostEstimates(items, balanceOf), warnings: [] };
  }

  /**
   * One credit write in one transaction: the pool brought to now (expiries, scheduled grants),
   * changed by `change`, its changed grants, debt and ledger entries written. With an idempotency
   * key, a repeat answers `replay(what the first stored)` and changes nothing.
   */
  #changeCredits<R>(
    key: CreditPoolKey,
    change: (pool: CreditPool, now: number) => CreditPoolChange & { result: R; record: unknown },
    options: { readonly idempotency?: CreditIdempotency<R> | undefined; readonly recharge?: boolean } = {},
  ): Promise<R> {
    const { idempotency, recharge = false } = options;
    return this.#host.mutate(key.customerId, async (entry, tx, now, catalog) => {
      const state = this.#host.requireCustomer(entry, key.customerId);
      requireCreditCurrency(catalog, key.currencyId);
      const idem =
        idempotency?.key === undefined
          ? undefined
          : {
              scope: `${CREDIT_SCOPES[idempotency.kind]}:${key.customerId}`,
              key: idempotency.key,
              replay: idempotency.replay,
            };
      if (idem) {
        const prior = await tx.getIdempotencyResult(idem.scope, idem.key);
        if (prior !== undefined) return { result: await idem.replay(prior, tx) };
      }
      const writer = await PoolWriter.open(tx, state, catalog, key, now);
      const changed = writer.apply((pool) => change(pool, now));
      const written = await writer.commit(recharge ? { newId: rechargeId } : undefined);
      if (idem) await tx.putIdempotencyResult(idem.scope, idem.key, changed.record, now);
      return {
        result: changed.result,
        credits: [written.pool],
        ...(written.skipped ? { rechargesSkipped: [written.skipped] } : {}),
      };
    });
  }

  async saveAutomaticRechargeConfiguration(params: SaveAutoRechargeParams): Promise<AutoRechargeSettings> {
    const {
      customerId,
      currencyId,
      config: input,
    } = parse(saveAutoRechargeSchema, params, 'saveAutomaticRechargeConfiguration');
    const config = parse(autoRechargeConfigSchema, input, 'saveAutomaticRechargeConfiguration');
    return this.#host.mutate(customerId, async (entry, tx, now, catalog) => {
      this.#host.requireCustomer(entry, customerId);
      const currency = requireCreditCurrency(catalog, currencyId);
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

  async getAutomaticRechargeConfiguration(params: {
    customerId: string;
    currencyId: string;
  }): Promise<AutoRechargeSettings | null> {
    const { customerId, currencyId } = parse(autoRechargeKeySchema, params, 'getAutomaticRechargeConfiguration');
    const catalog = await this.#host.ready();
    requireCreditCurrency(catalog, currencyId);
    const now = this.#host.clock.now();
    return this.#host.store.read(async (r) => {
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
      targetBalance: Number(config.targetBalance),
      maxSpendLimit: config.maxSpendLimit === null ? null : Number(config.maxSpendLimit),
      grantExpirationPeriod: config.grantExpirationPeriod,
      currentMonthlySpend: unitCost ? Number(monthlyRechargeSpend(grants, now, unitCost.currency)) : 0,
    };
  }
}
