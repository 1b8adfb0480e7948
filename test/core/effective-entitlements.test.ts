import { describe, expect, it } from 'vitest';
import {
  type CustomerEntitlements,
  type EffectiveEntitlement,
  isPromotionActive,
  resolveEntitlements,
} from '../../src/core/effective-entitlements.js';
import { usagePeriod } from '../../src/core/reset-period.js';
import { type UsageWindowSource, usageWindow } from '../../src/core/usage-windows.js';
import type { CustomerState, PromotionRecord, SubscriptionRecord } from '../../src/model/records.js';
import {
  at,
  CATALOG_NOW,
  catalogOf,
  customerState,
  DAY,
  must,
  promotion,
  spec,
  standardCatalog,
  standardCatalogInput,
  subscription,
} from './factories.js';
import { fc } from './fc-setup.js';

const catalog = standardCatalog();
const NOW = at('2024-02-10T12:00:00Z');

function resolve(state: CustomerState | undefined, now = NOW, resourceId: string | null = null) {
  return resolveEntitlements(catalog, state, resourceId, now);
}

function ent(set: CustomerEntitlements, featureId: string): EffectiveEntitlement {
  return must(set.entitlements.get(featureId), `entitlement ${featureId}`);
}

function win(set: CustomerEntitlements, featureId: string): UsageWindowSource {
  return must(set.windows.get(featureId), `usage window of ${featureId}`);
}

/**
 * The observable value of an entitlement: limit, unlimited, soft and the enum values as a sorted
 * set. A limit means nothing on BOOLEAN and ENUM features (results never show it), so it is left out.
 */
function observable(e: EffectiveEntitlement | undefined) {
  if (!e) return undefined;
  return {
    usageLimit: e.feature.featureType === 'NUMBER' ? e.usageLimit : 'n/a',
    hasUnlimitedUsage: e.hasUnlimitedUsage,
    hasSoftLimit: e.hasSoftLimit,
    enumValues: e.enumValues ? [...e.enumValues].sort() : null,
  };
}

const onPlan = (planId: string, overrides: Partial<SubscriptionRecord> = {}) =>
  subscription({ id: `sub-${planId}`, planId, ...overrides });

describe('plan and base plan', () => {
  it('grants the plan entitlements plus what the base plan chain adds', () => {
    const set = resolve(customerState({ subscriptions: [onPlan('basic')] }));
    expect(set.accessDeniedReason).toBeNull();
    expect(ent(set, 'api-calls')).toMatchObject({ usageLimit: 1000, hasUnlimitedUsage: false, hasSoftLimit: false });
    expect(ent(set, 'seats').usageLimit).toBe(5);
    expect(ent(set, 'projects').usageLimit).toBe(10);
    expect(ent(set, 'region').enumValues).toEqual(['us']); // inherited from free
    expect(set.entitlements.has('sso')).toBe(true);
    expect(set.windows.get('sso')).toBeUndefined(); // only metered features have a usage window
  });

  it('does not grant what neither the plan nor its base plans define', () => {
    const set = resolve(customerState({ subscriptions: [onPlan('free')] }));
    expect(set.entitlements.has('sso')).toBe(false);
    expect(ent(set, 'api-calls').usageLimit).toBe(100);
  });

  it('reads the pinned plan version, not the latest', () => {
    const set = resolve(customerState({ subscriptions: [onPlan('basic', { planVersion: 99 })] }));
    // An unknown version grants nothing from the plan, but the subscription is still live.
    expect(set.accessDeniedReason).toBeNull();
    expect(set.entitlements.size).toBe(0);
  });
});

describe('add-ons', () => {
  it('Increment adds value × quantity to the plan limit', () => {
    const set = resolve(
      customerState({
        subscriptions: [onPlan('basic', { addons: [{ addonId: 'extra-seats', version: 1, quantity: 3 }] })],
      }),
    );
    expect(ent(set, 'seats').usageLimit).toBe(5 + 5 * 3);
  });

  it('Increment on an unlimited plan entitlement stays unlimited', () => {
    const set = resolve(
      customerState({
        subscriptions: [onPlan('pro', { addons: [{ addonId: 'extra-calls', version: 1, quantity: 2 }] })],
      }),
    );
    expect(ent(set, 'api-calls')).toMatchObject({ usageLimit: null, hasUnlimitedUsage: true });
  });

  it('two Increment add-ons both add', () => {
    const set = resolve(
      customerState({
        subscriptions: [
          onPlan('basic', {
            addons: [
              { addonId: 'extra-calls', version: 1, quantity: 1 },
              { addonId: 'extra-calls', version: 1, quantity: 2 },
            ],
          }),
        ],
      }),
    );
    expect(ent(set, 'api-calls').usageLimit).toBe(1000 + 500 * 3);
  });

  it('Override replaces the plan limit and the largest override wins, in any order', () => {
    const big = { addonId: 'big-calls', version: 1, quantity: 1 };
    const huge = { addonId: 'huge-calls', version: 1, quantity: 1 };
    for (const addons of [[big, huge], [huge, big], [big]]) {
      const set = resolve(customerState({ subscriptions: [onPlan('basic', { addons })] }));
      expect(ent(set, 'api-calls').usageLimit).toBe(addons.includes(huge) ? 20000 : 5000);
    }
  });

  it('Override keeps the plan reset period; Increments add on top of the override', () => {
    const set = resolve(
      customerState({
        subscriptions: [
          onPlan('basic', {
            addons: [
              { addonId: 'extra-calls', version: 1, quantity: 1 },
              { addonId: 'big-calls', version: 1, quantity: 1 },
            ],
          }),
        ],
      }),
    );
    expect(ent(set, 'api-calls').usageLimit).toBe(5500);
    expect(win(set, 'api-calls').resetPeriod).toBe('MONTH');
  });

  it('an Increment add-on unites enum values with the plan', () => {
    const set = resolve(
      customerState({
        subscriptions: [onPlan('basic', { addons: [{ addonId: 'eu-region', version: 1, quantity: 1 }] })],
      }),
    );
    expect([...(ent(set, 'region').enumValues ?? [])].sort()).toEqual(['ap', 'eu', 'us']);
  });
});

describe('merging across sources', () => {
  it('unlimited beats any limit, whichever source has it', () => {
    const planUnlimited = resolve(
      customerState({
        subscriptions: [onPlan('pro')],
        promotions: [promotion('api-calls', { usageLimit: 1e12 })],
      }),
    );
    expect(ent(planUnlimited, 'api-calls')).toMatchObject({ hasUnlimitedUsage: true, usageLimit: null });
    const promoUnlimited = resolve(
      customerState({
        subscriptions: [onPlan('basic')],
        promotions: [promotion('api-calls', { hasUnlimitedUsage: true })],
      }),
    );
    expect(ent(promoUnlimited, 'api-calls')).toMatchObject({ hasUnlimitedUsage: true, usageLimit: null });
  });

  it('the larger limit wins across sources', () => {
    const set = resolve(
      customerState({
        subscriptions: [onPlan('basic')],
        promotions: [promotion('seats', { usageLimit: 3 }), promotion('api-calls', { usageLimit: 4000 })],
      }),
    );
    expect(ent(set, 'seats').usageLimit).toBe(5);
    expect(ent(set, 'api-calls').usageLimit).toBe(4000);
    // The paid subscription's window wins over the promotion's, whichever limit is larger.
    expect(win(set, 'api-calls').epoch).toBe('sub-basic');
  });

  it('a soft limit from any source makes the entitlement soft', () => {
    const set = resolve(
      customerState({
        subscriptions: [onPlan('basic')],
        promotions: [promotion('api-calls', { usageLimit: 10, hasSoftLimit: true })],
      }),
    );
    expect(ent(set, 'api-calls')).toMatchObject({ usageLimit: 1000, hasSoftLimit: true });
  });

  it('enum values from every source unite', () => {
    const set = resolve(
      customerState({
        subscriptions: [onPlan('basic')],
        promotions: [promotion('region', { enumValues: ['ap'] })],
      }),
    );
    expect([...(ent(set, 'region').enumValues ?? [])].sort()).toEqual(['ap', 'us']);
  });

  it('a trial in parallel with a paid subscription: the most generous wins, the paid window is kept', () => {
    const paid = onPlan('basic', { billingAnchor: at('2024-01-05T00:00:00Z') });
    const trial = onPlan('pro', {
      id: 'sub-trial',
      usageEpoch: 'sub-trial',
      startDate: at('2024-02-01T00:00:00Z'),
      billingAnchor: at('2024-02-01T00:00:00Z'),
      trialEndDate: at('2024-02-15T00:00:00Z'),
      trialEndBehavior: 'CONVERT_TO_PAID',
    });
    for (const subscriptions of [
      [paid, trial],
      [trial, paid],
    ]) {
      const set = resolve(customerState({ subscriptions }));
      expect(ent(set, 'api-calls').hasUnlimitedUsage).toBe(true);
      expect(ent(set, 'seats').usageLimit).toBe(20);
      expect(win(set, 'api-calls')).toMatchObject({ epoch: 'sub-basic', anchor: at('2024-01-05T00:00:00Z') });
      expect(set.validUntil).toBe(at('2024-02-15T00:00:00Z'));
    }
  });

  it('custom subscription entitlements win where more generous and add features the plan lacks', () => {
    const set = resolve(
      customerState({
        subscriptions: [
          onPlan('free', {
            entitlements: [spec('api-calls', { usageLimit: 5000 }), spec('seats', { usageLimit: 0 }), spec('sso')],
          }),
        ],
      }),
    );
    expect(ent(set, 'api-calls').usageLimit).toBe(5000);
    // The custom value had no reset period, so the plan's MONTH reset is kept.
    expect(win(set, 'api-calls').resetPeriod).toBe('MONTH');
    expect(ent(set, 'seats').usageLimit).toBe(1); // less generous custom value is ignored
    expect(set.entitlements.has('sso')).toBe(true);
  });

  it('ignores entitlements to features the catalog does not have', () => {
    const set = resolve(customerState({ subscriptions: [onPlan('free', { entitlements: [spec('ghost')] })] }));
    expect(set.entitlements.has('ghost')).toBe(false);
  });
});

describe('promotions', () => {
  const start = at('2024-02-01T00:00:00Z');
  const end = at('2024-03-01T00:00:00Z');
  const promo = promotion('sso', {}, { startDate: start, endDate: end });
  const state = customerState({ subscriptions: [onPlan('free')], promotions: [promo] });

  it('is active only within [start, end)', () => {
    expect(resolve(state, start - 1).entitlements.has('sso')).toBe(false);
    expect(resolve(state, start).entitlements.has('sso')).toBe(true);
    expect(resolve(state, end - 1).entitlements.has('sso')).toBe(true);
    expect(resolve(state, end).entitlements.has('sso')).toBe(false);
    expect([
      isPromotionActive(promo, start - 1),
      isPromotionActive(promo, start),
      isPromotionActive(promo, end),
    ]).toEqual([false, true, false]);
  });

  it('a lifetime promotion (no end) never expires', () => {
    const lifetime = promotion('sso', {}, { startDate: start, endDate: null, period: 'LIFETIME' });
    expect(isPromotionActive(lifetime, at('2199-01-01T00:00:00Z'))).toBe(true);
  });

  it('validUntil is the promotion end while it runs, its start before it begins', () => {
    expect(resolve(state, start - DAY).validUntil).toBe(start);
    expect(resolve(state, start + DAY).validUntil).toBe(end);
    expect(resolve(state, end).validUntil).toBe(Number.POSITIVE_INFINITY);
  });

  it('a promotion window is anchored at the promotion start', () => {
    const metered = promotion(
      'api-calls',
      { usageLimit: 10_000, resetPeriod: 'WEEK', accordingTo: 'EveryMonday' },
      { startDate: at('2024-02-08T15:00:00Z') }, // a Thursday
    );
    const set = resolve(customerState({ promotions: [metered] }));
    expect(win(set, 'api-calls')).toMatchObject({
      resetPeriod: 'WEEK',
      accordingTo: 'EveryMonday',
      anchor: at('2024-02-05T00:00:00Z'),
    });
  });
});

describe('resource scoping', () => {
  const wide = onPlan('free', { id: 'sub-wide', resourceId: null });
  const r1 = onPlan('basic', { id: 'sub-r1', resourceId: 'r1' });
  const r2 = onPlan('pro', { id: 'sub-r2', resourceId: 'r2' });
  const state = customerState({ subscriptions: [wide, r1, r2] });

  it("a resource check sees that resource's and customer-wide subscriptions only", () => {
    const set = resolve(state, NOW, 'r1');
    expect(set.resourceId).toBe('r1');
    expect(ent(set, 'api-calls')).toMatchObject({ usageLimit: 1000, hasUnlimitedUsage: false });
    expect(set.unknownResource).toBe(false);
    expect(resolve(state, NOW, 'r2').entitlements.get('api-calls')?.hasUnlimitedUsage).toBe(true);
  });

  it('a customer-wide check sees only customer-wide subscriptions', () => {
    const set = resolve(state, NOW, null);
    expect(ent(set, 'api-calls').usageLimit).toBe(100);
    expect(win(set, 'api-calls').epoch).toBe('sub-wide');
    expect(set.unknownResource).toBe(false);
  });

  it('flags a resource no subscription was ever scoped to, still granting customer-wide ones', () => {
    const set = resolve(state, NOW, 'r3');
    expect(set.unknownResource).toBe(true);
    expect(ent(set, 'api-calls').usageLimit).toBe(100);
  });

  it('a resource known only from an ended subscription is not unknown', () => {
    const ended = onPlan('basic', { id: 'sub-old', resourceId: 'r9', endDate: at('2024-02-01T00:00:00Z') });
    const set = resolve(customerState({ subscriptions: [ended] }), NOW, 'r9');
    expect(set.unknownResource).toBe(false);
    expect(set.accessDeniedReason).toBe('NoActiveSubscription');
  });
});

describe('customer-level reasons', () => {
  it('CustomerNotFound when there is no state', () => {
    const set = resolve(undefined);
    expect(set.accessDeniedReason).toBe('CustomerNotFound');
    expect(set.entitlements.size).toBe(0);
  });

  it('CustomerIsArchived even with live subscriptions and promotions', () => {
    const set = resolve(
      customerState({
        customer: { archivedAt: at('2024-02-01T00:00:00Z') },
        subscriptions: [onPlan('pro')],
        promotions: [promotion('sso', {})],
      }),
    );
    expect(set.accessDeniedReason).toBe('CustomerIsArchived');
    expect(set.entitlements.size).toBe(0);
  });

  it('NoActiveSubscription when every subscription is ended or not started; promotions still apply', () => {
    const set = resolve(
      customerState({
        subscriptions: [
          onPlan('basic', { id: 'old', endDate: at('2024-02-01T00:00:00Z'), cancelReason: 'Immediate' }),
          onPlan('pro', { id: 'future', startDate: at('2024-03-01T00:00:00Z') }),
        ],
        promotions: [promotion('sso', {})],
      }),
    );
    expect(set.accessDeniedReason).toBe('NoActiveSubscription');
    expect([...set.entitlements.keys()]).toEqual(['sso']);
    expect(set.validUntil).toBe(at('2024-03-01T00:00:00Z'));
  });

  it('no subscriptions at all is NoActiveSubscription', () => {
    expect(resolve(customerState()).accessDeniedReason).toBe('NoActiveSubscription');
  });
});

describe('validUntil', () => {
  it('is the next trial end, scheduled update or end, whichever comes first', () => {
    const trial = onPlan('pro', { trialEndDate: at('2024-02-20T00:00:00Z'), trialEndBehavior: 'CONVERT_TO_PAID' });
    expect(resolve(customerState({ subscriptions: [trial] })).validUntil).toBe(at('2024-02-20T00:00:00Z'));
    const scheduled = onPlan('pro', {
      scheduledUpdates: [
        {
          subscriptionScheduleType: 'Downgrade',
          scheduledExecutionTime: at('2024-02-15T00:00:00Z'),
          createdAt: CATALOG_NOW,
          planId: 'basic',
          planVersion: 1,
        },
      ],
    });
    expect(resolve(customerState({ subscriptions: [trial, scheduled] })).validUntil).toBe(at('2024-02-15T00:00:00Z'));
    const ending = onPlan('basic', { id: 'ending', endDate: at('2024-02-11T00:00:00Z') });
    expect(resolve(customerState({ subscriptions: [trial, scheduled, ending] })).validUntil).toBe(
      at('2024-02-11T00:00:00Z'),
    );
  });

  it('is infinite when nothing is due to change', () => {
    expect(resolve(customerState({ subscriptions: [onPlan('basic')] })).validUntil).toBe(Number.POSITIVE_INFINITY);
  });

  it('ignores subscriptions out of scope', () => {
    const other = onPlan('pro', { resourceId: 'r1', trialEndDate: at('2024-02-20T00:00:00Z') });
    const set = resolve(customerState({ subscriptions: [onPlan('basic'), other] }), NOW, null);
    expect(set.validUntil).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('scheduled updates', () => {
  it('are applied lazily: the plan changes at its time and usage restarts per the product rule', () => {
    const sub = onPlan('pro', {
      scheduledUpdates: [
        {
          subscriptionScheduleType: 'Downgrade',
          scheduledExecutionTime: at('2024-02-15T00:00:00Z'),
          createdAt: CATALOG_NOW,
          planId: 'basic',
          planVersion: 1,
        },
      ],
    });
    const state = customerState({ subscriptions: [sub] });
    const before = resolve(state, at('2024-02-14T23:59:59.999Z'));
    const after = resolve(state, at('2024-02-15T00:00:00Z'));
    expect(ent(before, 'api-calls').hasUnlimitedUsage).toBe(true);
    expect(ent(after, 'api-calls')).toMatchObject({ usageLimit: 1000, hasUnlimitedUsage: false });
    expect(win(after, 'api-calls').epoch).not.toBe(win(before, 'api-calls').epoch);
  });
});

describe('usage windows', () => {
  it('a window anchors on the billing anchor; StartOfTheMonth on the 1st', () => {
    const anchor = at('2024-01-20T08:00:00Z');
    const set = resolve(
      customerState({
        subscriptions: [
          onPlan('basic', { billingAnchor: anchor }),
          onPlan('analytics-basic', { id: 'sub-an', productId: 'analytics', resourceId: 'r1' }),
        ],
      }),
    );
    expect(win(set, 'api-calls')).toMatchObject({ resetPeriod: 'MONTH', anchor, epoch: 'sub-basic' });
    const custom = resolve(
      customerState({
        subscriptions: [
          onPlan('free', {
            billingAnchor: anchor,
            entitlements: [
              spec('api-calls', { usageLimit: 9999, resetPeriod: 'MONTH', accordingTo: 'StartOfTheMonth' }),
            ],
          }),
        ],
      }),
    );
    expect(win(custom, 'api-calls').anchor).toBe(at('2024-01-01T00:00:00Z'));
  });

  it('fluctuating meters never reset: no reset period and the same key across periods and epochs', () => {
    const a = resolve(customerState({ subscriptions: [onPlan('basic')] }));
    const b = resolve(customerState({ subscriptions: [onPlan('basic', { usageEpoch: 'another-epoch' })] }));
    const seatsA = win(a, 'seats');
    expect(seatsA.resetPeriod).toBeNull();
    const keys = [NOW, at('2024-05-01T00:00:00Z'), at('2030-01-01T00:00:00Z')].map((t) => usageWindow(seatsA, t).key);
    keys.push(usageWindow(win(b, 'seats'), NOW).key);
    expect(new Set(keys).size).toBe(1);
    expect(usageWindow(seatsA, NOW)).toMatchObject({ periodStart: null, periodEnd: null, anchor: null });
  });

  it('incremental windows differ across periods and across usage epochs, and match usagePeriod', () => {
    const set = resolve(customerState({ subscriptions: [onPlan('basic')] }));
    const source = win(set, 'api-calls');
    const feb = usageWindow(source, at('2024-02-10T00:00:00Z'));
    const febLater = usageWindow(source, at('2024-02-29T23:59:59Z'));
    const mar = usageWindow(source, at('2024-03-01T00:00:00Z'));
    expect(feb.key).toBe(febLater.key);
    expect(mar.key).not.toBe(feb.key);
    const period = usagePeriod('MONTH', CATALOG_NOW, at('2024-02-10T00:00:00Z'));
    expect(feb).toMatchObject({ periodStart: period.start, periodEnd: period.end, anchor: CATALOG_NOW });
    const otherEpoch = usageWindow({ ...source, epoch: 'sub-basic@1' }, at('2024-02-10T00:00:00Z'));
    expect(otherEpoch.key).not.toBe(feb.key);
    expect(otherEpoch.periodStart).toBe(feb.periodStart);
  });

  it('a metered feature without a reset period counts for life within its epoch', () => {
    const source = {
      resetPeriod: null,
      accordingTo: null,
      intervalCount: 1,
      keyedByBounds: false,
      anchor: CATALOG_NOW,
      epoch: 'e1',
      scope: null,
    } as const;
    expect(usageWindow(source, NOW).key).toBe(usageWindow(source, at('2099-01-01T00:00:00Z')).key);
    expect(usageWindow(source, NOW).key).not.toBe(usageWindow({ ...source, epoch: 'e2' }, NOW).key);
  });
});

describe('interval counts and usage period anchors', () => {
  const anchor = at('2024-01-20T08:00:00Z');

  it('a window without the new options keeps the key it always had: epoch and start', () => {
    const source = win(
      resolve(customerState({ subscriptions: [onPlan('basic', { billingAnchor: anchor })] })),
      'api-calls',
    );
    expect(source).toMatchObject({ intervalCount: 1, keyedByBounds: false });
    expect(usageWindow(source, NOW).key).toBe(`sub-basic:${anchor}`);
    expect(ent(resolve(customerState({ subscriptions: [onPlan('basic')] })), 'api-calls').resetIntervalCount).toBe(1);
  });

  it('a custom entitlement with resetIntervalCount spans that many periods and names both bounds in its key', () => {
    const quarterly = spec('api-calls', { usageLimit: 5000, resetPeriod: 'MONTH', resetIntervalCount: 3 });
    const set = resolve(
      customerState({ subscriptions: [onPlan('basic', { billingAnchor: anchor, entitlements: [quarterly] })] }),
    );
    expect(ent(set, 'api-calls')).toMatchObject({ usageLimit: 5000, resetPeriod: 'MONTH', resetIntervalCount: 3 });
    const w = usageWindow(win(set, 'api-calls'), NOW);
    expect(w).toMatchObject({ periodStart: anchor, periodEnd: at('2024-04-20T08:00:00Z'), anchor });
    expect(w.key).toBe(`sub-basic:${anchor}:${at('2024-04-20T08:00:00Z')}`);
  });

  it("a subscription's usagePeriodAnchor replaces its billing anchor, before or after now", () => {
    const future = at('2024-03-05T00:00:00Z');
    const ahead = win(
      resolve(customerState({ subscriptions: [onPlan('basic', { usagePeriodAnchor: future })] })),
      'api-calls',
    );
    expect(ahead).toMatchObject({ anchor: future, keyedByBounds: true });
    // The period before a future anchor ends on it.
    expect(usageWindow(ahead, NOW)).toMatchObject({ periodStart: at('2024-02-05T00:00:00Z'), periodEnd: future });
    const past = at('2023-06-15T00:00:00Z');
    const behind = win(
      resolve(customerState({ subscriptions: [onPlan('basic', { usagePeriodAnchor: past })] })),
      'api-calls',
    );
    expect(usageWindow(behind, NOW)).toMatchObject({ periodStart: at('2024-01-15T00:00:00Z'), anchor: past });
  });

  it('"according to" still aligns an explicit anchor (StartOfTheMonth: the 1st of its month)', () => {
    const custom = spec('api-calls', { usageLimit: 9999, resetPeriod: 'MONTH', accordingTo: 'StartOfTheMonth' });
    const set = resolve(
      customerState({ subscriptions: [onPlan('free', { usagePeriodAnchor: anchor, entitlements: [custom] })] }),
    );
    expect(win(set, 'api-calls').anchor).toBe(at('2024-01-01T00:00:00Z'));
  });

  it("a counter carried on keeps its opener's anchor; a subscription's own anchor wins", () => {
    const opener = onPlan('basic', { id: 'old', usagePeriodAnchor: anchor, endDate: CATALOG_NOW + DAY });
    const carrying = onPlan('pro', { id: 'new', startDate: CATALOG_NOW + DAY, usageEpoch: 'old' });
    const state = (next: SubscriptionRecord) => customerState({ subscriptions: [opener, next] });
    expect(win(resolve(state(carrying)), 'api-calls').anchor).toBe(anchor);
    const own = at('2024-02-01T00:00:00Z');
    expect(win(resolve(state({ ...carrying, usagePeriodAnchor: own })), 'api-calls').anchor).toBe(own);
  });

  it("a custom entitlement's own anchor applies, also to the reset period it inherits from the plan", () => {
    const own = at('2024-02-07T00:00:00Z');
    const inherits = spec('api-calls', { usageLimit: 5000, usagePeriodAnchor: own });
    const set = resolve(customerState({ subscriptions: [onPlan('basic', { entitlements: [inherits] })] }));
    expect(ent(set, 'api-calls')).toMatchObject({ usageLimit: 5000, resetPeriod: 'MONTH' });
    expect(usageWindow(win(set, 'api-calls'), NOW)).toMatchObject({
      anchor: own,
      periodStart: own,
      periodEnd: at('2024-03-07T00:00:00Z'),
    });
  });

  it("an Increment add-on keeps the plan's reset configuration, interval count included, or brings its own", () => {
    /** The api-calls entitlement of a free plan with `plan` plus an extra-calls add-on with `addon`. */
    const merged = (plan: object, addon: object) => {
      const input = standardCatalogInput();
      const free = must(input.plans?.find((p) => p.id === 'free'));
      free.entitlements = [{ featureId: 'api-calls', usageLimit: 100, ...plan }];
      free.compatibleAddonIds = ['extra-calls'];
      const calls = must(input.addons?.find((a) => a.id === 'extra-calls'));
      calls.entitlements = [{ featureId: 'api-calls', usageLimit: 500, ...addon }];
      const addons = [{ addonId: 'extra-calls', version: 1, quantity: 1 }];
      const state = customerState({ subscriptions: [onPlan('free', { addons })] });
      const set = resolveEntitlements(catalogOf(input), state, null, NOW);
      return { entitlement: ent(set, 'api-calls'), window: win(set, 'api-calls') };
    };
    const quarterly = { resetPeriod: 'MONTH', resetIntervalCount: 3 };
    const fortnightly = { resetPeriod: 'WEEK', resetIntervalCount: 2 };
    expect(merged(quarterly, fortnightly).entitlement).toMatchObject({ usageLimit: 600, ...quarterly });
    expect(merged(quarterly, {}).window).toMatchObject({ resetPeriod: 'MONTH', intervalCount: 3, keyedByBounds: true });
    expect(merged({}, fortnightly).entitlement).toMatchObject({ usageLimit: 600, ...fortnightly });
    expect(merged({ resetPeriod: 'MONTH' }, fortnightly).entitlement).toMatchObject({
      resetPeriod: 'MONTH',
      resetIntervalCount: 1,
    });
  });

  it("a promotion's own anchor and interval count shape its window", () => {
    const own = at('2024-03-01T00:00:00Z');
    const promo = promotion('api-calls', {
      usageLimit: 7,
      resetPeriod: 'DAY',
      resetIntervalCount: 10,
      usagePeriodAnchor: own,
    });
    const set = resolve(customerState({ promotions: [promo] }));
    expect(usageWindow(win(set, 'api-calls'), NOW)).toMatchObject({
      anchor: own,
      periodStart: at('2024-02-10T00:00:00Z'),
      periodEnd: at('2024-02-20T00:00:00Z'),
    });
  });
});

describe('window choice', () => {
  it('does not depend on the order of equally ranked subscriptions', () => {
    // Two paid, customer-wide subscriptions (different products) grant api-calls with different
    // windows. Which window the counter lives in must not depend on the records' list order:
    // the client cache appends new subscriptions while the stores return them sorted by id.
    const app = onPlan('basic', { id: 'sub-b', billingAnchor: at('2024-01-05T00:00:00Z') });
    const analytics = subscription({
      id: 'sub-a',
      productId: 'analytics',
      planId: 'analytics-basic',
      billingAnchor: at('2024-01-07T00:00:00Z'),
    });
    const one = resolve(customerState({ subscriptions: [app, analytics] }));
    const two = resolve(customerState({ subscriptions: [analytics, app] }));
    expect(observable(ent(one, 'api-calls'))).toEqual(observable(ent(two, 'api-calls')));
    expect(usageWindow(win(one, 'api-calls'), NOW).key).toBe(usageWindow(win(two, 'api-calls'), NOW).key);
  });
});

describe('properties', () => {
  const PLANS = ['free', 'basic', 'pro', 'premium'] as const;
  const FEATURES = ['sso', 'seats', 'api-calls', 'projects', 'region'] as const;
  const planArb = fc.constantFrom(...PLANS);
  const addonArb = fc.record({
    addonId: fc.constantFrom('extra-seats', 'extra-calls', 'big-calls', 'huge-calls', 'eu-region'),
    version: fc.constant(1),
    quantity: fc.integer({ min: 1, max: 5 }),
  });
  const specArb = fc.record({
    featureId: fc.constantFrom('seats', 'api-calls', 'projects'),
    limit: fc.integer({ min: 0, max: 50_000 }),
    unlimited: fc.boolean(),
    soft: fc.boolean(),
  });
  const promotionArb = fc
    .record({ s: specArb, id: fc.integer({ min: 0, max: 1_000_000 }) })
    .map(
      ({ s, id }): PromotionRecord =>
        promotion(
          s.featureId,
          { usageLimit: s.unlimited ? null : s.limit, hasUnlimitedUsage: s.unlimited, hasSoftLimit: s.soft },
          { id: `promo-${id}` },
        ),
    );
  const subscriptionArb = fc
    .record({
      plan: planArb,
      addons: fc.array(addonArb, { maxLength: 3 }),
      custom: fc.array(specArb, { maxLength: 2 }),
      resourceId: fc.constantFrom<string | null>(null, 'r1'),
      n: fc.integer({ min: 0, max: 1_000_000 }),
    })
    .map(
      ({ plan, addons, custom, resourceId, n }): SubscriptionRecord =>
        subscription({
          id: `sub-${n}`,
          planId: plan,
          addons,
          resourceId,
          entitlements: custom.map((c) =>
            spec(c.featureId, {
              usageLimit: c.unlimited ? null : c.limit,
              hasUnlimitedUsage: c.unlimited,
              hasSoftLimit: c.soft,
            }),
          ),
        }),
    );

  /** `a` is at least as generous as `b` (unlimited ≥ any limit; otherwise limits compare). */
  function atLeast(a: EffectiveEntitlement | undefined, b: EffectiveEntitlement | undefined): boolean {
    if (!b) return true;
    if (!a) return false;
    if (a.hasUnlimitedUsage) return true;
    if (b.hasUnlimitedUsage) return false;
    return (a.usageLimit ?? 0) >= (b.usageLimit ?? 0) && (a.hasSoftLimit || !b.hasSoftLimit);
  }

  it('adding an Increment add-on never lowers any limit', () => {
    fc.assert(
      fc.property(
        planArb,
        fc.array(addonArb, { maxLength: 3 }),
        fc.constantFrom('extra-seats', 'extra-calls', 'eu-region'),
        fc.integer({ min: 1, max: 10 }),
        (plan, addons, increment, quantity) => {
          const without = resolve(customerState({ subscriptions: [onPlan(plan, { addons })] }));
          const withIt = resolve(
            customerState({
              subscriptions: [onPlan(plan, { addons: [...addons, { addonId: increment, version: 1, quantity }] })],
            }),
          );
          for (const f of FEATURES) {
            expect(atLeast(withIt.entitlements.get(f), without.entitlements.get(f))).toBe(true);
          }
          const seatsBefore = without.entitlements.get('seats');
          const seatsAfter = withIt.entitlements.get('seats');
          if (increment === 'extra-seats' && seatsBefore && !seatsBefore.hasUnlimitedUsage)
            expect(seatsAfter?.usageLimit).toBe((seatsBefore.usageLimit ?? 0) + 5 * quantity);
        },
      ),
    );
  });

  it('adding any source (subscription or promotion) never lowers the merged entitlement', () => {
    fc.assert(
      fc.property(
        fc.array(subscriptionArb, { maxLength: 3 }),
        fc.array(promotionArb, { maxLength: 3 }),
        fc.oneof(
          subscriptionArb.map((s) => ({ sub: s })),
          promotionArb.map((p) => ({ promo: p })),
        ),
        fc.constantFrom<string | null>(null, 'r1'),
        (subscriptions, promotions, extra, resourceId) => {
          const before = resolve(customerState({ subscriptions, promotions }), NOW, resourceId);
          const after = resolve(
            customerState({
              subscriptions: 'sub' in extra ? [...subscriptions, extra.sub] : subscriptions,
              promotions: 'promo' in extra ? [...promotions, extra.promo] : promotions,
            }),
            NOW,
            resourceId,
          );
          for (const f of FEATURES) {
            expect(atLeast(after.entitlements.get(f), before.entitlements.get(f))).toBe(true);
            const values = before.entitlements.get(f)?.enumValues ?? [];
            for (const v of values) expect(after.entitlements.get(f)?.enumValues).toContain(v);
          }
        },
      ),
    );
  });

  it('the merged value does not depend on the order of the sources', () => {
    fc.assert(
      fc.property(
        fc.array(subscriptionArb, { maxLength: 4 }),
        fc.array(promotionArb, { maxLength: 4 }),
        fc.constantFrom<string | null>(null, 'r1'),
        fc.infiniteStream(fc.nat()),
        (subscriptions, promotions, resourceId, randoms) => {
          const shuffle = <T>(xs: readonly T[]): T[] => {
            const out = [...xs];
            for (let i = out.length - 1; i > 0; i--) {
              const j = (randoms.next().value as number) % (i + 1);
              [out[i], out[j]] = [out[j] as T, out[i] as T];
            }
            return out;
          };
          const a = resolve(customerState({ subscriptions, promotions }), NOW, resourceId);
          const b = resolve(
            customerState({ subscriptions: shuffle(subscriptions), promotions: shuffle(promotions) }),
            NOW,
            resourceId,
          );
          expect(a.accessDeniedReason).toBe(b.accessDeniedReason);
          expect([...a.entitlements.keys()].sort()).toEqual([...b.entitlements.keys()].sort());
          for (const f of FEATURES) {
            expect(observable(b.entitlements.get(f))).toEqual(observable(a.entitlements.get(f)));
            expect(b.windows.get(f)).toEqual(a.windows.get(f));
          }
        },
      ),
    );
  });

  it('the merged limit is the most generous candidate', () => {
    fc.assert(
      fc.property(fc.array(promotionArb, { minLength: 1, maxLength: 6 }), (promotions) => {
        const set = resolve(customerState({ promotions }));
        for (const f of ['seats', 'api-calls', 'projects']) {
          const mine = promotions.filter((p) => p.featureId === f).map((p) => p.entitlement);
          const e = set.entitlements.get(f);
          if (mine.length === 0) {
            expect(e).toBeUndefined();
            continue;
          }
          const unlimited = mine.some((m) => m.hasUnlimitedUsage);
          expect(e?.hasUnlimitedUsage).toBe(unlimited);
          expect(e?.usageLimit).toBe(unlimited ? null : Math.max(...mine.map((m) => m.usageLimit ?? 0)));
          expect(e?.hasSoftLimit).toBe(mine.some((m) => m.hasSoftLimit));
        }
      }),
    );
  });
});
