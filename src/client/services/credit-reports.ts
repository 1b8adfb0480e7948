// Credit reports: grant and ledger pages (after storing what time did to the pools), usage over
// time, the dimensions consumption carried, and what usage or an event would cost.
import type { Catalog } from '../../catalog/catalog.js';
import { requireCustomerState } from '../../core/customer-records.js';
import { usageIncrease } from '../../credits/credit-cost.js';
import { defaultCreditCurrency, requireCreditCurrency } from '../../credits/credit-currency.js';
import { creditUsageRange, creditUsageSeries } from '../../credits/credit-usage.js';
import { matchesMeter, meterSample } from '../../model/meters.js';
import type { Decimal } from '../../money/money.js';
import type { CreditLedgerRow } from '../../stores/store.js';
import { type CostItem, type CreditCostEstimates, creditCostEstimates } from '../credit-estimates.js';
import {
  creditEventsFieldsSchema,
  creditGrantsSchema,
  creditLedgerSchema,
  creditUsageSchema,
  estimateEventCostSchema,
  estimateUsageCostSchema,
} from '../credit-input-schemas.js';
import {
  type CreditCurrencyShape,
  type CreditGrant,
  type CreditLedgerItem,
  creditCurrencyShape,
  creditGrantShape,
  creditLedgerItem,
} from '../credit-shapes.js';
import { settleCustomerPools } from '../credit-writes.js';
import { cursorPage, type PageInfo, pageInfo } from '../cursor-page.js';
import type { CustomerEntry } from '../engine/customer-entry.js';
import type { Engine } from '../engine/engine.js';
import { parse } from '../input-schemas.js';
import type {
  EstimateEventCostParams,
  EstimateUsageCostParams,
  GetCreditEventsFieldsParams,
  GetCreditGrantsParams,
  GetCreditLedgerParams,
  GetCreditUsageParams,
} from '../params.js';

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
  /** Where `series` lies among all of them (all, unless `paging` was given). */
  pageInfo: PageInfo;
}

/** A page of `getCreditLedger`. */
export interface CreditLedgerPage {
  data: CreditLedgerItem[];
  pageInfo: PageInfo;
}

/** A page of `getCreditGrants`, with how many grants match in all. */
export interface CreditGrantsPage {
  data: CreditGrant[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** How many ledger entries one read takes when a page needs more than its own. */
const LEDGER_CHUNK = 1000;

export class CreditReports {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async grants(params: GetCreditGrantsParams): Promise<CreditGrantsPage> {
    const p = parse(creditGrantsSchema, params, 'getCreditGrants');
    await settleCustomerPools(this.#engine, p.customerId);
    const grants = await this.#engine.store.read((r) =>
      r.listCreditGrants({
        customerId: p.customerId,
        ...(p.currencyId ? { currencyId: p.currencyId } : {}),
        ...(p.resourceId !== undefined ? { resourceId: p.resourceId } : {}),
      }),
    );
    const now = this.#engine.clock.now();
    const { page, pageInfo } = cursorPage(grants, (g) => g.id, p.paging);
    return { data: page.map((g) => creditGrantShape(g, now)), pageInfo, totalCount: grants.length };
  }

  /**
   * A page of the ledger, read in ledger order from `after`: `first` entries, or the `last` before
   * `before` (which reads the entries between the cursors, holding only `last` of them).
   */
  async ledger(params: GetCreditLedgerParams): Promise<CreditLedgerPage> {
    const p = parse(creditLedgerSchema, params, 'getCreditLedger');
    await settleCustomerPools(this.#engine, p.customerId);
    const { first, last } = p.paging;
    const before = p.paging.before === undefined ? Number.POSITIVE_INFINITY : Number(p.paging.before);
    const query = {
      customerId: p.customerId,
      ...(p.currencyId ? { currencyId: p.currencyId } : {}),
      ...(p.resourceId !== undefined ? { resourceId: p.resourceId } : {}),
      ...(p.eventType ? { eventTypes: p.eventType } : {}),
    };
    let page: CreditLedgerRow[] = [];
    let hasNextPage = false;
    let hasPreviousPage = p.paging.after !== undefined;
    const limit = Math.min(LEDGER_CHUNK, first === undefined ? LEDGER_CHUNK : first + 1);
    read: for (let afterSeq = p.paging.after === undefined ? undefined : Number(p.paging.after); ; ) {
      const rows = await this.#engine.store.read((r) =>
        r.listCreditLedger({ ...query, ...(afterSeq === undefined ? {} : { afterSeq }), limit }),
      );
      for (const row of rows) {
        if (row.seq >= before || page.length === first) {
          hasNextPage = true;
          break read;
        }
        page.push(row);
        if (first === undefined && last !== undefined && page.length > last) {
          page.shift();
          hasPreviousPage = true;
        }
      }
      const end = rows.at(-1);
      if (end === undefined || rows.length < limit) break;
      afterSeq = end.seq;
    }
    if (last !== undefined && page.length > last) {
      page = page.slice(-last);
      hasPreviousPage = true;
    }
    return {
      data: page.map((row) => creditLedgerItem(row.entry)),
      pageInfo: pageInfo(
        page.map((row) => row.seq.toString()),
        hasNextPage,
        hasPreviousPage,
      ),
    };
  }

  async usage(params: GetCreditUsageParams): Promise<CreditUsage> {
    const p = parse(creditUsageSchema, params, 'getCreditUsage');
    const catalog = await this.#engine.ready();
    requireCustomerState((await this.#engine.entry(p.customerId)).state, p.customerId, { allowArchived: true });
    const range = creditUsageRange(p, this.#engine.clock.now());
    const { currency, entries } = await this.#engine.store.read(async (r) => {
      const held = async () => new Set((await r.listCreditPools(p.customerId)).map((pool) => pool.currencyId));
      const currency = requireCreditCurrency(catalog, p.currencyId ?? defaultCreditCurrency(catalog, await held()));
      const entries = await r.listCreditConsumption({
        customerId: p.customerId,
        currencyId: currency.currencyId,
        ...(p.resourceId !== undefined ? { resourceId: p.resourceId } : {}),
        from: range.from,
        before: range.to,
      });
      return { currency, entries };
    });
    const featureNames = new Map([...catalog.features.values()].map((f) => [f.id, f.displayName ?? f.id]));
    const all = creditUsageSeries({ entries, ...range, groupBy: p.groupBy, featureNames }).series;
    // A series is known by its tags when grouped, else by its feature.
    const { page: series, pageInfo } = cursorPage(all, (s) => JSON.stringify(s.tags ?? s.featureId), p.paging ?? {});
    return {
      series: series.map((s) => ({
        featureId: s.featureId,
        featureName: s.featureName,
        totalCredits: Number(s.totalCredits),
        ...(s.tags ? { tags: s.tags.map((t) => ({ ...t })) } : {}),
        points: s.points.map((pt) => ({ timestamp: new Date(pt.timestamp), value: Number(pt.value) })),
      })),
      currency: creditCurrencyShape(currency),
      pageInfo,
    };
  }

  async eventsFields(params: GetCreditEventsFieldsParams): Promise<{ fields: string[] }> {
    const p = parse(creditEventsFieldsSchema, params, 'getCreditEventsFields');
    await this.#engine.ready();
    const fields = await this.#engine.store.read((r) =>
      r.listCreditEventFields({ customerId: p.customerId, ...(p.currencyId ? { currencyId: p.currencyId } : {}) }),
    );
    const search = p.search?.toLowerCase() ?? '';
    return { fields: fields.filter((f) => f.toLowerCase().includes(search)) };
  }

  async usageCost(params: EstimateUsageCostParams): Promise<CreditCostEstimates> {
    const p = parse(estimateUsageCostSchema, params, 'estimateUsageCost');
    const catalog = await this.#engine.ready();
    const entry = await this.#engine.entry(p.customerId);
    requireCustomerState(entry.state, p.customerId);
    const now = this.#engine.clock.now();
    if (!catalog.features.has(p.featureId)) return { estimates: [], warnings: ['FEATURE_NOT_FOUND'] };
    const item = this.#costItem(entry, p.resourceId ?? null, p.featureId, now, (current) =>
      p.updateBehavior === 'SET' ? usageIncrease(current, p.value) : p.value,
    );
    return this.#estimates(entry, catalog, now, item ? [item] : [], 1);
  }

  async eventCost(params: EstimateEventCostParams): Promise<CreditCostEstimates> {
    const p = parse(estimateEventCostSchema, params, 'estimateEventCost');
    const catalog = await this.#engine.ready();
    const entry = await this.#engine.entry(p.customerId);
    requireCustomerState(entry.state, p.customerId);
    const now = this.#engine.clock.now();
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
    const view = this.#engine.view(entry, resourceId, now);
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
}
