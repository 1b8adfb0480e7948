import type { CatalogIssue } from './catalog-issues.js';
import type { CatalogDefinition, FeatureDefinition, PlanDefinition } from './catalog-schema.js';
import type { Price } from './price-schema.js';

function indexById<T extends { id: string }>(
  items: readonly T[],
  kind: string,
  issues: CatalogIssue[],
): Map<string, T> {
  const map = new Map<string, T>();
  items.forEach((item, i) => {
    if (map.has(item.id)) issues.push({ path: [kind, i, 'id'], message: `duplicate id "${item.id}"` });
    else map.set(item.id, item);
  });
  return map;
}

/** Checks an entitlement against its feature: it must exist and its values must fit its type. */
export function checkEntitlement(
  e: { featureId: string; usageLimit?: number | null; resetPeriod?: string | null; enumValues?: string[] },
  features: Map<string, FeatureDefinition>,
  path: (string | number)[],
  issues: CatalogIssue[],
): void {
  const feature = features.get(e.featureId);
  if (!feature) {
    issues.push({ path: [...path, 'featureId'], message: `unknown feature "${e.featureId}"` });
    return;
  }
  if (e.resetPeriod && feature.meterType !== 'Incremental')
    issues.push({
      path: [...path, 'resetPeriod'],
      message: `only Incremental meters reset; "${feature.id}" is ${feature.featureType}/${feature.meterType}`,
    });
  if (e.usageLimit != null && feature.featureType !== 'NUMBER')
    issues.push({ path: [...path, 'usageLimit'], message: `"${feature.id}" is ${feature.featureType}, not NUMBER` });
  if (e.enumValues) {
    const allowed = new Set(feature.enumConfiguration?.map((v) => v.value));
    for (const v of e.enumValues)
      if (!allowed.has(v))
        issues.push({ path: [...path, 'enumValues'], message: `"${v}" is not a value of "${feature.id}"` });
  }
}

/**
 * Checks that a parsed catalog's ids are unique and its references resolve (features, products,
 * plans, add-ons, credit currencies), and that no base-plan chain loops; returns its indexes by id.
 */
export function checkReferences(def: CatalogDefinition, issues: CatalogIssue[]) {
  const features = indexById(def.features, 'features', issues);
  const products = indexById(def.products, 'products', issues);
  const plans = indexById(def.plans, 'plans', issues);
  const addons = indexById(def.addons, 'addons', issues);
  const checkPrices = (prices: readonly Price[], path: (string | number)[]) =>
    prices.forEach((p, i) => {
      if (p.featureId && !features.has(p.featureId))
        issues.push({ path: [...path, 'prices', i, 'featureId'], message: `unknown feature "${p.featureId}"` });
    });
  const currencies = new Set(def.creditCurrencies.map((c) => c.currencyId));
  const checkCredits = (credits: readonly { currencyId: string }[] | undefined, path: (string | number)[]) =>
    credits?.forEach((c, i) => {
      if (!currencies.has(c.currencyId))
        issues.push({
          path: [...path, 'creditEntitlements', i, 'currencyId'],
          message: `unknown credit currency "${c.currencyId}"`,
        });
    });

  def.features.forEach((f, i) => {
    if (f.creditRate && !currencies.has(f.creditRate.currencyId))
      issues.push({
        path: ['features', i, 'creditRate', 'currencyId'],
        message: `unknown credit currency "${f.creditRate.currencyId}"`,
      });
  });
  const checkRates = (plan: PlanDefinition, path: (string | number)[]) =>
    plan.creditRates?.forEach((r, j) => {
      const feature = features.get(r.featureId);
      if (!feature || feature.meterType === 'None')
        issues.push({
          path: [...path, 'creditRates', j, 'featureId'],
          message: feature ? `feature "${r.featureId}" is not metered` : `unknown feature "${r.featureId}"`,
        });
      if (!currencies.has(r.currencyId))
        issues.push({
          path: [...path, 'creditRates', j, 'currencyId'],
          message: `unknown credit currency "${r.currencyId}"`,
        });
    });

  def.products.forEach((product, i) => {
    const plan = product.downgradePlanId ? plans.get(product.downgradePlanId) : undefined;
    if (product.downgradePlanId && plan?.productId !== product.id)
      issues.push({
        path: ['products', i, 'downgradePlanId'],
        message: `"${product.downgradePlanId}" is not a plan of product "${product.id}"`,
      });
  });
  const noRepeats = (ids: readonly string[], path: (string | number)[], what: string) => {
    const seen = new Set<string>();
    ids.forEach((x, j) => {
      if (seen.has(x)) issues.push({ path: [...path, j], message: `${what} "${x}" is listed twice` });
      seen.add(x);
    });
  };
  def.plans.forEach((plan, i) => {
    const path = ['plans', i];
    noRepeats(
      plan.entitlements.map((e) => e.featureId),
      [...path, 'entitlements'],
      'feature',
    );
    noRepeats(plan.compatibleAddonIds, [...path, 'compatibleAddonIds'], 'add-on');
    if (!products.has(plan.productId))
      issues.push({ path: [...path, 'productId'], message: `unknown product "${plan.productId}"` });
    if (plan.basePlanId) {
      const base = plans.get(plan.basePlanId);
      if (!base) issues.push({ path: [...path, 'basePlanId'], message: `unknown plan "${plan.basePlanId}"` });
      else if (base.productId !== plan.productId)
        issues.push({ path: [...path, 'basePlanId'], message: `base plan "${base.id}" belongs to another product` });
    }
    plan.entitlements.forEach((e, j) => {
      checkEntitlement(e, features, [...path, 'entitlements', j], issues);
    });
    plan.compatibleAddonIds.forEach((addonId, j) => {
      const addon = addons.get(addonId);
      if (!addon) issues.push({ path: [...path, 'compatibleAddonIds', j], message: `unknown add-on "${addonId}"` });
      else if (addon.productId !== plan.productId)
        issues.push({
          path: [...path, 'compatibleAddonIds', j],
          message: `add-on "${addonId}" belongs to another product`,
        });
    });
    checkPrices(plan.prices, path);
    checkCredits(plan.creditEntitlements, path);
    checkRates(plan, path);
  });
  def.addons.forEach((addon, i) => {
    noRepeats(
      addon.entitlements.map((e) => e.featureId),
      ['addons', i, 'entitlements'],
      'feature',
    );
    if (!products.has(addon.productId))
      issues.push({ path: ['addons', i, 'productId'], message: `unknown product "${addon.productId}"` });
    addon.entitlements.forEach((e, j) => {
      checkEntitlement(e, features, ['addons', i, 'entitlements', j], issues);
    });
    checkPrices(addon.prices, ['addons', i]);
    checkCredits(addon.creditEntitlements, ['addons', i]);
  });
  // A basePlan chain must end; walk each one with a visited set.
  def.plans.forEach((plan, i) => {
    const seen = new Set<string>([plan.id]);
    for (let next = plan.basePlanId; next; next = plans.get(next)?.basePlanId) {
      if (seen.has(next)) {
        issues.push({ path: ['plans', i, 'basePlanId'], message: `basePlan cycle: ${[...seen, next].join(' → ')}` });
        break;
      }
      seen.add(next);
    }
  });
  return { features, products, plans };
}
