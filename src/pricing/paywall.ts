import type { AddonEntitlement, Catalog, PlanEntitlement, PlanVersion, TrialConfig } from '../catalog/catalog.js';
import type { Price } from '../catalog/price-schema.js';
import { AllotError } from '../errors.js';
import type { FeatureType, MeterType, PricingType } from '../model/enums.js';
import { type PricePoint, pricePoint } from './price-point.js';

/** Which plans and prices `paywall` shows. */
export interface PaywallOptions {
  /** Only this product's plans; an unknown product shows none. */
  readonly productId?: string | undefined;
  /** Localizes prices: the country's prices per billing period, else the default ones. */
  readonly billingCountryCode?: string | null | undefined;
  /** Every country's prices and the default ones, instead of one country's. */
  readonly fetchAllCountriesPrices?: boolean | undefined;
  /** Also plans marked `hidden` (kept off public pricing pages by default). */
  readonly includeHiddenPlans?: boolean | undefined;
}

/** The feature an entitlement is for, as a pricing page renders it. */
export interface PaywallFeature {
  readonly id: string;
  readonly displayName: string | null;
  readonly description: string | null;
  readonly featureType: FeatureType;
  readonly meterType: MeterType;
  readonly units: string | null;
  readonly unitsPlural: string | null;
}

/** A plan entitlement with its feature (`null` if the catalog no longer has it). */
export interface PaywallPlanEntitlement extends PlanEntitlement {
  readonly feature: PaywallFeature | null;
}

/** An add-on entitlement with its feature. */
export interface PaywallAddonEntitlement extends AddonEntitlement {
  readonly feature: PaywallFeature | null;
}

/** An add-on a plan can be bought with. */
export interface PaywallAddon {
  readonly id: string;
  readonly displayName: string | null;
  readonly description: string | null;
  readonly maxQuantity: number | null;
  readonly entitlements: readonly PaywallAddonEntitlement[];
  readonly pricePoints: readonly PricePoint[];
}

/** A plan of the paywall (the reference's `Paywall.plans[]`). */
export interface PaywallPlan {
  readonly id: string;
  readonly displayName: string | null;
  readonly description: string | null;
  readonly order: number;
  readonly pricingType: PricingType;
  readonly product: {
    readonly id: string;
    readonly displayName: string | null;
    readonly description: string | null;
    readonly metadata: Readonly<Record<string, string>> | null;
  };
  readonly basePlan: { readonly id: string; readonly displayName: string | null } | null;
  /** Own and inherited (from the base-plan chain) entitlements; `inherited` tells which. */
  readonly entitlements: readonly PaywallPlanEntitlement[];
  /** Empty for a FREE plan, which costs nothing whatever prices it lists. */
  readonly pricePoints: readonly PricePoint[];
  readonly defaultTrialConfig: TrialConfig | null;
  readonly compatibleAddons: readonly PaywallAddon[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly version: number;
}

/** The paywall: plans in order and the currency their prices are shown in (`null` if none is priced). */
export interface Paywall {
  readonly plans: readonly PaywallPlan[];
  readonly currency: string | null;
}

type PaywallCatalog = Pick<Catalog, 'plans' | 'addons' | 'products' | 'features'>;

/**
 * The prices shown for one country: per billing period, the country's own prices when it has some
 * in that period, else the default (country-less) ones; a period priced only for other countries
 * is left out. Every price with `all`. Catalog order is kept.
 */
function shownPrices(prices: readonly Price[], country: string | undefined, all: boolean): Price[] {
  if (all) return [...prices];
  const localized = new Set(
    prices.filter((p) => country !== undefined && p.billingCountryCode === country).map((p) => p.billingPeriod),
  );
  return prices.filter((p) =>
    localized.has(p.billingPeriod) ? p.billingCountryCode === country : p.billingCountryCode === undefined,
  );
}

function featureOf(catalog: PaywallCatalog, featureId: string): PaywallFeature | null {
  const f = catalog.features.get(featureId);
  if (!f) return null;
  return {
    id: f.id,
    displayName: f.displayName ?? null,
    description: f.description ?? null,
    featureType: f.featureType,
    meterType: f.meterType,
    units: f.units ?? null,
    unitsPlural: f.unitsPlural ?? null,
  };
}

/**
 * The paywall of a catalog (the reference's `getPaywall`, without the customer part): its current
 * plan versions, products in catalog order and plans by `order` within a product (catalog order
 * on ties), hidden plans only with `includeHiddenPlans`. Each plan carries its entitlements (own
 * and inherited), its price points for `billingCountryCode` (falling back to the default prices
 * per billing period; all of them with `fetchAllCountriesPrices`), its default trial and its
 * compatible add-ons with their price points. `currency` is the currency of the first plan price
 * localized for the country, else of the first default plan price, else likewise of the add-ons'
 * prices; `null` when nothing is priced. Amounts are numbers in
 * whole currency units. A malformed country code throws INVALID_INPUT.
 *
 * @example paywall(catalog, { productId: 'app', billingCountryCode: 'DE' }).plans.map((p) => p.id)
 *   // ['free', 'basic', 'pro']
 */
export function paywall(catalog: PaywallCatalog, options: PaywallOptions = {}): Paywall {
  const code = options.billingCountryCode ?? undefined;
  if (code !== undefined && !/^[A-Za-z]{2}$/.test(code))
    throw new AllotError('INVALID_INPUT', `"${code}" is not an ISO 3166-1 alpha-2 country code`, {
      details: { billingCountryCode: code },
    });
  const country = code?.toUpperCase();
  const all = options.fetchAllCountriesPrices === true;
  const points = (prices: readonly Price[]) => shownPrices(prices, country, all).map(pricePoint);
  const productRank = new Map([...catalog.products.keys()].map((id, i) => [id, i]));
  const catalogRank = new Map([...catalog.plans.keys()].map((id, i) => [id, i]));
  const productOf = (p: PlanVersion) => productRank.get(p.productId) ?? productRank.size;
  const byRank = (a: PlanVersion, b: PlanVersion) =>
    productOf(a) - productOf(b) || a.order - b.order || (catalogRank.get(a.id) ?? 0) - (catalogRank.get(b.id) ?? 0);

  const versions = [...catalog.plans.values()]
    .filter((p) => options.productId === undefined || p.productId === options.productId)
    .filter((p) => options.includeHiddenPlans === true || !p.hidden)
    .sort(byRank);
  const planPrices = (plan: PlanVersion) => (plan.pricingType === 'FREE' ? [] : plan.prices);
  const plans = versions.map((plan): PaywallPlan => {
    const product = catalog.products.get(plan.productId);
    const base = plan.basePlanId === null ? undefined : catalog.plans.get(plan.basePlanId);
    return {
      id: plan.id,
      displayName: plan.displayName,
      description: plan.description,
      order: plan.order,
      pricingType: plan.pricingType,
      product: {
        id: plan.productId,
        displayName: product?.displayName ?? null,
        description: product?.description ?? null,
        metadata: product?.metadata ?? null,
      },
      basePlan: plan.basePlanId === null ? null : { id: plan.basePlanId, displayName: base?.displayName ?? null },
      entitlements: plan.entitlements.map((e) => ({ ...e, feature: featureOf(catalog, e.featureId) })),
      pricePoints: points(planPrices(plan)),
      defaultTrialConfig: plan.defaultTrialConfig,
      compatibleAddons: plan.compatibleAddonIds.flatMap((id) => {
        const addon = catalog.addons.get(id);
        if (!addon) return [];
        return [
          {
            id: addon.id,
            displayName: addon.displayName,
            description: addon.description,
            maxQuantity: addon.maxQuantity,
            entitlements: addon.entitlements.map((e) => ({ ...e, feature: featureOf(catalog, e.featureId) })),
            pricePoints: points(addon.prices),
          },
        ];
      }),
      metadata: plan.metadata,
      version: plan.version,
    };
  });
  // The currency the country sees (its own prices first), even when every country's are listed.
  const firstShown = (lists: readonly (readonly Price[])[]) => {
    const shown = lists.flatMap((prices) => shownPrices(prices, country, false));
    return (shown.find((p) => country !== undefined && p.billingCountryCode === country) ?? shown[0])?.currency;
  };
  const addonPrices = versions.flatMap((p) => p.compatibleAddonIds.map((id) => catalog.addons.get(id)?.prices ?? []));
  const currency = firstShown(versions.map(planPrices)) ?? firstShown(addonPrices);
  return { plans, currency: currency ?? null };
}
